"""Read interview transcripts from disk and cut them into numbered lines.

Plain text and Markdown (`.txt`, `.md`), Word (`.docx`), WebVTT (`.vtt`) and SubRip (`.srt`)
all end up the same way: one transcript text (decoded, LF newlines) and a list of `Line`s, each
exactly its slice `text[start:end]`. Pure Python: no Textual, no SQLite.

Vocabulary used below:

- a *paragraph* is one line of the normalised text, i.e. the characters between two "\\n";
  only "\\n" ends one (never `str.splitlines()`, which also splits on U+0085, U+2028 and form
  feeds);
- a *turn* starts at a paragraph that opens with a speaker label (`Interviewer:`, `P07:`) and
  runs until the next label; unlabelled paragraphs continue it;
- *whitespace* is what `str.isspace()` (and `\\s` in `re`) says it is.
"""

from __future__ import annotations

import bisect
import html
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tui.project.model import Line

__all__ = [
    "DEFAULT_WIDTH",
    "MAX_BYTES",
    "SUPPORTED_EXTENSIONS",
    "Paragraph",
    "ParsedTranscript",
    "TranscriptError",
    "compile_speaker_pattern",
    "decode",
    "guess_participant",
    "is_interviewer",
    "normalise_newlines",
    "parse_text",
    "read_transcript",
    "split_paragraphs",
    "wrap_lines",
]

MAX_BYTES = 50 * 1024 * 1024
DEFAULT_WIDTH = 72
#: The largest a .docx may grow to when unzipped (a guard against zip bombs).
MAX_UNZIPPED_BYTES = 4 * MAX_BYTES
#: The longest speaker label the default pattern accepts.
MAX_LABEL_CHARS = 30

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".docx", ".md", ".srt", ".txt", ".vtt")


class TranscriptError(ValueError):
    """A file that cannot be imported; str(err) is one line naming the file and the problem."""


@dataclass(frozen=True)
class ParsedTranscript:
    """A transcript read from a file: its text, its numbered lines and what was guessed."""

    title: str
    text: str
    lines: list[Line]
    participant: str | None
    source_format: str
    encoding: str


@dataclass(frozen=True)
class Paragraph:
    """The non-blank part of one paragraph of a text, with its speaker.

    `start`/`end` bound the paragraph without its leading and trailing whitespace;
    `label_length` counts from `start`; `cues` are (offset into the text, "HH:MM:SS.mmm") pairs
    for subtitle formats, in order, the first one at `start`.
    """

    start: int
    end: int
    speaker: str | None = None
    turn_start: bool = False
    label_length: int = 0
    cues: tuple[tuple[int, str], ...] = ()


# --------------------------------------------------------------------------- decoding

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: Bytes that Windows-1252 leaves undefined.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def _error(name: str, problem: str) -> TranscriptError:
    return TranscriptError(f"{name}: {problem}")


def normalise_newlines(text: str) -> str:
    """Turn CRLF and lone CR into LF; nothing else (U+0085, U+2028, form feed) is touched."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _has_utf8_multibyte(data: bytes) -> bool:
    """Whether `data` holds at least one valid UTF-8 sequence of two or more bytes."""
    loose = data.decode("utf-8", "surrogateescape")
    return any(ord(c) > 0x7F and not 0xDC80 <= ord(c) <= 0xDCFF for c in loose)


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode a text file's bytes strictly: (text with LF newlines, encoding name)."""
    if not data.strip():
        raise _error(name, "empty file")
    if data.startswith(_UTF16_BOMS):
        codec = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        try:
            text = data[2:].decode(codec)
        except UnicodeDecodeError as err:
            raise _error(name, f"undecodable bytes at offset {2 + err.start} (invalid UTF-16)") from None
        encoding = "utf-16"
        if "\x00" in text:
            raise _error(name, "binary file")
    else:
        if b"\x00" in data:
            raise _error(name, "binary file")
        if data.startswith(_UTF8_BOM):
            try:
                text = data[3:].decode("utf-8")
            except UnicodeDecodeError as err:
                raise _error(name, f"undecodable bytes at offset {3 + err.start} (invalid UTF-8)") from None
            encoding = "utf-8-sig"
        else:
            try:
                text = data.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError as err:
                if _has_utf8_multibyte(data):
                    # Mostly UTF-8 with some damage: decoding it as Windows-1252 would mangle
                    # every accented letter, so refuse and point at the damage instead.
                    raise _error(name, f"undecodable bytes at offset {err.start} (invalid UTF-8)") from None
                bad = next((i for i, b in enumerate(data) if b in _CP1252_UNDEFINED), None)
                if bad is not None:
                    raise _error(
                        name, f"undecodable bytes at offset {bad} (not UTF-8, UTF-16 or Windows-1252)"
                    ) from None
                text = data.decode("cp1252")
                encoding = "cp1252"
    if not text.strip():
        raise _error(name, "empty file")
    return normalise_newlines(text), encoding


# --------------------------------------------------------------------------- speaker labels

#: A word of a label: starts with a letter or digit; may hold . ' ’ - inside.
_WORD = r"[^\W_][\w.'’\-]*"
_DEFAULT_LABEL = re.compile(rf"(?P<speaker>{_WORD}(?:[ \t]+{_WORD}){{0,2}})[ \t]*:(?:\s+|$)")
_MARKDOWN_LABEL = re.compile(
    r"(?P<mark>\*\*|__)(?P<speaker>[^\W_][^*_:\n]{0,40}?)[ \t]*(?::(?P=mark)|(?P=mark)[ \t]*:)(?:\s+|$)"
)
_HEADING = re.compile(r"#{1,6}(?:\s|$)")
#: Lower-case words allowed inside a name ("Mrs van Dijk", "Dr de Souza").
_PARTICLES = frozenset("van von de der den da das di du la le del della dos bin bint al el ter ten".split())
#: Role words that may be written in lower case ("interviewer:", "participant 3:").
_ROLE_WORDS = frozenset(
    "interviewer int researcher facilitator moderator participant respondent interviewee speaker".split()
)
_INTERVIEWER_WORDS = frozenset(
    "interviewer interviewers int researcher researchers facilitator facilitators moderator moderators".split()
)

#: Given one paragraph and the offset of its first non-blank character: (speaker, label length).
Detector = Callable[[str, int], "tuple[str, int] | None"]


def is_interviewer(label: str) -> bool:
    """Whether a speaker label names the interviewer (Interviewer, INT, I, R, Researcher, ...)."""
    words = re.findall(r"[^\W\d_]+", label.casefold())
    if any(word in _INTERVIEWER_WORDS for word in words):
        return True
    return words in (["i"], ["r"])


def compile_speaker_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a user's speaker regex; ValueError unless it compiles and has a `speaker` group."""
    try:
        compiled = re.compile(pattern)
    except re.error as err:
        raise ValueError(f"invalid speaker pattern {pattern!r}: {err}") from None
    if "speaker" not in compiled.groupindex:
        raise ValueError(f"invalid speaker pattern {pattern!r}: it needs a named group (?P<speaker>...)")
    return compiled


def _plausible_label(speaker: str, max_chars: int = MAX_LABEL_CHARS) -> bool:
    """The default pattern's extra rules: short, has a letter, written like a name or role."""
    if len(speaker) > max_chars or not any(c.isalpha() for c in speaker):
        return False
    words = speaker.split()
    if words[0].casefold() in _ROLE_WORDS:
        return True
    if not (words[0][0].isupper() or words[0][0].isdigit()):
        return False
    return all(w[0].isupper() or w[0].isdigit() or w[0] == "(" or w in _PARTICLES for w in words[1:])


def _default_detector(para: str, pos: int) -> tuple[str, int] | None:
    match = _DEFAULT_LABEL.match(para, pos)
    if match is None:
        return None
    speaker = match.group("speaker")
    if not _plausible_label(speaker):
        return None
    return speaker, match.end() - pos


#: Zoom puts the participant's display name before each cue: allow a little more there
#: ("Dr Jane Smith-Jones (she/her): ...").
_SUBTITLE_LABEL = re.compile(
    rf"(?P<speaker>{_WORD}(?:[ \t]+(?:{_WORD}|\([^()\s:]{{1,20}}\))){{0,4}})[ \t]*:(?:\s+|$)"
)


def _subtitle_detector(para: str, pos: int) -> tuple[str, int] | None:
    match = _SUBTITLE_LABEL.match(para, pos)
    if match is None:
        return None
    speaker = match.group("speaker")
    if not _plausible_label(speaker, max_chars=40):
        return None
    return speaker, match.end() - pos


def _markdown_detector(para: str, pos: int) -> tuple[str, int] | None:
    match = _MARKDOWN_LABEL.match(para, pos)
    if match is not None:
        speaker = " ".join(match.group("speaker").split())
        if speaker and len(speaker) <= MAX_LABEL_CHARS:
            return speaker, match.end() - pos
    return _default_detector(para, pos)


def _pattern_detector(pattern: re.Pattern[str]) -> Detector:
    def detect(para: str, pos: int) -> tuple[str, int] | None:
        match = pattern.match(para, pos)
        if match is None or match.end() == pos:
            return None
        speaker = " ".join((match.group("speaker") or "").split())
        if not speaker:
            return None
        return speaker, match.end() - pos

    return detect


def _detector(speaker_pattern: str | re.Pattern[str] | None, markdown: bool) -> Detector:
    if speaker_pattern is not None:
        if isinstance(speaker_pattern, str):
            speaker_pattern = compile_speaker_pattern(speaker_pattern)
        return _pattern_detector(speaker_pattern)
    return _markdown_detector if markdown else _default_detector


# --------------------------------------------------------------------------- paragraphs and lines

_FIRST_NON_SPACE = re.compile(r"\S")
#: Matched at a line's start with endpos one past the widest line: ends at the last word that fits.
_FITS = re.compile(r".*\S(?=\s)", re.DOTALL)


def _paragraph_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every paragraph of `text`: the pieces between "\\n" characters."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            yield start, len(text)
            return
        yield start, end
        start = end + 1


def split_paragraphs(
    text: str,
    *,
    speaker_pattern: str | re.Pattern[str] | None = None,
    markdown: bool = False,
    explicit: dict[int, tuple[str | None, int]] | None = None,
) -> list[Paragraph]:
    """Find the non-blank paragraphs of `text` and the speaker of each.

    `explicit` maps the offset where a paragraph starts to a (speaker, label length) that is
    already known (Word table rows, subtitle cues); other paragraphs are searched for a label.
    """
    detect = _detector(speaker_pattern, markdown)
    explicit = explicit or {}
    paragraphs: list[Paragraph] = []
    speaker: str | None = None
    for start, end in _paragraph_spans(text):
        first = _FIRST_NON_SPACE.search(text, start, end)
        if first is None:
            continue
        body_start = first.start()
        body_end = end
        while text[body_end - 1].isspace():
            body_end -= 1
        if start in explicit:
            known_speaker, label_length = explicit[start]
            label_length = max(0, label_length - (body_start - start))
            if known_speaker is None:
                paragraphs.append(Paragraph(body_start, body_end, speaker))
            else:
                speaker = known_speaker
                paragraphs.append(Paragraph(body_start, body_end, speaker, True, label_length))
            continue
        para = text[start:end]
        if markdown and speaker_pattern is None and _HEADING.match(para, body_start - start):
            speaker = None
            paragraphs.append(Paragraph(body_start, body_end, None))
            continue
        found = detect(para, body_start - start)
        if found is None:
            paragraphs.append(Paragraph(body_start, body_end, speaker))
        else:
            speaker, label_length = found
            paragraphs.append(Paragraph(body_start, body_end, speaker, True, label_length))
    return paragraphs


def _joins_previous(ch: str) -> bool:
    """Whether `ch` belongs with the character before it (combining mark, ZWJ, skin tone)."""
    return unicodedata.category(ch) in ("Mn", "Mc", "Me") or ch == "\u200d" or "\U0001f3fb" <= ch <= "\U0001f3ff"


def _hard_cut(text: str, start: int, width: int) -> int:
    """Where to cut a word longer than `width` that starts at `start`: not inside a character cluster if avoidable."""
    cut = start + width
    back = cut
    while back > start + 1 and (_joins_previous(text[back]) or text[back - 1] == "\u200d"):
        back -= 1
    return back if back > start + 1 or not _joins_previous(text[back]) else cut


def wrap_lines(text: str, turns: Sequence[Paragraph], width: int = DEFAULT_WIDTH) -> list[Line]:
    """Wrap paragraphs at word boundaries into numbered lines of at most `width` characters.

    Each line is exactly `text[start:end]`, never begins or ends with whitespace, and only
    whitespace lies between one line and the next; a word longer than `width` is split.
    """
    if width < 1:
        raise ValueError(f"width must be at least 1, not {width}")
    lines: list[Line] = []
    for para in turns:
        found = _FIRST_NON_SPACE.search(text, para.start, para.end)
        if found is None:
            continue
        pos = found.start()
        para_end = para.end
        while text[para_end - 1].isspace():
            para_end -= 1
        cue_offsets = [offset for offset, _ in para.cues]
        first = True
        while pos < para_end:
            limit = pos + width
            if limit >= para_end:
                end = para_end
            else:
                # the longest run from `pos` that ends just before whitespace, within the width
                fit = _FITS.match(text, pos, limit + 1)
                end = fit.end() if fit is not None else _hard_cut(text, pos, width)
            turn_start = first and para.turn_start
            timestamp = None
            if cue_offsets:
                timestamp = para.cues[max(bisect.bisect_right(cue_offsets, pos) - 1, 0)][1]
            lines.append(
                Line(
                    len(lines) + 1,
                    para.speaker,
                    text[pos:end],
                    pos,
                    end,
                    turn_start,
                    min(para.label_length, end - pos) if turn_start else 0,
                    timestamp,
                )
            )
            first = False
            following = _FIRST_NON_SPACE.search(text, end, para_end)
            pos = following.start() if following is not None else para_end
    return lines


def guess_participant(text: str, paragraphs: Sequence[Paragraph]) -> str | None:
    """The non-interviewer speaker who says the most words, or None if there is none."""
    words: dict[str, int] = {}
    for para in paragraphs:
        if para.speaker is not None:
            spoken = text[para.start + para.label_length : para.end]
            words[para.speaker] = words.get(para.speaker, 0) + len(spoken.split())
    candidates = {speaker: count for speaker, count in words.items() if not is_interviewer(speaker)}
    if not candidates:
        return None
    return max(candidates, key=lambda s: candidates[s])  # ties: the first to speak (dicts keep order)


def _build(
    title: str,
    text: str,
    paragraphs: list[Paragraph],
    width: int,
    source_format: str,
    encoding: str,
    name: str,
) -> ParsedTranscript:
    lines = wrap_lines(text, paragraphs, width)
    if not lines:
        raise _error(name, "empty file")
    return ParsedTranscript(
        title=title,
        text=text,
        lines=lines,
        participant=guess_participant(text, paragraphs),
        source_format=source_format,
        encoding=encoding,
    )


def parse_text(
    text: str,
    *,
    title: str = "transcript",
    source_format: str = "txt",
    encoding: str = "utf-8",
    width: int = DEFAULT_WIDTH,
    speaker_pattern: str | re.Pattern[str] | None = None,
) -> ParsedTranscript:
    """Parse already-decoded plain text or Markdown (newlines are normalised here)."""
    text = normalise_newlines(text)
    paragraphs = split_paragraphs(text, speaker_pattern=speaker_pattern, markdown=source_format == "md")
    return _build(title, text, paragraphs, width, source_format, encoding, title)


# --------------------------------------------------------------------------- subtitles (vtt, srt)

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_TIMING = re.compile(rf"\s*{_TIME}\s*-->\s*{_TIME}")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>]*))?>")
_ANY_TAG = re.compile(r"<[^>]*>")
_SRT_TAG = re.compile(r"</?(?:b|i|u|s|font)(?:\s[^>]*)?>|\{\\[^}]*\}", re.IGNORECASE)


def _timestamp(match: re.Match[str]) -> str:
    hours, minutes, seconds, millis = match.group(1, 2, 3, 4)
    return f"{int(hours or 0):02d}:{int(minutes):02d}:{seconds}.{millis.ljust(3, '0')}"


def _blocks(text: str) -> Iterator[list[str]]:
    """Groups of consecutive non-blank lines."""
    block: list[str] = []
    for start, end in _paragraph_spans(text):
        line = text[start:end]
        if line.strip():
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _vtt_cues(text: str) -> Iterator[tuple[str, list[tuple[str | None, str]]]]:
    """(cue start, [(voice or None, cleaned text), ...]) for each cue of a WebVTT file."""
    for index, block in enumerate(_blocks(text)):
        head = block[0].lstrip("\ufeff")
        if index == 0 and head.startswith("WEBVTT"):
            continue
        if re.match(r"(?:NOTE|STYLE|REGION)(?:\s|$)", head):
            continue
        timing_at = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        if timing_at is None:
            continue
        timing = _TIMING.match(block[timing_at])
        if timing is None:
            continue
        payload = "\n".join(block[timing_at + 1 :])
        segments: list[tuple[str | None, str]] = []
        voices = list(_VOICE.finditer(payload))
        bounds = [(None, 0)] + [(m, m.end()) for m in voices]
        for i, (voice, seg_start) in enumerate(bounds):
            seg_end = voices[i].start() if i < len(voices) else len(payload)
            words = _collapse(html.unescape(_ANY_TAG.sub("", payload[seg_start:seg_end])))
            speaker = _collapse(html.unescape(voice.group(1) or "")) if voice is not None else ""
            if words:
                segments.append((speaker or None, words))
        if segments:
            yield _timestamp(timing), segments


def _srt_cues(text: str) -> Iterator[tuple[str, list[tuple[str | None, str]]]]:
    """(cue start, [(None, cleaned text)]) for each cue of a SubRip file."""
    for block in _blocks(text):
        timing_at = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        if timing_at is None:
            continue
        timing = _TIMING.match(block[timing_at])
        if timing is None:
            continue
        words = _collapse(_SRT_TAG.sub("", "\n".join(block[timing_at + 1 :])))
        if words:
            yield _timestamp(timing), [(None, words)]


def _subtitle_transcript(
    cues: Iterator[tuple[str, list[tuple[str | None, str]]]],
    detect: Detector,
) -> tuple[str, list[Paragraph]]:
    """Join cues into turns, one paragraph `Speaker: words` per turn, with cue timestamps."""
    turns: list[tuple[str | None, list[tuple[str, str]]]] = []  # speaker, [(timestamp, words)]
    for timestamp, segments in cues:
        for speaker, words in segments:
            if speaker is None:
                found = detect(words, 0)
                if found is not None:
                    speaker = found[0]
                    words = words[found[1] :].strip()
                    if not words:
                        continue
            if turns and (speaker is None or speaker == turns[-1][0]):
                turns[-1][1].append((timestamp, words))
            else:
                turns.append((speaker, [(timestamp, words)]))
    pieces: list[str] = []
    paragraphs: list[Paragraph] = []
    offset = 0
    for speaker, parts in turns:
        label = f"{speaker}: " if speaker is not None else ""
        para_start = offset
        cursor = offset + len(label)
        cues: list[tuple[int, str]] = []
        for i, (timestamp, words) in enumerate(parts):
            if i:
                cursor += 1  # the joining space
            cues.append((para_start if i == 0 else cursor, timestamp))
            cursor += len(words)
        body = label + " ".join(words for _, words in parts)
        pieces.append(body)
        paragraphs.append(
            Paragraph(para_start, para_start + len(body), speaker, speaker is not None, len(label), tuple(cues))
        )
        offset += len(body) + 1
    return "\n".join(pieces), paragraphs


# --------------------------------------------------------------------------- Word

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


# --------------------------------------------------------------------------- files


def _read_bytes(path: Path) -> bytes:
    name = path.name or str(path)
    try:
        if path.is_dir():
            raise _error(name, "is a folder, not a file")
        size = path.stat().st_size
    except FileNotFoundError:
        raise _error(name, "file not found") from None
    except PermissionError:
        raise _error(name, "permission denied") from None
    except OSError as err:
        raise _error(name, f"cannot read file ({err.strerror or err})") from None
    if size > MAX_BYTES:
        raise _error(name, f"file too large ({-(-size // 2**20)} MB, limit {MAX_BYTES // 2**20} MB)")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise _error(name, "file not found") from None
    except PermissionError:
        raise _error(name, "permission denied") from None
    except OSError as err:
        raise _error(name, f"cannot read file ({err.strerror or err})") from None
    if len(data) > MAX_BYTES:
        raise _error(name, f"file too large (over {MAX_BYTES // 2**20} MB, limit {MAX_BYTES // 2**20} MB)")
    return data


def read_transcript(
    path: Path,
    *,
    width: int = DEFAULT_WIDTH,
    speaker_pattern: str | None = None,
) -> ParsedTranscript:
    """Read one transcript file and cut it into lines; TranscriptError says why it cannot be."""
    path = Path(path)
    name = path.name or str(path)
    if width < 1:
        raise ValueError(f"width must be at least 1, not {width}")
    # Validates the pattern before any I/O; also finds Zoom's `Name: words` inside cues.
    detect = _detector(speaker_pattern, markdown=False) if speaker_pattern is not None else _subtitle_detector
    extension = path.suffix.lower()
    if not path.exists() and not path.is_symlink():
        raise _error(name, "file not found")
    if path.is_dir():
        raise _error(name, "is a folder, not a file")
    if path.exists() and not path.is_file():
        raise _error(name, "not a regular file")
    if extension not in SUPPORTED_EXTENSIONS:
        kind = f"'{path.suffix}' files" if path.suffix else "files without an extension"
        raise _error(name, f"cannot import {kind} (supported: {', '.join(SUPPORTED_EXTENSIONS)})")
    data = _read_bytes(path)
    title = path.stem
    source_format = extension[1:]
    if source_format == "docx":
        text, explicit = _docx_transcript(_docx_blocks(data, name))
        paragraphs = split_paragraphs(text, speaker_pattern=speaker_pattern, explicit=explicit)
        return _build(title, text, paragraphs, width, "docx", "docx", name)
    text, encoding = decode(data, name)
    if source_format in ("vtt", "srt"):
        cues = _vtt_cues(text) if source_format == "vtt" else _srt_cues(text)
        text, paragraphs = _subtitle_transcript(cues, detect)
        return _build(title, text, paragraphs, width, source_format, encoding, name)
    paragraphs = split_paragraphs(text, speaker_pattern=speaker_pattern, markdown=source_format == "md")
    return _build(title, text, paragraphs, width, source_format, encoding, name)
