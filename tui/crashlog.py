"""The private log an unexpected error is written to, instead of the terminal.

Textual's own crash screen prints the traceback with local variables, and those hold transcript
lines: margin writes the traceback without them to a file only its user can read, and the
screen names the file and nothing else.
"""

from __future__ import annotations

import os
import time
import traceback
from pathlib import Path

from tui import __version__
from tui.config import state_dir


def write_crash_log(error: BaseException) -> Path | None:
    """Write `error`'s traceback (no local variables) to a new 0600 file; None if that failed."""
    try:
        folder = state_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(f"margin {__version__} stopped on an unexpected error at {time.strftime('%Y-%m-%d %H:%M:%S %z')}\n\n")
            handle.write("".join(traceback.format_exception(type(error), error, error.__traceback__)))
        return path
    except OSError:
        return None


def crash_message(error: BaseException, path: Path | None) -> str:
    """What the terminal shows after a crash: the kind of error and where the log is, no data."""
    where = f"The details are in {path} (readable by you only)." if path else "The error log could not be written."
    return (
        f"margin stopped on an unexpected error ({type(error).__name__}). Every change it showed as done "
        f"is saved in the project file. {where}"
    )
