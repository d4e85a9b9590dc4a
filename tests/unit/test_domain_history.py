"""The history: one event per action, its row images, undo and redo, and an undo that never sticks."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.project import Line, Project, ProjectError

TEXT = (
    "Interviewer: How did the bulletin start?\n"
    "P07: Honestly? I felt a bit lost on the ward.\n"
    "Interviewer: And then?\n"
    "P07: Then we wrote the first issue together."
)


def make_lines(text: str) -> list[Line]:
    lines, start = [], 0
    for number, paragraph in enumerate(text.split("\n"), start=1):
        label = paragraph.split(":", 1)[0]
        lines.append(Line(number, label, paragraph, start, start + len(paragraph), True, len(label) + 2))
        start += len(paragraph) + 1
    return lines


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    project = Project.create(tmp_path / "study.margin", coder="VR")
    project.import_transcript(title="Interview 7", text=TEXT, lines=make_lines(TEXT), participant="P07")
    yield project
    project.close()


def states(project: Project) -> list[tuple[str, str]]:
    return [(e.action, e.state) for e in reversed(project.history())]


def test_redo_of_an_update_restores_the_new_value(project: Project) -> None:
    theme = project.create_theme("Lost")
    project.update_theme(theme.id, name="Lost on the ward")
    project.undo()
    assert project.theme(theme.id).name == "Lost"
    project.redo()
    assert project.theme(theme.id).name == "Lost on the ward"


def test_update_records_the_row_before_and_after(project: Project) -> None:
    theme = project.create_theme("Lost")
    project.update_theme(theme.id, name="Lost on the ward")
    changes = project.row_history("themes", theme.id)
    assert [e.action for e, _, _ in changes] == ["theme.create", "theme.rename"]
    created, rename = changes[0], changes[1]
    assert created[1] is None and created[2]["name"] == "Lost"
    assert (rename[1]["name"], rename[2]["name"]) == ("Lost", "Lost on the ward")
    payload = json.loads(project.conn.execute("SELECT payload FROM events ORDER BY id DESC").fetchone()[0])
    assert payload["changes"][0]["before"]["name"] == "Lost"
    assert payload["changes"][0]["after"]["name"] == "Lost on the ward"


def test_event_changes_name_the_deleted_row(project: Project) -> None:
    memo = project.add_memo("Journal", "first day")
    project.delete_memo(memo.id)
    rows = project.conn.execute(
        "SELECT table_name, row_id, before IS NULL, after IS NULL FROM event_changes ORDER BY id"
    ).fetchall()
    assert rows[-1] == ("memos", memo.id, 0, 1)


def test_undo_returns_the_event_with_its_place_and_coder(project: Project) -> None:
    theme = project.create_theme("Lost")
    project.tag(1, 2, 3, theme.id)
    event = project.undo()
    assert (event.action, event.state, event.summary) == ("tag", "undone", "tag lines 2-3 with Lost")
    assert (event.transcript_id, event.first_line, event.last_line, event.theme_id) == (1, 2, 3, theme.id)
    assert event.coder == "VR"
    again = project.redo()
    assert (again.action, again.state, again.first_line) == ("tag", "done", 2)


def test_undo_and_redo_records_are_final_events(project: Project) -> None:
    project.create_theme("Lost")
    project.undo()
    project.redo()
    assert states(project)[-3:] == [("theme.create", "done"), ("undo", "final"), ("redo", "final")]
    undo_payload = json.loads(project.conn.execute("SELECT payload FROM events WHERE action = 'undo'").fetchone()[0])
    assert undo_payload["summary"] == "create theme Lost"


def test_nothing_to_undo_or_redo_is_none(project: Project) -> None:
    assert project.undo() is None
    assert project.redo() is None
    assert not project.can_undo() and not project.can_redo()


def test_can_undo_and_can_redo_follow_the_states(project: Project) -> None:
    project.create_theme("Lost")
    assert project.can_undo() and not project.can_redo()
    project.undo()
    assert project.can_redo() and not project.can_undo()


def test_undo_walks_back_in_order_and_redo_forward(project: Project) -> None:
    a = project.create_theme("A")
    b = project.create_theme("B")
    assert project.undo().summary == "create theme B"
    assert project.undo().summary == "create theme A"
    assert project.themes() == []
    assert project.redo().summary == "create theme A"
    assert [t.id for t in project.themes()] == [a.id]
    assert project.redo().summary == "create theme B"
    assert [t.id for t in project.themes()] == [a.id, b.id]


def test_a_new_action_discards_the_redo_branch(project: Project) -> None:
    project.create_theme("A")
    project.undo()
    project.create_theme("B")
    assert ("theme.create", "discarded") in states(project)
    assert project.redo() is None


def test_an_import_seals_the_history_before_it(project: Project) -> None:
    project.create_theme("A")
    project.create_theme("B")
    project.undo()
    project.import_transcript(title="Interview 8", text="P08: hello", lines=make_lines("P08: hello"), participant="P08")
    assert not project.can_undo() and not project.can_redo()
    assert [s for _, s in states(project)] == ["final", "final", "discarded", "final", "final"]
    assert project.undo() is None


def test_an_import_records_no_row_changes(project: Project) -> None:
    event_id = project.conn.execute("SELECT id FROM events WHERE action = 'transcript.import'").fetchone()[0]
    payload = json.loads(project.conn.execute("SELECT payload FROM events WHERE id = ?", (event_id,)).fetchone()[0])
    assert payload == {"summary": "import Interview 7", "changes": []}
    assert project.conn.execute("SELECT COUNT(*) FROM event_changes WHERE event_id = ?", (event_id,)).fetchone() == (0,)
    assert project.history(1)[0].transcript_id == 1


def test_seal_history_makes_everything_final(project: Project) -> None:
    project.create_theme("A")
    project.create_theme("B")
    project.undo()
    project.seal_history()
    assert not project.can_undo() and not project.can_redo()
    assert ("theme.create", "discarded") in states(project)


def test_history_is_newest_first_and_limited(project: Project) -> None:
    for name in "ABC":
        project.create_theme(name)
    assert [e.summary for e in project.history(2)] == ["create theme C", "create theme B"]
    assert len(project.history()) == 4


def test_an_undo_that_fails_says_so_and_does_not_stick(project: Project) -> None:
    theme = project.create_theme("A")
    project.create_theme("B")
    project.undo()
    # A change the history does not know of now depends on theme A.
    project.conn.execute(
        "INSERT INTO codings (guid, transcript_id, first_line, last_line, theme_id, created_at) "
        "VALUES ('x', 1, 1, 1, ?, 'now')", (theme.id,),
    )
    with pytest.raises(ProjectError, match="cannot undo 'create theme A': later changes depend on it"):
        project.undo()
    assert project.theme(theme.id).name == "A"
    assert not project.can_undo()
    assert project.undo() is None
    assert project.can_redo()  # the redo branch is not touched by a failed undo


def test_a_redo_that_fails_says_so_and_does_not_stick(project: Project) -> None:
    parent = project.create_theme("Parent", level="pet")
    project.create_theme("Child", parent_id=parent.id)
    project.undo()
    project.conn.execute("DELETE FROM themes WHERE id = ?", (parent.id,))
    with pytest.raises(ProjectError, match="cannot redo 'create theme Child'.*nothing further can be redone"):
        project.redo()
    assert project.find_theme("Child") is None
    assert not project.can_redo()
    assert project.redo() is None
    assert project.can_undo()  # the theme Parent's event is still there to undo


def test_a_failed_undo_seals_only_what_it_cannot_reach(project: Project) -> None:
    a = project.create_theme("A")
    project.conn.execute(
        "INSERT INTO codings (guid, transcript_id, first_line, last_line, theme_id, created_at) "
        "VALUES ('x', 1, 1, 1, ?, 'now')", (a.id,),
    )
    project.conn.execute("DELETE FROM events WHERE action = 'transcript.import'")
    with pytest.raises(ProjectError):
        project.undo()
    assert [s for _, s in states(project)] == ["final"]


def test_redo_of_a_deleted_theme_replays_its_changes_in_order(project: Project) -> None:
    pet = project.create_theme("Outsider", level="pet")
    child = project.create_theme("Corner", parent_id=pet.id)
    coding = project.tag(1, 2, 2, pet.id)
    project.delete_theme(pet.id)
    project.undo()
    assert project.coding(coding.id).theme_id == pet.id
    project.redo()
    assert project.theme(child.id).parent_id is None
    assert project.codings() == []
    with pytest.raises(ProjectError, match="no theme with id"):
        project.theme(pet.id)


def test_a_nested_action_is_part_of_the_outer_one(project: Project) -> None:
    before = len(project.history())
    with project.action("outer", "two themes", theme_id=None):
        project.create_theme("A")
        project.create_theme("B")
    assert len(project.history()) == before + 1
    event = project.history(1)[0]
    assert (event.action, event.summary) == ("outer", "two themes")
    assert event.theme_id == project.find_theme("A").id  # the first place said wins
    project.undo()
    assert project.themes() == []


def test_the_place_given_first_is_kept(project: Project) -> None:
    with project.action("x", "y", transcript_id=1, first_line=2):
        project._place(transcript_id=5, first_line=9, last_line=3)
        project._insert("memos", {"guid": "g", "title": "t", "created_at": "now"})
    event = project.history(1)[0]
    assert (event.transcript_id, event.first_line, event.last_line) == (1, 2, 3)


def test_a_failed_action_is_rolled_back_and_forgets_a_new_coder(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "study.margin", coder="NEW")
    with pytest.raises(ProjectError):
        with project.action("x", "broken"):
            project._current_coder_id()
            project.conn.execute("INSERT INTO codings (guid) VALUES ('broken')")
    assert project.coders() == []
    project.create_theme("A")  # the coder's row is made again, not pointed at
    assert [c.name for c in project.coders()] == ["NEW"]
    assert project.history(1)[0].coder == "NEW"
    project.close()


def test_a_failed_action_that_raises_another_error_forgets_the_coder(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "study.margin", coder="NEW")
    with pytest.raises(KeyError):
        with project.action("x", "broken"):
            project._current_coder_id()
            raise KeyError("no")
    project.create_theme("A")
    assert project.history(1)[0].coder == "NEW"
    project.close()


def test_an_sqlite_error_in_an_action_becomes_a_project_error(project: Project) -> None:
    with pytest.raises(ProjectError, match="NOT NULL constraint failed"):
        with project.action("x", "broken"):
            project.conn.execute("INSERT INTO codings (guid) VALUES ('broken')")
    assert not project.conn.in_transaction


def test_a_change_outside_an_action_is_refused(project: Project) -> None:
    with pytest.raises(RuntimeError, match="outside an action"):
        project._record("themes", None, {"id": 1})


def test_a_missing_row_is_named(project: Project) -> None:
    with pytest.raises(ProjectError, match="no theme with id 99"):
        with project.action("x", "y"):
            project._update("themes", 99, name="z")


def test_undo_restores_a_row_that_an_action_changed_and_deleted(project: Project) -> None:
    memo = project.add_memo("Journal", "one")
    with project.action("x", "edit then delete"):
        project._update("memos", memo.id, body="two")
        project._delete("memos", memo.id)
    project.undo()
    assert project.memo(memo.id).body == "one"
    project.redo()
    assert project.memos() == []


def test_an_undo_error_of_the_file_becomes_a_project_error(project: Project) -> None:
    project.create_theme("A")
    project.conn.execute("PRAGMA query_only = ON")
    with pytest.raises(ProjectError, match="study.margin"):
        project.undo()
    project.conn.execute("PRAGMA query_only = OFF")
    assert project.can_undo()


def test_events_survive_in_another_connection(project: Project) -> None:
    project.create_theme("A")
    other = sqlite3.connect(project.path)
    assert other.execute("SELECT action, state FROM events ORDER BY id DESC LIMIT 1").fetchone() == ("theme.create", "done")
    other.close()


def test_an_event_carries_its_id_and_time(project: Project) -> None:
    project.create_theme("A")
    event = project.history(1)[0]
    assert (event.id, event.at) == project.conn.execute("SELECT id, at FROM events ORDER BY id DESC").fetchone()
    assert event.at.endswith("Z") and event.id > 1


def test_the_undo_record_keeps_the_place(project: Project) -> None:
    theme = project.create_theme("Lost")
    project.tag(1, 2, 3, theme.id)
    project.undo()
    record = project.history(1)[0]
    assert (record.action, record.transcript_id, record.first_line, record.last_line, record.theme_id) == (
        "undo", 1, 2, 3, theme.id)


def test_a_nested_action_gives_its_place_to_the_outer_one(project: Project) -> None:
    theme = project.create_theme("Lost")
    with project.action("outer", "tag inside"):
        project.tag(1, 2, 3, theme.id)
    event = project.history(1)[0]
    assert (event.transcript_id, event.first_line, event.last_line) == (1, 2, 3)


def test_a_place_outside_an_action_is_ignored(project: Project) -> None:
    project._place(transcript_id=1)
    assert project._recorder is None


def test_writes_outside_an_action_are_refused(project: Project) -> None:
    with pytest.raises(RuntimeError, match="outside an action"):
        project._insert("memos", {"guid": "g", "title": "t", "created_at": "now"})


def test_update_and_delete_return_the_rows(project: Project) -> None:
    memo = project.add_memo("Journal", "one")
    with project.action("x", "y"):
        assert project._update("memos", memo.id, body="two")["body"] == "two"
        assert project._delete("memos", memo.id)["body"] == "two"


def test_undo_says_whether_the_change_was_made_elsewhere(project: Project) -> None:
    project.create_theme("Here")
    assert project.undo().elsewhere is False
    with Project.open(project.path, coder="AB") as other:
        other.create_theme("There")
    assert project.undo().elsewhere is True
    assert project.redo().elsewhere is True


def test_a_failed_undo_by_a_new_coder_leaves_no_stale_coder(project: Project) -> None:
    theme = project.create_theme("A")
    project.conn.execute(
        "INSERT INTO codings (guid, transcript_id, first_line, last_line, theme_id, created_at) "
        "VALUES ('x', 1, 1, 1, ?, 'now')", (theme.id,),
    )
    project.set_coder("NEW")
    with pytest.raises(ProjectError):
        project.undo()
    project.create_theme("B")
    assert project.history(1)[0].coder == "NEW"


def test_an_undo_error_by_a_new_coder_leaves_no_stale_coder(project: Project) -> None:
    project.create_theme("A")
    project.set_coder("NEW")
    project.conn.execute("PRAGMA query_only = ON")
    with pytest.raises(ProjectError):
        project.undo()
    project.conn.execute("PRAGMA query_only = OFF")
    project.create_theme("B")
    assert project.history(1)[0].coder == "NEW"


def test_a_failed_undo_without_a_coder_does_not_stick(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "anon.margin")
    project.import_transcript(title="T", text="a", lines=[Line(1, None, "a", 0, 1)], participant=None)
    theme = project.create_theme("A")
    project.conn.execute(
        "INSERT INTO codings (guid, transcript_id, first_line, last_line, theme_id, created_at) "
        "VALUES ('x', 1, 1, 1, ?, 'now')", (theme.id,),
    )
    with pytest.raises(ProjectError):
        project.undo()
    assert not project.can_undo()
    project.close()


def test_history_shows_the_latest_two_hundred(project: Project) -> None:
    project.conn.executemany("INSERT INTO events (at, action, payload, state) VALUES ('now', 'x', '{}', 'final')",
                             [()] * 205)
    assert len(project.history()) == 200


def test_insert_many_returns_the_ids_in_order_and_records_like_insert(project: Project) -> None:
    theme = project.create_theme("A")
    rows = [{"guid": f"00000000-0000-4000-8000-00000000000{n}", "transcript_id": 1, "first_line": n,
             "last_line": n, "theme_id": theme.id, "coder_id": None, "created_at": "2026-01-01T00:00:00Z"}
            for n in (3, 1, 2)]
    with project.action("test.bulk", "bulk", undoable=False):
        ids = project._insert_many("codings", rows[:2] + [{**rows[2], "key_quote": 1}])
    assert [project.coding(i).first_line for i in ids] == [3, 1, 2]
    assert project.coding(ids[2]).key_quote and not project.coding(ids[0]).key_quote
    with project.action("test.bulk", "bulk again"):  # undoable: each row recorded, as by _insert
        (again,) = project._insert_many("codings", [{**rows[0], "guid": "00000000-0000-4000-8000-000000000009",
                                                     "first_line": 4, "last_line": 4}])
    assert project.undo() is not None and again not in {c.id for c in project.codings()}
