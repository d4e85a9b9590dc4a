"""The extracts screen in the real app: citations, text, context, key quotes, jump to the transcript."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from modal_harness import screen_text
from textual.pilot import Pilot

from tui.app import MarginApp
from tui.project import Project, analysis
from tui.screens.extracts import ExtractsScreen
from tui.screens.workspace import WorkspaceScreen
from tui.widgets.row_list import RowList
from tui.widgets.transcript_view import TranscriptView

if TYPE_CHECKING:
    from conftest import Study

NARROW = (80, 24)


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.pause()


async def open_extracts(pilot: Pilot[None], app: MarginApp, project: Project, theme: str) -> ExtractsScreen:
    await settle(pilot)
    await app.push_screen(ExtractsScreen(project, project.find_theme(theme).id))
    await settle(pilot)
    assert isinstance(app.screen, ExtractsScreen)
    return app.screen


async def test_every_extract_of_a_get_and_its_descendants_with_citations(demo: Project) -> None:
    app = MarginApp(demo)
    async with app.run_test(size=NARROW) as pilot:
        screen = await open_extracts(pilot, app, demo, "Identity maturation")
        expected = analysis.extracts(demo, demo.find_theme("Identity maturation").id)
        rows = screen.query_one(RowList)
        assert rows.row_count == len(expected) > 20
        texts = [rows.row_text(i) for i in range(rows.row_count)]
        assert [t[2:].split()[0] + " " + t[2:].split()[1] for t in texts] == [e.citation for e in expected]
        shown = screen_text(app)
        assert f"{len(expected)} extracts" in shown and "2 participants" in shown
        assert expected[0].citation in shown and "P01-interview" in shown  # the pane below: whole text


async def test_key_quote_mark_is_saved_shown_and_undone(demo: Project) -> None:
    app = MarginApp(demo)
    async with app.run_test(size=NARROW) as pilot:
        screen = await open_extracts(pilot, app, demo, "Fear of being wrong in print")
        extract = screen.current()
        assert extract is not None and not extract.key_quote
        await pilot.press("asterisk")
        await settle(pilot)
        conn = sqlite3.connect(demo.path)
        assert conn.execute("SELECT key_quote FROM codings WHERE id = ?", (extract.coding_id,)).fetchone()[0] == 1
        assert screen.query_one(RowList).row_text(0).startswith("★")
        await pilot.press("u")
        await settle(pilot)
        assert conn.execute("SELECT key_quote FROM codings WHERE id = ?", (extract.coding_id,)).fetchone()[0] == 0
        conn.close()


async def test_context_lines_on_demand(study: Study) -> None:
    study.project.tag(study.transcript_id, 10, 11, study.belonging)
    app = MarginApp(study.project)
    async with app.run_test(size=NARROW) as pilot:
        await open_extracts(pilot, app, study.project, "Sense of belonging")
        assert "Line 8 of" not in screen_text(app)
        await pilot.press("c")
        await settle(pilot)
        shown = screen_text(app)
        assert "Line 8 of the interview" in shown and "Line 13 of the interview" in shown
        assert "▌   10" in shown


async def test_enter_goes_to_the_extract_in_its_transcript(study: Study) -> None:
    study.project.tag(study.transcript_id, 40, 42, study.belonging)
    app = MarginApp(study.project)
    async with app.run_test(size=NARROW) as pilot:
        await open_extracts(pilot, app, study.project, "Sense of belonging")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WorkspaceScreen)
        line = app.screen.query_one(TranscriptView).cursor_line
        assert line is not None and line.number == 40


async def test_markup_in_extracts_is_shown_literally(markup_study: Study) -> None:
    markup_study.project.tag(markup_study.transcript_id, 1, 4, markup_study.belonging)
    app = MarginApp(markup_study.project)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_extracts(pilot, app, markup_study.project, "Sense of belonging")
        shown = screen_text(app)
        assert "[laughs]" in shown and "[bold]x[/bold]" in shown and "[/]" in shown
        assert "\x1b" not in shown and "␛" in shown
