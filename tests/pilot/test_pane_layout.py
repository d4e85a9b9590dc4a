"""The coding pane: it scrolls when it holds more than it shows, and follows every resize at once."""

from __future__ import annotations

from typing import Any

from conftest import Keyboard, Study
from modal_harness import screen_text

from tui.app import MarginApp
from tui.screens.workspace import WorkspaceScreen
from tui.widgets.coding_pane import CodingPane
from tui.widgets.transcript_view import TranscriptView

WIDE = (120, 40)
NARROW = (80, 24)

#: A note long enough to fill the stacked pane at 80x24 several times over; its last words are known.
LONG_NOTE = " ".join(f"Thought {n} on how she speaks of the ward round." for n in range(1, 16)) + " The very end."


def app_for(study: Study) -> MarginApp:
    return MarginApp(study.project, transcript_id=study.transcript_id, ask_coder=False)


def workspace(app: MarginApp) -> WorkspaceScreen:
    screen = app.screen
    assert isinstance(screen, WorkspaceScreen)
    return screen


def pane(app: MarginApp) -> CodingPane:
    return workspace(app).query_one(CodingPane)


async def start(pilot: Any) -> None:
    await pilot.pause()
    await pilot.pause()


async def test_stacked_pane_scrolls_with_keys_listed_in_help(study: Study) -> None:
    study.project.add_note(study.transcript_id, 1, 1, "conceptual", LONG_NOTE)
    study.project.tag(study.transcript_id, 1, 1, study.belonging)
    app = app_for(study)
    async with app.run_test(size=NARROW) as pilot:
        await start(pilot)
        assert workspace(app).has_class("-narrow")
        assert "The very end." not in screen_text(app)  # the note is taller than the pane
        assert "J/K: more ↓" in screen_text(app)
        for _ in range(10):
            await pilot.press("J")
        await pilot.pause()
        text = screen_text(app)
        assert "The very end." in " ".join(text.split())  # the note's last words, scrolled to
        assert "J/K: more ↑" in text
        assert "▶  1" in text  # the transcript did not move
        assert workspace(app).query_one(TranscriptView).has_focus
        for _ in range(10):
            await pilot.press("K")
        await pilot.pause()
        assert "Sense of belonging" in screen_text(app)
        assert "The very end." not in screen_text(app)
        keys = dict((description, keys) for keys, description in MarginApp.keys_for(workspace(app)))
        assert "J" in keys["Scroll the coding pane down"] and "K" in keys["Scroll the coding pane up"]


async def test_pane_scrolls_back_to_the_top_on_another_line(study: Study) -> None:
    study.project.add_note(study.transcript_id, 1, 1, "conceptual", LONG_NOTE)
    study.project.add_note(study.transcript_id, 2, 2, "descriptive", LONG_NOTE)
    app = app_for(study)
    async with app.run_test(size=NARROW) as pilot:
        await start(pilot)
        for _ in range(3):
            await pilot.press("J")
        await pilot.pause()
        assert pane(app).scroll_y > 0
        await pilot.press("j")
        await pilot.pause()
        assert pane(app).scroll_y == 0
        assert "line 2" in screen_text(app)  # its heading, then its note from the start
        assert "The very end." not in screen_text(app)


async def test_pane_follows_every_resize_at_once(study: Study, keyboard: Keyboard) -> None:
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        beside = pane(app).outer_size.width
        assert 32 <= beside < 60
        await pilot.resize_terminal(*NARROW)
        await pilot.pause()
        assert workspace(app).has_class("-narrow")
        assert pane(app).outer_size.width == NARROW[0]  # the whole width under the transcript
        await pilot.resize_terminal(*WIDE)
        await pilot.pause()
        assert pane(app).outer_size.width == beside
        await pilot.resize_terminal(100, 30)  # still too narrow for the pane beside 72 columns
        await pilot.pause()
        assert pane(app).outer_size.width == 100
        await pilot.resize_terminal(*NARROW)
        await pilot.pause()
        assert pane(app).outer_size.width == NARROW[0]
