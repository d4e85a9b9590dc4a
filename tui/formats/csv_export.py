"""CSV exports: every coding as a row, and a codebook that Taguette can import.

Both are UTF-8 without a byte-order mark (so pandas and R read the first column's name as
written), RFC 4180 quoting by the csv module, text exactly as stored (newlines inside a quoted
cell). Taguette's codebook import reads the header case-insensitively and takes the tag from a
`tag` column and the description from a `description` column; the theme's path (Parent/Child)
is the tag, which keeps names unique as Taguette needs.
"""

from __future__ import annotations

import csv
from pathlib import Path

from tui.formats.output import CancelCheck, ExportError, Progress, Steps, atomic_output
from tui.formats.refi.write import transcript_text
from tui.project import LEVEL_LABELS, Project
from tui.text import visible_lines

CODING_COLUMNS = ("theme_path", "level", "participant", "transcript", "first_line", "last_line", "text", "coder", "date")
CODEBOOK_COLUMNS = ("tag", "description")


def coding_rows(project: Project, steps: Steps | None = None) -> list[list[str | int]]:
    """One row per coding, in reading order (transcript, then lines)."""
    steps = steps or Steps()
    paths = project.theme_paths()
    levels = {t.id: LEVEL_LABELS.get(t.level, t.level) for t in project.themes()}
    pseudonyms = {p.id: p.pseudonym for p in project.participants()}
    coders = {c.id: c.name for c in project.coders()}
    transcripts = project.transcripts()
    steps.total = len(transcripts)
    rows: list[list[str | int]] = []
    for transcript in transcripts:
        codings = project.codings(transcript_id=transcript.id)
        if codings:
            text = transcript_text(project, transcript.id, transcript.text)
            lines = {line.number: (line.start, line.end) for line in project.lines(transcript.id)}
            for coding in codings:
                first, last = lines.get(coding.first_line), lines.get(coding.last_line)
                quote = text[first[0]:last[1]] if first and last else ""
                rows.append([
                    paths.get(coding.theme_id, ""), levels.get(coding.theme_id, ""),
                    pseudonyms.get(transcript.participant_id, "") if transcript.participant_id else "",
                    transcript.title, coding.first_line, coding.last_line, quote,
                    coders.get(coding.coder_id, "") if coding.coder_id else "", coding.created_at,
                ])
        steps.step()
    return rows


def codebook_rows(project: Project) -> list[list[str]]:
    """One row per theme: its path as Taguette's tag, and its description."""
    paths = project.theme_paths()
    return sorted(([paths[t.id], t.description or ""] for t in project.themes()), key=lambda r: r[0].casefold())


def _cell(value: str | int) -> str | int:
    """A cell as a spreadsheet or a terminal may show it: control characters as visible symbols."""
    return visible_lines(value) if isinstance(value, str) else value


def _write(path: Path | str, header: tuple[str, ...], rows: list, force: bool) -> Path:
    with atomic_output(path, force=force) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows([_cell(value) for value in row] for row in rows)
    return Path(path)


def export_codings_csv(
    project: Project, path: Path | str, *, force: bool = False,
    progress: Progress | None = None, cancelled: CancelCheck | None = None,
) -> Path:
    """Write every coding as a CSV row (columns `CODING_COLUMNS`)."""
    steps = Steps(progress, cancelled)
    steps.check()
    return _write(path, CODING_COLUMNS, coding_rows(project, steps), force)


def export_codebook_csv(
    project: Project, path: Path | str, *, force: bool = False,
    progress: Progress | None = None, cancelled: CancelCheck | None = None,
) -> Path:
    """Write the codebook as `tag,description` CSV, which Taguette's codebook import reads."""
    steps = Steps(progress, cancelled, total=1)
    steps.check()
    rows = codebook_rows(project)
    if not rows:
        raise ExportError(f"{project.path.name}: has no themes yet, so there is no codebook to export")
    written = _write(path, CODEBOOK_COLUMNS, rows, force)
    steps.step()
    return written
