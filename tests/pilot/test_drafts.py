"""Typed text is never silently thrown away: escape asks, a failed save or a hang-up keeps a draft,
and the draft is offered again the next time."""

from __future__ import annotations

import stat
from typing import TYPE_CHECKING

import pytest
from modal_harness import screen_text
from textual.pilot import Pilot
from textual.widgets import TextArea

from tui.app import MarginApp
from tui.project import Project, ProjectError
from tui.screens.confirm import ConfirmScreen
from tui.screens.memo_editor import MemoEditor
from tui.screens.memos import MemosScreen
from tui.screens.note_editor import NoteEditor
from tui.screens.workspace import WorkspaceScreen

if TYPE_CHECKING:
    from conftest import Keyboard, Study

WIDE = (120, 40)


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.pause()


def notes(project: Project) -> list[tuple[int, int, str]]:
    return [(n.first_line, n.last_line, n.body) for n in project.notes(1)]


def refuse(*args: object, **kwargs: object) -> None:
    raise ProjectError("the disk is full: nothing was saved")


async def test_a_failed_save_keeps_the_note_and_n_offers_it_again(
    study: Study, keyboard: Keyboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("v", "j")  # lines 1-2
        await pilot.press("n")
        await settle(pilot)
        await keyboard.type(pilot, "she stands apart at the door")
        with monkeypatch.context() as patch:
            patch.setattr(study.project, "add_note", refuse)
            await pilot.press("ctrl+s")
            await settle(pilot)
        assert isinstance(app.screen, WorkspaceScreen)
        assert notes(study.project) == []
        assert [(d.ref, d.body) for d in study.project.drafts("note")] == [
            (f"{study.transcript_id}:1:2:descriptive", "she stands apart at the door")
        ]
        assert "its text is kept" in str(app.screen.query_one("#workspace-status").content)
        await pilot.press("escape", "g", "v", "j", "n")  # the same lines again
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.query_one("#body", TextArea).text == "she stands apart at the door"
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert notes(study.project) == [(1, 2, "she stands apart at the door")]
    assert study.project.drafts("note") == []  # saved: the draft is gone


async def test_a_draft_is_mentioned_when_the_transcript_opens(study: Study) -> None:
    study.project.save_draft("note", f"{study.transcript_id}:3:4:conceptual", "kept over a hang-up")
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "an unsaved note is kept for lines 3-4" in screen_text(app)
        await pilot.press("j", "j", "v", "j", "n")
        await settle(pilot)
        assert app.screen.query_one("#body", TextArea).text == "kept over a hang-up"
        await pilot.press("escape")  # nothing typed since, but the text is not saved: asks
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")  # thrown away on purpose
        await settle(pilot)
    assert study.project.drafts("note") == []


async def test_when_the_project_refuses_the_draft_too_it_goes_beside_it_owner_only(
    study: Study, keyboard: Keyboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await keyboard.type(pilot, "not to be lost")
        with monkeypatch.context() as patch:
            patch.setattr(study.project, "add_note", refuse)
            patch.setattr(study.project, "save_draft", refuse)
            await pilot.press("ctrl+s")
            await settle(pilot)
    kept = list(study.project.path.parent.glob(f"{study.project.path.name}.note-draft-*.txt"))
    assert len(kept) == 1
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    assert kept[0].read_text(encoding="utf-8").endswith("not to be lost")


async def test_keep_drafts_keeps_the_note_being_written(study: Study, keyboard: Keyboard) -> None:
    # What a hang-up does (MarginApp._on_signal) before it leaves.
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await keyboard.type(pilot, "half a thought")
        await pilot.press("ctrl+l")  # a linguistic note
        app.keep_drafts()
    assert [(d.ref, d.body) for d in study.project.drafts("note")] == [
        (f"{study.transcript_id}:1:1:linguistic", "half a thought")
    ]


async def test_memo_escape_asks_a_failed_save_keeps_it_and_n_offers_it(
    study: Study, keyboard: Keyboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, MemosScreen)
        await pilot.press("n")
        await settle(pilot)
        await keyboard.type(pilot, "My hurry")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)  # asked
        await pilot.press("n")  # keep writing
        await settle(pilot)
        assert isinstance(app.screen, MemoEditor)
        await pilot.press("tab", "tab")
        await keyboard.type(pilot, "I wanted belonging to be there.")
        with monkeypatch.context() as patch:
            patch.setattr(study.project, "add_memo", refuse)
            await pilot.press("ctrl+s")
            await settle(pilot)
        assert isinstance(app.screen, MemosScreen)
        assert study.project.memos() == []
        assert len(study.project.drafts("memo")) == 1
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, MemoEditor)
        assert "I wanted belonging to be there." in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert [(m.title, m.body) for m in study.project.memos()] == [("My hurry", "I wanted belonging to be there.")]
    assert study.project.drafts("memo") == []


async def test_escape_on_an_untouched_memo_closes_at_once(study: Study) -> None:
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MemosScreen)


async def test_a_failed_edit_of_a_note_is_offered_again_by_e_on_it(
    study: Study, keyboard: Keyboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    study.project.add_note(study.transcript_id, 1, 1, "descriptive", "first thought")
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await keyboard.type(pilot, ", then a second")
        with monkeypatch.context() as patch:
            patch.setattr(study.project, "edit_note", refuse)
            await pilot.press("ctrl+s")
            await settle(pilot)
        assert notes(study.project) == [(1, 1, "first thought")]
        assert study.project.drafts("note") == []  # not offered as a new note
        await pilot.press("e")
        await settle(pilot)
        assert app.screen.query_one("#body", TextArea).text == "first thought, then a second"
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert notes(study.project) == [(1, 1, "first thought, then a second")]
    assert study.project.drafts("note-edit") == []


async def test_a_kept_edit_is_mentioned_when_the_transcript_opens(study: Study) -> None:
    note = study.project.add_note(study.transcript_id, 5, 6, "linguistic", "repetition")
    study.project.save_draft("note-edit", f"{note.id}:linguistic", "repetition of 'again'")
    app = MarginApp(study.project, transcript_id=study.transcript_id)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "an unsaved note is kept for lines 5-6: e there offers it" in screen_text(app)
