"""A command skips the check of every page only for a file exactly as margin found it sound or left it."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tui.project import Project, ProjectError, checked, recovery


@pytest.fixture
def checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every check of every page made, by file; margin's record kept in the test's own folder."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    made: list[Path] = []
    real = recovery.quick_damage

    def counted(conn: sqlite3.Connection) -> str | None:
        made.append(Path(conn.execute("PRAGMA database_list").fetchone()[2]))
        return real(conn)

    monkeypatch.setattr(recovery, "quick_damage", counted)
    return made


def study(path: Path) -> Path:
    project = Project.create(path, coder="VR")
    project.add_participant("P01")
    project.close()
    return path


def open_close(path: Path, **kwargs: object) -> None:
    Project.open(path, coder="VR", **kwargs).close()  # type: ignore[arg-type]


def test_a_file_margin_found_sound_and_left_so_is_not_checked_again(tmp_path: Path, checks: list[Path]) -> None:
    path = study(tmp_path / "study.margin")
    open_close(path)
    assert len(checks) == 1
    project = Project.open(path, coder="VR")  # as margin left it: no check
    project.add_participant("P02")  # margin's own write, remembered as it leaves the file
    project.close()
    open_close(path)
    assert len(checks) == 1
    record = (tmp_path / "state" / "margin" / "checked.json").read_text()
    assert "study" not in record and str(tmp_path) not in record  # numbers only, no name or path


def test_a_write_by_another_program_a_copy_or_a_changed_byte_means_a_check(tmp_path: Path, checks: list[Path]) -> None:
    path = study(tmp_path / "study.margin")
    open_close(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE participants SET attributes = '{\"site\": \"north\"}'")
    conn.commit()
    conn.close()
    open_close(path)
    assert len(checks) == 2  # another program wrote
    copy = tmp_path / "copy.margin"
    shutil.copy2(path, copy)  # the same bytes and times, another file
    open_close(copy)
    assert len(checks) == 3
    page_size = int.from_bytes(path.read_bytes()[16:18], "big")
    with open(path, "r+b") as handle:  # the kind of page 2 made one no page is, the size the same
        handle.seek(page_size)
        handle.write(b"\xff")
    with pytest.raises(ProjectError, match="damaged"):
        open_close(path)
    assert len(checks) == 4


def test_another_writer_while_open_or_damage_found_leaves_nothing_remembered(tmp_path: Path, checks: list[Path]) -> None:
    path = study(tmp_path / "study.margin")
    project = Project.open(path, coder="VR")
    other = Project.open(path, coder="AB")  # a second connection writes while the first is open
    other.add_participant("P03")
    project.close()  # it cannot vouch for what the other wrote
    assert not checked.was_checked(checked.file_state(path))
    open_close(path)
    assert len(checks) == 3  # the two opens, and this one
    other.close()


def test_a_window_is_remembered_only_once_its_background_check_passed(tmp_path: Path, checks: list[Path]) -> None:
    path = study(tmp_path / "study.margin")
    project = Project.open(path, coder="VR", verify="background")
    project.close()  # closed before its check began: nothing vouched for
    assert not checked.was_checked(checked.file_state(path))
    project = Project.open(path, coder="VR", verify="background")
    project.add_participant("P04")  # waits for the check, which passes
    project.close()
    assert checked.was_checked(checked.file_state(path))
    open_close(path)
    assert len(checks) == 1  # the window's check only


def test_without_a_record_every_command_checks(tmp_path: Path, checks: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))  # the record cannot be written
    path = study(tmp_path / "study.margin")
    open_close(path)
    open_close(path)
    assert len(checks) == 2
