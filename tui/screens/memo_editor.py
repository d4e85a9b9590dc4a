"""Write or edit a memo or journal entry: its title, its analysis stage, its text (word-wrapped)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tui.project.model import STAGES
from tui.screens.dialog import Dialog
from tui.text import visible
from tui.widgets.fields import Input, TextArea

__all__ = ["MemoEditor", "NO_STAGE"]

#: The first entry of the stage chooser: a memo that is not about one stage.
NO_STAGE = "no stage"


class MemoEditor(Dialog["tuple[str, str | None, str] | None"]):
    """A memo's title, stage and body; the result is (title, stage or None, body)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | ctrl+s | Save the memo (it needs a title). |
    | escape | Close without saving. |
    | tab, shift+tab | Move between title, stage and text. |
    | up, down | In the stage chooser: choose the stage. |
    """

    AUTO_FOCUS = "#memo-title"

    DEFAULT_CSS = """
    MemoEditor {
        & > #dialog { width: 90%; max-width: 100; height: 90%; max-height: 36; }
        & #memo-stage { height: 4; border: none; padding: 0; background: $surface;
            & > .option-list--option-highlighted { color: $block-cursor-foreground; background: $block-cursor-background; }
        }
        & #memo-body { height: 1fr; min-height: 4; }
        & #memo-error { width: 100%; color: $warning; }
        & #memo-hint { width: 100%; color: $text-muted; }
    }
    """

    def __init__(self, *, heading: str, title: str = "", stage: str | None = None, body: str = "") -> None:
        """Edit a memo under `heading`, starting from `title`, `stage` and `body`."""
        super().__init__()
        self._heading = heading
        self._title = title
        self._stage = stage
        self._body = body

    def compose(self) -> ComposeResult:
        """Title, stage chooser, body, a line for errors and a line of keys."""
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(visible(self._heading))
            yield Input(self._title, placeholder="title", id="memo-title")
            stages = OptionList(*[Option(Content(s), id=f"stage-{i}") for i, s in enumerate((NO_STAGE, *STAGES))],
                                id="memo-stage")
            stages.highlighted = (STAGES.index(self._stage) + 1) if self._stage in STAGES else 0
            yield stages
            yield TextArea(self._body, id="memo-body", soft_wrap=True, tab_behavior="focus")
            yield Label(id="memo-error")
            yield Label(Content.from_markup("[b]^s[/b] save  [b]esc[/b] cancel  [b]tab[/b] title → stage → text"),
                        id="memo-hint")

    @property
    def stage(self) -> str | None:
        """The stage chosen, or None."""
        index = self.query_one("#memo-stage", OptionList).highlighted or 0
        return None if index == 0 else STAGES[index - 1]

    @on(Input.Submitted, "#memo-title")
    def _title_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#memo-stage", OptionList).focus()

    @on(OptionList.OptionSelected, "#memo-stage")
    def _stage_done(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#memo-body", TextArea).focus()

    def action_save(self) -> None:
        """Save, unless the title is empty."""
        title = self.query_one("#memo-title", Input).value.strip()
        if not title:
            self.query_one("#memo-error", Label).update(Content("a memo needs a title"))
            self.query_one("#memo-title", Input).focus()
            return
        self.dismiss((title, self.stage, self.query_one("#memo-body", TextArea).text))

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
