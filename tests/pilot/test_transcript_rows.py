"""The transcript view hands the compositor its rows itself, not through Textual's styles cache.

What it hands over must be what the styles cache would have made of the same rows (with the line
filters applied, and cut to the columns asked for), in every state a row can be in: the cursor,
a selection, a search match, a note, a coding, the margin layout, a wrapped line, ANSI colours
converted or not, NO_COLOR.
"""

from __future__ import annotations

import pytest
from conftest import Study
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from tui.app import MarginApp
from tui.screens.workspace import WorkspaceScreen
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
