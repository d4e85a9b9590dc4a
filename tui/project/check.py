"""Checking a project: SQLite's integrity, the schema, lines against their transcript, ranges,
the theme tree, the search index and the file's mode."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from tui.project import schema


class CheckMixin:
    """`check()`: every problem found, one line each."""

    conn: sqlite3.Connection
    path: Path

    def check(self) -> list[str]:
        """Integrity and schema problems, one line each; empty when the project is sound."""
        problems: list[str] = []
        for (result,) in self.conn.execute("PRAGMA integrity_check"):
            if result != "ok":
                problems.append(f"sqlite: {result}")
        for row in self.conn.execute("PRAGMA foreign_key_check"):
            problems.append(f"{row[0]} row {row[1]} points to a missing {row[2]} row")
        version = self.schema_version
        if version != schema.SCHEMA_VERSION:
            problems.append(f"schema version {version}, expected {schema.SCHEMA_VERSION}")
        problems += self._check_lines()
        counts = dict(self.conn.execute("SELECT id, line_count FROM transcripts"))
        for table in ("codings", "notes"):
            for row_id, tid, first, last in self.conn.execute(
                f"SELECT id, transcript_id, first_line, last_line FROM {table}"
            ):
                if last > counts.get(tid, 0):
                    problems.append(
                        f"{table[:-1]} {row_id}: lines {first}-{last} run past the end of transcript {tid} "
                        f"({counts.get(tid, 0)} lines)"
                    )
        parents = dict(self.conn.execute("SELECT id, parent_id FROM themes"))
        for theme_id in parents:
            seen, node = set(), theme_id
            while node is not None and node not in seen:
                seen.add(node)
                node = parents.get(node)
            if node is not None:
                problems.append(f"theme {theme_id}: its parents form a loop")
        problems += self._check_search_index()
        mode = stat.S_IMODE(os.stat(self.path).st_mode) if os.name == "posix" else 0
        if mode & 0o077:
            problems.append(f"file mode {mode:o}: others can read it (chmod 600 {self.path.name})")
        return problems

    def _check_lines(self) -> list[str]:
        problems: list[str] = []
        texts = dict(self.conn.execute("SELECT id, text FROM transcripts"))
        counts = dict(self.conn.execute("SELECT id, line_count FROM transcripts"))
        previous: dict[int, tuple[int, int]] = {}
        seen: dict[int, int] = {}
        for tid, number, text, start, end in self.conn.execute(
            'SELECT transcript_id, number, text, start, "end" FROM lines ORDER BY transcript_id, number'
        ):
            source = texts.get(tid, "")
            seen[tid] = seen.get(tid, 0) + 1
            if source[start:end] != text:
                problems.append(f"transcript {tid} line {number}: text differs from the transcript at {start}-{end}")
            last = previous.get(tid)
            expected = last[0] + 1 if last else 1
            if number != expected or (last and (start < last[1] or source[last[1]:start].strip())):
                problems.append(f"transcript {tid} line {number}: not in order after line {expected - 1}")
            previous[tid] = (number, end)
        for tid, count in counts.items():
            if seen.get(tid, 0) != count:
                problems.append(f"transcript {tid}: {seen.get(tid, 0)} lines stored, {count} recorded")
        return problems

    def _check_search_index(self) -> list[str]:
        """The search index holds every line, and only lines, with the lines' text."""
        try:
            indexed = self.conn.execute("SELECT COUNT(*) FROM lines_fts_docsize").fetchone()[0]
            stored = self.conn.execute("SELECT COUNT(*) FROM lines").fetchone()[0]
            missing = self.conn.execute(
                "SELECT COUNT(*) FROM lines WHERE id NOT IN (SELECT id FROM lines_fts_docsize)"
            ).fetchone()[0]
        except sqlite3.Error as error:
            return [f"search index: {error}"]
        problems = []
        if indexed != stored or missing:
            problems.append(f"search index: {indexed} lines indexed, {stored} stored ({missing} missing)")
        try:
            self.conn.execute("INSERT INTO lines_fts (lines_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.OperationalError as error:
            if "readonly" not in str(error):  # FTS5 runs its check as a write; read-only: the counts above only
                problems.append(f"search index: {error}")
        except sqlite3.Error as error:
            problems.append(f"search index: {error}")
        return problems
