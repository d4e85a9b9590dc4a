"""Write or edit an exploratory note: choose its kind, type its body."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content

from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tui.project.model import NOTE_KINDS
from tui.screens.base import keep_draft
from tui.screens.confirm import ConfirmScreen
from tui.screens.dialog import Dialog
from tui.text import visible
from tui.widgets.fields import area_text
from tui.widgets.text_area import TextArea

__all__ = ["EMPTY_MESSAGE", "NoteEditor"]

#: Shown, and the editor stays open, when saving a note with no text.
EMPTY_MESSAGE = "a note needs some text"

#: Per kind: the key that chooses it from anywhere in the editor, and what it is about.
_KINDS: dict[str, tuple[str, str]] = {
    "descriptive": ("ctrl+d", "what is said"),
    "linguistic": ("ctrl+l", "how it is said"),
    "conceptual": ("ctrl+o", "what it might mean"),
}


def _short(key: str) -> str:
    """A key as the editor shows it: ctrl+d as ^d."""
    return key.replace("ctrl+", "^")


class NoteEditor(Dialog["tuple[str, str] | None"]):
    """An exploratory note's kind (descriptive, linguistic or conceptual) and its body."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Not priority: it must come after the keys typed before it, or a quick save loses them.
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+d", "kind('descriptive')", "Descriptive", priority=True),
        Binding("ctrl+l", "kind('linguistic')", "Linguistic", priority=True),
        Binding("ctrl+o", "kind('conceptual')", "Conceptual", priority=True),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | ctrl+s | Save the note (refused while its body is empty). |
    | escape | Close without saving. |
    | ctrl+d | Make the note descriptive. |
    | ctrl+l | Make the note linguistic. |
    | ctrl+o | Make the note conceptual. |
    | tab, shift+tab | Move between the kind chooser and the body. |
    | up, down | In the kind chooser: choose the previous or next kind. |
    | enter | In the kind chooser: go to the body. |
    """

    AUTO_FOCUS = "#body"  # focused as the screen opens, so keys typed quickly land there

    DEFAULT_CSS = """
    NoteEditor {
        & > #dialog {
            width: 90%;
            max-width: 96;
            height: 90%;
            max-height: 32;
        }
        & #kind {
            height: auto;
            border: none;
            padding: 0;
            margin: 0 0 1 0;
            background: $surface;
            & > .option-list--option-highlighted {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
            &:focus > .option-list--option-highlighted {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
            }
        }
        & #body {
            height: 1fr;
            min-height: 3;
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

    def __init__(self, *, title: str, kind: str = "descriptive", body: str = "", saved_body: str | None = None,
                 draft_ref: str = "", draft_id: int | None = None, draft_kind: str = "note") -> None:
        """Edit a note titled `title`, starting from `kind` and `body`.

        `saved_body` is the text as it stands in the project (default: `body`; "" for a draft being
        resumed): escape asks before throwing away anything that differs from it. `draft_ref` says
        where the note belongs, for keeping the text as a draft if margin must close; `draft_id` is
        the draft being resumed (kept again in its place, not beside it); `draft_kind` is "note" for
        a new note, "note-edit" for changes to a saved one (its `draft_ref` is then the note's id).
        """
        super().__init__()
        if kind not in NOTE_KINDS:
            raise ValueError(f"unknown note kind {kind!r}; expected one of {NOTE_KINDS}")
        self._title = title
        self._initial_kind = kind
        self._initial_body = body
        self._saved_body = body if saved_body is None else saved_body
        self.draft_ref = draft_ref
        """Where the note belongs (transcript and lines), for a draft kept on a hang-up."""
        self.draft_id = draft_id
        self.draft_kind = draft_kind

    def compose(self) -> ComposeResult:
        """The kind chooser, the body, a line for errors and a line of keys."""
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(visible(self._title))
            kinds = OptionList(
                *[
                    Option(
                        Content.assemble(
                            f"{kind:<12}",
                            (f"{_short(_KINDS[kind][0]):<4}", "bold"),
                            (_KINDS[kind][1], "dim"),
                        ),
                        id=kind,
                    )
                    for kind in NOTE_KINDS
                ],
                id="kind",
            )
            kinds.highlighted = NOTE_KINDS.index(self._initial_kind)
            yield kinds
            yield TextArea(self._initial_body, id="body", soft_wrap=True, tab_behavior="focus")
            yield Label(id="error")
            yield Label(
                Content.from_markup(
                    "[b]^s[/b] save  [b]esc[/b] cancel  [b]tab[/b] kind ↔ text  "
                    "[b]^d ^l ^o[/b] kind"
                ),
                id="hint",
            )

    def on_mount(self) -> None:
        """Start typing at the end of the body."""
        body = self.query_one("#body", TextArea)
        body.focus()
        body.move_cursor(body.document.end)

    @property
    def kind(self) -> str:
        """The kind of note currently chosen."""
        index = self.query_one("#kind", OptionList).highlighted
        return NOTE_KINDS[index if index is not None else 0]

    def action_kind(self, kind: str) -> None:
        """Choose the kind of note."""
        self.query_one("#kind", OptionList).highlighted = NOTE_KINDS.index(kind)

    @on(OptionList.OptionSelected, "#kind")
    def _kind_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter (or a click) on a kind chooses it and goes to the body."""
        event.stop()
        self.query_one("#body", TextArea).focus()

    @on(TextArea.Changed, "#body")
    def _body_changed(self) -> None:
        """Clear the error once the user types."""
        self.query_one("#error", Label).update("")

    def action_save(self) -> None:
        """Save the note, unless its body is empty."""
        body = self.query_one("#body", TextArea).text.strip()
        if not body:
            self.query_one("#error", Label).update(Content(EMPTY_MESSAGE))
            self.query_one("#body", TextArea).focus()
            return
        self.dismiss((self.kind, body))

    @property
    def body(self) -> str:
        """The text typed so far (what it started from while the editor is still opening)."""
        fields = self.query("#body").results(TextArea)
        return next((field.text for field in fields), self._initial_body)

    @property
    def changed(self) -> bool:
        """Whether the text differs from what is saved (so closing would lose it)."""
        # Compared as the field holds text (controls as symbols): an untouched note is unchanged.
        return area_text(self.body).strip() != area_text(self._saved_body).strip()

    def draft(self) -> str | None:
        """The unsaved text, to keep as a draft, or None when nothing would be lost."""
        return self.body if self.is_mounted and self.changed and self.body.strip() else None

    def keep_draft(self) -> None:
        """Margin is closing (a hang-up, a kill): keep the unsaved text as a draft, offered next time."""
        project = getattr(self.app, "project", None)
        body = self.draft()
        if project is not None and body is not None and self.draft_ref and body != self._kept:
            place = self.draft_ref.rsplit(":", 1)[0]
            keep_draft(project, self.draft_kind, f"{place}:{self.kind}", body, draft_id=self.draft_id)
            self._kept = body  # a hang-up can ask twice (the signal, then the loop): kept once

    _kept: str | None = None

    def action_cancel(self) -> None:
        """Close without saving; ask first when that would throw typed text away."""
        if not self.changed:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)
            else:
                self.query_one("#body", TextArea).focus()

        self.app.push_screen(
            ConfirmScreen("Throw away the text of this note?", yes="Discard", no="Keep writing"), answered
        )
