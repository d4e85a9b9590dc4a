"""Read interview transcripts from disk and cut them into numbered lines.

Plain text and Markdown (`.txt`, `.md`), Word (`.docx`), WebVTT (`.vtt`) and SubRip (`.srt`)
all end up the same way: one transcript text (decoded, LF newlines) and a list of `Line`s, each
exactly its slice `text[start:end]`. Pure Python: no Textual, no SQLite.

The modules: `decode` (bytes to text), `speakers` (labels, turns, the participant), `wrap`
(lines), `subtitles` (vtt, srt), `docx` (Word). Vocabulary used in them:

- a *paragraph* is one line of the normalised text, i.e. the characters between two "\\n";
  only "\\n" ends one (never `str.splitlines()`, which also splits on U+0085, U+2028 and form
  feeds);
- a *turn* starts at a paragraph that opens with a speaker label (`Interviewer:`, `P07:`) and
  runs until the next label; unlabelled paragraphs continue it;
- *whitespace* is what `str.isspace()` (and `\\s` in `re`) says it is.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from tui.formats.transcripts.decode import MAX_BYTES, TranscriptError, _error, _read_bytes, decode, normalise_newlines
from tui.formats.transcripts.docx import MAX_UNZIPPED_BYTES, _docx_blocks, _docx_transcript
from tui.formats.transcripts.speakers import (
    HEADER_WORDS,
    MAX_LABEL_CHARS,
    Paragraph,
    _detector,
    _subtitle_detector,
    compile_speaker_pattern,
    guess_participant,
    is_interviewer,
    split_paragraphs,
)
from tui.formats.transcripts.subtitles import _srt_cues, _subtitle_transcript, _vtt_cues
from tui.formats.transcripts.wrap import DEFAULT_WIDTH, wrap_lines
from tui.project import Line

__all__ = [
    "DEFAULT_WIDTH",
    "HEADER_WORDS",
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

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".docx", ".md", ".srt", ".txt", ".vtt")


@dataclass(frozen=True)
class ParsedTranscript:
    """A transcript read from a file: its text, its numbered lines and what was guessed."""

    title: str
    text: str
    lines: list[Line]
    participant: str | None
    source_format: str
    encoding: str


def _build(
    title: str,
    text: str,
    paragraphs: list[Paragraph],
    width: int,
    source_format: str,
    encoding: str,
    name: str,
    guess: bool = True,
) -> ParsedTranscript:
    lines = wrap_lines(text, paragraphs, width)
    if not lines:
        raise _error(name, "empty file")
    return ParsedTranscript(
        title=title,
        text=text,
        lines=lines,
        participant=guess_participant(text, paragraphs) if guess else None,
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
    not_speakers: Collection[str] = (),
    guess: bool = True,
) -> ParsedTranscript:
    """Parse already-decoded plain text or Markdown (newlines are normalised here).

    With `guess=False` the participant is not guessed (`participant` is None): a caller that
    only wants the lines (a REFI-QDA file names its cases) saves counting every turn's words.
    """
    text = normalise_newlines(text)
    paragraphs = split_paragraphs(
        text, speaker_pattern=speaker_pattern, markdown=source_format == "md", not_speakers=not_speakers
    )
    return _build(title, text, paragraphs, width, source_format, encoding, title, guess)


def read_transcript(
    path: Path,
    *,
    width: int = DEFAULT_WIDTH,
    speaker_pattern: str | None = None,
    not_speakers: Collection[str] = (),
) -> ParsedTranscript:
    """Read one transcript file and cut it into lines; TranscriptError says why it cannot be.

    A label in `not_speakers` (compared ignoring case), or one whose first word is in
    `HEADER_WORDS` (`Date:`, `Setting:`, `Note:` ...), never starts a turn.
    """
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
        text, explicit = _docx_transcript(_docx_blocks(data, name, not_speakers))
        paragraphs = split_paragraphs(
            text, speaker_pattern=speaker_pattern, explicit=explicit, not_speakers=not_speakers
        )
        return _build(title, text, paragraphs, width, "docx", "docx", name)
    text, encoding = decode(data, name)
    if source_format in ("vtt", "srt"):
        cues = _vtt_cues(text) if source_format == "vtt" else _srt_cues(text)
        text, paragraphs = _subtitle_transcript(cues, detect, not_speakers)
        return _build(title, text, paragraphs, width, source_format, encoding, name)
    paragraphs = split_paragraphs(
        text, speaker_pattern=speaker_pattern, markdown=source_format == "md", not_speakers=not_speakers
    )
    return _build(title, text, paragraphs, width, source_format, encoding, name)
