"""Faults: disk full, an I/O error on write, a read-only file, a read-only folder.

Each gives one clear message and no traceback, leaves the project as it was (every
acknowledged change there, `check` passing), and margin works again once the cause is gone.
(The file deleted or replaced while open: test_file_gone.py.)
"""

from __future__ import annotations

import os
import resource
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reliability.conftest import PYTHON, build_study, digest
from tui.formats.transcripts import parse_text
from tui.project import Project, ProjectError

BIG = "".join(f"P08: Line {n} of a long interview, with enough words to fill a few pages.\n" for n in range(3000))


def _margin(*args: object, preexec: Callable[[], None] | None = None, env: dict[str, str] | None = None,
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "tui", *map(str, args)], capture_output=True, text=True, timeout=120,
                          preexec_fn=preexec, env=env)


def _sound(path: Path, transcripts: int) -> None:
    done = _margin("check", path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not path.with_name(path.name + "-journal").exists()
    with Project.open(path) as project:
        assert len(project.transcripts()) == transcripts
        assert len(project.codings()) == 1


def _clear(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    for word in words:
        assert word in done.stderr, done.stderr
    assert "Line 1 of a long interview" not in done.stderr  # no interview text in errors


def test_disk_full_changes_nothing_and_margin_works_once_there_is_room(tmp_path: Path) -> None:
    path = tmp_path / "study.margin"
    project = build_study(path)
    pages = project.conn.execute("PRAGMA page_count").fetchone()[0]
    project.conn.execute(f"PRAGMA max_page_count = {pages}")  # the file may not grow: a full disk
    parsed = parse_text(BIG, title="Interview 8")
    before = digest(path)
    with pytest.raises(ProjectError, match="disk is full") as refused:
        project.import_transcript(title="Interview 8", text=parsed.text, lines=parsed.lines, participant="P08",
                                  source="Interview 8.txt")
    assert "Line 1" not in str(refused.value)
    assert digest(path) == before and len(project.transcripts()) == 1
    project.conn.execute(f"PRAGMA max_page_count = {pages * 1000}")  # room again
    project.import_transcript(title="Interview 8", text=parsed.text, lines=parsed.lines, participant="P08",
                              source="Interview 8.txt")
    project.close()
    _sound(path, 2)


def test_an_io_error_on_write_changes_nothing_and_margin_works_again(tmp_path: Path) -> None:
    """The operating system refuses a write (a file-size limit: EFBIG, what a full quota gives too)."""
    path = tmp_path / "study.margin"
    build_study(path).close()
    source = tmp_path / "Interview 8.txt"
    source.write_text(BIG)
    size = path.stat().st_size
    for limit in (size + 4096, size + 40_000):  # the journal's write fails; then the file's own
        def small_files(limit: int = limit) -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        before = digest(path)
        done = _margin("import", path, source, "--participant", "P08", preexec=small_files)
        _clear(done, "cannot write", "nothing was changed")
        _sound(path, 1)
        assert digest(path) == before
    assert _margin("import", path, source, "--participant", "P08").returncode == 0
    _sound(path, 2)


def _read_only(target: Path, on: bool) -> None:
    """Make `target` read-only (or writable again): its mode, or as root (whom modes do not
    stop) its immutable flag, which refuses writes the same way."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i" if on else "-i", str(target)], check=True)
    else:
        mode = stat.S_IMODE(target.stat().st_mode)
        os.chmod(target, mode & ~0o222 if on else mode | 0o200)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_file_or_folder(tmp_path: Path, what: str) -> None:
    (tmp_path / "study").mkdir()
    path = tmp_path / "study" / "study.margin"
    build_study(path).close()
    before = digest(path)
    locked = path if what == "file" else path.parent
    _read_only(locked, True)
    try:
        done = _margin("tag", path, "Interview 7", "4", "Named by the nurses")
        _clear(done, "read-only")
        readable = _margin("themes", path)  # reading still works
        assert readable.returncode == 0 and "Standing in the corner" in readable.stdout, readable.stderr
        assert digest(path) == before
    finally:
        _read_only(locked, False)
    again = _margin("tag", path, "Interview 7", "4", "Named by the nurses")
    assert again.returncode == 0, again.stderr
    with Project.open(path) as project:
        assert len(project.codings()) == 2
