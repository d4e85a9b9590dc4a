"""The transcript view and its scrollbar hand the compositor their rows, not through the styles cache.

What it hands over must be what the styles cache would have made of the same rows (with the line
filters applied, and cut to the columns asked for), in every state a row can be in: the cursor,
a selection, a search match, a note, a coding, the margin layout, a wrapped line, ANSI colours
converted or not, NO_COLOR.
"""

from __future__ import annotations

import pytest
from conftest import Study, StudyMaker
from textual.geometry import Region
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widget import Widget

from tui.app import MarginApp
from tui.screens.workspace import WorkspaceScreen
from tui.widgets.scroll_bar import RowScrollBar
from tui.widgets.transcript_view import TranscriptView

WIDE = (120, 40)
NARROW = (80, 24)


def view(app: MarginApp) -> TranscriptView:
    screen = app.screen
    assert isinstance(screen, WorkspaceScreen)
    return screen.query_one(TranscriptView)


def cells(strips: list[Strip]) -> list[list[tuple[str, object]]]:
    """Each row as (text, style) runs, joined where the style is the same."""
    return [[(segment.text, segment.style) for segment in strip.simplify()] for strip in strips]


def assert_rows_as_textual_makes_them(transcript: TranscriptView) -> None:
    width, height = transcript.size
    assert width > 10 and height > 5
    for crop in (Region(0, 0, width, height), Region(3, 2, width - 7, height - 4)):
        ours = transcript.render_lines(crop)
        transcript._styles_cache.clear()  # the styles cache's own rows, made afresh
        theirs = Widget.render_lines(transcript, crop)
        assert [strip.cell_length for strip in ours] == [crop.width] * crop.height
        assert cells(ours) == cells(theirs)


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"])
@pytest.mark.parametrize("size", [WIDE, NARROW])
async def test_the_views_rows_are_what_the_styles_cache_makes(
    study: Study, size: tuple[int, int], no_color: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if no_color:  # one more line filter: every colour taken away
        monkeypatch.setenv("NO_COLOR", "1")
    project = study.project
    project.add_note(study.transcript_id, 4, 5, "linguistic", "On lines four and five.")
    project.tag(study.transcript_id, 2, 3, study.belonging)
    app = MarginApp(project, transcript_id=study.transcript_id, ask_coder=False)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        transcript = view(app)
        await pilot.press("j", "j", "v", "j", "j")  # the cursor on line 5, lines 3-5 selected
        await pilot.pause()
        assert_rows_as_textual_makes_them(transcript)
        await pilot.press("escape", "slash", *"ward", "enter")  # a search's matches marked
        await pilot.pause()
        assert transcript.matches
        assert_rows_as_textual_makes_them(transcript)
        await pilot.press("m")  # the margin layout: notes and themes beside the text
        await pilot.pause()
        assert transcript.margin_layout
        assert_rows_as_textual_makes_them(transcript)
        await pilot.press("G")  # scrolled to the end
        await pilot.pause()
        assert transcript.scroll_y > 0
        assert_rows_as_textual_makes_them(transcript)
        app.ansi_color = True  # the line filter that turns ANSI colours into RGB is switched off
        await pilot.pause()
        assert_rows_as_textual_makes_them(transcript)


def assert_bar_as_textual_makes_it(bar: RowScrollBar) -> None:
    width, height = bar.size
    assert (width, height) > (0, 5)
    for crop in (Region(0, 0, width, height), Region(0, 3, width, height - 5)):
        ours = bar.render_lines(crop)
        bar._styles_cache.clear()
        theirs = ScrollBar.render_lines(bar, crop)  # Textual's: Rich's rendering, then the styles cache
        assert [strip.cell_length for strip in ours] == [width] * crop.height
        assert cells(ours) == cells(theirs)


async def test_the_scrollbar_draws_as_textuals_and_a_click_below_its_thumb_pages_down(make_study: StudyMaker) -> None:
    turns = [f"P07: Line {n} of a long interview." for n in range(1, 301)]
    study = make_study(turns=turns)
    app = MarginApp(study.project, transcript_id=study.transcript_id, ask_coder=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        transcript = view(app)
        bar = transcript.vertical_scrollbar
        assert isinstance(bar, RowScrollBar) and bar.display
        assert_bar_as_textual_makes_it(bar)
        await pilot.press(":", *"150", "enter")  # the thumb in the middle
        await pilot.pause()
        assert_bar_as_textual_makes_it(bar)
        top = transcript.scroll_y
        await pilot.click(bar, offset=(0, bar.size.height - 1))  # below the thumb
        await pilot.pause()
        assert transcript.scroll_y > top
        assert_bar_as_textual_makes_it(bar)
