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
import Input and TextArea from `textual.widgets` again (keeping the rule below). The TextArea is
in `tui.widgets.text_area`: Textual's TextArea takes a tenth of margin's start-up to import, and
only the note and memo editors need it.

Control characters: whatever enters a field, typed, pasted, or pre-filled from the project (a
note body, a memo, a theme name), comes in through `tui.text.visible`: ESC, the C1 controls, DEL,
bidi overrides and the other invisible controls become their visible symbols (one character for
one, so the cursor stays where it was), and those symbols are what the field holds and so what
is saved. A field is drawn by Textual straight to the terminal, so a raw ESC in it would reach
the terminal; and what the researcher sees in the editor is then exactly what is stored.
Line breaks stay line breaks in a TextArea (CR LF becomes LF; a lone CR shows as ␍); an Input
holds one line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.widgets import Input as _TextualInput

from tui.text import visible, visible_lines

if TYPE_CHECKING:
    from textual.widget import Widget

__all__ = ["Input", "area_text", "run_own_binding"]


async def run_own_binding(field: Widget, event: events.Key) -> None:
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


def area_text(text: str) -> str:
    """What a TextArea holds for `text`: control characters visible, line breaks as LF."""
    return visible_lines(text.replace("\r\n", "\n"))


class Input(_TextualInput):
    """Textual's Input, with backspace, arrows, home/end and the other edit keys applied in order,
    and control characters in its value shown (and held) as visible symbols."""

    def validate_value(self, value: str) -> str:
        """Every value the field takes (typed, pasted, pre-filled) with its controls made visible."""
        return visible(value)

    async def _on_key(self, event: events.Key) -> None:
        await run_own_binding(self, event)
