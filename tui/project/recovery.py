"""Opening a project safely: an interrupted change rolled back, damage refused, leftovers removed.

Three things can be beside or in a project file after a crash or a fault, and each is handled
before anything is read or written:

- a hot journal (`study.margin-journal`): a change that was cut off (a kill, a power cut). SQLite
  rolls it back on the first open that may write, so even a read-only command opens the file
  read-write once to do that; nothing acknowledged is lost, because a change is acknowledged only
  after its commit, and a committed change leaves no journal.
- damage: a header that no SQLite would write, a size that does not fit the page size, margin's
  application id without margin's tables, pages that do not fit together. Such a file is
  refused by every command with one message that names the newest backup beside it; it is
  never written. The check of every page takes a while on a large study (1.5 s at 400,000
  lines): the coding window runs it in the background (`PageCheck`) and every write waits for
  its verdict, so the window opens at once and still never writes into a damaged file. A command
  skips it for a file exactly as margin last found it sound or left it (`checked`).
- leftovers of margin's own naming from a process that was killed: `.NAME.PID.part` (a backup
  being written), `.NAME.PID.building` (a demo being built), and their journals. They are
  removed when the process named by PID is no longer running.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tui.project import checked, schema
from tui.project.db import ProjectError, connect

_SQLITE_MAGIC = b"SQLite format 3\x00"
_JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")
# SQLite's POSIX locks live on bytes from 2**30 on: the pending byte, then the reserved byte.
_RESERVED_BYTE = 0x40000001
_LEFTOVER = re.compile(r"^\..+\.(\d+)\.(part|building)(-journal)?$")

RECOVERED = "recovered an interrupted change (nothing acknowledged was lost)"

#: The tables each schema version has (a file of that version lacking them is damaged).
_BASE = {"settings", "coders", "participants", "transcripts", "lines", "themes", "codings", "notes", "memos", "events"}
_V4 = {"event_changes", "divergences", "sessions", "drafts"}


@dataclass
class Opening:
    """What opening found and did: an interrupted change rolled back, leftovers removed."""

    recovered: bool = False
    removed: list[Path] = field(default_factory=list)


# ---------------------------------------------------------------------- leftovers


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    except OSError:
        return False
    return True


def leftovers(folder: Path) -> list[Path]:
    """Files of margin's own temporary naming in `folder` whose process is gone."""
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if match and entry.is_file(follow_symlinks=False) and not _alive(int(match.group(1))):
            found.append(Path(entry.path))
    return sorted(found)


def clean_leftovers(folder: Path) -> list[Path]:
    """Remove the leftovers of killed margin processes in `folder`; return what was removed."""
    removed = []
    for path in leftovers(folder):
        try:
            path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


# ---------------------------------------------------------------------- the journal


def journal_is_hot(path: Path) -> bool:
    """Whether `path-journal` holds a change that was cut off (no process is writing it now)."""
    journal = path.with_name(path.name + "-journal")
    try:
        with open(journal, "rb") as handle:
            head = handle.read(8)
    except OSError:
        return False
    if head != _JOURNAL_MAGIC:  # empty or zeroed: SQLite ignores it
        return False
    try:
        import fcntl
    except ImportError:
        return True
    # A live writer holds a write lock on the reserved byte; a killed one holds nothing. (Our own
    # process has no connection to the file yet, so this descriptor drops no lock of ours.)
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB, 1, _RESERVED_BYTE)
    except OSError:
        return False
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, _RESERVED_BYTE)
        return True
    finally:
        os.close(fd)


def recover_journal(path: Path) -> bool:
    """Roll back an interrupted change (a hot journal); True if there was one.

    SQLite rolls a hot journal back on the first read of a connection that may write; so this
    opens the file read-write once, reads, and closes, whatever the caller opens it for next.
    """
    if not journal_is_hot(path):
        return False
    if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        raise ProjectError(
            f"{path}: a change was cut off (margin or the computer stopped mid-write) and has to be rolled "
            "back before the file can be read, but the file or its folder is read-only; make both writable "
            f"and run margin check {path.name} again (keep {path.name}-journal beside it: the file without "
            "it is damaged)"
        )
    try:
        conn = sqlite3.connect(str(path), timeout=5, isolation_level=None)
        try:
            conn.execute("PRAGMA trusted_schema=OFF")
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise ProjectError(damaged_message(path, f"the interrupted change cannot be rolled back: {error}")) from None
    return True


def remove_stale_journal(path: Path) -> bool:
    """Remove a journal a killed writer left before it wrote its header (SQLite ignores such a
    file, but it stays beside the project); True if one was removed.

    It is removed while this process holds the write lock, so no writer can be starting one.
    """
    journal = path.with_name(path.name + "-journal")
    if not journal.exists() or not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return False
    try:
        conn = sqlite3.connect(str(path), timeout=0.5, isolation_level=None)
    except sqlite3.Error:
        return False
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            with open(journal, "rb") as handle:
                head = handle.read(8)
            if head == _JOURNAL_MAGIC:
                return False
            journal.unlink()
            return True
        finally:
            conn.execute("ROLLBACK")
    except (sqlite3.Error, OSError):
        return False
    finally:
        conn.close()


# ---------------------------------------------------------------------- damage


def header_damage(path: Path) -> str | None:
    """What is wrong with a SQLite file's header and size, read without SQLite; None when sound."""
    with open(path, "rb") as handle:
        head = handle.read(100)
        size = os.fstat(handle.fileno()).st_size
    if len(head) < 100:
        return "it is shorter than a SQLite header"
    if not head.startswith(_SQLITE_MAGIC):
        return "its first bytes are not SQLite's"
    raw = int.from_bytes(head[16:18], "big")
    page = 65536 if raw == 1 else raw
    if page < 512 or page > 65536 or page & (page - 1):
        return f"the header gives an impossible page size ({raw})"
    if head[18] not in (1, 2) or head[19] not in (1, 2):
        return "the header's file format bytes are wrong"
    if head[20] != 0:
        return "the header reserves space on every page, which margin never does"
    if head[21:24] != b"\x40\x20\x20":
        return "the header's payload fractions are wrong"
    if any(head[72:92]):
        return "the header's reserved bytes are not zero"
    if int.from_bytes(head[44:48], "big") not in (0, 1, 2, 3, 4):  # 0: no tables yet
        return "the header gives an unknown schema format"
    if int.from_bytes(head[56:60], "big") not in (0, 1, 2, 3):  # 0: no tables yet
        return "the header gives an unknown text encoding"
    if size % page:
        return f"its size ({size} bytes) is not a whole number of {page}-byte pages (it was cut short)"
    pages = size // page
    counted = int.from_bytes(head[28:32], "big")
    if head[24:28] != head[92:96]:
        return "the header's change counters disagree"
    if counted != pages:
        return f"the header counts {counted} pages but the file holds {pages} (it was cut short or extended)"
    if int.from_bytes(head[32:36], "big") > pages or int.from_bytes(head[36:40], "big") >= max(pages, 1):
        return "the header's free-page list points outside the file"
    return None


def looks_like_margin(path: Path) -> bool:
    """Whether a file that fails as SQLite still carries margin's application id."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(100)
    except OSError:
        return False
    return len(head) >= 72 and int.from_bytes(head[68:72], "big") == schema.APPLICATION_ID


def has_margin_tables(conn: sqlite3.Connection) -> bool:
    """Whether a SQLite file of another application id holds margin's tables (a damaged id)."""
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error:
        return False
    return _BASE <= names


def schema_damage(conn: sqlite3.Connection, version: int) -> str | None:
    """What is missing from the tables a file of `version` must have; None when they are there."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version == 0 and not names:  # marked, never built (an older margin stopped there): migrated
        return None
    if version < 1 or not _BASE <= names:
        return "it has margin's mark but not margin's tables"
    if (version >= 2 and "lines_fts" not in names) or (version >= 4 and not _V4 <= names):
        return f"its tables do not match its version ({version})"
    return None


def quick_damage(conn: sqlite3.Connection) -> str | None:
    """SQLite's quick check of every page (structure, not the search index); None when sound."""
    results = [r[0] for r in conn.execute("PRAGMA quick_check(3)")]
    if results == ["ok"]:
        return None
    return f"its pages do not fit together (SQLite: {results[0][:120]})"


class PageCheck:
    """`quick_damage` of a file, run in a thread of its own on its own read-only connection, from
    `start` (the window calls it once its first frame is drawn) or the first `damage`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._damage: str | None = None
        self._error: sqlite3.Error | None = None
        self._thread = threading.Thread(target=self._run, name="margin-page-check", daemon=True)
        self._state: checked.State | None = None
        #: Whether the check found every page sound in a file no program changed while it ran.
        self.sound = False

    @property
    def started(self) -> bool:
        """Whether `start` was called."""
        return self._thread.ident is not None

    def start(self) -> None:
        """Begin the check in the background (once)."""
        if self._thread.ident is None:
            self._state = checked.file_state(self.path)
            self._thread.start()

    def _run(self) -> None:
        try:
            conn = connect(self.path, readonly=True)
            try:
                self._damage = quick_damage(conn)
            finally:
                conn.close()
            self.sound = self._damage is None and self._state is not None and checked.file_state(self.path) == self._state
        except sqlite3.Error as error:
            self._error = error

    @property
    def done(self) -> bool:
        """Whether the verdict is in."""
        return self._thread.ident is not None and not self._thread.is_alive()

    def damage(self) -> str | None:
        """Wait for the check; what is wrong with the pages, or None when they are sound."""
        self.start()
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            if "malformed" in str(error) or "not a database" in str(error):
                self._damage = str(error)  # as Project.open words it
            else:  # busy in another program, say: check here and now instead (raises ProjectBusy)
                conn = connect(self.path, readonly=True)
                try:
                    self._damage = quick_damage(conn)
                finally:
                    conn.close()
        return self._damage


def newest_backup(path: Path) -> Path | None:
    """The newest backup beside `path`: margin's `.bak` files and `*.margin` files named after it."""
    stem = path.stem.casefold()
    candidates = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return None
    for entry in entries:
        name = entry.name
        folded = name.casefold()
        if name == path.name or name.startswith(".") or not entry.is_file():
            continue
        if folded.startswith(stem) and (folded.endswith(".bak") or folded.endswith(".margin")):
            try:
                candidates.append((entry.stat().st_mtime, Path(entry.path)))
            except OSError:
                continue
    return max(candidates)[1] if candidates else None


def damaged_message(path: Path, what: str) -> str:
    """The one line every command prints for a damaged file: what, and which backup to restore."""
    backup = newest_backup(path)
    if backup is None:
        advice = "no backup was found beside it: restore one from wherever your backups are kept"
    else:
        when = datetime.fromtimestamp(backup.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        advice = f"restore the newest backup beside it, {backup.name} (from {when})"
    return f"{path}: the file is damaged ({what}); nothing was changed; {advice}"


# ---------------------------------------------------------------------- the demo mark

DEMO_SETTING = "demo"


def is_demo(conn: sqlite3.Connection) -> bool:
    """Whether a project was built by `margin demo` (it carries the demo setting)."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (DEMO_SETTING,)).fetchone()
    return bool(row and row[0])


def mark_demo(conn: sqlite3.Connection) -> None:
    """Mark a project as a margin demo, which `margin demo --fresh` may rebuild."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = '1'",
            (DEMO_SETTING,),
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# ---------------------------------------------------------------------- the file going away

def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


class FileWatch:
    """Notices the project file being deleted or replaced while margin has it open, and saves the
    session's work to a new file from the connection that is still open.

    A deleted file lives on while a connection holds it: SQLite still reads it (and refuses every
    write to it, since a journal beside the path would belong to another file), so everything
    done up to that moment can be copied out with the backup API. Closing the connection loses
    it for good, so the copy is made as soon as the change is noticed, before anything else.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._identity = _identity(path)
        self.change: str | None = None
        """"deleted" or "replaced" once noticed; None while the file is the one margin opened."""
        self.saved: Path | None = None
        """Where the session's work was last saved, once it has been."""
        self._automatic: Path | None = None

    def check(self) -> str | None:
        """"deleted" or "replaced" the first time that is seen; None otherwise (and after)."""
        if self.change is not None or self._identity is None:
            return None
        now_identity = _identity(self.path)
        if now_identity == self._identity:
            return None
        self.change = "deleted" if now_identity is None else "replaced"
        return self.change

    def suggested(self) -> Path:
        """A new file for the session's work: beside the project if that folder takes it, else home."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        folder = self.path.parent if os.access(self.path.parent, os.W_OK) else Path.home()
        candidate = folder / f"{self.path.stem}-rescued-{stamp}.margin"
        number = 2
        while candidate.exists():
            candidate = folder / f"{self.path.stem}-rescued-{stamp}-{number}.margin"
            number += 1
        return candidate

    def refusal(self, answer: str) -> str | None:
        """Why `answer` cannot be the new file (for a prompt), or None when it can."""
        dest = Path(answer).expanduser()
        if dest.exists() and dest != self.saved:
            return f"{dest.name} already exists: choose a new name"
        if not dest.parent.is_dir():
            return f"folder {dest.parent} does not exist"
        if dest.resolve() == self.path.resolve():
            return "choose a name other than the file that went"
        return None

    def save(self, conn: sqlite3.Connection, dest: Path | None = None) -> Path:
        """Copy everything the open connection holds to `dest` (default: a new name); return it.

        The first save without `dest` is the automatic one; a later save to a name of the
        researcher's choosing replaces that automatic copy (removed once the new one is written).
        """
        from tui.project.db import backup_file

        automatic = dest is None
        dest = (self.saved or self.suggested()) if dest is None else Path(dest).expanduser()
        refusal = self.refusal(str(dest))
        if refusal is not None:
            raise ProjectError(f"{dest}: {refusal}")
        try:
            backup_file(conn, dest)
        except OSError as error:
            raise ProjectError(f"{dest}: cannot save there: {error.strerror or error}") from None
        if automatic:
            self._automatic = dest
        elif self._automatic is not None and self._automatic != dest:
            self._automatic.unlink(missing_ok=True)
            self._automatic = None
        self.saved = dest
        return dest

    def message(self) -> str:
        """What happened and where the work is, in one line."""
        where = f"this session's work is saved in {self.saved}; go on with margin open {self.saved}" if self.saved else (
            "this session's work could not be saved elsewhere: keep margin open and free some space or a folder")
        return f"{self.path.name} was {self.change} while margin had it open (nothing more is written to it); {where}"
