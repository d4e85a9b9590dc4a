"""The confirm screen: y / enter on yes is True; n / escape / the no button is False."""

from __future__ import annotations

from modal_harness import SIZE, ModalHost, screen_text
from textual.widgets import Button

from tui.screens.confirm import ConfirmScreen

QUESTION = 'Delete theme "[bold]x[/bold] [/]" and its 3 codings?'


def host(**kwargs: str) -> ModalHost:
    """An app asking QUESTION."""
    return ModalHost(lambda: ConfirmScreen(QUESTION, **kwargs))


async def test_question_and_buttons_show_literally() -> None:
    app = host(yes="Delete [b]it", no="Keep [/]")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert QUESTION in text
        assert "Delete [b]it" in text
        assert "Keep [/]" in text
        assert app.focused is app.screen.query_one("#yes", Button)


async def test_y_answers_yes() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.results == [True]


async def test_enter_on_yes_answers_yes() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [True]


async def test_n_answers_no() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
    assert app.results == [False]


async def test_escape_answers_no() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
    assert app.results == [False]


async def test_enter_on_the_no_button_answers_no() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("left")
        assert app.focused is app.screen.query_one("#no", Button)
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [False]
