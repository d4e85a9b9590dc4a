"""Run a program in a pseudo-terminal as a user's terminal would, and watch what it draws.

`Terminal` forks the program onto a new pty of a fixed size, reads every byte it writes, and
finds the first frame showing given texts once escape sequences are stripped. It answers the
program's question whether the terminal draws frames atomically (synchronized output, mode 2026)
with yes, as most terminals in use today do, so every frame Textual writes is bracketed and can be
counted. It reads the program's own CPU time (user + system, all threads) and peak memory from
/proc.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time
from collections.abc import Sequence

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: cursor moves, colours, modes
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, clipboard
    r"|\x1b[PX^_][^\x1b]*\x1b\\"  # DCS and friends
    r"|\x1b[@-Z\\-_=>()#%*+].?"  # two-character escapes
)
_TICK = os.sysconf("SC_CLK_TCK")
_ASKS_SYNC = b"\x1b[?2026$p"
_FRAME_START = b"\x1b[?2026h"

KEYS = {"pagedown": b"\x1b[6~", "pageup": b"\x1b[5~", "enter": b"\r", "escape": b"\x1b", "ctrl+q": b"\x11",
        "backspace": b"\x7f", "space": b" ", "down": b"\x1b[B", "up": b"\x1b[A"}


def visible_text(data: bytes) -> str:
    """What the bytes show, without escape sequences or line structure."""
    return _ESCAPES.sub("", data.decode("utf-8", "replace"))


class Terminal:
    """One program in a pty of `cols` x `rows`."""

    def __init__(self, argv: Sequence[str], *, cols: int = 120, rows: int = 40, env: dict[str, str] | None = None) -> None:
        environment = dict(os.environ if env is None else env)
        environment.update(TERM="xterm-256color", COLORTERM="truecolor", COLUMNS=str(cols), LINES=str(rows))
        environment.pop("TEXTUAL", None)
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: a session leader with the pty as its terminal
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                os.execvpe(argv[0], list(argv), environment)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.output = bytearray()
        self.mark = 0
        self.exited: tuple[int, int] | None = None

    def _read(self, timeout: float) -> bool:
        """Read what is there within `timeout` seconds; False if nothing came."""
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0.0))
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 1 << 20)
        except OSError:
            chunk = b""
        if not chunk:
            raise EOFError("the program closed its terminal")
        if _ASKS_SYNC in chunk:
            os.write(self.fd, b"\x1b[?2026;2$y")  # synchronized output: supported, off
        self.output += chunk
        return True

    def frames(self) -> int:
        """Frames written since the last `send` (each is bracketed by synchronized output)."""
        return self.output.count(_FRAME_START, self.mark)

    def wait_for(self, texts: Sequence[str], timeout: float = 120.0) -> float:
        """Seconds from start (or from the last `send`) until all `texts` have been shown since."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self._read(deadline - time.perf_counter()):
                shown = visible_text(bytes(self.output[self.mark:]))
                if all(text in shown for text in texts):
                    return time.perf_counter() - self.started
        raise TimeoutError(f"not shown within {timeout:.0f} s: {texts!r}")

    def idle(self, quiet: float = 0.4, timeout: float = 30.0) -> None:
        """Read until the program has written nothing for `quiet` seconds."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline and self._read(quiet):
            pass

    def send(self, key: str | bytes) -> None:
        """Type one key (a name from KEYS, or the characters themselves); timing restarts."""
        data = key if isinstance(key, bytes) else KEYS.get(key, key.encode())
        self.mark = len(self.output)
        self.started = time.perf_counter()
        os.write(self.fd, data)

    def press(self, key: str | bytes, quiet: float = 0.03, timeout: float = 5.0) -> float:
        """Type one key and wait for the frame it causes (output, then `quiet` s of none); seconds
        from the key to the last byte of that frame."""
        self.send(key)
        deadline = time.perf_counter() + timeout
        last = time.perf_counter()
        if self._read(timeout):
            last = time.perf_counter()
            while time.perf_counter() < deadline and self._read(quiet):
                last = time.perf_counter()
        return last - self.started

    def cpu(self) -> float:
        """CPU seconds the program has used, user and system, over all its threads."""
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / _TICK

    def peak_rss_mb(self) -> float:
        """The program's peak resident memory (VmHWM) in MB."""
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        """Quit with ctrl+q, and make sure the program is gone."""
        try:
            os.write(self.fd, KEYS["ctrl+q"])
            deadline = time.perf_counter() + 5
            while time.perf_counter() < deadline:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self.exited = (pid, status)
                    break
                try:
                    self._read(0.05)
                except EOFError:
                    pass
        except OSError:
            pass
        if self.exited is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        os.close(self.fd)
