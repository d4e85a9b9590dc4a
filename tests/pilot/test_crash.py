"""An unexpected error: interview text never reaches the terminal; a private log says what happened."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.app import MarginApp

SECRET = "I never told anyone on the ward about the night shift"


async def test_a_crash_shows_where_the_log_is_and_no_interview_text(
    study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def broken_help(self: MarginApp) -> None:
        transcript_line = SECRET  # a local variable, as Textual's crash screen would print it
        raise RuntimeError(f"lookup failed after {len(transcript_line)} characters")

    monkeypatch.setattr(MarginApp, "action_help", broken_help)
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    with pytest.raises(RuntimeError):  # Pilot hands the error back to the test, as Textual does
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("question_mark")
            await pilot.pause()
    assert app.return_code == 1
    out, err = capfd.readouterr()  # what reached the terminal when the app stopped
    shown = " ".join((out + err).split())
    assert SECRET not in shown
    assert "RuntimeError" in shown and "readable by you only" in shown
    (log,) = (tmp_path / "state" / "margin").glob("crash-*.log")
    assert str(log) in shown.replace(" ", "") or str(log) in shown
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600
    text = log.read_text(encoding="utf-8")
    assert "broken_help" in text and "RuntimeError: lookup failed" in text
    assert SECRET not in text  # no local variables in the log either


def test_the_watchdog_ends_a_process_whose_loop_cannot(tmp_path: Path) -> None:
    """Asked to leave while the app is stuck, the process is gone within a second, with status 0."""
    code = (
        "import time\n"
        "from tui.watchdog import ExitWatchdog\n"
        "dog = ExitWatchdog(None, lambda: None, lambda: False)\n"
        "dog.start()\n"
        "dog.request_exit()\n"
        "time.sleep(30)\n"  # the loop, busy: only the watchdog can end this
        "print('not ended')\n"
    )
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    assert time.monotonic() - started < 1.0 + 0.5  # interpreter start-up included
    assert (result.returncode, result.stdout) == (0, "")


def test_the_watchdog_waits_for_a_write_in_flight_and_not_for_a_finished_app(tmp_path: Path) -> None:
    code = (
        "import time\n"
        "from tui.watchdog import ExitWatchdog\n"
        "busy_until = time.monotonic() + 0.8\n"
        "dog = ExitWatchdog(None, lambda: None, lambda: time.monotonic() < busy_until)\n"
        "dog.start(); dog.request_exit(); time.sleep(5); print('not ended')\n"
    )
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    # grace, then up to BUSY_WAIT for the transaction: not before the write could finish
    assert time.monotonic() - started >= 0.8
    finished = subprocess.run(
        [sys.executable, "-c", "import time\nfrom tui.watchdog import ExitWatchdog\n"
         "dog = ExitWatchdog(None, lambda: None, lambda: False)\ndog.start(); dog.finished(); time.sleep(1.2); print('lived')\n"],
        capture_output=True, text=True, timeout=20,
    )
    assert finished.stdout == "lived\n"
    # Asked to leave and then left: a clean-up held up by a dead terminal is still cut short.
    started = time.monotonic()
    held = subprocess.run(
        [sys.executable, "-c", "import time\nfrom tui.watchdog import ExitWatchdog\n"
         "dog = ExitWatchdog(None, lambda: None, lambda: False)\ndog.start(); dog.request_exit(); dog.finished()\n"
         "time.sleep(10); print('held')\n"],
        capture_output=True, text=True, timeout=20,
    )
    assert (held.returncode, held.stdout) == (0, "") and time.monotonic() - started < 1.5
