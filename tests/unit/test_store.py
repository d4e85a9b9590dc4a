"""The project file: pragmas, identity, migrations, refusals, permissions, transactions, history."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from tui.project import schema
from tui.project.model import Line
from tui.project import Project, ProjectError, parse_line_range
from tui.project.db import read_header

TEXT = (
    "Interviewer: How did the bulletin start?\n"
    "P07: Honestly? I felt a bit lost on the ward [laughs]. You stand in the corner.\n"
    "Interviewer: And then?\n"
    "P07: Then we wrote the first issue together."
)


def make_lines(text: str) -> list[Line]:
    """One line per paragraph, labels measured: enough for store tests."""
    lines, start = [], 0
    for number, paragraph in enumerate(text.split("\n"), start=1):
        label = paragraph.split(":", 1)[0]
        lines.append(Line(number, label, paragraph, start, start + len(paragraph), True, len(label) + 2))
        start += len(paragraph) + 1
    return lines


@pytest.fixture
def project(tmp_path: Path) -> Project:
    project = Project.create(tmp_path / "study.margin", coder="VR")
    project.import_transcript(title="Interview 7", text=TEXT, lines=make_lines(TEXT), participant="P07")
    yield project
    project.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_connection_has_the_pragmas(project: Project) -> None:
    conn = project.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA trusted_schema").fetchone()[0] == 0
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_file_identifies_itself(project: Project) -> None:
    header = read_header(project.path)
    assert header.application_id == schema.APPLICATION_ID
    assert header.user_version == schema.SCHEMA_VERSION


def test_new_files_and_backups_are_private(project: Project, tmp_path: Path) -> None:
    assert stat.S_IMODE(os.stat(project.path).st_mode) == 0o600
    project.backup(tmp_path / "copy.margin")
    assert stat.S_IMODE(os.stat(tmp_path / "copy.margin").st_mode) == 0o600
    with Project.open(tmp_path / "copy.margin") as copy:
        assert copy.transcript_text(copy.find_transcript("P07").id) == TEXT


def test_create_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "exists.margin"
    path.write_text("precious notes")
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(path)
    assert path.read_text() == "precious notes"


def test_fixed_columns_exist(project: Project) -> None:
    required = {
        "participants": {"id", "guid", "pseudonym"},
        "transcripts": {"id", "guid", "participant_id", "title", "text"},
        "lines": {"id", "transcript_id", "number", "speaker", "text", "start", "end"},
        "themes": {"id", "guid", "name", "parent_id", "level", "participant_id", "description"},
        "codings": {"id", "guid", "transcript_id", "first_line", "last_line", "theme_id", "coder_id", "created_at"},
        "notes": {"id", "guid", "transcript_id", "first_line", "last_line", "kind", "body", "coder_id", "created_at"},
        "memos": {"id", "guid", "title", "body", "created_at"},
        "coders": {"id", "guid", "name"},
        "events": {"id", "at", "coder_id", "action", "payload"},
    }
    for table, columns in required.items():
        assert columns <= set(project.db[table].columns_dict), table


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty file"),
        (b"Interviewer: hello\n", "not a SQLite file"),
    ],
)
def test_non_projects_are_refused_untouched(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "thing.margin"
    path.write_bytes(content)
    with pytest.raises(ProjectError, match=message):
        Project.open(path)
    assert path.read_bytes() == content


def test_another_programs_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(ProjectError, match="another program"):
        Project.open(path)
    assert digest(path) == before
    assert not list(tmp_path.glob("*.bak"))


def test_newer_file_is_refused_naming_both_versions(project: Project) -> None:
    project.conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 3}")
    project.close()
    before = digest(project.path)
    with pytest.raises(ProjectError) as raised:
        Project.open(project.path)
    assert f"version {schema.SCHEMA_VERSION + 3}" in str(raised.value)
    assert f"version {schema.SCHEMA_VERSION}" in str(raised.value)
    assert digest(project.path) == before


def test_version_0_file_is_migrated_after_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.margin"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    conn.close()
    assert read_header(path).user_version == 0
    with Project.open(path) as project:
        assert project.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert project.check() == [] or all("file mode" in p for p in project.check())
    backups = list(tmp_path.glob("old.margin.v0-*.bak"))
    assert len(backups) == 1
    assert read_header(backups[0]).user_version == 0


def test_version_1_file_keeps_its_data_and_gains_search(tmp_path: Path) -> None:
    path = tmp_path / "v1.margin"
    conn = sqlite3.connect(path, isolation_level=None)
    schema.migrate(conn, target=1)
    conn.execute("INSERT INTO participants (guid, pseudonym, created_at) VALUES ('g1', 'P01', 'now')")
    conn.execute(
        "INSERT INTO transcripts (guid, participant_id, title, text, imported_at) "
        "VALUES ('g2', 1, 'Interview 1', 'P01: the ward felt huge', 'now')"
    )
    conn.execute(
        'INSERT INTO lines (transcript_id, number, speaker, text, start, "end") VALUES (1, 1, \'P01\', \'P01: the ward felt huge\', 0, 23)'
    )
    conn.close()
    with Project.open(path) as project:
        assert project.find_transcript("P01").title == "Interview 1"
        assert project.search_lines("ward") == [(1, 1)]
        assert "coded_extracts" in project.db.view_names()
    assert len(list(tmp_path.glob("v1.margin.v1-*.bak"))) == 1


def test_failed_migration_leaves_the_old_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "v1.margin"
    conn = sqlite3.connect(path, isolation_level=None)
    schema.migrate(conn, target=1)
    conn.close()

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("simulated failure")

    monkeypatch.setattr(schema, "MIGRATIONS", (schema.MIGRATIONS[0], broken))
    with pytest.raises(ProjectError, match="simulated failure"):
        Project.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'half_done'").fetchone()
    conn.close()


def test_each_action_is_one_event_and_one_transaction(project: Project) -> None:
    transcript = project.find_transcript("Interview 7")
    events_before = len(project.history())
    coding = project.tag_with_new_theme(transcript.id, 2, 2, "Standing in the corner")
    assert not project.conn.in_transaction
    assert len(project.history()) == events_before + 1
    event = project.history()[0]
    assert event.action == "tag" and "Standing in the corner" in event.summary
    # The change is on disk: a second connection sees it.
    other = sqlite3.connect(project.path)
    assert other.execute("SELECT theme_id FROM codings WHERE id = ?", (coding.id,)).fetchone() == (coding.theme_id,)
    other.close()


def test_a_failed_action_leaves_nothing_behind(project: Project) -> None:
    transcript = project.find_transcript("Interview 7")
    themes, codings, events = len(project.themes()), len(project.codings()), len(project.history())
    with pytest.raises(ProjectError):
        with project.action("tag", "half a tag"):
            project._create_theme("Orphan theme", None, None, None)
            project.conn.execute("INSERT INTO codings (guid) VALUES ('broken')")  # violates NOT NULL
    assert (len(project.themes()), len(project.codings()), len(project.history())) == (themes, codings, events)
    with pytest.raises(ProjectError, match="outside"):
        project.tag_with_new_theme(transcript.id, 3, 99, "Out of range")
    assert project.find_theme("Out of range") is None


def test_undo_and_redo_walk_many_steps_and_survive_a_restart(project: Project) -> None:
    transcript = project.find_transcript("Interview 7")
    first = project.tag_with_new_theme(transcript.id, 2, 2, "Standing in the corner")
    project.tag_with_new_theme(transcript.id, 4, 4, "Writing together")
    note = project.add_note(transcript.id, 2, 2, "conceptual", "the corner as exclusion")
    project.edit_note(note.id, body="the corner as a place of exclusion")
    path = project.path
    project.close()

    reopened = Project.open(path, coder="VR")
    assert reopened.undo().action == "note.edit"
    assert reopened.note(note.id).body == "the corner as exclusion"
    assert reopened.undo().action == "note.add"
    assert reopened.notes(transcript.id) == []
    assert reopened.undo().action == "tag"
    assert reopened.find_theme("Writing together") is None
    assert [c.id for c in reopened.codings()] == [first.id]
    reopened.close()

    again = Project.open(path, coder="VR")
    assert again.redo().action == "tag"
    assert again.find_theme("Writing together") is not None
    # A new change ends the redo branch.
    again.untag(first.id)
    assert again.redo() is None
    assert again.undo().action == "untag"
    assert [c.theme_id for c in again.codings()] == [first.theme_id, again.find_theme("Writing together").id]
    again.close()


def test_delete_theme_is_undone_whole(project: Project) -> None:
    transcript = project.find_transcript("Interview 7")
    pet = project.create_theme("Outsider on the ward", level="pet")
    coding = project.tag_with_new_theme(transcript.id, 2, 2, "Standing in the corner", parent_id=pet.id)
    child = project.theme(coding.theme_id)
    project.delete_theme(pet.id)
    assert project.theme(child.id).parent_id is None
    project.undo()
    assert project.theme(child.id).parent_id == pet.id
    assert project.theme(pet.id).name == "Outsider on the ward"


def test_find_theme_by_path_and_ambiguity(project: Project) -> None:
    a = project.create_theme("Belonging", level="get")
    b = project.create_theme("Team", level="pet")
    project.create_theme("Feeling part", level="statement", parent_id=a.id)
    project.create_theme("Feeling part", level="statement", parent_id=b.id)
    assert project.find_theme("Belonging/Feeling part").parent_id == a.id
    with pytest.raises(ProjectError, match="ambiguous"):
        project.find_theme("Feeling part")


def test_coded_extracts_view_gives_the_exact_text(project: Project) -> None:
    transcript = project.find_transcript("Interview 7")
    project.tag_with_new_theme(transcript.id, 2, 3, "Lost on the ward")
    row = next(project.db.query("SELECT * FROM coded_extracts"))
    lines = project.lines(transcript.id, 2, 3)
    assert row["text"] == TEXT[lines[0].start : lines[-1].end]
    assert (row["participant"], row["lines"], row["coder"]) == ("P07", "2-3", "VR")


def test_full_text_search_takes_any_query(project: Project) -> None:
    assert project.search_lines("laughs") == [(1, 2)]
    for query in ['"', "[/]", "AND OR NOT", "col:umn", "*", "(("]:
        project.search_lines(query)  # never raises


def test_check_finds_a_damaged_line(project: Project) -> None:
    assert [p for p in project.check() if "file mode" not in p] == []
    project.conn.execute("UPDATE lines SET text = 'tampered' WHERE number = 2")
    assert any("line 2" in problem for problem in project.check())


def test_second_window_is_refused(project: Project) -> None:
    project.lock()
    other = Project.open(project.path)
    with pytest.raises(ProjectError, match="already open"):
        other.lock()
    other.close()


@pytest.mark.parametrize("text, expected", [("12", (12, 12)), ("12-15", (12, 15)), (" 3-3 ", (3, 3))])
def test_parse_line_range(text: str, expected: tuple[int, int]) -> None:
    assert parse_line_range(text) == expected


@pytest.mark.parametrize("text", ["", "a", "0", "5-3", "1-2-3", "-4"])
def test_parse_line_range_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_line_range(text)


def test_update_theme_renames_moves_and_refuses_a_loop(project: Project) -> None:
    get = project.create_theme("Identity maturation", level="get")
    pet = project.create_theme("From observer to contributor", level="pet", parent_id=get.id)
    statement = project.create_theme("Standing in the corner")
    project.update_theme(statement.id, parent_id=pet.id, name="  Standing   in the corner  ")
    moved = project.theme(statement.id)
    assert (moved.parent_id, moved.name) == (pet.id, "Standing in the corner")
    assert project.theme_paths()[statement.id] == "Identity maturation/From observer to contributor/Standing in the corner"
    with pytest.raises(ProjectError, match="under itself"):
        project.update_theme(get.id, parent_id=statement.id)
    with pytest.raises(ProjectError, match="unknown level"):
        project.update_theme(get.id, level="chapter")
    assert project.undo().action == "theme.update"
    assert project.theme(statement.id).parent_id is None


def test_theme_totals_take_in_everything_below(project: Project) -> None:
    transcript = project.find_transcript("P07")
    get = project.create_theme("Belonging", level="get")
    pet = project.create_theme("Outsider", level="pet", parent_id=get.id)
    project.tag_with_new_theme(transcript.id, 2, 2, "Corner", parent_id=pet.id)
    project.tag(transcript.id, 4, 4, pet.id)
    totals = project.theme_totals()
    assert totals[get.id] == (2, 1)
    assert totals[pet.id] == (2, 1)
    assert totals[project.find_theme("Corner").id] == (1, 1)


def test_memos_are_written_edited_deleted_and_undone(project: Project) -> None:
    memo = project.add_memo("Journal: after P07", "I recognised my own first ward round.")
    project.edit_memo(memo.id, body="I recognised my own first ward round; bracket it.")
    assert project.memo(memo.id).body.endswith("bracket it.")
    project.delete_memo(memo.id)
    assert project.memos() == []
    project.undo()
    assert project.memo(memo.id).title == "Journal: after P07"
    project.undo()
    assert project.memo(memo.id).body == "I recognised my own first ward round."
    with pytest.raises(ProjectError, match="title"):
        project.add_memo("  ")
