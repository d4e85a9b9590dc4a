"""What every margin dialog shares: the framed box in the middle, and no key lost while it opens."""

from __future__ import annotations

from textual import events
from textual.screen import ModalScreen, ScreenResultType


class Dialog(ModalScreen[ScreenResultType]):
    """A modal with a `#dialog` box, that loses no key typed while it opens (a burst over SSH)."""

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
        & > #dialog {
            height: auto;
            max-height: 90%;
            border: round $primary;
            border-title-color: $primary;
            background: $surface;
            padding: 0 1;
        }
    }
    """

    def on_key(self, event: events.Key) -> None:
        # A key reaches the screen itself only while no widget has focus: the dialog is still
        # opening. Try again after the next refresh, by when AUTO_FOCUS has focused the field.
        if self.focused is None:
            event.stop()
            event.prevent_default()
            self.call_after_refresh(self.app.post_message, events.Key(event.key, event.character))

    def on_paste(self, event: events.Paste) -> None:
        # The same for a paste that arrives before the field has focus.
        if self.focused is None:
            event.stop()
            event.prevent_default()
            self.call_after_refresh(self.app.post_message, events.Paste(event.text))
