"""Writing an export file whole or not at all.

Every export writes to a private temporary file beside its destination and renames it into place
only when it is complete, so a crash, a full disk or a cancel never leaves half a file under the
name the user asked for. Long exports report progress and can be cancelled through two optional
callbacks, which a screen's worker passes in.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tui.project import ProjectError

#: `progress(done, total)`: called as an export or import goes; total may grow while it runs.
Progress = Callable[[int, int], None]
#: `cancelled()`: True when the user asked to stop.
CancelCheck = Callable[[], bool]


class ExportError(ProjectError):
    """An export that cannot be written; the message is one line naming the file and the problem."""


class Cancelled(ProjectError):
    """The user cancelled; nothing was written or changed."""

    def __init__(self, what: str = "cancelled: nothing was written") -> None:
        super().__init__(what)


class Steps:
    """Progress and cancel checks for one long job, both optional."""

    def __init__(self, progress: Progress | None = None, cancelled: CancelCheck | None = None, total: int = 0) -> None:
        self._progress = progress
        self._cancelled = cancelled
        self.total = total
        self.done = 0

    def check(self) -> None:
        """Raise `Cancelled` if the user asked to stop."""
        if self._cancelled is not None and self._cancelled():
            raise Cancelled()

    def step(self, count: int = 1) -> None:
        """Count `count` units of work done, report them, and honour a cancel."""
        self.done += count
        if self._progress is not None:
            self._progress(min(self.done, max(self.total, self.done)), max(self.total, self.done))
        self.check()


@contextmanager
def atomic_output(path: Path | str, *, force: bool = False) -> Iterator[Path]:
    """Yield a private temporary path beside `path`; on success it replaces `path`.

    Refuses an existing `path` unless `force`. On any error or cancel the temporary file is
    removed and `path` is left as it was.
    """
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"{path}: is a folder; give a file name to write")
    if path.exists() and not force:
        raise ExportError(f"{path}: already exists; choose another name or use --force to replace it")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{path}: folder {folder} does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)  # mode 0600
    except OSError as error:
        raise ExportError(f"{path}: cannot write: {error.strerror or error}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"{path}: cannot write: {error.strerror or error}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
