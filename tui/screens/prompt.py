"""Ask for one line of text: a name, a title, a new name for a theme."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label

from tui.screens.dialog import Dialog
from tui.text import visible
from tui.widgets.fields import Input

__all__ = ["EMPTY_MESSAGE", "PromptScreen"]

#: Shown, and the prompt stays open, when enter is pressed on an empty line.
EMPTY_MESSAGE = "type something, or escape to cancel"


class PromptScreen(Dialog["str | None"]):
    """One line of text; the result is the text stripped, or None if cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | enter | Accept the text (unless empty or refused by the check). |
    | escape | Close without an answer. |
    """

    DEFAULT_CSS = """
    PromptScreen {
        & > #dialog {
            width: 70;
            max-width: 90%;
        }
        & #error {
            width: 100%;
            color: $warning;
        }
        & #hint {
            width: 100%;
            color: $text-muted;
        }
    }
    """

    def __init__(
        self,
        title: str,
        *,
        placeholder: str = "",
        value: str = "",
        validate: Callable[[str], str | None] | None = None,
        allow_empty: bool = False,
    ) -> None:
        """Ask under `title`; `validate` gets the stripped text and returns an error or None.

        With `allow_empty`, an empty answer is accepted (as "") instead of refused.
        """
        super().__init__()
        self._title = title
        self._placeholder = placeholder
        self._value = value
        self._validate = validate
        self._allow_empty = allow_empty

    def compose(self) -> ComposeResult:
        """The input, a line for errors and a line of keys."""
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(visible(self._title))
            yield Input(self._value, placeholder=visible(self._placeholder), id="answer")
            yield Label(id="error")
            yield Label(
                Content.from_markup("[b]enter[/b] accept  [b]esc[/b] cancel"), id="hint"
            )

    def on_mount(self) -> None:
        """Start typing at once."""
        self.query_one("#answer", Input).focus()

    @on(Input.Changed, "#answer")
    def _changed(self) -> None:
        """Clear the error once the user types."""
        self.query_one("#error", Label).update("")

    @on(Input.Submitted, "#answer")
    def _submitted(self, event: Input.Submitted) -> None:
        """Accept the text, or say why not and stay."""
        event.stop()
        answer = event.value.strip()
        error: str | None = EMPTY_MESSAGE if not answer and not self._allow_empty else None
        if error is None and self._validate is not None:
            error = self._validate(answer)
        if error:
            self.query_one("#error", Label).update(Content(visible(error)))
            return
        self.dismiss(answer)

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)
