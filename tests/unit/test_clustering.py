"""Grouping, moving and merging themes; key quotes, divergence and cases: each one undoable action."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_analysis import Study, build

from tui.project import Project, ProjectError, analysis


@pytest.fixture
def study(tmp_path: Path) -> Iterator[Study]:
    made = build(tmp_path / "study.margin")
    yield made
    made.project.close()


def parent_of(project: Project, theme_id: int) -> int | None:
    return sqlite3.connect(project.path).execute("SELECT parent_id FROM themes WHERE id = ?", (theme_id,)).fetchone()[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(project: Project, table: str) -> list[tuple]:
    conn = sqlite3.connect(project.path)
    try:
        return conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
    finally:
        conn.close()


def test_group_statements_into_a_new_pet_of_their_participant_with_a_strategy(study: Study) -> None:
    p = study.project
    corner, asks = study.themes["Standing in the corner"], study.themes["Nobody asks me"]
    p.move(corner, None)
    p.move(asks, None)
    pet = p.group([corner, asks], new_name="Furniture on the ward", strategy="abstraction")
    assert (pet.level, pet.participant_id, pet.strategy) == ("pet", study.people["P01"], "abstraction")
    assert parent_of(p, corner) == pet.id and parent_of(p, asks) == pet.id
    assert p.history(1)[0].summary == "group 2 statements into new PET Furniture on the ward (abstraction)"
    # One action: one undo takes the PET away and puts both statements back at the top.
    p.undo()
    assert parent_of(p, corner) is None and parent_of(p, asks) is None
    assert p.find_theme("Furniture on the ward") is None
    p.redo()
    assert parent_of(p, corner) == p.find_theme("Furniture on the ward").id


def test_group_into_an_existing_theme_and_strategy_abbreviations(study: Study) -> None:
    p = study.project
    loose = study.themes["Loose statement"]
    pet = p.group([loose], new_name="Outside looking in")
    get = p.group([pet.id], into_id=study.themes["Belonging"], strategy="subs")
    assert get.strategy == "subsumption"
    assert parent_of(p, pet.id) == study.themes["Belonging"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda s, p: p.group([s.themes["Standing in the corner"], s.themes["Known by name"]], new_name="Mixed"),
         "a PET groups the themes of one participant; these belong to P01, P02"),
        (lambda s, p: p.group([s.themes["Known by name"]], into_id=s.themes["On the edge"]),
         "'On the edge' belongs to P01; 'Known by name' belongs to P02: each case keeps its own PETs"),
        (lambda s, p: p.group([s.themes["Belonging"]], into_id=s.themes["On the edge"]),
         "'Belonging' cannot go under 'On the edge', which is below it"),
        (lambda s, p: p.group([s.themes["Belonging"]], into_id=s.themes["Loose statement"]),
         "cannot group GET 'Belonging' under statement 'Loose statement': a theme goes under a theme of a higher level"),
        (lambda s, p: p.group([s.themes["Belonging"]], new_name="Higher"),
         "GETs are the top level: there is nothing to group them into"),
        (lambda s, p: p.group([s.themes["Loose statement"]], new_name="X", strategy="guesswork"),
         "unknown strategy 'guesswork'"),
        (lambda s, p: p.group([], new_name="X"), "nothing to group"),
        (lambda s, p: p.move(s.themes["On the edge"], s.themes["Standing in the corner"]),
         "'On the edge' cannot go under 'Standing in the corner'"),
        (lambda s, p: p.merge(s.themes["On the edge"], s.themes["Let in"]),
         "'On the edge' belongs to P01 and 'Let in' to P02"),
        (lambda s, p: p.merge(s.themes["On the edge"], s.themes["Belonging"]),
         "cannot merge PET 'On the edge' into GET 'Belonging'"),
    ],
)
def test_refusals_say_why_and_change_nothing(study: Study, make, message: str) -> None:
    before = digest(study.project.path)
    with pytest.raises(ProjectError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make(study, study.project)
    assert digest(study.project.path) == before


def test_move_a_statement_from_one_pet_to_another_and_undo(study: Study) -> None:
    p = study.project
    other = p.create_theme("Finding a role", level="pet", participant_id=study.people["P01"])
    corner = study.themes["Standing in the corner"]
    p.move(corner, other.id)
    assert parent_of(p, corner) == other.id
    assert analysis.theme_totals(p)[other.id].extracts == 2
    p.undo()
    assert parent_of(p, corner) == study.themes["On the edge"]


def test_a_name_taken_under_the_new_parent_is_refused(study: Study) -> None:
    p = study.project
    twin = p.create_theme("Standing in the corner", level="statement", participant_id=study.people["P01"])
    with pytest.raises(ProjectError, match="already there"):
        p.move(twin.id, study.themes["On the edge"])


def test_merge_moves_codings_children_memos_and_divergences_as_one_undoable_action(study: Study) -> None:
    p = study.project
    corner, asks = study.themes["Standing in the corner"], study.themes["Nobody asks me"]
    p.add_memo("On asks", "a memo", theme_id=asks)
    child = p.create_theme("Sub-statement", level="statement", parent_id=asks, participant_id=study.people["P01"])
    # A coding of the same lines in both: the merged theme keeps one.
    p.tag(study.transcripts["P01"], 10, 10, asks)
    codings_before = rows(p, "codings")
    p.merge(asks, corner)
    assert p.find_theme("Nobody asks me") is None
    assert {c.first_line for c in p.codings(theme_id=corner)} == {2, 3, 10}
    assert len(p.codings(theme_id=corner)) == 3
    assert parent_of(p, child.id) == corner
    assert [m.theme_id for m in p.memos() if m.title == "On asks"] == [corner]
    assert p.history(1)[0].summary == "merge Nobody asks me into Standing in the corner"
    p.undo()
    assert rows(p, "codings") == codings_before
    assert parent_of(p, child.id) == asks
    assert [m.theme_id for m in p.memos() if m.title == "On asks"] == [asks]


def test_key_quote_marks_and_undo(study: Study) -> None:
    p = study.project
    coding = p.codings(theme_id=study.themes["Known by name"])[0]
    p.mark_key_quote(coding.id)
    conn = sqlite3.connect(p.path)
    assert conn.execute("SELECT key_quote FROM codings WHERE id = ?", (coding.id,)).fetchone()[0] == 1
    p.unmark_key_quote(coding.id)
    assert conn.execute("SELECT key_quote FROM codings WHERE id = ?", (coding.id,)).fetchone()[0] == 0
    p.undo()
    assert conn.execute("SELECT key_quote FROM codings WHERE id = ?", (coding.id,)).fetchone()[0] == 1
    conn.close()


def test_divergence_mark_unmark_and_refusals(study: Study) -> None:
    p = study.project
    get, p03 = study.themes["Belonging"], study.people["P03"]
    p01_coding = p.codings(theme_id=study.themes["Standing in the corner"])[0]
    with pytest.raises(ProjectError, match="that quote is not from P03"):
        p.mark_divergence(get, p03, p01_coding.id)
    p.mark_divergence(get, p03, None, "never let in")
    assert [(d.pseudonym, d.note) for d in analysis.divergences(p, get)] == [("P03", "never let in")]
    p.mark_divergence(get, p03, None, "changed my mind")  # the same mark, its note updated
    assert len(rows(p, "divergences")) == 1
    p.unmark_divergence(get, p03)
    assert analysis.divergences(p, get) == []
    with pytest.raises(ProjectError, match="not marked as divergent"):
        p.unmark_divergence(get, p03)
    p.undo()
    assert len(analysis.divergences(p, get)) == 1


def test_cases_done_reopened_and_a_cross_case_look_recorded_once(study: Study) -> None:
    p = study.project
    assert p.open_cases() == ["P01", "P02", "P03"]
    said = p.record_cross_case_look("theme board")
    assert said is not None and "P01, P02, P03 still open" in said
    assert p.record_cross_case_look("GET table") is None  # said once
    looks = sqlite3.connect(p.path).execute(
        "SELECT payload FROM events WHERE action = 'case.look_across'").fetchall()
    assert len(looks) == 1 and "theme board" in looks[0][0]
    p.mark_case_done(study.people["P01"])
    assert p.case_done_at(study.people["P01"]) is not None
    assert p.open_cases() == ["P02", "P03"]
    with pytest.raises(ProjectError, match="done already"):
        p.mark_case_done(study.people["P01"])
    p.reopen_case(study.people["P01"])
    assert p.case_done_at(study.people["P01"]) is None
    p.undo()
    assert p.case_done_at(study.people["P01"]) is not None


def test_no_cross_case_note_once_every_case_is_done(study: Study) -> None:
    p = study.project
    for pid in study.people.values():
        p.mark_case_done(pid)
    assert p.record_cross_case_look("GET table") is None
    assert not sqlite3.connect(p.path).execute("SELECT 1 FROM events WHERE action = 'case.look_across'").fetchall()


def test_set_strategy_is_undoable(study: Study) -> None:
    p = study.project
    p.set_strategy(study.themes["On the edge"], "numeration")
    assert p.theme(study.themes["On the edge"]).strategy == "numeration"
    p.undo()
    assert p.theme(study.themes["On the edge"]).strategy is None
