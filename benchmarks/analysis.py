"""How fast the analysis screens open on large studies: `python benchmarks/analysis.py [--quick]`.

`measure(quick)` is what benchmarks/run.py calls. It builds three synthetic IPA studies (fictional
text, through margin's domain, in a temporary folder) and returns one row per figure as
`(label, milliseconds, target)`, the milliseconds a median of runs (7, or 5 with `quick`):

- the extracts of a GET with 5,000 codings below it (10 participants, PETs and statements);
- the GET table of 50 participants and 500 themes (50 GETs, 450 PETs, 9,000 codings);
- the theme board of 10,000 themes, every case done so all of them are listed (20 participants,
  50 GETs, 1,000 PETs, 8,950 statements, 10,000 codings);
- an empty screen pushed the same way, the floor that the three include.

Each figure comes twice: wall-clock time, and the CPU time the process spent over the same span
(the work margin does; on a machine shared with other work the wall clock also counts waiting).

A figure is the time from pushing the screen on the running app (Textual's headless driver at
80x24, the project open) until the app is idle again with the screen mounted, its data read and
its first frame composed: what a researcher waits for after the key. The study is built once per
figure; each run opens a fresh screen and closes it again. `quick` only takes fewer runs: the
sizes are the targets' (DESIGN.md's speed table, issue 11), so the figures always mean the same.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from study import add_transcript  # noqa: E402

from textual.screen import Screen  # noqa: E402

from tui.project import Project  # noqa: E402

#: The targets, in milliseconds.
TARGET_MS = 100.0
SIZE = (80, 24)
_CREATED = "2026-01-01T00:00:00Z"


def _theme(project: Project, key: str, name: str, level: str, parent: int | None, participant: int | None) -> int:
    row = project._insert("themes", {
        "guid": f"bench-analysis-{key}", "name": name, "parent_id": parent, "level": level,
        "participant_id": participant, "description": "", "colour": None, "created_at": _CREATED,
    })
    return int(row["id"])


def _code(project: Project, key: str, transcript_id: int, first: int, last: int, theme_id: int) -> None:
    project._insert("codings", {
        "guid": f"bench-analysis-coding-{key}", "transcript_id": transcript_id, "first_line": first,
        "last_line": last, "theme_id": theme_id, "coder_id": None, "created_at": _CREATED,
    })


def _participants(project: Project, count: int, lines: int) -> list[tuple[int, int, int]]:
    """`count` participants with one transcript each: (participant id, transcript id, lines)."""
    made = []
    for index in range(count):
        transcript = add_transcript(project, f"Interview {index + 1}", lines, seed=index + 11,
                                    participant=f"P{index + 1:02d}")
        made.append((transcript.participant_id, transcript.id, transcript.line_count))
    return made


def build_extracts_study(path: Path, codings: int = 5000, participants: int = 10) -> tuple[Project, int]:
    """An IPA study whose one GET has `codings` extracts below it; returns (project, GET id)."""
    project = Project.create(path, method="ipa", coder="BENCH")
    cases = _participants(project, participants, 1200)
    rng = random.Random(5)
    with project.action("bench.analysis", "build the extracts study"):
        get_id = _theme(project, "get", "Belonging on the ward", "get", None, None)
        per_case = codings // participants
        for p_index, (participant_id, transcript_id, lines) in enumerate(cases):
            pet = _theme(project, f"pet-{p_index}", f"Finding a place {p_index}", "pet", get_id, participant_id)
            statements = [_theme(project, f"st-{p_index}-{s}", f"Statement {p_index}.{s}", "statement", pet,
                                 participant_id) for s in range(10)]
            taken: set[tuple[int, int, int]] = set()
            for c in range(per_case):
                while True:
                    first = rng.randint(1, lines)
                    last = min(lines, first + rng.randint(0, 4))
                    theme = statements[c % len(statements)]
                    if (first, last, theme) not in taken:
                        taken.add((first, last, theme))
                        break
                _code(project, f"x-{p_index}-{c}", transcript_id, first, last, theme)
    return project, get_id


def build_get_table_study(path: Path, participants: int = 50, themes: int = 500) -> Project:
    """An IPA study of `participants` participants and `themes` themes: a tenth GETs, the rest PETs."""
    project = Project.create(path, method="ipa", coder="BENCH")
    cases = _participants(project, participants, 300)
    gets_count = themes // 10
    pets_per_case = (themes - gets_count) // participants
    rng = random.Random(9)
    with project.action("bench.analysis", "build the GET table study"):
        gets = [_theme(project, f"g-{g}", f"Group theme {g}", "get", None, None) for g in range(gets_count)]
        for p_index, (participant_id, transcript_id, lines) in enumerate(cases):
            for k in range(pets_per_case):
                pet = _theme(project, f"p-{p_index}-{k}", f"Personal theme {p_index}.{k}", "pet",
                             gets[(p_index * 7 + k) % gets_count], participant_id)
                for c in range(20):
                    first = (k * 20 + c) * (lines // (pets_per_case * 20)) + 1
                    _code(project, f"t-{p_index}-{k}-{c}", transcript_id, first,
                          min(lines, first + rng.randint(0, 2)), pet)
    return project


def build_board_study(path: Path, themes: int = 10000, participants: int = 20) -> Project:
    """An IPA study of `themes` themes (GETs, PETs, statements), every case done."""
    project = Project.create(path, method="ipa", coder="BENCH")
    cases = _participants(project, participants, 400)
    gets_count, pets_per_case = 50, 50
    statements_total = themes - gets_count - pets_per_case * participants
    rng = random.Random(13)
    with project.action("bench.analysis", "build the board study"):
        gets = [_theme(project, f"bg-{g}", f"Group theme {g}", "get", None, None) for g in range(gets_count)]
        made = 0
        for p_index, (participant_id, transcript_id, lines) in enumerate(cases):
            pets = [_theme(project, f"bp-{p_index}-{k}", f"Personal theme {p_index}.{k}", "pet",
                           gets[(p_index + k) % gets_count], participant_id) for k in range(pets_per_case)]
            share = statements_total // participants + (1 if p_index < statements_total % participants else 0)
            for s in range(share):
                statement = _theme(project, f"bs-{p_index}-{s}", f"Statement {p_index}.{s} on the ward",
                                   "statement", pets[s % pets_per_case], participant_id)
                first = rng.randint(1, lines - 3)
                _code(project, f"b-{made}", transcript_id, first, first + rng.randint(0, 3), statement)
                made += 1
        for participant_id, _, _ in cases:
            project._update("participants", participant_id, case_done_at=_CREATED)
    return project


async def _time_screen(project: Project, make: Callable[[], Screen], ready: Callable[[Screen], bool],
                       runs: int) -> tuple[list[float], list[float]]:
    """Milliseconds from pushing a fresh screen made by `make` to its first frame showing its data:
    (wall-clock times, the process's CPU times over the same spans).

    The headless driver composes every frame and writes none: each frame of the pushed screen is
    turned into the bytes a terminal would get, as the real driver does, and the clock stops at
    the first one composed once `ready(screen)` says the screen holds what it shows.
    """
    from textual._compositor import CompositorUpdate

    from tui.app import MarginApp

    app = MarginApp(project)
    timings: list[float] = []
    cpu: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        base = app.screen
        shown: list[float] = []
        pushed: list[Screen] = []
        display = app._display

        def timed_display(screen: Screen, renderable: object) -> None:
            display(screen, renderable)  # type: ignore[arg-type]
            if (isinstance(renderable, CompositorUpdate) and pushed and screen is pushed[0] and not shown
                    and ready(screen)):
                renderable.render_segments(app.console)
                shown.append(time.perf_counter())
                shown.append(time.process_time())

        app._display = timed_display  # type: ignore[method-assign]
        for _ in range(runs + 1):  # the first run warms the caches of Python and Textual: left out
            screen = make()
            shown.clear()
            pushed[:] = [screen]
            start, start_cpu = time.perf_counter(), time.process_time()
            await app.push_screen(screen)
            await pilot.pause()
            assert app.screen is screen and shown, "the screen never showed its data"
            timings.append((shown[0] - start) * 1000)
            cpu.append((shown[1] - start_cpu) * 1000)
            pushed.clear()
            app.pop_screen()
            await pilot.pause()
            assert app.screen is base
    return timings[1:], cpu[1:]


def _medians(project: Project, make: Callable[[], Screen], ready: Callable[[Screen], bool],
             runs: int) -> tuple[float, float]:
    """(median wall-clock ms, median CPU ms) of `runs` openings."""
    wall, cpu = asyncio.run(_time_screen(project, make, ready, runs))
    return statistics.median(wall), statistics.median(cpu)


def measure(quick: bool) -> list[tuple[str, float, str]]:
    """The analysis figures: (label, median milliseconds, target), wall clock then CPU time for each;
    `quick` takes 5 runs instead of 7."""
    from tui.screens.extracts import ExtractsScreen
    from tui.screens.get_table import GetTableScreen
    from tui.screens.theme_board import ThemeBoardScreen

    runs = 5 if quick else 7
    target = f"<= {TARGET_MS:.0f} ms"
    rows: list[tuple[str, float, str]] = []

    def add(label: str, figures: tuple[float, float], wanted: str = target) -> None:
        rows.append((label, figures[0], wanted))
        rows.append((f"{label}, CPU time", figures[1], wanted))

    with tempfile.TemporaryDirectory(prefix="margin-bench-analysis-") as folder:
        project, get_id = build_extracts_study(Path(folder) / "extracts.margin")
        try:
            add("empty screen pushed (the floor of the figures below)",
                _medians(project, Screen, lambda _: True, runs), "-")
            add("extracts of a GET with 5,000 codings",
                _medians(project, lambda: ExtractsScreen(project, get_id), lambda s: len(s.extracts) == 5000, runs))
        finally:
            project.close()
        project = build_get_table_study(Path(folder) / "get-table.margin")
        try:
            add("GET table, 50 participants x 500 themes",
                _medians(project, lambda: GetTableScreen(project), lambda s: s.grid.row_count == 50, runs))
        finally:
            project.close()
        project = build_board_study(Path(folder) / "board.margin")
        try:
            add("theme board, 10,000 themes (all cases)",
                _medians(project, lambda: ThemeBoardScreen(project), lambda s: len(s._rows) == 10000, runs))
        finally:
            project.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 runs instead of 7")
    args = parser.parse_args()
    print("| figure | median | target |\n|---|---:|---|")
    for label, ms, target in measure(args.quick):
        print(f"| {label} | {ms:.0f} ms | {target} |")


if __name__ == "__main__":
    main()
