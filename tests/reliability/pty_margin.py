"""The real `margin` in a pseudo-terminal of its own, with every byte it writes recorded."""

from __future__ import annotations

import fcntl
import os
import re
import struct
import subprocess
import termios
import threading
import time
from pathlib import Path

from tests.reliability.conftest import PYTHON

_ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)")


class PtyMargin:
    """`margin ARGS` as a session leader on a new pty (so a hang-up reaches it as it would)."""

    def __init__(self, *args: object, env: dict[str, str], size: tuple[int, int] = (100, 30)) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.master = master
        self.output = bytearray()
        self._lock = threading.Lock()
        self.process = subprocess.Popen(
            [PYTHON, "-m", "tui", *map(str, args)], stdin=slave, stdout=slave, stderr=slave,
            env={**env, "TERM": "xterm-256color", "COLUMNS": str(size[0]), "LINES": str(size[1])},
            start_new_session=True, preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
        os.close(slave)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.output += chunk

    def text(self) -> str:
        """What was written, escape sequences left out (to look for words)."""
        with self._lock:
            data = bytes(self.output)
        return _ANSI.sub(b"", data).decode("utf-8", "replace")

    def wait_for(self, words: str, timeout: float = 20.0) -> None:
        start = len(self.text()) if False else 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if words in self.text()[start:]:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"never saw {words!r}; exit {self.process.poll()}; last: {self.text()[-1500:]!r}")

    def mark(self) -> int:
        """A place in the text; `wait_after(mark, words)` looks only at what came after it."""
        return len(self.text())

    def wait_after(self, mark: int, words: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if words in self.text()[mark:]:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"never saw {words!r} after mark; last: {self.text()[-1500:]!r}")

    def send(self, data: str | bytes, pause: float = 0.15) -> None:
        os.write(self.master, data.encode() if isinstance(data, str) else data)
        time.sleep(pause)

    def paste(self, text: str) -> None:
        """A bracketed paste, as a terminal sends one (the bytes as they are)."""
        self.send(b"\x1b[200~" + text.encode() + b"\x1b[201~", pause=0.3)

    def hang_up(self) -> None:
        """Close the terminal (a closed window, a dropped SSH connection)."""
        os.close(self.master)
        self.master = -1

    def wait(self, timeout: float = 20.0) -> int:
        return self.process.wait(timeout=timeout)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.master >= 0:
            os.close(self.master)
            self.master = -1

    @property
    def raw(self) -> bytes:
        with self._lock:
            return bytes(self.output)


def margin_env(folder: Path) -> dict[str, str]:
    """An environment with a private settings folder."""
    config = folder / "config-home"
    config.mkdir(exist_ok=True)
    return {**os.environ, "XDG_CONFIG_HOME": str(config), "XDG_STATE_HOME": str(folder / "state")}
