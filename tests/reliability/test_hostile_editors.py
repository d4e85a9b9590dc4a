"""Hostile text in margin's editors: text pre-filled from the project and text pasted in shows its
control characters as visible symbols, and those symbols are what is saved.

The rule (tui/widgets/fields.py): everything that enters an Input or a TextArea goes through
`tui.text.visible`, one character for one, line breaks kept in a TextArea.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events
from textual.app import App, ComposeResult

from tests.reliability.hostile import NASTIES, hostile_text, named, raw_controls
from tui.screens.memo_editor import MemoEditor
from tui.screens.note_editor import NoteEditor
from tui.screens.prompt import PromptScreen
from tui.text import visible
from tui.widgets.fields import Input, area_text
from tui.widgets.text_area import TextArea

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pilot"))
from modal_harness import SIZE, ModalHost, screen_text  # noqa: E402

FEW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EVERY = "".join(NASTIES)


class _Fields(App[None]):
    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def compose(self) -> ComposeResult:
        yield TextArea(self._text, id="area")
        yield Input(self._text, id="line")


async def _paste(pilot: Any, text: str) -> None:
    event = events.Paste(text)
    event.set_sender(pilot.app)
    pilot.app._driver.send_message(event)  # as the terminal delivers a paste
    await pilot.pause()


@given(hostile_text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_what_a_text_area_holds_is_visible_and_keeps_its_lines(text: str) -> None:
    held = area_text(text)
    assert not raw_controls(held, lines=True), named(raw_controls(held, lines=True))
    assert held.split("\n") == [visible(part) for part in text.replace("\r\n", "\n").split("\n")]


@given(prefilled=hostile_text(), pasted=hostile_text())
@FEW
def test_fields_prefilled_and_pasted_hold_no_control_characters(prefilled: str, pasted: str) -> None:
    async def run() -> tuple[str, str, str]:
        app = _Fields(prefilled)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            area, line = app.query_one("#area", TextArea), app.query_one("#line", Input)
            before = (area.text, line.value)
            area.focus()
            await pilot.pause()
            await _paste(pilot, pasted)
            line.focus()
            await pilot.pause()
            await _paste(pilot, pasted)
            return before[0] + before[1], area.text + line.value, screen_text(app)

    filled, after, shown = asyncio.run(run())
    for text in (filled, after):
        assert not raw_controls(text, lines=True), named(raw_controls(text, lines=True))
    assert not raw_controls(shown, lines=True), named(raw_controls(shown, lines=True))


def _run_modal(screen: Any, keys: list[str], paste: str | None = None) -> tuple[list[Any], str]:
    async def run() -> tuple[list[Any], str]:
        app = ModalHost(lambda: screen)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            if paste is not None:
                await _paste(pilot, paste)
            shown = screen_text(app)
            for key in keys:
                await pilot.press(key)
            await pilot.pause()
        return app.results, shown

    return asyncio.run(run())


def test_note_editor_prefilled_with_stored_escapes_shows_and_saves_them_visible() -> None:
    results, shown = _run_modal(NoteEditor(title="Note on line 3", body=f"Before {EVERY} after"), ["ctrl+s"])
    assert not raw_controls(shown, lines=True), named(raw_controls(shown, lines=True))
    assert "␛[2J" in shown  # shown, as symbols
    ((kind, body),) = results
    assert not raw_controls(body, lines=True), named(raw_controls(body, lines=True))
    assert body.startswith("Before ␛[2J␛[H␛]8;;https://evil.example/")


def test_text_pasted_into_a_note_is_saved_visible() -> None:
    results, shown = _run_modal(NoteEditor(title="Note on line 3"), ["ctrl+s"], paste=f"pasted {EVERY}\r\nsecond line")
    ((kind, body),) = results
    assert not raw_controls(body, lines=True), named(raw_controls(body, lines=True))
    assert body.startswith("pasted ␛[2J") and "\nsecond line" in body
    assert not raw_controls(shown, lines=True)


def test_memo_editor_prefilled_with_stored_escapes() -> None:
    screen = MemoEditor(heading="Edit memo", title=f"Title {NASTIES[0]}{NASTIES[6]}", body=f"Memo {EVERY}")
    results, shown = _run_modal(screen, ["ctrl+s"])
    assert not raw_controls(shown, lines=True), named(raw_controls(shown, lines=True))
    ((title, _stage, body),) = results
    assert not raw_controls(title) and not raw_controls(body, lines=True)
    assert title.startswith("Title ␛[2J")


@given(hostile_text())
@FEW
def test_a_prompt_prefilled_or_pasted_into_answers_visible_text(text: str) -> None:
    results, shown = _run_modal(PromptScreen("Rename theme", value=text), ["enter"], paste=text)
    assert not raw_controls(shown, lines=True), named(raw_controls(shown, lines=True))
    assert all(not raw_controls(answer or "") for answer in results)


@given(st.lists(hostile_text(), min_size=1, max_size=3))
@settings(max_examples=60, deadline=None)
def test_usage_errors_never_echo_control_characters(argv: list[str]) -> None:
    import contextlib
    import io

    from tui import cli

    for args in (argv, ["tag", *argv], ["themes", "x.margin", *argv], ["memo", "x.margin", "--stage", *argv]):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                cli.build_parser().parse_args(args)
            except SystemExit:
                pass
        assert not raw_controls(err.getvalue(), lines=True), (args, named(raw_controls(err.getvalue(), lines=True)))
