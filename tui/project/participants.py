"""Participants: the cases of a study, each with a pseudonym and optional attributes."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from tui.project.db import ProjectError, new_guid, now
from tui.project.model import Participant

_COLUMNS = "id, guid, pseudonym, attributes, case_done_at"


def _participant(row: tuple[Any, ...]) -> Participant:
    return Participant(row[0], row[1], row[2], json.loads(row[3] or "{}"), row[4])


class ParticipantsMixin:
    """Adding, finding, naming and describing participants."""

    conn: sqlite3.Connection

    def participants(self) -> list[Participant]:
        """All participants, by pseudonym."""
        rows = self.conn.execute(f"SELECT {_COLUMNS} FROM participants ORDER BY pseudonym")
        return [_participant(r) for r in rows]

    def participant(self, participant_id: int) -> Participant:
        """One participant by id."""
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM participants WHERE id = ?", (participant_id,)).fetchone()
        if row is None:
            raise ProjectError(f"no participant with id {participant_id}")
        return _participant(row)

    def find_participant(self, pseudonym: str) -> Participant | None:
        """The participant with this pseudonym (case-insensitive), if any."""
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM participants WHERE pseudonym = ? COLLATE NOCASE", (pseudonym.strip(),)
        ).fetchone()
        return _participant(row) if row else None

    def next_pseudonym(self) -> str:
        """The first free pseudonym of the form P01, P02, ... (as many digits as the study uses)."""
        taken = {p.pseudonym.casefold() for p in self.participants()}
        number = 1
        while f"p{number:02d}" in taken:
            number += 1
        return f"P{number:02d}"

    @staticmethod
    def _clean_pseudonym(pseudonym: str) -> str:
        pseudonym = " ".join(pseudonym.split())
        if not pseudonym:
            raise ProjectError("a participant needs a pseudonym such as P07")
        return pseudonym

    def add_participant(
        self, pseudonym: str, attributes: dict[str, str] | None = None, *, guid: str | None = None,
    ) -> Participant:
        """Add a participant; the pseudonym must be new."""
        pseudonym = self._clean_pseudonym(pseudonym)
        if self.find_participant(pseudonym):
            raise ProjectError(f"participant {pseudonym} already exists")
        with self.action("participant.add", f"add participant {pseudonym}"):
            row = self._insert("participants", {
                "guid": (guid or new_guid()).lower(), "pseudonym": pseudonym,
                "attributes": json.dumps(attributes or {}, ensure_ascii=False), "created_at": now(),
            })
        return self.participant(row["id"])

    def _participant_for(self, pseudonym: str) -> int:
        """The id of the participant with this pseudonym, created inside the current action if new."""
        pseudonym = self._clean_pseudonym(pseudonym)
        found = self.find_participant(pseudonym)
        if found:
            return found.id
        row = self._insert("participants", {
            "guid": new_guid(), "pseudonym": pseudonym, "attributes": "{}", "created_at": now(),
        })
        return row["id"]

    def rename_participant(self, participant_id: int, pseudonym: str) -> Participant:
        """Give a participant a new pseudonym (the name in themes and citations, not in the text)."""
        pseudonym = self._clean_pseudonym(pseudonym)
        other = self.find_participant(pseudonym)
        if other and other.id != participant_id:
            raise ProjectError(f"participant {pseudonym} already exists")
        old = self.participant(participant_id)
        with self.action("participant.rename", f"rename participant {old.pseudonym} to {pseudonym}"):
            self._update("participants", participant_id, pseudonym=pseudonym)
        return self.participant(participant_id)

    def set_participant_attributes(self, participant_id: int, attributes: dict[str, str]) -> Participant:
        """Replace a participant's attributes (age group, role, site...), one undoable action."""
        participant = self.participant(participant_id)
        clean = {str(k).strip(): str(v) for k, v in attributes.items() if str(k).strip()}
        with self.action("participant.attributes", f"describe {participant.pseudonym}"):
            self._update("participants", participant_id, attributes=json.dumps(clean, ensure_ascii=False))
        return self.participant(participant_id)

    def set_transcript_participant(self, transcript_id: int, pseudonym: str) -> Any:
        """Assign a transcript to a participant (created if new)."""
        transcript = self.transcript(transcript_id)
        with self.action(
            "transcript.participant", f"assign {transcript.title} to {pseudonym.strip()}", transcript_id=transcript_id,
        ):
            self._update("transcripts", transcript_id, participant_id=self._participant_for(pseudonym))
        return self.transcript(transcript_id)
