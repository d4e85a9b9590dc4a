"""The help screen: a scrolling table of keys, closed by escape, q, ? or f1."""

from __future__ import annotations

import pytest
from modal_harness import SIZE, ModalHost, screen_text
from textual.containers import VerticalScroll

from tui.screens.help import HelpScreen

KEYS = [
    ("t", "tag the selection"),
    ("[/]", "[bold]not bold[/bold]"),
    *[(f"ctrl+{letter}", f"does {letter}") for letter in "abcdefghijklmnopqrstuvwxyz"],
]


def host() -> ModalHost:
    """An app showing the help for KEYS."""
    return ModalHost(lambda: HelpScreen("Keys of the workspace", KEYS))


async def test_keys_and_descriptions_show_side_by_side_and_literally() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert any("Keys of the workspace" in line for line in lines)
        assert any("t       tag the selection" in line for line in lines)
        assert any("[/]     [bold]not bold[/bold]" in line for line in lines)


async def test_the_table_scrolls_to_the_last_key() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "does z" not in screen_text(app)
        await pilot.press("end")
        await pilot.pause()
        assert app.screen.query_one("#table-scroll", VerticalScroll).scroll_y > 0
        assert "ctrl+z  does z" in screen_text(app)


@pytest.mark.parametrize("key", ["escape", "q", "question_mark", "f1"])
async def test_keys_close_it(key: str) -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
    assert app.results == [None]
