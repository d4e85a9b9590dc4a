"""Every export and the REFI-QDA imports behind one call each, for the command line and the app.

`export_project(project, fmt, output)` writes one of `EXPORT_FORMATS`; `import_exchange_files`
imports `.qdpx`/`.qdc` files into a project (created when it does not exist yet). Both take the
`progress`/`cancelled` callbacks a worker passes in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from tui.formats.output import CancelCheck, Progress
from tui.formats.transcripts import DEFAULT_WIDTH
from tui.project import Project, ProjectError

EXPORT_FORMATS = ("qdpx", "qdc", "md", "html", "docx", "csv")
#: What `--what` may say, by format; the first is the default.
WHAT = {
    "csv": ("codings", "codebook"),
    "md": ("summary", "transcripts", "all"),
    "html": ("summary", "transcripts", "all"),
    "docx": ("summary", "transcripts", "all"),
    "qdpx": ("project",),
    "qdc": ("codebook",),
}
REFI_EXTENSIONS = (".qdpx", ".qdc")


def is_refi(path: Path | str) -> bool:
    """Whether a file is a REFI-QDA project or codebook, by its extension."""
    return Path(path).suffix.lower() in REFI_EXTENSIONS


def export_project(
    project: Project, fmt: str, output: Path | str, *, what: str | None = None, force: bool = False,
    progress: Progress | None = None, cancelled: CancelCheck | None = None,
) -> Path:
    """Write `project` as `fmt` to `output`; ValueError for a format or `what` that does not exist."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format '{fmt}': choose one of {', '.join(EXPORT_FORMATS)}")
    choices = WHAT[fmt]
    what = what or choices[0]
    if what not in choices:
        raise ValueError(f"--what {what} does not go with --format {fmt}: choose {' or '.join(choices)}")
    if fmt == "qdpx":
        from tui.formats.refi import export_qdpx

        return export_qdpx(project, output, force=force, progress=progress, cancelled=cancelled)
    if fmt == "qdc":
        from tui.formats.refi import export_qdc

        return export_qdc(project, output, force=force, progress=progress, cancelled=cancelled)
    if fmt == "csv":
        from tui.formats.csv_export import export_codebook_csv, export_codings_csv

        writer = export_codings_csv if what == "codings" else export_codebook_csv
        return writer(project, output, force=force, progress=progress, cancelled=cancelled)
    from tui.formats.reports import build_snapshot, write_snapshot

    snapshot = build_snapshot(project, transcripts=what in ("transcripts", "all"), progress=progress,
                              cancelled=cancelled)
    if what == "transcripts":
        from dataclasses import replace

        snapshot = replace(snapshot, gets=(), participants=(), journal=())
    return write_snapshot(snapshot, output, fmt, force=force, cancelled=cancelled)


def import_exchange_files(
    project_path: Path | str, files: Sequence[Path | str], *, coder: str | None = None, overwrite: bool = False,
    width: int = DEFAULT_WIDTH, say: Callable[[str], None] = print, complain: Callable[[str], None] = print,
    progress: Progress | None = None, cancelled: CancelCheck | None = None,
) -> int:
    """Import REFI-QDA files one by one, each all or nothing; return how many failed.

    When `project_path` does not exist, the first file that imports creates it.
    """
    from tui.formats.refi import import_into_new, import_refi

    path = Path(project_path)
    failures = 0
    project: Project | None = None
    try:
        for name in files:
            try:
                if project is None and not path.exists():
                    project, report = import_into_new(path, Path(name), coder=coder, width=width,
                                                      progress=progress, cancelled=cancelled)
                else:
                    if project is None:
                        project = Project.open(path, coder=coder)
                    report = import_refi(project, Path(name), overwrite=overwrite, width=width,
                                         progress=progress, cancelled=cancelled)
            except ProjectError as error:
                failures += 1
                complain(str(error))
                if project is None and not path.exists() and failures == len(files):
                    break
                continue
            for line in report.lines():
                say(line)
    finally:
        if project is not None:
            project.close()
    return failures
