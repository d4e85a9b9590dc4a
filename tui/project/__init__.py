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

# The session object and its helpers load SQLite: imported on first use, so that a pure module
# such as tui.project.search stays free of it.
_LAZY = {
    "Event": "tui.project.history",
    "Project": "tui.project.project",
    "ProjectError": "tui.project.db",
    "ProjectBusy": "tui.project.db",
    "StorageError": "tui.project.db",
    "describe_sqlite_error": "tui.project.db",
    "parse_line_range": "tui.project.model",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tui.project' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "LEVEL_LABELS", "LEVELS", "METHODS", "NOTE_KINDS", "NOTE_LETTERS",
    "Coder", "Coding", "Event", "Line", "Memo", "Note", "Participant", "Project", "ProjectBusy", "ProjectError", "StorageError",
    "Theme", "Transcript", "describe_sqlite_error", "parse_line_range", "span_text",
]
