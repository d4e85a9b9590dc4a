"""A line of text, drawn once per text, width and style and handed straight to the compositor.

The coding pane's heading (the cursor line's number) changes at every key. As a `Static`, each
change went through Textual's visual and styles-cache machinery: about 1 ms a key, an eighth of a
cursor move's budget. This widget wraps and renders its `Content` itself, as a Static would show
it, and keeps the strips (`kept_rows`).
"""

from __future__ import annotations

from rich.style import Style
from textual.content import Content
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from tui.widgets.kept_rows import hand_over, plain


class TextRow(Widget):
    """A `Content` (user text in it already made visible by its owner), wrapped to the width:
    usually one row."""

    DEFAULT_CSS = """
    TextRow { height: auto; }
    """

    def __init__(self, content: Content | None = None, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._content = content or Content("")
        self._kept: tuple[tuple[object, ...], list[Strip]] | None = None

    @property
    def content(self) -> Content:
        """What the row shows."""
        return self._content

    def update(self, content: Content) -> None:
        """Show `content`; drawn again only if it differs, laid out again only if its height does."""
        old = self._content
        if content.plain == old.plain and content.spans == old.spans:  # Content's == sees the text alone
            return
        width = self.size.width
        self._content = content
        self.refresh(layout=not width or len(old.wrap(width)) != len(content.wrap(width)))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._content.wrap(width)) if width else 1

    def _strips(self) -> list[Strip]:
        width = self.size.width
        style = self.visual_style
        key = (id(self._content), width, style)  # the content itself is held: its id is not reused
        if self._kept is None or self._kept[0] != key:
            pad = Style(bgcolor=style.rich_style.bgcolor)  # as a Static pads: the background alone
            rows = [Strip(line.render_segments(style)).crop_extend(0, width, pad) for line in self._content.wrap(width)]
            self._kept = (key, rows)
        return self._kept[1]

    def render_line(self, y: int) -> Strip:
        rows = self._strips()
        return rows[y] if 0 <= y < len(rows) else Strip.blank(self.size.width, self.rich_style)

    def render_lines(self, crop: Region) -> list[Strip]:
        if not plain(self):
            return super().render_lines(crop)
        return hand_over(self, [self.render_line(y) for y in crop.line_range], crop)
