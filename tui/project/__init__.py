"""The domain of margin: one project file and the analysis in it.

Nothing below `tui.project` imports Textual or Rich, and nothing outside it runs SQL. Callers
import from here: `Project`, `ProjectError`, the model types, and the few helpers below.
"""

from tui.project.model import (
    LEVEL_LABELS,
    LEVELS,
    METHODS,
    NOTE_KINDS,
    NOTE_LETTERS,
    Coder,
    Coding,
    Line,
    Memo,
    Note,
    Participant,
    Theme,
    Transcript,
    span_text,
)
from tui.project.store import Event, Project, ProjectError, describe_sqlite_error, parse_line_range

__all__ = [
    "LEVEL_LABELS", "LEVELS", "METHODS", "NOTE_KINDS", "NOTE_LETTERS",
    "Coder", "Coding", "Event", "Line", "Memo", "Note", "Participant", "Project", "ProjectError",
    "Theme", "Transcript", "describe_sqlite_error", "parse_line_range", "span_text",
]
