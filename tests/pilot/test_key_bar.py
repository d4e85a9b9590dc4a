"""The key bar at the foot of each screen: the screen's keys as one line, kept current, clickable."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.pilot import Pilot

from tui.app import MarginApp
from tui.screens.project_screen import ProjectScreen
from tui.screens.workspace import WorkspaceScreen
from tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:  # the fixtures' types, from this folder's conftest.py
    from conftest import Study

WIDE = (120, 40)


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await pilot.pause()


def bar_text(app: MarginApp) -> str:
    bar = app.screen.query_one(KeyBar)
    return str(bar.render())


async def test_the_bar_shows_the_screens_own_keys_and_follows_the_screen(study: Study) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        shown = bar_text(app)
        for part in ("t Tag", "n Note", "/ Search", "q Back", "? Help", "^p palette"):
            assert part in shown
        assert "Import" not in shown  # the project screen's key
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, ProjectScreen)
        shown = bar_text(app)
        assert "i Import" in shown and "t Tag" not in shown


async def test_the_bar_follows_the_focus(study: Study) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "t Tag" in bar_text(app)
        await pilot.press("slash")  # the search field: the transcript's keys are text there
        await settle(pilot)
        assert app.screen.focused is not None and app.screen.focused.id == "workspace-search"
        assert "t Tag" not in bar_text(app)


async def test_a_click_on_a_key_presses_it(study: Study) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WorkspaceScreen)
        bar = app.screen.query_one(KeyBar)
        shown = bar_text(app)
        column = shown.index("q Back")
        await pilot.click(KeyBar, offset=(column, 0))
        await settle(pilot)
        assert isinstance(app.screen, ProjectScreen)
        assert bar is not app.screen.query_one(KeyBar)


async def test_keys_that_do_not_fit_are_left_out_whole(study: Study) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=(40, 24)) as pilot:
        await settle(pilot)
        shown = bar_text(app)
        assert len(shown) <= 40
        assert shown.rstrip().endswith("^p palette")
        words = [piece.strip() for piece in shown.replace("▏", "  ").split("  ") if piece.strip()]
        assert words[:2] == ["v Select", "t Tag"]  # the first keys, whole; none cut in half
        assert all(" " in w for w in words)
        assert len(words) < 6
