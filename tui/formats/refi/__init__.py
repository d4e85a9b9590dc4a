"""REFI-QDA (QDA-XML 1.0): margin's exchange with NVivo, ATLAS.ti, MAXQDA, QualCoder and Taguette.

- `export_qdpx(project, path)`: the whole project as a `.qdpx` (zip of `project.qde` and
  `sources/<guid>.txt`); `export_qdc(project, path)`: the theme tree as a `.qdc` codebook.
- `import_refi(project, path)`: a `.qdpx` or `.qdc` into an existing project, matched by GUID;
  `import_into_new(project_path, path)`: into a new project.

All take `progress(done, total)` and `cancelled()` callbacks, write files whole or not at all,
and change a project in one transaction or not at all.
"""

from __future__ import annotations

from pathlib import Path

from tui.formats.output import CancelCheck, Cancelled, ExportError, Progress
from tui.formats.refi.merge import ImportReport, merge
from tui.formats.refi.read import RefiError, RefiFile, read_refi
from tui.formats.refi.write import codebook_xml, export_qdc, export_qdpx, project_xml
from tui.formats.transcripts import DEFAULT_WIDTH
from tui.project import METHODS, Project

__all__ = [
    "Cancelled", "ExportError", "ImportReport", "RefiError", "RefiFile", "codebook_xml", "export_qdc",
    "export_qdpx", "import_into_new", "import_refi", "merge", "project_xml", "read_refi",
]


def import_refi(
    project: Project, path: Path | str, *, overwrite: bool = False, width: int = DEFAULT_WIDTH,
    progress: Progress | None = None, cancelled: CancelCheck | None = None,
) -> ImportReport:
    """Import a `.qdpx` or `.qdc` file into `project`, all or nothing."""
    path = Path(path)
    refi = read_refi(path)
    return merge(project, refi, file_name=path.name, overwrite=overwrite, width=width,
                 progress=progress, cancelled=cancelled)


def import_into_new(
    project_path: Path | str, path: Path | str, *, coder: str | None = None, method: str | None = None,
    width: int = DEFAULT_WIDTH, progress: Progress | None = None, cancelled: CancelCheck | None = None,
) -> tuple[Project, ImportReport]:
    """Create a project at `project_path` from a REFI-QDA file; no project is left on failure."""
    path = Path(path)
    refi = read_refi(path)
    chosen = method or refi.tags.get("method") or "ipa"
    if chosen not in METHODS:
        chosen = "ipa"
    project = Project.create(project_path, method=chosen, coder=coder, title=refi.name)
    try:
        report = merge(project, refi, file_name=path.name, width=width, progress=progress, cancelled=cancelled)
    except BaseException:
        project.close()
        Path(project_path).unlink(missing_ok=True)
        raise
    return project, report
