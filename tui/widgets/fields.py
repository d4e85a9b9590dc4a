"""margin's text fields: Textual's Input and TextArea, with keys applied in the order they arrive.

WORKAROUND for Textual issue 6605 (Textualize/textual#6605, open in Textual 8.2): Input and
TextArea insert printable keys in their own `_on_key`, but backspace, delete, the arrows,
home/end and the other edit keys are bindings, which the app runs only after the key has bubbled
up through every ancestor's message queue. Keys that arrive in one burst (a fast typist, a paste
of keys, anything over SSH) are then applied out of order: `abc`, three backspaces and `xyz` in
one write leave `abc`. These subclasses run the field's own binding for a key as soon as the
field receives it, in the same place as the printable keys, so every key takes effect in the
order typed. Priority bindings (the app's and the dialogs') are untouched: the app runs those
before a key reaches the field at all. When Textual fixes the issue, delete this module and
import Input and TextArea from `textual.widgets` again.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input as _TextualInput
from textual.widgets import TextArea as _TextualTextArea

__all__ = ["Input", "TextArea"]


async def _run_own_binding(field: _TextualInput | _TextualTextArea, event: events.Key) -> None:
    """Run `field`'s own (non-priority) binding for `event` now, and stop the key going further."""
    if event.is_printable:
        return  # the field's own `_on_key` inserts it, in order already
    for binding in field._bindings.key_to_bindings.get(event.key, ()):
        if binding.priority:
            continue
        if await field.app.run_action(binding.action, field):  # True when it ran
            event.stop()
            event.prevent_default()
            return
    # Not the field's key (escape, ctrl+s, tab): it bubbles to the screen and app as before.


class Input(_TextualInput):
    """Textual's Input, with backspace, arrows, home/end and the other edit keys applied in order."""

    async def _on_key(self, event: events.Key) -> None:
        await _run_own_binding(self, event)


class TextArea(_TextualTextArea):
    """Textual's TextArea, with backspace, arrows, home/end and the other edit keys applied in order."""

    async def _on_key(self, event: events.Key) -> None:
        await _run_own_binding(self, event)
