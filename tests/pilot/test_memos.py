"""Memos and the journal in the real app: write, edit, delete, filter by stage and subject, search."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from modal_harness import screen_text
from textual.pilot import Pilot

from tui.app import MarginApp
from tui.project import Project
from tui.screens.confirm import ConfirmScreen
from tui.screens.memo_editor import MemoEditor
from tui.screens.memos import MemosScreen
from tui.screens.theme_board import ThemeBoardScreen
from tui.widgets.row_list import RowList

if TYPE_CHECKING:
    from conftest import Keyboard, Study

NARROW = (80, 24)


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.pause()


def titles(app: MarginApp) -> list[str]:
    screen = app.screen
    assert isinstance(screen, MemosScreen)
    return [m.title for m in screen.memos]


def stored(project: Project) -> list[tuple]:
    conn = sqlite3.connect(project.path)
    try:
        return conn.execute("SELECT title, stage, body, theme_id, transcript_id FROM memos ORDER BY id").fetchall()
    finally:
        conn.close()


async def test_a_journal_entry_with_a_stage_from_the_workspace(study: Study, keyboard: Keyboard) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, MemosScreen)
        assert "No memos here" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, MemoEditor)
        await keyboard.type(pilot, "After P07 [first]")
        await pilot.press("enter")  # to the stage chooser
        await pilot.press("down", "down", "down")  # no stage, reading, exploratory notes, statements
        await pilot.press("enter")  # to the text
        long = "I noticed my own hurry to find belonging in what P07 says. " * 4
        await keyboard.type(pilot, long)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert stored(study.project) == [("After P07 [first]", "statements", long, None, None)]
        assert "After P07 [first]" in screen_text(app) and "statements" in screen_text(app)


async def test_a_memo_on_a_theme_from_the_board(study: Study, keyboard: Keyboard) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, ThemeBoardScreen)
        board = app.screen
        index = next(i for i, r in enumerate(board._rows) if r.theme_id == study.belonging)
        board.rows.move_to(index)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, MemoEditor)
        await keyboard.type(pilot, "Why belonging")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert stored(study.project) == [("Why belonging", None, "", study.belonging, None)]
        assert isinstance(app.screen, MemosScreen) and titles(app) == ["Why belonging"]


async def test_filter_by_stage_and_subject_and_search(demo: Project, keyboard: Keyboard) -> None:
    app = MarginApp(demo)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        assert len(titles(app)) == 6
        assert titles(app)[-1] == "Journal: before the first interview"  # newest first, by date
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("6")  # all stages, reading, exploratory notes, statements, PETs, GETs
        await settle(pilot)
        assert sorted(titles(app)) == ["Journal: P02, and a first try at GETs",
                                       "Journal: P03 does not fit identity maturation",
                                       "What identity maturation means here"]
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("5")  # anything, project, participant, transcript, theme
        await settle(pilot)
        assert titles(app) == ["What identity maturation means here"]
        assert "on Identity maturation" in " ".join(screen_text(app).split())
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("1")
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("slash")
        await keyboard.type(pilot, "coat stand")
        await settle(pilot)
        assert titles(app) == ["Journal: after analysing P01"]
        await pilot.press("escape")
        await settle(pilot)
        assert len(titles(app)) == 6


async def test_edit_and_delete_a_memo_then_undo(demo: Project, keyboard: Keyboard) -> None:
    app = MarginApp(demo)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        first = app.screen.current()
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("end")
        await keyboard.type(pilot, " (revised)")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert demo.memo(first.id).title == first.title + " (revised)"
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert first.id not in [m.id for m in demo.memos()]
        await pilot.press("u")
        await settle(pilot)
        assert first.id in [m.id for m in demo.memos()]
        assert app.screen.query_one(RowList).row_count == 6


async def test_a_memo_on_a_participant_and_on_a_transcript_by_keyboard(study: Study, keyboard: Keyboard) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        for pick, title in (("2", "P07 as a person"), ("3", "How Interview 7 went")):  # after "the project"
            await pilot.press("N")
            await settle(pilot)
            assert "participant P07" in screen_text(app) and "transcript Interview 7 (P07)" in screen_text(app)
            await pilot.press(pick)
            await settle(pilot)
            assert isinstance(app.screen, MemoEditor)
            await keyboard.type(pilot, title)
            await pilot.press("ctrl+s")
            await settle(pilot)
        conn = sqlite3.connect(study.project.path)
        try:
            rows = conn.execute("SELECT title, participant_id, transcript_id FROM memos ORDER BY id").fetchall()
        finally:
            conn.close()
        assert rows == [("P07 as a person", study.participant_id, None), ("How Interview 7 went", None, study.transcript_id)]


async def test_an_untouched_memo_with_control_characters_closes_without_asking() -> None:
    # The editor shows a stored ESC or BEL as its symbol; escape on it unchanged loses nothing.
    from modal_harness import SIZE, ModalHost

    app = ModalHost(lambda: MemoEditor(heading="Memo", title="Ward \x1b]8;;x\x07 rounds", body="felt \x1b[2J small"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "\x1b" not in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, (MemoEditor, ConfirmScreen))
    assert app.results == [None]
