"""A thread that makes sure margin ends soon after its session must end, whatever the UI is doing.

A dropped SSH connection leaves margin without a terminal: Textual's input thread then spins
and the event loop may be busy (opening a large project), so neither notices. This thread looks
at the terminal every `POLL` seconds, asks the app to leave when the terminal is gone or a
signal asked it to, and ends the process `GRACE` seconds later if the app has not left by then.
Ending it hard loses nothing: every action is committed when it is shown as done; the thread
waits for an open write transaction to finish first, so no journal is left behind.
"""

from __future__ import annotations

import os
import termios
import threading
import time
from collections.abc import Callable

POLL = 0.2
GRACE = 0.6
BUSY_WAIT = 0.3


class ExitWatchdog:
    """Ask the app to leave when the terminal goes or on request; end the process if it cannot."""

    def __init__(self, tty: int | None, leave: Callable[[], None], busy: Callable[[], bool]) -> None:
        self._tty = tty
        self._leave = leave
        self._busy = busy
        self._wake = threading.Event()
        self._exit_wanted = threading.Event()
        self._finished = threading.Event()
        self._thread = threading.Thread(target=self._run, name="margin-exit-watchdog", daemon=True)

    def start(self) -> None:
        """Start watching."""
        self._thread.start()

    def request_exit(self) -> None:
        """The session must end (a signal, a lost terminal): the process ends within GRACE seconds."""
        self._exit_wanted.set()
        self._wake.set()

    def finished(self) -> None:
        """The app's loop has ended. Unless an exit was asked for, nothing more to do; if one was,
        the process still ends GRACE seconds later (a dead terminal can hold up the clean-up)."""
        self._finished.set()
        self._wake.set()

    def terminal_gone(self) -> bool:
        """Whether the terminal has hung up (every ioctl on it fails)."""
        return self._terminal_gone()

    def exit_now(self) -> None:
        """End the process at once unless a write is in flight (then the thread ends it after)."""
        self.request_exit()
        if not self._busy():
            os._exit(0)

    @property
    def exit_wanted(self) -> bool:
        """Whether a signal or a lost terminal asked the session to end."""
        return self._exit_wanted.is_set()

    def _terminal_gone(self) -> bool:
        if self._tty is None:
            return False
        try:
            termios.tcgetattr(self._tty)
        except (termios.error, OSError):
            return True
        return False

    def _run(self) -> None:
        while not self._wake.wait(POLL):
            if self._terminal_gone():
                self._exit_wanted.set()
                break
        if not self._exit_wanted.is_set():
            return  # the app left by itself, nothing asked it to
        if not self._finished.is_set():
            try:
                self._leave()
            except Exception:  # the loop is gone already: the hard stop below still comes
                pass
        time.sleep(GRACE)
        deadline = time.monotonic() + BUSY_WAIT
        while self._busy() and time.monotonic() < deadline:
            time.sleep(0.01)
        os._exit(0)
