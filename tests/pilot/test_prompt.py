"""The prompt screen: one line of text, checked, stripped; escape cancels."""

from __future__ import annotations

from modal_harness import SIZE, ModalHost, screen_text
from textual.widgets import Input

from tui.screens.prompt import EMPTY_MESSAGE, PromptScreen


def no_brackets(text: str) -> str | None:
    """Refuse text with a square bracket, saying so with markup-like text."""
    return "no [/] or [b] here" if "[" in text else None


def host(**kwargs: object) -> ModalHost:
    """An app asking for a new name."""
    return ModalHost(lambda: PromptScreen("Rename [/] theme", **kwargs))  # type: ignore[arg-type]


async def test_title_value_and_placeholder_show_literally() -> None:
    app = host(value="Old [b]name")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, Input)
        text = screen_text(app)
        assert "Rename [/] theme" in text
        assert "Old [b]name" in text
    app = host(placeholder="a [i]name")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "a [i]name" in screen_text(app)


async def test_enter_returns_the_stripped_text() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("space", *"Belonging", "space", "enter")
        await pilot.pause()
    assert app.results == ["Belonging"]


async def test_empty_text_stays_with_a_message() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("space", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        assert EMPTY_MESSAGE in screen_text(app)
        await pilot.press("a")
        assert EMPTY_MESSAGE not in screen_text(app)
    assert app.results == []


async def test_a_refused_value_shows_the_reason_and_stays() -> None:
    app = host(value="x[", validate=no_brackets)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        assert "no [/] or [b] here" in screen_text(app)
        await pilot.press("end", "backspace", "enter")
        await pilot.pause()
    assert app.results == ["x"]


async def test_typing_replaces_the_given_value() -> None:
    app = host(value="Old name")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"New", "enter")
        await pilot.pause()
    assert app.results == ["New"]


async def test_escape_returns_none() -> None:
    app = host(value="keep")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PromptScreen)
    assert app.results == [None]


async def test_allow_empty_accepts_an_empty_answer() -> None:
    app = ModalHost(lambda: PromptScreen("Participant", allow_empty=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [""]
