"""Reports of the analysis in Markdown, HTML and Word, all printed from one `Snapshot`.

`export_report(project, path, fmt)` reads the project once (`build_snapshot`) and writes the
chosen format whole or not at all. What a report holds: the GET table; each GET with its PETs,
contributing participants, recurrence, divergent cases and key quotes cited as (P07, 12-14);
each participant's PET table; the journal by stage; and, when asked (`transcripts`), each
transcript as the IPA three-column table (exploratory notes | numbered lines | statements).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tui.formats.output import CancelCheck, Progress, Steps, atomic_output
from tui.formats.reports.snapshot import Snapshot, build_snapshot
from tui.project import Project
from tui.text import visible_lines

FORMATS = ("md", "html", "docx")

__all__ = ["FORMATS", "Snapshot", "build_snapshot", "export_report", "render_text", "write_snapshot"]


def render_text(snapshot: Snapshot, fmt: str) -> str:
    """A Markdown or HTML report of `snapshot` as text.

    Control characters from the data become visible symbols (line breaks stay), so a report shown
    with `cat` or `less` can never drive the terminal, and a browser shows no reordered text.
    """
    if fmt == "md":
        from tui.formats.reports import markdown

        return visible_lines(markdown.render(snapshot))
    if fmt == "html":
        from tui.formats.reports import html

        return visible_lines(html.render(snapshot))
    raise ValueError(f"no text report format {fmt!r}")


def write_snapshot(snapshot: Snapshot, path: Path | str, fmt: str, *, force: bool = False,
                   cancelled: CancelCheck | None = None) -> Path:
    """Write a report of `snapshot` to `path` in `fmt` (md, html, docx), whole or not at all.

    A cancel while the report is being rendered removes the temporary file: nothing is renamed.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}")
    steps = Steps(None, cancelled)
    steps.check()
    with atomic_output(path, force=force) as tmp:
        if fmt == "docx":
            from tui.formats.reports import word

            word.render(snapshot, tmp, steps.check)
        else:
            tmp.write_text(render_text(snapshot, fmt), encoding="utf-8", newline="\n")
        steps.check()
    return Path(path)


def export_report(
    project: Project, path: Path | str, fmt: str, *, transcripts: bool | Sequence[int] = False,
    force: bool = False, progress: Progress | None = None, cancelled: CancelCheck | None = None,
) -> Path:
    """Read the project once and write its report to `path`."""
    snapshot = build_snapshot(project, transcripts=transcripts, progress=progress, cancelled=cancelled)
    return write_snapshot(snapshot, path, fmt, force=force, cancelled=cancelled)
