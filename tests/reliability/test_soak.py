"""Scale soak: a large study opens, is coded, exported and checked, with memory bounded.

MARGIN_SOAK=1 runs it at full scale: 200 transcripts, 400,000 lines, 100,000 codings. CI runs a
small study of the same shape (10 transcripts, 4,000 lines, 1,000 codings). The real margin
does each step in a process of its own, so each one's peak memory is its own.
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import PYTHON
from tests.reliability.pty_margin import PtyMargin, margin_env
from tui.formats.transcripts import parse_text
from tui.project import Project
from tui.project.db import transaction

FULL = os.environ.get("MARGIN_SOAK") == "1"
TRANSCRIPTS, LINES, CODINGS = (200, 2000, 500) if FULL else (10, 400, 100)  # per transcript
#: Peak memory allowed for any one step (resident set size), in MB.
MEMORY_MB = 900 if FULL else 300
WORDS = ("ward round nurses registrar corner belonging money tired lists walk canal patient name "
         "quiet kitchen flatmate rotation lost kind busy questions learn week rent shift").split()


def _build(path: Path) -> None:
    rng = random.Random(10)
    project = Project.create(path, coder="VR")
    for number in range(TRANSCRIPTS):
        text = "".join(
            f"{'Interviewer' if n % 2 else f'P{number:03d}'}: {' '.join(rng.choices(WORDS, k=rng.randint(6, 18)))}\n"
            for n in range(LINES)
        )
        parsed = parse_text(text, title=f"Interview {number:03d}")
        transcript = project.import_transcript(title=f"Interview {number:03d}", text=parsed.text, lines=parsed.lines,
                                               participant=f"P{number:03d}", source=f"{number}.txt")
        with transaction(project.conn):  # many codings in one commit: building, not the test
            for n in range(CODINGS):
                first = 1 + n * (LINES - 3) // CODINGS  # spans never overlap: no coding twice
                name = f"P{number:03d} statement {rng.randint(0, 29):02d}"  # each case its own (IPA)
                project.tag_by_name(transcript.id, first, first + rng.randint(0, 2), name)
    project.close()


def _wait_measured(process: subprocess.Popen) -> tuple[int, float]:
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss / 1024


def _run(*args: object) -> tuple[int, str, float]:
    process = subprocess.Popen([PYTHON, "-m", "tui", *map(str, args)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    code, peak = _wait_measured(process)
    return code, process.stderr.read(), peak


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("soak") / "large.margin"
    start = time.monotonic()
    _build(path)
    print(f"\nsoak: built {TRANSCRIPTS} transcripts, {TRANSCRIPTS * LINES} lines, {TRANSCRIPTS * CODINGS} codings "
          f"in {time.monotonic() - start:.1f} s")
    return path


def test_a_large_study_opens_and_is_coded_in_the_real_margin(large: Path, tmp_path: Path) -> None:
    margin = PtyMargin("open", large, "--coder", "VR", env=margin_env(tmp_path))
    try:
        margin.wait_for(f"{TRANSCRIPTS} transcripts", timeout=120)
        margin.send("\r")
        margin.wait_for("Interviewer", timeout=120)
        margin.send("jjj")
        mark = margin.mark()
        margin.send("t", pause=0.8)
        margin.send("Soak theme\r")
        margin.wait_after(mark, "tagged", timeout=60)
        margin.send("q", pause=0.5)
        margin.wait_for(f"{TRANSCRIPTS} transcripts")
        margin.send("\x11")
        code, peak = _wait_measured(margin.process)
    finally:
        margin.close()
    print(f"soak: open, code, back, quit: peak {peak:.0f} MB")
    assert code == 0
    assert peak < MEMORY_MB
    with Project.open(large) as project:
        assert len(project.codings()) > TRANSCRIPTS * CODINGS * 0.9
        assert any(project.theme(c.theme_id).name == "Soak theme" for c in project.codings(project.transcripts()[0].id))


@pytest.mark.parametrize("command", [
    ["check"], ["export", "--format", "csv"], ["export", "--format", "md", "--what", "all"], ["export", "--format", "qdpx"],
    ["themes", "--json"],
], ids=lambda c: " ".join(c))
def test_a_large_study_is_checked_and_exported_with_memory_bounded(large: Path, tmp_path: Path,
                                                                   command: list[str]) -> None:
    args: list[object] = [command[0], large, *command[1:]]
    if command[0] == "export":
        args += ["--output", tmp_path / f"out.{command[2]}"]
    start = time.monotonic()
    code, err, peak = _run(*args)
    print(f"soak: margin {' '.join(command)}: {time.monotonic() - start:.1f} s, peak {peak:.0f} MB")
    assert code == 0, err
    assert peak < MEMORY_MB
    if command[0] == "export":
        assert (tmp_path / f"out.{command[2]}").stat().st_size > 0
