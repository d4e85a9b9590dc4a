"""A small mutation tester: make one small fault at a time in a module and see whether the tests notice.

Usage, from the repository's root (with the project's virtual environment active):

    python tests/mutation/mutate.py tui/formats/transcripts/*.py --tests tests/unit/test_transcripts.py \
        tests/unit/test_import_tables.py [--jobs 2] [--timeout S] [--only LINE[-LINE]]

For every mutation site of every MODULE_FILE it writes one mutant (the module's source with one
change, re-printed by `ast.unparse`) into a private copy of the repository (`tui/`, `tests/`,
`fixtures/`, `pyproject.toml` copied to a temporary folder, one per job; the working tree is never
touched, so others can go on editing it), and runs `pytest -x -q -p no:cacheprovider TESTS` there
with PYTHONPATH pointing at the copy. A mutant whose tests fail, or run past the timeout (default:
three times the clean run, at least 20 s), is killed; one whose tests pass survived.

The mutations: a comparison flipped (`<` and `<=`, `>` and `>=`, `==` and `!=`, `in` and
`not in`, `is` and `is not`), `+` and `-` swapped (also in `+=`), an integer constant one more
and one less, `and` and `or` swapped, a `not` dropped, an `if` condition forced True and forced
False, a `raise`, `return`, `continue` or `break` replaced by `pass`, and a call made as a statement
(`out.append(x)`) dropped.

Survivors judged equivalent (no test could tell them apart from the original) are listed in
`tests/mutation/equivalent.txt`, one per line: `FILE:LINE | MUTATION | why`, with FILE and MUTATION
exactly as this tool prints them; they are reported apart and left out of the score, which is
killed / (mutants - equivalent). Exit status: 0 if every other mutant was killed, 1 if not, 2 if the
tests fail before any mutation.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOW = Path(__file__).resolve().parent / "equivalent.txt"
COPIED = ("tui", "tests", "fixtures", "pyproject.toml")
FLIP = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}
SYMBOL = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
    ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not", ast.Add: "+", ast.Sub: "-",
}
SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add}


def _short(node: ast.AST) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= 40 else text[:37] + "..."


class Mutator(ast.NodeTransformer):
    """Walks a module in a fixed order; lists its mutation sites, or applies site number `target`."""

    def __init__(self, target: int | None = None) -> None:
        self.target = target
        self.sites: list[tuple[int, str]] = []  # (line, description), in walk order

    def _offer(self, node: ast.AST, description: str, make) -> ast.AST | None:
        """Count a site; return its mutated node if it is the target."""
        self.sites.append((node.lineno, description))
        if self.target == len(self.sites) - 1:
            return make()
        return None

    def _visit(self, node: ast.AST, alternatives) -> ast.AST:
        for description, make in alternatives:
            mutated = self._offer(node, description, make)
            if mutated is not None:
                return ast.copy_location(mutated, node)
        return self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        def flipped(i: int):
            def make() -> ast.AST:
                new = copy.deepcopy(node)
                new.ops[i] = FLIP[type(node.ops[i])]()
                return new
            return make
        return self._visit(node, [
            (f"{SYMBOL[type(op)]} -> {SYMBOL[FLIP[type(op)]]}", flipped(i))
            for i, op in enumerate(node.ops) if type(op) in FLIP
        ])

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        if type(node.op) not in SWAP:
            return self.generic_visit(node)
        other = SWAP[type(node.op)]
        return self._visit(node, [(f"{SYMBOL[type(node.op)]} -> {SYMBOL[other]}",
                                   lambda: ast.BinOp(node.left, other(), node.right))])

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        if type(node.op) not in SWAP:
            return self.generic_visit(node)
        other = SWAP[type(node.op)]
        return self._visit(node, [(f"{SYMBOL[type(node.op)]}= -> {SYMBOL[other]}=",
                                   lambda: ast.AugAssign(node.target, other(), node.value))])

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if type(node.value) is not int:
            return node
        return self._visit(node, [(f"{node.value} -> {node.value + d}", lambda d=d: ast.Constant(node.value + d))
                                  for d in (1, -1)])

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        other = ast.Or if isinstance(node.op, ast.And) else ast.And
        names = {ast.And: "and", ast.Or: "or"}
        return self._visit(node, [(f"{names[type(node.op)]} -> {names[other]}", lambda: ast.BoolOp(other(), node.values))])

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        if not isinstance(node.op, ast.Not):
            return self.generic_visit(node)
        return self._visit(node, [(f"drop not: {_short(node)}", lambda: node.operand)])

    def visit_If(self, node: ast.If) -> ast.AST:
        def forced(value: bool):
            return lambda: ast.If(ast.Constant(value), node.body, node.orelse)
        return self._visit(node, [(f"if {_short(node.test)} -> if {v}", forced(v)) for v in (True, False)])

    def _drop(self, node: ast.stmt) -> ast.AST:
        return self._visit(node, [(f"drop {_short(node)}", ast.Pass)])

    visit_Raise = visit_Return = visit_Continue = visit_Break = _drop

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        if isinstance(node.value, ast.Call):
            return self._drop(node)
        return self.generic_visit(node)


def mutants(source: str) -> list[tuple[int, str]]:
    """The (line, description) of every mutation site of a module's source."""
    mutator = Mutator()
    mutator.visit(ast.parse(source))
    return mutator.sites


def mutate(source: str, index: int) -> str:
    """The module's source with mutation number `index` applied."""
    tree = Mutator(index).visit(ast.parse(source))
    return ast.unparse(ast.fix_missing_locations(tree))


def run_tests(workdir: Path, tests: list[str], timeout: float) -> str:
    """'passed', 'failed' or 'timeout' for one run of the tests in a copy of the repository."""
    env = dict(os.environ, PYTHONPATH=str(workdir), PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        return "passed" if process.wait(timeout=timeout) == 0 else "failed"
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return "timeout"


def make_copy(base: Path) -> Path:
    base.mkdir()
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, base / name, ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
        elif source.exists():
            shutil.copy2(source, base / name)
    return base


def read_allow_list() -> set[tuple[str, str]]:
    """(FILE:LINE, MUTATION) of every survivor judged equivalent."""
    allowed: set[tuple[str, str]] = set()
    if ALLOW.exists():
        for line in ALLOW.read_text(encoding="utf-8").split("\n"):
            if line.strip() and not line.startswith("#"):
                place, mutation, *_ = [part.strip() for part in line.split(" | ")]
                allowed.add((place, mutation))
    return allowed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("modules", nargs="+", metavar="MODULE_FILE")
    parser.add_argument("--tests", nargs="+", required=True, metavar="TEST_PATH")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, help="seconds per mutant (default: 3x the clean run, at least 20)")
    parser.add_argument("--only", metavar="LINE[-LINE]", help="only mutants on these lines (with one module)")
    args = parser.parse_args(argv)
    modules = [Path(m).resolve().relative_to(ROOT) for m in args.modules]
    tests = [str(Path(t).resolve().relative_to(ROOT)) for t in args.tests]
    low, _, high = (args.only or "0-999999").partition("-")
    lines = range(int(low), int(high or low) + 1)
    work = [(module, index, line, description)
            for module in modules
            for index, (line, description) in enumerate(mutants((ROOT / module).read_text(encoding="utf-8")))
            if line in lines]
    with tempfile.TemporaryDirectory(prefix="mutate-") as temp:
        copies: queue.Queue[Path] = queue.Queue()
        for job in range(max(1, args.jobs)):
            copies.put(make_copy(Path(temp) / f"copy{job}"))
        first = copies.get()
        started = time.monotonic()
        if run_tests(first, tests, timeout=600) != "passed":
            print("the tests fail without any mutation: fix them first", file=sys.stderr)
            return 2
        timeout = args.timeout or max(20.0, 3 * (time.monotonic() - started))
        copies.put(first)
        print(f"{len(work)} mutants, {timeout:.0f} s each at most, {args.jobs} at a time", flush=True)

        def one(item: tuple[Path, int, int, str]) -> str:
            module, index, _, _ = item
            workdir = copies.get()
            target = workdir / module
            original = target.read_text(encoding="utf-8")
            try:
                target.write_text(mutate(original, index), encoding="utf-8")
                return run_tests(workdir, tests, timeout)
            finally:
                target.write_text(original, encoding="utf-8")
                copies.put(workdir)
                done.append(index)
                if len(done) % 25 == 0:
                    print(f"  {len(done)}/{len(work)} done", file=sys.stderr, flush=True)

        done: list[int] = []

        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            outcomes = list(pool.map(one, work))
    allowed = read_allow_list()
    survivors, equivalent = [], []
    for (module, _, line, description), outcome in zip(work, outcomes):
        if outcome == "passed":
            key = (f"{module}:{line}", description)
            (equivalent if key in allowed else survivors).append(f"{module}:{line} | {description}")
    killed = len(work) - len(survivors) - len(equivalent)
    scored = len(work) - len(equivalent)
    score = 100.0 * killed / scored if scored else 100.0
    print(f"mutants: {len(work)}, killed: {killed} ({outcomes.count('timeout')} by timeout), "
          f"survived: {len(survivors)}, equivalent: {len(equivalent)}, score: {score:.1f}%")
    for title, items in (("equivalent (tests/mutation/equivalent.txt)", equivalent), ("survived", survivors)):
        if items:
            print(f"{title}:")
            print("\n".join(f"  {item}" for item in items))
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
