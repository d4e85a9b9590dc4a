"""The faults of issue 6, one test each: undo that sticks, deferred writes, duplicated themes,
rules decided in two places, redundant codings, listings that read every text, history as rows."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from tui import cli
from tui.formats.demo import build_demo
from tui.project import Project, ProjectError, schema
from tui.project.db import connect
from tui.project.model import Line
from tui.project.themes import clean_theme_name

TEXT = "\n".join(f"P07: line {n} of the interview about the ward and the bulletin" for n in range(1, 81))


def make_lines(text: str) -> list[Line]:
    lines, start = [], 0
    for number, paragraph in enumerate(text.split("\n"), start=1):
        lines.append(Line(number, "P07", paragraph, start, start + len(paragraph), True, 5))
        start += len(paragraph) + 1
    return lines


@pytest.fixture
def project(tmp_path: Path) -> Project:
    project = Project.create(tmp_path / "study.margin", coder="VR")
    yield project
    project.close()


def imported(project: Project, title: str = "Interview 7", participant: str | None = "P07") -> int:
    return project.import_transcript(title=title, text=TEXT, lines=make_lines(TEXT), participant=participant).id


# ---------------------------------------------------------------------- 1. undo never sticks


def test_an_import_seals_the_history_so_undo_does_not_stick(project: Project) -> None:
    project.add_participant("P07")
    tid = imported(project)
    project.tag_with_new_theme(tid, 3, 4, "Feeling lost", participant_id=project.find_participant("P07").id)
    assert project.undo() is not None  # the tag
    # Before: undo went on to the participant that the import depends on, and failed for ever
    # with FOREIGN KEY constraint failed while can_undo() stayed true.
    assert project.undo() is None
    assert not project.can_undo()
    assert project.redo() is not None
    assert project.check() == []


def test_an_undo_that_cannot_be_replayed_says_so_once_and_ends_the_branch(project: Project) -> None:
    tid = imported(project)
    theme = project.create_theme("Belonging")
    project.delete_theme(theme.id)
    project.create_theme("Belonging")  # the name is taken again: undoing the delete cannot restore it
    project.conn.execute("UPDATE events SET state = 'final' WHERE action = 'theme.create' AND id = "
                         "(SELECT MAX(id) FROM events WHERE action = 'theme.create')")
    with pytest.raises(ProjectError, match="nothing further can be undone"):
        project.undo()
    assert not project.can_undo()
    assert project.undo() is None
    assert tid and project.check() == []


# ---------------------------------------------------------------------- 2. writes wait for the lock


def test_a_write_waits_for_another_writer_instead_of_failing_at_once(project: Project) -> None:
    tid = imported(project)
    other = sqlite3.connect(project.path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO settings (key, value) VALUES ('held', 'yes')")
    release = threading.Timer(0.6, lambda: other.execute("COMMIT"))
    release.start()
    started = time.monotonic()
    # Reads the settings first: a deferred transaction got SQLITE_BUSY here at once.
    coding = project.tag_with_new_theme(tid, 1, 2, "Waiting", participant_id=None)
    assert time.monotonic() - started >= 0.5
    assert coding.first_line == 1
    release.join()
    other.close()


def test_the_schema_enforces_one_coding_per_range_and_unique_theme_names(project: Project) -> None:
    tid = imported(project)
    theme = project.create_theme("Belonging")
    project.tag(tid, 5, 6, theme.id)
    with pytest.raises(sqlite3.IntegrityError):
        project.conn.execute(
            "INSERT INTO codings (guid, transcript_id, first_line, last_line, theme_id, created_at) "
            "VALUES ('x', ?, 5, 6, ?, 'now')", (tid, theme.id),
        )
    with pytest.raises(sqlite3.IntegrityError):
        project.conn.execute(
            "INSERT INTO themes (guid, name, level, created_at) VALUES ('y', 'BELONGING', 'statement', 'now')"
        )
    with pytest.raises(ProjectError, match="already exists"):
        project.create_theme("belonging")


def test_the_migration_resolves_duplicates_older_versions_made(tmp_path: Path) -> None:
    path = tmp_path / "old.margin"
    conn = connect(path)
    schema.migrate(conn, target=3)
    conn.execute("INSERT INTO themes (guid, name, level, created_at) VALUES ('a', 'Space', 'statement', 't')")
    conn.execute("INSERT INTO themes (guid, name, level, created_at) VALUES ('b', 'Space', 'statement', 't')")
    conn.close()
    with Project.open(path) as project:
        assert sorted(t.name for t in project.themes()) == ["Space", "Space (2)"]
        assert project.schema_version == schema.SCHEMA_VERSION


# ---------------------------------------------------------------------- 3. a path names one theme


def test_a_path_from_any_ancestor_names_the_theme_it_points_at(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo.margin"
    build_demo(path, coder="VR").close()
    with Project.open(path) as project:
        before = len(project.themes())
    ref = "From observer to contributor/Taking up a bit more space"
    assert cli.main(["tag", str(path), "P01", "101", ref, "--coder", "VR"]) == 0
    assert "(new theme)" not in capsys.readouterr().out
    assert cli.main(["tag", str(path), "P01", "102", ref, "--coder", "VR"]) == 0
    with Project.open(path) as project:
        assert len(project.themes()) == before
        named = project.find_theme("Taking up a bit more space")
        assert project.find_theme(project.theme_paths()[named.id]) == named
        assert project.find_theme(ref) == named


def test_a_new_name_at_the_end_of_a_path_goes_under_the_theme_the_path_names(project: Project) -> None:
    tid = imported(project)
    pid = project.find_participant("P07").id
    get = project.create_theme("Learning community", level="get")
    pet = project.create_theme("Being heard", level="pet", parent_id=get.id, participant_id=pid)
    coding, made = project.tag_by_name(tid, 7, 8, "Being heard/Asked for my view")
    theme = project.theme(coding.theme_id)
    assert made and theme.parent_id == pet.id and theme.level == "statement" and theme.participant_id == pid
    again, made = project.tag_by_name(tid, 20, 20, "learning community / being heard / asked for my view")
    assert not made and again.theme_id == theme.id
    with pytest.raises(ProjectError, match="no theme 'Nowhere' to put 'Something' under"):
        project.tag_by_name(tid, 9, 9, "Nowhere/Something")
    # A slash between parts without words is part of a name: [/] is a theme of its own.
    coding, made = project.tag_by_name(tid, 9, 9, "[/]")
    assert made and project.theme(coding.theme_id).name == "[/]"
    again, made = project.tag_by_name(tid, 30, 30, "[/]")
    assert not made and again.theme_id == coding.theme_id

# ---------------------------------------------------------------------- 4. one rule each, in the domain


def test_which_themes_a_transcript_may_use_and_the_scope_of_a_new_theme(project: Project) -> None:
    mine, theirs = imported(project), imported(project, "Interview 8", "P08")
    p07, p08 = project.find_participant("P07").id, project.find_participant("P08").id
    own = project.create_theme("Lost on the ward", participant_id=p07)
    other = project.create_theme("Lost on the ward", participant_id=p08)
    cross = project.create_theme("Identity maturation", level="get")
    assert {t.id for t in project.usable_themes(mine)} == {own.id, cross.id}
    assert {t.id for t in project.usable_themes(theirs)} == {other.id, cross.id}
    assert project.new_theme_scope(mine, "statement") == p07
    assert project.new_theme_scope(mine, "pet") == p07
    assert project.new_theme_scope(mine, "get") is None
    assert project.find_theme("Lost on the ward", transcript_id=theirs) == other
    corner = project.create_theme("Standing in the corner", participant_id=p07)
    for attempt in (lambda: project.tag(theirs, 1, 1, corner.id),
                    lambda: project.tag_by_name(theirs, 2, 2, "Standing in the corner")):
        with pytest.raises(ProjectError, match="another participant's case"):
            attempt()
    assert project.codings(theirs) == []
    assert clean_theme_name("  Sense\tof \n belonging ") == "Sense of belonging"


def test_a_ta_project_has_no_case_scope(tmp_path: Path) -> None:
    with Project.create(tmp_path / "ta.margin", method="ta", coder="VR") as project:
        tid = imported(project)
        assert project.new_theme_scope(tid, "code") is None
        coding, made = project.tag_by_name(tid, 1, 1, "Workload")
        assert made and project.theme(coding.theme_id).participant_id is None


# ---------------------------------------------------------------------- 5. no redundant codings


def test_lines_already_coded_with_a_theme_are_not_coded_again(project: Project) -> None:
    tid = imported(project)
    theme = project.create_theme("Belonging")
    project.tag(tid, 66, 68, theme.id)
    with pytest.raises(ProjectError, match="already tagged"):
        project.tag(tid, 68, 68, theme.id)
    assert [(c.first_line, c.last_line) for c in project.codings(tid)] == [(66, 68)]


def test_a_wider_range_takes_in_the_codings_it_covers(project: Project) -> None:
    tid = imported(project)
    theme = project.create_theme("Belonging")
    first = project.tag(tid, 10, 11, theme.id)
    project.tag(tid, 13, 14, theme.id)
    project.tag(tid, 14, 16, theme.id)  # shares a line with 13-14: a second extract, kept apart
    wide = project.tag(tid, 9, 15, theme.id)
    assert wide.id == first.id
    assert [(c.first_line, c.last_line) for c in project.codings(tid)] == [(9, 15), (14, 16)]
    project.undo()
    assert [(c.first_line, c.last_line) for c in project.codings(tid)] == [(10, 11), (13, 14), (14, 16)]
    assert project.coded_lines(tid) == 2 + 4


# ---------------------------------------------------------------------- 6. listing reads no text


def test_listing_transcripts_reads_metadata_only(project: Project) -> None:
    tid = imported(project)
    listed = project.transcripts()
    assert [t.text for t in listed] == [""]
    assert listed[0].line_count == 80
    assert project.transcript_text(tid) == TEXT
    assert project.progress_all() == {tid: (80, 0, 0)}


# ---------------------------------------------------------------------- history as rows, and places


def test_every_change_to_a_theme_is_a_query(project: Project) -> None:
    theme = project.create_theme("Belonging")
    project.update_theme(theme.id, name="Sense of belonging")
    project.update_theme(theme.id, description="Feeling part of the team")
    changes = project.row_history("themes", theme.id)
    assert [event.action for event, _, _ in changes] == ["theme.create", "theme.rename", "theme.update"]
    _, before, after = changes[1]
    assert (before["name"], after["name"]) == ("Belonging", "Sense of belonging")
    project.undo()  # the description
    project.redo()
    assert project.theme(theme.id).description == "Feeling part of the team"


def test_undo_says_where_the_change_was(project: Project) -> None:
    tid = imported(project)
    theme = project.create_theme("Belonging")
    project.tag(tid, 12, 14, theme.id)
    event = project.undo()
    assert (event.transcript_id, event.first_line, event.last_line, event.coder) == (tid, 12, 14, "VR")
    assert "lines 12-14" in event.summary


def test_undo_says_when_it_undoes_a_change_made_elsewhere(project: Project) -> None:
    tid = imported(project)
    theme = project.create_theme("Belonging")
    with Project.open(project.path, coder="AB") as other:  # another terminal, another coder
        other.tag(tid, 3, 3, theme.id)
    event = project.undo()
    assert event.elsewhere and event.coder == "AB" and event.first_line == 3
    project.redo()
    project.tag(tid, 5, 5, theme.id)
    assert not project.undo().elsewhere


def test_the_file_can_be_explored_the_sqlite_utils_way(project: Project) -> None:
    imported(project)
    assert project.db["lines"].count == 80
    assert "event_changes" in project.db.table_names()


def test_a_lock_held_too_long_is_one_error_that_says_so_for_reads_and_writes(project: Project) -> None:
    from tui.project import ProjectBusy

    tid = imported(project)
    project.conn.execute("PRAGMA busy_timeout = 200")  # the real wait is 5 s
    other = sqlite3.connect(project.path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # sqlite3, Datasette or R in the middle of a long write
    for attempt in (project.themes, lambda: project.lines(tid, 1, 3),
                    lambda: project.create_theme("Waiting"), lambda: project.tag_with_new_theme(tid, 1, 1, "W")):
        with pytest.raises(ProjectBusy, match="busy in another program"):
            attempt()
    other.execute("ROLLBACK")
    other.close()
    assert project.create_theme("Waiting").name == "Waiting"
    assert project.check() == []


def test_the_once_a_second_change_check_never_waits_for_a_lock(project: Project) -> None:
    """A window asks data_version every second on its UI thread: under a foreign exclusive lock it
    must fail at once (the window stays responsive), then leave the usual wait for real work."""
    import time

    from tui.project import ProjectBusy
    from tui.project.db import BUSY_TIMEOUT_MS

    imported(project)
    other = sqlite3.connect(project.path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    began = time.monotonic()
    with pytest.raises(ProjectBusy):
        project.data_version()
    assert time.monotonic() - began < BUSY_TIMEOUT_MS / 1000 / 2  # did not wait out the busy timeout
    assert project.conn.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS  # writes still wait
    other.execute("ROLLBACK")
    other.close()
    before = project.data_version()
    project.create_theme("After the lock")
    assert project.data_version() == before  # only other connections' commits change it
