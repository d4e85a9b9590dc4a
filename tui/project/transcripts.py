"""Transcripts and their lines: importing, reading a page of lines, finding words in them.

`_write_lines` is the one writer of the `lines` table, and it keeps the search index
(`lines_fts`) in step: FTS5 cannot be kept by triggers on a connection with
`trusted_schema=OFF` (SQLite refuses a trigger that writes a virtual table then), so instead no
code writes lines any other way (a test proves it). Inside `lines_indexed_together` (an import
of many transcripts in one action) the index is written at the end of the block instead.
"""

from __future__ import annotations

import bisect
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from tui.project import schema
from tui.project.db import ProjectError, new_guid, now
from tui.project.model import Line, Transcript, span_text

_COLUMNS = "t.id, t.guid, t.participant_id, t.title, '', t.source, t.line_count, t.width, t.imported_at"
_LINE_COLUMNS = 'number, speaker, text, start, "end", turn_start, label_length, timestamp'
#: Transcripts indexed by one statement: below SQLite's oldest limit of 999 parameters.
_IDS_PER_STATEMENT = 500


def _line(r: Sequence[Any]) -> Line:
    return Line(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7])


class TranscriptsMixin:
    """Transcripts (metadata, text) and their numbered lines."""

    conn: sqlite3.Connection
    #: Transcripts whose new lines wait for the search index, inside `lines_indexed_together`.
    _unindexed: list[int] | None = None

    def transcripts(self) -> list[Transcript]:
        """All transcripts, by participant then title: metadata only (`text` is empty)."""
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM transcripts t "
            "LEFT JOIN participants p ON p.id = t.participant_id ORDER BY p.pseudonym, t.title, t.id"
        )
        return [Transcript(*r) for r in rows]

    def transcript(self, transcript_id: int, *, text: bool = True) -> Transcript:
        """One transcript by id, with its text unless `text=False` (metadata only)."""
        if text:
            sql = f"SELECT {_COLUMNS.replace(chr(39) * 2, 't.text')} FROM transcripts t WHERE t.id = ?"
        else:  # from the index, without walking the text's pages (schema.TRANSCRIPT_METADATA_INDEX)
            sql = f"SELECT {_COLUMNS} FROM transcripts t INDEXED BY {schema.TRANSCRIPT_METADATA_INDEX} WHERE t.id = ?"
        row = self.conn.execute(sql, (transcript_id,)).fetchone()
        if row is None:
            raise ProjectError(f"no transcript with id {transcript_id}")
        return Transcript(*row)

    def transcript_text(self, transcript_id: int) -> str:
        """The whole verbatim text of a transcript."""
        row = self.conn.execute("SELECT text FROM transcripts WHERE id = ?", (transcript_id,)).fetchone()
        if row is None:
            raise ProjectError(f"no transcript with id {transcript_id}")
        return row[0]

    def find_transcript(self, ref: str) -> Transcript:
        """A transcript by title, id, or the pseudonym of a participant with one transcript
        (metadata only: `text` is empty; `transcript_text` reads it)."""
        ref = ref.strip()
        rows = self.conn.execute("SELECT id FROM transcripts WHERE title = ?", (ref,)).fetchall()
        if not rows:
            rows = self.conn.execute("SELECT id FROM transcripts WHERE title = ? COLLATE NOCASE", (ref,)).fetchall()
        if len(rows) == 1:
            return self.transcript(rows[0][0], text=False)
        if len(rows) > 1:
            raise ProjectError(f"transcript '{ref}' is ambiguous: {len(rows)} transcripts have that title; use its id")
        if ref.isdigit():
            row = self.conn.execute("SELECT id FROM transcripts WHERE id = ?", (int(ref),)).fetchone()
            if row:
                return self.transcript(row[0], text=False)
        participant = self.find_participant(ref)
        if participant:
            ids = self.conn.execute("SELECT id FROM transcripts WHERE participant_id = ?", (participant.id,)).fetchall()
            if len(ids) == 1:
                return self.transcript(ids[0][0], text=False)
            if len(ids) > 1:
                raise ProjectError(f"participant {participant.pseudonym} has {len(ids)} transcripts; name one by title")
        titles = [r[0] for r in self.conn.execute("SELECT title FROM transcripts ORDER BY title LIMIT 9")]
        hint = (f" (transcripts: {', '.join(titles[:8])}{' …' if len(titles) > 8 else ''})" if titles
                else " (the project has no transcripts yet)")
        raise ProjectError(f"no transcript '{ref}'{hint}")

    def has_transcript_titled(self, title: str) -> bool:
        """Whether a transcript already has exactly this title."""
        return self.conn.execute("SELECT 1 FROM transcripts WHERE title = ?", (title,)).fetchone() is not None

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
        guid: str | None = None,
    ) -> Transcript:
        """Store a parsed transcript and its lines in one transaction.

        An import is not undoable (its lines would make a huge event); it seals the history
        before it instead, so undo never reaches past it to changes that it depends on.
        """
        previous_end = 0
        for line in lines:
            if text[line.start : line.end] != line.text or line.start < previous_end:
                raise ProjectError(
                    f"{source or title}: line {line.number} does not match the text (nothing was imported)"
                )
            previous_end = line.end
        with self.action("transcript.import", f"import {title}", undoable=False):
            participant_id = self._participant_for(participant) if participant else None
            cursor = self.conn.execute(
                "INSERT INTO transcripts (guid, participant_id, title, text, source, format, encoding, width, "
                "imported_at, line_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((guid or new_guid()).lower(), participant_id, title, text, source, format, encoding, width,
                 now(), len(lines)),
            )
            transcript_id = cursor.lastrowid
            self._place(transcript_id=transcript_id)
            self._write_lines(transcript_id, lines)
        return self.transcript(transcript_id, text=False)

    def _write_lines(self, transcript_id: int, lines: Sequence[Line]) -> None:
        """Insert a transcript's lines and their search index: the only writer of `lines`."""
        self.conn.executemany(
            f'INSERT INTO lines (transcript_id, {_LINE_COLUMNS}, cells) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [
                (transcript_id, l.number, l.speaker, l.text, l.start, l.end, int(l.turn_start), l.label_length,
                 l.timestamp, schema.display_cells(l.text))
                for l in lines
            ],
        )
        if self._unindexed is not None:
            self._unindexed.append(transcript_id)
        else:
            self._index_lines([transcript_id])

    @contextmanager
    def lines_indexed_together(self) -> Iterator[None]:
        """The whole body of an action that imports many transcripts: their lines are indexed
        for search at its end, in one statement.

        FTS5 writes its pending terms out as a segment at the end of every statement that adds
        to it, and merges the segments as they pile up: one statement for 50 transcripts of
        2,000 lines indexes them in 0.3 s, 50 statements in 0.5 s. Until the block ends, search
        does not see its lines, so nothing in it may search them or rewrite them; and it must
        be the action's whole body, so that an error in it rolls back the unindexed lines too.
        """
        if self._unindexed is not None:  # inside another such block: that one indexes
            yield
            return
        self._unindexed = []
        try:
            yield
            self._index_lines(self._unindexed)
        finally:
            self._unindexed = None

    def _index_lines(self, transcript_ids: Sequence[int]) -> None:
        """Add the lines of these transcripts (just written) to the search index, in one statement.

        In rowid order (each transcript's lines by number, as written): FTS5 writes its pending
        terms out as a new segment whenever a rowid is lower than the one before, and SQLite
        reads one transcript's lines through `lines_by_cells` (by width) unless told an order;
        out of order, 2,000 lines made hundreds of tiny segments to merge, twice as slow.
        """
        ids = list(dict.fromkeys(transcript_ids))  # a transcript's lines are indexed once
        for at in range(0, len(ids), _IDS_PER_STATEMENT):
            chunk = ids[at : at + _IDS_PER_STATEMENT]
            self.conn.execute(
                "INSERT INTO lines_fts (rowid, text) SELECT id, text FROM lines "
                f"WHERE transcript_id IN ({', '.join('?' * len(chunk))}) ORDER BY transcript_id, number",
                chunk,
            )

    def _rewrite_lines(self, transcript_id: int, lines: Sequence[Line]) -> None:
        """Replace the text, speaker and offsets of existing lines (same numbers) and their search
        index together: the one updater of `lines`, beside `_write_lines`."""
        for l in lines:
            row = self.conn.execute(
                "SELECT id, text FROM lines WHERE transcript_id = ? AND number = ?", (transcript_id, l.number)
            ).fetchone()
            if row is None:
                raise ProjectError(f"transcript {transcript_id} has no line {l.number}")
            self.conn.execute("INSERT INTO lines_fts (lines_fts, rowid, text) VALUES ('delete', ?, ?)", row)
            self.conn.execute(
                'UPDATE lines SET speaker = ?, text = ?, start = ?, "end" = ?, label_length = ?, cells = ? WHERE id = ?',
                (l.speaker, l.text, l.start, l.end, l.label_length, schema.display_cells(l.text), row[0]),
            )
            self.conn.execute("INSERT INTO lines_fts (rowid, text) VALUES (?, ?)", (row[0], l.text))

    def _compact_search_index(self) -> None:
        """Merge the search index into one segment, so words of replaced lines are gone from it."""
        self.conn.execute("INSERT INTO lines_fts (lines_fts) VALUES ('optimize')")

    def lines(self, transcript_id: int, first: int = 1, last: int | None = None) -> list[Line]:
        """The lines of a transcript from `first` to `last` (inclusive), in order."""
        rows = self.conn.execute(
            f"SELECT {_LINE_COLUMNS} FROM lines WHERE transcript_id = ? AND number >= ? AND number <= ? ORDER BY number",
            (transcript_id, first, last if last is not None else 2**62),
        )
        return [_line(r) for r in rows]

    def line_shapes(self, transcript_id: int) -> list[tuple[int, int, int, str | None, bool, int, str | None]]:
        """(number, start, end, speaker, turn start, label length, timestamp) of each line, in order.

        The lines without their text, as plain tuples: an export of a whole project compares
        100,000 of them with the text wrapped again, and building a `Line` for each took longer
        than reading them.
        """
        rows = self.conn.execute(
            'SELECT number, start, "end", speaker, turn_start, label_length, timestamp FROM lines '
            "WHERE transcript_id = ? ORDER BY number",
            (transcript_id,),
        )
        return [(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6]) for r in rows]

    def long_lines(self, transcript_id: int, cells: int) -> list[tuple[int, str]]:
        """(number, text) of the lines wider than `cells` terminal cells."""
        rows = self.conn.execute(
            "SELECT number, text FROM lines WHERE transcript_id = ? AND cells > ? ORDER BY number", (transcript_id, cells),
        )
        return rows.fetchall()

    def find_matches(self, transcript_id: int, query: str) -> list[tuple[int, int]]:
        """(first line, last line) of each occurrence of `query`, ignoring case; a phrase may run across lines.

        Any run of whitespace in the transcript (a line break, say) matches one space of the query.
        """
        needle = " ".join(query.casefold().split())
        if not needle:
            return []
        row = self.conn.execute("SELECT text FROM transcripts WHERE id = ?", (transcript_id,)).fetchone()
        if row is None:
            return []
        text = row[0]
        haystack = text.casefold()
        if len(haystack) != len(text):  # casefold changed lengths (ß → ss): compare line by line instead
            return [(n, n) for n, t in self.conn.execute(
                "SELECT number, text FROM lines WHERE transcript_id = ? ORDER BY number", (transcript_id,)
            ) if needle in " ".join(t.casefold().split())]
        pattern = re.compile(r"\s+".join(re.escape(word) for word in needle.split(" ")))
        starts = [r[0] for r in self.conn.execute(
            "SELECT start FROM lines WHERE transcript_id = ? ORDER BY number", (transcript_id,)
        )]
        if not starts:
            return []
        found: list[tuple[int, int]] = []
        for match in pattern.finditer(haystack):
            first = max(bisect.bisect_right(starts, match.start()) - 1, 0)
            last = max(bisect.bisect_left(starts, match.end()) - 1, first)
            found.append((first + 1, last + 1))
        return found

    def find_in_transcript(self, transcript_id: int, query: str) -> list[int]:
        """Numbers of the lines that `query` falls on, ignoring case; a phrase may run across lines."""
        return sorted({n for first, last in self.find_matches(transcript_id, query) for n in range(first, last + 1)})

    def data_version(self) -> int:
        """A number that changes whenever another connection (another margin command) commits.

        Asked once a second by an open window, so it never waits: while another program holds the
        file exclusively it raises ProjectBusy at once instead of freezing the window for the busy
        timeout on every tick.
        """
        wait = self.conn.execute("PRAGMA busy_timeout").fetchone()[0]
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            return self.conn.execute("PRAGMA data_version").fetchone()[0]
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(wait)}")

    def line_count(self, transcript_id: int) -> int:
        """How many lines a transcript has (kept at import, not counted)."""
        row = self.conn.execute(
            f"SELECT line_count FROM transcripts INDEXED BY {schema.TRANSCRIPT_METADATA_INDEX} WHERE id = ?",
            (transcript_id,),
        ).fetchone()
        return row[0] if row else 0

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
        transcript = self.transcript(transcript_id, text=False)
        count = transcript.line_count
        if first < 1 or last < first or last > count:
            raise ProjectError(
                f"{span_text(first, last)} {'is' if first == last else 'are'} outside transcript "
                f"{transcript.title} (lines 1-{count})"
            )
