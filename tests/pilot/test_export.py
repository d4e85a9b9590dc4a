"""Export and REFI-QDA import from the app: the export dialog (formats, file, progress, cancel,
replacing a file) and `i` on the project screen with a .qdpx (added, unchanged, differing, cancel)."""

from __future__ import annotations

import os
import stat
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import docx
import pytest
import xmlschema
from modal_harness import screen_text
from textual.pilot import Pilot
from textual.widgets import OptionList, ProgressBar

import tui.screens.export as export_module
import tui.screens.refi_import as import_module
from tui.app import MarginApp
from tui.formats.exchange import EXPORT_FORMATS, export_project
from tui.project import Project
from tui.screens.confirm import ConfirmScreen
from tui.screens.export import ExportScreen
from tui.screens.help import HelpScreen
from tui.screens.project_screen import ProjectScreen
from tui.screens.refi_import import RefiImportScreen
from tui.screens.workspace import WorkspaceScreen

if TYPE_CHECKING:
    from conftest import Keyboard, Study

SIZE = (80, 24)
SCHEMA = Path(__file__).resolve().parents[1] / "refi-schemas" / "Project.xsd"


async def settle(pilot: Pilot[None], until: Callable[[], bool], what: str) -> None:
    """Let the app run until `until()` holds (a worker has finished, a screen is shown)."""
    for _ in range(400):
        await pilot.pause(0.01)
        if until():
            return
    raise AssertionError(f"never happened: {what}")


async def open_export(pilot: Pilot[None]) -> ExportScreen:
    await pilot.pause()
    await pilot.pause()
    await pilot.press("E")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ExportScreen)
    return screen


async def choose(pilot: Pilot[None], screen: ExportScreen, fmt: str, what: str | None = None) -> None:
    """Move to `fmt` in the list of formats (and `what` in the second list) with the arrow keys."""
    formats = screen.query_one("#formats", OptionList)
    assert screen.focused is formats
    for _ in range(len(EXPORT_FORMATS)):
        if formats.highlighted == EXPORT_FORMATS.index(fmt):
            break
        await pilot.press("down")
    assert formats.highlighted == EXPORT_FORMATS.index(fmt)
    await pilot.press("enter")
    if what is not None:
        options = screen.query_one("#what", OptionList)
        assert screen.focused is options
        for _ in range(3):
            if options.get_option_at_index(options.highlighted or 0).id == what:
                break
            await pilot.press("down")
        assert options.get_option_at_index(options.highlighted or 0).id == what
        await pilot.press("enter")
    await pilot.pause()


async def type_path(pilot: Pilot[None], keyboard: Keyboard, screen: ExportScreen, path: Path) -> None:
    field = screen.query_one("#path")
    assert screen.focused is field
    field.value = ""  # type: ignore[attr-defined]
    await keyboard.type(pilot, str(path))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


# ---------------------------------------------------------------------- reaching it


async def test_E_opens_the_export_dialog_listing_every_format(demo: Project) -> None:
    app = MarginApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        text = screen_text(app)
        for fmt in EXPORT_FORMATS:
            assert f"{fmt} " in text, fmt
        assert "REFI-QDA project" in text and "Word report" in text
        assert "whole project" in text  # what a qdpx holds
        await choose(pilot, screen, "docx")
        text = screen_text(app)
        for what in ("summary", "transcripts", "all"):  # what --what offers for a report
            assert what in text
        assert str(screen.query_one("#path").value).endswith("demo.docx")  # type: ignore[attr-defined]
        await pilot.press("shift+tab")
        await choose(pilot, screen, "csv", "codebook")
        assert str(screen.query_one("#path").value).endswith("demo-codebook.csv")  # type: ignore[attr-defined]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ProjectScreen)


async def test_export_is_in_help_and_the_palette_of_the_project_and_the_workspace(study: Study) -> None:
    app = MarginApp(study.project)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "Export" in [c.title for c in app.get_system_commands(app.screen)]
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen) and "Export" in screen_text(app)
        await pilot.press("escape", "enter")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert "Export" in [c.title for c in app.get_system_commands(app.screen)]
        await pilot.press("E")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)


# ---------------------------------------------------------------------- writing


async def test_a_qdpx_written_from_the_dialog_is_valid_and_private(demo: Project, tmp_path: Path, keyboard: Keyboard) -> None:
    out = tmp_path / "out" / "study.qdpx"
    out.parent.mkdir()
    app = MarginApp(demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_export(pilot)
        await choose(pilot, screen, "qdpx")
        await type_path(pilot, keyboard, screen, out)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ProjectScreen), "the dialog closed")
        assert "wrote" in screen_text(app)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    with zipfile.ZipFile(out) as archive:
        xmlschema.XMLSchema(str(SCHEMA)).validate(archive.read("project.qde").decode("utf-8"))
        assert sum(name.startswith("sources/") for name in archive.namelist()) == len(demo.transcripts())
    assert leftovers(out.parent) == []


async def test_a_word_report_with_transcripts_from_the_dialog(demo: Project, tmp_path: Path, keyboard: Keyboard) -> None:
    out = tmp_path / "report.docx"
    app = MarginApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        await choose(pilot, screen, "docx", "all")
        assert str(screen.query_one("#path").value).endswith("demo-all.docx")  # type: ignore[attr-defined]
        await type_path(pilot, keyboard, screen, out)
        await pilot.press("enter")
        await settle(pilot, lambda: not isinstance(app.screen, ExportScreen), "the dialog closed")
    document = docx.Document(str(out))
    headers = [[cell.text for cell in table.rows[0].cells] for table in document.tables]
    assert ["Exploratory notes", "Line", "Transcript", "Experiential statements"] in headers or any(
        row[0] == "Exploratory notes" for row in headers)
    assert any(p.style.name.startswith("Heading") for p in document.paragraphs)


async def test_tab_completes_the_output_folder(demo: Project, tmp_path: Path, keyboard: Keyboard) -> None:
    (tmp_path / "exports-for-supervisor").mkdir()
    app = MarginApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        await choose(pilot, screen, "qdpx")
        await type_path(pilot, keyboard, screen, tmp_path / "exports-for")
        await pilot.press("tab")
        await pilot.pause()
        assert screen.query_one("#path").value == f"{tmp_path}/exports-for-supervisor/"  # type: ignore[attr-defined]
        assert isinstance(app.screen, ExportScreen) and screen.focused is screen.query_one("#path")


async def test_an_existing_file_is_replaced_only_when_the_user_says_so(demo: Project, tmp_path: Path,
                                                                       keyboard: Keyboard) -> None:
    out = tmp_path / "codings.csv"
    out.write_text("precious")
    app = MarginApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        await choose(pilot, screen, "csv", "codings")
        await type_path(pilot, keyboard, screen, out)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "exists" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen and "the file is kept" in screen_text(app)
        assert out.read_text() == "precious"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(app.screen, ProjectScreen), "the dialog closed")
    assert out.read_text(encoding="utf-8").startswith("theme_path,level,participant")  # the CSV header
    assert leftovers(tmp_path) == []


async def test_a_folder_that_does_not_exist_is_said_and_nothing_written(demo: Project, tmp_path: Path,
                                                                        keyboard: Keyboard) -> None:
    app = MarginApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        await choose(pilot, screen, "qdc")
        await type_path(pilot, keyboard, screen, tmp_path / "nowhere" / "codebook.qdc")
        await pilot.press("enter")
        await settle(pilot, lambda: not screen.running, "the worker finished")
        assert isinstance(app.screen, ExportScreen)
        assert str(screen.query_one("#status").content).endswith("nowhere does not exist")  # type: ignore[attr-defined]
    assert not (tmp_path / "nowhere").exists()


def slow_down(module: object, name: str, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Make the first progress report of `module.name` wait until the user cancels; returns 'reached'."""
    reached = threading.Event()
    real = getattr(module, name)

    def slow(*args, progress, cancelled, **kwargs):  # type: ignore[no-untyped-def]
        def report(done: int, total: int) -> None:
            progress(done, total)
            if not reached.is_set():
                reached.set()
                for _ in range(1000):  # until escape (at most ten seconds)
                    if cancelled():
                        return
                    time.sleep(0.01)

        return real(*args, progress=report, cancelled=cancelled, **kwargs)

    monkeypatch.setattr(module, name, slow)
    return reached


async def test_escape_stops_an_export_and_leaves_nothing(demo: Project, tmp_path: Path, keyboard: Keyboard,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    reached = slow_down(export_module, "export_project", monkeypatch)
    out = tmp_path / "stopped.qdpx"
    app = MarginApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        await choose(pilot, screen, "qdpx")
        await type_path(pilot, keyboard, screen, out)
        await pilot.press("enter")
        await settle(pilot, reached.is_set, "the export started")
        await pilot.pause(0.05)
        bar = screen.query_one("#progress", ProgressBar)
        assert bar.total is not None and bar.total > 1 and bar.progress >= 1  # progress is shown
        assert "%" in screen_text(app) and "escape stops" in screen_text(app)
        assert len(leftovers(tmp_path)) == 1  # the private temporary file, being written
        await pilot.press("escape")
        await settle(pilot, lambda: not screen.running, "the worker stopped")
        assert isinstance(app.screen, ExportScreen)  # still open: the user may choose again
        assert "cancelled: nothing was written" in screen_text(app)
    assert not out.exists()
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------------- import through the app


async def import_file(pilot: Pilot[None], keyboard: Keyboard, path: Path) -> RefiImportScreen:
    await pilot.press("i")
    await pilot.pause()
    await keyboard.type(pilot, str(path))
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, RefiImportScreen)
    return screen


async def test_i_imports_a_qdpx_into_an_empty_project(demo: Project, tmp_path: Path, keyboard: Keyboard) -> None:
    qdpx = export_project(demo, "qdpx", tmp_path / "demo.qdpx")
    with Project.create(tmp_path / "empty.margin", coder="VR") as empty:
        app = MarginApp(empty)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = await import_file(pilot, keyboard, qdpx)
            await settle(pilot, lambda: screen.state == "done", "the import finished")
            assert "imported demo.qdpx: added" in screen_text(app)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ProjectScreen)
            assert "5 transcripts" in screen_text(app)  # the table was redrawn
        assert len(empty.codings()) == len(demo.codings())
        assert [t.guid for t in empty.themes()] == [t.guid for t in demo.themes()]
        assert empty.check() == []


async def test_rows_that_differ_are_listed_and_kept_unless_the_user_overwrites(demo: Project, tmp_path: Path,
                                                                                keyboard: Keyboard) -> None:
    qdpx = export_project(demo, "qdpx", tmp_path / "demo.qdpx")
    theme = demo.themes()[0]
    demo.update_theme(theme.id, name="Renamed in margin")
    before = len(demo.history(10_000))
    app = MarginApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await import_file(pilot, keyboard, qdpx)
        await settle(pilot, lambda: screen.state == "asking", "the question")
        assert "1 row of demo.qdpx differs" in screen_text(app) and "Renamed in margin" in screen_text(app)
        assert demo.theme(theme.id).name == "Renamed in margin"
        assert len(demo.history(10_000)) == before  # nothing stored while asking
        await pilot.press("escape")  # import nothing
        await pilot.pause()
        assert isinstance(app.screen, ProjectScreen)
        assert len(demo.history(10_000)) == before

        screen = await import_file(pilot, keyboard, qdpx)
        await settle(pilot, lambda: screen.state == "asking", "the question")
        await pilot.press("k")  # keep the project's
        await settle(pilot, lambda: screen.state == "done", "the import finished")
        assert demo.theme(theme.id).name == "Renamed in margin"
        await pilot.press("enter")
        await pilot.pause()

        screen = await import_file(pilot, keyboard, qdpx)
        await settle(pilot, lambda: screen.state == "asking", "the question")
        await pilot.press("o")  # overwrite with the file's
        await settle(pilot, lambda: screen.state == "done", "the import finished")
        assert "overwritten from the file: 1 theme" in screen_text(app)
    assert demo.theme(theme.id).name == theme.name
    assert demo.check() == []


async def test_escape_stops_an_import_and_nothing_changes(demo: Project, tmp_path: Path, keyboard: Keyboard,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    qdpx = export_project(demo, "qdpx", tmp_path / "demo.qdpx")
    reached = slow_down(import_module, "merge", monkeypatch)
    with Project.create(tmp_path / "empty.margin", coder="VR") as empty:
        app = MarginApp(empty)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = await import_file(pilot, keyboard, qdpx)
            await settle(pilot, reached.is_set, "the import started")
            await pilot.pause(0.05)
            assert screen.query_one("#progress", ProgressBar).progress >= 1
            await pilot.press("escape")
            await settle(pilot, lambda: screen.state == "done", "the worker stopped")
            assert "stopped: nothing was imported" in screen_text(app)
        assert (empty.transcripts(), empty.themes(), empty.participants()) == ([], [], [])
        assert empty.check() == []


async def test_a_damaged_qdpx_is_refused_in_one_line(study: Study, tmp_path: Path, keyboard: Keyboard) -> None:
    bad = tmp_path / "broken.qdpx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    app = MarginApp(study.project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await import_file(pilot, keyboard, bad)
        await settle(pilot, lambda: screen.state == "done", "the import finished")
        assert "not imported: " in screen_text(app) and "Traceback" not in screen_text(app)
    assert [t.title for t in study.project.transcripts()] == ["Interview 7"]


async def test_an_unexpected_fault_is_one_line_and_leaves_nothing(demo: Project, tmp_path: Path, keyboard: Keyboard,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyError("a bug")

    monkeypatch.setattr(export_module, "export_project", broken)
    app = MarginApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        await choose(pilot, screen, "md", "summary")
        await type_path(pilot, keyboard, screen, tmp_path / "r.md")
        await pilot.press("enter")
        await settle(pilot, lambda: not screen.running, "the worker stopped")
        status = str(screen.query_one("#status").content)  # type: ignore[attr-defined]
        assert status.startswith("not written: unexpected error (KeyError)") and "Traceback" not in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ProjectScreen)  # the app goes on
    assert not (tmp_path / "r.md").exists()
