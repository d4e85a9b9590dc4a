"""The scrollbar's kept rows are keyed by where the thumb is drawn, and that is all its rows depend on."""

from __future__ import annotations

import random

from textual.scrollbar import ScrollBarRender

from tui.widgets.scroll_bar import _thumb


def test_positions_with_the_same_thumb_draw_the_same_bar_and_other_thumbs_other_bars() -> None:
    rng = random.Random(3)
    for _ in range(40):
        height = rng.randint(3, 60)
        virtual = rng.choice([height + 1, rng.randint(height + 1, 500), rng.randint(1_000, 200_000)])
        window = height
        drawn: dict[object, list[object]] = {}
        for position in sorted({0, virtual - window, *(rng.uniform(0, virtual - window) for _ in range(60))}):
            bar = ScrollBarRender.render_bar(size=height, virtual_size=virtual, window_size=window, position=position)
            segments = list(bar.segments)
            key = _thumb(height, virtual, window, position)
            if key in drawn:
                assert drawn[key] == segments, (height, virtual, position)
            drawn[key] = segments
        assert len({str(v) for v in drawn.values()}) == len(drawn)  # another thumb, another bar
    assert _thumb(40, 100_000, 40, 0) == _thumb(40, 100_000, 40, 1)  # one line scrolled: the same rows
    assert _thumb(40, 40, 40, 0) is None  # nothing to scroll: no thumb
