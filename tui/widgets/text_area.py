"""margin's TextArea: Textual's, with edit keys applied in order and control characters visible.

The reasons are those of `tui.widgets.fields` (Textual issue 6605, and the rule on control
characters); this module is apart so that Textual's TextArea is imported only when an editor opens.
"""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea as _TextualTextArea
from textual.widgets.text_area import Edit

from tui.widgets.fields import area_text, run_own_binding

__all__ = ["TextArea"]


class TextArea(_TextualTextArea):
    """Textual's TextArea, with backspace, arrows, home/end and the other edit keys applied in order,
    and control characters in its text shown (and held) as visible symbols."""

    def _set_document(self, text: str, language: str | None) -> None:
        # The text it is built with and every `load_text` / `text =` (a pre-filled note).
        super()._set_document(area_text(text), language)

    def edit(self, edit: Edit) -> object:
        # Every change (typing, paste, insert, replace, undo's inverse is built from the document).
        edit.text = area_text(edit.text)
        return super().edit(edit)

    async def _on_key(self, event: events.Key) -> None:
        await run_own_binding(self, event)
