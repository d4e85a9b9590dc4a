"""The installed `margin` command in a real terminal: what a user sees and what ends up in the file.

Each test drives margin inside its own tmux server (see conftest.py), presses keys as a user would,
reads the screen with `capture-pane`, and checks the project file with the sqlite3 module.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

BELONGING = "Sense of belonging"
P01 = "P01-interview"
#: The coding every P01 project starts with (conftest's p01_project, made with `margin tag`).
LINE_10 = (P01, 10, 10, BELONGING, "AB")


@pytest.mark.parametrize(("width", "height"), [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_tag_a_line_through_the_picker_despite_a_typo(terminal, p01_project, open_p01, db, width, height):
    terminal.start(open_p01(p01_project), width, height)
    terminal.wait_for_p01()

    terminal.send("j", "j", "j")  # from line 1 to line 4
    # "belnging" is misspelt: the picker still lists the theme first, above "+ new".
    terminal.tag_with_picker("belnging", BELONGING)
    assert BELONGING in terminal.status_row()

    terminal.send("q")  # back to the project screen
    terminal.wait_for("open the transcript")
    terminal.send("q")  # quit
    assert terminal.wait_exit() == 0, terminal.screen()

    assert db(p01_project).codings() == [LINE_10, (P01, 4, 4, BELONGING, "VR")]
    # The existing theme was applied, not a new theme named after the typo.
    assert db(p01_project).theme_names() == [BELONGING]


def test_transcription_notation_and_control_characters_show_as_typed(terminal, tmp_path, run, margin):
    transcript = tmp_path / "P09.txt"
    transcript.write_text(
        "Interviewer: And how was that? [pause]\n\n"
        "P09: I just [laughs] went with it.\n\n"
        "P09: I said it [bold]loud[/bold] to her.\n\n"
        "P09: Then [/] nothing at all.\n\n"
        "P09: It was [inaudible 00:14:32] really.\n\n"
        "P09: A bell \x07 and an escape \x1b[31mred\n",
        encoding="utf-8",
    )
    project = tmp_path / "notation.margin"
    run("new", str(project), "--coder", "VR")
    run("import", str(project), str(transcript))

    terminal.start([margin, "open", str(project), "--transcript", "P09", "--coder", "VR"], 80, 24)
    screen = terminal.wait_for("It was [inaudible 00:14:32] really.")
    for shown in (
        "And how was that? [pause]",
        "I just [laughs] went with it.",
        "I said it [bold]loud[/bold] to her.",
        "Then [/] nothing at all.",
        # Control characters become visible symbols; the escape sequence is not obeyed.
        "A bell \u2407 and an escape \u241b[31mred",
    ):
        assert shown in screen, f"{shown!r} is not on the screen:\n{screen}"
    terminal.send("q")
    terminal.wait_for("open the transcript")
    terminal.send("q")
    assert terminal.wait_exit() == 0


def test_undo_then_redo_a_tag(terminal, p01_project, open_p01, db):
    # Tag line 4, undo: the coding is gone from the file.
    terminal.start(open_p01(p01_project), 80, 24)
    terminal.wait_for_p01()
    terminal.send("j", "j", "j")
    terminal.tag_with_picker("belnging", BELONGING)
    # Committed before the screen says so: another program sees it while margin is still open.
    assert db(p01_project).codings() == [LINE_10, (P01, 4, 4, BELONGING, "VR")]
    terminal.send("u")
    terminal.wait_for_status("undone")
    assert db(p01_project).codings() == [LINE_10]
    terminal.send("q")
    terminal.wait_for("open the transcript")
    terminal.send("q")
    assert terminal.wait_exit() == 0
    assert db(p01_project).codings() == [LINE_10]

    # Again, and redo with ctrl+r: the coding is back, and stays after quitting. (margin takes the
    # coder back to line 4, where they stopped.)
    terminal.start(open_p01(p01_project), 80, 24)
    terminal.wait_for_p01()
    terminal.tag_with_picker("belnging", BELONGING)
    terminal.send("u")
    terminal.wait_for_status("undone")
    terminal.send("C-r")
    terminal.wait_for_status("redone")
    terminal.send("q")
    terminal.wait_for("open the transcript")
    terminal.send("q")
    assert terminal.wait_exit() == 0
    assert db(p01_project).codings() == [LINE_10, (P01, 4, 4, BELONGING, "VR")]


def test_a_second_instance_on_the_same_project_is_refused(terminal, p01_project, open_p01, margin, run, db):
    terminal.start(open_p01(p01_project), 80, 24)
    terminal.wait_for_p01()

    # A second margin in another window of the same terminal: told so, exit status 1.
    second = terminal.new_window([margin, "open", str(p01_project), "--coder", "VR"])
    status = terminal.wait_exit(second)
    screen = terminal.screen(second)
    assert status == 1, screen
    assert "already open" in screen
    assert "Traceback" not in screen

    # Without a terminal (stdin from /dev/null) it refuses before touching anything.
    result = run("open", str(p01_project), "--coder", "VR", check=False, timeout=10)
    assert result.returncode == 1
    assert "needs a terminal" in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr  # one line, no traceback
    assert result.stdout == ""

    # The first window is unharmed and still saves.
    terminal.send("j", "j", "j")
    terminal.tag_with_picker("belnging", BELONGING)
    terminal.send("q")
    terminal.wait_for("open the transcript")
    terminal.send("q")
    assert terminal.wait_exit() == 0
    assert db(p01_project).codings() == [LINE_10, (P01, 4, 4, BELONGING, "VR")]

    # Once it has closed, the project opens again.
    terminal.start(open_p01(p01_project), 80, 24)
    terminal.wait_for_p01()
    terminal.send("C-q")
    assert terminal.wait_exit() == 0


def test_demo_opens_at_80x24(terminal, tmp_path, margin, env):
    demo = tmp_path / "demo.margin"
    terminal.start([margin, "demo", "--path", str(demo)], 80, 24)

    # First run with no saved coder: margin asks who is coding, and remembers it.
    terminal.wait_for("Who is coding?")
    terminal.type("VR")
    terminal.send("Enter")
    screen = terminal.wait_for("P05-interview")
    rows = screen.split("\n")
    for pseudonym in ("P01", "P02", "P03", "P04", "P05"):
        assert any(row.lstrip().startswith(f"{pseudonym} ") and f"{pseudonym}-interview" in row for row in rows), (
            f"{pseudonym} is not listed on the project screen:\n{screen}"
        )
    assert "coder: VR" in screen
    config = Path(env["XDG_CONFIG_HOME"]) / "margin" / "config.json"
    assert json.loads(config.read_text(encoding="utf-8"))["coder"] == "VR"

    # Enter opens the highlighted (first) transcript, P01.
    terminal.send("Enter")
    terminal.wait_for_p01()
    assert "P01" in terminal.status_row()

    terminal.send("q")
    terminal.wait_for("open the transcript")
    terminal.send("q")
    assert terminal.wait_exit() == 0
    assert demo.is_file()


def test_open_without_a_terminal_says_so_instead_of_hanging(margin, p01_project, env, tmp_path):
    # From a script, cron or a pipe there is no terminal to draw on or read keys from: margin
    # must stop with a one-line error (DESIGN §6), not run blind until killed.
    try:
        result = subprocess.run(
            [margin, "open", str(p01_project), "--coder", "VR"], env=env, cwd=tmp_path,
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=10,
        )
    except subprocess.TimeoutExpired as expired:  # subprocess.run has killed it
        written = len(expired.stderr or b"")
        result = None
    if result is None:
        pytest.fail(
            "`margin open` with stdin from /dev/null and output to a pipe was still running after 10 s "
            f"(it had written {written} bytes of terminal codes to stderr)",
            pytrace=False,
        )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert "\x1b" not in result.stdout + result.stderr
