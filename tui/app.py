"""MarginApp: the screens, the keys that work everywhere, and the signals that end a session."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
import time
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual.app import SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from rich.text import Text

from tui.config import save_config
from tui.key_order import KeyOrder
from tui.crashlog import crash_message, write_crash_log
from tui.watchdog import ExitWatchdog
from tui.messages import ProjectChanged
from tui.project import Project, ProjectBusy, ProjectError
from tui.project.db import now
from tui.project.recovery import FileWatch
from tui.screens.help import HelpScreen
from tui.screens.prompt import PromptScreen
from tui.screens.workspace import WorkspaceScreen
from tui.text import visible


def _declared_by_margin(node: object, action: str) -> bool:
    """Whether margin itself binds `action` on this node, or the node is one of Textual's widgets.

    Margin's screens and views inherit Textual's generic keys (scroll left, focus next, copy); the
    help and the palette leave those out so that a researcher sees margin's own keys.
    """
    ours = [cls for cls in type(node).__mro__ if cls.__module__.startswith("tui.")]
    if not ours:
        return True  # an Input, a DataTable, an OptionList: their keys are what the user needs there
    return any(
        (b.action if hasattr(b, "action") else b[1]) == action for cls in ours for b in cls.__dict__.get("BINDINGS", [])
    )


class MarginApp(KeyOrder):
    """margin's terminal UI on one open project."""

    TITLE = "margin"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("question_mark,f1", "help", "Help"),
        Binding("S", "session_summary", "This session so far", show=False),
    ]

    def __init__(self, project: Project, *, transcript_id: int | None = None, ask_coder: bool = False) -> None:
        super().__init__()
        self.project = project
        self._start_transcript = transcript_id
        self._ask_coder = ask_coder
        self._began = (now(), time.monotonic())  # for what this session did
        self._busy_ticks = 0  # seconds in a row another program has held the file
        # NO_COLOR needs nothing here: Textual reads it and draws in monochrome.

    def on_mount(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGHUP, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, partial(self._on_signal, signum))
            except (NotImplementedError, RuntimeError, ValueError):  # not on this platform or thread
                pass
        # Textual's input thread spins on a hung-up terminal without telling the app, and a busy
        # loop hears no signal: a thread of its own sees both and ends the session within a second.
        if not self.is_headless:
            tty = sys.stdin.fileno() if sys.stdin.isatty() else None
            self._watchdog = ExitWatchdog(
                tty, partial(loop.call_soon_threadsafe, self._leave), lambda: self.project.conn.in_transaction,
            )
            for signum in (signal.SIGHUP, signal.SIGTERM):
                self._tell_watchdog_of(signum)
            self._watchdog.start()
        # `margin tag` in another terminal: every screen shows its work within a second.
        self._data_version = self.project.data_version()
        self._file = FileWatch(self.project.path)
        self.set_interval(1.0, self._watch_file)
        # The check of every page waits until the first frame is drawn: it then has the CPU alone.
        self.call_after_refresh(self.project.start_page_check)
        if self._ask_coder:
            self.push_screen(
                PromptScreen("Who is coding? (kept on every coding and note)",
                             placeholder="your name or initials", value=self.project.coder or ""),
                self._set_coder,
            )

    def get_default_screen(self) -> Screen:
        """The first screen: the transcript asked for, or where this coder stopped, else the project.

        As Textual's first screen it is laid out and drawn once, when the app runs. Pushed from
        `on_mount` it was drawn once more while Textual still held output back, into a frame thrown
        away: about a fifth of start-up. Straight into a transcript, the project screen is made
        only when the coder goes back to it (`WorkspaceScreen.action_back`), so it is not composed
        and read before the first frame.
        """
        start = self._start_transcript if self._start_transcript is not None else (
            None if self._ask_coder else self._resume_target())
        if start is not None:
            return WorkspaceScreen.resumed(self.project, start)
        from tui.screens.project_screen import ProjectScreen  # not needed straight into a transcript

        return ProjectScreen(self.project)

    def _resume_target(self) -> int | None:
        """The transcript where this coder stopped last time, if it is still in the project."""
        try:
            session = self.project.last_session()
            known = session is not None and session.transcript_id is not None and any(
                t.id == session.transcript_id for t in self.project.transcripts())
        except ProjectError:
            return None
        return session.transcript_id if known else None

    def _resume(self) -> None:
        """Open the transcript where this coder stopped last time, at the same line and layout."""
        target = self._resume_target()
        if target is not None and not isinstance(self.screen, WorkspaceScreen):
            self.push_screen(WorkspaceScreen.resumed(self.project, target))

    def session_summary(self) -> str:
        """What this session did: codings, notes and memos made, and in how long."""
        since, began = self._began
        try:
            counts = self.project.session_summary(since)
        except ProjectError:
            return "this session: not known (the project file cannot be read)"
        minutes = round((time.monotonic() - began) / 60)
        took = "under a minute" if minutes < 1 else f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"
        plural = lambda n, word: f"{n} {word}{'' if n == 1 else 's'}"  # noqa: E731
        did = ", ".join(plural(counts[key], key[:-1]) for key in ("codings", "notes", "memos"))
        who = f" as {self.project.coder}" if self.project.coder else ""
        return f"this session{who}: {did}, in {took}"

    def action_session_summary(self) -> None:
        """Show what this session has done so far."""
        self.notify(Content(visible(self.session_summary())), title="This session", timeout=8)

    def _watch_file(self) -> None:
        """Tell every screen when another process has changed the project file, and the user when
        the page check begun at open found damage (every write is refused from then on)."""
        damage = self.project.page_damage()
        if damage is not None and not self._told_of_damage:
            self._told_of_damage = True
            self.notify(Content(visible(damage)), severity="error", timeout=60)
        if self._file.check() is not None:  # deleted or replaced: save the work elsewhere first
            self._rescue()
        try:
            version = self.project.data_version()
        except ProjectBusy:  # another program holds the file: look again next second, and say so once
            self._busy_ticks += 1
            if self._busy_ticks == 2:
                self.notify(Content(visible(
                    f"another program is holding {self.project.path.name}: margin's changes wait for it "
                    "(one it cannot make within a few seconds is refused, and says so)")), severity="warning", timeout=10)
            return
        except ProjectError:  # the file went: the file watch deals with that
            return
        self._busy_ticks = 0
        if version != self._data_version:
            self._data_version = version
            for screen in self.screen_stack:
                screen.post_message(ProjectChanged("elsewhere", elsewhere=True))

    def _rescue(self, *, offer: bool = True) -> None:
        """The file was deleted or replaced under margin: save the session's work to a new file at
        once (in this thread: quitting must not outrun it), say so, and offer a name of one's own."""
        try:
            self._file.save(self.project.conn)
        except (ProjectError, OSError):
            pass  # the message says the work is not saved yet; the prompt offers another place
        self.notify(Content(visible(self._file.message())), severity="error", timeout=3600)
        if not offer:
            return
        self.push_screen(
            PromptScreen(f"{self.project.path.name} was {self._file.change}: save this session's work as a new file",
                         value=str(self._file.saved or self._file.suggested()), validate=self._file.refusal),
            self._save_as,
        )

    def _save_as(self, answer: str | None) -> None:
        if answer:
            self.run_worker(partial(self._save_in_thread, answer), thread=True, group="save-as")

    def _save_in_thread(self, answer: str) -> None:
        try:
            self._file.save(self.project.conn, Path(answer))
        except ProjectError as error:
            self.call_from_thread(self.notify, Content(visible(str(error))), severity="error", timeout=60)
        else:
            self.call_from_thread(self.notify, Content(visible(self._file.message())), severity="warning", timeout=3600)

    async def action_quit(self) -> None:
        """Quit; a file deleted or replaced in the last second is first saved to a new one."""
        if self._file is not None and self._file.check() is not None:
            self._rescue(offer=False)
        self.keep_drafts()  # text being written, and where each transcript was left
        self.exit(return_code=0, message=Text(self.session_summary()))

    def _set_coder(self, name: str | None) -> None:
        if not name:
            return
        try:
            self.project.set_coder(name)
            save_config(coder=name)
        except (ProjectError, OSError) as error:
            self.notify(Content(visible(f"coder not saved: {error}")), severity="warning")
        self.notify(Content(visible(f"coding as {name}")))
        from tui.screens.project_screen import ProjectScreen  # loaded once there is one

        for screen in self.screen_stack:  # the project screen's heading names the coder
            if isinstance(screen, ProjectScreen):
                screen.refresh_table()
        if self._start_transcript is None:
            self._resume()

    def _on_signal(self, signum: int) -> None:
        """A dropped SSH session or a polite kill: every action is committed already; keep typed text, leave."""
        self.keep_drafts()
        self._leave()

    def _tell_watchdog_of(self, signum: int) -> None:
        """Let the watchdog hear `signum` at once, besides the loop's handler (which waits for the loop)."""
        loops_handler = signal.getsignal(signum)

        def handler(number: int, frame: object) -> None:
            self._watchdog.request_exit()
            if self._watchdog.terminal_gone():
                # A real hang-up: there is no terminal to give back, and restoring it can block
                # for seconds. Keep what was typed, then end at once (everything else is committed).
                self.keep_drafts()
                self._watchdog.exit_now()
            if callable(loops_handler):
                loops_handler(number, frame)

        try:
            signal.signal(signum, handler)
        except (ValueError, OSError):  # not the main thread
            pass

    def _leave(self) -> None:
        """Exit with status 0; if restoring a dead terminal hangs, end the process anyway.

        Nothing is lost by the hard stop: every action was committed when it was made, and no
        transaction is ever open between key presses.
        """
        self.exit(return_code=0)
        if self._watchdog is not None:
            self._watchdog.request_exit()

    _watchdog: ExitWatchdog | None = None
    _file: FileWatch | None = None
    _told_of_damage = False

    def keep_drafts(self) -> None:
        """Ask every screen to keep text typed and not saved (a screen's `keep_draft()`), before leaving."""
        for screen in [*self.screen_stack]:
            keep = getattr(screen, "keep_draft", None)
            if callable(keep):
                try:
                    keep()
                except Exception:  # leaving anyway: one screen's failure must not stop the others
                    pass

    @property
    def session_lost(self) -> bool:
        """Whether a hang-up, a lost terminal or a signal ended the session (not the user)."""
        return self._watchdog is not None and self._watchdog.exit_wanted

    def run(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
        """Run the app; once it has left by itself, the watchdog has nothing more to do."""
        try:
            return super().run(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            if self._watchdog is not None:
                self._watchdog.finished()

    def _handle_exception(self, error: Exception) -> None:
        """An unexpected error: its traceback goes to a private log, never to the terminal.

        Textual's own handler prints local variables, which hold interview text. This keeps what
        Textual does with the error (the return code, Pilot re-raising it) and replaces the output.
        """
        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        self.bell()
        self._exit_renderables.append(Text(crash_message(error, write_crash_log(error))))
        self._close_messages_no_wait()

    def action_help(self) -> None:
        """Show every key of the current screen."""
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        name = re.sub(r"(?<!^)(?=[A-Z])", " ", type(screen).__name__.removesuffix("Screen")).lower()
        self.push_screen(HelpScreen(f"Keys: {name or 'margin'}", self.keys_for(screen)))

    @staticmethod
    def _commands(screen: Screen) -> list[tuple[str, str, str, object]]:
        """(keys, description, action, node) for each action bound on a screen, the screen's own first."""
        grouped: dict[tuple[str, str], tuple[list[str], str, object]] = {}
        actives = sorted(screen.active_bindings.values(), key=lambda active: active.node is not screen)
        for active in actives:
            binding = active.binding
            if not binding.description or binding.system or not active.enabled:
                continue
            if not _declared_by_margin(active.node, binding.action):
                continue
            keys, _, _ = grouped.setdefault((binding.action, binding.description), ([], binding.action, active.node))
            keys.append(screen.app.get_key_display(binding))
        return [(", ".join(keys), description, action, node) for (_, description), (keys, action, node) in grouped.items()]

    @classmethod
    def keys_for(cls, screen: Screen) -> list[tuple[str, str]]:
        """(keys, description) for every action bound on a screen, the focused widget's included."""
        return [(keys, description) for keys, description, _, _ in cls._commands(screen)]

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers each action of the current screen once, then the system commands."""
        offered = set()
        for keys, description, action, node in self._commands(screen):
            offered.add(description)
            yield SystemCommand(description, f"key: {keys}", partial(self.run_action, action, node))
        for command in super().get_system_commands(screen):
            if command.title == "Theme":  # Textual's colour schemes, not the researcher's themes
                command = SystemCommand("Colour scheme", "Change margin's colours", command.callback)
            if command.title not in offered:
                yield command
