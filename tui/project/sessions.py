"""Sessions and drafts: where each coder stopped, what a session did, and unsaved typed text.

These are not analysis: writing them records no event and is never undone. Each is still one
committed transaction, so a hang-up right after leaves them on disk.
"""

from __future__ import annotations

import sqlite3

from tui.project.db import ProjectError, now, transaction
from tui.project.model import Draft, Session

_SESSION_COLUMNS = "coder_id, transcript_id, line, layout, started_at, updated_at"


class SessionsMixin:
    """Each coder's place in the study, the summary of a session, and drafts."""

    conn: sqlite3.Connection

    def save_session(self, transcript_id: int | None, line: int = 1, layout: str = "coding") -> None:
        """Remember where this coder is: the transcript, the cursor line and the layout."""
        with transaction(self.conn):
            coder_id = self._current_coder_id()
            if coder_id is None:
                return
            stamp = now()
            self.conn.execute(
                f"INSERT INTO sessions ({_SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (coder_id) DO UPDATE SET transcript_id = excluded.transcript_id, line = excluded.line, "
                "layout = excluded.layout, updated_at = excluded.updated_at",
                (coder_id, transcript_id, max(int(line), 1), layout, stamp, stamp),
            )

    def last_session(self) -> Session | None:
        """Where this coder stopped last time, if anywhere."""
        if self.coder is None:
            return None
        row = self.conn.execute(
            f"SELECT s.{_SESSION_COLUMNS.replace(', ', ', s.')} FROM sessions s JOIN coders c ON c.id = s.coder_id "
            "WHERE c.name = ?",
            (self.coder,),
        ).fetchone()
        return Session(*row) if row else None

    def transcript_activity(self) -> dict[int, tuple[str, str | None]]:
        """For each transcript worked on: (when it was last changed, by whom)."""
        rows = self.conn.execute(
            "SELECT e.transcript_id, e.at, c.name FROM events e LEFT JOIN coders c ON c.id = e.coder_id "
            "WHERE e.id IN (SELECT MAX(id) FROM events WHERE transcript_id IS NOT NULL GROUP BY transcript_id)"
        )
        return {tid: (at, name) for tid, at, name in rows}

    def session_summary(self, since: str) -> dict[str, int]:
        """What this coder's changes since `since` (ISO time) amount to: codings, notes, memos, undos."""
        coder_id = self._coder_id_if_known()
        counts = {"codings": 0, "notes": 0, "memos": 0, "changes": 0}
        if coder_id is None:
            return counts
        for action, state, count in self.conn.execute(
            "SELECT action, state, COUNT(*) FROM events WHERE coder_id = ? AND at >= ? GROUP BY action, state",
            (coder_id, since),
        ):
            if state not in ("done", "final") or action in ("undo", "redo"):
                continue
            counts["changes"] += count
            if action == "tag":
                counts["codings"] += count
            elif action == "note.add":
                counts["notes"] += count
            elif action == "memo.add":
                counts["memos"] += count
        return counts

    # ------------------------------------------------------------------ drafts

    def save_draft(self, kind: str, ref: str, body: str, *, draft_id: int | None = None) -> int:
        """Keep unsaved text (a note, a memo) in the project; return the draft's id."""
        if not kind:
            raise ProjectError("a draft needs a kind")
        with transaction(self.conn):
            coder_id = self._current_coder_id()
            if draft_id is not None and self.conn.execute("SELECT 1 FROM drafts WHERE id = ?", (draft_id,)).fetchone():
                self.conn.execute(
                    "UPDATE drafts SET body = ?, ref = ?, saved_at = ? WHERE id = ?", (body, ref, now(), draft_id)
                )
                return draft_id
            cursor = self.conn.execute(
                "INSERT INTO drafts (coder_id, kind, ref, body, saved_at) VALUES (?, ?, ?, ?, ?)",
                (coder_id, kind, ref, body, now()),
            )
            return int(cursor.lastrowid or 0)

    def drafts(self, kind: str | None = None) -> list[Draft]:
        """This coder's drafts (all coders' when no coder is set), newest first."""
        clauses, params = [], []
        if kind is not None:
            clauses.append("d.kind = ?")
            params.append(kind)
        if self.coder is not None:
            clauses.append("(c.name = ? OR d.coder_id IS NULL)")
            params.append(self.coder)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.conn.execute(
            f"SELECT d.id, d.kind, d.ref, d.body, d.saved_at FROM drafts d LEFT JOIN coders c ON c.id = d.coder_id "
            f"{where} ORDER BY d.saved_at DESC, d.id DESC",
            params,
        )
        return [Draft(*r) for r in rows]

    def discard_draft(self, draft_id: int) -> None:
        """Forget a draft (it was saved, or the user chose to throw it away)."""
        with transaction(self.conn):
            self.conn.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))
