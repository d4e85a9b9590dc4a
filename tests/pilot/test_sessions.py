"""Coding is done in sessions: each coder comes back where they stopped, and sees what a session did."""

from __future__ import annotations

from typing import TYPE_CHECKING

from modal_harness import screen_text
from textual.pilot import Pilot
from textual.widgets import Static

from tui.app import MarginApp
from tui.project import Project
from tui.screens.help import HelpScreen
from tui.screens.project_screen import ProjectScreen
from tui.screens.prompt import PromptScreen
from tui.screens.workspace import WorkspaceScreen
from tui.widgets.coding_pane import CodingPane
from tui.widgets.transcript_view import TranscriptView

if TYPE_CHECKING:
    from conftest import Keyboard, Study

WIDE = (120, 40)


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.pause()


def cursor(app: MarginApp) -> int:
    line = app.screen.query_one(TranscriptView).cursor_line
    assert line is not None
    return line.number


async def test_margin_open_returns_to_the_transcript_line_and_layout(study: Study) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press(*"jjjjjjjjjjjj", "m", "p")  # line 13, the margin view, the pane hidden
        await settle(pilot)
        await pilot.press("ctrl+q")
    project = study.reopen()
    app = MarginApp(project)  # `margin open` with no transcript named
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WorkspaceScreen)
        assert screen.transcript.id == study.transcript_id
        assert cursor(app) == 13
        assert screen.has_class("-margin") and screen.has_class("-no-pane")
        assert screen.query_one(TranscriptView).margin_layout
        assert "back where you stopped: line 13" in screen_text(app)
        await pilot.press("q")  # the project screen is under it
        await settle(pilot)
        assert isinstance(app.screen, ProjectScreen)


async def test_the_coding_pane_shows_the_line_margin_open_returns_to(study: Study) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press(*"jjjjjjjjj")  # line 10, which has a coding
        await settle(pilot)
        await pilot.press("ctrl+q")
    app = MarginApp(study.reopen())
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert cursor(app) == 10
        pane = app.screen.query_one(CodingPane).text
        assert pane.startswith("line 10"), pane  # the pane says the line the cursor came back to


async def test_each_coder_has_a_place_of_their_own(study: Study) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:  # VR stops on line 5
        await settle(pilot)
        await pilot.press(*"jjjj", "q")
        await settle(pilot)
    study.project.set_coder("AB")
    app = MarginApp(study.project)
    async with app.run_test(size=WIDE) as pilot:  # AB has no place yet: the project screen
        await settle(pilot)
        assert isinstance(app.screen, ProjectScreen)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"jjjjjjjjj")  # AB stops on line 10, by a hang-up
        await settle(pilot)
        app.keep_drafts()
    project = Project.open(study.path, coder="VR")
    try:
        app = MarginApp(project)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            assert cursor(app) == 5
    finally:
        project.close()
    study.project.set_coder("AB")
    app = MarginApp(study.project)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert cursor(app) == 10


async def test_a_place_on_a_transcript_is_kept_when_it_is_opened_from_the_project(study: Study) -> None:
    study.project.save_session(study.transcript_id, 20, "coding")
    app = MarginApp(study.project)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("q")  # resumed on line 20; back to the project
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert cursor(app) == 20


async def test_the_first_workspace_left_beneath_the_project_no_longer_keeps_the_place(study: Study) -> None:
    # Resumed straight into the transcript, the workspace is the app's first screen: back on the
    # project it stays beneath. The place the coder then reaches in a workspace opened from the
    # project is the one kept when margin closes, not the first workspace's.
    study.project.save_session(study.transcript_id, 20, "coding")
    app = MarginApp(study.project)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"jjjjj")
        await settle(pilot)
        assert cursor(app) == 25
        await pilot.press("q")
        await settle(pilot)
        app.keep_drafts()  # what quitting and a hang-up do
    assert study.project.last_session().line == 25


async def test_the_session_summary_is_one_key_away_and_printed_on_quitting(study: Study, keyboard: Keyboard) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("1")  # nothing recent yet: nothing tagged
        await pilot.press("t")
        await settle(pilot)
        await keyboard.type(pilot, "belonging")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("j", "n")
        await settle(pilot)
        await keyboard.type(pilot, "stands at the door")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        shown = [str(n.message) for n in app._notifications]  # the toast
        assert "this session as VR: 1 coding, 1 note, 0 memos, in under a minute" in shown
        await pilot.press("?")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        described = [str(d.content) for d in app.screen.query(".description").results(Static)]
        assert "This session so far" in described
        await pilot.press("escape")
        await settle(pilot)
        assert any(keys == "S" and "This session" in what for keys, what in app.keys_for(app.screen))
        await pilot.press("ctrl+q")
        printed = [str(renderable) for renderable in app._exit_renderables]  # what Textual prints after it exits
    assert printed == ["this session as VR: 1 coding, 1 note, 0 memos, in under a minute"]


async def test_the_project_screen_says_when_and_by_whom_each_transcript_was_last_worked_on(study: Study) -> None:
    study.project.set_coder("AB")
    study.project.tag(study.transcript_id, 2, 2, study.belonging)
    app = MarginApp(study.project)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ProjectScreen)
        text = screen_text(app)
        assert "last worked on" in text
        row = next(line for line in text.splitlines() if "Interview 7" in line)
        assert " AB " in row and "not yet" not in row


async def test_once_the_coder_is_named_margin_goes_back_to_their_place(study: Study, keyboard: Keyboard) -> None:
    study.project.set_coder("AB")
    study.project.save_session(study.transcript_id, 30, "coding")
    app = MarginApp(study.project, ask_coder=True)  # `margin open` with no name saved
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("ctrl+u")
        await keyboard.type(pilot, "AB")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WorkspaceScreen)
        assert cursor(app) == 30


async def test_the_summary_toast_leaves_the_footer_readable(study: Study) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        rows = screen_text(app).splitlines()
        assert any("This session" in row for row in rows)  # the toast is up
        assert rows[-1].split()[:4] == ["v", "Select", "t", "Tag"]  # and the footer whole under it
        assert "This session" not in rows[-1] and "▌" not in rows[-1]
