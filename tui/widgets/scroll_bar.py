"""Textual's vertical scrollbar, its rows made once per thumb position and kept.

On a scroll the scrollbar is drawn again whole: through Rich's rendering, then row by row through
Textual's styles cache, it cost more than the transcript's own rows. This one asks Textual's
renderer for the same segments (the same glyphs, colours, and click actions: a click above or
below the thumb pages, a drag moves it) and hands them to the compositor as strips it keeps.
"""

from __future__ import annotations

from rich.color import Color
from rich.segment import Segment
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip

#: Textual's colours for a bar whose style names none (ScrollBarRender.__rich_console__).
_BACK, _BAR = Color.parse("#555555"), Color.parse("bright_magenta")


class RowScrollBar(ScrollBar):
    """A vertical `ScrollBar` whose rows are kept per thumb position and style."""

    _kept: tuple[object, list[Strip]] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        renderer = self.render()
        if not self.vertical or not isinstance(renderer, ScrollBarRender):
            return super().render_lines(crop)
        width, height = self.size
        style = renderer.style
        back = getattr(style, "bgcolor", None) or _BACK
        bar = getattr(style, "color", None) or _BAR
        base = self.visual_style.rich_style  # beneath every segment, as Textual renders a widget's visual
        key = (width, height, renderer.virtual_size, renderer.window_size, renderer.position, back, bar, base)
        if self._kept is None or self._kept[0] != key:
            column = renderer.render_bar(
                size=height, virtual_size=renderer.virtual_size, window_size=renderer.window_size,
                position=renderer.position, thickness=width, vertical=True, back_color=back, bar_color=bar,
            )
            self._kept = (key, [Strip(Segment.apply_style([segment], base), width) for segment in column.segments])
        strips = self._kept[1][crop.y : crop.y + crop.height]
        background = self.background_colors[1]
        for line_filter in self.get_line_filters():
            strips = [strip.apply_filter(line_filter, background) for strip in strips]
        x1, x2 = crop.column_span
        if (x1, x2) != (0, width):
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips
