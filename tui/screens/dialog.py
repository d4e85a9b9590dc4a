"""Keys that reach a dialog before its field has focus are replayed into the field."""

from __future__ import annotations

from textual import events
from textual.screen import ModalScreen


class EarlyKeysDialog(ModalScreen):  # type: ignore[type-arg]
    """A modal that loses no key typed while it opens (a burst over SSH, a paste)."""

    def on_key(self, event: events.Key) -> None:
        # A key reaches the screen itself only while no widget has focus: the dialog is still
        # opening. Try again after the next refresh, by when AUTO_FOCUS has focused the field.
        if self.focused is None:
            event.stop()
            event.prevent_default()
            self.call_after_refresh(self.app.post_message, events.Key(event.key, event.character))
