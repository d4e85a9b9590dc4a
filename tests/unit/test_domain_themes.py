"""Themes: names, paths, the rules of scope and level, changes and deletion."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.project import Line, Project, ProjectError
from tui.project.themes import clean_theme_name, split_path

TEXT = "P01: one\nP01: two\nP01: three"


def make_lines(text: str) -> list[Line]:
    lines, start = [], 0
    for number, paragraph in enumerate(text.split("\n"), start=1):
        lines.append(Line(number, "P", paragraph, start, start + len(paragraph), True, 5))
        start += len(paragraph) + 1
    return lines


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    project = Project.create(tmp_path / "study.margin", coder="VR")
    project.import_transcript(title="One", text=TEXT, lines=make_lines(TEXT), participant="P01")
    project.import_transcript(title="Two", text=TEXT, lines=make_lines(TEXT), participant="P02")
    yield project
    project.close()


@pytest.fixture
def ta(tmp_path: Path) -> Iterator[Project]:
    project = Project.create(tmp_path / "ta.margin", method="ta", coder="VR")
    project.import_transcript(title="One", text=TEXT, lines=make_lines(TEXT), participant="P01")
    yield project
    project.close()


def test_clean_theme_name_and_split_path() -> None:
    assert clean_theme_name("  Lost\ton the\n ward ") == "Lost on the ward"
    assert split_path(" Belonging / Feeling  part ") == ["Belonging", "Feeling part"]


def test_delete_theme_deletes_its_codings(project: Project) -> None:
    theme = project.create_theme("Lost")
    other = project.create_theme("Found")
    project.tag(1, 1, 1, theme.id)
    project.tag(1, 2, 3, theme.id)
    kept = project.tag(1, 1, 1, other.id)
    project.delete_theme(theme.id)
    assert [c.id for c in project.codings()] == [kept.id]
    assert project.check() == []


def test_delete_theme_detaches_its_memos(project: Project) -> None:
    theme = project.create_theme("Lost")
    memo = project.add_memo("On lost", theme_id=theme.id)
    project.delete_theme(theme.id)
    assert project.memo(memo.id).theme_id is None
    project.undo()
    assert project.memo(memo.id).theme_id == theme.id


def test_delete_theme_detaches_memos_on_its_codings(project: Project) -> None:
    theme = project.create_theme("Lost")
    coding = project.tag(1, 2, 2, theme.id)
    memo = project.add_memo("On the extract", coding_id=coding.id)
    project.delete_theme(theme.id)
    assert project.memo(memo.id).coding_id is None
    project.undo()
    assert project.memo(memo.id).coding_id == coding.id


def test_delete_theme_deletes_its_divergences(project: Project) -> None:
    get = project.create_theme("Belonging", level="get")
    project.mark_divergence(get.id, project.find_participant("P01").id)
    project.delete_theme(get.id)
    assert project.conn.execute("SELECT COUNT(*) FROM divergences").fetchone() == (0,)


def test_delete_theme_moves_children_up_and_is_named(project: Project) -> None:
    get = project.create_theme("Belonging", level="get")
    pet = project.create_theme("Outsider", level="pet", parent_id=get.id)
    child = project.create_theme("Corner", parent_id=pet.id)
    project.delete_theme(pet.id)
    assert project.theme(child.id).parent_id == get.id
    assert project.history(1)[0].summary == "delete PET Outsider"
    assert project.history(1)[0].theme_id == pet.id


def test_create_theme_records_its_place_and_refuses_bad_input(project: Project) -> None:
    theme = project.create_theme("  Lost   here ")
    assert (theme.name, theme.level, theme.parent_id) == ("Lost here", "statement", None)
    assert project.history(1)[0].theme_id == theme.id
    with pytest.raises(ProjectError, match="needs a name"):
        project.create_theme("  ")
    with pytest.raises(ProjectError, match="unknown level 'code' for this IPA project"):
        project.create_theme("X", level="code")
    with pytest.raises(ProjectError, match="no theme with id 99"):
        project.create_theme("X", parent_id=99)
    assert len(project.themes()) == 1


def test_a_name_is_unique_under_one_parent_ignoring_case(project: Project) -> None:
    pet = project.create_theme("Outsider", level="pet")
    project.create_theme("Lost", parent_id=pet.id)
    with pytest.raises(ProjectError, match="'lost' already exists under Outsider"):
        project.create_theme("lost", parent_id=pet.id)
    project.create_theme("Lost")
    with pytest.raises(ProjectError, match="already exists at the top of the tree"):
        project.create_theme("LOST")
    project.create_theme("Lost", participant_id=project.find_participant("P01").id)  # another scope
    assert len(project.themes()) == 4


def test_update_theme_refuses_unknown_fields_and_bad_values(project: Project) -> None:
    theme = project.create_theme("Lost")
    with pytest.raises(ProjectError, match="cannot change guid, id of a theme"):
        project.update_theme(theme.id, guid="x", id=3)
    with pytest.raises(ProjectError, match="needs a name"):
        project.update_theme(theme.id, name=" ")
    project.create_theme("Found")
    with pytest.raises(ProjectError, match="^a theme named 'found' already exists at the top of the tree"):
        project.update_theme(theme.id, name="found")
    assert project.theme(theme.id).name == "Lost"


def test_update_theme_keeps_its_own_name_free(project: Project) -> None:
    theme = project.create_theme("Lost")
    assert project.update_theme(theme.id, name="LOST").name == "LOST"
    assert project.history(1)[0].summary == "rename theme Lost to LOST"
    project.update_theme(theme.id, description="about being lost")
    assert (project.history(1)[0].action, project.history(1)[0].summary) == ("theme.update", "change theme LOST")


def test_update_theme_refuses_a_move_under_itself_or_below(project: Project) -> None:
    get = project.create_theme("Belonging", level="get")
    pet = project.create_theme("Outsider", level="pet", parent_id=get.id)
    with pytest.raises(ProjectError, match="under itself"):
        project.update_theme(get.id, parent_id=get.id)
    with pytest.raises(ProjectError, match="under itself"):
        project.update_theme(get.id, parent_id=pet.id)
    other = project.create_theme("Other", level="get")
    assert project.update_theme(pet.id, parent_id=other.id).parent_id == other.id


def test_theme_paths_and_a_loop_does_not_hang(project: Project) -> None:
    get = project.create_theme("Belonging", level="get")
    pet = project.create_theme("Outsider", level="pet", parent_id=get.id)
    st = project.create_theme("Corner", parent_id=pet.id)
    assert project.theme_paths() == {get.id: "Belonging", pet.id: "Belonging/Outsider", st.id: "Belonging/Outsider/Corner"}
    project.conn.execute("UPDATE themes SET parent_id = ? WHERE id = ?", (st.id, get.id))
    assert set(project.theme_paths()) == {get.id, pet.id, st.id}


def test_theme_paths_are_each_theme_walked_to_its_root(project: Project) -> None:
    """Paths made from the parent's path are the names walked from each theme to its root, in a
    deep tree, its themes made in any order, with a loop of parents and a missing parent too."""
    import random

    rng = random.Random(7)
    made = [project.create_theme(f"Root {n}", level="get") for n in range(3)]
    for n in range(200):
        made.append(project.create_theme(f"Theme {n}", parent_id=rng.choice(made).id))
    rng.shuffle(made)
    loop = [project.create_theme(f"Loop {n}", level="pet") for n in range(3)]
    for child, parent in zip(loop, loop[1:] + loop[:1]):
        project.conn.execute("UPDATE themes SET parent_id = ? WHERE id = ?", (parent.id, child.id))
    beneath = project.create_theme("Beneath the loop", parent_id=loop[0].id)
    project.conn.execute("PRAGMA foreign_keys = OFF")
    orphan = project.create_theme("Orphan", level="pet")
    project.conn.execute("UPDATE themes SET parent_id = 99999 WHERE id = ?", (orphan.id,))
    walked = {theme_id: "/".join(names) for theme_id, names in project._theme_name_paths().items()}
    assert project.theme_paths() == walked
    assert project.theme_paths(project.themes()) == walked
    assert walked[beneath.id].endswith("/Beneath the loop") and walked[orphan.id] == "Orphan"


def test_find_theme_by_name_then_by_path(project: Project) -> None:
    get = project.create_theme("Belonging", level="get")
    pet = project.create_theme("Outsider", level="pet", parent_id=get.id)
    st = project.create_theme("Corner", parent_id=pet.id)
    slash = project.create_theme("Work/life")
    assert project.find_theme("corner").id == st.id
    assert project.find_theme("Outsider/Corner").id == st.id
    assert project.find_theme("belonging/outsider/corner").id == st.id
    assert project.find_theme("Work/life").id == slash.id
    assert project.find_theme("Belonging/Corner") is None
    assert project.find_theme("Nothing") is None
    assert project.find_theme("a//b") is None
    assert project.find_theme("/") is None


def test_find_theme_prefers_exact_case_of_a_path(project: Project) -> None:
    a = project.create_theme("Team", level="pet")
    b = project.create_theme("team", level="pet", participant_id=project.find_participant("P01").id)
    x = project.create_theme("Part", parent_id=a.id)
    project.create_theme("part", parent_id=b.id)
    assert project.find_theme("Team/Part").id == x.id


def test_find_theme_ambiguity_names_every_path_and_owner(project: Project) -> None:
    p1, p2 = project.find_participant("P01").id, project.find_participant("P02").id
    project.create_theme("Lost", participant_id=p1)
    project.create_theme("Lost", participant_id=p2)
    with pytest.raises(ProjectError, match=r"theme 'Lost' is ambiguous; name it by its path: Lost \(P01\); Lost \(P02\)"):
        project.find_theme("Lost")
    # Within a transcript, only that case's theme is a candidate.
    assert project.find_theme("Lost", transcript_id=2).participant_id == p2


def test_usable_themes_and_may_code_keep_cases_apart(project: Project) -> None:
    p1 = project.find_participant("P01").id
    own = project.create_theme("Mine", participant_id=p1)
    other = project.create_theme("Theirs", participant_id=project.find_participant("P02").id)
    shared = project.create_theme("Shared", level="get")
    assert [t.id for t in project.usable_themes(1)] == [own.id, shared.id]
    assert project.usable_themes(1, project.themes()) == project.usable_themes(1)  # of themes just read
    assert project.may_code(own, 1) and project.may_code(shared, 1) and not project.may_code(other, 1)


def test_ta_themes_are_all_usable(ta: Project) -> None:
    theme = ta.create_theme("Mine", participant_id=ta.find_participant("P01").id)
    ta.import_transcript(title="Two", text=TEXT, lines=make_lines(TEXT), participant="P02")
    assert [t.id for t in ta.usable_themes(2)] == [theme.id]
    assert ta.may_code(theme, 2)
    assert ta.new_theme_scope(1, "code") is None


def test_new_theme_scope_by_level(project: Project) -> None:
    p1 = project.find_participant("P01").id
    assert project.new_theme_scope(1, "statement") == p1
    assert project.new_theme_scope(1, "pet") == p1
    assert project.new_theme_scope(1, "get") is None
    assert project.new_theme_scope(None, "statement") is None


def test_level_below(project: Project, ta: Project) -> None:
    get = project.create_theme("G", level="get")
    pet = project.create_theme("P", level="pet")
    st = project.create_theme("S")
    assert project.level_below(None) == "statement"
    assert project.level_below(get) == "pet"
    assert project.level_below(pet) == "statement"
    assert project.level_below(st) == "statement"
    assert ta.level_below(ta.create_theme("T", level="theme")) == "code"


def test_resolve_theme_names_or_says_how_to_create(project: Project) -> None:
    get = project.create_theme("Belonging", level="get")
    assert project.resolve_theme("belonging") == (project.theme(get.id), {})
    assert project.resolve_theme("Belonging/Outsider", transcript_id=1) == (
        None, {"name": "Outsider", "level": "pet", "parent_id": get.id, "participant_id": project.find_participant("P01").id},
    )
    assert project.resolve_theme("Loose", level="get") == (
        None, {"name": "Loose", "level": "get", "parent_id": None, "participant_id": None},
    )
    with pytest.raises(ProjectError, match="^no theme 'Nowhere' to put 'Child' under; create the parent first"):
        project.resolve_theme("Nowhere/Child")
    # A slash between parts without words is part of a name, not a path.
    assert project.resolve_theme("[/]") == (
        None, {"name": "[/]", "level": "statement", "parent_id": None, "participant_id": None},
    )
    with pytest.raises(ProjectError, match="a theme needs a name"):
        project.resolve_theme("  ")


def test_themes_are_listed_by_name_ignoring_case(project: Project) -> None:
    for name in ("beta", "Alpha", "Gamma"):
        project.create_theme(name)
    assert [t.name for t in project.themes()] == ["Alpha", "beta", "Gamma"]
    assert project._themes_by_ids([]) == {}


def test_an_exact_name_wins_over_other_cases(project: Project) -> None:
    exact = project.create_theme("Lost")
    project.create_theme("lost", participant_id=project.find_participant("P01").id)
    assert project.find_theme("Lost").id == exact.id
