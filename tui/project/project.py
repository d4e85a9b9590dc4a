"""`Project`: one open project file, the session object that ties the domain's modules together.

Each aggregate of DESIGN.md §2 has its module (participants, transcripts and lines, themes,
codings, notes, memos), the history has its own, and `Project` combines them with what belongs to
the file as a whole: creating and opening it, the window lock, backups, settings and the coder.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from tui.project import checked, privacy, recovery, schema
from tui.project.check import CheckMixin
from tui.project.clustering import ClusteringMixin
from tui.project.codings import CodingsMixin
from tui.project.db import (
    ProjectError,
    backup_file,
    connect,
    describe_sqlite_error,
    new_guid,
    now,
    private_file,
    read_header,
    transaction,
)
from tui.project.history import HistoryMixin, _Recorder
from tui.project.memos import MemosMixin
from tui.project.model import LEVELS, METHODS, Coder
from tui.project.notes import NotesMixin
from tui.project.participants import ParticipantsMixin
from tui.project.sessions import SessionsMixin
from tui.project.themes import ThemesMixin
from tui.project.transcripts import TranscriptsMixin


class Project(
    ParticipantsMixin, TranscriptsMixin, ThemesMixin, CodingsMixin, NotesMixin, MemosMixin,
    ClusteringMixin, SessionsMixin, CheckMixin, HistoryMixin,
):
    """An open margin project file."""

    def __init__(self, path: Path, conn: sqlite3.Connection, coder: str | None = None) -> None:
        self.path = path
        self.conn = conn
        self._coder_name = coder
        self._coder_id: int | None = None
        self._recorder: _Recorder | None = None
        self._made_here: set[int] = set()  # events this session wrote (the rest came from elsewhere)
        self._lock_fd: int | None = None
        self._page_check: recovery.PageCheck | None = None
        #: The file's data_version when a check of every page found it sound (None: not checked).
        self._sound_at: int | None = None
        self._page_check_at: int | None = None  # the data_version when the background check began
        self.opening = recovery.Opening()

    # ------------------------------------------------------------------ opening and closing

    @classmethod
    def create(
        cls, path: Path | str, *, method: str = "ipa", coder: str | None = None, title: str | None = None,
    ) -> Project:
        """Create a new project file (mode 0600); refuse to overwrite anything."""
        path = Path(path)
        if method not in METHODS:
            raise ProjectError(f"unknown method '{method}': choose one of {', '.join(METHODS)}")
        if path.exists():
            raise ProjectError(f"{path}: already exists; choose another name (nothing was changed)")
        if not path.parent.is_dir():
            raise ProjectError(f"{path}: folder {path.parent} does not exist")
        try:
            private_file(path)
        except OSError as error:
            raise ProjectError(f"{path}: cannot create: {error.strerror}") from None
        conn = None
        try:
            conn = connect(path)
            schema.migrate(conn)
            project = cls(path, conn, coder)
            with transaction(conn):
                project._set_setting("method", method)
                project._set_setting("title", title or path.stem)
                project._set_setting("created_at", now())
        except BaseException:
            if conn is not None:
                try:
                    conn.close()
                except Exception:
                    pass
            path.unlink(missing_ok=True)
            raise
        return project

    @classmethod
    def open(
        cls, path: Path | str, *, coder: str | None = None, readonly: bool = False, any_version: bool = False,
        verify: bool | str = True,
    ) -> Project:
        """Open an existing project, migrating it (after a backup) if it is older.

        With `readonly`, nothing is ever written: an older file is refused instead of migrated,
        unless `any_version` says the caller only copies it (a backup). Before either, an
        interrupted change is rolled back, leftovers of killed margin processes are removed, and
        a damaged file is refused (`recovery`); `verify` adds SQLite's quick check of every page,
        or with `verify="background"` runs it in a thread from `start_page_check` (or the first
        write) while the caller goes on, and makes every write wait for its verdict (a damaged
        file is then refused at the first write).
        What was done is in `opening`.
        """
        path = Path(path)
        if not path.exists():
            raise ProjectError(f"{path}: no such file")
        if path.is_dir():
            raise ProjectError(f"{path}: is a folder, not a margin project")
        opening = recovery.Opening()
        if os.access(path.parent, os.W_OK):
            opening.removed = recovery.clean_leftovers(path.parent)
        try:
            opening.recovered = recovery.recover_journal(path)
            if not opening.recovered:
                recovery.remove_stale_journal(path)
            header = read_header(path)
        except OSError as error:
            raise ProjectError(f"{path}: cannot read: {error.strerror}") from None
        if not header.is_sqlite:
            if recovery.looks_like_margin(path):
                raise ProjectError(recovery.damaged_message(path, "its first bytes are not SQLite's"))
            what = "an empty file" if header.size == 0 else "not a SQLite file"
            raise ProjectError(f"{path}: not a margin project ({what}); nothing was changed")
        damage = recovery.header_damage(path)
        if header.application_id != schema.APPLICATION_ID:
            if damage is None and not cls._holds_margin_tables(path):
                raise ProjectError(f"{path}: not a margin project (a SQLite file of another program); nothing was changed")
            raise ProjectError(recovery.damaged_message(path, damage or "its application id is not margin's"))
        if damage is not None:
            raise ProjectError(recovery.damaged_message(path, damage))
        if header.user_version > schema.SCHEMA_VERSION:
            raise ProjectError(
                f"{path}: made by a newer margin (file version {header.user_version}; this margin "
                f"reads up to version {schema.SCHEMA_VERSION}); upgrade margin to open it"
            )
        if header.user_version < schema.SCHEMA_VERSION and readonly and not any_version:
            raise ProjectError(
                f"{path}: made by an older margin (file version {header.user_version}); "
                "open it once with `margin open` to upgrade it"
            )
        if not readonly and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            raise ProjectError(f"{path}: cannot write: the file or its folder is read-only")
        # Deleted rows' text leaves the history when a session ends: here, at the next write-capable
        # open with no margin window on the file (privacy.py). Asked before connecting: see lock().
        purge = not readonly and privacy.window_is_free(path)
        try:
            conn = connect(path, readonly=readonly)
        except sqlite3.Error as error:
            raise ProjectError(describe_sqlite_error(path, error)) from None
        try:
            damage = recovery.schema_damage(conn, header.user_version)
            migrating = header.user_version < schema.SCHEMA_VERSION and not readonly
            later = verify == "background" and not migrating
            sound_at: int | None = None  # the file's data_version when every page was found sound
            if damage is None and verify and not later:
                state = checked.file_state(path)
                if not checked.was_checked(state):  # as margin found or left it: no need (checked.py)
                    damage = recovery.quick_damage(conn)
                if damage is None and checked.file_state(path) == state:
                    sound_at = _data_version(conn)
            if damage is not None:
                conn.close()
                raise ProjectError(recovery.damaged_message(path, damage))
            if migrating:
                backup = path.with_name(f"{path.name}.v{header.user_version}-{now().replace(':', '')}.bak")
                backup_file(conn, backup)
                schema.migrate(conn)
            project = cls(path, conn, coder)
            project.opening = opening
            project._sound_at = sound_at
            if later:
                project._page_check = recovery.PageCheck(path)
                conn.before_write = project._wait_for_page_check
            if purge:
                privacy.purge_deleted(project)
            return project
        except sqlite3.Error as error:
            conn.close()
            if "malformed" in str(error) or "not a database" in str(error):
                raise ProjectError(recovery.damaged_message(path, str(error))) from None
            raise ProjectError(describe_sqlite_error(path, error)) from None
        except OSError as error:
            conn.close()
            raise ProjectError(f"{path}: cannot back up before upgrading: {error.strerror}") from None

    def start_page_check(self) -> None:
        """Begin the background page check of `open(verify="background")` (no-op otherwise)."""
        if self._page_check is not None and not self._page_check.started:
            self._page_check_at = _data_version(self.conn)
            self._page_check.start()

    def _wait_for_page_check(self) -> None:
        """Before a write: wait for the page check begun at open, and refuse to write if it failed."""
        if self._page_check is not None:
            self.start_page_check()
            damage = self._page_check.damage()
            if damage is not None:
                raise ProjectError(recovery.damaged_message(self.path, damage))

    def page_damage(self) -> str | None:
        """The damaged-file message if the background page check has found damage; None while it
        runs, when it found none, or when the file was checked at open."""
        check = self._page_check
        if check is None or not check.done:
            return None
        damage = check.damage()
        return recovery.damaged_message(self.path, damage) if damage is not None else None

    @staticmethod
    def _holds_margin_tables(path: Path) -> bool:
        """Whether a SQLite file of another application id has margin's tables (its id was damaged)."""
        try:
            conn = connect(path, readonly=True)
        except sqlite3.Error:
            return False
        try:
            return recovery.has_margin_tables(conn)
        finally:
            conn.close()

    def close(self) -> None:
        """Close the connection (every action was committed already), then release the lock."""
        self._remember_if_sound()
        self.conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # only after SQLite closed its own handle: see lock()
            self._lock_fd = None

    def _remember_if_sound(self) -> None:
        """If every page was found sound and no other connection has written since (SQLite's
        data_version, which this connection's own writes leave alone), remember the file as it
        is now, so the next command need not check it again (`checked`)."""
        found = self._sound_at
        check = self._page_check
        if check is not None and check.done and check.sound:
            found = self._page_check_at
        if found is None:
            return
        try:
            unchanged = _data_version(self.conn) == found
        except sqlite3.Error:
            return
        if unchanged:
            checked.remember(checked.file_state(self.path))

    def lock(self) -> None:
        """Claim the project for this window; ProjectError if another margin window has it open.

        The lock is a BSD `flock` on the file itself, independent of SQLite's POSIX locks, so no
        lock file is left beside the project. The descriptor stays open until `close`, because
        closing any descriptor of the file would drop SQLite's POSIX locks.
        """
        try:
            import fcntl
        except ImportError:  # not on POSIX: no lock
            return
        fd = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise ProjectError(f"{self.path}: already open in another margin window; close it there first") from None
        self._lock_fd = fd

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def backup(self, dest: Path | str) -> None:
        """Write a consistent copy of the project to `dest`, which must not exist."""
        dest = Path(dest)
        if dest.exists():
            raise ProjectError(f"{dest}: already exists; choose another name")
        if not dest.parent.is_dir():
            raise ProjectError(f"{dest}: folder {dest.parent} does not exist")
        try:
            backup_file(self.conn, dest)
        except OSError as error:
            raise ProjectError(f"{dest}: cannot write the backup: {error.strerror}") from None

    @property
    def db(self) -> object:
        """The file as a `sqlite_utils.Database`, for exploring it the sqlite-utils way (read-only use).

        Imported on first use: sqlite-utils takes longer to import than margin takes to open a
        project, and margin's own writes go through `action()` and `transaction()`, never through it.
        """
        import sqlite_utils

        return sqlite_utils.Database(self.conn, execute_plugins=False)

    @property
    def schema_version(self) -> int:
        """The file's schema version (`PRAGMA user_version`)."""
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    # ------------------------------------------------------------------ settings and coders

    def _set_setting(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def setting(self, key: str, default: str = "") -> str:
        """A project setting such as `method` or `title`."""
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    @property
    def method(self) -> str:
        """The analysis method: `ipa` or `ta`."""
        return self.setting("method", "ipa")

    @property
    def title(self) -> str:
        """The study's title."""
        return self.setting("title", self.path.stem)

    @property
    def levels(self) -> tuple[str, ...]:
        """The theme levels of this project's method, lowest first."""
        return LEVELS[self.method]

    @property
    def coder(self) -> str | None:
        """The name of the coder this session records on codings and notes."""
        return self._coder_name

    def set_coder(self, name: str) -> None:
        """Set who is coding in this session."""
        name = name.strip()
        if not name:
            raise ProjectError("a coder needs a name or initials")
        self._coder_name = name
        self._coder_id = None

    def _current_coder_id(self) -> int | None:
        """The coder's id, made inside the current transaction if the coder is new."""
        if self._coder_name is None:
            return None
        if self._coder_id is None:
            self._coder_id = self._coder_id_if_known()
            if self._coder_id is None:
                cursor = self.conn.execute("INSERT INTO coders (guid, name) VALUES (?, ?)", (new_guid(), self._coder_name))
                self._coder_id = cursor.lastrowid
        return self._coder_id

    def _coder_id_if_known(self) -> int | None:
        if self._coder_name is None:
            return None
        row = self.conn.execute("SELECT id FROM coders WHERE name = ?", (self._coder_name,)).fetchone()
        return row[0] if row else None

    def _forget_coder(self) -> None:
        self._coder_id = None

    def theme_totals(self) -> dict[int, tuple[int, int]]:
        """For each theme id: (extracts, participants) of the theme and every theme below it."""
        from tui.project import analysis

        return {i: (t.extracts, t.participants) for i, t in analysis.theme_totals(self).items()}

    def coders(self) -> list[Coder]:
        """Everyone who has coded in this project."""
        return [Coder(*r) for r in self.conn.execute("SELECT id, guid, name FROM coders ORDER BY name")]


def _data_version(conn: sqlite3.Connection) -> int:
    """SQLite's data_version of `conn`: it changes when another connection commits to the file."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])
