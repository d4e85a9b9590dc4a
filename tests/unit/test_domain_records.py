"""Participants, notes, memos, sessions and drafts: each write one action, each refusal clear."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.project import Line, Project, ProjectError

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
    yield project
    project.close()


# ---------------------------------------------------------------- participants

def test_add_participant_with_attributes_and_guid(project: Project) -> None:
    p = project.add_participant("  P 02 ", {"role": "nurse"}, guid="ABC-1")
    assert (p.pseudonym, p.attributes, p.guid, p.case_done_at) == ("P 02", {"role": "nurse"}, "abc-1", None)
    assert project.history(1)[0].summary == "add participant P 02"
    project.undo()
    assert project.find_participant("P 02") is None


def test_add_participant_refuses_a_blank_or_taken_pseudonym(project: Project) -> None:
    with pytest.raises(ProjectError, match="^a participant needs a pseudonym such as P07$"):
        project.add_participant("  ")
    with pytest.raises(ProjectError, match="^participant p01 already exists$"):
        project.add_participant("p01")
    assert len(project.participants()) == 1


def test_participants_by_pseudonym_and_unknown_id(project: Project) -> None:
    project.add_participant("P03")
    project.add_participant("P00")
    assert [p.pseudonym for p in project.participants()] == ["P00", "P01", "P03"]
    with pytest.raises(ProjectError, match="no participant with id 99"):
        project.participant(99)


def test_next_pseudonym_takes_the_first_gap(project: Project) -> None:
    assert project.next_pseudonym() == "P02"
    project.add_participant("p02")
    project.add_participant("P04")
    assert project.next_pseudonym() == "P03"


def test_rename_participant(project: Project) -> None:
    pid = project.find_participant("P01").id
    assert project.rename_participant(pid, " Ann ").pseudonym == "Ann"
    assert project.history(1)[0].summary == "rename participant P01 to Ann"
    assert project.rename_participant(pid, "ANN").pseudonym == "ANN"  # its own name, other case
    other = project.add_participant("Bea")
    with pytest.raises(ProjectError, match="participant bea already exists"):
        project.rename_participant(pid, "bea")
    project.undo()
    project.undo()
    assert project.participant(pid).pseudonym == "Ann"
    assert project.find_participant(other.pseudonym) is None


def test_set_participant_attributes_cleans_keys(project: Project) -> None:
    pid = project.find_participant("P01").id
    p = project.set_participant_attributes(pid, {" role ": "nurse", "  ": "dropped", "age": 40})
    assert p.attributes == {"role": "nurse", "age": "40"}
    assert project.history(1)[0].summary == "describe P01"
    project.undo()
    assert project.participant(pid).attributes == {}


def test_set_transcript_participant_creates_a_new_one(project: Project) -> None:
    t = project.set_transcript_participant(1, " P09 ")
    assert project.participant(t.participant_id).pseudonym == "P09"
    assert project.history(1)[0].summary == "assign One to P09"
    project.set_transcript_participant(1, "p01")
    assert project.transcript(1).participant_id == project.find_participant("P01").id
    project.undo()
    project.undo()
    assert project.find_participant("P09") is None


# ---------------------------------------------------------------- notes

def test_add_note_strips_and_records(project: Project) -> None:
    note = project.add_note(1, 2, 3, "linguistic", "  'strange'  ", guid="N-1")
    assert (note.transcript_id, note.first_line, note.last_line, note.kind, note.body, note.guid) == (
        1, 2, 3, "linguistic", "'strange'", "n-1")
    assert note.coder_id == project.coders()[0].id
    event = project.history(1)[0]
    assert (event.summary, event.transcript_id, event.first_line, event.last_line) == (
        "add linguistic note on lines 2-3", 1, 2, 3)


@pytest.mark.parametrize("kind, body, message", [
    ("poetic", "x", "unknown note kind 'poetic': choose one of descriptive, linguistic, conceptual"),
    ("descriptive", "  ", "a note needs some text"),
])
def test_add_note_refuses(project: Project, kind: str, body: str, message: str) -> None:
    with pytest.raises(ProjectError, match=f"^{message}$"):
        project.add_note(1, 1, 1, kind, body)
    assert project.notes() == []


def test_add_note_refuses_lines_outside(project: Project) -> None:
    with pytest.raises(ProjectError, match="outside"):
        project.add_note(1, 3, 4, "descriptive", "x")
    assert project.notes() == []


def test_edit_note_keeps_what_is_not_given(project: Project) -> None:
    note = project.add_note(1, 1, 1, "descriptive", "first")
    assert project.edit_note(note.id, kind="conceptual").body == "first"
    edited = project.edit_note(note.id, body=" second ")
    assert (edited.kind, edited.body) == ("conceptual", "second")
    assert project.history(1)[0].summary == "edit note on line 1"
    with pytest.raises(ProjectError, match="needs some text"):
        project.edit_note(note.id, body=" ")
    with pytest.raises(ProjectError, match="unknown note kind"):
        project.edit_note(note.id, kind="x")
    project.undo()
    assert project.note(note.id).body == "first"


def test_delete_note(project: Project) -> None:
    note = project.add_note(1, 1, 2, "descriptive", "first")
    assert project.delete_note(note.id) == note
    assert project.notes(1) == []
    assert project.history(1)[0].summary == "delete note on lines 1-2"
    with pytest.raises(ProjectError, match="no note with id"):
        project.note(note.id)
    project.undo()
    assert project.note(note.id) == note


def test_notes_in_reading_order_and_at_a_line(project: Project) -> None:
    project.import_transcript(title="Two", text=TEXT, lines=make_lines(TEXT), participant="P02")
    c = project.add_note(2, 1, 1, "descriptive", "c")
    b = project.add_note(1, 2, 3, "descriptive", "b")
    a = project.add_note(1, 1, 2, "descriptive", "a")
    assert [n.id for n in project.notes()] == [a.id, b.id, c.id]
    assert [n.id for n in project.notes(1)] == [a.id, b.id]
    assert [n.id for n in project.notes_at(1, 2)] == [a.id, b.id]
    assert [n.id for n in project.notes_at(1, 3)] == [b.id]
    assert project.notes_at(2, 2) == []


# ---------------------------------------------------------------- memos

def test_add_memo_with_a_stage_and_subject(project: Project) -> None:
    memo = project.add_memo(" Journal ", "body", stage="petS", transcript_id=1, guid="M-1", created_at="2026-01-01T00:00:00Z")
    assert (memo.title, memo.stage, memo.transcript_id, memo.guid, memo.created_at) == (
        "Journal", "PETs", 1, "m-1", "2026-01-01T00:00:00Z")
    assert memo.coder_id == project.coders()[0].id
    event = project.history(1)[0]
    assert (event.summary, event.transcript_id) == ("add memo Journal", 1)
    assert project.add_memo("No stage", stage="").stage is None


def test_add_memo_refuses_an_unknown_stage(project: Project) -> None:
    with pytest.raises(ProjectError, match="^unknown stage 'dreaming': choose one of reading, exploratory notes"):
        project.add_memo("x", stage="dreaming")
    assert project.memos() == []


def test_edit_memo(project: Project) -> None:
    memo = project.add_memo("Journal", "one", stage="reading")
    edited = project.edit_memo(memo.id, title=" Diary ")
    assert (edited.title, edited.body, edited.stage) == ("Diary", "one", "reading")
    assert edited.updated_at is not None
    assert project.edit_memo(memo.id, body="two", stage="writing up").stage == "writing up"
    assert project.history(1)[0].summary == "edit memo Diary"
    with pytest.raises(ProjectError, match="a memo needs a title"):
        project.edit_memo(memo.id, title=" ")
    with pytest.raises(ProjectError, match="unknown stage"):
        project.edit_memo(memo.id, stage="x")
    assert project.memo(memo.id).body == "two"


def test_delete_memo(project: Project) -> None:
    memo = project.add_memo("Journal")
    assert project.delete_memo(memo.id) == memo
    assert project.history(1)[0].summary == "delete memo Journal"
    with pytest.raises(ProjectError, match="no memo with id"):
        project.memo(memo.id)


def test_memos_filtered(project: Project) -> None:
    theme = project.create_theme("Lost")
    old = project.add_memo("Old", stage="reading", created_at="2026-01-01T00:00:00Z")
    new = project.add_memo("New", stage="reading", created_at="2026-02-01T00:00:00Z")
    on_theme = project.add_memo("On Lost", theme_id=theme.id, created_at="2026-01-15T00:00:00Z")
    assert [m.id for m in project.memos()] == [new.id, on_theme.id, old.id]
    assert [m.id for m in project.memos(stage="Reading")] == [new.id, old.id]
    assert [m.id for m in project.memos(journal=True)] == [new.id, old.id]
    assert [m.id for m in project.memos(journal=False)] == [on_theme.id]
    assert [m.id for m in project.memos(theme_id=theme.id)] == [on_theme.id]
    assert len(project.memos(theme_id=None)) == 3
    with pytest.raises(ProjectError, match="memos are not about 'title'"):
        project.memos(title="x")


def test_memos_of_one_time_newest_id_first(project: Project) -> None:
    a = project.add_memo("A", created_at="2026-01-01T00:00:00Z")
    b = project.add_memo("B", created_at="2026-01-01T00:00:00Z")
    assert [m.id for m in project.memos()] == [b.id, a.id]


# ---------------------------------------------------------------- sessions and drafts

def test_save_and_read_the_last_session(project: Project) -> None:
    assert project.last_session() is None
    project.save_session(1, 7, "reading")
    session = project.last_session()
    assert (session.transcript_id, session.line, session.layout) == (1, 7, "reading")
    project.save_session(1, 0)
    session = project.last_session()
    assert (session.line, session.layout) == (1, "coding")
    assert project.history(1)[0].action == "transcript.import"  # not an event


def test_sessions_are_per_coder(project: Project) -> None:
    project.save_session(1, 3)
    with Project.open(project.path, coder="AB") as other:
        assert other.last_session() is None
        other.save_session(None, 2)
        assert other.last_session().transcript_id is None
    assert project.last_session().line == 3


def test_no_coder_no_session(tmp_path: Path) -> None:
    with Project.create(tmp_path / "anon.margin") as project:
        project.save_session(None, 3)
        assert project.last_session() is None
        assert project.conn.execute("SELECT COUNT(*) FROM sessions").fetchone() == (0,)
        assert project.session_summary("2000-01-01") == {"codings": 0, "notes": 0, "memos": 0, "changes": 0}


def test_transcript_activity_names_the_latest_change(project: Project) -> None:
    project.import_transcript(title="Two", text=TEXT, lines=make_lines(TEXT), participant="P02")
    with Project.open(project.path, coder="AB") as other:
        other.add_note(1, 1, 1, "descriptive", "by AB")
    activity = project.transcript_activity()
    assert set(activity) == {1, 2}
    assert activity[1][1] == "AB" and activity[2][1] == "VR"


def test_session_summary_counts_this_coders_changes(project: Project) -> None:
    theme = project.create_theme("Lost")
    project.tag(1, 1, 1, theme.id)
    project.tag(1, 2, 2, theme.id)
    project.add_note(1, 1, 1, "descriptive", "n")
    project.add_memo("m")
    project.add_memo("gone")
    project.undo()
    assert project.session_summary("2000-01-01") == {"codings": 2, "notes": 1, "memos": 1, "changes": 6}
    assert project.session_summary("2999-01-01") == {"codings": 0, "notes": 0, "memos": 0, "changes": 0}


def test_drafts_are_saved_updated_listed_and_discarded(project: Project) -> None:
    first = project.save_draft("note", "1:2", "half a th")
    assert project.save_draft("note", "1:2", "half a thought", draft_id=first) == first
    memo = project.save_draft("memo", "", "journal")
    assert [d.id for d in project.drafts()] == [memo, first] or [d.id for d in project.drafts()] == [first, memo]
    assert [(d.body, d.ref) for d in project.drafts("note")] == [("half a thought", "1:2")]
    again = project.save_draft("note", "x", "new", draft_id=999)
    assert again not in (first, memo)
    project.discard_draft(first)
    assert [d.id for d in project.drafts("note")] == [again]
    with pytest.raises(ProjectError, match="a draft needs a kind"):
        project.save_draft("", "", "x")


def test_drafts_are_per_coder(project: Project) -> None:
    mine = project.save_draft("note", "", "mine")
    with Project.open(project.path, coder="AB") as other:
        other.save_draft("note", "", "theirs")
        assert [d.body for d in other.drafts()] == ["theirs"]
    assert [d.id for d in project.drafts()] == [mine]
    with Project.open(project.path) as anyone:
        assert len(anyone.drafts()) == 2


def test_next_pseudonym_of_a_new_study(tmp_path: Path) -> None:
    with Project.create(tmp_path / "new.margin") as project:
        assert project.next_pseudonym() == "P01"


def test_a_session_starts_on_line_one(project: Project) -> None:
    project.save_session(1)
    assert (project.last_session().line, project.last_session().layout) == (1, "coding")
