"""A list of one-line rows with a cursor, drawn a screen at a time (Textual's Line API).

The theme board, the extracts, the memo list and the theme history are long lists: ten thousand
themes must open at once, so only the rows in view are ever rendered. Each row is a `Content`
(user text inside it already made visible by the screen that built it).

| key | action |
|---|---|
| `down` / `j`, `up` / `k` | next / previous row |
| `pagedown`, `pageup` | a page down / up |
| `home` / `g`, `end` / `G` | first / last row |
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip


class LazyRows(Sequence[Content]):
    """Rows built when first drawn: `build(index)` makes row `index`, once."""

    def __init__(self, count: int, build: Callable[[int], Content]) -> None:
        self._count = count
        self._build = build
        self._cache: dict[int, Content] = {}

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):  # type: ignore[no-untyped-def, override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        if index not in self._cache:
            self._cache[index] = self._build(index)
        return self._cache[index]


class RowList(ScrollView, can_focus=True):
    """One-line rows and a cursor; the screen that owns it says what the rows are."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
    ]

    COMPONENT_CLASSES = {"row-list--cursor", "row-list--muted"}

    DEFAULT_CSS = """
    RowList {
        height: 1fr;
        background: $surface;
        & > .row-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
        & > .row-list--muted { color: $text-muted; }
    }
    """

    class Highlighted(Message):
        """The cursor moved to another row."""

        def __init__(self, row_list: RowList, index: int) -> None:
            super().__init__()
            self.row_list = row_list
            #: The index of the row under the cursor.
            self.index = index

        @property
        def control(self) -> RowList:
            """The list the cursor moved in."""
            return self.row_list

    class Chosen(Message):
        """`enter` on a row."""

        def __init__(self, row_list: RowList, index: int) -> None:
            super().__init__()
            self.row_list = row_list
            #: The index of the row chosen.
            self.index = index

        @property
        def control(self) -> RowList:
            """The list a row was chosen in."""
            return self.row_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._rows: Sequence[Content] = ()
        self.cursor = 0

    # ---------------------------------------------------------------- data

    @property
    def row_count(self) -> int:
        """How many rows there are."""
        return len(self._rows)

    def set_rows(self, rows: Sequence[Content], cursor: int | None = None) -> None:
        """Show `rows`; keep the cursor where it was (or put it at `cursor`), within the rows."""
        self._rows = rows
        target = self.cursor if cursor is None else cursor
        self.cursor = max(0, min(target, len(rows) - 1))
        # As wide as the list: a row too long is cut at the edge (the screen shows it whole elsewhere).
        self.virtual_size = Size(0, len(rows))
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, self.cursor))

    def row_text(self, index: int) -> str:
        """The plain text of a row (for tests and the screen reader of a terminal)."""
        return self._rows[index].plain if 0 <= index < len(self._rows) else ""

    # ---------------------------------------------------------------- rendering

    def render_line(self, y: int) -> Strip:
        """Render the row `y` rows below the top of the list."""
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self._rows):
            return Strip.blank(width, base)
        content = self._rows[index]
        is_cursor = index == self.cursor
        style = self.get_visual_style("row-list--cursor") if is_cursor else self.visual_style
        background = self.get_component_rich_style("row-list--cursor") if is_cursor else base
        return Strip(content.render_segments(style)).crop_extend(scroll_x, scroll_x + width, background)

    # ---------------------------------------------------------------- moving

    def move_to(self, index: int) -> None:
        """Put the cursor on row `index` (kept within the rows)."""
        if not self._rows:
            return
        index = max(0, min(index, len(self._rows) - 1))
        if index == self.cursor:
            return
        old = self.cursor
        self.cursor = index
        self._scroll_to_cursor()
        self.refresh_line(old)
        self.refresh_line(index)
        self.post_message(self.Highlighted(self, index))

    def _scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height or 1
        _, top = self.scroll_offset
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _page(self) -> int:
        return max((self.scrollable_content_region.height or 1) - 1, 1)

    def action_cursor_down(self) -> None:
        """Next row."""
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        """Previous row."""
        self.move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        """A page down."""
        self.move_to(self.cursor + self._page())

    def action_page_up(self) -> None:
        """A page up."""
        self.move_to(self.cursor - self._page())

    def action_first(self) -> None:
        """First row."""
        self.move_to(0)

    def action_last(self) -> None:
        """Last row."""
        self.move_to(len(self._rows) - 1)

    def key_enter(self) -> None:
        if self._rows:
            self.post_message(self.Chosen(self, self.cursor))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self._scroll_to_cursor()
