"""End-to-end harness: the installed `margin` command in a real terminal (tmux).

Each test gets its own tmux server (a unique `-L` socket), its own temporary folder holding the
project, the settings folder (XDG_CONFIG_HOME) and the tmux configuration, and TERM=xterm-256color.
The server is killed when the test ends, and any margin process the test started that is still
alive is killed by its pid.

Nothing here sleeps for a fixed time: every wait polls what is on the screen (or the state of a
process) every 0.1 s and gives up after a timeout, printing what the screen showed.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pytest

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "fixtures" / "demo"
P01 = DEMO / "P01-interview.txt"

#: How long any wait lasts before the test fails.
TIMEOUT = 10.0
POLL = 0.1

#: tmux settings: the terminal margin sees, no delay after escape, no status bar (so the pane is
#: exactly the size asked for), dead panes kept so what they printed can be read, and a plain
#: POSIX shell to run the command line.
TMUX_CONF = """\
set -g default-terminal xterm-256color
set -g escape-time 0
set -g status off
set -g remain-on-exit on
set -g history-limit 0
set -g default-shell /bin/sh
"""


def margin_command() -> str:
    """The installed `margin` console script: on PATH, else beside this Python."""
    found = shutil.which("margin")
    if found:
        return found
    beside = Path(sys.executable).parent / "margin"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    pytest.fail(
        "the `margin` command is not installed: install the package into this environment "
        "(python -m pip install -e '.[test]') so the end-to-end tests can run it",
        pytrace=False,
    )


def tmux_command() -> str:
    """The tmux executable; its absence fails the test (CI installs it), it never skips."""
    found = shutil.which("tmux")
    if not found:
        pytest.fail(
            "tmux is not installed: the end-to-end tests run margin in a real terminal inside tmux. "
            "Install it (apt-get install tmux, brew install tmux); .ci/run does this.",
            pytrace=False,
        )
    return found


def process_gone(pid: int) -> bool:
    """True when `pid` no longer runs (it is absent, or a zombie waiting to be reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # The state follows the parenthesised command name, which may itself contain spaces.
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def wait_until(predicate: Callable[[], object], timeout: float = TIMEOUT, what: str = "condition",
               detail: Callable[[], str] | None = None) -> object:
    """Poll `predicate` every 0.1 s until it returns something true; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            extra = f"\n{detail()}" if detail else ""
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}{extra}", pytrace=False)
        time.sleep(POLL)


def framed(screen: str) -> str:
    """A screen dump between rules, for failure messages."""
    rule = "-" * 40
    return f"{rule} screen {rule}\n{screen}\n{rule}{rule}-------"


def dialog_rows(screen: str) -> list[str]:
    """The rows of the theme picker (from its ╭ corner to its ╰ corner), cut to its width.

    Cutting keeps out the coding pane behind the dialog, which can list the same theme.
    """
    rows = screen.split("\n")
    top = next((i for i, row in enumerate(rows) if "╭" in row and "Tag" in row), None)
    if top is None:
        return rows
    left = rows[top].index("╭")
    right = rows[top].rindex("╮") + 1 if "╮" in rows[top] else None
    out = []
    for row in rows[top:]:
        out.append(row[left:right])
        if len(row) > left and row[left] == "╰":
            break
    return out


@dataclass
class Run:
    """One margin process running in a tmux window, under a shell that records its exit status."""

    window: str
    shell_pid: int
    pid: int
    status_file: Path

    def exit_status(self) -> int | None:
        """margin's exit status (128+n when signal n killed it), or None while it runs."""
        try:
            text = self.status_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return int(text) if text else None


class Terminal:
    """One tmux server on its own socket, driving margin in a real pseudo-terminal.

    margin runs under a small shell line, `margin ...; echo $? > FILE`, so the test learns its
    exit status from the shell (tmux 3.3 does not always report a dead pane's status).
    """

    session = "e2e"

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.tmux_path = tmux_command()
        self.workdir = workdir
        self.env = env
        self.socket = f"margin-e2e-{os.getpid()}-{uuid.uuid4().hex[:10]}"
        self.conf = workdir / "tmux.conf"
        self.conf.write_text(TMUX_CONF, encoding="utf-8")
        self.runs: list[Run] = []
        self.main: Run | None = None
        self.socket_paths: list[Path] = []
        self._running = False

    # ------------------------------------------------------------------ tmux

    def tmux(self, *args: str, check: bool = True) -> str:
        """Run one tmux command on this test's server; return its output."""
        # -u: the client and server assume UTF-8 whatever the locale says.
        result = subprocess.run(
            [self.tmux_path, "-u", "-L", self.socket, "-f", str(self.conf), *args],
            env=self.env, cwd=self.workdir, capture_output=True, text=True, timeout=TIMEOUT,
        )
        if check and result.returncode != 0:
            pytest.fail(f"tmux {' '.join(args)} failed: {result.stderr.strip()}", pytrace=False)
        return result.stdout

    def _env_flags(self) -> list[str]:
        flags: list[str] = []
        for name in ("XDG_CONFIG_HOME", "PATH", "HOME", "LANG", "LC_ALL"):
            if name in self.env:
                flags += ["-e", f"{name}={self.env[name]}"]
        return flags

    def _shell_line(self, command: Sequence[str], before: str) -> tuple[str, Path]:
        status_file = self.workdir / f"exit-status-{len(self.runs) + 1}"
        line = f"{before}{shlex.join(command)}; echo $? > {shlex.quote(str(status_file))}"
        return line, status_file

    def _track(self, window: str, status_file: Path) -> Run:
        shell_pid = int(self.tmux("display-message", "-p", "-t", window, "#{pane_pid}").strip())
        pids = wait_until(lambda: self.children(shell_pid) or (status_file.exists() and [-1]),
                          what="margin to start in the terminal", detail=lambda: framed(self.screen(window)))
        run = Run(window, shell_pid, pids[0], status_file)  # type: ignore[index]
        self.runs.append(run)
        return run

    def start(self, command: Sequence[str], width: int = 80, height: int = 24, *, before: str = "") -> Run:
        """Start `command` in a new session of `width` x `height` cells.

        `before` is shell text run first in the same shell (such as `trap : HUP; `). A second
        start replaces the first session, whose margin must have ended.
        """
        if self._running:
            self.tmux("kill-server", check=False)
        if self.socket_paths:
            # A server that is still shutting down refuses a client on its socket ("server
            # exited unexpectedly"), so each new session gets a socket of its own.
            self.socket = f"{self.socket.rsplit('.', 1)[0]}.{len(self.socket_paths)}"
        line, status_file = self._shell_line(command, before)
        self.tmux(
            "new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height),
            "-c", str(self.workdir), *self._env_flags(), line,
        )
        self._running = True
        self.socket_paths.append(Path(self.tmux("display-message", "-p", "#{socket_path}").strip()))
        self.main = self._track(f"{self.session}:0", status_file)
        return self.main

    def new_window(self, command: Sequence[str]) -> Run:
        """Run `command` in another window of the session (the same terminal server)."""
        line, status_file = self._shell_line(command, "")
        out = self.tmux(
            "new-window", "-d", "-P", "-F", "#{window_index}", "-t", f"{self.session}:",
            "-c", str(self.workdir), *self._env_flags(), line,
        )
        return self._track(f"{self.session}:{out.strip()}", status_file)

    def children(self, pid: int) -> list[int]:
        """The pids of the direct children of `pid`."""
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def _window(self, run: Run | str | None) -> str:
        if isinstance(run, str):
            return run
        run = run or self.main
        assert run is not None, "start margin first"
        return run.window

    # ------------------------------------------------------------------ keys and screen

    def send(self, *keys: str, run: Run | None = None) -> None:
        """Press keys, in tmux's names: `j`, `Enter`, `Escape`, `C-r`, `Down`."""
        self.tmux("send-keys", "-t", self._window(run), *keys)

    def type(self, text: str, run: Run | None = None) -> None:
        """Type `text` literally, one character after another."""
        self.tmux("send-keys", "-t", self._window(run), "-l", "--", text)

    def screen(self, run: Run | str | None = None) -> str:
        """What the pane shows now, one line per row, trailing spaces removed."""
        return self.tmux("capture-pane", "-p", "-t", self._window(run))

    def wait_for(self, text: str, timeout: float = TIMEOUT, run: Run | None = None) -> str:
        """Poll the screen every 0.1 s until it shows `text`; return that screen."""
        last = [""]

        def shows() -> str | None:
            last[0] = self.screen(run)
            return last[0] if text in last[0] else None

        return wait_until(shows, timeout, what=f"{text!r} on the screen", detail=lambda: framed(last[0]))  # type: ignore[return-value]

    # ------------------------------------------------------------------ margin's screens

    def wait_for_p01(self, run: Run | None = None) -> str:
        """Wait until the workspace shows the opening words of the demo's P01 interview."""
        return self.wait_for("Thanks again for making time", run=run)

    def status_row(self, run: Run | None = None) -> str:
        """The top row of the screen: the workspace's status line."""
        return self.screen(run).split("\n")[0]

    def wait_for_status(self, text: str, run: Run | None = None) -> str:
        """Wait until the status line (the top row) shows `text`; return that row."""
        last = [""]

        def shows() -> str | None:
            last[0] = self.screen(run)
            top = last[0].split("\n")[0]
            return top if text in top else None

        return wait_until(shows, what=f"{text!r} in the status line (top row)",  # type: ignore[return-value]
                          detail=lambda: framed(last[0]))

    def tag_with_picker(self, query: str, expected: str | None = None, run: Run | None = None) -> None:
        """Press `t`, type `query`; check `expected` is listed above "+ new"; press enter.

        Waits for "tagged" in the status line afterwards.
        """
        self.send("t", run=run)
        self.wait_for("type to find or create a theme", run=run)
        self.type(query, run=run)
        # Once the whole query is ranked, the picker offers to create it as a new theme.
        self.wait_for(f'"{query}"', run=run)
        if expected is not None:
            screen = self.screen(run)
            rows = dialog_rows(screen)
            listed = [i for i, row in enumerate(rows) if expected in row]
            new = [i for i, row in enumerate(rows) if f'"{query}"' in row and "new" in row]
            assert listed, f"{expected!r} is not listed in the theme picker\n{framed(screen)}"
            assert new and listed[0] < new[0], (
                f"{expected!r} should be listed above the entry that creates {query!r}\n{framed(screen)}"
            )
        self.send("Enter", run=run)
        self.wait_for_status("tagged", run=run)

    # ------------------------------------------------------------------ the process

    def wait_exit(self, run: Run | None = None, timeout: float = TIMEOUT) -> int:
        """Wait until margin has ended; return its exit status (128+n after signal n)."""
        run = run or self.main
        assert run is not None, "start margin first"
        return wait_until(  # type: ignore[return-value]
            lambda: (status := run.exit_status()) is not None and (status,), timeout,
            what="margin to exit", detail=lambda: framed(self.screen(run)) if self._running else "(terminal closed)",
        )[0]

    def hang_up(self) -> None:
        """Close the terminal under margin, as a dropped SSH connection does: kill the tmux server."""
        self.tmux("kill-server", check=False)
        self._running = False

    def wait_gone(self, run: Run | None = None, timeout: float = TIMEOUT) -> None:
        """Wait until margin's process no longer runs."""
        run = run or self.main
        assert run is not None and run.pid > 0, "start margin first"
        wait_until(lambda: process_gone(run.pid), timeout, what=f"margin (pid {run.pid}) to end")

    def modes(self, run: Run | None = None) -> dict[str, str]:
        """The pane's terminal modes: alternate screen and mouse reporting, "1" when on."""
        out = self.tmux("display-message", "-p", "-t", self._window(run), "#{alternate_on}|#{mouse_any_flag}")
        alternate, mouse = out.strip().split("|")
        return {"alternate screen": alternate, "mouse": mouse}

    def close(self) -> None:
        """Kill the tmux server, then any margin this test started that still runs (by its pid)."""
        if self._running:
            self.tmux("kill-server", check=False)
            self._running = False
        for socket_path in self.socket_paths:  # tmux leaves its socket file behind
            socket_path.unlink(missing_ok=True)
        for run in self.runs:
            if run.pid > 0 and not process_gone(run.pid):
                try:
                    os.kill(run.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


# ---------------------------------------------------------------------- fixtures


@pytest.fixture
def margin() -> str:
    """The path of the installed `margin` command."""
    return margin_command()


@pytest.fixture
def env(tmp_path: Path, margin: str) -> dict[str, str]:
    """The environment every margin process gets: settings in tmp, xterm-256color, UTF-8."""
    config = tmp_path / "config"
    config.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE", "NO_COLOR")}
    env["XDG_CONFIG_HOME"] = str(config)
    env["TERM"] = "xterm-256color"
    env["PATH"] = os.pathsep.join([str(Path(margin).parent), env.get("PATH", os.defpath)])
    if "utf" not in (env.get("LC_ALL") or env.get("LC_CTYPE") or env.get("LANG") or "").lower():
        env["LC_ALL"] = env["LANG"] = "C.UTF-8"
    return env


@pytest.fixture
def terminal(tmp_path: Path, env: dict[str, str]) -> Iterator[Terminal]:
    """A fresh tmux server for this test, killed afterwards."""
    term = Terminal(tmp_path, env)
    try:
        yield term
    finally:
        term.close()


@pytest.fixture
def run(margin: str, env: dict[str, str], tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `margin ARGS...` as a plain subprocess (no terminal); fail if it fails (unless check=False) or hangs."""

    def run_margin(*args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        try:
            result = subprocess.run(
                [margin, *args], env=env, cwd=tmp_path, stdin=subprocess.DEVNULL,
                capture_output=True, text=True, timeout=timeout,
            )
        except subprocess.TimeoutExpired:  # subprocess.run has killed it
            result = None
        if result is None:
            pytest.fail(f"margin {' '.join(args)} was still running after {timeout:.0f} s", pytrace=False)
        if check and result.returncode != 0:
            pytest.fail(
                f"margin {' '.join(args)} exited {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}",
                pytrace=False,
            )
        return result

    return run_margin


@pytest.fixture(scope="session")
def p01_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: a project with the demo's P01 interview and "Sense of belonging" on line 10 by AB."""
    folder = tmp_path_factory.mktemp("template")
    config = folder / "config"
    config.mkdir()
    env = {**os.environ, "XDG_CONFIG_HOME": str(config)}
    project = folder / "study.margin"
    margin = margin_command()
    for args in (
        ["new", str(project), "--coder", "AB"],
        ["import", str(project), str(P01)],
        ["tag", str(project), "P01", "10", "Sense of belonging", "--coder", "AB"],
    ):
        result = subprocess.run([margin, *args], env=env, cwd=folder, stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            pytest.fail(f"margin {' '.join(args)} exited {result.returncode}: {result.stderr}", pytrace=False)
    return project


@pytest.fixture
def p01_project(tmp_path: Path, p01_template: Path) -> Path:
    """This test's own copy of the P01 project (see p01_template)."""
    project = tmp_path / "study.margin"
    shutil.copy2(p01_template, project)
    return project


@pytest.fixture
def open_p01(margin: str) -> Callable[[Path], list[str]]:
    """`open_p01(project)`: the command line that opens P01 of `project` in the workspace, coder VR."""
    return lambda project: [margin, "open", str(project), "--transcript", "P01", "--coder", "VR"]


# ---------------------------------------------------------------------- reading the project file


class Coding(NamedTuple):
    transcript: str
    first_line: int
    last_line: int
    theme: str
    coder: str


class ProjectFile:
    """Reads a project file with the sqlite3 module, read-only, as other tools would."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _query(self, sql: str) -> list[tuple]:
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def codings(self) -> list[Coding]:
        """Every coding: transcript title, lines, theme name and coder name."""
        rows = self._query(
            """
            SELECT transcripts.title, codings.first_line, codings.last_line, themes.name, coders.name
            FROM codings
            JOIN transcripts ON transcripts.id = codings.transcript_id
            JOIN themes ON themes.id = codings.theme_id
            JOIN coders ON coders.id = codings.coder_id
            ORDER BY codings.id
            """
        )
        return [Coding(*row) for row in rows]

    def theme_names(self) -> list[str]:
        return [row[0] for row in self._query("SELECT name FROM themes ORDER BY id")]


@pytest.fixture
def db() -> Callable[[Path], ProjectFile]:
    """`db(path)`: a read-only view of a project file."""
    return ProjectFile
