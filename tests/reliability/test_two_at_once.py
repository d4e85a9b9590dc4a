"""Two at once: margin open in one window while other processes use the same file.

- command-line writes during a session show on screen within a second or two;
- a long import in another process: the session goes on, then shows the new transcript;
- a foreign writer (sqlite3, Datasette, R) holding the lock for longer than margin waits: the
  window keeps running, a write says the project is busy and changes nothing, and once the
  lock is let go everything works. The hold is MARGIN_LOCK_HOLD seconds (default 10 with
  margin's real busy timeout when MARGIN_SOAK=1; in CI 2.5 s against a busy timeout cut to a
  fifth of it, so the hold still outlasts a look of the window and a write's whole wait).
(A second window on the same file is refused: the pty test in test_pty.py.)
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.conftest import PYTHON, build_study, digest
from tui.app import MarginApp
from tui.project import Project, ProjectBusy
from tui.project import db as db_module

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pilot"))
from modal_harness import screen_text  # noqa: E402

SIZE = (100, 30)
FULL = os.environ.get("MARGIN_SOAK") == "1"
HOLD = float(os.environ.get("MARGIN_LOCK_HOLD", "10" if FULL else "2.5"))

_HOLDER = r"""
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN " + sys.argv[3])
conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('foreign', 'R was here')")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> float:
    """margin's busy timeout for this test: its real one with a full hold, else a fifth of the hold."""
    if not FULL or HOLD < db_module.BUSY_TIMEOUT_MS / 1000 * 1.5:
        monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", int(HOLD * 1000 / 5))
    return db_module.BUSY_TIMEOUT_MS / 1000


def _hold(path: Path, seconds: float, mode: str = "IMMEDIATE") -> subprocess.Popen[str]:
    holder = subprocess.Popen([PYTHON, "-c", _HOLDER, str(path), str(seconds), mode], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


async def _wait_for(pilot, condition, seconds: float = 8.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
        await pilot.pause()
    raise AssertionError(screen_text(pilot.app))


def _margin(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "tui", *map(str, args)], capture_output=True, text=True, timeout=120)


async def test_command_line_writes_during_a_session_are_shown(tmp_path: Path) -> None:
    path = tmp_path / "study.margin"
    project = build_study(path)
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await _wait_for(pilot, lambda: "1 of 7 lines coded" in screen_text(app))
        done = await asyncio.to_thread(_margin, "tag", path, "Interview 7", "4", "Named by the nurses", "--coder", "AB")
        assert done.returncode == 0, done.stderr
        await _wait_for(pilot, lambda: "2 of 7 lines coded" in screen_text(app) and " AB " in screen_text(app))
        await pilot.press("ctrl+q")
    project.close()


async def test_a_long_import_in_another_process(tmp_path: Path) -> None:
    path = tmp_path / "study.margin"
    project = build_study(path)
    source = tmp_path / "Interview 8.txt"
    source.write_text("".join(f"P08: Line {n} of a long interview about the ward and the team.\n" for n in range(60_000)))
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        importing = subprocess.Popen([PYTHON, "-m", "tui", "import", str(path), str(source), "--participant", "P08"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        polls = 0
        while importing.poll() is None:  # the window keeps running and writing meanwhile
            await asyncio.sleep(0.05)
            await pilot.pause()
            polls += 1
            if polls == 3:  # a write in the window while the import runs: it waits its turn
                await asyncio.to_thread(project.add_note, project.transcripts()[0].id, 5, 5, "descriptive", "meanwhile")
        assert importing.returncode == 0, importing.stderr.read()
        assert polls > 3  # the import was long enough to overlap
        await _wait_for(pilot, lambda: "Interview 8" in screen_text(app) and "2 transcripts" in screen_text(app))
        await pilot.press("ctrl+q")
    assert len(project.transcripts()) == 2
    project.close()


@pytest.mark.parametrize("mode", ["IMMEDIATE", "EXCLUSIVE"])
async def test_a_foreign_writer_holding_the_lock(tmp_path: Path, short_wait: float, mode: str) -> None:
    path = tmp_path / "study.margin"
    project = build_study(path)
    transcript = project.transcripts()[0].id
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        holder = _hold(path, HOLD, mode)
        before = digest(path)
        # A write that cannot get the lock in time says so and changes nothing (the file is read
        # at once, in the same thread: with an EXCLUSIVE hold the window's own look waits too) ...
        def attempt() -> tuple[str, str]:
            try:
                project.tag_by_name(transcript, 4, 4, "Named by the nurses")
            except ProjectBusy as error:
                return str(error), digest(path)
            return "written", digest(path)

        said, after = await asyncio.to_thread(attempt)
        assert "busy in another program" in said and "nothing was changed" in said
        assert after == before
        # ... and the window keeps running its once-a-second look (it may wait, never crash).
        await asyncio.sleep(1.2)
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert holder.wait(timeout=HOLD + 30) == 0
        # The lock is let go: the window's writes go through, and so do other programs' (shown).
        project.add_note(transcript, 4, 4, "descriptive", "written once the lock was let go")
        done = await asyncio.to_thread(_margin, "tag", path, "Interview 7", "4", "Named by the nurses")
        assert done.returncode == 0, done.stderr
        await _wait_for(pilot, lambda: "2 of 7 lines coded" in screen_text(app))
        await pilot.press("ctrl+q")
    assert app.return_code in (0, None)
    assert project.setting("foreign") == "R was here"
    project.close()


def test_the_command_line_waits_for_a_short_hold_and_refuses_a_long_one(tmp_path: Path) -> None:
    path = tmp_path / "study.margin"
    build_study(path).close()
    # margin waits 5 s (its busy timeout) for another writer, then gives up with a clear message.
    holder = _hold(path, 0.5)
    done = _margin("tag", path, "Interview 7", "4", "Named by the nurses")
    assert holder.wait(timeout=30) == 0
    assert done.returncode == 0, done.stderr
    if FULL:  # a foreign writer holding the lock for HOLD (10) s: longer than margin waits
        holder = _hold(path, HOLD)
        before = digest(path)
        done = _margin("tag", path, "Interview 7", "5", "Named by the nurses")
        assert done.returncode == 1 and "busy in another program" in done.stderr and "Traceback" not in done.stderr
        assert digest(path) == before
        assert holder.wait(timeout=HOLD + 30) == 0
        assert _margin("tag", path, "Interview 7", "5", "Named by the nurses").returncode == 0
    with Project.open(path) as project:
        assert len(project.codings()) == (3 if FULL else 2)


async def test_a_long_hold_by_another_program_is_said_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "study.margin"
    project = build_study(path)
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        held = ProjectBusy(f"{path}: the project is busy in another program")

        def busy() -> int:
            raise held

        monkeypatch.setattr(project, "data_version", busy)
        told = lambda: [n for n in app._notifications if "another program is holding" in str(n.message)]  # noqa: E731
        app._watch_file()
        await pilot.pause()
        assert told() == []  # one busy second is nothing to mention
        for _ in range(5):
            app._watch_file()
        await pilot.pause()
        assert len(told()) == 1  # said once, not every second
        assert "study.margin" in str(told()[0].message)
        await pilot.press("ctrl+q")
    project.close()
