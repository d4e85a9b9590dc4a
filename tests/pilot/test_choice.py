"""The choice screen: pick one option by enter or digit, or cancel."""

from __future__ import annotations

from modal_harness import SIZE, ModalHost, screen_text
from textual.widgets import OptionList

from tui.screens.choice import ChoiceScreen

OPTIONS = ["Sense of belonging", "[bold]x[/bold]", "[/]", "Fear of exposure"]


def host(options: list[str] = OPTIONS) -> ModalHost:
    """An app showing a choice among `options`."""
    return ModalHost(lambda: ChoiceScreen("Remove which coding?", options))


async def test_options_are_numbered_and_shown_literally() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        listed = app.screen.query_one("#options", OptionList)
        assert [str(option.prompt) for option in listed.options] == [
            "1 Sense of belonging",
            "2 [bold]x[/bold]",
            "3 [/]",
            "4 Fear of exposure",
        ]
        text = screen_text(app)
        assert "Remove which coding?" in text
        assert "2 [bold]x[/bold]" in text
        assert "3 [/]" in text


async def test_enter_returns_the_highlighted_index() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "up", "enter")
        await pilot.pause()
    assert app.results == [1]


async def test_enter_at_once_returns_the_first() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [0]


async def test_a_digit_picks_directly() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
    assert app.results == [2]


async def test_a_digit_beyond_the_options_does_nothing() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("9")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_more_than_nine_options_scroll_and_stay_choosable() -> None:
    options = [f"Theme {n}" for n in range(1, 31)]
    app = host(options)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "esc cancel" in screen_text(app)
        await pilot.press("end", "enter")
        await pilot.pause()
    assert app.results == [29]
