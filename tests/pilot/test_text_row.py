"""The coding pane's heading row: what it shows is what a Static would show, and it follows changes."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.content import Content
from textual.widgets import Static

from tui.widgets.text_row import TextRow


class Rows(App[None]):
    CSS = "TextRow, Static { width: 30; background: $panel; }"

    def compose(self) -> ComposeResult:
        yield TextRow(Content.styled("line 12", "bold"), id="row")
        yield Static(Content.styled("line 12", "bold"), id="static")


async def test_a_text_row_draws_what_a_static_draws_and_follows_its_content() -> None:
    app = Rows()
    async with app.run_test(size=(40, 4)) as pilot:
        row, static = app.query_one("#row", TextRow), app.query_one("#static", Static)
        crop = row.region.reset_offset

        def segments(widget: object) -> list[tuple[str, object]]:
            return [(s.text, s.style.clear_meta_and_links() if s.style else None)  # a Static marks offsets for clicks
                    for strip in widget.render_lines(crop) for s in strip.simplify()]  # type: ignore[attr-defined]

        assert segments(row) == segments(static)
        for content in (Content.styled("line 12", "italic"), Content("line 13 · a very long heading to be cut")):
            row.update(content)
            static.update(content)
            await pilot.pause()
            assert row.region.height == static.region.height  # wrapped to the same rows
            crop = row.region.reset_offset
            assert segments(row) == segments(static)  # a style alone changed, then the text
        assert row.content.plain.startswith("line 13") and row.region.height == 2
