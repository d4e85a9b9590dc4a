"""A transcript's metadata is read from an index, never by walking the pages of its text."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tui.project import Line, Project, schema

TEXT = "Interviewer: How was the first week?\nP01: Long. I stood in the corner of the ward.\n"


def lines_of(text: str) -> list[Line]:
    found, start = [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        found.append(Line(number, None, line, start, start + len(line)))
        start += len(line) + 1
    return found


def plans(conn: sqlite3.Connection, sql: str, *params: object) -> str:
    return " ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def test_metadata_reads_use_the_covering_index(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "study.margin", method="ta", coder="ana")
    try:
        made = project.import_transcript(title="Interview 1", text=TEXT, lines=lines_of(TEXT), participant="P01")
        traced: list[str] = []
        project.conn.set_trace_callback(traced.append)
        assert project.transcript(made.id, text=False).line_count == 2
        assert project.line_count(made.id) == 2
        assert [t.title for t in project.transcripts()] == ["Interview 1"]
        project.conn.set_trace_callback(None)
        for sql in traced:
            if "FROM transcripts" in sql and "text" not in sql.split("FROM")[0]:
                plan = plans(project.conn, sql)
                assert "COVERING INDEX transcripts_metadata" in plan, (sql, plan)
        assert project.transcript(made.id).text == TEXT  # the text itself is still read when asked for
    finally:
        project.close()


def test_a_version_4_file_gets_the_index_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.margin"
    project = Project.create(path, method="ta", coder="ana")
    project.import_transcript(title="Interview 1", text=TEXT, lines=lines_of(TEXT), participant="P01")
    project.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"DROP INDEX {schema.TRANSCRIPT_METADATA_INDEX}")
    conn.execute("PRAGMA user_version = 4")
    conn.close()
    with Project.open(path, coder="ana") as project:
        names = {r[0] for r in project.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert schema.TRANSCRIPT_METADATA_INDEX in names
        assert project.transcripts()[0].line_count == 2
