"""Opening safely: a hot journal is rolled back (items 4), damage refused by every command (item 5),
leftovers of killed processes removed (item 9)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import PYTHON, build_study, digest, run
from tui import cli
from tui.project import Project, ProjectError
from tui.project import recovery

# Writes a lot in one transaction with a tiny cache (so pages reach the file), then waits to be killed.
WRITER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size=5")
conn.execute("BEGIN IMMEDIATE")
for i in range(3000):
    conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (f"filler{i}", "x" * 300))
conn.execute("UPDATE themes SET name = 'half-written'")
print("written", flush=True)
time.sleep(60)
"""


def hot_journal(path: Path) -> None:
    child = subprocess.Popen([PYTHON, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "written"
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert Path(f"{path}-journal").stat().st_size > 0


@pytest.mark.parametrize("command", ["check", "themes", "backup"])
def test_a_hot_journal_is_recovered_and_said(study: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    hot_journal(study)
    args = [command, study] + ([study.parent / "copy.margin"] if command == "backup" else [])
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert "read-only" not in out + err
    assert "recovered an interrupted change (nothing acknowledged was lost)" in out + err
    assert not Path(f"{study}-journal").exists()
    with Project.open(study, readonly=True) as project:
        assert [t.name for t in project.themes()] == ["Standing in the corner"]
        assert project.setting("filler1") == ""
        assert project.check() == [] or all("file mode" in p for p in project.check())
    if command == "check":
        assert "a change was cut off" in out and "Nothing to do" in out
    if command == "backup":
        with Project.open(study.parent / "copy.margin", readonly=True) as copy:
            assert copy.check() == [] or all("file mode" in p for p in copy.check())


def test_a_hot_journal_in_a_read_only_folder_says_what_to_do_not_to_copy(
    study: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hot_journal(study)
    os.chmod(study.parent, 0o500)
    try:
        if os.access(study.parent, os.W_OK):  # running as root: the folder stays writable
            os.chmod(study.parent, 0o700)
            os.chmod(study, 0o400)
            if os.access(study, os.W_OK):
                return _root_cannot_be_refused(study, capsys)
        code, out, err = run(capsys, "check", study)
    finally:
        os.chmod(study.parent, 0o700)
        os.chmod(study, 0o600)
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert "cut off" in err and "writable" in err and "journal beside it" in err
    assert "cp " not in err and "copy it" not in err
    assert Path(f"{study}-journal").exists()


def _root_cannot_be_refused(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """As root nothing is read-only: the journal is recovered instead."""
    os.chmod(study, 0o600)
    code, out, err = run(capsys, "check", study)
    assert code == 0 and "recovered" in out


def test_a_live_writers_journal_is_not_recovered(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    child = subprocess.Popen([PYTHON, "-c", WRITER, str(study)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "written"
        assert not recovery.journal_is_hot(study)  # another process is writing: its journal is not hot
    finally:
        child.kill()
        child.wait()
    assert recovery.journal_is_hot(study)


# ---------------------------------------------------------------------- damage


def _page_size(path: Path) -> int:
    raw = int.from_bytes(path.read_bytes()[16:18], "big")
    return 65536 if raw == 1 else raw


def _root_page(path: Path, name: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
    finally:
        conn.close()


def _pages_of(path: Path, name: str) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno", (name,))]
    finally:
        conn.close()


def _write(path: Path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(data)


def _flip_page_header(path: Path, page: int) -> None:
    size = _page_size(path)
    base = size * (page - 1) + (100 if page == 1 else 0)
    with open(path, "r+b") as handle:
        handle.seek(base)
        kind = handle.read(1)[0]
        handle.seek(base)
        handle.write(bytes([kind ^ 0xFF]))


def damage(path: Path, kind: str) -> None:
    size = _page_size(path)
    length = path.stat().st_size
    if kind == "last page zeroed":
        _write(path, length - size, b"\x00" * size)
    elif kind == "a lines page":
        _flip_page_header(path, _pages_of(path, "lines")[-1])
    elif kind == "an index page":
        _flip_page_header(path, _root_page(path, "lines_by_transcript"))
    elif kind == "a search index page":
        _flip_page_header(path, _pages_of(path, "lines_fts_data")[0])
    elif kind == "a themes page":
        _flip_page_header(path, _root_page(path, "themes"))
    elif kind == "an events page":
        _flip_page_header(path, _root_page(path, "events"))
    elif kind == "the schema page":
        _flip_page_header(path, 1)
    elif kind == "margin's id, no tables":
        conn = sqlite3.connect(path, isolation_level=None)
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'").fetchall():
            conn.execute(f'DROP VIEW "{name}"')
        conn.execute("PRAGMA foreign_keys=OFF")
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'lines_fts_%'"
        ).fetchall():
            conn.execute(f'DROP TABLE IF EXISTS "{name}"')
        conn.close()
    elif kind == "reserved header bytes":
        _write(path, 80, b"\x07")
    elif kind == "truncated":
        with open(path, "r+b") as handle:
            handle.truncate(length - size // 2)
    elif kind == "truncated by whole pages":
        with open(path, "r+b") as handle:
            handle.truncate(length - 2 * size)
    elif kind.startswith("header byte "):
        offset = int(kind.split()[-1])
        data = path.read_bytes()
        _write(path, offset, bytes([data[offset] ^ 0x5A]))
    else:
        raise AssertionError(kind)


DAMAGES = [
    "last page zeroed", "a lines page", "an index page", "a search index page", "a themes page",
    "an events page", "the schema page", "margin's id, no tables", "reserved header bytes", "truncated",
    "truncated by whole pages", "header byte 16", "header byte 19", "header byte 21", "header byte 28",
    "header byte 33", "header byte 56", "header byte 68", "header byte 3",
]


def commands(path: Path, tmp: Path) -> dict[str, list[object]]:
    source = tmp / "more.txt"
    source.write_text("Interviewer: Anything else?\nP02: No.\n", encoding="utf-8")
    return {
        "open": ["open", path],
        "tag": ["tag", path, "Interview 7", "1", "Another theme"],
        "participant": ["participant", path, "Interview 7", "P09"],
        "import": ["import", path, source],
        "themes": ["themes", path],
        "backup": ["backup", path, tmp / "copy.margin"],
        "check": ["check", path],
        "export": ["export", path, "--format", "csv", "--output", tmp / "out.csv"],
    }


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pristine") / "study.margin"
    project = build_study(path)
    for n in range(40):  # enough lines for pages of several kinds
        project.add_note(1, 1, 1, "descriptive", f"note {n} " + "words " * 40)
    project.close()
    return path


@pytest.mark.parametrize("kind", DAMAGES)
def test_a_damaged_file_is_refused_by_every_command_naming_the_backup(
    pristine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    path = tmp_path / "study.margin"
    path.write_bytes(pristine.read_bytes())
    os.chmod(path, 0o600)
    backup = tmp_path / "study.margin.v3-20261201T101010Z.bak"
    backup.write_bytes(pristine.read_bytes())
    older = tmp_path / "study-old.margin"
    older.write_bytes(pristine.read_bytes())
    os.utime(older, (time.time() - 3600, time.time() - 3600))
    damage(path, kind)
    before = digest(path)
    messages = set()

    def window_writes(project: Project, transcript_id: int | None, *, ask_coder: bool) -> int:
        # The window opens before its page check ends (it runs in the background); the first
        # change made in it waits for the check and is refused with the same message.
        try:
            project.add_participant("P77")
        finally:
            project.close()
        return 0

    monkeypatch.setattr(cli, "_run_app", window_writes)
    for name, args in commands(path, tmp_path).items():
        code, out, err = run(capsys, *args)
        assert code == 1, (name, out, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1, (name, err)
        assert "the file is damaged" in lines[0], (name, err)
        assert "study.margin.v3-20261201T101010Z.bak" in lines[0], (name, err)
        assert "Traceback" not in err
        assert digest(path) == before, name
        messages.add(lines[0])
    assert len(messages) == 1, messages  # the same message from every command
    assert not (tmp_path / "copy.margin").exists()
    assert not (tmp_path / "out.csv").exists()
    assert not list(tmp_path.glob(f"{path.name}-journal"))


def test_a_damaged_file_without_a_backup_says_so(pristine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "study.margin"
    path.write_bytes(pristine.read_bytes())
    damage(path, "truncated")
    code, _, err = run(capsys, "tag", path, "Interview 7", "1", "X")
    assert code == 1 and "no backup was found beside it" in err


def test_the_cheap_checks_at_open_take_under_50_ms(tmp_path: Path) -> None:
    path = tmp_path / "big.margin"
    text = "".join(f"P01: line {n} of a long interview about the ward and the round\n" for n in range(20000))
    project = build_study(path, lines=text)
    project.close()
    start = time.perf_counter()
    for _ in range(5):
        Project.open(path, readonly=True, verify=False).close()
    per_open = (time.perf_counter() - start) / 5
    assert per_open < 0.05, per_open


def test_a_window_opened_before_its_page_check_never_writes_into_a_damaged_file(pristine: Path, tmp_path: Path) -> None:
    path = tmp_path / "study.margin"
    path.write_bytes(pristine.read_bytes())
    damage(path, "a lines page")
    before = digest(path)
    project = Project.open(path, coder="ana", verify="background")  # the cheap checks pass
    try:
        with pytest.raises(ProjectError, match="the file is damaged"):
            project.add_participant("P77")
        with pytest.raises(ProjectError, match="the file is damaged"):  # and every write after
            project.create_theme("Another theme")
        assert "the file is damaged" in (project.page_damage() or "")
    finally:
        project.close()
    assert digest(path) == before


def test_a_sound_file_opened_before_its_page_check_writes_once_the_check_passed(pristine: Path, tmp_path: Path) -> None:
    path = tmp_path / "study.margin"
    path.write_bytes(pristine.read_bytes())
    project = Project.open(path, coder="ana", verify="background")
    try:
        project.add_participant("P77")
        assert project.page_damage() is None
    finally:
        project.close()
    with Project.open(path) as again:
        assert "P77" in {p.pseudonym for p in again.participants()}


# ---------------------------------------------------------------------- leftovers


def dead_pid() -> int:
    child = subprocess.Popen([PYTHON, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_of_killed_processes_are_removed_and_listed(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pid = dead_pid()
    folder = study.parent
    made = [
        folder / f".copy.margin.{pid}.part", folder / f".copy.margin.{pid}.part-journal",
        folder / f".margin-demo.margin.{pid}.building",
    ]
    for path in made:
        path.write_bytes(b"x" * 1000)
    live = folder / f".copy.margin.{os.getpid()}.part"
    live.write_bytes(b"mine")
    others = [folder / f"notes.{pid}.part", folder / f".study.margin.{pid}.bak", folder / "report.part"]
    for path in others:
        path.write_bytes(b"keep")
    code, out, err = run(capsys, "check", study)
    assert code == 0, err
    for path in made:
        assert not path.exists()
        assert f"removed {path.name}" in out
    assert live.exists()  # this process is alive
    assert all(path.exists() for path in others)  # not margin's naming
