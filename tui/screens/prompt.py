"""Ask for one line of text: a name, a title, a new name for a theme."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label

from tui.screens.dialog import Dialog
from tui.text import visible
from tui.widgets.fields import Input

__all__ = ["EMPTY_MESSAGE", "PromptScreen", "complete_path"]

#: The longest question shown whole in the dialog's frame (70 cells less its corners and padding).
TITLE_ROOM = 60

#: Shown, and the prompt stays open, when enter is pressed on an empty line.
EMPTY_MESSAGE = "type something, or escape to cancel"


def complete_path(text: str) -> tuple[str, list[str]]:
    """Complete a typed path as a shell does: (the text completed as far as it is certain, the choices).

    A folder completed alone gets its `/`; with several choices the text goes as far as they agree.
    """
    typed = text or ""
    folder, _, stem = typed.rpartition(os.sep)
    base = Path(os.path.expanduser(folder)) if folder else Path(os.sep if typed.startswith(os.sep) else ".")
    try:
        names = sorted(entry.name for entry in os.scandir(base) if entry.name.startswith(stem)
                       and (stem.startswith(".") or not entry.name.startswith(".")))
    except OSError:
        return typed, []
    if not names:
        return typed, []
    common = os.path.commonprefix(names)
    head = f"{folder}{os.sep}" if folder or typed.startswith(os.sep) else ""
    completed = head + common
    if len(names) == 1 and (base / names[0]).is_dir():
        completed += os.sep
    return completed, names if len(names) > 1 else []


class _Answer(Input):
    """The prompt's field: tab completes (when the prompt completes), in the order keys were typed."""

    BINDINGS = [Binding("tab", "complete", "Complete", show=False)]

    def action_complete(self) -> None:
        screen = self.screen
        if not isinstance(screen, PromptScreen) or screen._complete is None:
            raise SkipAction()  # no completion here: tab moves the focus as usual
        screen.complete()


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
        & #question {
            width: 100%;
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
        complete: Callable[[str], tuple[str, list[str]]] | None = None,
    ) -> None:
        """Ask under `title`; `validate` gets the stripped text and returns an error or None.

        With `allow_empty`, an empty answer is accepted (as "") instead of refused. `complete`
        makes tab complete the text: it returns the completed text and the choices left.
        """
        super().__init__()
        self._title = title
        self._placeholder = placeholder
        self._value = value
        self._validate = validate
        self._allow_empty = allow_empty
        self._complete = complete
        self._completed: str | None = None

    def compose(self) -> ComposeResult:
        """The input, a line for errors and a line of keys."""
        with Vertical(id="dialog") as dialog:
            # A question too long for the frame is not cut: it wraps above the field instead.
            if len(self._title) <= TITLE_ROOM:
                dialog.border_title = Content(visible(self._title))
            else:
                yield Label(Content(visible(self._title)), id="question")
            yield _Answer(self._value, placeholder=visible(self._placeholder), id="answer")
            yield Label(id="error")
            yield Label(
                Content.from_markup("[b]enter[/b] accept  [b]esc[/b] cancel"), id="hint"
            )

    def on_mount(self) -> None:
        """Start typing at once."""
        self.query_one("#answer", Input).focus()

    def complete(self) -> None:
        """Complete the text as far as it is certain; list the choices when there are several."""
        assert self._complete is not None
        field = self.query_one("#answer", Input)
        completed, choices = self._complete(field.value)
        field.value = completed
        field.cursor_position = len(completed)
        self._completed = completed
        if choices:
            shown = "  ".join(choices[:8]) + ("  ..." if len(choices) > 8 else "")
            self.query_one("#error", Label).update(Content(visible(shown)))

    @on(Input.Changed, "#answer")
    def _changed(self, event: Input.Changed) -> None:
        """Clear the error (or the choices of a completion) once the user types."""
        if event.value != self._completed:
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
