"""Codings: a theme applied to a range of lines, and the rule for ranges of one theme.

The rule: a theme never codes the same lines twice over. Tagging lines that a coding of the same
theme already covers is refused; tagging lines that take in whole codings of the same theme
replaces them with one coding of the larger range (they were redundant). Codings that only
share a line or touch (66-68 and 68-70, quotes that start and end mid-line) stay apart: they are
two extracts, cited apart. A coded line is a line that at least one coding covers
(`coded_lines`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from tui.project.db import ProjectError, new_guid, now
from tui.project.model import LEVEL_LABELS, Coding, Theme, span_text

RECENT_KEPT = 40
_COLUMNS = "id, guid, transcript_id, first_line, last_line, theme_id, coder_id, created_at, key_quote"


def _coding(row: Iterable[object]) -> Coding:
    values = list(row)
    values[8] = bool(values[8])
    return Coding(*values)  # type: ignore[arg-type]


def union_length(ranges: Iterable[tuple[int, int]]) -> int:
    """How many distinct lines a set of (first, last) ranges covers."""
    total, reach = 0, 0
    for first, last in sorted(ranges):
        if last <= reach:
            continue
        total += last - max(first, reach + 1) + 1
        reach = last
    return total


class CodingsMixin:
    """Tagging and untagging lines; reading codings; the recent themes."""

    conn: sqlite3.Connection

    def tag(self, transcript_id: int, first: int, last: int, theme_id: int, *, guid: str | None = None) -> Coding:
        """Apply a theme to lines first..last of a transcript (one undoable action)."""
        self._check_range(transcript_id, first, last)
        theme = self.theme(theme_id)
        self._check_may_code(theme, transcript_id)
        with self.action("tag", f"tag {span_text(first, last)} with {theme.name}",
                         transcript_id=transcript_id, first_line=first, last_line=last, theme_id=theme_id):
            coding_id = self._tag(transcript_id, first, last, theme, guid=guid)
        return self.coding(coding_id)

    def tag_with_new_theme(
        self, transcript_id: int, first: int, last: int, name: str, *, level: str | None = None,
        parent_id: int | None = None, participant_id: int | None = None,
    ) -> Coding:
        """Create a theme and apply it to lines first..last, as one undoable action."""
        self._check_range(transcript_id, first, last)
        with self.action("tag", f"tag {span_text(first, last)} with new theme {' '.join(name.split())}",
                         transcript_id=transcript_id, first_line=first, last_line=last):
            theme_id = self._create_theme(name, level, parent_id, participant_id)
            coding_id = self._tag(transcript_id, first, last, self.theme(theme_id))
        return self.coding(coding_id)

    def tag_by_name(self, transcript_id: int, first: int, last: int, ref: str, *, level: str | None = None) -> tuple[Coding, bool]:
        """Tag with the theme a typed name or path names, creating it where the path points if new.

        Returns the coding and whether a theme was created. The screens' picker and `margin tag`
        both come here, so a name means the same everywhere.
        """
        self._check_range(transcript_id, first, last)
        theme, new = self.resolve_theme(ref, transcript_id=transcript_id, level=level)
        if theme is not None:
            return self.tag(transcript_id, first, last, theme.id), False
        return self.tag_with_new_theme(transcript_id, first, last, new.pop("name"), **new), True

    def _check_may_code(self, theme: Theme, transcript_id: int) -> None:
        if not self.may_code(theme, transcript_id):
            raise ProjectError(
                f"{LEVEL_LABELS.get(theme.level, theme.level)} '{theme.name}' belongs to another participant's case; "
                "in IPA each case keeps its own statements and PETs"
            )

    def _tag(self, transcript_id: int, first: int, last: int, theme: Theme, *, guid: str | None = None) -> int:
        """Code first..last with `theme` inside the current action, by the rule of this module."""
        touching = self.conn.execute(
            f"SELECT {_COLUMNS} FROM codings WHERE transcript_id = ? AND theme_id = ? "
            "AND first_line <= ? AND last_line >= ? ORDER BY id",
            (transcript_id, theme.id, last, first),
        ).fetchall()
        codings = [_coding(r) for r in touching]
        for coding in codings:
            if coding.first_line <= first and coding.last_line >= last:
                raise ProjectError(
                    f"{span_text(first, last)} already tagged with {theme.name} "
                    f"({span_text(coding.first_line, coding.last_line)})"
                )
        inside = [c for c in codings if first <= c.first_line and c.last_line <= last]
        if inside:
            keep, *absorbed = inside
            for other in absorbed:
                self._move_coding_links(other.id, keep.id)
                self._delete("codings", other.id)
            self._update("codings", keep.id, first_line=first, last_line=last,
                         key_quote=int(any(c.key_quote for c in inside)))
            coding_id = keep.id
        else:
            coding_id = self._insert("codings", {
                "guid": (guid or new_guid()).lower(), "transcript_id": transcript_id, "first_line": first,
                "last_line": last, "theme_id": theme.id, "coder_id": self._current_coder_id(), "created_at": now(),
            })["id"]
        self._remember_recent(theme.id)
        return coding_id

    def _move_coding_links(self, old: int, new: int | None) -> None:
        """Memos and divergences about coding `old` are about `new` from now on (None: about no coding)."""
        for table in ("memos", "divergences"):
            for (row_id,) in self.conn.execute(f"SELECT id FROM {table} WHERE coding_id = ?", (old,)).fetchall():
                self._update(table, row_id, coding_id=new)

    def _detach_coding(self, coding_id: int) -> None:
        """Memos and divergences about a coding that goes no longer point at it."""
        self._move_coding_links(coding_id, None)

    def _remember_recent(self, theme_id: int) -> None:
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
        found = self._themes_by_ids(ids)
        return [found[i] for i in ids if i in found]

    def coding(self, coding_id: int) -> Coding:
        """One coding by id."""
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM codings WHERE id = ?", (coding_id,)).fetchone()
        if row is None:
            raise ProjectError(f"no coding with id {coding_id}")
        return _coding(row)

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
            f"SELECT {_COLUMNS} FROM codings {where} ORDER BY transcript_id, first_line, last_line, id", params
        )
        return [_coding(r) for r in rows]

    def coding_spans(self, transcript_id: int) -> list[tuple[int, int, int]]:
        """(first line, last line, theme id) of each coding of a transcript, in reading order (ties
        by theme): what the transcript view marks, without building a Coding for each of thousands.
        Read from the index `codings_once` alone and sorted here, which is faster than SQLite's
        ordering through the table."""
        spans = self.conn.execute(
            "SELECT first_line, last_line, theme_id FROM codings WHERE transcript_id = ?", (transcript_id,),
        ).fetchall()
        spans.sort()
        return spans

    def codings_at(self, transcript_id: int, line: int) -> list[Coding]:
        """The codings that cover one line."""
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM codings WHERE transcript_id = ? AND first_line <= ? AND last_line >= ? "
            "ORDER BY first_line, id",
            (transcript_id, line, line),
        )
        return [_coding(r) for r in rows]

    def untag(self, coding_id: int) -> Coding:
        """Remove a coding (one undoable action); return what was removed."""
        coding = self.coding(coding_id)
        theme = self.theme(coding.theme_id)
        with self.action("untag", f"remove {theme.name} from {span_text(coding.first_line, coding.last_line)}",
                         transcript_id=coding.transcript_id, first_line=coding.first_line,
                         last_line=coding.last_line, theme_id=coding.theme_id):
            self._detach_coding(coding_id)
            self._delete("codings", coding_id)
        return coding

    def coded_lines(self, transcript_id: int) -> int:
        """How many lines of a transcript at least one coding covers."""
        return union_length(self.conn.execute(
            "SELECT first_line, last_line FROM codings WHERE transcript_id = ?", (transcript_id,)
        ).fetchall())

    def progress(self, transcript_id: int) -> tuple[int, int, int]:
        """(lines, coded lines, notes) of a transcript."""
        notes = self.conn.execute("SELECT COUNT(*) FROM notes WHERE transcript_id = ?", (transcript_id,)).fetchone()[0]
        return self.line_count(transcript_id), self.coded_lines(transcript_id), notes

    def progress_all(self) -> dict[int, tuple[int, int, int]]:
        """(lines, coded lines, notes) of every transcript, in three queries whatever the study's size."""
        ranges: dict[int, list[tuple[int, int]]] = {}
        for tid, first, last in self.conn.execute("SELECT transcript_id, first_line, last_line FROM codings"):
            ranges.setdefault(tid, []).append((first, last))
        notes = dict(self.conn.execute("SELECT transcript_id, COUNT(*) FROM notes GROUP BY transcript_id").fetchall())
        return {
            tid: (count, union_length(ranges.get(tid, [])), notes.get(tid, 0))
            for tid, count in self.conn.execute("SELECT id, line_count FROM transcripts")
        }
