"""Transcripts and lines: import, finding a transcript, reading lines, finding words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.project import Line, Project, ProjectError

TEXT = "Interviewer: How was it?\nP01: Strange at first.\nWe wrote together\nat night.\nInterviewer: Thanks."


def make_lines(text: str) -> list[Line]:
    lines, start = [], 0
    for number, paragraph in enumerate(text.split("\n"), start=1):
        label = paragraph.split(":", 1)[0] if ":" in paragraph else None
        lines.append(Line(number, label, paragraph, start, start + len(paragraph), label is not None,
                          len(label) + 2 if label else 0, f"00:0{number}" if number == 2 else None))
        start += len(paragraph) + 1
    return lines


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    project = Project.create(tmp_path / "study.margin", coder="VR")
    project.import_transcript(title="Interview 1", text=TEXT, lines=make_lines(TEXT), participant="P01",
                              source="p01.txt", width=60)
    yield project
    project.close()


def test_import_keeps_the_text_the_lines_and_the_metadata(project: Project) -> None:
    t = project.transcript(1)
    assert (t.title, t.text, t.source, t.line_count, t.width) == ("Interview 1", TEXT, "p01.txt", 5, 60)
    assert t.participant_id == project.find_participant("P01").id
    assert project.lines(1) == make_lines(TEXT)
    assert project.transcript_text(1) == TEXT
    assert project.transcript(1, text=False).text == ""
    assert project.check() == []


def test_import_without_a_participant(project: Project) -> None:
    t = project.import_transcript(title="Loose", text="x", lines=make_lines("x"), participant=None)
    assert t.participant_id is None and t.text == ""
    assert len(project.participants()) == 1


def test_import_refuses_lines_that_do_not_match(project: Project) -> None:
    lines = make_lines("ab\ncd")
    bad = [lines[0], Line(2, None, "cx", 3, 5)]
    with pytest.raises(ProjectError, match=r"^p\.txt: line 2 does not match the text \(nothing was imported\)$"):
        project.import_transcript(title="T", text="ab\ncd", lines=bad, participant="P02", source="p.txt")
    overlapping = [lines[0], Line(2, None, "b\ncd", 1, 5)]
    with pytest.raises(ProjectError, match="^T: line 2 does not match"):
        project.import_transcript(title="T", text="ab\ncd", lines=overlapping, participant="P02")
    assert len(project.transcripts()) == 1 and project.find_participant("P02") is None


def test_lines_that_touch_are_accepted(project: Project) -> None:
    t = project.import_transcript(title="T", text="abcd", lines=[Line(1, None, "ab", 0, 2), Line(2, None, "cd", 2, 4)],
                                  participant=None)
    assert [l.text for l in project.lines(t.id)] == ["ab", "cd"]


def test_transcripts_are_listed_by_participant_then_title(project: Project) -> None:
    project.import_transcript(title="B", text="x", lines=make_lines("x"), participant="P00")
    project.import_transcript(title="A", text="x", lines=make_lines("x"), participant="P00")
    assert [t.title for t in project.transcripts()] == ["A", "B", "Interview 1"]
    assert all(t.text == "" for t in project.transcripts())


def test_transcript_and_its_text_refuse_an_unknown_id(project: Project) -> None:
    with pytest.raises(ProjectError, match="no transcript with id 9"):
        project.transcript(9)
    with pytest.raises(ProjectError, match="no transcript with id 9"):
        project.transcript_text(9)


def test_find_transcript_by_title_id_or_pseudonym(project: Project) -> None:
    assert project.find_transcript(" Interview 1 ").id == 1
    assert project.find_transcript("interview 1").id == 1
    assert project.find_transcript("1").id == 1
    assert project.find_transcript("p01").id == 1


def test_find_transcript_prefers_the_exact_title(project: Project) -> None:
    project.import_transcript(title="interview 1", text="x", lines=make_lines("x"), participant="P02")
    assert project.find_transcript("interview 1").id == 2
    assert project.find_transcript("Interview 1").id == 1
    with pytest.raises(ProjectError, match="'INTERVIEW 1' is ambiguous: 2 transcripts have that title; use its id"):
        project.find_transcript("INTERVIEW 1")


def test_find_transcript_by_a_pseudonym_with_two_transcripts(project: Project) -> None:
    project.import_transcript(title="Second", text="x", lines=make_lines("x"), participant="P01")
    with pytest.raises(ProjectError, match="participant P01 has 2 transcripts; name one by title"):
        project.find_transcript("P01")


def test_find_transcript_names_what_there_is(project: Project, tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"^no transcript 'Nine' \(transcripts: Interview 1\)$"):
        project.find_transcript("Nine")
    with pytest.raises(ProjectError, match=r"^no transcript '7'"):
        project.find_transcript("7")
    for n in range(2, 10):
        project.import_transcript(title=f"T{n}", text="x", lines=make_lines("x"), participant=None)
    with pytest.raises(ProjectError, match=r", T8 …\)$"):
        project.find_transcript("Nine")
    with Project.create(tmp_path / "empty.margin") as empty:
        with pytest.raises(ProjectError, match=r"\(the project has no transcripts yet\)"):
            empty.find_transcript("x")


def test_find_transcript_when_eight_exist_has_no_ellipsis(project: Project) -> None:
    for n in range(2, 9):
        project.import_transcript(title=f"T{n}", text="x", lines=make_lines("x"), participant=None)
    with pytest.raises(ProjectError, match=r", T8\)$"):
        project.find_transcript("Nine")


def test_has_transcript_titled(project: Project) -> None:
    assert project.has_transcript_titled("Interview 1")
    assert not project.has_transcript_titled("interview 1")


def test_lines_from_first_to_last(project: Project) -> None:
    assert [l.number for l in project.lines(1, 2, 3)] == [2, 3]
    assert [l.number for l in project.lines(1, 4)] == [4, 5]
    assert [l.number for l in project.lines(1, 5, 5)] == [5]
    assert project.lines(1, 6) == []
    line = project.lines(1, 2, 2)[0]
    assert (line.speaker, line.turn_start, line.label_length, line.timestamp) == ("P01", True, 5, "00:02")
    assert project.line_count(1) == 5 and project.line_count(9) == 0


def test_long_lines(project: Project) -> None:
    assert project.long_lines(1, 20) == [(1, "Interviewer: How was it?"), (2, "P01: Strange at first.")]
    assert project.long_lines(1, 24) == []


def test_find_matches_runs_across_lines(project: Project) -> None:
    assert project.find_matches(1, "together at") == [(3, 4)]
    assert project.find_matches(1, "INTERVIEWER") == [(1, 1), (5, 5)]
    assert project.find_matches(1, "  ") == []
    assert project.find_matches(9, "x") == []
    assert project.find_matches(1, "nowhere") == []
    assert project.find_in_transcript(1, "together at") == [3, 4]
    assert project.find_matches(1, "I") [0] == (1, 1)
    assert project.find_matches(1, "t.") == [(2, 2), (4, 4)]  # "first." and "night."


def test_find_matches_at_the_start_of_a_line(project: Project) -> None:
    assert project.find_matches(1, "P01") == [(2, 2)]
    assert project.find_matches(1, "first.\nWe") == [(2, 3)]


def test_find_matches_with_a_length_changing_casefold(project: Project) -> None:
    text = "P01: Die Straße\nP02: strasse"
    t = project.import_transcript(title="German", text=text, lines=make_lines(text), participant=None)
    assert project.find_matches(t.id, "STRASSE") == [(1, 1), (2, 2)]
    assert project.find_matches(t.id, "die") == [(1, 1)]


def test_find_matches_in_a_transcript_without_lines(project: Project) -> None:
    t = project.import_transcript(title="Empty", text="", lines=[], participant=None)
    assert project.find_matches(t.id, "x") == []


def test_search_lines_in_one_or_all_transcripts(project: Project) -> None:
    project.import_transcript(title="Two", text="P02: strange too", lines=make_lines("P02: strange too"), participant=None)
    assert project.search_lines("strange") == [(1, 2), (2, 1)]
    assert project.search_lines("strange", transcript_id=2) == [(2, 1)]
    assert project.search_lines("strange", limit=1) == [(1, 2)]
    assert project.search_lines("?!") == []


def test_data_version_changes_when_another_connection_writes(project: Project) -> None:
    before = project.data_version()
    with Project.open(project.path) as other:
        other.create_theme("Elsewhere")
    assert project.data_version() != before


def test_check_range_messages(project: Project) -> None:
    with pytest.raises(ProjectError, match=r"^lines 5-6 are outside transcript Interview 1 \(lines 1-5\)$"):
        project._check_range(1, 5, 6)
    with pytest.raises(ProjectError, match=r"^line 0 is outside"):
        project._check_range(1, 0, 0)
    project._check_range(1, 1, 5)


def test_a_participant_without_transcripts_names_none(project: Project) -> None:
    project.add_participant("P05")
    with pytest.raises(ProjectError, match=r"^no transcript 'P05' \(transcripts: Interview 1\)$"):
        project.find_transcript("P05")


def test_import_keeps_turn_starts_apart_from_label_lengths(project: Project) -> None:
    text = "Ann: hello\nstill Ann"
    lines = [Line(1, "Ann", "Ann: hello", 0, 10, False, 5), Line(2, None, "still Ann", 11, 20, True, 0)]
    t = project.import_transcript(title="Turns", text=text, lines=lines, participant=None)
    assert project.lines(t.id) == lines
    assert t.width == 72


def test_find_matches_before_the_first_line(project: Project) -> None:
    t = project.import_transcript(title="Lead", text="ab", lines=[Line(1, None, "b", 1, 2)], participant=None)
    assert project.find_matches(t.id, "ab") == [(1, 1)]


def test_find_matches_where_casefold_lengthens_the_text(project: Project) -> None:
    text = "ßßßß ab\ncd"
    t = project.import_transcript(title="Long", text=text, lines=[Line(1, None, "ßßßß ab", 0, 7), Line(2, None, "cd", 8, 10)],
                                  participant=None)
    assert project.find_matches(t.id, "ab") == [(1, 1)]


def test_find_matches_in_text_without_lines(project: Project) -> None:
    t = project.import_transcript(title="Bare", text="abc", lines=[], participant=None)
    assert project.find_matches(t.id, "abc") == []


def test_lines_indexed_together_are_searchable_once_the_block_ends(project: Project) -> None:
    with project.action("test.import", "import two", undoable=False), project.lines_indexed_together():
        for title in ("Two", "Three"):
            text = f"P02: {title} strange"
            project.import_transcript(title=title, text=text, lines=make_lines(text), participant=None)
        assert project.search_lines("strange") == [(1, 2)]  # not yet: the block indexes at its end
    assert project.search_lines("strange") == [(1, 2), (2, 1), (3, 1)]
    assert project.check() == []


def test_lines_indexed_together_leave_nothing_when_the_action_fails(project: Project) -> None:
    with pytest.raises(RuntimeError):
        with project.action("test.import", "import one", undoable=False), project.lines_indexed_together():
            project.import_transcript(title="Two", text="P02: strange", lines=make_lines("P02: strange"), participant=None)
            raise RuntimeError("stop")
    assert len(project.transcripts()) == 1 and project.search_lines("strange") == [(1, 2)]
    project.import_transcript(title="Two", text="P02: strange", lines=make_lines("P02: strange"), participant=None)
    assert project.search_lines("strange") == [(1, 2), (2, 1)]  # indexed at once again, and once
    assert project.check() == []
