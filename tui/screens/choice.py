"""Choose one of a few options: which coding to remove, which transcript to open, and so on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tui.screens.dialog import Dialog
from tui.text import visible

__all__ = ["ChoiceScreen"]


class ChoiceScreen(Dialog["int | None"]):
    """A list of options; the result is the index of the one chosen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        *[Binding(str(n), f"pick({n - 1})", str(n), show=False) for n in range(1, 10)],
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | up, down | Highlight the previous or next option. |
    | enter | Choose the highlighted option. |
    | 1-9 | Choose the n-th option at once. |
    | escape | Close without choosing. |
    """

    DEFAULT_CSS = """
    ChoiceScreen {
        & > #dialog {
            width: auto;
            min-width: 40;
            max-width: 90%;
        }
        & #options {
            width: auto;
            min-width: 100%;
            height: auto;
            max-height: 18;
            border: none;
            padding: 0;
            background: $surface;
        }
        & #hint {
            width: 100%;
            color: $text-muted;
        }
    }
    """

    def __init__(self, title: str, options: Sequence[str]) -> None:
        """Offer `options` (user text, shown literally) under `title`."""
        super().__init__()
        self._title = title
        self._options = list(options)

    def compose(self) -> ComposeResult:
        """The numbered options and a line of keys."""
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(visible(self._title))
            yield OptionList(
                *[
                    Option(
                        Content.assemble(
                            (f"{index + 1} " if index < 9 else "  ", "bold"),
                            visible(option),
                        ),
                        id=f"option-{index}",
                    )
                    for index, option in enumerate(self._options)
                ],
                id="options",
            )
            yield Label(
                Content.from_markup(
                    "[b]enter[/b] choose  [b]1-9[/b] pick  [b]esc[/b] cancel"
                ),
                id="hint",
            )

    def on_mount(self) -> None:
        """Put the highlight on the first option."""
        self.query_one("#options", OptionList).focus()

    @on(OptionList.OptionSelected, "#options")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        """Enter (or a click) chooses the highlighted option."""
        event.stop()
        self.dismiss(event.option_index)

    def action_pick(self, index: int) -> None:
        """Choose the option at `index`, if there is one."""
        if 0 <= index < len(self._options):
            self.dismiss(index)
        else:
            self.app.bell()

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
