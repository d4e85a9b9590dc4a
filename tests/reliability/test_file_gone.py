"""Faults: the project file deleted or replaced while margin has it open.

SQLite keeps reading a deleted file through the open connection and refuses every write to it.
margin notices within a second, saves the session's work to a new file from that connection,
says so, offers a name of one's own, and quitting never loses the work.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tests.reliability.conftest import build_study, digest, run
from tui.app import MarginApp
from tui.project import Project, ProjectError
from tui.project.db import ProjectMoved
from tui.project.recovery import FileWatch

SIZE = (100, 30)


def _codings(path: Path) -> list[tuple[int, int, str]]:
    with Project.open(path) as project:
        return sorted((c.first_line, c.last_line, project.theme(c.theme_id).name) for c in project.codings())


def test_a_deleted_file_is_noticed_refused_and_saved_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "study.margin"
    project = build_study(path)
    transcript = project.transcripts()[0].id
    project.tag_by_name(transcript, 4, 4, "Being named")
    watch = FileWatch(path)
    assert watch.check() is None
    os.unlink(path)
    assert watch.check() == "deleted"
    assert watch.check() is None  # said once
    with pytest.raises(ProjectMoved, match="deleted or replaced while margin had it open; nothing was changed"):
        project.tag_by_name(transcript, 5, 5, "Being named")
    assert not path.exists() and not path.with_name("study.margin-journal").exists()
    saved = watch.save(project.conn)
    project.close()
    assert saved.parent == tmp_path and saved.name.startswith("study-rescued-") and saved.suffix == ".margin"
    assert oct(saved.stat().st_mode & 0o777) == "0o600"
    assert (2, 2, "Standing in the corner") in _codings(saved) and (4, 4, "Being named") in _codings(saved)
    code, out, err = run(capsys, "check", saved)
    assert code == 0, err
    assert f"saved in {saved}" in watch.message() and "was deleted" in watch.message()


def test_a_replaced_file_is_left_as_it_is_and_the_work_saved_elsewhere(tmp_path: Path) -> None:
    path = tmp_path / "study.margin"
    project = build_study(path)
    watch = FileWatch(path)
    other = tmp_path / "other.margin"
    build_study(other, title="Interview 9").close()
    os.replace(other, path)  # a sync tool or a restore puts another file in its place
    before = digest(path)
    assert watch.check() == "replaced"
    with pytest.raises(ProjectError):
        project.add_note(project.transcripts()[0].id, 1, 1, "descriptive", "never written")
    saved = watch.save(project.conn)
    chosen = watch.save(project.conn, tmp_path / "my name.margin")
    project.close()
    assert digest(path) == before and not path.with_name("study.margin-journal").exists()
    assert not saved.exists()  # the automatic copy gave way to the chosen one
    with Project.open(chosen) as copy:
        assert [t.title for t in copy.transcripts()] == ["Interview 7"]
    with pytest.raises(ProjectError, match="already exists"):
        watch.save(Project.open(chosen).conn, path)


async def _wait_for(pilot, condition, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
        await pilot.pause()
    raise AssertionError("the app did not get there")


async def test_the_app_notices_saves_offers_a_name_and_quits_without_loss(tmp_path: Path) -> None:
    path = tmp_path / "study.margin"
    project = build_study(path)
    transcript = project.transcripts()[0].id
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        project.tag_by_name(transcript, 4, 4, "Being named")  # work of this session
        os.unlink(path)
        await _wait_for(pilot, lambda: app._file.saved is not None and type(app.screen).__name__ == "PromptScreen")
        rescued = app._file.saved
        assert any(f"saved in {rescued}" in str(n.message) for n in app._notifications)
        answer = app.screen.query_one("#answer")
        assert answer.value == str(rescued)
        answer.value = str(tmp_path / "study-kept.margin")
        await pilot.press("enter")
        await _wait_for(pilot, lambda: app._file.saved == tmp_path / "study-kept.margin")
        await pilot.press("ctrl+q")
    project.close()
    assert (4, 4, "Being named") in _codings(tmp_path / "study-kept.margin")
    assert not rescued.exists()


async def test_quitting_at_once_after_the_file_went_still_saves_it(tmp_path: Path) -> None:
    path = tmp_path / "study.margin"
    project = build_study(path)
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        os.unlink(path)
        await pilot.press("ctrl+q")  # before the once-a-second look
    project.close()
    (saved,) = tmp_path.glob("study-rescued-*.margin")
    assert (2, 2, "Standing in the corner") in _codings(saved)
