"""Which project files margin has found sound, so that a command need not check every page again.

The check of every page (`recovery.quick_damage`) reads the whole file: 0.8 s at 1,000,000 lines,
paid by every `margin import` or `margin tag` before it writes, so a command took as long as the
study was large. Once a check has passed, margin remembers the file as it found it; when margin
closes it, having been the only writer since, it remembers the file as it left it. A command that
finds the file exactly so skips the check of every page (the cheap checks of the header and
tables run at every open all the same).

"Exactly so" is the file's identity and state: device, inode, size, modification and status-change
times (nanoseconds), and SQLite's change counter. Any write to the file by any program changes its
times, a copy is another inode, and no program can set a status-change time back. What this does
not see is a disk that changes bytes by itself; the coding window checks every page in the
background at every opening, whatever is remembered, and `margin check` always checks.

The record holds no name or path: only those numbers, for the 200 files checked last, in
`$XDG_STATE_HOME/margin/checked.json` (mode 0600). When it cannot be read or written, every
command checks every page, as before.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tui.config import state_dir, write_private_json

#: How many files are remembered (the oldest are forgotten first).
KEPT = 200

#: A file's identity ("device:inode") and state (size, mtime ns, ctime ns, change counter).
State = tuple[str, list[int]]


def _record_path() -> Path:
    return state_dir() / "checked.json"


def file_state(path: Path) -> State | None:
    """The identity and state of the file at `path`; None when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(28)
            stat = os.fstat(handle.fileno())
    except OSError:
        return None
    if len(head) < 28:
        return None
    counter = int.from_bytes(head[24:28], "big")
    return f"{stat.st_dev}:{stat.st_ino}", [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, counter]


def _load() -> dict[str, list[int]]:
    try:
        data = json.loads(_record_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def was_checked(state: State | None) -> bool:
    """Whether the file in `state` is one margin found sound, or left so, as it is now."""
    return state is not None and _load().get(state[0]) == state[1]


def remember(state: State | None) -> None:
    """Note the file in `state` as sound as it is now (best effort: a failure only costs a check)."""
    if state is None:
        return
    record = _load()
    record.pop(state[0], None)
    record[state[0]] = state[1]  # the newest last: the oldest are the first forgotten
    try:
        write_private_json(_record_path(), dict(list(record.items())[-KEPT:]))
    except OSError:
        return
