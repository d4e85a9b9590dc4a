"""Import a REFI-QDA project (.qdpx) or codebook (.qdc) into the open project, from the app.

Rows are matched by GUID: what is new is added, what is the same is left. The file is read and
stored in a worker thread, as one transaction; escape stops it between two steps and nothing is
changed. When rows differ from the project's, nothing is stored until the user has seen them
and chosen: overwrite them with the file's, or keep the project's.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Label, ProgressBar, Static
from textual.worker import get_current_worker

from tui.crashlog import write_crash_log
from tui.formats.output import Cancelled
from tui.formats.refi.merge import ImportReport, merge
from tui.formats.refi.read import RefiFile, read_refi
from tui.formats.transcripts import DEFAULT_WIDTH
from tui.project import Project, ProjectError
from tui.screens.base import MarginScreen
from tui.screens.dialog import Dialog
from tui.text import visible, visible_lines

__all__ = ["RefiImportScreen"]

_HINTS = {
    "running": "[b]esc[/b] stop: nothing is changed",
    "asking": "[b]o[/b] overwrite them with the file's  [b]k[/b] keep the project's  [b]esc[/b] import nothing",
    "done": "[b]enter[/b]/[b]esc[/b] close",
}


class _Progressed(Message):
    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, _Progressed)


class _Finished(Message):
    """The worker stopped: with a report, or with an error to show (`cancelled` when the user stopped it)."""

    def __init__(self, report: ImportReport | None, refi: RefiFile | None, error: str | None = None,
                 cancelled: bool = False) -> None:
        super().__init__()
        self.report = report
        self.refi = refi
        self.error = error
        self.cancelled = cancelled


class RefiImportScreen(Dialog[bool]):
    """Import one REFI-QDA file with a progress bar; the result is True when the project changed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Stop or close"),
        Binding("o", "overwrite", "Overwrite", show=False),
        Binding("k", "keep", "Keep the project's", show=False),
        Binding("enter", "close", "Close", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | escape | Stop the import (nothing is changed), or close. |
    | o | When rows differ: import, overwriting them with the file's. |
    | k | When rows differ: import, keeping the project's. |
    | enter | Close once done. |
    """

    DEFAULT_CSS = """
    RefiImportScreen {
        & > #dialog { width: 78; max-width: 100%; }
        & #progress { width: 100%; }
        & #report { height: auto; max-height: 14; }
        & #report-text { width: 100%; }
        & #report-text.error { color: $warning; }
        & #hint { width: 100%; color: $text-muted; }
    }
    """

    def __init__(self, project: Project, path: Path, *, width: int = DEFAULT_WIDTH) -> None:
        super().__init__()
        self.project = project
        self.path = path
        self._width = width
        self._stop = threading.Event()
        self._refi: RefiFile | None = None
        self.state = "running"
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(visible(f"Import {self.path.name}"))
            yield ProgressBar(total=None, show_eta=False, id="progress")
            with VerticalScroll(id="report"):
                yield Static(Content(visible(f"reading {self.path.name} ...")), id="report-text")
            yield Label(Content.from_markup(_HINTS["running"]), id="hint")

    def on_mount(self) -> None:
        self.query_one("#report").focus()  # keys go to the dialog's bindings through it
        self._run(None)

    # ------------------------------------------------------------------ the worker

    @work(thread=True, exclusive=True, exit_on_error=False, group="refi-import")
    def _run(self, overwrite: bool | None) -> None:
        """Read the file (the first time) and store it; `overwrite` None: hold if rows differ."""
        worker = get_current_worker()

        def cancelled() -> bool:
            return self._stop.is_set() or worker.is_cancelled

        def progress(done: int, total: int) -> None:
            self.post_message(_Progressed(done, total))

        refi = self._refi
        try:
            if refi is None:
                refi = read_refi(self.path)
            if cancelled():
                raise Cancelled()
            report = merge(self.project, refi, file_name=self.path.name, overwrite=bool(overwrite),
                           width=self._width, progress=progress, cancelled=cancelled,
                           hold_if_differing=overwrite is None)
        except Cancelled:
            self.post_message(_Finished(None, refi, "stopped: nothing was imported", cancelled=True))
        except (ProjectError, OSError, ValueError) as error:
            self.post_message(_Finished(None, refi, f"not imported: {error}"))
        except Exception as error:  # a fault of margin's: nothing was stored (one transaction); say so in one line
            log = write_crash_log(error)
            where = f"; details in {log}" if log else ""
            self.post_message(_Finished(None, refi, f"not imported: unexpected error ({type(error).__name__}){where}"))
        else:
            self.post_message(_Finished(report, refi))

    @on(_Progressed)
    def _progressed(self, message: _Progressed) -> None:
        self.query_one("#progress", ProgressBar).update(total=max(message.total, 1), progress=message.done)

    @on(_Finished)
    def _finished(self, message: _Finished) -> None:
        self._refi = message.refi
        text = self.query_one("#report-text", Static)
        bar = self.query_one("#progress", ProgressBar)
        if message.report is None:
            text.set_class(not message.cancelled, "error")
            text.update(Content(visible(message.error or "")))
            bar.update(total=1, progress=0)
            self._set_state("done")
            return
        report = message.report
        if report.held:
            count = len(report.differing)
            shown = "\n".join(f"  {line}" for line in report.differing[:20])
            more = f"\n  ... and {count - 20} more" if count > 20 else ""
            text.update(Content(visible_lines(
                f"{count} row{'s' if count != 1 else ''} of {self.path.name} differ{'s' if count == 1 else ''} from the project:\n{shown}{more}\n"
                "Nothing is imported yet.")))
            bar.update(total=1, progress=0)
            self._set_state("asking")
            return
        self.changed = True
        for screen in self.app.screen_stack:  # redraw what shows the project when shown again
            if isinstance(screen, MarginScreen):
                screen._stale = True
        bar.update(total=1, progress=1)
        text.update(Content(visible_lines("\n".join(report.lines()).replace(" (use --overwrite to take the file’s)", ""))))
        self._set_state("done")

    def _set_state(self, state: str) -> None:
        self.state = state
        self.query_one("#hint", Label).update(Content.from_markup(_HINTS[state]))

    # ------------------------------------------------------------------ keys

    def _again(self, overwrite: bool) -> None:
        if self.state != "asking":
            return
        self._stop.clear()
        self.query_one("#progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#report-text", Static).update(Content(visible(f"importing {self.path.name} ...")))
        self._set_state("running")
        self._run(overwrite)

    def action_overwrite(self) -> None:
        """Import, overwriting the rows that differ with the file's."""
        self._again(True)

    def action_keep(self) -> None:
        """Import, keeping the project's rows where they differ."""
        self._again(False)

    def action_close(self) -> None:
        if self.state == "done":
            self.dismiss(self.changed)

    def action_cancel(self) -> None:
        """Stop the import (nothing is changed), or close."""
        if self.state == "running":
            self._stop.set()
            self.query_one("#report-text", Static).update(Content(visible("stopping ...")))
            return
        self.dismiss(self.changed)
