"""Checking a project: SQLite's integrity, the schema, lines against their transcript, ranges,
the theme tree, the search index and the file's mode."""

from __future__ import annotations

import json
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
        problems += self._check_events()
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
        """The search index holds every line, and only lines, with each line's words, read-only too.

        The index's own entries (FTS5's `instance` vocabulary: word, line id, position) are
        compared with an index rebuilt from the lines into a temporary in-memory table.
        """
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
            self.conn.execute("DROP TABLE IF EXISTS temp.margin_fts_expected")
            self.conn.execute(
                "CREATE VIRTUAL TABLE temp.margin_fts_expected USING FTS5 (text, tokenize='unicode61 remove_diacritics 2')"
            )
            self.conn.execute("INSERT INTO temp.margin_fts_expected (rowid, text) SELECT id, text FROM main.lines")
            for kind in ("row", "instance"):
                self.conn.execute(
                    f"CREATE VIRTUAL TABLE temp.margin_fts_expected_{kind} USING fts5vocab(temp, margin_fts_expected, {kind})"
                )
                self.conn.execute(f"CREATE VIRTUAL TABLE temp.margin_fts_actual_{kind} USING fts5vocab(main, lines_fts, {kind})")
            # Words whose count of lines or occurrences differs, then the lines of those words, and
            # lines whose number of words differs: the index against the lines in a few scans.
            terms = [r[0] for r in self.conn.execute(
                "SELECT term FROM (SELECT term, doc, cnt FROM temp.margin_fts_actual_row EXCEPT "
                "SELECT term, doc, cnt FROM temp.margin_fts_expected_row) UNION SELECT term FROM "
                "(SELECT term, doc, cnt FROM temp.margin_fts_expected_row EXCEPT "
                "SELECT term, doc, cnt FROM temp.margin_fts_actual_row) LIMIT 50"
            )]
            docs = {r[0] for r in self.conn.execute(
                "SELECT id FROM (SELECT id, sz FROM main.lines_fts_docsize EXCEPT SELECT id, sz FROM "
                "temp.margin_fts_expected_docsize) UNION SELECT id FROM (SELECT id, sz FROM "
                "temp.margin_fts_expected_docsize EXCEPT SELECT id, sz FROM main.lines_fts_docsize) LIMIT 1000"
            )}
            for term in terms:
                docs |= {r[0] for r in self.conn.execute(
                    "SELECT doc FROM (SELECT doc, offset FROM temp.margin_fts_actual_instance WHERE term = ?1 EXCEPT "
                    "SELECT doc, offset FROM temp.margin_fts_expected_instance WHERE term = ?1) UNION SELECT doc FROM "
                    "(SELECT doc, offset FROM temp.margin_fts_expected_instance WHERE term = ?1 EXCEPT "
                    "SELECT doc, offset FROM temp.margin_fts_actual_instance WHERE term = ?1) LIMIT 1000",
                    (term,),
                )}
            wrong = [(d,) for d in sorted(docs)][:1000]
        except sqlite3.Error as error:
            return problems + [f"search index: {error}"]
        finally:
            for name in ("margin_fts_actual_row", "margin_fts_expected_row", "margin_fts_actual_instance",
                         "margin_fts_expected_instance", "margin_fts_expected"):
                try:
                    self.conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
                except sqlite3.Error:
                    pass
        if wrong:
            places = self.conn.execute(
                f"SELECT transcript_id, number FROM lines WHERE id IN ({','.join('?' * len(wrong))}) ORDER BY 1, 2 LIMIT 5",
                [r[0] for r in wrong],
            ).fetchall()
            where = ", ".join(f"transcript {t} line {n}" for t, n in places) or "lines that no longer exist"
            problems.append(
                f"search index: {len(wrong)}{'+' if len(wrong) == 1000 else ''} lines indexed with other words "
                f"than they hold ({where}); searching misses or invents matches"
            )
        return problems

    def _check_events(self) -> list[str]:
        """Every row's newest recorded change matches the row (or the row is gone after a delete).

        Only changes after the newest action that keeps no row images (an import) are compared,
        since such an action may change rows without recording them. Columns a row image lacks
        (added by a later schema version) are not compared.
        """
        barrier = self.conn.execute(
            "SELECT MAX(id) FROM events WHERE action NOT IN ('undo', 'redo') AND id NOT IN "
            "(SELECT event_id FROM event_changes)"
        ).fetchone()[0] or 0
        rows = self.conn.execute(
            "SELECT x.table_name, x.row_id, x.after, MAX(x.event_id * 1000000 + x.id) FROM event_changes x "
            "JOIN events e ON e.id = x.event_id WHERE e.state IN ('done', 'final') AND x.event_id > ? "
            "GROUP BY x.table_name, x.row_id",
            (barrier,),
        ).fetchall()
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        problems: list[str] = []
        for table, row_id, after, _ in rows:
            if table not in tables:
                problems.append(f"history: a change to a table '{table}' that does not exist")
                continue
            cursor = self.conn.execute(f'SELECT * FROM "{table}" WHERE id = ?', (row_id,))
            values = cursor.fetchone()
            current = dict(zip([d[0] for d in cursor.description], values)) if values else None
            if after is None:
                if current is not None:
                    problems.append(f"history: {table[:-1]} {row_id} was deleted but is still there")
                continue
            image = json.loads(after)
            if current is None:
                problems.append(f"history: {table[:-1]} {row_id} is missing, though no change deleted it")
            elif any(current.get(k, v) != v for k, v in image.items() if not k.startswith("_")):
                problems.append(f"history: {table[:-1]} {row_id} differs from its last recorded change")
            if len(problems) >= 20:
                break
        return problems
