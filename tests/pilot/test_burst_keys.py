"""Keys that arrive in one burst are applied in the order typed, in every text field of margin.

Textual's own Input and TextArea insert printable keys at once but run backspace, the arrows and
home/end later, as bindings (Textual issue 6605): these tests post every key of a burst back to
back, without waiting between them, as a terminal over SSH delivers them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from modal_harness import SIZE, ModalHost
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tui.app import MarginApp
from tui.screens.note_editor import NoteEditor
from tui.screens.prompt import PromptScreen
from tui.screens.theme_picker import ThemePicker
from tui.screens.workspace import WorkspaceScreen

if TYPE_CHECKING:
    from conftest import Study

#: Characters, backspaces, arrows, home/end, a paste and deletes, in one write.
BURST: list[str | tuple[str, str]] = [
    *"abc", "backspace", "backspace", "backspace", *"xyz", "left", "left", "Q",
    "home", "S", "end", ("paste", "PA"), "delete", "home", "delete",
]
#: What the field holds after BURST, worked out key by key.
AFTER_BURST = "xQyzPA"


async def send_burst(pilot: Pilot[Any], burst: list[str | tuple[str, str]] = BURST) -> None:
    """Post every key (and paste) of `burst` to the app at once, then wait until all are handled."""
    from conftest import _key_event

    app = pilot.app
    for key in burst:
        event = events.Paste(key[1]) if isinstance(key, tuple) else _key_event(key)
        event.set_sender(app)
        app._driver.send_message(event)  # no wait between keys: one write from the terminal
    for _ in range(4):
        await pilot.pause()


async def test_prompt_applies_a_burst_in_order() -> None:
    app = ModalHost(lambda: PromptScreen("New participant's pseudonym"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await send_burst(pilot, [*BURST, "enter"])
    assert app.results == [AFTER_BURST]


async def test_note_editor_applies_a_burst_in_order() -> None:
    app = ModalHost(lambda: NoteEditor(title="Note on line 3"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await send_burst(pilot)
        assert app.screen.query_one("#body", TextArea).text == AFTER_BURST
        await send_burst(pilot, ["ctrl+s"])
    assert app.results == [("descriptive", AFTER_BURST)]


async def test_theme_picker_applies_a_burst_in_order(study: Study) -> None:
    themes = study.project.themes()
    app = ModalHost(lambda: ThemePicker(themes, paths=study.project.theme_paths(), participants={}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await send_burst(pilot)
        assert app.screen.query_one("#query", Input).value == AFTER_BURST


async def test_workspace_search_applies_a_burst_in_order(study: Study) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # The slash that opens the field and the words typed after it come in the same write.
        await send_burst(pilot, ["slash", *"wxyz", "backspace", "backspace", "backspace", *"ard",
                                 "left", "left", "left", "delete", "a"])
        screen = app.screen
        assert isinstance(screen, WorkspaceScreen)
        assert screen.query_one("#workspace-search", Input).value == "ward"
        assert screen.view.matches == [n - 1 for n in study.lines_containing("ward")]


async def test_keys_after_the_enter_that_closes_a_prompt_go_where_it_leads(study: Study) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # `:3` Enter goes to line 3; the `t` and the letters behind it, in the same write, open the
        # picker on that line and search in it (they used to reach the closing prompt and be lost).
        await send_burst(pilot, ["colon", "3", "enter", "t", *"wrd"])
        for _ in range(8):
            await pilot.pause()
        assert isinstance(app.screen, ThemePicker), app.screen
        assert app.screen.query_one("#query", Input).value == "wrd"
        workspace = app.screen_stack[-2]
        assert isinstance(workspace, WorkspaceScreen) and workspace.view.cursor_line.number == 3
