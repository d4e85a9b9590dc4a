"""The real margin in a pty, every byte it writes recorded.

- Hostile text in every kind of stored field, an editor pre-filled with it, and a paste of raw
  control bytes: no control character from the data reaches the terminal (each hostile piece
  sits between markers, so what margin wrote between them can be read back).
- A second window on the same project is refused.
- Hang-up and SIGTERM mid-action and mid-typing: exit 0 within a second, no `-journal` left,
  every acknowledged action in the file, `check` passing.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import PYTHON
from tests.reliability.hostile import RAW
from tests.reliability.pty_margin import PtyMargin, margin_env
from tui.formats.transcripts import parse_text
from tui.project import Project, ProjectError

#: Each control character or sequence from the data, wrapped in markers `Qn<` … `>Qn`.
PIECES = {
    "esc-clear": "\x1b[2J", "osc-title": "\x1b]0;PWNED\x07", "osc8": "\x1b]8;;https://evil.example/\x1b\\",
    "dcs": "\x1bP+q544e\x1b\\", "csi-c1": "\x9b31m", "osc-c1": "\x9d0;C1\x9c", "nul": "\x00", "del": "\x7f",
    "bel": "\x07", "bidi": "\u202e\u2066", "bs-cr": "\x08\r", "sep": "\u2028\x85",
}


def _wrapped(prefix: str) -> str:
    return " ".join(f"{prefix}{n}<{piece}>{prefix}{n}" for n, piece in enumerate(PIECES.values()))


#: Bytes that never come from margin itself, so seeing them at all means the data got through.
NEVER = re.compile(rb"\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\x7f|\x00|\x1b\]0;PWNED|evil\.example/\x1b|\x1bP\+q")


def _between_markers(raw: bytes) -> list[bytes]:
    """What margin wrote between each `Xn<` and `>Xn` pair it drew on one line."""
    return re.findall(rb"([A-Z]\d+)<(.{0,40}?)>\1", raw, flags=re.S)


def _hostile_study(path: Path) -> None:
    project = Project.create(path, coder="VR")
    lines = "\n".join([f"Interviewer: T {_wrapped('T')}", f"P{_wrapped('N')}: L {_wrapped('L')}", "Interviewer: End."])
    parsed = parse_text(lines + "\n", title=f"Interview {_wrapped('I')}")
    transcript = project.import_transcript(title=f"Interview {_wrapped('I')}", text=parsed.text, lines=parsed.lines,
                                           participant=f"Person {_wrapped('P')}", source="hostile.txt")
    try:
        project.tag_by_name(transcript.id, 2, 2, f"Theme {_wrapped('H')}")
    except ProjectError:  # a theme name margin refuses: then a plain one, the rest is hostile enough
        project.tag_by_name(transcript.id, 2, 2, "Theme H")
    project.add_note(transcript.id, 1, 1, "descriptive", f"Note {_wrapped('O')}")
    project.add_memo(f"Memo {_wrapped('M')}", f"Body {_wrapped('B')}")
    project.close()


def test_no_control_character_from_the_data_reaches_the_terminal(tmp_path: Path) -> None:
    path = tmp_path / "study.margin"
    _hostile_study(path)
    margin = PtyMargin("open", path, "--coder", "VR", env=margin_env(tmp_path))
    try:
        margin.wait_for("lines coded")
        margin.send("\r")                      # the workspace: lines, speakers, coding pane
        margin.wait_for("Interviewer")
        margin.send("e", pause=0.6)            # the note editor, pre-filled with the stored note
        margin.wait_for("^s save")
        margin.send("\x05 typed")              # ctrl+e: end of line, then a few keys
        margin.paste(" pasted W0<\x9b31m\x7f\u202e\x07\x85>W0")  # C1, DEL, bidi, BEL: kept as symbols
        margin.paste(f" pasted {_wrapped('V')}")  # ESC and NUL in a paste too (Textual reads those as keys)
        margin.send("\x13", pause=0.6)         # ctrl+s: saved
        margin.send("j", pause=0.3)
        for key in ("b", "M", "?"):            # the theme board, memos and journal, the keys
            margin.send(key, pause=0.8)
            margin.send("\x1b", pause=0.5)
        margin.send("q", pause=0.5)            # back to the project screen
        margin.send("\x11")                    # ctrl+q
        assert margin.wait() == 0, margin.text()[-2000:]
    finally:
        margin.close()
    raw = margin.raw
    assert "␛" in raw.decode("utf-8", "replace")  # the data was drawn, as symbols
    bad = NEVER.findall(raw)
    assert not bad, bad[:5]
    drawn = _between_markers(raw)
    assert {label[:1] for label, _ in drawn} >= {b"T", b"L", b"I", b"O", b"V"}
    for label, between in drawn:
        shown = re.sub(rb"\x1b\[[0-9;]*m", b"", between)  # margin's own colours may sit there
        assert not re.search(rb"[\x00-\x1f\x7f]", shown), (label, between)
    with Project.open(path) as project:
        (note,) = project.notes()
        assert "pasted W0<⍰31m␡⍰␇⍰>W0" in note.body and "Note O0<␛[2J>O0" in note.body
        assert not RAW.findall(note.body), RAW.findall(note.body)


def test_a_second_window_on_the_same_project_is_refused(tmp_path: Path, study: Path) -> None:
    env = margin_env(tmp_path)
    first = PtyMargin("open", study, "--coder", "VR", env=env)
    try:
        first.wait_for("lines coded")
        second = PtyMargin("open", study, "--coder", "VR", env=env)
        try:
            assert second.wait() == 1
            time.sleep(0.2)
            assert "already open in another margin window" in second.text() and "Traceback" not in second.text()
        finally:
            second.close()
        first.send("\x11")
        assert first.wait() == 0
    finally:
        first.close()


def _check(path: Path) -> None:
    done = subprocess.run([PYTHON, "-m", "tui", "check", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not path.with_name(path.name + "-journal").exists()


def _end(margin: PtyMargin, how: str) -> float:
    start = time.monotonic()
    if how == "SIGTERM":
        margin.process.send_signal(signal.SIGTERM)
    else:
        margin.hang_up()
    status = margin.wait(timeout=15)
    took = time.monotonic() - start
    assert status == 0, (how, status)
    return took


@pytest.mark.parametrize("how", ["hang-up", "SIGTERM"])
@pytest.mark.parametrize("moment", ["mid-typing", "mid-action"])
def test_hang_up_and_sigterm_exit_at_once_and_lose_nothing_acknowledged(tmp_path: Path, study: Path, how: str,
                                                                        moment: str) -> None:
    margin = PtyMargin("open", study, "--coder", "VR", env=margin_env(tmp_path))
    try:
        margin.wait_for("lines coded")
        margin.send("\r")
        margin.wait_for("Interviewer")
        margin.send("jjj")
        mark = margin.mark()
        margin.send("t", pause=0.6)
        margin.send("Named by the nurses\r")
        margin.wait_after(mark, "tagged")        # acknowledged
        margin.send("j", pause=0.3)
        if moment == "mid-typing":
            margin.send("n", pause=0.6)          # a note being typed, not saved
            margin.send("the nurses call her by na", pause=0.05)
        else:
            margin.send("t", pause=0.6)          # a tag on its way: the signal comes with the key
            margin.send("Named by the nurses\r", pause=0)
        took = _end(margin, how)
    finally:
        margin.close()
    print(f"{how} {moment}: exit 0 in {took:.2f} s")
    assert took < 1.0, f"{how} {moment}: {took:.2f} s"
    _check(study)
    with Project.open(study) as project:
        named = [c for c in project.codings() if project.theme(c.theme_id).name == "Named by the nurses"]
        assert (named[0].first_line, named[0].last_line) == (4, 4)
        assert len(named) in (1, 2)  # the one in flight is there whole or not at all
