"""Keys sent to margin in one write (one `tmux send-keys` call) are applied in the order typed.

Over SSH, keys arrive in bursts; Textual's own fields apply backspace and the arrows after the
printable keys of the same burst (Textual issue 6605). Each test sends the key that opens a
field, the text with its corrections, a paste and the key that saves, all in one call.
"""

from __future__ import annotations

import sqlite3

from conftest import wait_until

#: Characters, backspaces, arrows, home/end, a bracketed paste and deletes, as tmux key names.
#: A word that is no key name is sent as its characters; ESC [200~ ... ESC [201~ is a paste.
BURST = ["abc", "BSpace", "BSpace", "BSpace", "xyz", "Left", "Left", "Q", "Home", "S", "End",
         "\x1b[200~PA\x1b[201~", "DC", "Home", "DC"]
AFTER_BURST = "xQyzPA"


def rows(path, sql):
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_burst_into_the_note_editor_and_the_search(terminal, p01_project, open_p01):
    terminal.start(open_p01(p01_project), 80, 24)
    terminal.wait_for_p01()

    terminal.send("n", *BURST, "C-s")  # open the editor, type, correct, paste, save: one write
    terminal.wait_for_status("note on line 1 saved")
    assert rows(p01_project, "SELECT body FROM notes") == [(AFTER_BURST,)]

    terminal.send("/", "wxyz", "BSpace", "BSpace", "BSpace", "ard", "Left", "Left", "Left", "DC", "a")
    screen = terminal.wait_for_status("match")
    field = [row for row in terminal.screen().split("\n") if row.startswith("▊")]
    assert any(row.strip("▊▎ ") == "ward" for row in field), screen
    terminal.send("Escape")  # alone: ESC and q close together are alt+q to a terminal program
    wait_until(lambda: not any(row.startswith("▊") for row in terminal.screen().split("\n")),
               what="the search field to close")
    terminal.send("q")
    terminal.wait_for("open the transcript")
    terminal.send("q")
    assert terminal.wait_exit() == 0


def test_a_burst_into_the_prompt_and_the_theme_picker(terminal, p01_project, open_p01):
    terminal.start(open_p01(p01_project), 120, 40)
    terminal.wait_for_p01()

    terminal.send("t", *BURST, "Enter")  # the picker creates the typed theme
    terminal.wait_for_status("tagged")
    assert (AFTER_BURST,) in rows(p01_project, "SELECT name FROM themes")

    terminal.send("q")
    terminal.wait_for("open the transcript")
    terminal.send("a", *BURST, "Enter")  # a new participant, named in one burst
    terminal.wait_for("no transcript yet")  # the prompt closed: the new participant is listed
    assert (AFTER_BURST,) in rows(p01_project, "SELECT pseudonym FROM participants"), terminal.screen()
    terminal.send("q")
    assert terminal.wait_exit() == 0


def test_a_burst_that_moves_between_fields_and_screens(terminal, p01_project, open_p01):
    terminal.start(open_p01(p01_project), 100, 30)
    terminal.wait_for_p01()

    # b opens the theme board, / its filter: the typed word filters the board, and the
    # workspace's own search (also /) never opens beneath it.
    terminal.send("b", "/", "belnging")
    screen = terminal.wait_for("belnging")
    assert "match" not in terminal.status_row(), screen
    terminal.send("Escape")  # clears the filter (alone: ESC and q close together are alt+q)
    wait_until(lambda: "belnging" not in terminal.screen(), what="the filter to clear")
    terminal.send("q")
    terminal.wait_for_p01()

    # A memo written in one burst: its title, tab to the stage, tab to the text, the text, save.
    terminal.send("q")
    terminal.wait_for("open the transcript")
    terminal.send("M", "n", "Ward rounds", "Tab", "Tab", "Felt like a visitor", "C-s")
    wait_until(lambda: rows(p01_project, "SELECT title, body FROM memos"), what="the memo to be saved")
    assert rows(p01_project, "SELECT title, body FROM memos") == [("Ward rounds", "Felt like a visitor")]
    terminal.send("q")
    terminal.wait_for("open the transcript")
    terminal.send("q")
    assert terminal.wait_exit() == 0
