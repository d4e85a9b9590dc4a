"""Export the project from the app: choose a format and what it holds, a file, and watch it being written.

The export runs in a worker thread and reports its progress to a bar; escape cancels it between
two steps, and since every export writes a private temporary file and renames it into place only
when complete (`tui.formats.output`), a cancelled export leaves nothing behind.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Label, OptionList, ProgressBar
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tui.crashlog import write_crash_log
from tui.formats.exchange import EXPORT_FORMATS, WHAT, export_project
from tui.formats.output import Cancelled
from tui.project import Project, ProjectError
from tui.screens.confirm import ConfirmScreen
from tui.screens.dialog import Dialog
from tui.screens.prompt import complete_path
from tui.text import visible
from tui.widgets.fields import Input

__all__ = ["FORMAT_LABELS", "WHAT_LABELS", "ExportScreen", "suggested_name"]

#: What each format is, as the list shows it.
FORMAT_LABELS = {
    "qdpx": "REFI-QDA project (NVivo, MAXQDA)",
    "qdc": "REFI-QDA codebook",
    "md": "Markdown report",
    "html": "HTML report, printable",
    "docx": "Word report",
    "csv": "CSV of codings, or codebook",
}
#: What each `--what` choice holds.
WHAT_LABELS = {
    "project": "whole project",
    "codebook": "theme tree",
    "codings": "every coding",
    "summary": "analytic summary",
    "transcripts": "3-column tables",
    "all": "summary + tables",
}
_EXTENSIONS = {f".{fmt}" for fmt in EXPORT_FORMATS}


def suggested_name(project_path: Path, fmt: str, what: str) -> str:
    """The file an export is written to unless the user says otherwise: beside the project."""
    stem = project_path.stem or "project"
    suffix = "" if what in ("project", "summary") or (fmt, what) == ("qdc", "codebook") else f"-{what}"
    path = project_path.with_name(f"{stem}{suffix}.{fmt}")
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive
        return str(path)
    return relative if not relative.startswith("..") else str(path)


class _Progressed(Message):
    """The worker has done `done` of `total` steps."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, _Progressed)


class _Finished(Message):
    """The worker stopped: `error` is None on success, else what to show."""

    def __init__(self, path: Path, error: str | None, cancelled: bool = False) -> None:
        super().__init__()
        self.path = path
        self.error = error
        self.cancelled = cancelled


class _PathField(Input):
    """The output file: tab completes the path as a shell does."""

    BINDINGS = [Binding("tab", "complete", "Complete", show=False)]

    def action_complete(self) -> None:
        screen = self.screen
        if not isinstance(screen, ExportScreen):
            raise SkipAction()
        screen.complete()


class ExportScreen(Dialog["Path | None"]):
    """Choose a format, what it holds and a file; enter writes it. The result is the file written."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | up, down | Choose the format (or, in the second list, what it holds). |
    | enter | Go to the next field; in the file field, write the export. |
    | tab | In the file field, complete the path; elsewhere, the next field. |
    | escape | Stop an export being written (nothing is left), or close. |
    """

    DEFAULT_CSS = """
    ExportScreen {
        & > #dialog { width: 78; max-width: 100%; }
        & #lists { height: auto; }
        & #formats { width: 1fr; height: auto; max-height: 8; border: none; padding: 0; background: $surface; }
        & #what { width: 30; height: auto; max-height: 8; border: none; padding: 0 0 0 1; background: $surface; }
        & #path-label { width: 100%; margin: 1 0 0 0; }
        & #progress { width: 100%; margin: 1 0 0 0; }
        & #status { width: 100%; color: $text-muted; }
        & #status.error { color: $warning; }
        & #hint { width: 100%; color: $text-muted; }
    }
    """

    def __init__(self, project: Project, *, fmt: str = "qdpx") -> None:
        super().__init__()
        self.project = project
        self._fmt = fmt if fmt in EXPORT_FORMATS else EXPORT_FORMATS[0]
        self._what = WHAT[self._fmt][0]
        self._suggested = ""
        self._completed: str | None = None
        self._stop = threading.Event()
        self.running = False

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(visible(f"Export {self.project.title}"))
            with Horizontal(id="lists"):
                yield OptionList(
                    *[Option(Content.assemble((f"{fmt:<5}", "bold"), FORMAT_LABELS[fmt]), id=fmt) for fmt in EXPORT_FORMATS],
                    id="formats",
                )
                yield OptionList(id="what")
            yield Label("Write to (tab completes the path):", id="path-label")
            yield _PathField(id="path")
            yield ProgressBar(total=1, show_eta=False, id="progress")
            yield Label(id="status")
            yield Label(Content.from_markup(
                "[b]up/down[/b] choose  [b]enter[/b] next, write  [b]tab[/b] complete  [b]esc[/b] stop, close"),
                id="hint")

    def on_mount(self) -> None:
        formats = self.query_one("#formats", OptionList)
        formats.highlighted = EXPORT_FORMATS.index(self._fmt)
        self._show_what()
        self._suggest()
        formats.focus()

    def _show_what(self) -> None:
        what = self.query_one("#what", OptionList)
        what.clear_options()
        what.add_options([Option(Content.assemble((f"{w:<12}", "bold"), WHAT_LABELS[w]), id=w) for w in WHAT[self._fmt]])
        what.highlighted = WHAT[self._fmt].index(self._what)

    def _suggest(self) -> None:
        """Put the suggested file in the field, or give the file typed the new format's extension."""
        field = self.query_one("#path", Input)
        suggestion = suggested_name(self.project.path, self._fmt, self._what)
        typed = field.value.strip()
        if not typed or typed == self._suggested:
            field.value = suggestion
        else:
            path = Path(typed)
            if path.suffix.lower() in _EXTENSIONS:
                field.value = str(path.with_suffix(f".{self._fmt}"))
        field.cursor_position = len(field.value)
        self._suggested = suggestion

    # ------------------------------------------------------------------ choosing

    @on(OptionList.OptionHighlighted, "#formats")
    def _format_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        fmt = event.option.id or self._fmt
        if fmt != self._fmt:
            self._fmt = fmt
            self._what = WHAT[fmt][0]
            self._show_what()
            self._suggest()
        self._status("")

    @on(OptionList.OptionHighlighted, "#what")
    def _what_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        what = event.option.id or self._what
        if what in WHAT[self._fmt] and what != self._what:
            self._what = what
            self._suggest()

    @on(OptionList.OptionSelected, "#formats")
    def _format_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#what" if len(WHAT[self._fmt]) > 1 else "#path").focus()

    @on(OptionList.OptionSelected, "#what")
    def _what_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#path").focus()

    def complete(self) -> None:
        """Complete the path as far as it is certain; list the choices when there are several."""
        field = self.query_one("#path", Input)
        completed, choices = complete_path(field.value)
        field.value = completed
        field.cursor_position = len(completed)
        self._completed = completed
        if choices:
            self._status("  ".join(choices[:8]) + ("  ..." if len(choices) > 8 else ""))

    @on(Input.Changed, "#path")
    def _path_changed(self, event: Input.Changed) -> None:
        if event.value != self._completed and not self.running:
            self._status("")

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Label)
        status.set_class(error, "error")
        status.update(Content(visible(text)))

    # ------------------------------------------------------------------ writing

    @on(Input.Submitted, "#path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.running:
            return
        typed = event.value.strip()
        if not typed:
            self._status("type the file to write, or escape to close", error=True)
            return
        path = Path(typed).expanduser()
        if path.is_dir():
            self._status(f"{typed} is a folder: give a file name", error=True)
            return
        if path.exists():
            self.app.push_screen(
                ConfirmScreen(f"{typed} exists. Replace it with this export?", yes="Replace", no="Keep it"),
                lambda yes: self.start(path, force=True) if yes else self._status("not written: the file is kept"),
            )
            return
        self.start(path)

    def start(self, path: Path, *, force: bool = False) -> None:
        """Write the chosen export to `path` in a worker."""
        self.running = True
        self._stop.clear()
        for widget in self.query(OptionList):
            widget.disabled = True  # the path field keeps the focus, so escape still reaches the dialog
        self.query_one("#path").focus()
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=None, progress=0)
        self._status(f"writing {path.name} ... (escape stops)")
        self._write(path, self._fmt, self._what, force)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def _write(self, path: Path, fmt: str, what: str, force: bool) -> None:
        worker = get_current_worker()

        def cancelled() -> bool:
            return self._stop.is_set() or worker.is_cancelled

        def progress(done: int, total: int) -> None:
            self.post_message(_Progressed(done, total))

        try:
            export_project(self.project, fmt, path, what=what, force=force, progress=progress, cancelled=cancelled)
        except Cancelled as stop:
            self.post_message(_Finished(path, str(stop), cancelled=True))
        except (ProjectError, ValueError, OSError) as error:
            self.post_message(_Finished(path, str(error)))
        except Exception as error:  # a fault of margin's: say so in one line, the traceback to the private log
            log = write_crash_log(error)
            where = f"; details in {log}" if log else ""
            self.post_message(_Finished(path, f"not written: unexpected error ({type(error).__name__}){where}"))
        else:
            self.post_message(_Finished(path, None))

    @on(_Progressed)
    def _progressed(self, message: _Progressed) -> None:
        self.query_one("#progress", ProgressBar).update(total=max(message.total, 1), progress=message.done)

    @on(_Finished)
    def _finished(self, message: _Finished) -> None:
        self.running = False
        for widget in self.query(OptionList):
            widget.disabled = False
        if message.error is None:
            self.query_one("#progress", ProgressBar).update(total=1, progress=1)
            self.app.notify(Content(visible(f"wrote {message.path}")))
            self.dismiss(message.path)
            return
        self.query_one("#progress", ProgressBar).update(total=1, progress=0)
        self._status(message.error, error=not message.cancelled)
        self.query_one("#path").focus()

    def action_cancel(self) -> None:
        """Stop the export being written (its temporary file is removed), or close."""
        if self.running:
            self._stop.set()
            self._status("stopping ...")
            return
        self.dismiss(None)
