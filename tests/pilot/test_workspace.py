"""The coding workspace in the real app: every key, checked on the screen and in the project file."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from modal_harness import screen_text
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tui.app import MarginApp
from tui.project.model import Line
from tui.project import Project
from tui.screens.choice import ChoiceScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.help import HelpScreen
from tui.screens.note_editor import NoteEditor
from tui.screens.project_screen import ProjectScreen
from tui.screens.theme_picker import ThemePicker
from tui.screens.workspace import WorkspaceScreen
from tui.widgets.coding_pane import CodingPane
from tui.widgets.transcript_view import TranscriptView

if TYPE_CHECKING:  # the fixtures' types, from this folder's conftest.py
    from conftest import Keyboard, Study, StudyMaker

WIDE = (120, 40)
NARROW = (80, 24)


# ---------------------------------------------------------------------- helpers


def app_for(study: Study) -> MarginApp:
    """The app opened straight on the study's transcript, as `margin open --transcript` does."""
    return MarginApp(study.project, transcript_id=study.transcript_id, ask_coder=False)


def workspace(app: MarginApp) -> WorkspaceScreen:
    """The workspace, which must be the screen on top."""
    screen = app.screen
    assert isinstance(screen, WorkspaceScreen), f"expected the workspace, not {type(screen).__name__}"
    return screen


def view(app: MarginApp) -> TranscriptView:
    """The transcript pane of the workspace."""
    return workspace(app).query_one(TranscriptView)


def cursor_number(app: MarginApp) -> int:
    """The number of the line under the cursor."""
    line = view(app).cursor_line
    assert line is not None
    return line.number


def status(app: MarginApp) -> str:
    """The workspace's status line."""
    return str(workspace(app).query_one("#workspace-status", Static).content)


def pane(app: MarginApp) -> str:
    """The text of the coding pane."""
    return workspace(app).query_one(CodingPane).text


def codings(project: Project) -> list[tuple[int, int, int]]:
    """Every coding as (first line, last line, theme id), in reading order."""
    return [(c.first_line, c.last_line, c.theme_id) for c in project.codings()]


def notes(project: Project) -> list[tuple[int, int, str, str]]:
    """Every note of every transcript as (first line, last line, kind, body)."""
    return [(n.first_line, n.last_line, n.kind, n.body) for t in project.transcripts() for n in project.notes(t.id)]


def coder_names(project: Project, coder_ids: list[int | None]) -> list[str | None]:
    """The names of the coders with these ids."""
    names = {c.id: c.name for c in project.coders()}
    return [names.get(i) if i is not None else None for i in coder_ids]


def row_of(app: MarginApp, text: str) -> str:
    """The one screen row that shows `text`."""
    rows = [row for row in screen_text(app).splitlines() if text in row]
    assert len(rows) == 1, f"{text!r} is on {len(rows)} rows of the screen"
    return rows[0]


async def start(pilot: Pilot[None]) -> None:
    """Let the app push its screens and lay them out, until the transcript has the focus (a key
    typed before that waits for it, after the test's next pause on a loaded machine)."""
    await pilot.pause()
    await pilot.pause()
    for _ in range(50):
        if pilot.app.focused is not None:
            break
        await pilot.pause(0.05)


async def tag_new(pilot: Pilot[None], keyboard: Keyboard, name: str) -> None:
    """`t`, type a name, enter: tag the selection with the top entry of the picker."""
    await pilot.press("t")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ThemePicker)
    await keyboard.type(pilot, name)
    await pilot.press("enter")
    await pilot.pause()


# ---------------------------------------------------------------------- navigation


@pytest.mark.parametrize("size", [WIDE, NARROW])
async def test_line_keys_move_the_cursor_and_the_pane_follows(study: Study, size: tuple[int, int]) -> None:
    app = app_for(study)
    async with app.run_test(size=size) as pilot:
        await start(pilot)
        assert cursor_number(app) == 1
        assert pane(app).startswith("line 1\n")
        assert app.focused is view(app)
        for key, expected in [("j", 2), ("down", 3), ("j", 4), ("k", 3), ("up", 2), ("k", 1), ("up", 1)]:
            await pilot.press(key)
            await pilot.pause()
            assert cursor_number(app) == expected, key
            assert pane(app).startswith(f"line {expected}\n"), key
        await pilot.press("G")
        await pilot.pause()
        assert cursor_number(app) == study.line_count
        assert pane(app).startswith(f"line {study.line_count}\n")
        assert f"▶ {study.line_count}" in screen_text(app)  # scrolled so that the last line shows
        await pilot.press("j")  # cannot go past the end
        assert cursor_number(app) == study.line_count
        await pilot.press("g")
        await pilot.pause()
        assert cursor_number(app) == 1
        assert "▶  1" in screen_text(app)
        await pilot.press("end")
        assert cursor_number(app) == study.line_count
        await pilot.press("home")
        await pilot.pause()
        assert cursor_number(app) == 1
        assert pane(app).startswith("line 1\n")


@pytest.mark.parametrize("size", [WIDE, NARROW])
async def test_page_keys_move_by_the_height_of_the_pane(study: Study, size: tuple[int, int]) -> None:
    app = app_for(study)
    last = study.line_count
    async with app.run_test(size=size) as pilot:
        await start(pilot)
        step = view(app).scrollable_content_region.height - 1  # one line of the page before stays
        assert step > 3
        expected = 1
        for key in ["pagedown", "pagedown", "pageup", "pagedown", "pagedown", "pagedown", "pageup", "pageup", "pageup"]:
            await pilot.press(key)
            await pilot.pause()
            expected = min(expected + step, last) if key == "pagedown" else max(expected - step, 1)
            assert cursor_number(app) == expected, key
            assert pane(app).startswith(f"line {expected}\n"), key
            assert f"▶ {expected:>2}" in screen_text(app), key  # the cursor line is on screen
        await pilot.press("g", "pagedown")  # from the top, the next page shows: its first line the last of this one
        await pilot.pause()
        assert cursor_number(app) == 1 + step
        assert view(app).scroll_y == min(step, view(app).max_scroll_y) > 0


# ---------------------------------------------------------------------- tagging


@pytest.mark.parametrize("size", [WIDE, NARROW])
async def test_select_three_lines_and_tag_with_a_misspelt_existing_theme(study: Study, size: tuple[int, int], keyboard: Keyboard) -> None:
    app = app_for(study)
    async with app.run_test(size=size) as pilot:
        await start(pilot)
        await pilot.press("j", "v", "j", "j")
        await pilot.pause()
        assert view(app).selection == (2, 4)
        assert "selecting 2-4" in status(app)
        assert pane(app).startswith("lines 2-4 selected")
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, ThemePicker)
        assert "Tag lines 2-4" in screen_text(app)
        await keyboard.type(pilot, "belnging")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        rows = study.project.codings()
        assert [(c.first_line, c.last_line, c.theme_id) for c in rows] == [(2, 4, study.belonging)]
        assert coder_names(study.project, [c.coder_id for c in rows]) == ["VR"]
        assert len(study.project.themes()) == 2  # no theme was created
        assert "tagged lines 2-4: Sense of belonging" in status(app)
        assert "3 coded" in status(app)
        assert view(app).selection == (4, 4)  # the selection ends with the tagging
        assert "Sense of belonging" in pane(app)
        text = screen_text(app)
        assert "▶  4●" in text  # cursor and coding markers on the cursor line
        assert "  2●" in text and "  3●" in text
        assert "  5●" not in text and "  1●" not in text


async def test_tag_the_cursor_line_without_a_selection(study: Study, keyboard: Keyboard) -> None:
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("j", "j", "j", "j")  # line 5
        await pilot.press("t")
        await pilot.pause()
        assert "Tag line 5" in screen_text(app)
        await keyboard.type(pilot, "fear")
        await pilot.press("enter")
        await pilot.pause()
    assert codings(study.project) == [(5, 5, study.exposure)]


async def test_selection_upwards_and_escape_clears_it(study: Study) -> None:
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("G", "v", "k", "k")
        await pilot.pause()
        assert view(app).selection == (58, 60)
        assert "┃" in screen_text(app)  # the selected range is marked
        await pilot.press("escape")
        await pilot.pause()
        assert view(app).selection == (58, 58)
        assert "selecting" not in status(app)
        assert "┃" not in screen_text(app)
        await pilot.press("v", "j", "v")  # v again ends the range, keeping it
        await pilot.pause()
        assert view(app).selection == (58, 59)
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("escape")  # cancel the picker: nothing is tagged
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
    assert codings(study.project) == []


async def test_a_new_theme_is_a_statement_of_the_participant_in_ipa(study: Study, keyboard: Keyboard) -> None:
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("j", "j", "v", "j")
        await pilot.press("t")
        await pilot.pause()
        await keyboard.type(pilot, "Lost on the ward")
        assert '+ new statement: "Lost on the ward"' in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert "tagged lines 3-4: Lost on the ward" in status(app)
        assert "Lost on the ward (statement · P07, lines 3-4)" in " ".join(pane(app).split())
    created = [t for t in study.project.themes() if t.name == "Lost on the ward"]
    assert len(created) == 1
    assert created[0].level == "statement"
    assert study.participant_id is not None
    assert created[0].participant_id == study.participant_id
    assert codings(study.project) == [(3, 4, created[0].id)]


async def test_a_new_theme_of_a_transcript_without_participant_is_cross_case(make_study: StudyMaker, keyboard: Keyboard) -> None:
    made = make_study(participant=None)
    app = app_for(made)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        assert "Interview 7 · ipa" in status(app)
        await tag_new(pilot, keyboard, "Unplaced")
        assert "tagged line 1: Unplaced" in status(app)
    created = made.project.find_theme("Unplaced")
    assert created is not None
    assert (created.level, created.participant_id) == ("statement", None)


async def test_a_new_theme_is_a_cross_case_code_in_ta(ta_study: Study, keyboard: Keyboard) -> None:
    app = app_for(ta_study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("t")
        await pilot.pause()
        await keyboard.type(pilot, "Lost on the ward")
        assert '+ new code: "Lost on the ward"' in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert "tagged line 1: Lost on the ward" in status(app)
    created = [t for t in ta_study.project.themes() if t.name == "Lost on the ward"]
    assert len(created) == 1
    assert created[0].level == "code"
    assert created[0].participant_id is None
    assert codings(ta_study.project) == [(1, 1, created[0].id)]


async def test_number_keys_tag_with_recent_themes(study: Study, keyboard: Keyboard) -> None:
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        for key in "123456789":  # no theme used yet: nothing happens
            await pilot.press(key)
        await pilot.pause()
        assert codings(study.project) == []
        assert "no recent theme 9 yet" in status(app)
        await tag_new(pilot, keyboard, "belonging")  # line 1: Sense of belonging
        await pilot.press("j")
        await tag_new(pilot, keyboard, "fear")  # line 2: Fear of exposure; now recent 1 = fear, 2 = belonging
        assert "1 Fear of exposure" in pane(app)
        assert "2 Sense of belonging" in pane(app)
        await pilot.press("j", "1")  # line 3
        await pilot.pause()
        await pilot.press("j", "v", "j", "2")  # lines 4-5
        await pilot.pause()
        assert "tagged lines 4-5: Sense of belonging" in status(app)
        before = codings(study.project)
        await pilot.press("3", "9")  # only two recent themes
        await pilot.pause()
        assert codings(study.project) == before
        assert "no recent theme 9 yet" in status(app)
    assert codings(study.project) == [
        (1, 1, study.belonging), (2, 2, study.exposure), (3, 3, study.exposure), (4, 5, study.belonging),
    ]


async def test_x_removes_the_only_coding_of_the_line(study: Study) -> None:
    study.project.tag(study.transcript_id, 1, 2, study.belonging)
    study.project.tag(study.transcript_id, 7, 7, study.exposure)
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("j", "x")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)  # nothing to ask
        assert "removed Sense of belonging from lines 1-2" in status(app)
        assert "Sense of belonging" not in pane(app).split("notes")[0]
        await pilot.press("x")  # line 2 has no coding left
        await pilot.pause()
        assert "line 2 has no coding to remove" in status(app)
    assert codings(study.project) == [(7, 7, study.exposure)]


async def test_x_asks_which_coding_when_a_line_has_two(study: Study) -> None:
    study.project.tag(study.transcript_id, 1, 3, study.belonging)
    study.project.tag(study.transcript_id, 2, 2, study.exposure)
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("j")
        assert "▶  2²" in screen_text(app)  # two codings on the line, as a superscript count
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        text = screen_text(app)
        assert "Remove which coding from line 2?" in text
        assert "1 Sense of belonging (lines 1-3)" in text
        assert "2 Fear of exposure (line 2)" in text
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert "removed Fear of exposure from line 2" in status(app)
        assert codings(study.project) == [(1, 3, study.belonging)]
        study.project.tag(study.transcript_id, 2, 2, study.exposure)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("escape")  # cancelled: nothing removed
        await pilot.pause()
        assert len(study.project.codings()) == 2
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("enter")  # the first option
        await pilot.pause()
    assert codings(study.project) == [(2, 2, study.exposure)]


# ---------------------------------------------------------------------- notes


async def test_write_edit_and_delete_a_note(study: Study, keyboard: Keyboard) -> None:
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("j", "v", "j", "n")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        assert "Note on lines 2-3" in screen_text(app)
        await pilot.press("ctrl+l")
        await keyboard.type(pilot, "hedges a lot")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert notes(study.project) == [(2, 3, "linguistic", "hedges a lot")]
        assert study.project.notes(study.transcript_id)[0].coder_id is not None
        assert coder_names(study.project, [study.project.notes(study.transcript_id)[0].coder_id]) == ["VR"]
        assert "linguistic note on lines 2-3 saved" in status(app)
        assert "L: hedges a lot (linguistic, lines 2-3)" in " ".join(pane(app).split())
        assert "▶  3 ✎" in screen_text(app)  # no coding marker, a note marker

        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        assert "hedges a lot" in screen_text(app)
        await pilot.press("ctrl+o")
        await keyboard.type(pilot, " when unsure")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert notes(study.project) == [(2, 3, "conceptual", "hedges a lot when unsure")]
        assert "note saved" in status(app)
        assert "C: hedges a lot when unsure" in " ".join(pane(app).split())

        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "hedges a lot when unsure" in screen_text(app)
        await pilot.press("n")  # no: kept
        await pilot.pause()
        assert len(notes(study.project)) == 1
        await pilot.press("D")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert notes(study.project) == []
        assert "note deleted" in status(app)
        assert "hedges a lot" not in pane(app)
        await pilot.press("e", "D")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert "line 3 has no note to delete" in status(app)


async def test_note_kinds_and_cancel(study: Study, keyboard: Keyboard) -> None:
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("n")
        await pilot.pause()
        await keyboard.type(pilot, "says it twice")
        await pilot.press("ctrl+s")  # descriptive unless chosen
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await keyboard.type(pilot, "thrown away")
        await pilot.press("escape")  # text typed: margin asks before throwing it away
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("ctrl+s")  # empty: refused, the editor stays
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        await pilot.press("ctrl+o")
        await keyboard.type(pilot, "a place of exclusion")
        await pilot.press("ctrl+s")
        await pilot.pause()
        text = " ".join(pane(app).split())
        assert "D: says it twice" in text
        assert "C: a place of exclusion" in text
    assert notes(study.project) == [(1, 1, "descriptive", "says it twice"), (1, 1, "conceptual", "a place of exclusion")]


async def test_edit_asks_which_note_when_a_line_has_two(study: Study, keyboard: Keyboard) -> None:
    first = study.project.add_note(study.transcript_id, 1, 1, "descriptive", "first note")
    study.project.add_note(study.transcript_id, 1, 2, "conceptual", "second note")
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        assert "Edit which note on line 1?" in screen_text(app)
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        await keyboard.type(pilot, "!")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
    assert notes(study.project) == [(1, 2, "conceptual", "second note!")]
    assert first.id not in [n.id for n in study.project.notes(study.transcript_id)]


# ---------------------------------------------------------------------- undo and redo


async def test_undo_and_redo_walk_every_change(study: Study, keyboard: Keyboard) -> None:
    app = app_for(study)
    p = study.project
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await tag_new(pilot, keyboard, "belonging")  # 1: tag line 1
        await pilot.press("j")
        await tag_new(pilot, keyboard, "Brand new theme")  # 2: new theme on line 2
        await pilot.press("n")
        await pilot.pause()
        await keyboard.type(pilot, "memo")
        await pilot.press("ctrl+s")  # 3: note on line 2
        await pilot.pause()
        await pilot.press("k", "x")  # 4: untag line 1
        await pilot.pause()
        new_theme = p.find_theme("Brand new theme")
        assert new_theme is not None
        states = [
            ([], [], False),
            ([(1, 1, study.belonging)], [], False),
            ([(1, 1, study.belonging), (2, 2, new_theme.id)], [], True),
            ([(1, 1, study.belonging), (2, 2, new_theme.id)], [(2, 2, "descriptive", "memo")], True),
            ([(2, 2, new_theme.id)], [(2, 2, "descriptive", "memo")], True),
        ]

        def check(step: int) -> None:
            expected_codings, expected_notes, theme_exists = states[step]
            assert codings(p) == expected_codings, step
            assert notes(p) == expected_notes, step
            assert (p.find_theme("Brand new theme") is not None) == theme_exists, step

        check(4)
        for step, key in zip([3, 2, 1, 0], ["u", "ctrl+z", "u", "ctrl+z"]):
            await pilot.press(key)
            await pilot.pause()
            check(step)
            assert "undone:" in status(app)
        assert " 0 coded" in status(app)
        for step, key in zip([1, 2, 3], ["ctrl+r", "ctrl+y", "ctrl+r"]):
            await pilot.press(key)
            await pilot.pause()
            check(step)
            assert "redone:" in status(app)
        # Redo goes to the place of what it redid: the note on line 2.
        assert cursor_number(app) == 2 and "D: memo" in pane(app)
        await pilot.press("u")  # undo the note again, then a new change ends the redo branch
        await pilot.pause()
        check(2)
        await pilot.press("G", "1")
        await pilot.pause()
        assert codings(p)[-1] == (60, 60, new_theme.id)  # 1: the most recent theme
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert "nothing to redo" in status(app)
        assert notes(p) == []
    actions = [row[0] for row in p.conn.execute("SELECT action FROM events ORDER BY id")]
    assert actions.count("undo") == 5
    assert actions.count("redo") == 3


async def test_undo_and_redo_with_nothing_to_do_say_so(study: Study) -> None:
    study.project.conn.execute("UPDATE events SET state = 'final'")  # the setup is not undoable
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("u")
        await pilot.pause()
        assert "nothing to undo" in status(app)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "nothing to redo" in status(app)
    assert len(study.project.themes()) == 2
    assert study.project.conn.execute("SELECT COUNT(*) FROM events WHERE action IN ('undo', 'redo')").fetchone()[0] == 0


async def test_undo_works_after_the_app_is_restarted(study: Study, keyboard: Keyboard) -> None:
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await tag_new(pilot, keyboard, "belonging")
        await pilot.press("j", "n")
        await pilot.pause()
        await keyboard.type(pilot, "kept across sessions")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert len(study.project.codings()) == 1 and len(notes(study.project)) == 1

    project = study.reopen()
    app = MarginApp(project, transcript_id=study.transcript_id, ask_coder=False)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        assert "1 coded" in status(app)
        await pilot.press("u")
        await pilot.pause()
        assert notes(project) == []
        assert len(project.codings()) == 1
        await pilot.press("u")
        await pilot.pause()
        assert project.codings() == []
        assert "0 coded" in status(app)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert codings(project) == [(1, 1, study.belonging)]

    project = study.reopen()  # and the redo, too, is in the file
    assert codings(project) == [(1, 1, study.belonging)]
    assert notes(project) == []


# ---------------------------------------------------------------------- search


@pytest.mark.parametrize("size", [WIDE, NARROW])
async def test_search_counts_jumps_and_cycles(study: Study, size: tuple[int, int], keyboard: Keyboard) -> None:
    app = app_for(study)
    ward = study.lines_containing("ward")
    total = len(ward)
    assert total > 3
    async with app.run_test(size=size) as pilot:
        await start(pilot)
        await pilot.press("slash")
        await pilot.pause()
        field = workspace(app).query_one("#workspace-search", Input)
        assert field.has_focus
        assert "search this transcript" in screen_text(app)
        await keyboard.type(pilot, "ward")
        assert field.value == "ward"
        assert f"match -/{total}" in status(app)  # line 1 is not a match
        await pilot.press("enter")
        await pilot.pause()
        assert not field.has_focus
        assert app.focused is view(app)
        assert cursor_number(app) == ward[0]
        assert f"match 1/{total}" in status(app)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert cursor_number(app) == ward[1]
        assert f"match 2/{total}" in status(app)
        assert pane(app).startswith(f"line {ward[1]}\n")
        await pilot.press("left_square_bracket", "left_square_bracket")  # back, then wraps to the last
        await pilot.pause()
        assert cursor_number(app) == ward[-1]
        assert f"match {total}/{total}" in status(app)
        await pilot.press("right_square_bracket")  # wraps to the first
        await pilot.pause()
        assert cursor_number(app) == ward[0]


async def test_search_escape_closes_and_a_miss_is_reported(study: Study, keyboard: Keyboard) -> None:
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("slash")
        await keyboard.type(pilot, "zebra")
        assert "no matches" in status(app)
        await pilot.press("escape")
        await pilot.pause()
        field = workspace(app).query_one("#workspace-search", Input)
        assert not field.display
        assert app.focused is view(app)
        assert isinstance(app.screen, WorkspaceScreen)
        assert "search this transcript" not in screen_text(app)
        assert cursor_number(app) == 1
        await pilot.press("slash", "enter")
        await pilot.pause()
        assert "no line contains 'zebra'" in status(app)
        await pilot.press("j")  # keys are commands again
        assert cursor_number(app) == 2


async def test_next_match_without_a_search_says_how(study: Study) -> None:
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert "press / to search" in status(app)
        assert cursor_number(app) == 1


async def test_letters_typed_into_search_are_text_not_commands(study: Study, keyboard: Keyboard) -> None:
    study.project.tag(study.transcript_id, 1, 1, study.belonging)
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        events_before = study.project.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        await pilot.press("slash")
        await keyboard.type(pilot, "tux vnDe?pmqg123G")
        field = workspace(app).query_one("#workspace-search", Input)
        assert field.value == "tux vnDe?pmqg123G"
        assert field.has_focus
        assert isinstance(app.screen, WorkspaceScreen)  # no picker, no editor, no help, not gone back
        assert cursor_number(app) == 1
        assert not workspace(app).has_class("-margin") and not workspace(app).has_class("-no-pane")
        await pilot.press("backspace", "ctrl+z")  # ctrl+z in the field is not the workspace's undo
        await pilot.pause()
    assert codings(study.project) == [(1, 1, study.belonging)]
    assert study.project.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == events_before


async def test_keys_typed_quickly_after_slash_go_into_the_search_field(study: Study, keyboard: Keyboard) -> None:
    # Over SSH, or from tmux send-keys, several keys arrive in one read and are queued together:
    # the ones after / must still be search text, never commands.
    study.project.tag(study.transcript_id, 1, 1, study.belonging)
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await keyboard.burst(pilot, ["slash", *"tux"])
        assert isinstance(app.screen, WorkspaceScreen)  # t did not open the picker
        field = workspace(app).query_one("#workspace-search", Input)
        assert field.has_focus
        assert field.value == "tux"
    assert codings(study.project) == [(1, 1, study.belonging)]  # x did not untag, u did not undo


# ---------------------------------------------------------------------- layout


async def test_margin_layout_shows_notes_and_statements_beside_their_lines(study: Study) -> None:
    study.project.tag(study.transcript_id, 2, 2, study.belonging)
    study.project.add_note(study.transcript_id, 2, 2, "conceptual", "feels lost")
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        assert "C: feels lost (2)" not in screen_text(app)
        await pilot.press("m")
        await pilot.pause()
        assert workspace(app).has_class("-margin")
        assert not workspace(app).query_one(CodingPane).display
        row = row_of(app, "Line 2 of the interview")
        assert "C: feels lost (2)" in row
        assert "Sense of belonging" in row
        assert row.index("C: feels lost") < row.index("Line 2") < row.index("Sense of belonging")
        assert "margin layout" in status(app)
        await pilot.press("m")
        await pilot.pause()
        assert not workspace(app).has_class("-margin")
        assert workspace(app).query_one(CodingPane).display
        assert "C: feels lost (2)" not in screen_text(app)


async def test_margin_layout_follows_new_notes(study: Study, keyboard: Keyboard) -> None:
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("m", "j", "n")
        await pilot.pause()
        await keyboard.type(pilot, "quiet")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await tag_new(pilot, keyboard, "fear")
        assert "D: quiet (2)" in row_of(app, "Line 2 of the interview")
        assert "Fear of exposure" in row_of(app, "Line 2 of the interview")  # its span "(2)" on the next row


async def test_p_hides_and_shows_the_coding_pane(study: Study) -> None:
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        assert "none: t to tag" in screen_text(app)
        width = view(app).size.width
        await pilot.press("p")
        await pilot.pause()
        assert not workspace(app).query_one(CodingPane).display
        assert "none: t to tag" not in screen_text(app)
        assert view(app).size.width > width  # the transcript takes the room
        await pilot.press("p")
        await pilot.pause()
        assert workspace(app).query_one(CodingPane).display
        assert "none: t to tag" in screen_text(app)


async def test_narrow_terminal_puts_the_pane_below_and_tagging_works(study: Study, keyboard: Keyboard) -> None:
    app = app_for(study)
    async with app.run_test(size=NARROW) as pilot:
        await start(pilot)
        screen = workspace(app)
        assert screen.has_class("-narrow")
        coding_pane = screen.query_one(CodingPane)
        assert coding_pane.display
        assert coding_pane.region.height > 0 and coding_pane.region.width > 0
        assert coding_pane.region.y > view(app).region.y  # under the transcript
        await pilot.press("v", "j", "t")
        await pilot.pause()
        assert isinstance(app.screen, ThemePicker)
        await keyboard.type(pilot, "belnging")
        await pilot.press("enter")
        await pilot.pause()
        assert codings(study.project) == [(1, 2, study.belonging)]
        text = screen_text(app)
        assert "Sense of belonging" in text  # shown in the pane, on an 80x24 screen
        assert "line 2" in text
        assert "tagged lines 1-2" in status(app)
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert not workspace(app).has_class("-narrow")


# ---------------------------------------------------------------------- markup safety


async def test_transcript_text_is_never_markup_or_terminal_control(markup_study: Study, keyboard: Keyboard) -> None:
    project = markup_study.project
    bell = project.create_theme("Bell\x1b[31m ringing", participant_id=markup_study.participant_id)
    project.tag(markup_study.transcript_id, 4, 4, bell.id)
    app = app_for(markup_study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        text = screen_text(app)
        assert "I was [laughs] so nervous [pause] that day." in text
        assert "[bold]x[/bold] was written on it." in text
        assert "A bracket on its own [/] and a link [@click=app.quit]hi[/] here." in text
        assert "A terminal code ␛[31m red? and more." in text
        assert "\x1b" not in text
        await pilot.press("j", "j", "v", "j", "t")  # lines 3-4
        await pilot.pause()
        await keyboard.type(pilot, "[/]")
        assert '+ new statement: "[/]"' in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert "tagged lines 3-4: [/]" in status(app)
        shown = " ".join(pane(app).split())
        assert "• [/] (statement · P09, lines 3-4)" in shown
        assert "• Bell␛[31m ringing (statement · P09, line 4)" in shown
        assert "1 [/]" in shown  # first of the recent themes
        assert "[/] (statement" in screen_text(app)
        assert "Bell␛[31m ringing" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        await keyboard.type(pilot, "[laughs] [/]")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "D: [laughs] [/]" in screen_text(app)
        await pilot.press("m")
        await pilot.pause()
        assert "D: [laughs] [/]" in row_of(app, "A terminal code")  # the margin beside 72 columns is narrow
        assert "[/] (3-4)" in row_of(app, "A bracket on its own")
        await pilot.press("m", "x")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        assert "[/] (lines 3-4)" in screen_text(app)
        assert "Bell␛[31m ringing (line 4)" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("slash")
        await keyboard.type(pilot, "[/]")
        assert "match -/2" in status(app)  # twice on line 3: one match per occurrence
        await pilot.press("enter")
        await pilot.pause()
        assert cursor_number(app) == 3
        assert "match 1/2" in status(app)
        assert app.is_running
        assert isinstance(app.screen, WorkspaceScreen)
    assert project.check() == []


async def test_the_title_and_status_show_user_text_literally(make_study: StudyMaker) -> None:
    made = make_study(turns=["[b]P1[/b]: hello [/]", "second line"], participant="[/]\x1b")
    app = MarginApp(made.project, transcript_id=made.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        text = screen_text(app)
        assert "[/]␛ · Interview 7" in text  # the pane's title and the status line
        assert "[/]␛ · Interview 7 · ipa · coder: VR" in status(app)
        assert "[b]P1[/b]: hello [/]" in text
        assert "\x1b" not in text


async def test_deleting_a_note_asks_with_the_question_and_the_note_on_their_own_lines(study: Study) -> None:
    study.project.add_note(study.transcript_id, 1, 1, "conceptual", "a place of exclusion")
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        text = screen_text(app)
        assert "␊" not in text  # the blank line between question and note is a line break, not a symbol
        assert "Delete this conceptual note?" in text
        assert "Delete this conceptual note?" in row_of(app, "Delete this conceptual note?")
        assert "a place of exclusion" not in row_of(app, "Delete this conceptual note?")
        assert "a place of exclusion" in text
        await pilot.press("y")
        await pilot.pause()
    assert notes(study.project) == []


# ---------------------------------------------------------------------- help and back


async def test_help_lists_the_workspace_keys(study: Study) -> None:
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        for key, close in (("question_mark", "escape"), ("f1", "q")):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            text = screen_text(app)
            assert "Keys: workspace" in text
            for description in ("Tag", "Untag", "Note", "Undo", "Redo", "Search", "Margin view", "Back"):
                assert description in text, description
            assert "u, ^z" in text
            await pilot.press(close)  # q closes the help; it does not leave the workspace
            await pilot.pause()
            assert isinstance(app.screen, WorkspaceScreen)


async def test_q_goes_back_to_the_project_screen(study: Study) -> None:
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ProjectScreen)
        assert app.is_running
        assert "Interview 7" in screen_text(app)


async def test_a_demo_transcript_shows_its_codings_notes_and_timestamps(demo: Project) -> None:
    transcript = demo.find_transcript("P03")  # from a .vtt file: lines carry timestamps
    coding = demo.codings(transcript.id)[0]
    theme = demo.theme(coding.theme_id)
    app = MarginApp(demo, transcript_id=transcript.id)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        first = demo.lines(transcript.id)[0]
        assert first.timestamp
        assert pane(app).startswith(f"line 1 · {first.timestamp}")
        view(app).go_to_number(coding.first_line)
        await pilot.pause()
        assert theme.name in pane(app)
        assert f"▶ {coding.first_line:>3}" in screen_text(app)
        assert "P03 · " in screen_text(app)
        assert f"{demo.progress(transcript.id)[1]} coded" in status(app)
        await pilot.press("m")
        await pilot.pause()
        assert theme.name.split()[0] in screen_text(app)


# ---------------------------------------------------------------------- every key, every state

#: Every key a user might hit, but those that leave the app or the workspace: q, ctrl+q, and
#: b, T, M, which open the theme board, the GET table and the memos in its place (their own tests).
KEYS = [
    *"acdefghijklmnoprstuvwxyz",
    *"ABCDEFGHIJKLNOPRSUVWXYZ",
    *"0123456789",
    *"`-=[]\\;',./~!@#$%^&*()_+{}|:\"<>?",
    "space", "enter", "tab", "shift+tab", "escape", "backspace", "delete",
    "up", "down", "left", "right", "home", "end", "pageup", "pagedown", "insert",
    "ctrl+a", "ctrl+b", "ctrl+c", "ctrl+d", "ctrl+e", "ctrl+f", "ctrl+g", "ctrl+h", "ctrl+k",
    "ctrl+l", "ctrl+n", "ctrl+o", "ctrl+p", "ctrl+r", "ctrl+s", "ctrl+t", "ctrl+u", "ctrl+v", "ctrl+w",
    "ctrl+x", "ctrl+y", "ctrl+z", "ctrl+home", "ctrl+end", "ctrl+pageup", "ctrl+pagedown",
    "f1", "f2", "f5", "f10", "f12",
]

#: Keys that leave a dialog or the search field on purpose, tested on their own; ctrl+p opens
#: the command palette, which would take the rest.
LEAVING = ("enter", "escape", "ctrl+s", "tab", "shift+tab", "ctrl+p", "f1")


async def back_to_the_workspace(pilot: Pilot[None]) -> None:
    """Escape until the workspace is on top again with the transcript focused (a note typed into
    is thrown away when margin asks)."""
    for _ in range(6):
        if isinstance(pilot.app.screen, WorkspaceScreen) and pilot.app.focused is view(pilot.app):
            return
        screen = pilot.app.screen
        throw_away = isinstance(screen, ConfirmScreen) and screen._question.startswith("Throw away")
        await pilot.press("y" if throw_away else "escape")
        await pilot.pause()
    assert isinstance(pilot.app.screen, WorkspaceScreen)
    assert pilot.app.focused is view(pilot.app)


@pytest.mark.parametrize("size", [WIDE, NARROW])
async def test_every_key_in_the_workspace(study: Study, size: tuple[int, int], keyboard: Keyboard) -> None:
    study.project.tag(study.transcript_id, 1, 3, study.belonging)
    study.project.tag(study.transcript_id, 1, 1, study.exposure)
    study.project.add_note(study.transcript_id, 1, 1, "descriptive", "a note")
    app = app_for(study)
    async with app.run_test(size=size) as pilot:
        await start(pilot)
        # Each key on the workspace itself, the cursor on a line with two codings and a note;
        # escape closes whatever the key opened.
        await keyboard.burst(pilot, [k for key in KEYS for k in ("g", key, "escape", "escape")])
        await back_to_the_workspace(pilot)
        assert app.is_running and app.return_code is None
        await pilot.press("g", "j")  # still answering keys
        assert cursor_number(app) == 2
        assert pane(app).startswith("line 2")
    assert study.project.check() == []


async def test_every_key_with_a_range_selected_in_the_margin_layout(study: Study, keyboard: Keyboard) -> None:
    study.project.tag(study.transcript_id, 1, 3, study.belonging)
    study.project.add_note(study.transcript_id, 2, 2, "descriptive", "a note long enough to wrap " * 3)
    app = app_for(study)
    async with app.run_test(size=NARROW) as pilot:
        await start(pilot)
        await pilot.press("m")
        await keyboard.burst(pilot, [k for key in KEYS if key != "m" for k in ("g", "v", "j", "j", key, "escape", "escape")])
        await back_to_the_workspace(pilot)
        assert app.is_running
        assert workspace(app).has_class("-margin")
        await pilot.press("G")
        assert f"▶ {study.line_count}" in screen_text(app)
    assert study.project.check() == []


@pytest.mark.parametrize("where", ["picker", "note", "search", "choice", "confirm"])
async def test_every_key_inside_a_dialog_of_the_workspace(study: Study, where: str, keyboard: Keyboard) -> None:
    study.project.tag(study.transcript_id, 1, 3, study.belonging)
    study.project.tag(study.transcript_id, 1, 1, study.exposure)
    study.project.add_note(study.transcript_id, 1, 1, "descriptive", "a note")
    opener, expected = {
        "picker": ("t", ThemePicker), "note": ("n", NoteEditor), "search": ("slash", WorkspaceScreen),
        "choice": ("x", ChoiceScreen), "confirm": ("D", ConfirmScreen),
    }[where]
    # In a choice, digits and space choose, y and n answer: those are tested on their own.
    typing = [key for key in KEYS if key not in LEAVING and not (where in ("choice", "confirm") and (key in "0123456789yYnN" or key == "space"))]
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press(opener)
        await pilot.pause()
        await keyboard.burst(pilot, typing)
        assert app.is_running
        assert isinstance(app.screen, expected)
        if where == "search":
            assert workspace(app).query_one("#workspace-search", Input).has_focus
        assert len(study.project.codings()) == 2  # nothing typed was taken as a command
        assert len(notes(study.project)) == 1
        await pilot.press("enter" if where != "note" else "ctrl+s")
        await pilot.pause()
        await back_to_the_workspace(pilot)
        assert app.is_running
    assert study.project.check() == []
    if where == "picker":  # enter applied whatever the typing left highlighted, unless line 1 had it already
        assert len(study.project.codings()) in (2, 3)
        assert len({(c.first_line, c.last_line, c.theme_id) for c in study.project.codings()}) == len(study.project.codings())
    if where == "note":
        assert len(notes(study.project)) == 2
    if where == "choice":
        assert len(study.project.codings()) == 1
    if where == "confirm":
        assert notes(study.project) == []


# ---------------------------------------------------------------------- keys in one burst


async def test_a_burst_after_t_goes_into_the_picker(study: Study, keyboard: Keyboard) -> None:
    # Over SSH a whole `t`, query and enter can arrive in one read: the query must reach the
    # picker whole, so enter applies the theme typed, not whatever happened to be first.
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await keyboard.burst(pilot, ["j", "j", "t", *"fear of exp", "enter"])
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
    assert codings(study.project) == [(3, 3, study.exposure)]


async def test_a_burst_after_n_saves_the_whole_note(study: Study, keyboard: Keyboard) -> None:
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await keyboard.burst(pilot, ["n", *"the corner as a place of exclusion", "ctrl+s"])
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
    assert [n.body for n in study.project.notes(study.transcript_id)] == ["the corner as a place of exclusion"]


# ---------------------------------------------------------------------- each case on its own terms


async def test_ipa_offers_only_this_cases_statements_and_cross_case_themes(study: Study, keyboard: Keyboard) -> None:
    other = study.project.add_participant("P99")
    theirs = study.project.create_theme("Their own corner", participant_id=other.id)
    get = study.project.create_theme("Learning community", level="get")
    # Recently used elsewhere: P99's statement must not be offered as a number key here.
    other_transcript = study.project.import_transcript(
        title="Interview 99", text="P99: a corner of my own", participant="P99",
        lines=[Line(1, "P99", "P99: a corner of my own", 0, 23, True, 5)],
    )
    study.project.tag(other_transcript.id, 1, 1, theirs.id)
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        assert "Their own corner" not in workspace(app).query_one(CodingPane).text
        await pilot.press("1")  # nothing usable is recent yet: nothing is tagged
        await pilot.pause()
        assert study.project.codings(study.transcript_id) == []
        await pilot.press("t")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ThemePicker)
        await keyboard.type(pilot, "their own corner")
        text = screen_text(app)
        assert "+ new" in text and "statement · P99" not in text
        await pilot.press("escape")
        await pilot.press("t")
        await pilot.pause()
        await keyboard.type(pilot, "learning community")
        await pilot.press("enter")
        await pilot.pause()
    assert [(c.first_line, c.theme_id) for c in study.project.codings(study.transcript_id)] == [(1, get.id)]


async def test_a_tag_made_by_another_margin_command_shows_within_a_second(study: Study) -> None:
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        assert "1●" not in screen_text(app).replace(" ", "")
        other = Project.open(study.path, coder="AB")  # as `margin tag` would, in another process
        other.tag(study.transcript_id, 1, 1, study.exposure)
        other.close()
        await pilot.pause(1.3)
        assert "Fear of exposure" in workspace(app).query_one(CodingPane).text
        assert "▶1●" in screen_text(app).replace(" ", "")


async def test_search_finds_a_phrase_across_a_line_break(study: Study, keyboard: Keyboard) -> None:
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        first, second = study.project.lines(study.transcript_id, 1, 2)
        phrase = f"{first.text.split()[-1]} {second.text.split()[0]}"  # the last word of 1, the first of 2
        await pilot.press("slash")
        await keyboard.type(pilot, phrase)
        # One occurrence, one match, though it runs over two lines; both lines show their part.
        matches = workspace(app).view.matches
        assert matches[0] == 0 and 1 not in matches  # lines 1-2 are one match, not two
        assert f"/{len(matches)}" in status(app)
        rows = screen_text(app).split("\n")
        marked = [row for row in rows if first.text.split()[-1] in row or second.text.split()[0] in row]
        assert marked
        view_ = workspace(app).view
        assert view_._match_spans(1, first.text) and view_._match_spans(2, second.text)


async def test_the_status_line_keeps_the_selection_and_the_title_at_80_columns(study: Study, keyboard: Keyboard) -> None:
    study.project.set_coder("a coder with a long name")
    app = app_for(study)
    async with app.run_test(size=NARROW) as pilot:
        await start(pilot)
        await tag_new(pilot, keyboard, "belonging")  # a message in the status line
        await pilot.press("j", "v", "j", "j")
        await pilot.pause()
        row = screen_text(app).splitlines()[0].strip()
        assert row.startswith("selecting 2-4")  # what the keys just did, first
        assert "P07 · Interview 7" in row  # the place stays whole; the least needed parts go
        assert "tagged" in row  # shortened if need be
        assert row.endswith("1 coded") or row.endswith("P07 · Interview 7")
        assert len(row) <= NARROW[0] - 2
