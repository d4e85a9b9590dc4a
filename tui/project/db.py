"""The connection to a project file: pragmas, the header read without SQLite, the window lock,
backups, and `transaction()`, which every write goes through.

Every write transaction starts with `BEGIN IMMEDIATE`: it takes the write lock before it reads, so
another writer makes it wait (up to the busy timeout) instead of failing at once with
SQLITE_BUSY, as a deferred transaction that reads first would.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

BUSY_TIMEOUT_MS = 5000
_SQLITE_MAGIC = b"SQLite format 3\x00"


class ProjectError(Exception):
    """A project that cannot be opened or an action that cannot be done; the message says why."""


#: What SQLite raises; the domain turns it into ProjectError, and callers outside it catch this
#: name (never `sqlite3`) as a last resort.
StorageError = sqlite3.Error


class ProjectBusy(ProjectError):
    """Another program held the project's lock for longer than margin waits: nothing was done."""


class ProjectMoved(ProjectError):
    """The file was deleted or replaced while open: SQLite refuses to write to it, nothing was done."""


_MOVED = 1032  # SQLITE_READONLY_DBMOVED


def _busy(error: sqlite3.OperationalError) -> bool:
    text = str(error)
    return "database is locked" in text or "database is busy" in text or getattr(error, "sqlite_errorcode", 0) in (5, 6)


class _Connection(sqlite3.Connection):
    """A connection whose every statement turns "database is locked" into `ProjectBusy`.

    A read or the once-a-second change check, as much as a write, can meet another program
    (a long import in another terminal, sqlite3, Datasette, R) holding the lock for longer
    than the busy timeout: callers then get one kind of error that says so, never a crash. A
    write to a file deleted or replaced while open (which SQLite refuses) is `ProjectMoved`.
    """

    path: Path | None = None
    #: Called before every write transaction begins (the project's wait for its page check).
    before_write: Callable[[], None] | None = None

    def _busy_error(self, error: sqlite3.OperationalError) -> Exception:
        if getattr(error, "sqlite_errorcode", 0) == _MOVED:
            return ProjectMoved(
                f"{self.path}: the file was deleted or replaced while margin had it open; nothing was changed; "
                "save this session's work to a new file"
            )
        if not _busy(error):
            return error
        return ProjectBusy(
            f"{self.path}: the project is busy in another program (waited {BUSY_TIMEOUT_MS / 1000:g} s); "
            "nothing was changed: try again when it is done"
        )

    def execute(self, *args: object, **kwargs: object) -> sqlite3.Cursor:  # type: ignore[override]
        try:
            return super().execute(*args, **kwargs)  # type: ignore[arg-type]
        except sqlite3.OperationalError as error:
            raise self._busy_error(error) from None

    def executemany(self, *args: object, **kwargs: object) -> sqlite3.Cursor:  # type: ignore[override]
        try:
            return super().executemany(*args, **kwargs)  # type: ignore[arg-type]
        except sqlite3.OperationalError as error:
            raise self._busy_error(error) from None


def now() -> str:
    """The current time as an ISO 8601 UTC timestamp, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def new_guid() -> str:
    """A new lowercase 8-4-4-4-12 GUID."""
    return str(uuid.uuid4())


@dataclass(frozen=True)
class FileHeader:
    """What the first 100 bytes of a file say, read without SQLite."""

    is_sqlite: bool
    application_id: int
    user_version: int
    size: int


def read_header(path: Path) -> FileHeader:
    """Read a file's SQLite header without opening it as a database (so nothing is written)."""
    with open(path, "rb") as handle:
        head = handle.read(100)
        size = os.fstat(handle.fileno()).st_size
    if len(head) < 100 or not head.startswith(_SQLITE_MAGIC):
        return FileHeader(False, 0, 0, size)
    return FileHeader(
        True,
        int.from_bytes(head[68:72], "big"),
        int.from_bytes(head[60:64], "big"),
        size,
    )


def private_file(path: Path) -> None:
    """Create an empty file readable by its owner only; fail if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open a connection with the pragmas every margin connection has."""
    target = f"file:{quote(str(path.resolve()))}?mode=ro" if readonly else str(path)
    conn = sqlite3.connect(
        target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False,
        uri=readonly, factory=_Connection,
    )
    conn.path = path
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA trusted_schema=OFF")
    # Deleted and replaced text is overwritten with zeros, not left in free space (privacy).
    conn.execute("PRAGMA secure_delete=ON")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction (`BEGIN IMMEDIATE`); inside another, a savepoint of it."""
    if conn.in_transaction:
        name = f"margin_{uuid.uuid4().hex[:8]}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")
        return
    before = getattr(conn, "before_write", None)
    if before is not None:
        before()
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def describe_sqlite_error(path: Path, error: sqlite3.Error) -> str:
    """Turn an SQLite error on `path` into one line a researcher can act on."""
    text = str(error)
    if "readonly" in text or "read-only" in text:
        return f"{path}: cannot write: the file or its folder is read-only"
    if "disk is full" in text or "database or disk is full" in text:
        return f"{path}: cannot write: the disk is full (nothing was changed)"
    if "locked" in text or "busy" in text:
        return f"{path}: the project is busy in another program; try again in a moment"
    if "disk I/O error" in text:
        return (f"{path}: cannot write: the system refused the write (the disk may be full or failing, or the "
                "file larger than a limit allows); nothing was changed; margin works again once that is fixed")
    if "UNIQUE constraint failed: themes" in text or "themes_unique_name" in text:
        return "a theme of that name already exists there (names are unique under one parent); nothing was changed"
    if "UNIQUE constraint failed: codings" in text:
        return "those lines are already tagged with that theme; nothing was changed"
    if "malformed" in text or "not a database" in text:
        from tui.project.recovery import damaged_message

        return damaged_message(path, "SQLite: " + text)
    return f"{path}: {text}"


def backup_file(source: sqlite3.Connection, dest: Path) -> None:
    """Copy a live database to `dest` (a new file, mode 0600) with SQLite's backup API."""
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    private_file(tmp)
    try:
        target = sqlite3.connect(str(tmp))
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
