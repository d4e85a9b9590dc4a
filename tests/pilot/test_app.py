"""MarginApp itself: the screens it starts on, the coder prompt, keys that work everywhere,
the command palette and the signals that end a session.
"""

from __future__ import annotations

import json
import os
import signal
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from modal_harness import screen_text
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Static

from tui.app import MarginApp
from tui.project import Project
from tui.screens.help import HelpScreen
from tui.screens.note_editor import NoteEditor
from tui.screens.project_screen import ProjectScreen
from tui.screens.prompt import PromptScreen
from tui.screens.theme_picker import ThemePicker
from tui.screens.workspace import WorkspaceScreen

if TYPE_CHECKING:  # the fixtures' types, from this folder's conftest.py
    from conftest import Keyboard, Study

WIDE = (120, 40)
NARROW = (80, 24)


async def start(pilot: Pilot[None]) -> None:
    """Let the app push its screens and lay them out."""
    await pilot.pause()
    await pilot.pause()


def status(app: MarginApp) -> str:
    """The workspace's status line."""
    assert isinstance(app.screen, WorkspaceScreen)
    return str(app.screen.query_one("#workspace-status", Static).content)


def codings_in_file(path: Path) -> list[tuple[int, int, int]]:
    """The codings in the project file, read through a new connection."""
    with Project.open(path) as project:
        return [(c.first_line, c.last_line, c.theme_id) for c in project.codings()]


# ---------------------------------------------------------------------- starting


async def test_without_a_transcript_it_starts_on_the_project_screen(study: Study) -> None:
    app = MarginApp(study.project)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        assert isinstance(app.screen, ProjectScreen)
        assert "Interview 7" in screen_text(app)


@pytest.mark.parametrize("size", [WIDE, NARROW])
async def test_with_a_transcript_it_opens_the_workspace_over_the_project(study: Study, size: tuple[int, int]) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=size) as pilot:
        await start(pilot)
        assert isinstance(app.screen, WorkspaceScreen)
        # The workspace is the first screen (drawn once), and the project screen is made when it is
        # first needed, not before the workspace is drawn.
        assert [type(s) for s in app.screen_stack] == [WorkspaceScreen]
        assert "P07 · Interview 7" in screen_text(app)
        assert "coder: VR" in status(app)
        assert app.screen.has_class("-narrow") == (size == NARROW)
        await pilot.press("q")  # back: the project screen, listing the transcript
        await pilot.pause()
        assert [type(s) for s in app.screen_stack] == [WorkspaceScreen, ProjectScreen]
        assert "Interview 7" in screen_text(app)
        await pilot.press("enter")  # and into the workspace again, over it
        await pilot.pause()
        assert [type(s) for s in app.screen_stack] == [WorkspaceScreen, ProjectScreen, WorkspaceScreen]


async def test_the_coder_prompt_sets_who_codes_and_remembers_it(study: Study, keyboard: Keyboard, config_home: Path) -> None:
    study.project.close()
    project = Project.open(study.path)  # no coder yet
    study.project = project
    app = MarginApp(project, transcript_id=study.transcript_id, ask_coder=True)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        assert isinstance(app.screen, PromptScreen)
        assert "Who is coding?" in screen_text(app)
        await keyboard.type(pilot, "AB")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert project.coder == "AB"
        assert "coder: AB" in status(app)  # the status line says who codes now
        await pilot.press("t")
        await pilot.pause()
        await keyboard.type(pilot, "fear")
        await pilot.press("enter")
        await pilot.pause()
        assert "coder: AB" in status(app)
    coding = project.codings()[0]
    assert {c.id: c.name for c in project.coders()}[coding.coder_id] == "AB"  # type: ignore[index]
    saved = config_home / "margin" / "config.json"
    assert json.loads(saved.read_text(encoding="utf-8")) == {"coder": "AB"}
    if os.name == "posix":
        assert saved.stat().st_mode & 0o077 == 0


async def test_the_coder_prompt_keeps_the_coder_when_cancelled(study: Study, config_home: Path) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id, ask_coder=True)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert "coder: VR" in status(app)
    assert study.project.coder == "VR"
    assert not (config_home / "margin" / "config.json").exists()


async def test_no_color_draws_in_shades_of_grey(study: Study, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        assert app.no_color
        await pilot.press("j", "v", "j")  # cursor, selection and markers all drawn
        colours = set()
        for strip in app.screen._compositor.render_strips():
            for line_filter in app._filters:  # what the driver applies before writing to the terminal
                strip = strip.apply_filter(line_filter, app.styles.background)
            for segment in strip:
                for colour in (segment.style.color, segment.style.bgcolor) if segment.style else ():
                    if colour is not None:
                        colours.add(colour.get_truecolor())
        assert colours
        assert all(c.red == c.green == c.blue for c in colours), colours
        assert "Interview 7" in screen_text(app)


# ---------------------------------------------------------------------- keys that work everywhere


@pytest.mark.parametrize("where", ["project", "workspace", "picker", "note", "help", "search"])
async def test_ctrl_q_quits_from_anywhere(study: Study, where: str) -> None:
    study.project.tag(study.transcript_id, 1, 1, study.belonging)
    app = MarginApp(study.project, transcript_id=None if where == "project" else study.transcript_id)
    opener = {"picker": "t", "note": "n", "help": "f1", "search": "slash"}.get(where)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        if opener:
            await pilot.press(opener)
            await pilot.pause()
        expected = {"picker": ThemePicker, "note": NoteEditor, "help": HelpScreen, "project": ProjectScreen}.get(where, WorkspaceScreen)
        assert isinstance(app.screen, expected)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running
    assert app.return_code == 0
    assert codings_in_file(study.path) == [(1, 1, study.belonging)]


# ---------------------------------------------------------------------- command palette


def titles(app: MarginApp) -> list[str]:
    """The titles of the commands the palette offers on the current screen."""
    return [command.title for command in app.get_system_commands(app.screen)]


async def test_the_palette_offers_every_workspace_key(study: Study) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        offered = titles(app)
        for title in ("Tag", "Untag", "Note", "Edit note", "Delete note", "Undo", "Redo", "Search",
                      "Next match", "Margin view", "Coding pane", "Back", "Select", "Next line",
                      "Tag with recent theme 1", "Help", "Quit"):
            assert title in offered, title
        helps = [(c.title, c.help) for c in app.get_system_commands(app.screen)]
        assert ("Tag", "key: t") in helps
        assert any(title == "Undo" and help.startswith("key: u") for title, help in helps)


async def test_the_palette_offers_each_command_once(study: Study) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        twice = sorted(title for title, count in Counter(titles(app)).items() if count > 1)
        assert twice == [], f"offered more than once: {twice}"  # "Undo" (u, ctrl+z) is one command


async def test_a_palette_command_runs_its_action(study: Study, keyboard: Keyboard) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        tag = next(c for c in app.get_system_commands(app.screen) if c.title == "Tag")
        await tag.callback()
        await pilot.pause()
        assert isinstance(app.screen, ThemePicker)
        await keyboard.type(pilot, "belnging")
        await pilot.press("enter")
        await pilot.pause()
        assert [(c.first_line, c.theme_id) for c in study.project.codings()] == [(1, study.belonging)]
        # The real palette: ctrl+p, type, enter.
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await keyboard.type(pilot, "Undo")
        await pilot.pause(0.3)  # the palette searches in a worker
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert study.project.codings() == []
        assert "undone: tag line 1 with Sense of belonging" in status(app)


async def test_the_palette_offers_the_project_keys(demo: Project) -> None:
    app = MarginApp(demo)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        offered = titles(app)
        for title in ("Import", "Add participant", "Assign participant", "Quit", "Help"):
            assert title in offered, title
        assert "Tag" not in offered


async def test_while_searching_the_palette_does_not_offer_workspace_commands(study: Study) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("slash")
        await pilot.pause()
        offered = titles(app)
        assert "Tag" not in offered and "Undo" not in offered


# ---------------------------------------------------------------------- signals


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM])
async def test_a_signal_ends_the_session_with_every_change_saved(study: Study, keyboard: Keyboard, signum: int) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("j", "v", "j", "t")
        await pilot.pause()
        await keyboard.type(pilot, "belnging")
        await pilot.press("enter")
        await pilot.pause()
        app._on_signal(signum)
        await pilot.pause()
    assert not app.is_running
    assert app.return_code == 0
    assert codings_in_file(study.path) == [(2, 3, study.belonging)]
    with Project.open(study.path) as reopened:
        assert reopened.check() == []


async def test_a_real_sigterm_with_a_note_half_written(study: Study, keyboard: Keyboard) -> None:
    study.project.tag(study.transcript_id, 5, 5, study.exposure)
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("n")
        await pilot.pause()
        await keyboard.type(pilot, "half a tho")
        assert isinstance(app.screen, NoteEditor)
        # The app installed its own handler; without it this would kill the test run.
        assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN, None)
        os.kill(os.getpid(), signal.SIGTERM)
        await pilot.pause()
        await pilot.pause()
    assert not app.is_running
    assert app.return_code == 0
    assert codings_in_file(study.path) == [(5, 5, study.exposure)]  # the unsaved note is the only loss
    with Project.open(study.path) as reopened:
        assert reopened.notes(study.transcript_id) == []
        assert reopened.check() == []


async def test_help_lists_margins_keys_not_textuals_generic_ones(study: Study) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        descriptions = [description for _, description in MarginApp.keys_for(app.screen)]
        assert descriptions[:3] == ["Tag", "Untag", "Note"]
        assert {"Next line", "Select", "Undo", "Help", "Quit"} <= set(descriptions)
        assert not {"Scroll Left", "Page Right", "Focus Next"} & set(descriptions)
