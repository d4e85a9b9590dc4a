"""The mutations of mutate.py, run faster: tests chosen by coverage, each mutant in a forked process.

Usage, from the repository's root (with the project's virtual environment active):

    python tests/mutation/fastmutate.py tui/project/themes.py tui/project/codings.py \
        --tests tests/unit/test_store.py tests/unit/test_domain_*.py [--jobs 2] [--timeout S]

Same mutants as mutate.py (its `Mutator`, the same numbering and descriptions, the same allow-list
`tests/mutation/equivalent.txt` and score), so the two agree on what survives. What differs is
how each mutant is run, since hundreds of `pytest` start-ups take hours on a shared machine:

1. The repository (`tui/`, `tests/`, `fixtures/`, `pyproject.toml`) is copied to a temporary folder
   once, so others can go on editing the working tree.
2. One traced run of TESTS records which lines of the mutated modules each test executes
   (fixtures included).
3. Each mutant runs in a process forked from one that has already imported pytest and the other
   libraries; it loads the mutated module from memory and runs only the tests that execute the
   mutated line (all TESTS if none does: module-level code). A test that never executes a line
   cannot notice a change there, so this loses nothing; with `--confirm`, each survivor is run
   again against all of TESTS before it counts (for line numbers the tracer might not see).

Exit status: 0 if every mutant not listed as equivalent was killed, 1 if not, 2 if the tests fail
without any mutation.
"""

from __future__ import annotations

import argparse
import importlib.abc
import importlib.util
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutate import COPIED, ROOT, make_copy, mutants, mutate, read_allow_list  # noqa: E402

import pytest  # noqa: E402  (imported once here, before forking)

for _preload in ("hypothesis", "sqlite_utils", "sqlite3", "json", "unicodedata", "textual.content"):
    try:
        __import__(_preload)
    except ImportError:
        pass


class _MutantFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Loads one module from a source string instead of its file."""

    def __init__(self, name: str, path: Path, source: str) -> None:
        self.name, self.path, self.source = name, path, source

    def find_spec(self, fullname, path=None, target=None):  # noqa: ANN001
        if fullname != self.name:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=str(self.path))

    def create_module(self, spec):  # noqa: ANN001
        return None

    def exec_module(self, module) -> None:  # noqa: ANN001
        module.__file__ = str(self.path)
        exec(compile(self.source, str(self.path), "exec"), module.__dict__)


class _Coverage:
    """A pytest plugin: for each test, the lines of the watched files it executes."""

    def __init__(self, files: set[str]) -> None:
        self.files = files
        self.lines: dict[str, dict[str, set[int]]] = {}
        self.current: dict[str, set[int]] | None = None

    def _local(self, frame, event, arg):  # noqa: ANN001
        if event == "line" and self.current is not None:
            self.current.setdefault(frame.f_code.co_filename, set()).add(frame.f_lineno)
        return self._local

    def _global(self, frame, event, arg):  # noqa: ANN001
        if frame.f_code.co_filename in self.files:
            if self.current is not None:
                self.current.setdefault(frame.f_code.co_filename, set()).add(frame.f_lineno)
            return self._local
        return None

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):  # noqa: ANN001
        self.current = {}
        sys.settrace(self._global)
        threading.settrace(self._global)
        try:
            yield
        finally:
            sys.settrace(None)
            threading.settrace(None)
            self.lines[item.nodeid] = self.current
            self.current = None


class _Quiet:
    """Send a child's output nowhere."""

    def __enter__(self) -> None:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)


def _purge() -> None:
    for name in list(sys.modules):
        if name == "tui" or name.startswith("tui.") or name.startswith("test_") or name == "conftest":
            del sys.modules[name]


def _child(workdir: Path, args: list[str], finder: _MutantFinder | None, plugin: object | None = None) -> int:
    os.chdir(workdir)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # the domain's tests need no plugin; loading them is slow
    sys.path.insert(0, str(workdir))
    _purge()
    if finder is not None:
        sys.meta_path.insert(0, finder)
    return int(pytest.main(["-q", "-p", "no:cacheprovider", "--assert=plain", *args], plugins=[plugin] if plugin else []))


def _fork(workdir: Path, args: list[str], finder: _MutantFinder | None, *, quiet: bool = True) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            os.setpgid(0, 0)
            if quiet:
                _Quiet().__enter__()
            code = _child(workdir, args, finder)
        except BaseException:
            code = 3
        os._exit(code)
    return pid


def _wait(pids: dict[int, float], timeout: float) -> tuple[int, str] | None:
    """Wait for one child to end; (pid, 'passed' | 'failed' | 'timeout')."""
    while True:
        for pid, started in list(pids.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                del pids[pid]
                return pid, "passed" if os.waitstatus_to_exitcode(status) == 0 else "failed"
            if time.monotonic() - started > timeout:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                os.waitpid(pid, 0)
                del pids[pid]
                return pid, "timeout"
        time.sleep(0.02)


def _module_name(module: Path) -> str:
    return ".".join(module.with_suffix("").parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("modules", nargs="+", metavar="MODULE_FILE")
    parser.add_argument("--tests", nargs="+", required=True, metavar="TEST_PATH")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, help="seconds per mutant (default: 3x the clean run, at least 20)")
    parser.add_argument("--only", metavar="LINE[-LINE]", help="only mutants on these lines (with one module)")
    parser.add_argument("--json", metavar="FILE", help="also write every outcome to FILE")
    parser.add_argument("--deselect", nargs="+", default=[], metavar="NODEID",
                        help="leave these tests out (one that fails for a reason of its own)")
    parser.add_argument("--survivors", metavar="FILE",
                        help="only the mutants that survived in FILE (a --json of an earlier run of the same code), "
                             "and every mutant of the --changed modules")
    parser.add_argument("--changed", nargs="*", default=[], metavar="MODULE_FILE",
                        help="with --survivors: modules changed since that run, mutated whole")
    parser.add_argument("--confirm", action="store_true", help="run each survivor again against all of TESTS")
    args = parser.parse_args(argv)
    modules = [Path(m).resolve().relative_to(ROOT) for m in args.modules]
    tests = [str(Path(t).resolve().relative_to(ROOT)) for t in args.tests]
    tests += [f"--deselect={nodeid}" for nodeid in args.deselect]
    low, _, high = (args.only or "0-999999").partition("-")
    wanted = range(int(low), int(high or low) + 1)
    temp = Path(tempfile.mkdtemp(prefix="fastmutate-"))
    try:
        workdir = make_copy(temp / "copy")
        sources = {m: (workdir / m).read_text(encoding="utf-8") for m in modules}
        work = [(module, index, line, description)
                for module in modules
                for index, (line, description) in enumerate(mutants(sources[module]))
                if line in wanted]
        if args.survivors:
            changed = {str(Path(m).resolve().relative_to(ROOT)) for m in args.changed}
            survived = {(o["file"], o["line"], o["mutation"]) for o in json.loads(Path(args.survivors).read_text())
                        if o["outcome"] == "passed"}
            work = [w for w in work if str(w[0]) in changed or (str(w[0]), w[2], w[3]) in survived]

        # The clean run, traced: which test runs which lines.
        files = {str(workdir / m) for m in modules}
        report = temp / "coverage.json"
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            code = 3
            try:
                _Quiet().__enter__()
                plugin = _Coverage(files)
                code = _child(workdir, [*tests], None, plugin)
                report.write_text(json.dumps(
                    {n: {f: sorted(ls) for f, ls in per.items()} for n, per in plugin.lines.items()}
                ))
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            print("the tests fail without any mutation: fix them first", file=sys.stderr)
            return 2
        clean = time.monotonic() - started
        timeout = args.timeout or max(20.0, 3 * clean)
        coverage = json.loads(report.read_text())
        by_line: dict[tuple[str, int], list[str]] = {}
        for nodeid, per in coverage.items():
            for file, lines in per.items():
                for line in lines:
                    by_line.setdefault((file, line), []).append(nodeid)
        print(f"{len(work)} mutants, {len(coverage)} tests, {timeout:.0f} s each at most, {args.jobs} at a time",
              flush=True)

        outcomes: dict[int, str] = {}
        queue: list[tuple[int, list[str]]] = []
        for number, (module, index, line, _) in enumerate(work):
            chosen = by_line.get((str(workdir / module), line))
            queue.append((number, chosen if chosen else tests))
        retried: set[int] = set()
        running: dict[int, float] = {}
        owner: dict[int, int] = {}
        done = 0
        while queue or running:
            while queue and len(running) < max(1, args.jobs):
                number, selection = queue.pop(0)
                module, index, _, _ = work[number]
                finder = _MutantFinder(_module_name(module), workdir / module, mutate(sources[module], index))
                pid = _fork(workdir, ["-x", *selection], finder)
                running[pid] = time.monotonic()
                owner[pid] = number
            pid, outcome = _wait(running, timeout)
            number = owner.pop(pid)
            if outcome == "passed" and args.confirm and number not in retried:
                retried.add(number)
                queue.insert(0, (number, tests))  # confirm against every test
                continue
            outcomes[number] = outcome
            done += 1
            if done % 50 == 0:
                print(f"  {done}/{len(work)} done", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(temp, ignore_errors=True)

    allowed = read_allow_list()
    survivors, equivalent = [], []
    per_module: dict[str, list[int]] = {}
    for number, (module, _, line, description) in enumerate(work):
        outcome = outcomes[number]
        counts = per_module.setdefault(str(module), [0, 0, 0])
        counts[0] += 1
        if outcome == "passed":
            key = (f"{module}:{line}", description)
            if key in allowed:
                equivalent.append(f"{module}:{line} | {description}")
                counts[2] += 1
            else:
                survivors.append(f"{module}:{line} | {description}")
                counts[1] += 1
    killed = len(work) - len(survivors) - len(equivalent)
    scored = len(work) - len(equivalent)
    score = 100.0 * killed / scored if scored else 100.0
    timeouts = sum(1 for o in outcomes.values() if o == "timeout")
    for module, (total, survived, eq) in per_module.items():
        print(f"{module}: {total} mutants, {total - survived - eq} killed, {survived} survived, {eq} equivalent")
    print(f"mutants: {len(work)}, killed: {killed} ({timeouts} by timeout), "
          f"survived: {len(survivors)}, equivalent: {len(equivalent)}, score: {score:.1f}%")
    for title, items in (("equivalent (tests/mutation/equivalent.txt)", equivalent), ("survived", survivors)):
        if items:
            print(f"{title}:")
            print("\n".join(f"  {item}" for item in items))
    if args.json:
        Path(args.json).write_text(json.dumps(
            [{"file": str(m), "line": ln, "mutation": d, "outcome": outcomes[i]}
             for i, (m, _, ln, d) in enumerate(work)], indent=1))
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
