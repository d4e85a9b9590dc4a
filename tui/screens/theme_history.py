"""Theme history: how a theme came to be, from the event log.

Every creation, rename, move, merge, grouping (with its strategy) and change of description of
the theme and of what was grouped under it, oldest first, with date and coder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from tui.project import LEVEL_LABELS
from tui.project import analysis
from tui.screens.analysis_base import AnalysisScreen
from tui.text import visible, visible_lines
from tui.widgets.key_bar import KeyBar
from tui.widgets.row_list import LazyRows, RowList

if TYPE_CHECKING:
    from tui.project import Project


class ThemeHistoryScreen(AnalysisScreen):
    """The history of one theme.

    | key | action |
    |---|---|
    | `up`, `down` | move through the changes |
    | `q` | back |
    """

    BINDINGS = [
        Binding("q", "back", "Back"),
    ]

    DEFAULT_CSS = """
    ThemeHistoryScreen {
        layout: vertical;
        #analysis-status { height: 1; background: $panel; padding: 0 1; }
        #history-list { height: 1fr; }
        #history-detail { height: auto; max-height: 7; padding: 0 1; border-top: solid $secondary 50%; }
    }
    """

    def __init__(self, project: Project, theme_id: int) -> None:
        super().__init__(project)
        self.theme_id = theme_id
        self.entries: list[analysis.HistoryEntry] = []

    def compose(self) -> ComposeResult:
        yield Static(id="analysis-status")
        yield RowList(id="history-list")
        yield Static(id="history-detail")
        yield KeyBar()

    def on_mount(self) -> None:
        self.reload()
        self.query_one(RowList).focus()

    def reload(self) -> None:
        """Read the history again."""
        if not self.is_mounted:
            return
        self.theme = self.project.theme(self.theme_id)
        self.entries = analysis.theme_history(self.project, self.theme_id)
        entries = self.entries
        rows = self.query_one(RowList)
        rows.set_rows(LazyRows(len(entries), lambda i: self._row(entries[i])), cursor=len(entries) - 1)
        self.refresh_status()

    def _row(self, entry: analysis.HistoryEntry) -> Content:
        # At 80 columns the date, coder and strategy come first, so what is cut is the summary's
        # end; the pane below gives the whole of the entry under the cursor.
        when = entry.at[5:16].replace("T", " ")
        coder = entry.coder or "?"
        undone = "(undone) " if entry.state in ("undone", "discarded") else ""
        how = f"[{entry.strategy}] " if entry.strategy else ""
        return Content.assemble((f"{when} ", "dim"), (f"{visible(coder)[:6]:<6} ", "dim"), (undone, "dim"),
                                (visible(how), "bold"), Content(visible(entry.summary)))

    def status_parts(self) -> list[str]:
        if not hasattr(self, "theme"):
            return ["history"]
        level = LEVEL_LABELS.get(self.theme.level, self.theme.level)
        return [f"history of {level} {self.theme.name}", f"{len(self.entries)} changes"]

    @on(RowList.Highlighted, "#history-list")
    def _highlighted(self, event: RowList.Highlighted) -> None:
        detail = self.query_one("#history-detail", Static)
        if not self.entries:
            detail.update(Content("No recorded changes."))
            return
        entry = self.entries[event.index] if 0 <= event.index < len(self.entries) else None
        if entry is None:
            return
        head = f"{entry.at[:16].replace('T', ' ')} · {entry.coder or '?'} · {entry.summary}"
        if entry.strategy and entry.strategy not in entry.summary:
            head += f" · by {entry.strategy}"
        if entry.state in ("undone", "discarded"):
            head += " · undone"
        said = [d for d in entry.details if d != "below it"]
        text = head + ("\n" + "; ".join(said) if said else "")
        detail.update(Content(visible_lines(text)))
