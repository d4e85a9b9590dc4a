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
from tui.screens.base import keep_draft
from tui.screens.confirm import ConfirmScreen
from tui.screens.dialog import Dialog
from tui.text import visible
from tui.widgets.fields import Input, area_text
from tui.widgets.text_area import TextArea

__all__ = ["MemoEditor", "NO_STAGE", "pack_draft", "unpack_draft"]

#: The first entry of the stage chooser: a memo that is not about one stage.
NO_STAGE = "no stage"


def pack_draft(title: str, stage: str | None, body: str) -> str:
    """A memo's title, stage and body as the text of one draft."""
    return f"{title}\n{stage or ''}\n{body}"


def unpack_draft(text: str) -> tuple[str, str | None, str]:
    """(title, stage or None, body) of a memo kept as a draft by `pack_draft`."""
    title, _, rest = text.partition("\n")
    stage, _, body = rest.partition("\n")
    return title, (stage if stage in STAGES else None), body


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
    | escape | Close without saving (asks first if anything was typed). |
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

    def __init__(self, *, heading: str, title: str = "", stage: str | None = None, body: str = "",
                 saved: tuple[str, str] | None = None, draft_ref: str = "", draft_id: int | None = None) -> None:
        """Edit a memo under `heading`, starting from `title`, `stage` and `body`.

        `saved` is (title, body) as they stand in the project (default: as given; ("", "") for a
        draft being resumed): escape asks before throwing away anything that differs. `draft_ref`
        says what the memo is for, to keep it as a draft (in place of `draft_id`) if margin must close.
        """
        super().__init__()
        self._heading = heading
        self._title = title
        self._stage = stage
        self._body = body
        self._saved = (title, body) if saved is None else saved
        self.draft_ref = draft_ref
        self.draft_id = draft_id

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

    def _typed(self) -> tuple[str, str]:
        """(title, body) as typed so far (as they started while the editor is still opening)."""
        titles = list(self.query("#memo-title").results(Input))
        bodies = list(self.query("#memo-body").results(TextArea))
        return (titles[0].value if titles else self._title, bodies[0].text if bodies else self._body)

    @property
    def changed(self) -> bool:
        """Whether the title or text differ from what is saved (so closing would lose them)."""
        title, body = self._typed()
        # Compared as the fields hold text (controls as symbols): an untouched memo is unchanged.
        typed = (visible(title).strip(), area_text(body).strip())
        return typed != (visible(self._saved[0]).strip(), area_text(self._saved[1]).strip())

    def keep_draft(self) -> None:
        """Margin is closing (a hang-up, a kill): keep the unsaved memo as a draft, offered next time."""
        project = getattr(self.app, "project", None)
        title, body = self._typed()
        if project is not None and self.draft_ref and self.changed and (title.strip() or body.strip()):
            stage = self.stage if self.query("#memo-stage") else self._stage
            packed = pack_draft(title, stage, body)
            if packed != self._kept:  # a hang-up can ask twice (the signal, then the loop): kept once
                keep_draft(project, "memo", self.draft_ref, packed, draft_id=self.draft_id)
                self._kept = packed

    _kept: str | None = None

    def action_cancel(self) -> None:
        """Close without saving; ask first when that would throw typed text away."""
        if not self.changed:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen("Throw away the text of this memo?", yes="Discard", no="Keep writing"), answered
        )
