"""The transcript pane: numbered lines, speakers, coding markers, cursor, selection, matches.

Built on Textual's Line API: only the rows on screen are rendered, so a 100,000-line transcript
scrolls as quickly as a short one. A line that does not fit the pane's width is wrapped at a
space onto more rows, never cut; its continuation rows show `↳` where the number is. In the IPA
margin layout each line is drawn between its exploratory notes (left) and its experiential
statements (right), each block as tall as its tallest column; the transcript column keeps the
width the lines were wrapped to whenever the pane leaves room for both margins.

Rows are counted lazily, a block of lines at a time (`ROW_BLOCK`): a block is measured when a row
of it is shown or the cursor goes there, and until then counts as an estimate, so opening,
resizing or switching the layout costs the same for 100 lines as for 100,000.

| key | action |
|---|---|
| `j` / `down`, `k` / `up` | next / previous line |
| `pagedown`, `pageup` | move by a page |
| `g` / `home`, `G` / `end` | first / last line |
| `v` | start or end a range selection |
| `escape` | clear the selection |
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from tui.project.model import Line
from tui.text import visible
from tui.widgets.kept_rows import hand_over, plain
from tui.widgets.scroll_bar import RowScrollBar


@dataclass(frozen=True)
class MarginEntry:
    """A piece of text anchored to a line in the margin layout: a note or a statement."""

    first_line: int
    last_line: int
    text: str


class LineSource(Protocol):
    """What the view reads lines from: `tui.project.transcript_lines.TranscriptLines` in the app."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> Line: ...

    def wider_than(self, cells: int) -> list[tuple[int, str]]:
        """(number, text) of every line that may be wider than `cells` cells (more is fine, fewer is not)."""
        ...

    def find(self, query: str) -> list[int]:
        """Indexes of the lines that contain `query`, ignoring case."""
        ...


class ListLines(list):  # type: ignore[type-arg]
    """A `LineSource` over lines already in memory (tests, small transcripts)."""

    def wider_than(self, cells: int) -> list[tuple[int, str]]:
        return [(line.number, line.text) for line in self if 2 * len(line.text) > cells]

    def find(self, query: str) -> list[int]:
        needle = query.casefold()
        return [i for i, line in enumerate(self) if needle and needle in line.text.casefold()]


def _break_at(text: str, end: int) -> tuple[int, int]:
    """Where to end a row that may hold `text[:end]`: (end of this row, start of the next).

    At the last space (dropped), else just after the last hyphen between two letters (kept, as
    in `self-` `deprecation`), else mid-word, only when a single word is wider than the row.
    """
    space = text.rfind(" ", 0, end + 1)
    hyphen = text.rfind("-", 0, end)
    if space < hyphen < len(text) - 1 and hyphen > 0 and text[hyphen - 1].isalpha() and text[hyphen + 1].isalpha():
        return hyphen + 1, hyphen + 1
    if space > 0:
        return space, space + 1
    return end, end


#: A line's coding count, beside its number: superscript figures, so that line 21 coded twice reads
#: `21²`, never `212`.
_COUNT_MARKS = "\u25cf\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"


def _coding_mark(count: int) -> str:
    """The mark for a line coded `count` times: ● once, ² to ⁹, ⁺ for ten or more, a space for none."""
    if count <= 0:
        return " "
    return _COUNT_MARKS[count - 1] if count <= len(_COUNT_MARKS) else "\u207a"


def wrap_cells(text: str, width: int) -> list[str]:
    """Split `text` into pieces of at most `width` cells, at spaces where possible; nothing is lost."""
    if width <= 0 or len(text) <= width // 2:
        return [text]
    if text.isascii():  # one cell per character: plain string search does it
        pieces = []
        while len(text) > width:
            cut, rest = _break_at(text, width)
            pieces.append(text[:cut])
            text = text[rest:]
        pieces.append(text)
        return pieces
    if cell_len(text) <= width:
        return [text]
    pieces: list[str] = []
    rest = text
    while rest:
        if cell_len(rest) <= width:
            pieces.append(rest)
            break
        cut, cells = 0, 0
        for index, char in enumerate(rest):
            cells += cell_len(char)
            if cells > width:
                break
            cut = index + 1
        cut, start = _break_at(rest, max(cut, 1))
        pieces.append(rest[:cut])
        rest = rest[start:]
    return pieces or [""]


#: Lines per block of the lazy row map.
ROW_BLOCK = 256
#: The narrowest a margin column gets before the transcript column gives up its import width.
SIDE_MIN = 12


class MarginColumn:
    """One margin's texts by line number, each wrapped to the column only when its line is shown."""

    def __init__(self, entries: Sequence[MarginEntry], width: int) -> None:
        self._entries: dict[int, list[MarginEntry]] = {}
        for entry in entries:
            self._entries.setdefault(entry.first_line, []).append(entry)
        self._width = width
        self._rows: dict[int, list[str]] = {}

    def get(self, number: int, default: Sequence[str] = ()) -> Sequence[str]:
        """The rows beside line `number`: each entry starting there, with its span."""
        rows = self._rows.get(number)
        if rows is None:
            entries = self._entries.get(number)
            if not entries:
                return default
            rows = []
            for entry in entries:
                span = f"{entry.first_line}" if entry.first_line == entry.last_line else f"{entry.first_line}-{entry.last_line}"
                shown = visible(" ".join(entry.text.split("\n")))
                rows.extend(wrap_cells(f"{shown} ({span})", self._width))
            self._rows[number] = rows
        return rows


class TranscriptView(ScrollView, can_focus=True):
    """A transcript's numbered lines, rendered a row at a time."""

    BINDINGS = [
        Binding("j,down", "cursor_down", "Next line", show=False),
        Binding("k,up", "cursor_up", "Previous line", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("g,home", "first", "First line", show=False),
        Binding("G,end", "last", "Last line", show=False),
        Binding("v", "select", "Select"),
        Binding("escape", "clear_selection", "Clear selection", show=False),
    ]

    COMPONENT_CLASSES = {
        "transcript-view--number",
        "transcript-view--speaker",
        "transcript-view--marker",
        "transcript-view--noted",
        "transcript-view--cursor",
        "transcript-view--selection",
        "transcript-view--match",
        "transcript-view--margin",
        "transcript-view--rule",
    }

    DEFAULT_CSS = """
    TranscriptView {
        background: $surface;
        color: $foreground;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
        & > .transcript-view--number { color: $text-muted; }
        & > .transcript-view--speaker { color: $accent; text-style: bold; }
        & > .transcript-view--marker { color: $success; text-style: bold; }
        & > .transcript-view--noted { color: $warning; }
        & > .transcript-view--cursor { background: $primary 40%; }
        & > .transcript-view--selection { background: $secondary 30%; }
        & > .transcript-view--match { background: $warning 60%; color: $foreground; text-style: bold; }
        & > .transcript-view--margin { color: $text-muted; }
        & > .transcript-view--rule { color: $panel-lighten-2; }
    }
    """

    def __init__(self, *, id: str | None = None, on_cursor_moved: Callable[[], None] | None = None) -> None:
        """`on_cursor_moved` is called whenever the cursor or the selection changes, at once: what
        it redraws (the coding pane, the status line) is then drawn in the same frame as the
        cursor (a message would arrive a frame later)."""
        super().__init__(id=id)
        self._on_cursor_moved = on_cursor_moved
        self._lines: LineSource = ListLines()
        self.cursor = 0
        """Index of the cursor line in the lines (0-based)."""
        self.anchor: int | None = None
        """Index where the range selection started, or None."""
        self.head: int | None = None
        """Index where the range selection was ended with `v`; None while it follows the cursor."""
        self._coded: dict[int, int] = {}
        self._noted: set[int] = set()
        self._query = ""
        self._matches: list[int] = []
        self._occurrences: list[tuple[int, int]] = []
        self._spanned: dict[int, set[str]] = {}
        self.margin_layout = False
        self._left = MarginColumn((), 0)
        self._right = MarginColumn((), 0)
        self._notes: Sequence[MarginEntry] = ()
        self._statements: Sequence[MarginEntry] | Callable[[], Sequence[MarginEntry]] = ()
        self.wrap_width = 72
        """The width the transcript's lines were wrapped to: the margin layout keeps it when it can."""
        # The row map, a block of ROW_BLOCK lines at a time: each block's rows (measured or estimated),
        # the first row of each block (None until needed again), and the measured blocks' first row
        # of each of their lines (relative to the block, one more entry for the block's end).
        self._block_rows: list[int] = []
        self._block_starts: list[int] | None = None
        self._measured: dict[int, list[int]] = {}
        self._estimate = 1.0
        self._row_count = 0
        self._layout_width = -1
        self._text_width = 8
        self._number_width = 1
        # Rendered rows by (line, row of it, width, cursor on it, selected, style), as Textual's Log
        # keeps them; emptied whenever what a row shows changes (lines, annotations, search, layout).
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)

    # ------------------------------------------------------------------ data

    def set_lines(self, lines: LineSource, wrap_width: int | None = None) -> None:
        """Show these lines (wrapped at `wrap_width` on import); the cursor goes to the first one."""
        self._lines = lines
        self._block_rows = []  # the old row map says nothing of these lines
        if wrap_width:
            self.wrap_width = wrap_width
        self.cursor = 0
        self.anchor = self.head = None
        self._number_width = len(str(len(lines))) if len(lines) else 1
        self._relayout()

    @property
    def line_count(self) -> int:
        """How many lines the transcript has."""
        return len(self._lines)

    def set_annotations(
        self,
        coded: Mapping[int, int],
        noted: set[int],
        notes: Sequence[MarginEntry] = (),
        statements: Sequence[MarginEntry] | Callable[[], Sequence[MarginEntry]] = (),
    ) -> None:
        """Set the coding counts and notes by line number, and the margin layout's texts (or a
        function that makes them, called when the margin layout is first drawn: thousands of
        codings need not be made into entries for a view that does not show them)."""
        self._coded = dict(coded)
        self._noted = set(noted)
        self._notes = notes
        self._statements = statements
        self._strips.clear()
        if self.margin_layout:  # only the margin layout's row heights depend on annotations
            self._relayout()
        else:
            self.refresh()

    def set_margin_layout(self, on: bool) -> None:
        """Switch between the plain transcript and the IPA margin layout."""
        self.margin_layout = on
        self._relayout()  # keeps the cursor line where it was on screen

    # ------------------------------------------------------------------ selection and cursor

    @property
    def cursor_line(self) -> Line | None:
        """The line under the cursor."""
        return self._lines[self.cursor] if len(self._lines) else None

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected range as (first, last) line numbers; the cursor line when nothing is selected."""
        if not len(self._lines):
            return None
        if self.anchor is None:
            low = high = self.cursor
        else:
            low, high = sorted((self.anchor, self.cursor if self.head is None else self.head))
        return self._lines[low].number, self._lines[high].number

    @property
    def selecting(self) -> bool:
        """Whether a range is selected (being extended, or ended with a second `v`)."""
        return self.anchor is not None

    def move_to(self, index: int) -> None:
        """Put the cursor on the line at `index`, scrolling it into view."""
        if not len(self._lines):
            return
        index = max(0, min(index, len(self._lines) - 1))
        before, self.cursor = self.cursor, index
        if self._scroll_to_cursor():
            self.refresh()
        elif self.anchor is not None:  # the selection grew or shrank by the lines in between
            low, high = sorted((before, index))
            self.refresh_lines(self._row_of(low), self._row_of(high) + self._height_of(high) - self._row_of(low))
        else:  # only the rows of the two cursor lines change
            for moved in {before, index}:
                self.refresh_lines(self._row_of(moved), self._height_of(moved))
        self._cursor_changed()

    def _cursor_changed(self) -> None:
        if self._on_cursor_moved is not None:
            self._on_cursor_moved()

    def go_to_number(self, number: int) -> None:
        """Put the cursor on the line with this number."""
        self.move_to(number - 1)  # lines are numbered 1..n in order

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        self._page(1)

    def action_page_up(self) -> None:
        self._page(-1)

    def _page(self, direction: int) -> None:
        """Move the cursor a page less one row, and the view with it: the next page shows (its
        first row the last of the page before), the cursor on the same row of the screen."""
        step = direction * max(self.scrollable_content_region.height - 1, 1)
        self.scroll_to(y=max(round(self.scroll_y) + step, 0), animate=False, immediate=True)
        self.move_to(self._line_at_row(max(self._row_of(self.cursor) + step, 0)))

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(len(self._lines) - 1)

    def action_select(self) -> None:
        """Start a range selection at the cursor; end it (the range stays, the cursor moves freely); start anew."""
        if self.anchor is not None and self.head is None:
            if self.anchor == self.cursor:  # `v v` on one line: nothing to keep
                self.anchor = None
            else:
                self.head = self.cursor
        else:
            self.anchor, self.head = self.cursor, None
        self.refresh()
        self._cursor_changed()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Keys still queued for this view when a dialog opened over it do not move it.
        return self.is_mounted and self.app.screen is self.screen

    def clear_selection(self) -> None:
        """Forget the range selection."""
        self.anchor = self.head = None
        self.refresh()
        self._cursor_changed()

    def action_clear_selection(self) -> None:
        self.clear_selection()

    # ------------------------------------------------------------------ search

    def set_query(self, query: str, occurrences: Sequence[tuple[int, int]] | None = None) -> int:
        """Highlight `query` (case-insensitive); return how many times it occurs.

        `occurrences` are (first line, last line) numbers of each occurrence, a phrase across a
        line break being one occurrence on two lines; without them each matching line is one.
        """
        self._query = " ".join(query.casefold().split())
        if not self._query:
            found: list[tuple[int, int]] = []
        elif occurrences is not None:
            found = sorted(occurrences)
        else:
            found = [(index + 1, index + 1) for index in self._lines.find(query)]
        self._occurrences = found
        self._matches = [first - 1 for first, _ in found]
        self._spanned = {}
        for first, last in found:
            for number in range(first, last + 1):
                role = "whole" if first < number < last else ("alone" if first == last else ("first" if number == first else "last"))
                self._spanned.setdefault(number, set()).add(role)
        self._strips.clear()
        self.refresh()
        return len(found)

    @property
    def matches(self) -> list[int]:
        """Indexes of the lines where each occurrence of the search starts: one per occurrence."""
        return self._matches

    def next_match(self, forward: bool = True, *, include_current: bool = False) -> int | None:
        """Move to the next (or previous) matching line, wrapping around; return its position in the matches."""
        if not self._matches:
            return None
        if forward:
            position = bisect.bisect_left(self._matches, self.cursor if include_current else self.cursor + 1)
            position = position % len(self._matches)
        else:
            position = bisect.bisect_left(self._matches, self.cursor) - 1
        position %= len(self._matches)
        self.move_to(self._matches[position])
        return position

    def match_position(self) -> int | None:
        """Where the cursor line stands among the matches, or None if it is not one."""
        position = bisect.bisect_left(self._matches, self.cursor)
        if position < len(self._matches) and self._matches[position] == self.cursor:
            return position
        return None

    # ------------------------------------------------------------------ layout

    def _gutter_width(self) -> int:
        # cursor mark, space, number, coding marker, note marker, space
        return 1 + self._number_width + 1 + 3

    def width_for(self, text_width: int) -> int:
        """The pane width (border and scrollbar included) that shows `text_width` characters unwrapped."""
        return text_width + self._gutter_width() + 3

    def _columns(self, width: int) -> tuple[int, int, int]:
        """Widths of the left margin, the transcript text and the right margin."""
        gutter = self._gutter_width()
        if not self.margin_layout:
            return 0, max(width - gutter, 8), 0
        room = width - gutter - 2  # two rules
        if room - self.wrap_width >= 2 * SIDE_MIN:  # the lines as imported, the margins share the rest
            side = (room - self.wrap_width) // 2
        else:
            side = max(room // 5, SIDE_MIN)
        text = max(room - 2 * side, 8)
        return side, text, side

    def _relayout(self) -> None:
        """Forget the row map (each block is measured again when needed), keeping the cursor line in view.

        The cursor line stays on the row of the screen it was on (the top line, if the cursor was
        off screen), so a resize or a switch of layout never loses the reader's place.
        """
        width = self.scrollable_content_region.width
        height = max(self.scrollable_content_region.height, 1)
        count = len(self._lines)
        keep: tuple[int, int] | None = None
        if self._block_rows and count and self._layout_width > 0:
            scroll_y = round(self.scroll_y)
            cursor_row = self._row_of(min(self.cursor, count - 1))
            if scroll_y <= cursor_row < scroll_y + height:
                keep = (self.cursor, cursor_row - scroll_y)
            else:
                top = self._line_at_row(scroll_y)
                keep = (top, self._row_of(top) - scroll_y)
        self._layout_width = width
        left_width, self._text_width, right_width = self._columns(max(width, 1))
        self._left = MarginColumn(self._notes if self.margin_layout else (), left_width)
        if self.margin_layout and callable(self._statements):
            self._statements = self._statements()
        self._right = MarginColumn(self._statements if self.margin_layout else (), right_width)
        self._measured = {}
        blocks = (count + ROW_BLOCK - 1) // ROW_BLOCK
        self._block_rows = [min(ROW_BLOCK, count - b * ROW_BLOCK) for b in range(blocks)]
        self._block_starts = None
        self._estimate = 1.0
        if blocks and width > 0:
            # Measure where the reader is, and estimate every other block from it.
            sample = (keep[0] if keep else self.cursor) // ROW_BLOCK
            self._measure(min(sample, blocks - 1))  # (the block starts are not built yet: nothing shifts)
            sample = min(sample, blocks - 1)
            self._estimate = self._block_rows[sample] / min(ROW_BLOCK, count - sample * ROW_BLOCK)
            for b in range(blocks):
                if b not in self._measured:
                    self._block_rows[b] = round(min(ROW_BLOCK, count - b * ROW_BLOCK) * self._estimate)
            self._block_starts = None
        self._sync_size()
        self._strips.clear()
        if keep is not None and width > 0:
            line, offset = keep
            self.scroll_to(y=max(self._row_of(line) - offset, 0), animate=False, immediate=True)
        self.refresh()

    def _line_height(self, index: int) -> int:
        """How many rows the line at `index` takes at the current width and layout."""
        line = self._lines[index]
        text = line.text
        rows = 1 if len(text) * 2 <= self._text_width else len(wrap_cells(visible(text), self._text_width))
        if self.margin_layout:
            rows = max(rows, len(self._left.get(line.number, ())), len(self._right.get(line.number, ())))
        return rows

    def _measure(self, block: int) -> list[int]:
        """The first row of each line of `block` (relative to it), measuring the block if needed."""
        firsts = self._measured.get(block)
        if firsts is not None:
            return firsts
        first = block * ROW_BLOCK
        firsts = [0]
        for index in range(first, min(first + ROW_BLOCK, len(self._lines))):
            firsts.append(firsts[-1] + self._line_height(index))
        self._measured[block] = firsts
        delta = firsts[-1] - self._block_rows[block]
        if delta:
            self._block_rows[block] = firsts[-1]
            starts = self._block_starts
            if starts is not None:
                above = starts[block + 1] <= round(self.scroll_y)  # wholly above the screen
                for b in range(block + 1, len(starts)):
                    starts[b] += delta
                if self._rendering:  # the scroll view learns the new height after this frame
                    self.call_later(self._sync_size)
                else:
                    self._sync_size()
                    if above and self._layout_width > 0:  # what is on screen stays where it is
                        self.scroll_to(y=max(round(self.scroll_y) + delta, 0), animate=False, immediate=True)
        return firsts

    _rendering = False

    def _starts(self) -> list[int]:
        if self._block_starts is None:
            starts = [0]
            for rows in self._block_rows:
                starts.append(starts[-1] + rows)
            self._block_starts = starts
        return self._block_starts

    def _sync_size(self) -> None:
        """Tell the scroll view how many rows there are (as far as they are known)."""
        self._row_count = self._starts()[-1]
        size = Size(max(self._layout_width, 0), self._row_count)
        if self.virtual_size != size:
            self.virtual_size = size

    def _row_of(self, index: int) -> int:
        """The first row of the line at `index`."""
        if not self._block_rows:
            return index
        block, offset = divmod(index, ROW_BLOCK)
        firsts = self._measure(block)
        return self._starts()[block] + firsts[offset]

    def _line_at_row(self, row: int) -> int:
        """The index of the line drawn on `row`."""
        count = len(self._lines)
        if not count or not self._block_rows:
            return 0
        last = len(self._block_rows) - 1
        while True:
            starts = self._starts()
            block = min(max(bisect.bisect_right(starts, row) - 1, 0), last)
            firsts = self._measure(block)
            starts = self._starts()
            within = row - starts[block]
            if within < firsts[-1] or block == last:
                offset = max(bisect.bisect_right(firsts, within) - 1, 0)
                return min(block * ROW_BLOCK + min(offset, len(firsts) - 2), count - 1)
            # The block turned out shorter than estimated: the row is in a later one.

    def _height_of(self, index: int) -> int:
        if not self._block_rows:
            return 1
        block, offset = divmod(index, ROW_BLOCK)
        firsts = self._measure(block)
        return firsts[offset + 1] - firsts[offset]

    def _scroll_to_cursor(self) -> bool:
        """Scroll the cursor line into view; whether that scrolled."""
        top = self._row_of(self.cursor)
        bottom = top + self._height_of(self.cursor)
        height = self.scrollable_content_region.height
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False, immediate=True)
            return True
        if bottom > self.scroll_y + height:
            self.scroll_to(y=max(bottom - height, 0), animate=False, immediate=True)
            return True
        return False

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self._layout_width:
            self._relayout()
        self._scroll_to_cursor()  # a pane shown or hidden below changes the height alone

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._rich_style_cache.clear()
        self._strips.clear()

    # ------------------------------------------------------------------ rendering

    _frame: tuple[int, int, int, Style] | None = None
    """While a frame is drawn: the scroll offset, the text's width, the view's width and its style,
    worked out once a frame, not once a row (the style walks every ancestor)."""

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The vertical scrollbar, made as Textual makes it (`Widget.vertical_scrollbar`), but a
        `RowScrollBar`: on a scroll Textual's own took longer to draw than the transcript."""
        if self._vertical_scrollbar is None:
            self._vertical_scrollbar = bar = RowScrollBar(vertical=True, name="vertical", thickness=self.scrollbar_size_vertical)
            bar.display = False
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar

    def render_lines(self, crop: Region) -> list[Strip]:
        """The rows in `crop`, as `render_line` makes and keeps them, past the styles cache (which
        cost more than the rows themselves on a scroll: `kept_rows`). The workspace frames the
        view, so it has no border of its own; a view with one takes Textual's way."""
        self._frame = (self.scroll_offset.y, self.scrollable_content_region.width, self.size.width, self.rich_style)
        try:
            if not plain(self):
                return super().render_lines(crop)
            return hand_over(self, [self.render_line(y) for y in crop.line_range], crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        """Render the row `y` rows below the top of the pane (as wide as the view: the last
        column, under the scrollbar, blank)."""
        scroll_y, width, full, base = self._frame or (
            self.scroll_offset.y, self.scrollable_content_region.width, self.size.width, self.rich_style
        )
        row = scroll_y + y
        if not len(self._lines) or row >= self._row_count:
            return Strip.blank(full, base)
        self._rendering = True
        try:
            index = self._line_at_row(row)
            part = row - self._row_of(index)
            if part >= self._height_of(index):  # past the end, while the scroll view catches up
                return Strip.blank(full, base)
        finally:
            self._rendering = False
        if self.anchor is None:
            selected = False
        else:
            low, high = sorted((self.anchor, self.cursor if self.head is None else self.head))
            selected = low <= index <= high
        key = (index, part, width, full, index == self.cursor, selected, base)
        strip = self._strips.get(key)
        if strip is None:
            strip = Strip(self._row_segments(index, part, width, base)).crop_extend(0, full, base)
            self._strips[key] = strip
        return strip

    def _row_segments(self, index: int, part: int, width: int, base: Style) -> list[Segment]:
        line = self._lines[index]
        style = self.get_component_rich_style
        selection = self.selection if self.anchor is not None else None
        is_cursor = index == self.cursor
        selected = selection is not None and selection[0] <= line.number <= selection[1]
        background = base
        if selected:
            background = base + style("transcript-view--selection")
        if is_cursor:
            background = base + style("transcript-view--cursor")
        left_width, text_width, right_width = self._columns(width)
        segments: list[Segment] = []
        if self.margin_layout:
            left = self._left.get(line.number, [])
            segments.append(Segment(_fit(left[part] if part < len(left) else "", left_width), base + style("transcript-view--margin")))
            segments.append(Segment("│", base + style("transcript-view--rule")))
        # gutter
        first_row = part == 0
        mark = "▶" if is_cursor and first_row else ("┃" if selected else " ")
        segments.append(Segment(mark, background + style("transcript-view--marker")))
        # text: the line exactly as stored, the speaker label that opens a turn in its own colour
        full = visible(line.text)
        pieces = wrap_cells(full, text_width)
        # A wrapped line's further rows say they continue it: no row of text is left unnumbered.
        if first_row:
            number = str(line.number).rjust(self._number_width)
        else:
            number = ("↳" if part < len(pieces) else "").rjust(self._number_width)
        # The space goes before the number, so the cursor mark never runs into it (▶ 77, not ▶77).
        segments.append(Segment(" " + number, background + style("transcript-view--number")))
        count = self._coded.get(line.number, 0)
        marker = _coding_mark(count) if first_row else " "
        note = "✎" if first_row and line.number in self._noted else " "
        segments.append(Segment(marker, background + style("transcript-view--marker")))
        segments.append(Segment(note + " ", background + style("transcript-view--noted")))
        text = pieces[part] if part < len(pieces) else ""
        offset = _piece_offset(full, pieces, part)
        label = max(min(len(visible(line.text[: line.label_length])) - offset, len(text)), 0)
        spans = [(max(a - offset, 0), min(b - offset, len(text))) for a, b in self._match_spans(line.number, full)
                 if b > offset and a < offset + len(text)]
        segments.extend(
            self._styled_text(text, label, spans, background, style("transcript-view--speaker"), style("transcript-view--match"))
        )
        used = sum(cell_len(s.text) for s in segments)
        if self.margin_layout:
            target = left_width + 1 + self._gutter_width() + text_width
            if used < target:
                segments.append(Segment(" " * (target - used), background))
            right = self._right.get(line.number, [])
            segments.append(Segment("│", base + style("transcript-view--rule")))
            segments.append(Segment(_fit(right[part] if part < len(right) else "", right_width), base + style("transcript-view--margin")))
        elif used < width:
            segments.append(Segment(" " * (width - used), background))
        return segments

    def _match_spans(self, number: int, text: str) -> list[tuple[int, int]]:
        """(start, end) of what the search marks on line `number`, whose shown text is `text`."""
        roles = self._spanned.get(number)
        if not roles or not text:
            return []
        folded = text.casefold()
        if len(folded) != len(text) or "whole" in roles:  # casefold changed lengths (ß → ss): the whole line
            return [(0, len(text))]
        needle = self._query
        spans: list[tuple[int, int]] = []
        if "alone" in roles:
            words = needle.split(" ")
            pattern = r"\s+".join(re.escape(word) for word in words)
            spans += [m.span() for m in re.finditer(pattern, folded)]
        if "first" in roles:  # the line ends with the start of the phrase
            stripped = folded.rstrip()
            for cut in (i for i in range(len(needle) - 1, 0, -1) if needle[i] == " "):
                if stripped.endswith(needle[:cut]):
                    spans.append((len(stripped) - cut, len(stripped)))
                    break
        if "last" in roles:  # the line starts with the end of the phrase
            lead = len(folded) - len(folded.lstrip())
            for cut in (i for i in range(len(needle)) if needle[i] == " "):
                if folded[lead:].startswith(needle[cut + 1 :]):
                    spans.append((lead, lead + len(needle) - cut - 1))
                    break
        return spans

    def _styled_text(
        self, text: str, label: int, spans: list[tuple[int, int]], base: Style, speaker: Style, match: Style
    ) -> list[Segment]:
        """Segments of `text`: the first `label` characters as the speaker, the `spans` marked as matches."""
        cuts = sorted({0, label, len(text), *(i for span in spans for i in span if 0 <= i <= len(text))})
        segments: list[Segment] = []
        for begin, end in zip(cuts, cuts[1:]):
            style = base + speaker if begin < label else base
            if any(a <= begin < b for a, b in spans):
                style += match
            segments.append(Segment(text[begin:end], style))
        return segments


def _piece_offset(text: str, pieces: list[str], part: int) -> int:
    """Where the row `part` of a wrapped line starts in the line's text."""
    position = 0
    for index, piece in enumerate(pieces):
        start = text.find(piece, position) if piece else position
        start = position if start < 0 else start
        if index == part:
            return start
        position = start + len(piece)
    return position


def _fit(text: str, width: int) -> str:
    """Pad or cut `text` to exactly `width` cells."""
    length = cell_len(text)
    if length <= width:
        return text + " " * (width - length)
    out, cells = "", 0
    for char in text:
        if cells + cell_len(char) > width - 1:
            break
        out += char
        cells += cell_len(char)
    return out + "…" + " " * (width - cells - 1)
