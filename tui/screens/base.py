"""What every margin screen shares: make a change, redraw, say what was done, show a failure.

A screen calls `self.commit(change, said)`: the change is one call into `tui.project` (one
committed transaction); then the app announces `ProjectChanged` to every screen, the screen on
top redraws at once, and the status line says what was done. A `ProjectError` is shown instead,
and nothing is redrawn. Status messages expire after a few seconds, so none is left stale.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual import events
from textual.command import CommandPalette
from textual.content import Content
from textual.screen import Screen, ScreenResultType
from textual.timer import Timer

from tui.messages import ProjectChanged
from tui.project import ProjectError
from tui.text import visible

if TYPE_CHECKING:
    from tui.project import Project

T = TypeVar("T")

#: How long a status message stays before it is taken as stale and cleared.
MESSAGE_SECONDS = 6.0


class MarginScreen(Screen[ScreenResultType]):
    """A screen of margin's on one open project."""

    project: Project
    _message = ""
    _message_timer: Timer | None = None
    _stale = False

    # ------------------------------------------------------------------ keys typed in a burst

    def on_key(self, event: events.Key) -> None:
        # Mark keys meant for this screen: if a dialog opens before the app reaches them, the app
        # hands them to the dialog (tui.key_order) instead of dropping them.
        event.margin_screen = self  # type: ignore[attr-defined]

    def on_paste(self, event: events.Paste) -> None:
        # A paste in the same burst as the key that opened a dialog belongs to the dialog too.
        event.margin_screen = self  # type: ignore[attr-defined]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Keys typed quickly after one that opened a dialog may still be queued here: they are
        # not commands for this screen.
        if self.is_mounted and self.app.screen is not self and not isinstance(self.app.screen, CommandPalette):
            return False
        return True

    # ------------------------------------------------------------------ changes

    def commit(self, change: Callable[[], T], said: Callable[[T], str]) -> T | None:
        """Make one change in the project, then redraw and say what was done; or say why not.

        Returns what `change` returned, or None when it failed (the failure is shown).
        """
        try:
            result = change()
        except ProjectError as error:
            self.fail(error)
            return None
        message = said(result)
        self.announce(ProjectChanged(message, *self.place_of(result)))
        self.reload()
        self.say(message)
        return result

    def place_of(self, result: object) -> tuple[int | None, int | None, int | None]:
        """(transcript, first line, last line) of what a change returned, where it has them."""
        return (
            getattr(result, "transcript_id", None),
            getattr(result, "first_line", None),
            getattr(result, "last_line", None),
        )

    def announce(self, message: ProjectChanged) -> None:
        """Tell every other screen that the project changed (this one redraws itself)."""
        for screen in self.app.screen_stack:
            if screen is not self and isinstance(screen, MarginScreen):
                screen._stale = True

    def on_project_changed(self, message: ProjectChanged) -> None:
        """Another process (or another screen) changed the file: redraw now, or when shown again."""
        if self.app.screen is self:
            self.reload()
            if message.elsewhere:
                self.say("changed in another window: shown")
        else:
            self._stale = True

    def on_screen_resume(self) -> None:
        if self._stale and self.app.screen is self:  # not while another is pushed over it at once
            self._stale = False
            self.reload()

    def reload(self) -> None:
        """Re-read what this screen shows from the project and show it."""

    # ------------------------------------------------------------------ drafts

    def keep_text(self, kind: str, ref: str, body: str, *, draft_id: int | None = None) -> str:
        """Keep typed text that could not be saved; return where it is kept (for the message)."""
        return keep_draft(self.project, kind, ref, body, draft_id=draft_id)

    # ------------------------------------------------------------------ saying

    def say(self, message: str) -> None:
        """Show what just happened, for a few seconds."""
        self._message = message
        if self._message_timer is not None:
            self._message_timer.stop()
        self._message_timer = self.set_timer(MESSAGE_SECONDS, self._expire) if message else None
        self.show_message(message)

    def _expire(self) -> None:
        self._message = ""
        self._message_timer = None
        self.show_message("")

    def show_message(self, message: str) -> None:
        """Put `message` where this screen shows messages (a toast unless the screen has a status line)."""
        if message:
            self.notify(Content(visible(message)), timeout=MESSAGE_SECONDS)

    def fail(self, error: Exception, title: str = "Not done") -> None:
        """Show why an action was not done: one line, as the domain worded it."""
        self.notify(Content(visible(str(error))), title=title, severity="error")


def keep_draft(project: Project, kind: str, ref: str, body: str, *, draft_id: int | None = None) -> str:
    """Keep unsaved text as a draft in the project (in place of `draft_id` if given); if the file
    cannot take it (disk full, read-only), in a file beside it readable by its owner only. Return
    where it went."""
    try:
        project.save_draft(kind, ref, body, draft_id=draft_id)
        return "as a draft in the project"
    except (ProjectError, OSError):
        pass
    path = Path(f"{project.path}.{kind}-draft-{time.strftime('%Y%m%d-%H%M%S')}.txt")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(f"{ref}\n{body}")
        return f"in {path.name}, beside the project"
    except OSError:
        return "nowhere: the disk refused it too; copy it before closing"
