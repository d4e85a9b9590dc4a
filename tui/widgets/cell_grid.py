"""A table of one-line cells under a header, with a cell cursor, drawn a screen at a time.

The GET table is fifty participants wide: Textual's DataTable renders every cell of a row to show
the few in view, which was most of the 130 ms the table took to open. This grid renders only the
cells on screen (Textual's Line API), as `RowList` does for rows. Cells are `Content`, user text
in them already made visible by the screen that built them.

| key | action |
|---|---|
| arrows | the next cell that way (the grid scrolls to keep it in view) |
| `pagedown`, `pageup` | a page down / up |
| `home`, `end` | first / last row |
| `enter` | choose the cell |
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

#: Blank cells on each side of a cell's text.
PADDING = 1


class _CellMessage(Message):
    """A message about one cell of a grid."""

    def __init__(self, grid: CellGrid, coordinate: Coordinate) -> None:
        super().__init__()
        self.grid = grid
        #: The cell.
        self.coordinate = coordinate

    @property
    def control(self) -> CellGrid:
        """The grid the cell is in."""
        return self.grid


class CellGrid(ScrollView, can_focus=True):
    """Columns of fixed widths under a header row that stays in view; the screen says what they hold."""

    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("left", "cursor_left", "Left", show=False),
        Binding("right", "cursor_right", "Right", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "choose", "Choose", show=False),
    ]

    COMPONENT_CLASSES = {"cell-grid--header", "cell-grid--header-cursor", "cell-grid--even-row", "cell-grid--cursor"}

    DEFAULT_CSS = """
    CellGrid {
        height: 1fr;
        background: $surface;
        color: $foreground;
        & > .cell-grid--header { text-style: bold; background: $panel; color: $foreground; }
        & > .cell-grid--header-cursor { background: $accent-darken-1; color: $foreground; }
        & > .cell-grid--even-row { background: $surface-lighten-1 50%; }
        &:dark > .cell-grid--even-row { background: $surface-darken-1 40%; }
        & > .cell-grid--cursor {
            background: $block-cursor-blurred-background; color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .cell-grid--cursor {
            background: $block-cursor-background; color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """

    class CellHighlighted(_CellMessage):
        """The cursor moved to another cell (`coordinate`)."""

    class CellSelected(_CellMessage):
        """`enter` (or a second click) on the cell `coordinate`."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._labels: list[Content] = []
        self._widths: list[int] = []
        self._starts: list[int] = [0]  # where each column starts, and (last) where the grid ends
        self._rows: Sequence[Sequence[Content]] = ()
        self._cursor = Coordinate(0, 0)

    # ---------------------------------------------------------------- data

    def set_table(self, columns: Sequence[tuple[Content, int]], rows: Sequence[Sequence[Content]]) -> None:
        """Show `rows` under `columns` ((label, width of the text) each); keep the cursor where it
        was, within the table."""
        self._labels = [label for label, _ in columns]
        self._widths = [width for _, width in columns]
        self._starts = [0, *accumulate(width + 2 * PADDING for width in self._widths)]
        self._rows = rows
        self.virtual_size = Size(self._starts[-1], len(rows) + 1)
        self._cursor = self.validate_cursor_coordinate(self._cursor)
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.CellHighlighted(self, self._cursor))

    @property
    def row_count(self) -> int:
        """How many rows there are (the header left out)."""
        return len(self._rows)

    @property
    def column_labels(self) -> list[str]:
        """The header's labels, as plain text."""
        return [label.plain for label in self._labels]

    def row_at(self, index: int) -> list[str]:
        """The plain text of the cells of row `index`."""
        return [cell.plain for cell in self._rows[index]]

    def validate_cursor_coordinate(self, coordinate: Coordinate) -> Coordinate:
        """`coordinate` moved within the table."""
        row = max(0, min(coordinate.row, len(self._rows) - 1))
        column = max(0, min(coordinate.column, len(self._widths) - 1))
        return Coordinate(row, column)

    @property
    def cursor_coordinate(self) -> Coordinate:
        """The cell under the cursor."""
        return self._cursor

    @cursor_coordinate.setter
    def cursor_coordinate(self, coordinate: Coordinate) -> None:
        coordinate = self.validate_cursor_coordinate(coordinate)
        if coordinate == self._cursor:
            return
        old, self._cursor = self._cursor, coordinate
        self._scroll_to_cursor()
        if old.column != coordinate.column:
            self.refresh_line(0)  # the header marks the cursor's column
        self._refresh_row(old.row)
        self._refresh_row(coordinate.row)
        self.post_message(self.CellHighlighted(self, coordinate))

    # ---------------------------------------------------------------- rendering

    def render_line(self, y: int) -> Strip:
        """Render the header (`y` 0) or the row `y - 1` rows below the top of the rows in view."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._strip(self._labels, scroll_x, width, "cell-grid--header", "cell-grid--header-cursor")
        index = scroll_y + y - 1
        if index >= len(self._rows):
            return Strip.blank(width, base)
        even = "cell-grid--even-row" if index % 2 == 0 else None
        cursor = "cell-grid--cursor" if index == self._cursor.row else None
        return self._strip(self._rows[index], scroll_x, width, even, cursor)

    def _strip(self, cells: Sequence[Content], scroll_x: int, width: int, row_class: str | None,
               cursor_class: str | None) -> Strip:
        """The cells of one row that are in view, `cursor_class` on the cursor's column."""
        row_style = self.get_visual_style(row_class) if row_class else self.visual_style
        starts = self._starts
        first = max(0, bisect_right(starts, scroll_x) - 1)
        strips = []
        column = first
        while column < len(cells) and column < len(self._widths) and starts[column] < scroll_x + width:
            style = row_style
            if cursor_class is not None and column == self._cursor.column:
                style = self.get_visual_style(*filter(None, (row_class, cursor_class)))
            cell = cells[column].truncate(self._widths[column], pad=True).pad(PADDING, PADDING)
            strips.append(Strip(cell.render_segments(style)))
            column += 1
        background = self.get_component_rich_style(row_class) if row_class else self.rich_style
        return Strip.join(strips).crop_extend(scroll_x - starts[first], scroll_x - starts[first] + width, background)

    def _refresh_row(self, index: int) -> None:
        self.refresh_line(index - self.scroll_offset.y + 1)

    # ---------------------------------------------------------------- moving

    def _scroll_to_cursor(self) -> None:
        if not self._widths:
            return
        region = self.scrollable_content_region
        height, width = max((region.height or 2) - 1, 1), region.width or 1
        x, y = self.scroll_offset
        row, column = self._cursor
        if row < y:
            y = row
        elif row >= y + height:
            y = row - height + 1
        left, right = self._starts[column], self._starts[column + 1]
        if left < x:
            x = left
        elif right > x + width:
            x = min(left, right - width)
        if (x, y) != tuple(self.scroll_offset):
            self.scroll_to(x=x, y=y, animate=False, immediate=True)
            self.refresh()

    def _move(self, rows: int = 0, columns: int = 0) -> None:
        row, column = self._cursor
        self.cursor_coordinate = Coordinate(row + rows, column + columns)

    def _page(self) -> int:
        return max((self.scrollable_content_region.height or 2) - 2, 1)

    def action_cursor_up(self) -> None:
        """The cell above."""
        self._move(rows=-1)

    def action_cursor_down(self) -> None:
        """The cell below."""
        self._move(rows=1)

    def action_cursor_left(self) -> None:
        """The cell to the left."""
        self._move(columns=-1)

    def action_cursor_right(self) -> None:
        """The cell to the right."""
        self._move(columns=1)

    def action_page_down(self) -> None:
        """A page down."""
        self._move(rows=self._page())

    def action_page_up(self) -> None:
        """A page up."""
        self._move(rows=-self._page())

    def action_first(self) -> None:
        """The first row."""
        self.cursor_coordinate = self._cursor._replace(row=0)

    def action_last(self) -> None:
        """The last row."""
        self.cursor_coordinate = self._cursor._replace(row=len(self._rows) - 1)

    def action_choose(self) -> None:
        """Choose the cell under the cursor."""
        if self._rows:
            self.post_message(self.CellSelected(self, self._cursor))

    def on_click(self, event: events.Click) -> None:
        """A click on a cell moves the cursor there; a second click chooses it."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0 or not self._rows:
            return
        x, y = self.scroll_offset
        row = y + offset.y - 1
        column = bisect_right(self._starts, x + offset.x) - 1
        if not (0 <= row < len(self._rows) and 0 <= column < len(self._widths)):
            return
        target = Coordinate(row, column)
        if target == self._cursor:
            self.action_choose()
        else:
            self.cursor_coordinate = target

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self._scroll_to_cursor()
