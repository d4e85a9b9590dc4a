"""The key bar at the foot of every screen: the keys the screen offers now, drawn as one line.

Textual's `Footer` does the same job with a widget per key, and composes them all again each time
the screen's bindings may have changed (every focus change, several times while a screen starts).
Styling a dozen new widgets that many times was the largest part of margin's start-up beyond a
bare Textual app's. This bar is one widget: it keeps the keys it shows, and redraws only when
they differ. A click on a key presses it, as with `Footer`.
"""

from __future__ import annotations

from typing import NamedTuple

from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget

_GAP = "  "
_PALETTE_RULE = "▏"


class Shown(NamedTuple):
    """One key as the bar shows it."""

    key: str  # what `simulate_key` presses
    display: str  # how the key is written: "^q", "?"
    description: str
    enabled: bool


def shown_keys(screen: Screen) -> tuple[list[Shown], Shown | None]:
    """The keys to show on `screen`, in the order of its active bindings (one per action), and the
    command palette's key, drawn apart at the right."""
    app = screen.app
    active = screen.active_bindings
    palette = None
    if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
        _node, binding, enabled, _tooltip = active[app.COMMAND_PALETTE_BINDING]
        palette = Shown(binding.key, app.get_key_display(binding), binding.description, enabled)
    keys: list[Shown] = []
    actions: set[str] = set()
    for _node, binding, enabled, _tooltip in active.values():
        if not binding.show or binding.action in actions or (palette and binding.key == palette.key):
            continue
        actions.add(binding.action)
        keys.append(Shown(binding.key, app.get_key_display(binding), binding.description, enabled))
    return keys, palette


class KeyBar(Widget, can_focus=False):
    """The keys of the current screen, on the bottom line."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: tuple[list[Shown], Shown | None] = ([], None)
        self._spans: list[tuple[int, int, Shown]] = []  # (from column, to column, key) as last drawn

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def _bindings_changed(self, screen: Screen) -> None:
        if screen is not self.screen:
            return
        keys = shown_keys(screen)
        if keys != self._keys:
            self._keys = keys
            self.refresh()

    def render(self) -> Content:
        keys, palette = self._keys
        width = self.size.width
        parts: list[Content] = []
        spans: list[tuple[int, int, Shown]] = []
        right = Content.assemble(_PALETTE_RULE, self._key_content(palette), " ") if palette else Content("")
        room = width - right.cell_length
        column = 1
        parts.append(Content(" "))
        for shown in keys:
            piece = self._key_content(shown)
            if column + piece.cell_length > room:
                break
            parts.append(piece)
            spans.append((column, column + piece.cell_length, shown))
            column += piece.cell_length
            parts.append(Content(_GAP))
            column += len(_GAP)
        if palette:
            parts.append(Content(" " * max(room - column, 1)))
            column = max(room, column + 1)
            spans.append((column + 1, column + right.cell_length, palette))
            parts.append(right)
        self._spans = spans
        return Content.assemble(*parts)

    @staticmethod
    def _key_content(shown: Shown) -> Content:
        key = Content.styled(shown.display, "bold $footer-key-foreground")
        description = Content.styled(f" {shown.description}", "$footer-description-foreground") if shown.description else Content("")
        piece = Content.assemble(key, description)
        return piece.stylize("dim") if not shown.enabled else piece

    def on_click(self, event: events.Click) -> None:
        for start, end, shown in self._spans:
            if start <= event.x < end:
                if shown.enabled:
                    self.app.simulate_key(shown.key)
                else:  # as Textual's Footer does for a key the screen refuses now
                    self.app.bell()
                return
