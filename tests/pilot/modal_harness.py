"""A tiny app that shows one modal screen and records what it is dismissed with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

#: The size every modal test runs at: the smallest terminal margin promises to work in.
SIZE = (80, 24)


class ModalHost(App[None]):
    """Push the screen made by `make_screen` on mount; every dismiss result lands in `results`."""

    def __init__(self, make_screen: Callable[[], Screen[Any]]) -> None:
        """Host the screen `make_screen` returns."""
        super().__init__()
        self._make_screen = make_screen
        self.results: list[Any] = []

    def compose(self) -> ComposeResult:
        """Something under the modal, as in the real app."""
        yield Static("workspace")

    def on_mount(self) -> None:
        """Show the modal under test."""
        self.push_screen(self._make_screen(), self.results.append)


def screen_text(app: App[Any]) -> str:
    """Every line the terminal shows for the current screen, joined by newlines."""
    strips = app.screen._compositor.render_strips()  # what a real terminal would be sent
    return "\n".join(strip.text for strip in strips)
