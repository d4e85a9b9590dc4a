"""The project file: the only module that runs SQL.

`Project.open` and `Project.create` give a `Project`; every method that changes it is one
transaction that also records one event (the audit trail that undo and redo walk), committed
before the method returns. No transaction is ever left open between calls.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import sqlite3
import stat
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlite_utils

from tui.project import schema
from tui.project.model import (
    LEVELS,
    METHODS,
    NOTE_KINDS,
    Coder,
    Coding,
    Line,
    Memo,
    Note,
    Participant,
    Theme,
    Transcript,
    span_text,
)

BUSY_TIMEOUT_MS = 5000
RECENT_KEPT = 40
_SQLITE_MAGIC = b"SQLite format 3\x00"


class ProjectError(Exception):
    """A project that cannot be opened or an action that cannot be done; the message says why."""


def now() -> str:
    """The current time as an ISO 8601 UTC timestamp, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def new_guid() -> str:
    """A new lowercase 8-4-4-4-12 GUID."""
    return str(uuid.uuid4())


def parse_line_range(text: str) -> tuple[int, int]:
    """Parse `12` or `12-15` into (first, last); raise ValueError with a readable message."""
    parts = text.strip().split("-")
    try:
        if len(parts) == 1:
            first = last = int(parts[0])
        elif len(parts) == 2:
            first, last = int(parts[0]), int(parts[1])
        else:
            raise ValueError
    except ValueError:
        raise ValueError(f"'{text}' is not a line or range of lines such as 12 or 12-15") from None
    if first < 1 or last < first:
        raise ValueError(f"'{text}' is not a valid range: lines start at 1 and the range must not run backwards")
    return first, last


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


def _private_file(path: Path) -> None:
    """Create an empty file readable by its owner only; fail if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def _connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open a connection with the pragmas every margin connection has."""
    target = f"file:{quote(str(path.resolve()))}?mode=ro" if readonly else str(path)
    conn = sqlite3.connect(
        target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False,
        uri=readonly,
    )
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA trusted_schema=OFF")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn


def describe_sqlite_error(path: Path, error: sqlite3.Error) -> str:
    """Turn an SQLite error on `path` into one line a researcher can act on."""
    text = str(error)
    if "readonly" in text or "read-only" in text:
        return f"{path}: cannot write: the file or its folder is read-only"
    if "disk is full" in text or "database or disk is full" in text:
        return f"{path}: cannot write: the disk is full (nothing was changed)"
    if "locked" in text or "busy" in text:
        return f"{path}: the project is busy in another program; try again in a moment"
    if "malformed" in text or "not a database" in text:
        return f"{path}: the file is damaged ({text}); restore a backup"
    return f"{path}: {text}"


def backup_file(source: sqlite3.Connection, dest: Path) -> None:
    """Copy a live database to `dest` (a new file, mode 0600) with SQLite's backup API."""
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    _private_file(tmp)
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


@dataclass
class Event:
    """One recorded change, as the history shows it."""

    id: int
    at: str
    action: str
    summary: str
    state: str


@dataclass
class _Recorder:
    """Collects the row changes of one action so they can be undone and redone."""

    changes: list[dict[str, Any]] = field(default_factory=list)


class Project:
    """An open margin project file."""

    def __init__(self, path: Path, conn: sqlite3.Connection, coder: str | None = None) -> None:
        self.path = path
        self.conn = conn
        self.db = sqlite_utils.Database(conn, execute_plugins=False)
        self._coder_name = coder
        self._coder_id: int | None = None
        self._recorder: _Recorder | None = None
        self._lock_fd: int | None = None

    # ------------------------------------------------------------------ opening and closing

    @classmethod
    def create(
        cls,
        path: Path | str,
        *,
        method: str = "ipa",
        coder: str | None = None,
        title: str | None = None,
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
            _private_file(path)
        except OSError as error:
            raise ProjectError(f"{path}: cannot create: {error.strerror}") from None
        try:
            conn = _connect(path)
            schema.migrate(conn)
            project = cls(path, conn, coder)
            with project.db.atomic():
                project._set_setting("method", method)
                project._set_setting("title", title or path.stem)
                project._set_setting("created_at", now())
        except BaseException:
            try:
                conn.close()
            except Exception:
                pass
            path.unlink(missing_ok=True)
            raise
        return project

    @classmethod
    def open(
        cls, path: Path | str, *, coder: str | None = None, readonly: bool = False, any_version: bool = False
    ) -> Project:
        """Open an existing project, migrating it (after a backup) if it is older.

        With `readonly`, nothing is ever written: an older file is refused instead of migrated,
        unless `any_version` says the caller only copies it (a backup).
        """
        path = Path(path)
        if not path.exists():
            raise ProjectError(f"{path}: no such file")
        if path.is_dir():
            raise ProjectError(f"{path}: is a folder, not a margin project")
        try:
            header = read_header(path)
        except OSError as error:
            raise ProjectError(f"{path}: cannot read: {error.strerror}") from None
        if not header.is_sqlite:
            what = "an empty file" if header.size == 0 else "not a SQLite file"
            raise ProjectError(f"{path}: not a margin project ({what}); nothing was changed")
        if header.application_id != schema.APPLICATION_ID:
            raise ProjectError(
                f"{path}: not a margin project (a SQLite file of another program); nothing was changed"
            )
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
        try:
            conn = _connect(path, readonly=readonly)
        except sqlite3.Error as error:
            raise ProjectError(describe_sqlite_error(path, error)) from None
        try:
            if header.user_version < schema.SCHEMA_VERSION and not readonly:
                backup = path.with_name(f"{path.name}.v{header.user_version}-{now().replace(':', '')}.bak")
                backup_file(conn, backup)
                schema.migrate(conn)
            return cls(path, conn, coder)
        except sqlite3.Error as error:
            conn.close()
            raise ProjectError(describe_sqlite_error(path, error)) from None
        except OSError as error:
            conn.close()
            raise ProjectError(f"{path}: cannot back up before upgrading: {error.strerror}") from None

    def close(self) -> None:
        """Close the connection (every action was committed already), then release the lock."""
        self.conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # only after SQLite closed its own handle: see lock()
            self._lock_fd = None

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
            raise ProjectError(
                f"{self.path}: already open in another margin window; close it there first"
            ) from None
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

    # ------------------------------------------------------------------ transactions and events

    @contextmanager
    def action(self, name: str, summary: str, *, undoable: bool = True) -> Iterator[None]:
        """One user action: one transaction, its row changes recorded as one event."""
        if self._recorder is not None:
            yield  # nested: part of the enclosing action
            return
        self._recorder = _Recorder()
        try:
            with self.db.atomic():
                yield
                coder_id = self._current_coder_id()
                if undoable:
                    # A new action ends the redo branch.
                    self.conn.execute("UPDATE events SET state = 'discarded' WHERE state = 'undone'")
                payload = {"summary": summary, "changes": self._recorder.changes if undoable else []}
                self.conn.execute(
                    "INSERT INTO events (at, coder_id, action, payload, state) VALUES (?, ?, ?, ?, ?)",
                    (now(), coder_id, name, json.dumps(payload, ensure_ascii=False),
                     "done" if undoable else "final"),
                )
        except sqlite3.Error as error:
            self._coder_id = None  # a rolled-back coder row must be made again
            raise ProjectError(describe_sqlite_error(self.path, error)) from None
        finally:
            self._recorder = None

    def _insert(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        """Insert a row inside an action and record it; return it with its id."""
        columns = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        cursor = self.conn.execute(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', tuple(row.values()))
        row = {"id": cursor.lastrowid, **row} if "id" not in row else row
        self._record(table, None, row)
        return row

    def _update(self, table: str, row_id: int, **values: Any) -> dict[str, Any]:
        """Update a row inside an action and record before and after; return the new row."""
        before = self._row(table, row_id)
        sets = ", ".join(f'"{c}" = ?' for c in values)
        self.conn.execute(f'UPDATE "{table}" SET {sets} WHERE id = ?', (*values.values(), row_id))
        after = {**before, **values}
        self._record(table, before, after)
        return after

    def _delete(self, table: str, row_id: int) -> dict[str, Any]:
        """Delete a row inside an action and record it; return what it was."""
        before = self._row(table, row_id)
        self.conn.execute(f'DELETE FROM "{table}" WHERE id = ?', (row_id,))
        self._record(table, before, None)
        return before

    def _record(self, table: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        if self._recorder is None:
            raise RuntimeError("a change outside an action")
        self._recorder.changes.append({"table": table, "before": before, "after": after})

    def _row(self, table: str, row_id: int) -> dict[str, Any]:
        cursor = self.conn.execute(f'SELECT * FROM "{table}" WHERE id = ?', (row_id,))
        values = cursor.fetchone()
        if values is None:
            raise ProjectError(f"no {table[:-1]} with id {row_id}")
        return dict(zip([d[0] for d in cursor.description], values))

    def _put(self, table: str, row: dict[str, Any]) -> None:
        """Make the row with this id be exactly `row` (insert or update, never delete)."""
        exists = self.conn.execute(f'SELECT 1 FROM "{table}" WHERE id = ?', (row["id"],)).fetchone()
        if exists:
            sets = ", ".join(f'"{c}" = ?' for c in row if c != "id")
            self.conn.execute(
                f'UPDATE "{table}" SET {sets} WHERE id = ?',
                (*[v for c, v in row.items() if c != "id"], row["id"]),
            )
        else:
            columns = ", ".join(f'"{c}"' for c in row)
            marks = ", ".join("?" for _ in row)
            self.conn.execute(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', tuple(row.values()))

    def _apply(self, changes: Sequence[dict[str, Any]], *, forward: bool) -> None:
        """Replay `changes` forwards (redo) or backwards (undo)."""
        ordered = changes if forward else list(reversed(changes))
        for change in ordered:
            target = change["after"] if forward else change["before"]
            other = change["before"] if forward else change["after"]
            if target is None:
                self.conn.execute(f'DELETE FROM "{change["table"]}" WHERE id = ?', (other["id"],))
            else:
                self._put(change["table"], target)

    def undo(self) -> Event | None:
        """Undo the latest change that is not undone yet; None when there is nothing to undo."""
        return self._step("done", "undone", "DESC", forward=False)

    def redo(self) -> Event | None:
        """Redo the change undone most recently; None when there is nothing to redo."""
        return self._step("undone", "done", "ASC", forward=True)

    def _step(self, state: str, new_state: str, order: str, *, forward: bool) -> Event | None:
        try:
            with self.db.atomic():
                row = self.conn.execute(
                    f"SELECT id, at, action, payload FROM events WHERE state = ? ORDER BY id {order} LIMIT 1",
                    (state,),
                ).fetchone()
                if row is None:
                    return None
                payload = json.loads(row[3])
                self._apply(payload.get("changes", []), forward=forward)
                self.conn.execute("UPDATE events SET state = ? WHERE id = ?", (new_state, row[0]))
                self.conn.execute(
                    "INSERT INTO events (at, coder_id, action, payload, state) VALUES (?, ?, ?, ?, 'final')",
                    (now(), self._current_coder_id(), "redo" if forward else "undo",
                     json.dumps({"event": row[0], "summary": payload.get("summary", "")}, ensure_ascii=False)),
                )
        except sqlite3.IntegrityError as error:
            raise ProjectError(f"cannot {'redo' if forward else 'undo'} that change: {error}") from None
        except sqlite3.Error as error:
            raise ProjectError(describe_sqlite_error(self.path, error)) from None
        return Event(row[0], row[1], row[2], payload.get("summary", ""), new_state)

    def history(self, limit: int = 200) -> list[Event]:
        """The latest events, newest first."""
        rows = self.conn.execute(
            "SELECT id, at, action, payload, state FROM events ORDER BY id DESC LIMIT ?", (limit,)
        ).fetchall()
        return [Event(r[0], r[1], r[2], json.loads(r[3]).get("summary", ""), r[4]) for r in rows]

    def can_undo(self) -> bool:
        """Whether there is a change to undo."""
        return self.conn.execute("SELECT 1 FROM events WHERE state = 'done' LIMIT 1").fetchone() is not None

    def can_redo(self) -> bool:
        """Whether there is an undone change to redo."""
        return self.conn.execute("SELECT 1 FROM events WHERE state = 'undone' LIMIT 1").fetchone() is not None

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
        if self._coder_name is None:
            return None
        if self._coder_id is None:
            row = self.conn.execute("SELECT id FROM coders WHERE name = ?", (self._coder_name,)).fetchone()
            if row is None:
                cursor = self.conn.execute(
                    "INSERT INTO coders (guid, name) VALUES (?, ?)", (new_guid(), self._coder_name)
                )
                self._coder_id = cursor.lastrowid
            else:
                self._coder_id = row[0]
        return self._coder_id

    def coders(self) -> list[Coder]:
        """Everyone who has coded in this project."""
        return [Coder(*r) for r in self.conn.execute("SELECT id, guid, name FROM coders ORDER BY name")]

    # ------------------------------------------------------------------ participants

    def participants(self) -> list[Participant]:
        """All participants, by pseudonym."""
        rows = self.conn.execute("SELECT id, guid, pseudonym, attributes FROM participants ORDER BY pseudonym")
        return [Participant(r[0], r[1], r[2], json.loads(r[3] or "{}")) for r in rows]

    def participant(self, participant_id: int) -> Participant:
        """One participant by id."""
        r = self._row("participants", participant_id)
        return Participant(r["id"], r["guid"], r["pseudonym"], json.loads(r["attributes"] or "{}"))

    def find_participant(self, pseudonym: str) -> Participant | None:
        """The participant with this pseudonym (case-insensitive), if any."""
        row = self.conn.execute(
            "SELECT id FROM participants WHERE pseudonym = ? COLLATE NOCASE", (pseudonym.strip(),)
        ).fetchone()
        return self.participant(row[0]) if row else None

    def add_participant(self, pseudonym: str, attributes: dict[str, str] | None = None) -> Participant:
        """Add a participant; the pseudonym must be new."""
        pseudonym = pseudonym.strip()
        if not pseudonym:
            raise ProjectError("a participant needs a pseudonym such as P07")
        if self.find_participant(pseudonym):
            raise ProjectError(f"participant {pseudonym} already exists")
        with self.action("participant.add", f"add participant {pseudonym}"):
            row = self._insert("participants", {
                "guid": new_guid(), "pseudonym": pseudonym,
                "attributes": json.dumps(attributes or {}, ensure_ascii=False), "created_at": now(),
            })
        return self.participant(row["id"])

    def _participant_for(self, pseudonym: str) -> int:
        """The id of the participant with this pseudonym, created inside the current action if new."""
        if not pseudonym.strip():
            raise ProjectError("a participant needs a pseudonym such as P07")
        found = self.find_participant(pseudonym)
        if found:
            return found.id
        row = self._insert("participants", {
            "guid": new_guid(), "pseudonym": pseudonym.strip(), "attributes": "{}", "created_at": now(),
        })
        return row["id"]

    def rename_participant(self, participant_id: int, pseudonym: str) -> Participant:
        """Give a participant a new pseudonym."""
        pseudonym = pseudonym.strip()
        if not pseudonym:
            raise ProjectError("a participant needs a pseudonym such as P07")
        other = self.find_participant(pseudonym)
        if other and other.id != participant_id:
            raise ProjectError(f"participant {pseudonym} already exists")
        old = self.participant(participant_id)
        with self.action("participant.rename", f"rename participant {old.pseudonym} to {pseudonym}"):
            self._update("participants", participant_id, pseudonym=pseudonym)
        return self.participant(participant_id)

    def set_transcript_participant(self, transcript_id: int, pseudonym: str) -> Transcript:
        """Assign a transcript to a participant (created if new)."""
        transcript = self.transcript(transcript_id)
        with self.action("transcript.participant", f"assign {transcript.title} to {pseudonym.strip()}"):
            self._update("transcripts", transcript_id, participant_id=self._participant_for(pseudonym))
        return self.transcript(transcript_id)

    # ------------------------------------------------------------------ transcripts and lines

    _TRANSCRIPT_COLUMNS = (
        "t.id, t.guid, t.participant_id, t.title, t.text, t.source, "
        "(SELECT COUNT(*) FROM lines WHERE lines.transcript_id = t.id), t.width"
    )

    def transcripts(self) -> list[Transcript]:
        """All transcripts, by participant then title."""
        rows = self.conn.execute(
            f"SELECT {self._TRANSCRIPT_COLUMNS} FROM transcripts t "
            "LEFT JOIN participants p ON p.id = t.participant_id ORDER BY p.pseudonym, t.title, t.id"
        )
        return [Transcript(*r) for r in rows]

    def transcript(self, transcript_id: int) -> Transcript:
        """One transcript by id."""
        row = self.conn.execute(
            f"SELECT {self._TRANSCRIPT_COLUMNS} FROM transcripts t WHERE t.id = ?", (transcript_id,)
        ).fetchone()
        if row is None:
            raise ProjectError(f"no transcript with id {transcript_id}")
        return Transcript(*row)

    def find_transcript(self, ref: str) -> Transcript:
        """A transcript by title, id, or the pseudonym of a participant with one transcript."""
        ref = ref.strip()
        rows = self.conn.execute("SELECT id FROM transcripts WHERE title = ?", (ref,)).fetchall()
        if not rows:
            rows = self.conn.execute("SELECT id FROM transcripts WHERE title = ? COLLATE NOCASE", (ref,)).fetchall()
        if len(rows) == 1:
            return self.transcript(rows[0][0])
        if len(rows) > 1:
            raise ProjectError(f"transcript '{ref}' is ambiguous: {len(rows)} transcripts have that title; use its id")
        if ref.isdigit():
            row = self.conn.execute("SELECT id FROM transcripts WHERE id = ?", (int(ref),)).fetchone()
            if row:
                return self.transcript(row[0])
        participant = self.find_participant(ref)
        if participant:
            ids = self.conn.execute(
                "SELECT id FROM transcripts WHERE participant_id = ?", (participant.id,)
            ).fetchall()
            if len(ids) == 1:
                return self.transcript(ids[0][0])
            if len(ids) > 1:
                raise ProjectError(
                    f"participant {participant.pseudonym} has {len(ids)} transcripts; name one by title"
                )
        titles = [t.title for t in self.transcripts()]
        hint = f" (transcripts: {', '.join(titles[:8])}{' …' if len(titles) > 8 else ''})" if titles else " (the project has no transcripts yet)"
        raise ProjectError(f"no transcript '{ref}'{hint}")

    def import_transcript(
        self,
        *,
        title: str,
        text: str,
        lines: Sequence[Line],
        participant: str | None,
        source: str = "",
        format: str = "txt",
        encoding: str = "utf-8",
        width: int = 72,
    ) -> Transcript:
        """Store a parsed transcript and its lines in one transaction."""
        for line in lines:
            if text[line.start : line.end] != line.text:
                raise ProjectError(f"{source or title}: line {line.number} does not match the text (nothing was imported)")
        with self.action("transcript.import", f"import {title}", undoable=False):
            participant_id = self._participant_for(participant) if participant else None
            cursor = self.conn.execute(
                "INSERT INTO transcripts (guid, participant_id, title, text, source, format, encoding, width, imported_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (new_guid(), participant_id, title, text, source, format, encoding, width, now()),
            )
            transcript_id = cursor.lastrowid
            self.conn.executemany(
                'INSERT INTO lines (transcript_id, number, speaker, text, start, "end", turn_start, label_length, timestamp, cells) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (transcript_id, l.number, l.speaker, l.text, l.start, l.end, int(l.turn_start), l.label_length,
                     l.timestamp, schema.display_cells(l.text))
                    for l in lines
                ],
            )
            self.conn.execute(
                "INSERT INTO lines_fts (rowid, text) SELECT id, text FROM lines WHERE transcript_id = ?",
                (transcript_id,),
            )
        return self.transcript(transcript_id)

    def lines(self, transcript_id: int, first: int = 1, last: int | None = None) -> list[Line]:
        """The lines of a transcript from `first` to `last` (inclusive), in order."""
        rows = self.conn.execute(
            'SELECT number, speaker, text, start, "end", turn_start, label_length, timestamp FROM lines '
            "WHERE transcript_id = ? AND number >= ? AND number <= ? ORDER BY number",
            (transcript_id, first, last if last is not None else 2**62),
        )
        return [Line(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7]) for r in rows]

    def long_lines(self, transcript_id: int, cells: int) -> list[tuple[int, str]]:
        """(number, text) of the lines wider than `cells` terminal cells."""
        rows = self.conn.execute(
            "SELECT number, text FROM lines WHERE transcript_id = ? AND cells > ? ORDER BY number",
            (transcript_id, cells),
        )
        return rows.fetchall()

    def find_in_transcript(self, transcript_id: int, query: str) -> list[int]:
        """Numbers of the lines that `query` falls on, ignoring case; a phrase may run across lines."""
        needle = " ".join(query.casefold().split())
        if not needle:
            return []
        text = self.conn.execute("SELECT text FROM transcripts WHERE id = ?", (transcript_id,)).fetchone()
        if text is None:
            return []
        # Any run of whitespace in the transcript (a line break, say) matches one space of the query.
        haystack = text[0].casefold()
        if len(haystack) != len(text[0]):  # casefold changed lengths (ß → ss): compare by line instead
            return [n for n, t in self.conn.execute(
                "SELECT number, text FROM lines WHERE transcript_id = ? ORDER BY number", (transcript_id,)
            ) if needle in " ".join(t.casefold().split())]
        pattern = re.compile(r"\s+".join(re.escape(word) for word in needle.split(" ")))
        starts = [r[0] for r in self.conn.execute(
            "SELECT start FROM lines WHERE transcript_id = ? ORDER BY number", (transcript_id,)
        )]
        numbers: set[int] = set()
        for match in pattern.finditer(haystack):
            first = bisect.bisect_right(starts, match.start()) - 1
            last = bisect.bisect_left(starts, match.end()) - 1
            numbers.update(range(max(first, 0) + 1, max(last, first, 0) + 2))
        return sorted(numbers)

    def data_version(self) -> int:
        """A number that changes whenever another connection (another margin command) commits."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def line_count(self, transcript_id: int) -> int:
        """How many lines a transcript has."""
        return self.conn.execute("SELECT COUNT(*) FROM lines WHERE transcript_id = ?", (transcript_id,)).fetchone()[0]

    def search_lines(self, query: str, transcript_id: int | None = None, limit: int = 1000) -> list[tuple[int, int]]:
        """Full-text search over lines: (transcript id, line number) pairs; any query is safe."""
        words = re.findall(r"\w+", query)
        if not words:
            return []
        sql = (
            "SELECT lines.transcript_id, lines.number FROM lines_fts JOIN lines ON lines.id = lines_fts.rowid "
            "WHERE lines_fts MATCH ?"
        )
        # Each word quoted: no input can be FTS syntax (sqlite-utils' quote_fts fails on a lone ").
        params: list[Any] = [" ".join(f'"{word}"' for word in words)]
        if transcript_id is not None:
            sql += " AND lines.transcript_id = ?"
            params.append(transcript_id)
        sql += " ORDER BY lines.transcript_id, lines.number LIMIT ?"
        params.append(limit)
        return [(r[0], r[1]) for r in self.conn.execute(sql, params)]

    def _check_range(self, transcript_id: int, first: int, last: int) -> None:
        count = self.line_count(transcript_id)
        if first < 1 or last < first or last > count:
            raise ProjectError(
                f"{span_text(first, last)} {'is' if first == last else 'are'} outside transcript {self.transcript(transcript_id).title} (lines 1-{count})"
            )

    # ------------------------------------------------------------------ themes

    _THEME_COLUMNS = "id, guid, name, parent_id, level, participant_id, description, colour"

    def themes(self) -> list[Theme]:
        """Every theme, by name."""
        return [Theme(*r) for r in self.conn.execute(f"SELECT {self._THEME_COLUMNS} FROM themes ORDER BY name COLLATE NOCASE, id")]

    def theme(self, theme_id: int) -> Theme:
        """One theme by id."""
        row = self.conn.execute(f"SELECT {self._THEME_COLUMNS} FROM themes WHERE id = ?", (theme_id,)).fetchone()
        if row is None:
            raise ProjectError(f"no theme with id {theme_id}")
        return Theme(*row)

    def theme_paths(self) -> dict[int, str]:
        """Every theme's path from its root, such as `Belonging/Feeling part of the team`."""
        themes = {t.id: t for t in self.themes()}
        paths: dict[int, str] = {}

        def path(theme_id: int, seen: frozenset[int] = frozenset()) -> str:
            if theme_id in paths:
                return paths[theme_id]
            theme = themes[theme_id]
            if theme.parent_id is None or theme.parent_id not in themes or theme.parent_id in seen:
                result = theme.name
            else:
                result = f"{path(theme.parent_id, seen | {theme_id})}/{theme.name}"
            paths[theme_id] = result
            return result

        for theme_id in themes:
            path(theme_id)
        return paths

    def find_theme(self, ref: str) -> Theme | None:
        """A theme by path or by name; None if there is none; ProjectError if the name is ambiguous."""
        ref = ref.strip()
        paths = self.theme_paths()
        by_path = [i for i, p in paths.items() if p == ref]
        if len(by_path) == 1:
            return self.theme(by_path[0])
        by_name = self.conn.execute("SELECT id FROM themes WHERE name = ?", (ref,)).fetchall()
        if not by_name:
            by_name = self.conn.execute("SELECT id FROM themes WHERE name = ? COLLATE NOCASE", (ref,)).fetchall()
        if len(by_name) == 1:
            return self.theme(by_name[0][0])
        if len(by_name) > 1:
            options = "; ".join(paths[r[0]] for r in by_name)
            raise ProjectError(f"theme '{ref}' is ambiguous; name it by its path: {options}")
        return None

    def create_theme(
        self,
        name: str,
        *,
        level: str | None = None,
        parent_id: int | None = None,
        participant_id: int | None = None,
        description: str = "",
        colour: str | None = None,
    ) -> Theme:
        """Create a theme (one undoable action)."""
        with self.action("theme.create", f"create theme {name.strip()}"):
            theme_id = self._create_theme(name, level, parent_id, participant_id, description, colour)
        return self.theme(theme_id)

    def _create_theme(
        self, name: str, level: str | None, parent_id: int | None, participant_id: int | None,
        description: str = "", colour: str | None = None,
    ) -> int:
        name = " ".join(name.split())
        if not name:
            raise ProjectError("a theme needs a name")
        level = level or self.levels[0]
        if level not in self.levels:
            raise ProjectError(f"unknown level '{level}' for this {self.method.upper()} project: choose one of {', '.join(self.levels)}")
        if parent_id is not None:
            self.theme(parent_id)
        row = self._insert("themes", {
            "guid": new_guid(), "name": name, "parent_id": parent_id, "level": level,
            "participant_id": participant_id, "description": description, "colour": colour, "created_at": now(),
        })
        return row["id"]

    def update_theme(self, theme_id: int, **values: Any) -> Theme:
        """Rename, describe, re-level, re-colour or move a theme (one undoable action)."""
        allowed = {"name", "description", "level", "colour", "parent_id", "participant_id"}
        unknown = set(values) - allowed
        if unknown:
            raise ProjectError(f"cannot change {', '.join(sorted(unknown))} of a theme")
        if "name" in values:
            values["name"] = " ".join(str(values["name"]).split())
            if not values["name"]:
                raise ProjectError("a theme needs a name")
        if "level" in values and values["level"] not in self.levels:
            raise ProjectError(f"unknown level '{values['level']}'")
        parent = values.get("parent_id")
        if parent is not None:
            ancestor: int | None = parent
            while ancestor is not None:
                if ancestor == theme_id:
                    raise ProjectError("a theme cannot be moved under itself or one of its children")
                ancestor = self.theme(ancestor).parent_id
        theme = self.theme(theme_id)
        with self.action("theme.update", f"change theme {theme.name}"):
            self._update("themes", theme_id, **values)
        return self.theme(theme_id)

    def delete_theme(self, theme_id: int) -> None:
        """Delete a theme and its codings; its children move up to its parent (one undoable action)."""
        theme = self.theme(theme_id)
        with self.action("theme.delete", f"delete theme {theme.name}"):
            for (child,) in self.conn.execute("SELECT id FROM themes WHERE parent_id = ?", (theme_id,)).fetchall():
                self._update("themes", child, parent_id=theme.parent_id)
            for (coding,) in self.conn.execute("SELECT id FROM codings WHERE theme_id = ?", (theme_id,)).fetchall():
                self._delete("codings", coding)
            for (memo,) in self.conn.execute("SELECT id FROM memos WHERE theme_id = ?", (theme_id,)).fetchall():
                self._update("memos", memo, theme_id=None)
            self._delete("themes", theme_id)

    # ------------------------------------------------------------------ codings

    _CODING_COLUMNS = "id, guid, transcript_id, first_line, last_line, theme_id, coder_id, created_at"

    def tag(self, transcript_id: int, first: int, last: int, theme_id: int) -> Coding:
        """Apply a theme to lines first..last of a transcript (one undoable action)."""
        self._check_range(transcript_id, first, last)
        theme = self.theme(theme_id)
        if self.conn.execute(
            "SELECT 1 FROM codings WHERE transcript_id = ? AND theme_id = ? AND first_line = ? AND last_line = ?",
            (transcript_id, theme_id, first, last),
        ).fetchone():
            raise ProjectError(f"{span_text(first, last)} already tagged with {theme.name}")
        with self.action("tag", f"tag {span_text(first, last)} with {theme.name}"):
            coding_id = self._tag(transcript_id, first, last, theme_id)
        return self.coding(coding_id)

    def tag_with_new_theme(
        self, transcript_id: int, first: int, last: int, name: str, *, level: str | None = None,
        parent_id: int | None = None, participant_id: int | None = None,
    ) -> Coding:
        """Create a theme and apply it to lines first..last, as one undoable action."""
        self._check_range(transcript_id, first, last)
        with self.action("tag", f"tag {span_text(first, last)} with new theme {' '.join(name.split())}"):
            theme_id = self._create_theme(name, level, parent_id, participant_id)
            coding_id = self._tag(transcript_id, first, last, theme_id)
        return self.coding(coding_id)

    def _tag(self, transcript_id: int, first: int, last: int, theme_id: int) -> int:
        row = self._insert("codings", {
            "guid": new_guid(), "transcript_id": transcript_id, "first_line": first, "last_line": last,
            "theme_id": theme_id, "coder_id": self._current_coder_id(), "created_at": now(),
        })
        self._set_setting_recent(theme_id)
        return row["id"]

    def _set_setting_recent(self, theme_id: int) -> None:
        recent = [i for i in self.recent_theme_ids() if i != theme_id]
        # Kept longer than the nine keys: a screen shows the nine that fit the case at hand.
        self._set_setting("recent_themes", json.dumps([theme_id, *recent][:RECENT_KEPT]))

    def recent_theme_ids(self) -> list[int]:
        """Ids of the themes applied most recently, newest first."""
        try:
            return [int(i) for i in json.loads(self.setting("recent_themes", "[]"))]
        except (ValueError, TypeError):
            return []

    def recent_themes(self) -> list[Theme]:
        """The themes applied most recently that still exist, newest first."""
        ids = self.recent_theme_ids()
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        rows = self.conn.execute(f"SELECT {self._THEME_COLUMNS} FROM themes WHERE id IN ({marks})", ids)
        found = {row[0]: Theme(*row) for row in rows}
        return [found[i] for i in ids if i in found]

    def coding(self, coding_id: int) -> Coding:
        """One coding by id."""
        row = self.conn.execute(f"SELECT {self._CODING_COLUMNS} FROM codings WHERE id = ?", (coding_id,)).fetchone()
        if row is None:
            raise ProjectError(f"no coding with id {coding_id}")
        return Coding(*row)

    def codings(self, transcript_id: int | None = None, theme_id: int | None = None) -> list[Coding]:
        """Codings of a transcript and/or a theme, in reading order."""
        clauses, params = [], []
        if transcript_id is not None:
            clauses.append("transcript_id = ?")
            params.append(transcript_id)
        if theme_id is not None:
            clauses.append("theme_id = ?")
            params.append(theme_id)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.conn.execute(
            f"SELECT {self._CODING_COLUMNS} FROM codings {where} ORDER BY transcript_id, first_line, last_line, id", params
        )
        return [Coding(*r) for r in rows]

    def codings_at(self, transcript_id: int, line: int) -> list[Coding]:
        """The codings that cover one line."""
        rows = self.conn.execute(
            f"SELECT {self._CODING_COLUMNS} FROM codings WHERE transcript_id = ? AND first_line <= ? AND last_line >= ? "
            "ORDER BY first_line, id",
            (transcript_id, line, line),
        )
        return [Coding(*r) for r in rows]

    def untag(self, coding_id: int) -> Coding:
        """Remove a coding (one undoable action); return what was removed."""
        coding = self.coding(coding_id)
        theme = self.theme(coding.theme_id)
        with self.action("untag", f"remove {theme.name} from {span_text(coding.first_line, coding.last_line)}"):
            self._delete("codings", coding_id)
        return coding

    # ------------------------------------------------------------------ notes

    _NOTE_COLUMNS = "id, guid, transcript_id, first_line, last_line, kind, body, coder_id, created_at"

    def add_note(self, transcript_id: int, first: int, last: int, kind: str, body: str) -> Note:
        """Add an exploratory note on lines first..last (one undoable action)."""
        self._check_note(kind, body)
        self._check_range(transcript_id, first, last)
        with self.action("note.add", f"add {kind} note on {span_text(first, last)}"):
            row = self._insert("notes", {
                "guid": new_guid(), "transcript_id": transcript_id, "first_line": first, "last_line": last,
                "kind": kind, "body": body.strip(), "coder_id": self._current_coder_id(), "created_at": now(),
            })
        return self.note(row["id"])

    def _check_note(self, kind: str, body: str) -> None:
        if kind not in NOTE_KINDS:
            raise ProjectError(f"unknown note kind '{kind}': choose one of {', '.join(NOTE_KINDS)}")
        if not body.strip():
            raise ProjectError("a note needs some text")

    def edit_note(self, note_id: int, *, kind: str | None = None, body: str | None = None) -> Note:
        """Change a note's kind or text (one undoable action)."""
        note = self.note(note_id)
        kind = kind or note.kind
        body = note.body if body is None else body.strip()
        self._check_note(kind, body)
        with self.action("note.edit", f"edit note on {span_text(note.first_line, note.last_line)}"):
            self._update("notes", note_id, kind=kind, body=body)
        return self.note(note_id)

    def delete_note(self, note_id: int) -> Note:
        """Delete a note (one undoable action); return what was deleted."""
        note = self.note(note_id)
        with self.action("note.delete", f"delete note on {span_text(note.first_line, note.last_line)}"):
            self._delete("notes", note_id)
        return note

    def note(self, note_id: int) -> Note:
        """One note by id."""
        row = self.conn.execute(f"SELECT {self._NOTE_COLUMNS} FROM notes WHERE id = ?", (note_id,)).fetchone()
        if row is None:
            raise ProjectError(f"no note with id {note_id}")
        return Note(*row)

    def notes(self, transcript_id: int) -> list[Note]:
        """The notes of a transcript in reading order."""
        rows = self.conn.execute(
            f"SELECT {self._NOTE_COLUMNS} FROM notes WHERE transcript_id = ? ORDER BY first_line, last_line, id",
            (transcript_id,),
        )
        return [Note(*r) for r in rows]

    def notes_at(self, transcript_id: int, line: int) -> list[Note]:
        """The notes that cover one line."""
        rows = self.conn.execute(
            f"SELECT {self._NOTE_COLUMNS} FROM notes WHERE transcript_id = ? AND first_line <= ? AND last_line >= ? "
            "ORDER BY first_line, id",
            (transcript_id, line, line),
        )
        return [Note(*r) for r in rows]

    # ------------------------------------------------------------------ memos

    _MEMO_COLUMNS = "id, guid, title, body, created_at, participant_id, transcript_id, theme_id"

    def add_memo(
        self, title: str, body: str = "", *, participant_id: int | None = None,
        transcript_id: int | None = None, theme_id: int | None = None,
    ) -> Memo:
        """Write a memo or journal entry (one undoable action)."""
        title = title.strip()
        if not title:
            raise ProjectError("a memo needs a title")
        with self.action("memo.add", f"add memo {title}"):
            row = self._insert("memos", {
                "guid": new_guid(), "title": title, "body": body, "created_at": now(),
                "participant_id": participant_id, "transcript_id": transcript_id, "theme_id": theme_id,
            })
        return self.memo(row["id"])

    def edit_memo(self, memo_id: int, *, title: str | None = None, body: str | None = None) -> Memo:
        """Change a memo's title or text (one undoable action)."""
        memo = self.memo(memo_id)
        values: dict[str, Any] = {}
        if title is not None:
            if not title.strip():
                raise ProjectError("a memo needs a title")
            values["title"] = title.strip()
        if body is not None:
            values["body"] = body
        with self.action("memo.edit", f"edit memo {memo.title}"):
            self._update("memos", memo_id, **values)
        return self.memo(memo_id)

    def delete_memo(self, memo_id: int) -> Memo:
        """Delete a memo (one undoable action)."""
        memo = self.memo(memo_id)
        with self.action("memo.delete", f"delete memo {memo.title}"):
            self._delete("memos", memo_id)
        return memo

    def memo(self, memo_id: int) -> Memo:
        """One memo by id."""
        row = self.conn.execute(f"SELECT {self._MEMO_COLUMNS} FROM memos WHERE id = ?", (memo_id,)).fetchone()
        if row is None:
            raise ProjectError(f"no memo with id {memo_id}")
        return Memo(*row)

    def memos(self) -> list[Memo]:
        """All memos, newest first."""
        return [Memo(*r) for r in self.conn.execute(f"SELECT {self._MEMO_COLUMNS} FROM memos ORDER BY created_at DESC, id DESC")]

    # ------------------------------------------------------------------ counts and checks

    def theme_totals(self) -> dict[int, tuple[int, int]]:
        """For each theme id: (extracts, participants) of the theme and every theme below it."""
        children: dict[int | None, list[int]] = {}
        for theme_id, parent_id in self.conn.execute("SELECT id, parent_id FROM themes"):
            children.setdefault(parent_id, []).append(theme_id)
        own: dict[int, list[tuple[int, int | None]]] = {}
        for coding_id, theme_id, participant_id in self.conn.execute(
            "SELECT c.id, c.theme_id, t.participant_id FROM codings c JOIN transcripts t ON t.id = c.transcript_id"
        ):
            own.setdefault(theme_id, []).append((coding_id, participant_id))
        totals: dict[int, tuple[int, int]] = {}

        def gather(theme_id: int, seen: set[int]) -> set[tuple[int, int | None]]:
            found = set(own.get(theme_id, []))
            for child in children.get(theme_id, []):
                if child not in seen:
                    found |= gather(child, seen | {child})
            totals[theme_id] = (len(found), len({p for _, p in found if p is not None}))
            return found

        for theme_id in [t for ts in children.values() for t in ts]:
            if theme_id not in totals:
                gather(theme_id, {theme_id})
        return totals

    def progress(self, transcript_id: int) -> tuple[int, int, int]:
        """(lines, coded lines, notes) of a transcript."""
        lines = self.line_count(transcript_id)
        coded = self.conn.execute(
            "SELECT COUNT(*) FROM lines l WHERE l.transcript_id = ? AND EXISTS ("
            "SELECT 1 FROM codings c WHERE c.transcript_id = l.transcript_id AND l.number BETWEEN c.first_line AND c.last_line)",
            (transcript_id,),
        ).fetchone()[0]
        notes = self.conn.execute("SELECT COUNT(*) FROM notes WHERE transcript_id = ?", (transcript_id,)).fetchone()[0]
        return lines, coded, notes

    def check(self) -> list[str]:
        """Integrity and schema problems, one line each; empty when the project is sound."""
        problems: list[str] = []
        for (result,) in self.conn.execute("PRAGMA integrity_check"):
            if result != "ok":
                problems.append(f"sqlite: {result}")
        for row in self.conn.execute("PRAGMA foreign_key_check"):
            problems.append(f"{row[0]} row {row[1]} points to a missing {row[2]} row")
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version != schema.SCHEMA_VERSION:
            problems.append(f"schema version {version}, expected {schema.SCHEMA_VERSION}")
        texts = dict(self.conn.execute("SELECT id, text FROM transcripts"))
        previous: dict[int, tuple[int, int]] = {}
        for tid, number, text, start, end in self.conn.execute(
            'SELECT transcript_id, number, text, start, "end" FROM lines ORDER BY transcript_id, number'
        ):
            source = texts.get(tid, "")
            if source[start:end] != text:
                problems.append(f"transcript {tid} line {number}: text differs from the transcript at {start}-{end}")
            last = previous.get(tid)
            if last and (number != last[0] + 1 or start < last[1] or source[last[1]:start].strip()):
                problems.append(f"transcript {tid} line {number}: not in order after line {last[0]}")
            previous[tid] = (number, end)
        for cid, tid, first, last in self.conn.execute(
            "SELECT c.id, c.transcript_id, c.first_line, c.last_line FROM codings c"
        ):
            count = self.line_count(tid)
            if last > count:
                problems.append(f"coding {cid}: lines {first}-{last} run past the end of transcript {tid} ({count} lines)")
        for nid, tid, first, last in self.conn.execute("SELECT id, transcript_id, first_line, last_line FROM notes"):
            if last > self.line_count(tid):
                problems.append(f"note {nid}: lines {first}-{last} run past the end of transcript {tid}")
        parents = dict(self.conn.execute("SELECT id, parent_id FROM themes"))
        for theme_id in parents:
            seen, node = set(), theme_id
            while node is not None and node not in seen:
                seen.add(node)
                node = parents.get(node)
            if node is not None:
                problems.append(f"theme {theme_id}: its parents form a loop")
        try:
            self.conn.execute("INSERT INTO lines_fts (lines_fts) VALUES ('integrity-check')")
        except sqlite3.OperationalError as error:
            if "readonly" not in str(error):  # FTS5 runs its check as a write; read-only: skipped
                problems.append(f"search index: {error}")
        except sqlite3.Error as error:
            problems.append(f"search index: {error}")
        mode = stat.S_IMODE(os.stat(self.path).st_mode) if os.name == "posix" else 0
        if mode & 0o077:
            problems.append(f"file mode {mode:o}: others can read it (chmod 600 {self.path.name})")
        return problems
