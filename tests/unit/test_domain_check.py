"""`check()`: each kind of damage it must name, one case each, on a sound file first."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.project import Line, Project, schema

TEXT = "P01: one\nP01: two\nP01: three"


def make_lines(text: str) -> list[Line]:
    lines, start = [], 0
    for number, paragraph in enumerate(text.split("\n"), start=1):
        lines.append(Line(number, "P01", paragraph, start, start + len(paragraph), True, 5))
        start += len(paragraph) + 1
    return lines


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    project = Project.create(tmp_path / "study.margin", coder="VR")
    project.import_transcript(title="One", text=TEXT, lines=make_lines(TEXT), participant="P01")
    theme = project.create_theme("Lost")
    project.tag(1, 1, 2, theme.id)
    project.add_note(1, 3, 3, "descriptive", "end")
    assert project.check() == []
    yield project
    project.close()


def damage(project: Project) -> list[str]:
    """The problems check() finds, but for the history's note that rows were changed behind its back."""
    return [p for p in project.check() if not p.startswith("history: ")]


def test_a_wrong_schema_version(project: Project) -> None:
    project.conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION - 1}")
    assert damage(project) == [f"schema version {schema.SCHEMA_VERSION - 1}, expected {schema.SCHEMA_VERSION}"]


def test_a_gap_in_line_numbers(project: Project) -> None:
    project.conn.execute("UPDATE lines SET number = 4 WHERE number = 3")
    assert "transcript 1 line 4: not in order after line 2" in damage(project)


def test_a_first_line_that_is_not_one(project: Project) -> None:
    project.conn.execute("DELETE FROM lines WHERE number = 1")
    problems = damage(project)
    assert "transcript 1 line 2: not in order after line 0" in problems
    assert "transcript 1: 2 lines stored, 3 recorded" in problems


def test_lines_out_of_order_in_the_text(project: Project) -> None:
    project.conn.execute('UPDATE lines SET start = 0, "end" = 8, text = \'P01: one\' WHERE number = 2')
    problems = damage(project)
    assert "transcript 1 line 2: not in order after line 1" in problems
    assert not any("text differs" in p for p in problems)


def test_text_skipped_between_lines(project: Project) -> None:
    # Line 2 no longer starts where line 1 ends: the words between are in no line.
    project.conn.execute('UPDATE lines SET start = 14, text = \'two\' WHERE number = 2')
    problems = damage(project)
    assert "transcript 1 line 2: not in order after line 1" in problems
    assert not any("text differs" in p for p in problems)


def test_a_line_that_differs_from_the_text(project: Project) -> None:
    project.conn.execute("UPDATE lines SET text = 'P01: six' WHERE number = 2")
    assert "transcript 1 line 2: text differs from the transcript at 9-17" in damage(project)


def test_a_missing_line_count(project: Project) -> None:
    project.conn.execute("UPDATE transcripts SET line_count = 5")
    assert "transcript 1: 3 lines stored, 5 recorded" in damage(project)


def test_a_loop_of_parents(project: Project) -> None:
    a = project.create_theme("A", level="get")
    b = project.create_theme("B", level="pet", parent_id=a.id)
    project.conn.execute("UPDATE themes SET parent_id = ? WHERE id = ?", (b.id, a.id))
    problems = damage(project)
    assert f"theme {a.id}: its parents form a loop" in problems
    assert f"theme {b.id}: its parents form a loop" in problems


def test_a_theme_that_is_its_own_parent(project: Project) -> None:
    a = project.create_theme("A", level="get")
    project.conn.execute("UPDATE themes SET parent_id = id WHERE id = ?", (a.id,))
    assert damage(project) == [f"theme {a.id}: its parents form a loop"]


def test_a_deep_tree_is_no_loop(project: Project) -> None:
    get = project.create_theme("G", level="get")
    pet = project.create_theme("P", level="pet", parent_id=get.id)
    project.create_theme("S", parent_id=pet.id)
    assert damage(project) == []


def test_a_coding_past_the_end(project: Project) -> None:
    project.conn.execute("UPDATE codings SET last_line = 4")
    assert damage(project) == ["coding 1: lines 1-4 run past the end of transcript 1 (3 lines)"]


def test_a_note_past_the_end(project: Project) -> None:
    project.conn.execute("UPDATE notes SET last_line = 9")
    assert damage(project) == ["note 1: lines 3-9 run past the end of transcript 1 (3 lines)"]


def test_a_coding_on_the_last_line_is_fine(project: Project) -> None:
    project.conn.execute("UPDATE codings SET last_line = 3")
    assert damage(project) == []


def test_a_dangling_reference(project: Project) -> None:
    project.conn.execute("PRAGMA foreign_keys = OFF")
    project.conn.execute("UPDATE codings SET theme_id = 99")
    assert "codings row 1 points to a missing themes row" in damage(project)


def test_a_line_missing_from_the_search_index(project: Project) -> None:
    project.conn.execute("INSERT INTO lines_fts (lines_fts, rowid, text) VALUES ('delete', 2, 'P01: two')")
    problems = damage(project)
    assert "search index: 2 lines indexed, 3 stored (1 missing)" in problems


def test_a_search_index_with_the_wrong_text(project: Project) -> None:
    project.conn.execute("INSERT INTO lines_fts (lines_fts, rowid, text) VALUES ('delete', 2, 'P01: two')")
    project.conn.execute("INSERT INTO lines_fts (rowid, text) VALUES (2, 'something else')")
    problems = damage(project)
    assert len(problems) == 1 and problems[0].startswith("search index: ")


def test_a_file_others_can_read(project: Project) -> None:
    os.chmod(project.path, 0o644)
    assert damage(project) == ["file mode 644: others can read it (chmod 600 study.margin)"]


def test_a_read_only_project_is_checked_by_counts(project: Project) -> None:
    project.close()
    with Project.open(project.path, readonly=True) as reader:
        assert damage(reader) == []
    project.conn = Project.open(project.path).conn  # for the fixture's close


def test_a_damaged_index(project: Project) -> None:
    project.conn.execute("PRAGMA writable_schema = ON")
    project.conn.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX lines_by_cells ON lines (text)' "
                         "WHERE name = 'lines_by_cells'")
    project.conn.execute("PRAGMA writable_schema = RESET")
    assert "sqlite: row 1 missing from index lines_by_cells" in damage(project)


def test_a_coding_of_a_missing_transcript_runs_past_its_end(project: Project) -> None:
    project.conn.execute("PRAGMA foreign_keys = OFF")
    project.conn.execute("UPDATE codings SET transcript_id = 99, first_line = 1, last_line = 1")
    assert "coding 1: lines 1-1 run past the end of transcript 99 (0 lines)" in damage(project)


def test_a_file_others_can_only_run(project: Project) -> None:
    os.chmod(project.path, 0o601)
    assert damage(project) == ["file mode 601: others can read it (chmod 600 study.margin)"]


def test_lines_that_touch_are_in_order(project: Project) -> None:
    project.import_transcript(title="Two", text="abcd", lines=[Line(1, None, "ab", 0, 2), Line(2, None, "cd", 2, 4)],
                              participant=None)
    assert damage(project) == []


def test_a_line_that_starts_inside_the_one_before(project: Project) -> None:
    project.conn.execute('UPDATE lines SET start = 4, "end" = 8, text = \' one\' WHERE number = 2')
    assert "transcript 1 line 2: not in order after line 1" in damage(project)


def test_a_transcript_without_lines_is_sound(project: Project) -> None:
    project.import_transcript(title="Empty", text="", lines=[], participant=None)
    assert damage(project) == []


def test_a_missing_search_index(project: Project) -> None:
    project.conn.execute("DROP TABLE lines_fts")
    assert damage(project) == ["search index: no such table: lines_fts_docsize"]


def test_a_search_index_with_a_stray_row(project: Project) -> None:
    project.conn.execute("INSERT INTO lines_fts (lines_fts, rowid, text) VALUES ('delete', 2, 'P01: two')")
    project.conn.execute("INSERT INTO lines_fts (rowid, text) VALUES (99, 'P01: two')")
    assert "search index: 3 lines indexed, 3 stored (1 missing)" in damage(project)
