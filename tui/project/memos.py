"""Memos: free text on the project (journal entries), a participant, a transcript, a theme or a coding.

A journal entry is a memo about nothing else, labelled with the analysis stage it was written in.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from tui.project.db import ProjectError, new_guid, now
from tui.project.model import STAGES, Memo

_COLUMNS = (
    "id, guid, title, body, created_at, participant_id, transcript_id, theme_id, coding_id, stage, coder_id, updated_at"
)
_SUBJECTS = ("participant_id", "transcript_id", "theme_id", "coding_id")


def _check_stage(stage: str | None) -> str | None:
    if stage is None or stage == "":
        return None
    for known in STAGES:
        if stage.strip().casefold() == known.casefold():
            return known
    raise ProjectError(f"unknown stage '{stage}': choose one of {', '.join(STAGES)}")


class MemosMixin:
    """Writing, editing, deleting and listing memos and journal entries."""

    conn: sqlite3.Connection

    def add_memo(
        self, title: str, body: str = "", *, participant_id: int | None = None, transcript_id: int | None = None,
        theme_id: int | None = None, coding_id: int | None = None, stage: str | None = None,
        guid: str | None = None, created_at: str | None = None,
    ) -> Memo:
        """Write a memo or journal entry (one undoable action)."""
        title = title.strip()
        if not title:
            raise ProjectError("a memo needs a title")
        stage = _check_stage(stage)
        with self.action("memo.add", f"add memo {title}", transcript_id=transcript_id, theme_id=theme_id):
            row = self._insert("memos", {
                "guid": (guid or new_guid()).lower(), "title": title, "body": body, "created_at": created_at or now(),
                "participant_id": participant_id, "transcript_id": transcript_id, "theme_id": theme_id,
                "coding_id": coding_id, "stage": stage, "coder_id": self._current_coder_id(),
            })
        return self.memo(row["id"])

    def edit_memo(
        self, memo_id: int, *, title: str | None = None, body: str | None = None, stage: str | None = None,
    ) -> Memo:
        """Change a memo's title, text or stage (one undoable action)."""
        memo = self.memo(memo_id)
        values: dict[str, Any] = {}
        if title is not None:
            if not title.strip():
                raise ProjectError("a memo needs a title")
            values["title"] = title.strip()
        if body is not None:
            values["body"] = body
        if stage is not None:
            values["stage"] = _check_stage(stage)
        values["updated_at"] = now()
        with self.action("memo.edit", f"edit memo {memo.title}", transcript_id=memo.transcript_id, theme_id=memo.theme_id):
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
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM memos WHERE id = ?", (memo_id,)).fetchone()
        if row is None:
            raise ProjectError(f"no memo with id {memo_id}")
        return Memo(*row)

    def memos(self, *, stage: str | None = None, journal: bool | None = None, **about: int | None) -> list[Memo]:
        """Memos, newest first; filtered by stage, by being a journal entry, or by what they are about."""
        clauses, params = [], []
        if stage is not None:
            clauses.append("stage = ?")
            params.append(_check_stage(stage))
        if journal is not None:
            test = " AND ".join(f"{c} IS NULL" for c in _SUBJECTS)
            clauses.append(f"({test})" if journal else f"NOT ({test})")
        for column, value in about.items():
            if column not in _SUBJECTS:
                raise ProjectError(f"memos are not about '{column}'")
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return [Memo(*r) for r in self.conn.execute(
            f"SELECT {_COLUMNS} FROM memos {where} ORDER BY created_at DESC, id DESC", params,
        )]
