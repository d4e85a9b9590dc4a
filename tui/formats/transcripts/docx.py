"""Word (.docx): paragraphs and tables in body order, tracked changes resolved, tables read by column.

A table is read by its columns when they say what they hold, by a header row (`Time | Speaker |
Text`) or by their cells: a column of times (`00:12:10`, `[12:10]`) gives each row's timestamp,
a column of short labels the row's speaker, and the other columns the words. A cell merged
across columns (gridSpan) is met once; one merged down rows (vMerge) counts for each row it
spans: its speaker's turn, or its time, goes on. Other tables become one paragraph per row, the
cells joined by " | ".
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from tui.formats.transcripts.decode import MAX_BYTES, _error, normalise_newlines
from tui.formats.transcripts.speakers import Known, not_speaker

#: The largest a .docx may grow to when unzipped (a guard against zip bombs).
MAX_UNZIPPED_BYTES = 4 * MAX_BYTES

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIPPED_IN_PARAGRAPH = frozenset(
    {
        f"{_W}pPr",
        f"{_W}rPr",
        f"{_W}del",
        f"{_W}moveFrom",
        f"{_W}txbxContent",
        f"{_W}instrText",
        f"{_W}delText",
        "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
    }
)


def _paragraph_text(p: object) -> str:
    """The visible text of a w:p element, tracked insertions included, deletions left out."""
    out: list[str] = []

    def walk(element: object) -> None:
        for child in element:  # type: ignore[attr-defined]
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIPPED_IN_PARAGRAPH:
                continue
            if tag == f"{_W}t":
                out.append(child.text or "")
            elif tag == f"{_W}tab":
                out.append("\t")
            elif tag == f"{_W}br":
                if child.get(f"{_W}type") in (None, "textWrapping"):
                    out.append("\n")
            elif tag == f"{_W}cr":
                out.append("\n")
            elif tag == f"{_W}noBreakHyphen":
                out.append("-")
            else:
                walk(child)

    walk(p)
    return "".join(out)


def _children(element: object, *tags: str) -> Iterator[object]:
    """Child elements with one of `tags`, looking through content controls (w:sdt)."""
    for child in element:  # type: ignore[attr-defined]
        if child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _children(content, *tags)
        elif child.tag in tags:
            yield child


#: Header cells that name a column (compared ignoring case and a trailing colon).
_HEADER_NAMES = {
    "time": frozenset({"time", "times", "timestamp", "time stamp", "timecode", "time code", "start", "start time", "tc"}),
    "speaker": frozenset({"speaker", "speakers", "name", "who", "person", "role", "speaker name"}),
    "words": frozenset(
        {"text", "transcript", "transcription", "words", "content", "utterance", "dialogue", "dialog", "speech"}
    ),
}
_TIME_CELL = re.compile(r"[\[(]?(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?[\])]?")
#: The longest label a speaker column may hold, in characters and in words.
MAX_CELL_LABEL_CHARS = 40
MAX_CELL_LABEL_WORDS = 5


@dataclass(frozen=True)
class _Cell:
    column: int
    span: int
    text: str
    continued: bool  # a vMerge continuation: the cell above goes on here


def _cell_text(tc: object) -> str:
    parts: list[str] = []
    for block in _children(tc, f"{_W}p", f"{_W}tbl"):
        if block.tag == f"{_W}p":  # type: ignore[attr-defined]
            parts.append(_paragraph_text(block))
        else:
            parts.extend(" | ".join(c.text.strip() for c in row if c.text.strip()) for row in _grid(block))
    return "\n".join(part.strip() for part in normalise_newlines("\n".join(parts)).split("\n") if part.strip())


def _property(element: object, *path: str) -> object | None:
    for tag in path:
        element = element.find(f"{_W}{tag}")  # type: ignore[attr-defined]
        if element is None:
            return None
    return element


def _grid(tbl: object) -> list[list[_Cell]]:
    """The rows of a w:tbl as cells placed on the table's grid of columns."""
    rows: list[list[_Cell]] = []
    for tr in _children(tbl, f"{_W}tr"):
        before = _property(tr, "trPr", "gridBefore")
        column = int(before.get(f"{_W}val", "0")) if before is not None else 0  # type: ignore[attr-defined]
        cells: list[_Cell] = []
        for tc in _children(tr, f"{_W}tc"):
            span_element = _property(tc, "tcPr", "gridSpan")
            span = max(1, int(span_element.get(f"{_W}val", "1"))) if span_element is not None else 1  # type: ignore[attr-defined]
            merge = _property(tc, "tcPr", "vMerge")
            continued = merge is not None and merge.get(f"{_W}val", "continue") != "restart"  # type: ignore[attr-defined]
            cells.append(_Cell(column, span, "" if continued else _cell_text(tc), continued))
            column += span
        rows.append(cells)
    return rows


def _docx_label(cell: str) -> str | None:
    """The speaker named by a cell, if it is short enough to be a label."""
    label = cell.strip()
    if label.endswith(":"):
        label = label[:-1].rstrip()
    if not label or "\n" in label or len(label) > MAX_CELL_LABEL_CHARS or len(label.split()) > MAX_CELL_LABEL_WORDS:
        return None
    if not label[0].isalnum() or not any(c.isalpha() for c in label):
        return None
    if label[-1] in "?!,;" or (label[-1] == "." and " " in label):
        return None  # a sentence, not a name ("Int." and "Dr. Ng" are names)
    return " ".join(label.split())


def _time(cell: str) -> str | None:
    """A cell's time as HH:MM:SS (with .mmm if it has a fraction), or None if it is not a time."""
    match = _TIME_CELL.fullmatch(cell.strip())
    if match is None:
        return None
    hours, minutes, seconds, fraction = match.group(1, 2, 3, 4)
    if int(seconds) > 59 or (hours is not None and int(minutes) > 59):
        return None
    stamp = f"{int(hours or 0):02d}:{int(minutes):02d}:{seconds}"
    return stamp + "." + fraction.ljust(3, "0") if fraction else stamp


def _header_roles(row: list[_Cell]) -> dict[int, str] | None:
    """The role of each column named by a header row, or None if `row` is not one."""
    roles: dict[int, str] = {}
    for cell in row:
        name = " ".join(cell.text.casefold().rstrip(":").split())
        if not name:
            continue
        role = next((role for role, names in _HEADER_NAMES.items() if name in names), None)
        if role is None or cell.span > 1:
            return None
        roles[cell.column] = role
    if len(roles) < 2 or not {"time", "speaker"} & set(roles.values()) or "words" not in roles.values():
        return None
    return roles


def _column_roles(rows: list[list[_Cell]]) -> dict[int, str] | None:
    """Roles found from the cells: a column of times, then a column of labels; the rest is words."""
    values: dict[int, list[str]] = {}
    for row in rows:
        for cell in row:
            if cell.span == 1 and cell.text.strip():
                values.setdefault(cell.column, []).append(cell.text)
    roles: dict[int, str] = {}
    for column in sorted(values):
        if all(_time(text) is not None for text in values[column]):
            roles[column] = "time"
            break
    columns = {cell.column + i for row in rows for cell in row for i in range(cell.span)}
    for column in sorted(values):
        if column in roles or column == max(columns):
            continue  # the last column holds the words
        if all(_docx_label(text) is not None for text in values[column]):
            roles[column] = "speaker"
        break
    for column in columns - set(roles):
        roles[column] = "words"
    if "words" not in roles.values() or roles.keys() == {c for c, r in roles.items() if r == "words"}:
        return None
    if max(c for c, r in roles.items() if r != "words") > max(c for c, r in roles.items() if r == "words"):
        return None  # times or labels after the words: not a transcript table
    return roles


Block = tuple[str, "Known | None"]


def _table_blocks(tbl: object, not_speakers: Collection[str]) -> list[Block]:
    """One paragraph per row (or per paragraph of a row's words), with what its columns say."""
    rows = [row for row in _grid(tbl) if row]
    roles = _header_roles(rows[0]) if rows else None
    if roles is not None:
        rows = rows[1:]
    else:
        roles = _column_roles(rows)
    blocks: list[Block] = []
    if roles is None:
        for row in rows:
            joined = " | ".join(cell.text for cell in row if cell.text)
            blocks.extend((part, None) for part in joined.split("\n") if joined)
        return blocks
    has_speaker = "speaker" in roles.values()
    last_time: str | None = None
    for row in rows:
        speaker_cell, words, timestamp = "", [], None
        for cell in row:
            covered = {roles.get(cell.column + i) for i in range(cell.span)}
            role = "words" if "words" in covered else roles.get(cell.column)
            if role == "time":
                timestamp = last_time if cell.continued else (_time(cell.text) or " ".join(cell.text.split()) or None)
                last_time = timestamp
            elif role == "speaker":
                speaker_cell = cell.text
            elif cell.text:
                words.append(cell.text)
        text = " | ".join(words)
        label = _docx_label(speaker_cell)
        if label is not None:
            prefix = f"{label}: " if text else f"{label}:"
            nobody = not_speaker(label, not_speakers)
            first = Known(None if nobody else label, 0 if nobody else len(prefix), timestamp, nobody=nobody)
            text = prefix + text
        elif not text:
            continue
        elif has_speaker:
            first = Known(None, 0, timestamp)
        else:
            first = Known(timestamp=timestamp, detect=True)
        parts = text.split("\n")
        blocks.append((parts[0], first))
        rest = Known(timestamp=timestamp, nobody=first.nobody, detect=first.detect)
        blocks.extend((part, rest) for part in parts[1:])
    return blocks


def _docx_blocks(data: bytes, name: str, not_speakers: Collection[str] = ()) -> list[Block]:
    """(paragraph text, what a table says of it or None) for each paragraph, in body order."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _error(name, "not a Word document") from None
    if "word/document.xml" not in names:
        raise _error(name, "not a Word document")
    if unzipped > MAX_UNZIPPED_BYTES:
        raise _error(
            name, f"file too large ({-(-unzipped // 2**20)} MB unzipped, limit {MAX_UNZIPPED_BYTES // 2**20} MB)"
        )
    import docx  # python-docx; imported here so plain-text imports do not pay for it

    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except Exception:  # noqa: BLE001 - whatever python-docx trips on, the file is not usable
        raise _error(name, "not a Word document") from None
    blocks: list[Block] = []
    for element in _children(body, f"{_W}p", f"{_W}tbl"):
        if element.tag == f"{_W}p":  # type: ignore[attr-defined]
            blocks.extend((part, None) for part in normalise_newlines(_paragraph_text(element)).split("\n"))
        else:
            blocks.extend(_table_blocks(element, not_speakers))
    return blocks


def _docx_transcript(blocks: list[Block]) -> tuple[str, dict[int, Known]]:
    """The transcript text, one paragraph per block, and what is known of each by its offset."""
    pieces: list[str] = []
    explicit: dict[int, Known] = {}
    offset = 0
    for block, known in blocks:
        if known is not None:
            explicit[offset] = known
        pieces.append(block)
        offset += len(block) + 1
    return "\n".join(pieces), explicit
