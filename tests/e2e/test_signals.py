"""margin killed, signalled or cut off from its terminal mid-session, in a real pty (tmux).

DESIGN §8: killing the process at any moment loses at most the action in flight and never damages
the file; a dropped SSH session (SIGHUP) or SIGTERM saves and exits cleanly.
"""

from __future__ import annotations

import os
import signal

import pytest

BELONGING = "Sense of belonging"
P01 = "P01-interview"
LINE_10 = (P01, 10, 10, BELONGING, "AB")
LINE_4 = (P01, 4, 4, BELONGING, "VR")


def tag_line_4(terminal) -> None:
    """Wait for P01, go to line 4, tag it through the picker, wait for "tagged"."""
    terminal.wait_for_p01()
    terminal.send("j", "j", "j")
    terminal.tag_with_picker("belnging", BELONGING)


def assert_project_sound(project, run, db) -> None:
    """`margin check` passes and the tag made in the terminal is in the file."""
    check = run("check", str(project), check=False)
    assert check.returncode == 0, f"margin check exited {check.returncode}: {check.stderr}"
    assert "ok" in check.stdout
    assert db(project).codings() == [LINE_10, LINE_4]
    # Never WAL: no side file that a copy of the project would leave behind.
    assert not project.with_name(project.name + "-wal").exists()


def test_sigkill_right_after_a_tag_keeps_the_tag(terminal, p01_project, open_p01, run, db):
    margin = terminal.start(open_p01(p01_project))
    tag_line_4(terminal)

    # The screen said "tagged", so the coding is committed: killing now loses nothing.
    os.kill(margin.pid, signal.SIGKILL)
    assert terminal.wait_exit() == 128 + signal.SIGKILL
    assert_project_sound(p01_project, run, db)

    # The lock went with the process: the project opens again.
    terminal.start(open_p01(p01_project))
    terminal.wait_for_p01()
    terminal.send("C-q")
    assert terminal.wait_exit() == 0


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_signal_mid_session_saves_and_exits_cleanly(terminal, p01_project, open_p01, run, db, signum):
    margin = terminal.start(open_p01(p01_project))
    tag_line_4(terminal)

    os.kill(margin.pid, signum)
    terminal.wait_gone()  # no hang
    assert terminal.wait_exit() == 0, terminal.screen()
    # The terminal is given back as it was: main screen, no mouse reporting.
    assert terminal.modes() == {"alternate screen": "0", "mouse": "0"}
    assert_project_sound(p01_project, run, db)


def test_terminal_closed_under_margin(terminal, p01_project, open_p01, run, db):
    # A dropped SSH connection or a closed terminal window: the pty goes away and the shell that
    # started margin is hung up; margin must end on its own and leave the file sound.
    terminal.start(open_p01(p01_project))
    tag_line_4(terminal)

    terminal.hang_up()
    terminal.wait_gone()
    assert_project_sound(p01_project, run, db)


def test_terminal_gone_without_a_signal_to_margin(terminal, p01_project, open_p01, run, db):
    # The pty goes away but margin itself gets no SIGHUP, because the program that started it
    # survives the hangup (here a shell with `trap : HUP`; also nohup-style wrappers). Reads
    # from the terminal now return end-of-file: margin must notice and exit, not run on
    # (spinning the CPU and holding the project's lock so that it cannot be opened again).
    terminal.start(open_p01(p01_project), before="trap : HUP; ")
    tag_line_4(terminal)

    terminal.hang_up()
    terminal.wait_gone()
    assert terminal.wait_exit() == 0  # as recorded by the shell that started it
    assert_project_sound(p01_project, run, db)


def _drafts(project) -> list[tuple[str, str]]:
    import sqlite3

    conn = sqlite3.connect(project)
    try:
        return conn.execute("SELECT ref, body FROM drafts ORDER BY id").fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("how", ["SIGHUP", "terminal closed"])
def test_a_hang_up_mid_note_keeps_the_draft_and_offers_it_next_time(terminal, p01_project, open_p01, db, how):
    # A dropped SSH connection while a note is being written: the text is kept in the project as a
    # draft, the next session says so, and `n` over the same lines brings it back.
    margin = terminal.start(open_p01(p01_project))
    terminal.wait_for_p01()
    terminal.send("j", "j", "j", "n")  # line 4
    terminal.wait_for("Note on line 4")
    terminal.type("the coat stand is where she waits")
    terminal.wait_for("where she waits")
    if how == "SIGHUP":
        os.kill(margin.pid, signal.SIGHUP)
    else:
        terminal.hang_up()
    terminal.wait_gone()
    assert [body for _, body in _drafts(p01_project)] == ["the coat stand is where she waits"]

    terminal.start(open_p01(p01_project), 120, 40)
    terminal.wait_for("an unsaved note is kept for line 4")  # and the cursor is back on line 4
    terminal.send("n")
    terminal.wait_for("kept from")
    terminal.wait_for("the coat stand is where she waits")
    terminal.send("C-s")
    terminal.wait_for_status("note on line 4 saved")
    assert _drafts(p01_project) == []
    terminal.send("C-q")
    assert terminal.wait_exit() == 0
