"""Read transcript files into a project: each file all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tui.formats.transcripts import DEFAULT_WIDTH, ParsedTranscript, read_transcript
from tui.project.model import Transcript
from tui.project import Project, ProjectError

MAX_WIDTH = 1000
MIN_WIDTH = 20


def check_width(width: int) -> int:
    """Return `width` if it is a usable line width; raise ProjectError if not."""
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ProjectError(f"--width {width}: choose a line width from {MIN_WIDTH} to {MAX_WIDTH} characters")
    return width


def import_file(
    project: Project,
    path: Path,
    *,
    participant: str | None = None,
    width: int = DEFAULT_WIDTH,
    speaker_pattern: str | None = None,
    title: str | None = None,
    not_speakers: Sequence[str] = (),
) -> Transcript:
    """Parse one transcript file and store it in one transaction; raise on any problem.

    Labels in `not_speakers` start no turn (see `read_transcript`).
    """
    parsed = read_transcript(
        path, width=check_width(width), speaker_pattern=speaker_pattern, not_speakers=not_speakers
    )
    return store_parsed(project, parsed, path=path, participant=participant, width=width, title=title)


def store_parsed(
    project: Project,
    parsed: ParsedTranscript,
    *,
    path: Path,
    participant: str | None,
    width: int,
    title: str | None = None,
) -> Transcript:
    """Store an already parsed transcript, refusing a title the project already has."""
    title = (title or parsed.title).strip()
    if not title:
        raise ProjectError(f"{path.name}: a transcript needs a title")
    if project.has_transcript_titled(title):
        raise ProjectError(
            f"{path.name}: the project already has a transcript titled '{title}' "
            "(to keep both, rename the file or import it with --title)"
        )
    return project.import_transcript(
        title=title,
        text=parsed.text,
        lines=parsed.lines,
        participant=(participant or parsed.participant),
        source=path.name,
        format=parsed.source_format,
        encoding=parsed.encoding,
        width=width,
    )
