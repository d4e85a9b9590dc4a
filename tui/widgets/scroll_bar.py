"""Textual's vertical scrollbar, its rows made once per thumb position and kept.

On a scroll the scrollbar is drawn again whole: through Rich's rendering, then row by row through
Textual's styles cache, it cost more than the transcript's own rows. This one asks Textual's
renderer for the same segments (the same glyphs, colours, and click actions: a click above or
below the thumb pages, a drag moves it) and hands them to the compositor as strips it keeps.
"""

from __future__ import annotations

from math import ceil

from rich.color import Color
from rich.segment import Segment
from textual.cache import LRUCache
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip

from tui.widgets.kept_rows import hand_over, plain

#: Textual's colours for a bar whose style names none (ScrollBarRender.__rich_console__).
_BACK, _BAR = Color.parse("#555555"), Color.parse("bright_magenta")


class RowScrollBar(ScrollBar):
    """A vertical `ScrollBar` whose rows are kept per place of the thumb and style."""

    def __init__(self, vertical: bool = True, name: str | None = None, *, thickness: int = 1) -> None:
        super().__init__(vertical, name, thickness=thickness)
        # A few positions are kept (G and g go back and forth), and the line filters' work with them.
        self._kept: LRUCache[tuple[object, ...], list[Strip]] = LRUCache(8)

    def render_lines(self, crop: Region) -> list[Strip]:
        renderer = self.render()
        if not self.vertical or not isinstance(renderer, ScrollBarRender) or not plain(self):
            return super().render_lines(crop)
        width, height = self.size
        style = renderer.style
        back = getattr(style, "bgcolor", None) or _BACK
        bar = getattr(style, "color", None) or _BAR
        base = self.visual_style.rich_style  # beneath every segment, as Textual renders a widget's visual
        thumb = _thumb(height, renderer.virtual_size, renderer.window_size, renderer.position)
        key = (width, height, thumb, back, bar, base)
        rows = self._kept.get(key)
        if rows is None:
            column = renderer.render_bar(
                size=height, virtual_size=renderer.virtual_size, window_size=renderer.window_size,
                position=renderer.position, thickness=width, vertical=True, back_color=back, bar_color=bar,
            )
            rows = self._kept[key] = [Strip(Segment.apply_style([segment], base), width) for segment in column.segments]
        return hand_over(self, rows[crop.y : crop.y + crop.height], crop)


def _thumb(height: int, virtual_size: float, window_size: float, position: float) -> tuple[int, int] | None:
    """Where `ScrollBarRender.render_bar` puts the thumb, in eighths of a row (its glyphs' steps):
    the bar's rows depend on this, not on the scroll position itself, which changes at every line
    scrolled while the thumb of a 100,000-line transcript moves once in thousands. None: no thumb."""
    if not (window_size and height and virtual_size and height != virtual_size):
        return None
    steps = len(ScrollBarRender.VERTICAL_BARS)
    size = max(1, window_size / (virtual_size / height))
    start = int((height - size) * (position / (virtual_size - window_size)) * steps)
    return start, start + ceil(size * steps)
