"""What the analysis screens (board, extracts, GET table, memos, history) share.

`AnalysisScreen` is a `Screen` with a status line, one way to make a change and say what was
done (or why not), undo and redo, and the rule that keys queued behind a dialog are not commands.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from textual import events
from textual.command import CommandPalette
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static

from tui.text import visible

if TYPE_CHECKING:
    from tui.project import Project

T = TypeVar("T")


class AnalysisScreen(Screen[None]):
    """A full screen of the analysis, over one open project."""

    #: The id of the Static that shows what was just done.
    STATUS_ID = "analysis-status"

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self._message = ""

    def on_key(self, event: events.Key) -> None:
        # As in the workspace: keys meant for this screen that a dialog opens over go to the dialog.
        event.margin_screen = self  # type: ignore[attr-defined]

    def say(self, message: str) -> None:
        """Show what just happened in the status line, until the next message."""
        self._message = message
        self.refresh_status()

    def refresh_status(self) -> None:
        """Redraw the status line: the screen's own state, then the last message."""
        parts = self.status_parts()
        text = " · ".join(parts)
        if self._message:
            text = f"{self._message}  │  {text}"
        try:
            self.query_one(f"#{self.STATUS_ID}", Static).update(Content(visible(text)))
        except Exception:  # not composed yet
            pass

    def status_parts(self) -> list[str]:
        """What the status line says about this screen."""
        return []

    def fail(self, error: Exception) -> None:
        """Say why something was not done."""
        self.notify(Content(visible(str(error))), title="Not done", severity="error")

    def commit(self, change: Callable[[], T], said: Callable[[T], str]) -> bool:
        """Make one change in the project (committed when it returns), reload, say what was done."""
        from tui.project import ProjectError

        try:
            result = change()
        except ProjectError as error:
            self.fail(error)
            return False
        self.reload()
        self.say(said(result))
        return True

    def reload(self) -> None:
        """Read the project again and redraw."""

    @contextmanager
    def collector_held(self) -> Iterator[None]:
        """Hold Python's cycle collector while a large study is read, until the frame is drawn.

        Reading ten thousand themes makes that many objects; in an app of Textual's size the full
        collection they set off took longer than reading them (70-150 ms), in the middle of
        opening the screen. Held, it runs after the first frame, when nobody waits for it.
        """
        if not gc.isenabled():
            yield
            return
        gc.disable()
        self._holding_collector = True
        try:
            yield
        finally:
            try:
                self.app.call_after_refresh(self._release_collector)
                self.app.set_timer(1.0, self._release_collector)  # should the refresh never come
            except Exception:  # no app running: nothing to draw first
                self._release_collector()

    def _release_collector(self) -> None:
        if getattr(self, "_holding_collector", False):
            self._holding_collector = False
            gc.enable()

    def on_unmount(self) -> None:
        self._release_collector()  # a screen closed before its first frame leaves the collector on

    def action_undo(self) -> None:
        """Undo the latest change."""
        self.commit(self.project.undo, lambda event: "nothing to undo" if event is None else f"undone: {event.summary}")

    def action_redo(self) -> None:
        """Redo the change undone last."""
        self.commit(self.project.redo, lambda event: "nothing to redo" if event is None else f"redone: {event.summary}")

    def action_back(self) -> None:
        """Back to the screen before."""
        self.dismiss(None)

    def on_screen_resume(self) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple[Any, ...]) -> bool | None:
        # Keys typed quickly after one that opened a dialog are not commands for this screen;
        # keys typed into a text field are text.
        if self.is_mounted and self.app.screen is not self and not isinstance(self.app.screen, CommandPalette):
            return False
        if self.is_mounted and isinstance(self.focused, Input) and action not in ("back", "close_filter"):
            return False
        return True
