"""Shared helpers of the reliability suite: a small fictional study and `margin` run in-process."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui import cli
from tui.formats.transcripts import parse_text
from tui.project import Project

ROOT = Path(__file__).resolve().parents[2]

#: A fictional interview; "Marta Quell" is the made-up real name that leaked from a recording.
INTERVIEW = """Interviewer: How did the first week on the ward feel?
Marta Quell: Honestly I stood in the corner during the round. Marta Quell, the registrar said, what do you think?
Interviewer: And later on?
Marta Quell: Later a patient asked for me by name, and the nurses called me Marta Quell in the handover.
Interviewer: Thank you.
"""


def build_study(path: Path, *, lines: str = INTERVIEW, title: str = "Interview 7") -> Project:
    """A project with one transcript, a theme with a coding, and a note."""
    project = Project.create(path, coder="VR")
    parsed = parse_text(lines, title=title)
    transcript = project.import_transcript(
        title=title, text=parsed.text, lines=parsed.lines, participant="Marta Quell", source=f"{title}.txt",
    )
    project.tag_by_name(transcript.id, 2, 2, "Standing in the corner")
    project.add_note(transcript.id, 3, 3, "descriptive", "Marta Quell sounds proud here")
    return project


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No test reads or writes the real settings file, and the app never starts."""
    config = tmp_path / "config-home"
    config.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))

    def fake_run_app(project: Project, transcript_id: int | None, *, ask_coder: bool) -> int:
        project.close()
        return 0

    monkeypatch.setattr(cli, "_run_app", fake_run_app)
    monkeypatch.setattr(cli, "_require_terminal", lambda: None)
    yield config


@pytest.fixture
def study(tmp_path: Path) -> Path:
    path = tmp_path / "study.margin"
    build_study(path).close()
    return path


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    """Run `margin ARGS` in this process: (exit status, stdout, stderr)."""
    capsys.readouterr()
    try:
        code = cli.main([str(a) for a in args])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


PYTHON = sys.executable
