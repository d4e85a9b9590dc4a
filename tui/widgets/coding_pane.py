"""The coding pane: the themes and notes on the cursor line, and the recently used themes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tui.project.model import LEVEL_LABELS, NOTE_LETTERS, Coding, Note, Theme, span_text
from tui.text import visible, visible_lines
from tui.widgets.text_row import TextRow


@dataclass(frozen=True)
class PaneState:
    """Everything the pane shows, gathered by the workspace from the project."""

    heading: str
    codings: Sequence[Coding]
    notes: Sequence[Note]
    themes: Mapping[int, Theme]
    participants: Mapping[int, str]
    recent: Sequence[Theme]
    compact: bool = False
    """Few rows (under the transcript at 80x24): empty sections and the recent themes take one line each."""

    def body(self) -> tuple[object, ...]:
        """What the pane shows beneath its heading: the same on most cursor moves."""
        return (self.codings, self.notes, self.themes, self.participants, self.recent, self.compact)


def pane_content(state: PaneState) -> Content:
    """Build the pane's text beneath the heading; every piece of user text enters as plain `Content`."""
    parts: list[Content] = []
    if state.compact and not state.codings and not state.notes:
        parts.append(Content.styled("no themes (t to tag) · no notes (n to write)\n", "$text-muted italic"))
    elif not (state.compact and not state.codings):
        parts.append(Content.styled("themes", "$text-muted"))
        parts.append(Content("\n"))
    if not state.codings and not state.compact:
        parts.append(Content.styled("  none: t to tag, 1-9 for a recent theme\n", "$text-muted italic"))
    for coding in state.codings:
        theme = state.themes.get(coding.theme_id)
        if theme is None:
            continue
        level = LEVEL_LABELS.get(theme.level, theme.level)
        who = state.participants.get(theme.participant_id or -1)
        parts.append(Content("  • "))
        parts.append(Content.styled(visible(theme.name), "bold $success"))
        detail = f" ({level}{' · ' + visible(who) if who else ''}, {span_text(coding.first_line, coding.last_line)})"
        parts.append(Content.styled(detail + "\n", "$text-muted"))
        parent = state.themes.get(theme.parent_id or -1)
        depth = 2
        seen: set[int] = {theme.id}
        while parent is not None and parent.id not in seen:
            seen.add(parent.id)
            parts.append(Content(" " * (depth + 2) + "└ "))
            parts.append(Content(visible(parent.name)))
            parts.append(Content.styled(f" ({LEVEL_LABELS.get(parent.level, parent.level)})\n", "$text-muted"))
            parent = state.themes.get(parent.parent_id or -1)
            depth += 2
    if state.notes or not state.compact:
        parts.append(Content.styled("notes", "$text-muted"))
        parts.append(Content("\n"))
    if not state.notes and not state.compact:
        parts.append(Content.styled("  none: n to write one\n", "$text-muted italic"))
    for note in state.notes:
        parts.append(Content.styled(f"  {NOTE_LETTERS.get(note.kind, '?')}: ", "bold $warning"))
        parts.append(Content(visible_lines(note.body).replace("\n", "\n     ")))
        parts.append(Content.styled(f" ({note.kind}, {span_text(note.first_line, note.last_line)})\n", "$text-muted"))
    parts.append(Content.styled("recent" if not state.compact else "recent:", "$text-muted"))
    parts.append(Content("\n" if not state.compact else ""))
    if not state.recent:
        parts.append(Content.styled("  themes you apply appear here as 1-9\n", "$text-muted italic"))
    for number, theme in enumerate(state.recent[:9], start=1):
        parts.append(Content.styled(f"  {number} ", "bold $accent"))
        parts.append(Content(visible(theme.name) + ("\n" if not state.compact else "")))
    return Content("").join(parts)


class CodingPane(VerticalScroll, can_focus=False):
    """Shows a `PaneState`; it never reads the project itself.

    It scrolls when what it shows is taller than it is (under the transcript at 80x24): `J` and
    `K` in the workspace (`scroll_page`), and its top border says so while there is more.
    """

    HINT = "J/K: more"

    DEFAULT_CSS = """
    CodingPane {
        background: $surface;
        padding: 0 1;
        & > Static, & > TextRow { width: 1fr; }
    }
    """

    def compose(self):  # type: ignore[override]
        yield TextRow(id="coding-pane-heading")
        yield Static(Content(""), id="coding-pane-body")

    _heading = ""
    _body: tuple[object, ...] | None = None

    def show(self, state: PaneState) -> None:
        """Show the themes and notes of the cursor line.

        A cursor move mostly changes the heading (the line's number) alone: the body is drawn
        again only when what it shows differs, and the screen's layout only when a height does.
        """
        if state.heading != self._heading:  # another line: its themes from the top
            self._heading = state.heading
            self.scroll_home(animate=False, immediate=True)
            self.query_one("#coding-pane-heading", TextRow).update(Content.styled(state.heading, "bold"))
        if state.body() != self._body:
            self._body = state.body()
            self._update(self.query_one("#coding-pane-body", Static), pane_content(state))
        self.call_after_refresh(self._show_hint)

    @staticmethod
    def _update(static: Static, content: Content) -> None:
        width = static.content_region.width
        resized = not width or content.get_height(static.styles, width) != static.content_region.height
        static.update(content, layout=resized)

    def scroll_page(self, down: bool = True) -> bool:
        """Scroll by a page less one row; whether there was anything to scroll."""
        if self.max_scroll_y <= 0:
            return False
        step = max(self.scrollable_content_region.height - 1, 1)
        self.scroll_to(y=self.scroll_y + (step if down else -step), animate=False, immediate=True)
        self._show_hint()
        return True

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_hint)

    def _show_hint(self) -> None:
        """Say on the border that there is more than fits, and which way."""
        if not self.is_mounted:
            return
        more = self.max_scroll_y > 0
        below = self.scroll_y < self.max_scroll_y
        hint = f"{self.HINT} {'↓' if below else '↑'}" if more else ""
        if str(self.border_title or "") != hint:
            self.border_title = hint

    @property
    def text(self) -> str:
        """The plain text shown, for tests and screen readers."""
        heading = self.query_one("#coding-pane-heading", TextRow)
        body = self.query_one("#coding-pane-body", Static)
        return f"{heading.content}\n{body.content}"
