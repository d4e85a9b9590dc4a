"""Codings: the rule for ranges of one theme, reading codings, untagging, progress."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.project import Line, Project, ProjectError
from tui.project.codings import RECENT_KEPT, union_length

TEXT = "\n".join(f"P01: line {n}" for n in range(1, 11))


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


@pytest.mark.parametrize("ranges, expected", [
    ([], 0), ([(1, 1)], 1), ([(1, 3), (2, 5)], 5), ([(1, 3), (3, 3)], 3), ([(5, 6), (1, 2)], 4),
    ([(1, 2), (3, 4)], 4), ([(2, 8), (3, 4)], 7),
])
def test_union_length(ranges: list[tuple[int, int]], expected: int) -> None:
    assert union_length(ranges) == expected


def test_tag_records_the_coding_and_its_coder(project: Project) -> None:
    theme = project.create_theme("Lost")
    coding = project.tag(1, 2, 4, theme.id)
    assert (coding.transcript_id, coding.first_line, coding.last_line, coding.theme_id) == (1, 2, 4, theme.id)
    assert coding.coder_id == project.coders()[0].id
    assert coding.key_quote is False
    assert project.history(1)[0].summary == "tag lines 2-4 with Lost"


def test_tag_refuses_lines_outside_the_transcript(project: Project) -> None:
    theme = project.create_theme("Lost")
    for first, last in ((0, 1), (3, 2), (10, 11)):
        with pytest.raises(ProjectError, match=r"outside transcript One \(lines 1-10\)"):
            project.tag(1, first, last, theme.id)
    with pytest.raises(ProjectError, match="line 11 is outside"):
        project.tag(1, 11, 11, theme.id)
    assert project.tag(1, 10, 10, theme.id).last_line == 10
    assert project.tag(1, 1, 1, theme.id).first_line == 1


def test_tag_refuses_lines_already_covered(project: Project) -> None:
    theme = project.create_theme("Lost")
    project.tag(1, 2, 5, theme.id)
    for first, last in ((2, 5), (3, 4), (2, 2), (5, 5)):
        with pytest.raises(ProjectError, match=r"already tagged with Lost \(lines 2-5\)"):
            project.tag(1, first, last, theme.id)
    assert len(project.codings()) == 1


def test_tag_of_a_larger_range_absorbs_whole_codings(project: Project) -> None:
    theme = project.create_theme("Lost")
    first = project.tag(1, 3, 3, theme.id)
    second = project.tag(1, 5, 6, theme.id)
    memo = project.add_memo("On six", coding_id=second.id)
    project.set_key_quote(second.id)
    merged = project.tag(1, 2, 7, theme.id)
    assert merged.id == first.id
    assert [(c.first_line, c.last_line, c.key_quote) for c in project.codings()] == [(2, 7, True)]
    assert project.memo(memo.id).coding_id == first.id
    project.undo()
    assert [(c.first_line, c.last_line) for c in project.codings()] == [(3, 3), (5, 6)]


def test_tag_of_a_range_taking_in_one_coding_widens_it(project: Project) -> None:
    theme = project.create_theme("Lost")
    coding = project.tag(1, 3, 4, theme.id)
    assert project.tag(1, 3, 6, theme.id).id == coding.id
    assert [(c.first_line, c.last_line) for c in project.codings()] == [(3, 6)]
    assert project.tag(1, 2, 6, theme.id).id == coding.id
    assert [(c.first_line, c.last_line, c.key_quote) for c in project.codings()] == [(2, 6, False)]


def test_touching_and_overlapping_codings_stay_apart(project: Project) -> None:
    theme = project.create_theme("Lost")
    project.tag(1, 3, 5, theme.id)
    project.tag(1, 5, 7, theme.id)
    project.tag(1, 1, 3, theme.id)
    other = project.create_theme("Found")
    project.tag(1, 3, 5, other.id)  # another theme on the same lines
    assert sorted((c.first_line, c.last_line) for c in project.codings(theme_id=theme.id)) == [(1, 3), (3, 5), (5, 7)]


def test_tag_with_new_theme_is_one_action(project: Project) -> None:
    before = len(project.history())
    coding = project.tag_with_new_theme(1, 2, 2, "  Lost   here ")
    assert project.theme(coding.theme_id).name == "Lost here"
    assert len(project.history()) == before + 1
    assert project.history(1)[0].summary == "tag line 2 with new theme Lost here"
    project.undo()
    assert project.themes() == [] and project.codings() == []
    with pytest.raises(ProjectError, match="outside"):
        project.tag_with_new_theme(1, 9, 12, "Out")
    assert project.themes() == []


def test_tag_by_name_reuses_or_creates_where_the_path_points(project: Project) -> None:
    get = project.create_theme("Belonging", level="get")
    pet = project.create_theme("Outsider", level="pet", parent_id=get.id)
    coding, created = project.tag_by_name(1, 2, 2, "Belonging/Outsider")
    assert (coding.theme_id, created) == (pet.id, False)
    coding, created = project.tag_by_name(1, 3, 3, "Outsider/Corner")
    corner = project.theme(coding.theme_id)
    assert created and (corner.name, corner.parent_id, corner.level) == ("Corner", pet.id, "statement")
    assert corner.participant_id == project.find_participant("P01").id
    assert project.tag_by_name(1, 4, 4, "Belonging/Outsider/Corner") [0].theme_id == corner.id
    with pytest.raises(ProjectError, match="outside"):
        project.tag_by_name(1, 40, 40, "Fresh")
    assert project.find_theme("Fresh") is None


def test_tag_by_name_refuses_another_cases_theme(project: Project) -> None:
    project.import_transcript(title="Two", text=TEXT, lines=make_lines(TEXT), participant="P02")
    theirs = project.create_theme("Theirs", level="pet", participant_id=project.find_participant("P02").id)
    with pytest.raises(ProjectError, match="PET 'Theirs' belongs to another participant's case"):
        project.tag_by_name(1, 1, 1, "Theirs")
    assert project.codings(theme_id=theirs.id) == []


def test_codings_are_filtered_and_in_reading_order(project: Project) -> None:
    project.import_transcript(title="Two", text=TEXT, lines=make_lines(TEXT), participant="P02")
    a, b = project.create_theme("A", level="get"), project.create_theme("B", level="get")
    c1 = project.tag(1, 5, 5, a.id)
    c2 = project.tag(1, 2, 3, b.id)
    c3 = project.tag(2, 1, 1, a.id)
    c4 = project.tag(1, 2, 2, a.id)
    assert [c.id for c in project.codings()] == [c4.id, c2.id, c1.id, c3.id]
    assert [c.id for c in project.codings(transcript_id=1)] == [c4.id, c2.id, c1.id]
    assert [c.id for c in project.codings(theme_id=a.id)] == [c4.id, c1.id, c3.id]
    assert [c.id for c in project.codings(transcript_id=1, theme_id=a.id)] == [c4.id, c1.id]
    assert [c.id for c in project.codings_at(1, 2)] == [c2.id, c4.id]
    assert [c.id for c in project.codings_at(1, 3)] == [c2.id]
    assert project.codings_at(1, 4) == []


def test_untag_removes_the_coding_and_detaches_its_memos(project: Project) -> None:
    theme = project.create_theme("Lost")
    coding = project.tag(1, 2, 3, theme.id)
    memo = project.add_memo("On it", coding_id=coding.id)
    removed = project.untag(coding.id)
    assert removed == coding
    assert project.codings() == []
    assert project.memo(memo.id).coding_id is None
    event = project.history(1)[0]
    assert (event.summary, event.first_line, event.last_line, event.theme_id) == ("remove Lost from lines 2-3", 2, 3, theme.id)
    project.undo()
    assert project.memo(memo.id).coding_id == coding.id
    with pytest.raises(ProjectError, match="no coding with id 99"):
        project.untag(99)


def test_coded_lines_and_progress(project: Project) -> None:
    a, b = project.create_theme("A"), project.create_theme("B")
    project.tag(1, 2, 4, a.id)
    project.tag(1, 3, 6, b.id)
    project.add_note(1, 1, 1, "descriptive", "first")
    project.add_note(1, 2, 2, "descriptive", "second")
    project.import_transcript(title="Two", text="P02: x", lines=make_lines("P02: x"), participant="P02")
    assert project.coded_lines(1) == 5
    assert project.progress(1) == (10, 5, 2)
    assert project.progress_all() == {1: (10, 5, 2), 2: (1, 0, 0)}
    assert project.progress(99) == (0, 0, 0)


def test_recent_themes_newest_first_without_repeats_or_deleted(project: Project) -> None:
    a, b, c = (project.create_theme(n) for n in "ABC")
    project.tag(1, 1, 1, a.id)
    project.tag(1, 2, 2, b.id)
    project.tag(1, 3, 3, a.id)
    project.tag(1, 4, 4, c.id)
    assert project.recent_theme_ids() == [c.id, a.id, b.id]
    project.delete_theme(c.id)
    assert [t.id for t in project.recent_themes()] == [a.id, b.id]


def test_recent_themes_are_kept_to_a_limit_and_survive_bad_settings(project: Project) -> None:
    with project.action("x", "many"):
        ids = [project._create_theme(f"T{n}", None, None, None) for n in range(42)]
        for n, theme_id in enumerate(ids):
            project._tag(1, 1 + n % 10, 1 + n % 10, project.theme(theme_id))
    assert len(project.recent_theme_ids()) == 40 == RECENT_KEPT
    assert project.recent_theme_ids()[0] == ids[-1]
    project._set_setting("recent_themes", "not json")
    assert project.recent_theme_ids() == []
    project._set_setting("recent_themes", '{"a": 1}')
    assert project.recent_theme_ids() == []


def test_tag_by_name_checks_the_lines_before_the_name(project: Project) -> None:
    with pytest.raises(ProjectError, match="outside"):
        project.tag_by_name(1, 40, 40, "Nowhere/Child")
