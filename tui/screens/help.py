"""Every key of a screen, in a scrollable two-column table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Label, Static

from tui.screens.dialog import Dialog
from tui.text import visible

__all__ = ["HelpScreen"]


class HelpScreen(Dialog[None]):
    """The keys of a screen and what they do."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", "Close"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | up, down, pageup, pagedown, home, end | Scroll the table. |
    | escape, q, ?, f1 | Close the help. |
    """

    DEFAULT_CSS = """
    HelpScreen {
        & > #dialog {
            width: 90%;
            max-width: 90;
        }
        & #table-scroll {
            height: 1fr;
            background: $surface;
        }
        & #table {
            height: auto;
            grid-size: 2;
            grid-columns: auto 1fr;
            grid-rows: auto;
            grid-gutter: 0 2;
            & > .key {
                color: $accent;
                text-style: bold;
            }
        }
        & #hint {
            width: 100%;
            color: $text-muted;
        }
    }
    """

    def __init__(self, title: str, keys: Sequence[tuple[str, str]]) -> None:
        """Show `keys`, pairs of (key, what it does), under `title`."""
        super().__init__()
        self._title = title
        self._keys = list(keys)

    def compose(self) -> ComposeResult:
        """The table of keys in a scrolling area, and how to close."""
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(visible(self._title))
            with VerticalScroll(id="table-scroll"):
                with Grid(id="table"):
                    for key, description in self._keys:
                        yield Static(Content(visible(key)), classes="key")
                        yield Static(Content(visible(description)), classes="description")
            yield Label(
                Content.from_markup("[b]↑↓[/b] scroll  [b]esc[/b] [b]q[/b] [b]?[/b] close"),
                id="hint",
            )

    def on_mount(self) -> None:
        """Focus the table so the arrow keys scroll it."""
        self.query_one("#table-scroll", VerticalScroll).focus()

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
