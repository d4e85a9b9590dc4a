"""Sessions in a real terminal: quitting prints what the session did; `margin open` comes back."""

from __future__ import annotations

import shlex


def test_quitting_prints_the_session_and_open_comes_back_where_it_stopped(terminal, p01_project, open_p01):
    # A shell that stays after margin, so that what margin prints on leaving can be read.
    command = shlex.join(open_p01(p01_project))
    terminal.start(["sh", "-c", f"{command}; echo margin-ended; sleep 30"], 120, 40)
    terminal.wait_for_p01()
    terminal.send("j", "j", "j", "m")  # line 4, the margin view
    terminal.tag_with_picker("belnging", "Sense of belonging")
    terminal.send("C-q")
    screen = terminal.wait_for("margin-ended")
    assert "this session as VR: 1 coding, 0 notes, 0 memos, in under a minute" in screen

    reopen = [arg for arg in open_p01(p01_project) if arg not in ("--transcript", "P01")]
    terminal.start(reopen, 120, 40)
    terminal.wait_for("back where you stopped: line 4")
    terminal.send("C-q")
    assert terminal.wait_exit() == 0


def test_the_demo_offers_the_login_name_as_the_coder(terminal, margin, tmp_path):
    import getpass

    terminal.start([margin, "demo", "--path", str(tmp_path / "demo.margin")], 120, 40)
    screen = terminal.wait_for("Who is coding?")
    field = next(row for row in screen.splitlines() if "▊  " in row)
    assert field.split("▊")[1].split("▎")[0].strip() == getpass.getuser()  # not the demo's fictional VR
    terminal.send("Escape")
    terminal.wait_for("open the transcript")
    terminal.send("C-q")
    assert terminal.wait_exit() == 0
