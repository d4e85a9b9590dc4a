"""Extracts: every coded extract of a theme and the themes below it, across transcripts.

Each row cites its extract as (P07, 12-14); the pane below shows the whole text, and the lines
around it on demand. `enter` goes to that place in the transcript; `*` marks a key quote.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tui.project import LEVEL_LABELS
from tui.project import analysis
from tui.screens.analysis_base import AnalysisScreen
from tui.screens.choice import ChoiceScreen
from tui.text import visible, visible_lines
from tui.widgets.key_bar import KeyBar
from tui.widgets.row_list import LazyRows, RowList

if TYPE_CHECKING:
    from tui.project import Project

#: How many lines before and after an extract the context shows.
CONTEXT_LINES = 3
#: The columns before a context line's text: the extract's mark, the line number, two spaces.
_NUMBER_WIDTH = 8


class ExtractsScreen(AnalysisScreen):
    """The extracts of one theme and everything below it.

    | key | action |
    |---|---|
    | `enter` / `o` | go to the extract in its transcript |
    | `*` / `K` | mark or unmark the extract as a key quote |
    | `c` | show or hide the lines around the extract |
    | `p` | show one participant's extracts, or all |
    | `]`, `[` | scroll the text below down, up (a long extract, its context) |
    | `w` | write a memo on the extract's coding |
    | `u`, `ctrl+r` | undo, redo |
    | `q` | back |
    """

    BINDINGS = [
        Binding("o", "jump", "Go to transcript"),
        Binding("asterisk,K", "key_quote", "Key quote"),
        Binding("c", "context", "Context"),
        Binding("p", "participant", "Participant"),
        Binding("right_square_bracket", "scroll_detail(1)", "Scroll the text down", show=False),
        Binding("left_square_bracket", "scroll_detail(-1)", "Scroll the text up", show=False),
        Binding("w", "memo", "Memo", show=False),
        Binding("u,ctrl+z", "undo", "Undo"),
        Binding("ctrl+r,ctrl+y", "redo", "Redo", show=False),
        Binding("q", "back", "Back"),
    ]

    DEFAULT_CSS = """
    ExtractsScreen {
        layout: vertical;
        #analysis-status { height: 1; background: $panel; padding: 0 1; }
        #extracts-list { height: 1fr; min-height: 5; }
        #extracts-detail-box { height: 9; border-top: solid $secondary 50%; }
        #extracts-detail-box.context { height: 2fr; }
        #extracts-list.context { height: 1fr; }
        #extracts-detail { padding: 0 1; }
    }
    """

    def __init__(self, project: Project, theme_id: int, *, participant_id: int | None = None) -> None:
        super().__init__(project)
        self.theme_id = theme_id
        self.participant_id = participant_id
        self.extracts = analysis.Extracts(project, [])
        self.show_context = False

    def compose(self) -> ComposeResult:
        yield Static(id="analysis-status")
        yield RowList(id="extracts-list")
        with VerticalScroll(id="extracts-detail-box", can_focus=False):
            yield Static(id="extracts-detail")
        yield KeyBar()

    @property
    def rows(self) -> RowList:
        """The list of extracts."""
        return self.query_one("#extracts-list", RowList)

    def on_mount(self) -> None:
        self.reload()
        self.rows.focus()

    def reload(self) -> None:
        """Read the extracts again."""
        if not self.is_mounted:
            return
        self.theme = self.project.theme(self.theme_id)
        with self.collector_held():
            self.extracts = analysis.extracts(self.project, self.theme_id, participant_id=self.participant_id)
        extracts = self.extracts
        self.rows.set_rows(LazyRows(len(extracts), lambda i: self._row(extracts[i])))
        self._show_detail()
        self.refresh_status()

    def _row(self, extract: analysis.Extract) -> Content:
        star = ("★ ", "bold $warning") if extract.key_quote else "  "
        text = " ".join(extract.text.split())
        theme = f"  [{extract.theme}]" if extract.theme_id != self.theme_id else ""
        return Content.assemble(star, (f"{visible(extract.citation):<16}", "bold"), Content(visible(text[:300])),
                                (visible(theme), "dim"))

    def status_parts(self) -> list[str]:
        if not self.is_mounted or not hasattr(self, "theme"):
            return ["extracts"]
        level = LEVEL_LABELS.get(self.theme.level, self.theme.level)
        people = len(self.extracts.participant_ids)
        parts = [f"extracts of {level} {self.theme.name}", f"{len(self.extracts)} extracts", f"{people} participants"]
        if self.participant_id is not None:
            parts.append(f"only {self.project.participant(self.participant_id).pseudonym}")
        keys = self.extracts.key_quotes
        if keys:
            parts.append(f"{keys} key quotes")
        return parts

    def current(self) -> analysis.Extract | None:
        """The extract under the cursor."""
        index = self.rows.cursor
        return self.extracts[index] if 0 <= index < len(self.extracts) else None

    @on(RowList.Highlighted, "#extracts-list")
    def _highlighted(self) -> None:
        self._show_detail()

    @on(RowList.Chosen, "#extracts-list")
    def _chosen(self) -> None:
        self.action_jump()

    def _show_detail(self) -> None:
        extract = self.current()
        detail = self.query_one("#extracts-detail", Static)
        if extract is None:
            detail.update(Content("No extracts: lines tagged with this theme, or a theme below it, show here."))
            return
        head = f"{extract.citation} · {extract.transcript} · {extract.theme}" + (" · key quote" if extract.key_quote else "")
        if not self.show_context:
            detail.update(Content(visible(head) + "\n" + visible_lines(extract.text)))
            return
        first = max(1, extract.first_line - CONTEXT_LINES)
        lines = self.project.lines(extract.transcript_id, first, extract.last_line + CONTEXT_LINES)
        # Each line after its number; a line too long for the pane goes on under its own text,
        # not under the numbers.
        width = max(20, self.size.width - 4 - _NUMBER_WIDTH)
        body: list[str] = []
        for line in lines:
            inside = extract.first_line <= line.number <= extract.last_line
            parts = textwrap.wrap(visible(line.text), width, drop_whitespace=True) or [""]
            body.append(f"{'▌' if inside else ' '}{line.number:>5}  {parts[0]}")
            body.extend(" " * _NUMBER_WIDTH + part for part in parts[1:])
        detail.update(Content(visible(head) + "\n" + "\n".join(body)))

    def action_context(self) -> None:
        """Show or hide the lines around the extract (the text below takes more room while shown)."""
        self.show_context = not self.show_context
        self.query_one("#extracts-detail-box").set_class(self.show_context, "context")
        self.rows.set_class(self.show_context, "context")
        self._show_detail()
        self.rows.call_after_refresh(self.rows._scroll_to_cursor)  # the list is shorter: keep the cursor in sight

    def action_scroll_detail(self, step: int) -> None:
        """Scroll the text below the list by a few lines."""
        self.query_one("#extracts-detail-box", VerticalScroll).scroll_relative(y=3 * step, animate=False)

    def action_key_quote(self) -> None:
        """Mark or unmark the extract as a key quote (for its GET and participant)."""
        extract = self.current()
        if extract is None:
            return
        on_ = not extract.key_quote
        self.commit(lambda: self.project.set_key_quote(extract.coding_id, on_),
                    lambda _: f"{extract.citation} {'is a key quote' if on_ else 'is no longer a key quote'}")

    def action_jump(self) -> None:
        """Go to the extract in its transcript."""
        extract = self.current()
        if extract is None:
            return
        from tui.screens.workspace import WorkspaceScreen

        screen = WorkspaceScreen(self.project, extract.transcript_id)

        def go() -> None:
            if screen.is_mounted:
                screen.view.go_to_number(extract.first_line)
            else:
                self.app.call_after_refresh(go)

        self.app.push_screen(screen)
        self.app.call_after_refresh(go)

    def action_participant(self) -> None:
        """Show one participant's extracts, or everyone's."""
        participants = self.project.participants()
        options = ["everyone", *[p.pseudonym for p in participants]]

        def chosen(index: int | None) -> None:
            if index is None:
                return
            self.participant_id = None if index == 0 else participants[index - 1].id
            self.reload()

        self.app.push_screen(ChoiceScreen("Whose extracts?", options), chosen)

    def action_memo(self) -> None:
        """Write a memo on the coding of the extract."""
        extract = self.current()
        if extract is None:
            return
        from tui.screens.memos import MemosScreen

        screen = MemosScreen(self.project, coding_id=extract.coding_id)
        self.app.push_screen(screen)
        screen.call_after_refresh(screen.action_new)
