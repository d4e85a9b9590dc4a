"""The app's messages: what changed in the project, and the progress of long work."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

__all__ = ["ImportDone", "ImportFailed", "ImportProgress", "ProjectChanged"]


@dataclass
class ProjectChanged(Message):
    """The project file changed: by an action on a screen, by undo or redo, or by another process.

    The app hands it to every screen on the stack; each redraws what it shows (the one on top at
    once, the others when they are shown again).
    """

    what: str
    """What was done, in a few words ("tagged line 4", "undone: note on line 3"), or "elsewhere"."""
    transcript_id: int | None = None
    """The transcript the change was in, when it was in one."""
    first_line: int | None = None
    """The first line changed, when the change was on lines."""
    last_line: int | None = None
    """The last line changed, when the change was on lines."""
    elsewhere: bool = False
    """True when another process (`margin tag`, a second terminal) made the change."""


@dataclass
class ImportProgress(Message):
    """An import in a worker has read `done` of `total` files; the newest is `name`."""

    done: int
    total: int
    name: str

    def can_replace(self, message: Message) -> bool:
        """A burst of progress collapses to the newest."""
        return isinstance(message, ImportProgress)


@dataclass
class ImportDone(Message):
    """An import in a worker finished: `title` with `line_count` lines is in the project."""

    title: str
    line_count: int
    transcript_id: int


@dataclass
class ImportFailed(Message):
    """An import in a worker failed: `error` says what and where (one line, no interview text)."""

    error: str
