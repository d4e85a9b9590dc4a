"""Exploratory notes: descriptive, linguistic or conceptual notes on a range of lines."""

from __future__ import annotations

import sqlite3

from tui.project.db import ProjectError, new_guid, now
from tui.project.model import NOTE_KINDS, Note, span_text

_COLUMNS = "id, guid, transcript_id, first_line, last_line, kind, body, coder_id, created_at"


def _check_note(kind: str, body: str) -> None:
    if kind not in NOTE_KINDS:
        raise ProjectError(f"unknown note kind '{kind}': choose one of {', '.join(NOTE_KINDS)}")
    if not body.strip():
        raise ProjectError("a note needs some text")


class NotesMixin:
    """Writing, editing, deleting and reading exploratory notes."""

    conn: sqlite3.Connection

    def add_note(
        self, transcript_id: int, first: int, last: int, kind: str, body: str, *, guid: str | None = None,
    ) -> Note:
        """Add an exploratory note on lines first..last (one undoable action)."""
        _check_note(kind, body)
        self._check_range(transcript_id, first, last)
        with self.action("note.add", f"add {kind} note on {span_text(first, last)}",
                         transcript_id=transcript_id, first_line=first, last_line=last):
            row = self._insert("notes", {
                "guid": (guid or new_guid()).lower(), "transcript_id": transcript_id, "first_line": first,
                "last_line": last, "kind": kind, "body": body.strip(), "coder_id": self._current_coder_id(),
                "created_at": now(),
            })
        return self.note(row["id"])

    def edit_note(self, note_id: int, *, kind: str | None = None, body: str | None = None) -> Note:
        """Change a note's kind or text (one undoable action)."""
        note = self.note(note_id)
        kind = kind or note.kind
        body = note.body if body is None else body.strip()
        _check_note(kind, body)
        with self.action("note.edit", f"edit note on {span_text(note.first_line, note.last_line)}",
                         transcript_id=note.transcript_id, first_line=note.first_line, last_line=note.last_line):
            self._update("notes", note_id, kind=kind, body=body)
        return self.note(note_id)

    def delete_note(self, note_id: int) -> Note:
        """Delete a note (one undoable action); return what was deleted."""
        note = self.note(note_id)
        with self.action("note.delete", f"delete note on {span_text(note.first_line, note.last_line)}",
                         transcript_id=note.transcript_id, first_line=note.first_line, last_line=note.last_line):
            self._delete("notes", note_id)
        return note

    def note(self, note_id: int) -> Note:
        """One note by id."""
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM notes WHERE id = ?", (note_id,)).fetchone()
        if row is None:
            raise ProjectError(f"no note with id {note_id}")
        return Note(*row)

    def notes(self, transcript_id: int | None = None) -> list[Note]:
        """The notes of a transcript (or of all) in reading order."""
        where, params = ("WHERE transcript_id = ?", (transcript_id,)) if transcript_id is not None else ("", ())
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM notes {where} ORDER BY transcript_id, first_line, last_line, id", params,
        )
        return [Note(*r) for r in rows]

    def notes_at(self, transcript_id: int, line: int) -> list[Note]:
        """The notes that cover one line."""
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM notes WHERE transcript_id = ? AND first_line <= ? AND last_line >= ? "
            "ORDER BY first_line, id",
            (transcript_id, line, line),
        )
        return [Note(*r) for r in rows]
