"""Word (.docx): paragraphs and tables in body order, tracked changes resolved, tables read by column."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from tui.formats.transcripts.decode import MAX_BYTES, _error, normalise_newlines
from tui.formats.transcripts.speakers import MAX_LABEL_CHARS

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


def _cell_text(tc: object) -> str:
    parts: list[str] = []
    for block in _children(tc, f"{_W}p", f"{_W}tbl"):
        if block.tag == f"{_W}p":  # type: ignore[attr-defined]
            parts.append(_paragraph_text(block))
        else:
            parts.extend(text for text, _ in _table_rows(block))
    return "\n".join(part for part in parts if part.strip())


def _docx_label(cell: str) -> str | None:
    """The speaker named by a table's first cell, if it is short enough to be a label."""
    label = cell.strip()
    if label.endswith(":"):
        label = label[:-1].rstrip()
    if not label or "\n" in label or len(label) > MAX_LABEL_CHARS or len(label.split()) > 3:
        return None
    if not label[0].isalnum() or not any(c.isalpha() for c in label):
        return None
    return " ".join(label.split())


def _table_rows(tbl: object) -> Iterator[tuple[str, str | None]]:
    """(paragraph text, speaker or None) for each non-empty row of a w:tbl."""
    for tr in _children(tbl, f"{_W}tr"):
        # The w:tc elements themselves, not python-docx's `row.cells`: that repeats a cell merged
        # across columns once per column, and a cell merged down rows in every row it spans. Here
        # a merged cell is met once, and the rows below a merged speaker cell have an empty
        # first cell, so they continue that speaker's turn.
        cells = [_cell_text(tc) for tc in _children(tr, f"{_W}tc")]
        label = _docx_label(cells[0]) if len(cells) >= 2 else None
        rest = [c.strip() for c in cells[1:] if c.strip()]
        if label is not None and rest:
            yield f"{label}: " + " | ".join(rest), label
        else:
            joined = " | ".join(c.strip() for c in cells if c.strip())
            if joined:
                yield joined, None


def _docx_blocks(data: bytes, name: str) -> list[tuple[str, str | None]]:
    """(paragraph text, speaker known from a table row or None) in body order."""
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
    blocks: list[tuple[str, str | None]] = []
    for element in _children(body, f"{_W}p", f"{_W}tbl"):
        if element.tag == f"{_W}p":  # type: ignore[attr-defined]
            blocks.append((_paragraph_text(element), None))
        else:
            blocks.extend(_table_rows(element))
    return blocks


def _docx_transcript(blocks: list[tuple[str, str | None]]) -> tuple[str, dict[int, tuple[str | None, int]]]:
    pieces: list[str] = []
    explicit: dict[int, tuple[str | None, int]] = {}
    offset = 0
    for block, speaker in blocks:
        block = normalise_newlines(block)
        if speaker is not None:
            explicit[offset] = (speaker, len(speaker) + 2)
        pieces.append(block)
        offset += len(block) + 1
    return "\n".join(pieces), explicit
