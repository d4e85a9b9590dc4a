"""The IPA margin view (`m`): the transcript's numbered lines stay as they were cut on import.

Each line keeps its number; a line that must wrap (80x24) wraps at a space, its further rows
marked `↳`; no word is split in the middle; the cursor line stays in view when the layout or the
window changes; the row map is measured only where the reader is.
"""

from __future__ import annotations

from typing import Any

from conftest import Study, StudyMaker
from modal_harness import screen_text
from textual.app import App, ComposeResult

from tui.app import MarginApp
from tui.project.model import Line
from tui.screens.workspace import WorkspaceScreen
from tui.widgets.transcript_view import MarginEntry, TranscriptView, wrap_cells

WIDE = (120, 40)
NARROW = (80, 24)

#: Forty turns of 64 to 72 characters: at 120 columns each fits beside both margins, at 80 it wraps.
LONG_TURNS = [
    ("Interviewer: " if n % 2 else "P07: ") + f"Turn {n:02}, the words run on with self-deprecation to the end."
    for n in range(1, 41)
]


def app_for(study: Study) -> MarginApp:
    return MarginApp(study.project, transcript_id=study.transcript_id, ask_coder=False)


def view(app: MarginApp) -> TranscriptView:
    screen = app.screen
    assert isinstance(screen, WorkspaceScreen)
    return screen.query_one(TranscriptView)


def transcript_rows(app: MarginApp) -> list[str]:
    """The transcript column of each row the view shows: gutter and text, margins cut away."""
    transcript = view(app)
    region = transcript.content_region
    left, text, _ = transcript._columns(transcript.scrollable_content_region.width)
    gutter = transcript._gutter_width()
    start = region.x + (left + 1 if transcript.margin_layout else 0)
    rows = screen_text(app).splitlines()[region.y : region.y + region.height]
    return [row[start : start + gutter + text] for row in rows]


async def start(pilot: Any) -> None:
    await pilot.pause()
    await pilot.pause()


async def test_wide_margin_view_keeps_each_line_as_imported(make_study: StudyMaker) -> None:
    study = make_study(turns=LONG_TURNS)
    study.project.add_note(study.transcript_id, 2, 2, "linguistic", "A note beside line two.")
    app = app_for(study)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("m")
        await pilot.pause()
        rows = [row for row in transcript_rows(app) if row.strip()]
        assert rows
        for row in rows:
            assert "Turn" in row and "the end." in row, f"re-wrapped at 120 columns: {row!r}"
            assert "↳" not in row


async def test_narrow_margin_view_wraps_at_spaces_and_marks_continuations(make_study: StudyMaker) -> None:
    study = make_study(turns=LONG_TURNS)
    app = app_for(study)
    async with app.run_test(size=NARROW) as pilot:
        await start(pilot)
        await pilot.press("m")
        await pilot.pause()
        transcript = view(app)
        gutter = transcript._gutter_width()
        rows = transcript_rows(app)
        words = {word for turn in LONG_TURNS for word in turn.split()}
        words |= {"self-", "deprecation"}  # a hyphenated word may break after its hyphen
        shown: dict[int, list[str]] = {}
        number = None
        for row in rows:
            head, text = row[:gutter], row[gutter:].strip()
            if not text:
                continue
            label = head[2:-3].strip()
            if label == "↳":
                assert number is not None, "a continuation row before any numbered row"
            else:
                assert label.isdigit(), f"a row of text without a number or ↳: {row!r}"
                number = int(label)
            shown.setdefault(number, []).append(text)
            for word in text.split():
                assert word in words, f"a word split in the middle: {word!r} in {row!r}"
        assert any(len(pieces) > 1 for pieces in shown.values()), "nothing wrapped at 80 columns"
        for number, pieces in shown.items():
            if number != min(shown) or len(pieces) > 1:  # the top line may be scrolled half off
                assert " ".join(pieces).replace("- ", "-") == LONG_TURNS[number - 1]


async def test_narrow_margin_note_breaks_after_a_hyphen_not_mid_word(make_study: StudyMaker) -> None:
    study = make_study()
    body = "Honesty in advance, in an ironic register. Confident voice, with quick self-deprecation."
    study.project.add_note(study.transcript_id, 3, 3, "linguistic", body)
    app = app_for(study)
    async with app.run_test(size=NARROW) as pilot:
        await start(pilot)
        await pilot.press("j", "j", "m")
        await pilot.pause()
        text = screen_text(app)
        assert "deprecation." in text
        assert "deprecati" not in text.replace("deprecation", "")
        assert "self-" in text


def test_wrap_keeps_words_and_the_text_whole() -> None:
    text = "with quick self-deprecation (13-14) and a supercalifragilisticexpialidocious word"
    for width in (10, 12, 14, 17, 30):
        pieces = wrap_cells(text, width)
        assert all(len(piece) <= width for piece in pieces)
        assert "".join(pieces).replace(" ", "") == text.replace(" ", "")
        if width >= 14:
            assert "(13-14)" in pieces or "(13-14)" in " ".join(pieces).split()  # a span is not cut at its dash
    assert wrap_cells("quick self-deprecation.", 14) == ["quick self-", "deprecation."]


async def test_cursor_line_stays_in_view_when_the_layout_or_the_window_changes(make_study: StudyMaker) -> None:
    study = make_study(turns=LONG_TURNS)
    app = app_for(study)
    async with app.run_test(size=NARROW) as pilot:
        await start(pilot)
        for _ in range(30):
            await pilot.press("j")
        await pilot.pause()
        assert "▶ 31" in screen_text(app)
        await pilot.press("m")  # every line now takes two rows
        await pilot.pause()
        assert "▶ 31" in screen_text(app)
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert "▶ 31" in screen_text(app)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert "▶ 31" in screen_text(app)
        await pilot.press("m")
        await pilot.pause()
        assert "▶ 31" in screen_text(app)


# ---------------------------------------------------------------------- cost


class CountedLines:
    """A `LineSource` of `count` generated long lines that counts how many are read."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.read: set[int] = set()

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> Line:
        if not 0 <= index < self.count:
            raise IndexError(index)
        self.read.add(index)
        text = f"P07: line {index + 1} of a long interview, running past the margin."  # < 70: one row
        return Line(index + 1, "P07", text, 0, len(text))

    def wider_than(self, cells: int) -> list[tuple[int, str]]:
        raise AssertionError("the view measured every line")

    def find(self, query: str) -> list[int]:
        return []


class ViewApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TranscriptView(id="transcript")


async def test_the_margin_row_map_is_measured_only_where_the_reader_is() -> None:
    lines = CountedLines(100_000)
    app = ViewApp()
    async with app.run_test(size=NARROW) as pilot:
        transcript = app.query_one(TranscriptView)
        transcript.set_lines(lines, 72)
        notes = [MarginEntry(number, number, "a note " * 20) for number in range(10, 100_000, 100)]
        transcript.set_annotations({}, set(), notes=[*notes, MarginEntry(50_000, 50_000, "a note " * 20)])
        transcript.set_margin_layout(True)
        await pilot.pause()
        transcript.focus()
        await pilot.press("G")
        await pilot.pause()
        assert "100000" in screen_text(app)
        transcript.go_to_number(50_000)
        await pilot.pause()
        assert "a note" in screen_text(app) and "50000" in screen_text(app)
        await pilot.press("pageup", "pageup", "k")
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert len(lines.read) < 20 * 256, f"{len(lines.read)} of 100,000 lines read"
        assert len(transcript._left._rows) < 100, "every note was wrapped, not just those shown"
        # The rows counted so far agree with the lines measured: the last line can be reached.
        await pilot.press("G")
        await pilot.pause()
        assert "100000" in screen_text(app)


async def test_switching_the_layout_keeps_the_cursor_line_on_its_row_of_the_screen() -> None:
    app = ViewApp()
    async with app.run_test(size=NARROW) as pilot:
        transcript = app.query_one(TranscriptView)
        transcript.set_lines(CountedLines(3_000), 72)
        await pilot.pause()
        transcript.go_to_number(1_000)
        await pilot.pause()
        transcript.move_to(990)  # ten rows under the top of the screen
        await pilot.pause()
        on_screen = transcript._row_of(transcript.cursor) - round(transcript.scroll_y)
        assert 0 < on_screen < transcript.scrollable_content_region.height
        for margin in (True, False, True):
            transcript.set_margin_layout(margin)
            await pilot.pause()
            assert transcript._row_of(transcript.cursor) - round(transcript.scroll_y) == on_screen
            assert "▶  991" in screen_text(app)


async def test_a_line_coded_several_times_shows_a_count_that_cannot_join_its_number(make_study: StudyMaker) -> None:
    study = make_study()
    for theme in (study.belonging, study.exposure):
        study.project.tag(study.transcript_id, 12, 12, theme)
    study.project.tag(study.transcript_id, 13, 13, study.belonging)
    app = app_for(study)
    async with app.run_test(size=NARROW) as pilot:
        await start(pilot)
        rows = transcript_rows(app)
        assert any(row.lstrip(" ▶┃").startswith("12²") for row in rows), rows
        assert any(row.lstrip(" ▶┃").startswith("13●") for row in rows)
        assert not any(row.lstrip(" ▶┃").startswith("122") for row in rows)
