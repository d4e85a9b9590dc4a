"""MarginApp: the screens, the keys that work everywhere, and the signals that end a session."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterable
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen

from tui.config import save_config
from tui.project.store import Project, ProjectError
from tui.screens.help import HelpScreen
from tui.screens.project_screen import ProjectScreen
from tui.screens.prompt import PromptScreen
from tui.screens.workspace import WorkspaceScreen
from tui.text import visible


class MarginApp(App[None]):
    """margin's terminal UI on one open project."""

    TITLE = "margin"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("question_mark,f1", "help", "Help"),
    ]

    def __init__(self, project: Project, *, transcript_id: int | None = None, ask_coder: bool = False) -> None:
        super().__init__()
        self.project = project
        self._start_transcript = transcript_id
        self._ask_coder = ask_coder
        # NO_COLOR needs nothing here: Textual reads it and draws in monochrome.

    def on_mount(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGHUP, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, partial(self._on_signal, signum))
            except (NotImplementedError, RuntimeError, ValueError):  # not on this platform or thread
                pass
        self.push_screen(ProjectScreen(self.project))
        if self._start_transcript is not None:
            self.push_screen(WorkspaceScreen(self.project, self._start_transcript))
        if self._ask_coder:
            self.push_screen(
                PromptScreen("Who is coding? Your name or initials are recorded on every coding and note",
                             placeholder="VR", value=self.project.coder or ""),
                self._set_coder,
            )

    def _set_coder(self, name: str | None) -> None:
        if not name:
            return
        try:
            self.project.set_coder(name)
            save_config(coder=name)
        except (ProjectError, OSError) as error:
            self.notify(Content(visible(f"coder not saved: {error}")), severity="warning")
        self.notify(Content(visible(f"coding as {name}")))

    def _on_signal(self, signum: int) -> None:
        """A dropped SSH session or a polite kill: every action is committed already, so just leave."""
        self.exit(return_code=0)

    def action_help(self) -> None:
        """Show every key of the current screen."""
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        self.push_screen(HelpScreen(f"Keys: {type(screen).__name__.removesuffix('Screen').lower() or 'margin'}",
                                    self.keys_for(screen)))

    @staticmethod
    def keys_for(screen: Screen) -> list[tuple[str, str]]:
        """(key, description) for every binding active on a screen, the focused widget's included."""
        grouped: dict[tuple[str, str], list[str]] = {}
        for active in screen.active_bindings.values():
            binding = active.binding
            if binding.description and not binding.system:
                grouped.setdefault((binding.action, binding.description), []).append(
                    screen.app.get_key_display(binding)
                )
        return [(", ".join(keys), description) for (_, description), keys in grouped.items()]

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers every key of the current screen, then the system commands."""
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.system or not active.enabled:
                continue
            yield SystemCommand(
                binding.description,
                f"key: {self.get_key_display(binding)}",
                partial(self.run_action, binding.action, active.node),
            )
        yield from super().get_system_commands(screen)
