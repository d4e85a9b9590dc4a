"""The history of a project: every action recorded as one event, and undo and redo over it.

An action is one transaction. Its row changes (the row before and after, per changed row) are
kept twice: in the event's JSON payload, which undo and redo replay, and in `event_changes`,
one row per changed row, so that "every change to this theme" is a query.

Event states: `done` (may be undone), `undone` (may be redone), `discarded` (an undone change
that a later action made impossible to redo) and `final` (never undone: undo and redo records,
and every change made before an action that cannot be undone, such as an import).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import groupby
from typing import TYPE_CHECKING, Any

from tui.project.db import ProjectError, describe_sqlite_error, now, transaction

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class Event:
    """One recorded change, as the history shows it, with the place it was made."""

    id: int
    at: str
    action: str
    summary: str
    state: str
    transcript_id: int | None = None
    first_line: int | None = None
    last_line: int | None = None
    theme_id: int | None = None
    coder: str | None = None
    #: Made by another program or window (another `margin` command, another terminal), not this session.
    elsewhere: bool = False


@dataclass
class _Recorder:
    """Collects the row changes and the place of one action."""

    changes: list[dict[str, Any]] = field(default_factory=list)
    place: dict[str, int | None] = field(default_factory=dict)
    #: An action that cannot be undone keeps no row images (an import of thousands of rows).
    undoable: bool = True


_EVENT_COLUMNS = (
    "e.id, e.at, e.action, e.payload, e.state, e.transcript_id, e.first_line, e.last_line, e.theme_id, c.name"
)


def _event(row: Sequence[Any], state: str | None = None, *, elsewhere: bool = False) -> Event:
    summary = json.loads(row[3]).get("summary", "") if row[3] else ""
    return Event(row[0], row[1], row[2], summary, state or row[4], row[5], row[6], row[7], row[8], row[9], elsewhere)


class HistoryMixin:
    """Recording actions as events; undo and redo; reading the history."""

    conn: sqlite3.Connection
    path: Path
    _recorder: _Recorder | None = None
    _made_here: set[int]

    def _current_coder_id(self) -> int | None:  # provided by Project
        raise NotImplementedError

    @contextmanager
    def action(
        self, name: str, summary: str, *, undoable: bool = True, transcript_id: int | None = None,
        first_line: int | None = None, last_line: int | None = None, theme_id: int | None = None,
    ) -> Iterator[None]:
        """One user action: one `BEGIN IMMEDIATE` transaction, its row changes one event.

        Nested inside another action, it is part of that one. An action that is not undoable
        seals the history: nothing before it can be undone or redone afterwards, since undoing
        those changes could depend on rows the action made or replaced.
        """
        if self._recorder is not None:
            self._place(transcript_id=transcript_id, first_line=first_line, last_line=last_line, theme_id=theme_id)
            yield
            return
        self._recorder = _Recorder(undoable=undoable)
        self._place(transcript_id=transcript_id, first_line=first_line, last_line=last_line, theme_id=theme_id)
        try:
            with transaction(self.conn):
                yield
                self._write_event(name, summary, undoable=undoable)
        except sqlite3.Error as error:
            self._forget_coder()  # a rolled-back coder row must be made again
            raise ProjectError(describe_sqlite_error(self.path, error)) from None
        except BaseException:
            self._forget_coder()
            raise
        finally:
            self._recorder = None

    def _forget_coder(self) -> None:
        """Overridden by Project: drop a cached coder id whose row may have been rolled back."""

    def _place(self, **place: int | None) -> None:
        """Say where the action in progress happens (transcript, lines, theme), for undo to go there."""
        if self._recorder is not None:
            for key, value in place.items():
                if value is not None and self._recorder.place.get(key) is None:
                    self._recorder.place[key] = value

    def _write_event(self, name: str, summary: str, *, undoable: bool) -> None:
        recorder = self._recorder
        assert recorder is not None
        coder_id = self._current_coder_id()
        # A new action ends the redo branch; one that cannot be undone ends the undo branch too.
        self.conn.execute("UPDATE events SET state = 'discarded' WHERE state = 'undone'")
        if not undoable:
            self.conn.execute("UPDATE events SET state = 'final' WHERE state = 'done'")
        changes = recorder.changes if undoable else []
        place = recorder.place
        cursor = self.conn.execute(
            "INSERT INTO events (at, coder_id, action, payload, state, transcript_id, first_line, last_line, theme_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (now(), coder_id, name, json.dumps({"summary": summary, "changes": changes}, ensure_ascii=False),
             "done" if undoable else "final", place.get("transcript_id"), place.get("first_line"),
             place.get("last_line"), place.get("theme_id")),
        )
        self._made_here.add(int(cursor.lastrowid or 0))
        self.conn.executemany(
            "INSERT INTO event_changes (event_id, table_name, row_id, before, after) VALUES (?, ?, ?, ?, ?)",
            [
                (cursor.lastrowid, c["table"], (c["after"] or c["before"])["id"],
                 None if c["before"] is None else json.dumps(c["before"], ensure_ascii=False),
                 None if c["after"] is None else json.dumps(c["after"], ensure_ascii=False))
                for c in changes
            ],
        )

    # ------------------------------------------------------------------ recorded row changes

    def _insert(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        """Insert a row inside an action and record it; return it with its id."""
        columns = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        cursor = self.conn.execute(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', tuple(row.values()))
        row = {"id": cursor.lastrowid, **row} if "id" not in row else row
        if self._recording():
            self._record(table, None, self._row(table, row["id"]))
        return row

    def _insert_many(self, table: str, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert rows inside an action, as `_insert` inserts each, and return their ids in order.

        In an action that keeps no row images (an import), rows with the same columns go to
        SQLite in one `executemany`: 20,000 codings are then a few statements, not 20,000
        calls. Their ids are read back as those above the largest id before them, in order:
        every table written this way is AUTOINCREMENT, whose ids only grow (the count is checked).
        """
        if self._recording():
            return [self._insert(table, row)["id"] for row in rows]
        if any("id" in row for row in rows):
            raise ValueError("_insert_many chooses the ids: rows must not have one")
        before = self.conn.execute(f'SELECT ifnull(max(id), 0) FROM "{table}"').fetchone()[0]
        for columns, same in groupby(rows, key=tuple):
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            self.conn.executemany(
                f'INSERT INTO "{table}" ({names}) VALUES ({marks})', [tuple(row.values()) for row in same]
            )
        ids = [r[0] for r in self.conn.execute(f'SELECT id FROM "{table}" WHERE id > ? ORDER BY id', (before,))]
        if len(ids) != len(rows):
            raise ProjectError(f"{len(rows)} rows inserted into {table}, but {len(ids)} new ids found")
        return ids

    def _update(self, table: str, row_id: int, **values: Any) -> dict[str, Any]:
        """Update a row inside an action and record before and after; return the new row."""
        before = self._row(table, row_id)
        sets = ", ".join(f'"{c}" = ?' for c in values)
        self.conn.execute(f'UPDATE "{table}" SET {sets} WHERE id = ?', (*values.values(), row_id))
        if not self._recording():
            return {**before, **values}
        after = self._row(table, row_id)
        self._record(table, before, after)
        return after

    def _delete(self, table: str, row_id: int) -> dict[str, Any]:
        """Delete a row inside an action and record it; return what it was."""
        before = self._row(table, row_id)
        self.conn.execute(f'DELETE FROM "{table}" WHERE id = ?', (row_id,))
        self._record(table, before, None)
        return before

    def _recording(self) -> bool:
        """Whether the action in progress keeps row images (raises outside an action)."""
        if self._recorder is None:
            raise RuntimeError("a change outside an action")
        return self._recorder.undoable

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

    # ------------------------------------------------------------------ undo and redo

    def undo(self) -> Event | None:
        """Undo the latest change that is not undone yet; None when there is nothing to undo."""
        return self._step("done", "undone", "DESC", forward=False)

    def redo(self) -> Event | None:
        """Redo the change undone most recently; None when there is nothing to redo."""
        return self._step("undone", "done", "ASC", forward=True)

    def _step(self, state: str, new_state: str, order: str, *, forward: bool) -> Event | None:
        verb = "redo" if forward else "undo"
        try:
            with transaction(self.conn):
                row = self.conn.execute(
                    f"SELECT {_EVENT_COLUMNS} FROM events e LEFT JOIN coders c ON c.id = e.coder_id "
                    f"WHERE e.state = ? ORDER BY e.id {order} LIMIT 1",
                    (state,),
                ).fetchone()
                if row is None:
                    return None
                payload = json.loads(row[3])
                self._apply(payload.get("changes", []), forward=forward)
                self.conn.execute("UPDATE events SET state = ? WHERE id = ?", (new_state, row[0]))
                self.conn.execute(
                    "INSERT INTO events (at, coder_id, action, payload, state, transcript_id, first_line, last_line, theme_id) "
                    "VALUES (?, ?, ?, ?, 'final', ?, ?, ?, ?)",
                    (now(), self._current_coder_id(), verb,
                     json.dumps({"event": row[0], "summary": payload.get("summary", "")}, ensure_ascii=False),
                     row[5], row[6], row[7], row[8]),
                )
        except sqlite3.IntegrityError as error:
            self._forget_coder()
            self._seal_after_failure(row, forward=forward)
            raise ProjectError(
                f"cannot {verb} '{payload.get('summary', row[2])}': later changes depend on it "
                f"({error}); nothing further can be {verb}ne"
            ) from None
        except sqlite3.Error as error:
            self._forget_coder()
            raise ProjectError(describe_sqlite_error(self.path, error)) from None
        return _event(row, new_state, elsewhere=row[0] not in self._made_here)

    def _seal_after_failure(self, row: Sequence[Any], *, forward: bool) -> None:
        """An event that cannot be replayed ends its branch, so undo and redo never stick on it."""
        with transaction(self.conn):
            if forward:
                self.conn.execute("UPDATE events SET state = 'discarded' WHERE state = 'undone'")
            else:
                self.conn.execute("UPDATE events SET state = 'final' WHERE state = 'done' AND id <= ?", (row[0],))

    def seal_history(self) -> None:
        """Make every change so far final: nothing before now can be undone (a demo's own building)."""
        with transaction(self.conn):
            self.conn.execute("UPDATE events SET state = 'final' WHERE state = 'done'")
            self.conn.execute("UPDATE events SET state = 'discarded' WHERE state = 'undone'")

    def history(self, limit: int = 200) -> list[Event]:
        """The latest events, newest first."""
        rows = self.conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events e LEFT JOIN coders c ON c.id = e.coder_id ORDER BY e.id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [_event(r) for r in rows]

    def row_history(self, table: str, row_id: int) -> list[tuple[Event, dict[str, Any] | None, dict[str, Any] | None]]:
        """Every recorded change to one row, oldest first: (event, before, after)."""
        rows = self.conn.execute(
            f"SELECT {_EVENT_COLUMNS}, x.before, x.after FROM event_changes x JOIN events e ON e.id = x.event_id "
            "LEFT JOIN coders c ON c.id = e.coder_id WHERE x.table_name = ? AND x.row_id = ? ORDER BY e.id, x.id",
            (table, row_id),
        ).fetchall()
        return [
            (_event(r[:10]), None if r[10] is None else json.loads(r[10]), None if r[11] is None else json.loads(r[11]))
            for r in rows
        ]

    def can_undo(self) -> bool:
        """Whether there is a change to undo."""
        return self.conn.execute("SELECT 1 FROM events WHERE state = 'done' LIMIT 1").fetchone() is not None

    def can_redo(self) -> bool:
        """Whether there is an undone change to redo."""
        return self.conn.execute("SELECT 1 FROM events WHERE state = 'undone' LIMIT 1").fetchone() is not None
