"""The note editor: choose the kind, type the body, save or cancel."""

from __future__ import annotations

import pytest
from modal_harness import SIZE, ModalHost, screen_text
from textual.pilot import Pilot
from textual.widgets import OptionList, TextArea

from tui.screens.confirm import ConfirmScreen
from tui.screens.note_editor import EMPTY_MESSAGE, NoteEditor


def host(**kwargs: str) -> ModalHost:
    """An app showing the note editor."""
    kwargs.setdefault("title", "Note on lines 11-13")
    return ModalHost(lambda: NoteEditor(**kwargs))


def kind_shown(pilot: Pilot[None]) -> str:
    """The text of the highlighted kind."""
    option = pilot.app.screen.query_one("#kind", OptionList).highlighted_option
    assert option is not None
    return str(option.prompt).split()[0]


async def test_opens_on_the_body_with_the_kinds_and_keys_shown() -> None:
    app = host(title="Note on [/] lines [b]11")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, TextArea)
        assert kind_shown(pilot) == "descriptive"
        text = screen_text(app)
        assert "Note on [/] lines [b]11" in text
        for shown in ("descriptive", "linguistic", "conceptual", "^s save", "esc cancel"):
            assert shown in text


async def test_kind_key_and_typed_body_are_returned() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+l")
        assert kind_shown(pilot) == "linguistic"
        await pilot.press("ctrl+o")
        assert kind_shown(pilot) == "conceptual"
        await pilot.press(*"lost", "space", *"[laughs]", "enter", *"corner")
        assert isinstance(app.focused, TextArea)  # choosing a kind leaves the typing where it was
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [("conceptual", "lost [laughs]\ncorner")]


async def test_tab_to_the_chooser_arrows_change_kind_and_enter_returns() -> None:
    app = host(kind="conceptual", body="the corner as a place of exclusion")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert kind_shown(pilot) == "conceptual"
        await pilot.press("shift+tab")
        assert app.focused is app.screen.query_one("#kind", OptionList)
        await pilot.press("up")
        assert kind_shown(pilot) == "linguistic"
        await pilot.press("enter")  # back to the body
        assert isinstance(app.focused, TextArea)
        await pilot.press("tab")
        assert app.focused is app.screen.query_one("#kind", OptionList)
        await pilot.press("up", "tab")
        assert isinstance(app.focused, TextArea)
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [("descriptive", "the corner as a place of exclusion")]


async def test_ctrl_d_chooses_descriptive_even_in_the_body() -> None:
    app = host(kind="linguistic", body="abc")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("home", "ctrl+d")
        assert kind_shown(pilot) == "descriptive"
        assert app.screen.query_one("#body", TextArea).text == "abc"  # not "delete right"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [("descriptive", "abc")]


async def test_empty_body_is_refused_with_a_message() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("space", "enter", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        assert EMPTY_MESSAGE in screen_text(app)
        await pilot.press("x")
        assert EMPTY_MESSAGE not in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [("descriptive", "x")]


async def test_escape_cancels_an_edit() -> None:
    app = host(body="an old note")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "an old note" in screen_text(app)
        await pilot.press("escape")  # nothing typed: closes at once
        await pilot.pause()
        assert not isinstance(app.screen, NoteEditor)
    assert app.results == [None]


@pytest.mark.parametrize("body", ["an old note", "a note pasted with \x1b[2J and \x07 in it"])
async def test_escape_cancels_an_edit_even_with_control_characters_shown(body: str) -> None:
    # The editor shows a stored ESC or BEL as its symbol: untouched, the note is still unchanged.
    app = host(body=body)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, (NoteEditor, ConfirmScreen))
    assert app.results == [None]


async def test_escape_on_a_changed_note_asks_before_throwing_it_away() -> None:
    app = host(body="an old note")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("x", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # asked, nothing lost yet
        assert "Throw away the text of this note?" in screen_text(app)
        await pilot.press("n")  # keep writing
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.query_one("#body", TextArea).text == "an old notex"
        assert app.results == []
        await pilot.press("escape", "y")  # now throw it away
        await pilot.pause()
        assert not isinstance(app.screen, NoteEditor)
    assert app.results == [None]


def test_unknown_kind_is_an_error() -> None:
    with pytest.raises(ValueError):
        NoteEditor(title="t", kind="poetic")
