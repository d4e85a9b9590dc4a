"""How fast the coding workspace is on a 100,000-line transcript, against a 100-line one.

Run: python benchmarks/bench_workspace.py [--runs 5]

It writes a transcript of fictional speech, imports it, opens the workspace headless (Textual's
Pilot at 120x40) and times key presses: each press is measured until the app is idle again,
which includes rendering. Machines here are noisy, so it prints medians of several runs and the
ratio of the large transcript to the small one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui.app import MarginApp  # noqa: E402
from tui.formats.importer import import_file  # noqa: E402
from tui.project import Project  # noqa: E402
from tui.widgets.transcript_view import TranscriptView  # noqa: E402

WORDS = (
    "honestly I felt a bit lost on the ward you stand in the corner during the round and "
    "you try not to get in anyone's way [laughs] so the bulletin felt like a chance to say something"
).split()


def write_transcript(path: Path, lines: int) -> None:
    """About `lines` lines once wrapped at 72: turns of ~3 lines, alternating speakers."""
    turns = []
    for turn in range(max(lines // 3, 1)):
        speaker = "Interviewer" if turn % 2 == 0 else "P07"
        words = [WORDS[(turn * 7 + i) % len(WORDS)] for i in range(30)]
        turns.append(f"{speaker}: {' '.join(words)}")
    path.write_text("\n\n".join(turns), encoding="utf-8")


async def time_keys(project: Project, transcript_id: int, keys: list[str]) -> dict[str, float]:
    """Milliseconds to open the workspace, and medians per key: the whole press, and the view's own work."""
    app = MarginApp(project, transcript_id=transcript_id)
    timings: dict[str, list[float]] = {}
    start = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        opened = (time.perf_counter() - start) * 1000
        view = app.screen.query_one(TranscriptView)
        actions = {"j": view.action_cursor_down, "k": view.action_cursor_up, "pagedown": view.action_page_down,
                   "G": view.action_last, "g": view.action_first}
        for key in keys:
            start = time.perf_counter()
            await pilot.press(key)
            timings.setdefault(f"press {key} ms", []).append((time.perf_counter() - start) * 1000)
            # The work a key press costs margin itself: move, then render every visible row.
            start = time.perf_counter()
            actions[key]()
            for y in range(view.size.height):
                view.render_line(y)
            timings.setdefault(f"render {key} ms", []).append((time.perf_counter() - start) * 1000)
        await pilot.pause()
    return {"open ms": opened, **{key: statistics.median(values) for key, values in timings.items()}}


def measure(size: int, folder: Path) -> dict[str, float]:
    """Import, open and key-press timings for a transcript of `size` lines."""
    source = folder / f"t{size}.txt"
    write_transcript(source, size)
    path = folder / f"p{size}.margin"
    project = Project.create(path, coder="bench")
    start = time.perf_counter()
    transcript = import_file(project, source)
    imported = time.perf_counter() - start
    project.close()

    project = Project.open(path, coder="bench")
    keys = ["j"] * 40 + ["k"] * 20 + ["pagedown"] * 10 + ["G", "g"] * 5
    result = asyncio.run(time_keys(project, transcript.id, keys))
    project.close()
    return {"lines": transcript.line_count, "import_s": imported, **result}


def main() -> None:
    """Run the benchmark and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--large", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("XDG_CONFIG_HOME", tempfile.mkdtemp())
    small_runs, large_runs = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            small_runs.append(measure(100, Path(folder)))
            large_runs.append(measure(args.large, Path(folder)))
    print(f"{'measure':<18}{'100 lines':>12}{f'{args.large:,} lines':>16}{'ratio':>8}")
    for key in small_runs[0]:
        small = statistics.median(run[key] for run in small_runs)
        large = statistics.median(run[key] for run in large_runs)
        ratio = large / small if small else float("nan")
        print(f"{key:<18}{small:>12.2f}{large:>16.2f}{ratio:>8.2f}")


if __name__ == "__main__":
    main()
