"""Rows a widget keeps and hands to the compositor itself, past Textual's styles cache.

`Widget.render_lines` passes every row through the styles cache (borders, padding, tint, opacity),
then through the app's line filters, on every frame. A widget with none of those that keeps its
own strips hands them over with only the filters applied, which each strip then keeps too.
"""

from __future__ import annotations

from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget


def plain(widget: Widget) -> bool:
    """Whether the styles cache would leave the widget's rows as they are."""
    styles = widget.styles
    return not (styles.gutter or styles.tint.a or widget.opacity != 1 or styles.text_opacity != 1)


def hand_over(widget: Widget, strips: list[Strip], crop: Region) -> list[Strip]:
    """The rows of `crop` (`strips`, one per row, the widget's full width) as the compositor takes
    them: through the app's line filters, cut to the columns asked for."""
    background = widget.background_colors[1]
    for line_filter in widget.get_line_filters():
        strips = [strip.apply_filter(line_filter, background) for strip in strips]
    x1, x2 = crop.column_span
    if (x1, x2) != (0, widget.size.width):
        strips = [strip.crop(x1, x2) for strip in strips]
    return strips
