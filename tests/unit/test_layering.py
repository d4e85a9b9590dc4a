"""The layers stay apart: the domain knows nothing of the UI, and only tui/project runs SQL."""

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import tui.formats
import tui.project

TUI = Path(tui.__file__).resolve().parent


def domain_modules() -> list[str]:
    return [
        info.name
        for package in (tui.project, tui.formats)
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
    ]


def test_domain_has_one_module_per_aggregate() -> None:
    expected = {
        "tui.project.db", "tui.project.schema", "tui.project.history", "tui.project.project",
        "tui.project.participants", "tui.project.transcripts", "tui.project.themes", "tui.project.codings",
        "tui.project.notes", "tui.project.memos", "tui.project.search", "tui.formats.transcripts",
    }
    assert expected <= set(domain_modules())


def test_importing_the_domain_loads_no_textual_or_rich() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {domain_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


SQL_IMPORT = re.compile(r"^\s*(import sqlite3|from sqlite3|import sqlite_utils|from sqlite_utils)|\.conn\.execute|\bexecute\(", re.M)


def test_only_tui_project_runs_sql() -> None:
    offenders = [
        str(path.relative_to(TUI))
        for path in TUI.rglob("*.py")
        if "project" not in path.relative_to(TUI).parts[:1] and SQL_IMPORT.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_sql_finder_would_see_sql() -> None:
    assert SQL_IMPORT.search("import sqlite3\n")
    assert SQL_IMPORT.search("    project.conn.execute('UPDATE x')\n")


LINE_WRITE = re.compile(r"(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?lines(_fts)?\b", re.I)


def test_one_writer_of_lines_keeps_the_search_index() -> None:
    writers = sorted(
        str(path.relative_to(TUI)) for path in TUI.rglob("*.py") if LINE_WRITE.search(path.read_text(encoding="utf-8"))
    )
    # transcripts.py writes lines and their index; check.py runs FTS5's integrity-check command;
    # schema.py's migrations build the index and columns once.
    assert set(writers) <= {"project/transcripts.py", "project/check.py", "project/schema.py"}, writers
    assert "project/transcripts.py" in writers
