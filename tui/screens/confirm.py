"""Ask a yes-or-no question before something that cannot be taken back lightly."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Label

from tui.screens.dialog import Dialog
from tui.text import visible, visible_lines

__all__ = ["ConfirmScreen"]


class ConfirmScreen(Dialog[bool]):
    """A question with a yes and a no button; the result is True for yes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
        Binding("left", "app.focus_previous", "Previous button", show=False),
        Binding("right", "app.focus_next", "Next button", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | y | Answer yes. |
    | n, escape | Answer no. |
    | enter | Press the focused button (yes, unless moved). |
    | left, right, tab | Move between the buttons. |
    """

    DEFAULT_CSS = """
    ConfirmScreen {
        & > #dialog {
            width: 60;
            max-width: 90%;
            border: round $warning;
            padding: 1 2 0 2;
        }
        & #question {
            width: 100%;
            margin: 0 0 1 0;
        }
        & #buttons {
            width: 100%;
            height: auto;
            align-horizontal: right;
            & > Button {
                margin: 0 0 0 2;
            }
        }
        & #hint {
            width: 100%;
            color: $text-muted;
        }
    }
    """

    def __init__(self, question: str, *, yes: str = "Delete", no: str = "Cancel") -> None:
        """Ask `question` (shown literally); `yes` and `no` label the buttons."""
        super().__init__()
        self._question = question
        self._yes = yes
        self._no = no

    def compose(self) -> ComposeResult:
        """The question, the two buttons and a line of keys."""
        with Vertical(id="dialog"):
            yield Label(Content(visible_lines(self._question)), id="question")
            with Horizontal(id="buttons"):
                yield Button(Content(visible(self._no)), id="no")
                yield Button(Content(visible(self._yes)), id="yes", variant="error")
            yield Label(
                Content.from_markup("[b]y[/b] yes  [b]n[/b]/[b]esc[/b] no  [b]enter[/b] press"),
                id="hint",
            )

    def on_mount(self) -> None:
        """Focus the yes button: the user asked for this; `n` or escape backs out."""
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        """A button pressed (enter, space or a click) answers."""
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        """Answer the question."""
        self.dismiss(yes)
