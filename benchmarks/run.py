"""How fast margin is, as a user gets it: `python benchmarks/run.py [--quick] [--runs N]`.

Builds its own synthetic studies (fictional text, through margin's domain), then measures each
figure of the speed table together with its baseline, in the same run, and prints a Markdown
table with the machine's core count. Start-up and keys are measured on the installed `margin`
command in a pseudo-terminal of 120x40 (TERM=xterm-256color): the time from starting the
program to the first frame showing the finished screen (texts of that screen found in what it
wrote, escape sequences stripped), and the program's own CPU time (user + system, all threads,
from /proc) over many keys typed once the screen is idle, one key per frame, divided by the keys.
Figures are medians of `--runs` runs (default 5; `--quick` takes 2 and smaller growth steps).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import inspect
import json
import os
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from study import TYPO_QUERIES, add_codings, add_themes, add_transcript, speech_text, theme_names, write_docx  # noqa: E402
from terminal import Terminal  # noqa: E402

from tui.formats.importer import import_file  # noqa: E402
from tui.project import Project, Theme  # noqa: E402

COLS, ROWS = 120, 40
#: The coder of the project-screen figures: one who never opened a transcript, so `margin open`
#: shows the project screen instead of taking them back to where they stopped.
LISTING = "bench-listing"
#: The installed command; the checkout this file is in comes first on its path (PYTHONPATH below).
MARGIN = [shutil.which("margin", path=str(Path(sys.executable).parent)) or shutil.which("margin") or "margin"]

BASELINE_APP = '''
from textual.app import App
from textual.widgets import Footer, Static
class Baseline(App):
    BINDINGS = [("ctrl+q", "quit", "Quit")]
    def compose(self):
        yield Static("margin benchmark baseline")
        yield Footer()
Baseline().run()
'''

TEXTAREA_APP = '''
import sys
from textual.app import App
from textual.widgets import TextArea
class Reader(App):
    BINDINGS = [("ctrl+q", "quit", "Quit")]
    def compose(self):
        yield TextArea(open(sys.argv[1], encoding="utf-8").read(), read_only=True)
Reader().run()
'''


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class Bench:
    """The studies, the folder they live in, and the rows of the table."""

    def __init__(self, folder: Path, runs: int, quick: bool) -> None:
        self.folder = folder
        self.runs = runs
        self.quick = quick
        self.rows: list[tuple[str, str, str, str]] = []
        self.env = dict(os.environ, XDG_CONFIG_HOME=str(folder / "config"), XDG_STATE_HOME=str(folder / "state"),
                        PYTHONPATH=str(HERE.parent))
        self.env.pop("NO_COLOR", None)
        (folder / "baseline.py").write_text(BASELINE_APP)
        (folder / "textarea.py").write_text(TEXTAREA_APP)
        self.projects: dict[str, tuple[Path, dict[str, Any]]] = {}

    def row(self, figure: str, measured: str, baseline: str, target: str) -> None:
        self.rows.append((figure, measured, baseline, target))
        print(f"  {figure}: {measured} (baseline {baseline}; target {target})", file=sys.stderr, flush=True)

    # ---------------------------------------------------------------- studies

    def project(self, name: str, build: Callable[[Project], dict[str, Any]], method: str = "ta") -> tuple[Path, dict[str, Any]]:
        """A project built once by `build`, which returns facts about it (kept beside it, so that
        `--keep DIR` reuses the studies of an earlier run)."""
        if name not in self.projects:
            path = self.folder / f"{name}.margin"
            kept = path.with_suffix(".json")
            if path.exists() and kept.exists():
                self.projects[name] = (path, json.loads(kept.read_text()))
                return self.projects[name]
            path.unlink(missing_ok=True)
            project = Project.create(path, method=method, coder="bench")
            try:
                facts = build(project)
            finally:
                project.close()
            kept.write_text(json.dumps(facts))
            self.projects[name] = (path, facts)
        return self.projects[name]

    def transcript_study(self, lines: int, codings: int = 0, themes: int = 0) -> tuple[Path, dict[str, Any]]:
        def build(project: Project) -> dict[str, Any]:
            title = f"Interview {lines}"
            transcript = add_transcript(project, title, lines, seed=lines, participant="P01")
            ids = add_themes(project, themes or max(codings // 20, 10))
            if codings:
                add_codings(project, transcript, ids, codings)
            first = project.lines(transcript.id, 1, 3)
            return {"title": title, "fragment": first[1].text[-24:].strip(), "transcript": transcript.id}
        return self.project(f"t{lines}-c{codings}-th{themes}", build)

    # ---------------------------------------------------------------- running margin

    def start(self, argv: list[str]) -> Terminal:
        return Terminal(argv, cols=COLS, rows=ROWS, env=self.env)

    def first_frame(self, argv: list[str], texts: list[str]) -> tuple[float, float]:
        """Seconds to the first frame showing `texts`, and peak RSS (MB) once idle; one run."""
        terminal = self.start(argv)
        try:
            seconds = terminal.wait_for(texts)
            terminal.idle(0.3)
            return seconds, terminal.peak_rss_mb()
        finally:
            terminal.close()

    def frames(self, argv: list[str], texts: list[str]) -> tuple[float, float]:
        """Medians over the runs of `first_frame`."""
        results = [self.first_frame(argv, texts) for _ in range(self.runs)]
        return median([r[0] for r in results]), median([r[1] for r in results])

    def baseline_start(self) -> float:
        if not hasattr(self, "_baseline"):
            self._baseline = self.frames([sys.executable, str(self.folder / "baseline.py")],
                                         ["margin benchmark baseline", "Quit"])[0]
        return self._baseline

    def workspace(self, path: Path, facts: dict[str, Any]) -> list[str]:
        """`margin open` of the transcript as a coder new to it, so every run starts on line 1 (a
        coder coming back is taken to the line they stopped on, which would differ run to run)."""
        self._coders = getattr(self, "_coders", 0) + 1
        return [*MARGIN, "open", str(path), "--transcript", facts["title"], "--coder", f"bench-{self._coders}"]

    def idle_rate(self, terminal: Terminal, settled: float = 0.02, tries: int = 10) -> float:
        """CPU seconds per second the program uses with no key typed: measured over half-second
        windows until it is settled (a program still finishing its start, as a TextArea laying out
        100,000 lines is, would otherwise have that work taken off every key); the lowest seen."""
        rates = []
        for _ in range(tries):
            terminal.idle(0.5)
            start, cpu = time.perf_counter(), terminal.cpu()
            time.sleep(0.5)
            rates.append((terminal.cpu() - cpu) / (time.perf_counter() - start))
            if rates[-1] <= settled:
                break
        return min(rates)

    def cpu_per_key(self, terminal: Terminal, keys: list[str]) -> tuple[float, float]:
        """Milliseconds of the program's CPU per key (all its threads), one key at a time, each
        waited for until its frames are written; the idle CPU of the same time taken off. Also the
        frames written per key."""
        idle_rate = self.idle_rate(terminal)
        start, cpu = time.perf_counter(), terminal.cpu()
        frames = 0
        for key in keys:
            terminal.press(key)
            frames += terminal.frames()
        terminal.idle(0.3)
        frames += terminal.frames()
        used = terminal.cpu() - cpu - idle_rate * (time.perf_counter() - start)
        return 1000 * max(used, 0.0) / len(keys), frames / len(keys)

    # ---------------------------------------------------------------- the figures

    def startup(self) -> None:
        base = self.baseline_start()
        path, facts = self.transcript_study(100_000)
        screen, _ = self.frames([*MARGIN, "open", str(path), "--coder", LISTING], [facts["title"], "100000"])
        self.row("`margin open` to the first full frame (project screen, a 100,000-line transcript)",
                 f"{screen * 1000:.0f} ms = {screen / base:.2f} x", f"minimal Textual app (Static + Footer) {base * 1000:.0f} ms", "<= 1.3 x")
        work, rss = self.frames(self.workspace(path, facts), [facts["title"], facts["fragment"]])
        self.row("`margin open --transcript` (the workspace), same project", f"{work * 1000:.0f} ms = {work / base:.2f} x",
                 f"minimal Textual app {base * 1000:.0f} ms", "<= 1.3 x")
        self.row("peak RSS with a 100,000-line transcript open (VmHWM)", f"{rss:.0f} MB", "-", "<= 150 MB")
        path2, facts2 = self.transcript_study(20_000, codings=8_000, themes=400)
        coded, _ = self.frames(self.workspace(path2, facts2), [facts2["title"], facts2["fragment"]])
        self.row("the workspace with 8,000 codings on a 20,000-line transcript", f"{coded * 1000:.0f} ms = {coded / base:.2f} x",
                 f"minimal Textual app {base * 1000:.0f} ms", "<= 1.3 x")
        text = self.folder / "t100000.txt"
        text.write_text(speech_text(100_000, 100_000), encoding="utf-8")
        first = speech_text(100_000, 100_000)[:30].strip()
        area, _ = self.frames([sys.executable, str(self.folder / "textarea.py"), str(text)], [first[:20]])
        # The time each takes to show the text is what it takes beyond a minimal app's start.
        ours, theirs = max(work - base, 0.001), area - base
        self.row("workspace shown (100,000 lines) vs a read-only TextArea holding the same text: time to show the "
                 "text beyond a minimal app's start",
                 f"{ours * 1000:.0f} ms vs {theirs * 1000:.0f} ms: {theirs / ours:.0f} x faster",
                 f"TextArea {area * 1000:.0f} ms, minimal app {base * 1000:.0f} ms", ">= 50 x")

    def keys(self) -> None:
        count = 40 if self.quick else 120
        plans = {
            "j/k": ["j"] * (count // 2) + ["k"] * (count // 2),
            # Each key scrolls the view a page (down from the top, then back): at 100 lines a second
            # pagedown would find the cursor on the last line already and draw nothing.
            "pagedown/pageup": ["pagedown", "pageup"] * (count // 2),
            "G/g": ["G", "g"] * (count // 2),
        }
        results: dict[tuple[str, int], float] = {}
        frames: dict[tuple[str, int], float] = {}
        for lines in (100, 100_000):
            path, facts = self.transcript_study(lines)
            for label, keys in plans.items():
                values, counts = [], []
                for _ in range(self.runs):
                    terminal = self.start(self.workspace(path, facts))
                    try:
                        terminal.wait_for([facts["title"], facts["fragment"]])
                        used, drawn = self.cpu_per_key(terminal, keys)
                        values.append(used)
                        counts.append(drawn)
                    finally:
                        terminal.close()
                results[(label, lines)] = median(values)
                frames[(label, lines)] = median(counts)
        area_values = []
        text = self.folder / "t100000.txt"
        if not text.exists():  # written by the start-up figures; --only keys comes here first
            text.write_text(speech_text(100_000, 100_000), encoding="utf-8")
        for _ in range(self.runs):
            terminal = self.start([sys.executable, str(self.folder / "textarea.py"), str(text)])
            try:
                terminal.wait_for([speech_text(100_000, 100_000)[:20]])
                area_values.append(self.cpu_per_key(terminal, ["down"] * (count // 2) + ["up"] * (count // 2))[0])
            finally:
                terminal.close()
        for label in plans:
            small, large = results[(label, 100)], results[(label, 100_000)]
            self.row(f"CPU per key {label}, real terminal, all threads (100 / 100,000 lines)",
                     f"{small:.1f} / {large:.1f} ms (x {large / small if small else float('nan'):.2f}); "
                     f"{frames[(label, 100_000)]:.1f} frames per key",
                     f"TextArea 100,000 lines, down/up: {median(area_values):.1f} ms" if area_values else "-",
                     "<= 8 ms, flat")

    def picker(self) -> None:
        for themes in (10, 10_000, 100_000):
            path, facts = self.transcript_study(1_000, themes=themes)
            cold, warm = [], []
            for _ in range(max(2, self.runs // 2)):
                terminal = self.start(self.workspace(path, facts))
                try:
                    terminal.wait_for([facts["title"], facts["fragment"]])
                    terminal.idle(0.5)
                    for times in (cold, warm, warm):
                        terminal.send("t")
                        times.append(terminal.wait_for([f"of {themes} themes"]))
                        terminal.idle(0.2)
                        terminal.press("escape")
                        terminal.idle(0.2)
                finally:
                    terminal.close()
            if themes == 10:
                base = median(warm)
                continue
            self.row(f"opening the theme picker, {themes:,} themes: first `t` / later `t`",
                     f"{median(cold) * 1000:.0f} / {median(warm) * 1000:.0f} ms",
                     f"the picker at 10 themes {base * 1000:.0f} ms", "<= 50 ms at 100,000")

    def ranking(self) -> None:
        from tui.project.search import ThemeIndex

        names = theme_names(100_000)
        themes = [Theme(i, f"g{i}", name, None, "code") for i, name in enumerate(names, 1)]
        paths = {t.id: t.name for t in themes}
        start = time.perf_counter()
        index = ThemeIndex(themes, paths)
        built = time.perf_counter() - start
        import random
        rng = random.Random(11)
        typed: list[str] = []
        for name in rng.sample(names, 30) + list(TYPO_QUERIES):
            text = name.lower()
            if rng.random() < 0.5 and len(text) > 4:  # a typo: two letters swapped
                at = rng.randrange(1, len(text) - 2)
                text = text[:at] + text[at + 1] + text[at] + text[at + 2:]
            typed += [text[:n] for n in range(1, len(text) + 1)]
        timings = []
        for query in typed:
            start = time.perf_counter()
            index.rank(query, 51)
            timings.append((time.perf_counter() - start) * 1000)
        lowered = [n.lower() for n in names]
        scan = []
        for query in typed[:300]:
            start = time.perf_counter()
            [n for n in lowered if query in n]
            scan.append((time.perf_counter() - start) * 1000)
        self.row("ranking per keystroke, 100,000 themes (every prefix of 34 typed names, half with a typo)",
                 f"median {median(timings):.1f}, p95 {percentile(timings, 0.95):.1f}, max {max(timings):.1f} ms",
                 f"a bare `in` scan of the names: median {median(scan):.1f} ms; index built once in {built:.2f} s", "p95 <= 16 ms")
        found = []
        for query, intended in TYPO_QUERIES.items():
            top = [m.theme.name for m in index.rank(query, 10)]
            place = top.index(intended) + 1 if intended in top else None
            found.append(f'"{query}" {"#" + str(place) if place else "not in top 10"}')
        self.row("typo queries at 100,000 themes: place of the intended theme", "; ".join(found), "-", "all #1")

    def tag_commit(self) -> None:
        path, facts = self.transcript_study(100_000, codings=2_000, themes=400)
        project = Project.open(path, coder="bench")
        try:
            theme = project.themes()[0]
            times = []
            for i in range(max(self.runs, 5) * 4):
                start = time.perf_counter()
                project.tag(facts["transcript"], 1000 + i * 10, 1001 + i * 10, theme.id)
                times.append(time.perf_counter() - start)
        finally:
            project.close()
        bare = []
        db = self.folder / "bare.db"
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, a, b, c)")
        for i in range(len(times)):
            start = time.perf_counter()
            conn.execute("BEGIN")
            conn.execute("INSERT INTO t (a, b, c) VALUES (?, ?, ?)", (i, "x", "y"))
            conn.execute("COMMIT")
            bare.append(time.perf_counter() - start)
        conn.close()
        tag, one = median(times), median(bare)
        # As the user gets it: enter in the picker until the status line says it is tagged.
        seen = []
        terminal = self.start(self.workspace(path, facts))
        try:
            terminal.wait_for([facts["title"], facts["fragment"]])
            for _ in range(self.runs):
                terminal.idle(0.3)
                terminal.press("j")
                terminal.send("t")
                terminal.wait_for(["themes"])
                terminal.idle(0.2)
                for char in theme.name[:24]:
                    terminal.press("space" if char == " " else char, quiet=0.02)
                terminal.idle(0.3)
                terminal.send("enter")
                seen.append(terminal.wait_for(["tagged"]))
        finally:
            terminal.close()
        self.row("`t`, `enter`: the coding committed on disk (Project.tag, 100,000-line transcript)",
                 f"{tag * 1000:.1f} ms = {tag / one:.1f} x; enter to the frame saying tagged: {median(seen) * 1000:.0f} ms",
                 f"one bare insert transaction (FULL, DELETE) {one * 1000:.1f} ms", "<= 3 x")

    def growth(self) -> None:
        sizes = [1_000, 100_000] if self.quick else [1_000, 10_000, 100_000, 1_000_000]
        small = self.folder / "small.txt"
        small.write_text(speech_text(1_000, 99), encoding="utf-8")
        results = []
        for rest in sizes:
            def build(project: Project, rest: int = rest) -> dict[str, Any]:
                add_transcript(project, "Interview Fixed", 1_000, seed=5, participant="P00")
                done, n = 0, 0
                while done < rest:
                    size = min(50_000, rest - done)
                    n += 1
                    add_transcript(project, f"Rest {n}", size, seed=n, participant=f"P{n:02d}")
                    done += size
                first = project.lines(project.find_transcript("Interview Fixed").id, 1, 3)
                return {"title": "Interview Fixed", "fragment": first[1].text[-24:].strip()}
            path, facts = self.project(f"grow{rest}", build)
            work, rss = self.frames(self.workspace(path, facts), [facts["title"], facts["fragment"]])
            screen, rss2 = self.frames([*MARGIN, "open", str(path), "--coder", LISTING], ["Interview Fixed", "Rest 1"])
            imports = []
            # The first import checks every page (the windows above may have quit before their
            # background check ended); the next ones find the file as margin left it (checked.py).
            for i in range(max(3, self.runs // 2 + 1)):
                start = time.perf_counter()
                child = subprocess.Popen([*MARGIN, "import", str(path), str(small), "--title", f"Extra {i}",
                                          "--participant", "P99", "--coder", "bench"], env=self.env,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                _, status, _ = os.wait4(child.pid, 0)
                child.returncode = status
                imports.append(time.perf_counter() - start)
            results.append((rest, work, screen, median(imports[1:]), max(rss, rss2), imports[0]))
        cells = [f"{r[0]:,}: open {r[1] * 1000:.0f}, screen {r[2] * 1000:.0f}, import {r[3] * 1000:.0f} ms "
                 f"(the first {r[5] * 1000:.0f}), {r[4]:.0f} MB" for r in results]
        first, last = results[0], results[-1]
        self.row(f"open (workspace, 1,000 lines), project screen, `margin import` of 1,000 lines, as the rest grows "
                 f"{sizes[0]:,} -> {sizes[-1]:,} lines; peak RSS of the app",
                 "; ".join(cells) + f" (x {last[1] / first[1]:.2f}, {last[2] / first[2]:.2f}, {last[3] / first[3]:.2f})",
                 f"rest of {sizes[0]:,} lines", "within 1.2 x, <= 150 MB")

    def imports(self) -> None:
        text = self.folder / "import100k.txt"
        text.write_text(speech_text(100_000, 7), encoding="utf-8")
        docx = self.folder / "import20k.docx"
        write_docx(docx, 20_000)
        for label, source in (("100,000 lines (.txt)", text), (".docx of 20,000 paragraphs", docx)):
            times, bare = [], []
            for i in range(max(2, self.runs // 2)):
                path = self.folder / f"imp{i}-{source.suffix}.margin"
                path.unlink(missing_ok=True)
                project = Project.create(path, method="ta", coder="bench")
                start = time.perf_counter()
                import_file(project, source, participant="P01")
                times.append(time.perf_counter() - start)
                project.close()
                db = self.folder / f"bare{i}.db"
                db.unlink(missing_ok=True)
                start = time.perf_counter()
                conn = sqlite3.connect(db)
                conn.execute("CREATE TABLE t (data BLOB)")
                conn.execute("INSERT INTO t VALUES (?)", (source.read_bytes(),))
                conn.commit()
                conn.close()
                bare.append(time.perf_counter() - start)
            self.row(f"import of {label} (import_file)", f"{median(times):.2f} s",
                     f"the file's bytes stored in one row {median(bare) * 1000:.0f} ms",
                     "<= 3 s" if source.suffix == ".txt" else "<= 5 s")

    def analysis(self) -> None:
        """The analysis screens: the figures of benchmarks/analysis.py when it is there, else
        margin's analysis functions timed here; the theme board opened with `b` in the pty."""
        module = self._analysis_module()
        if module is not None:
            for name, function in inspect.getmembers(module, inspect.isfunction):
                if function.__module__ != module.__name__ or not name.startswith(("measure", "figure", "bench")):
                    continue
                offered = {"bench": self, "folder": self.folder, "runs": self.runs, "quick": self.quick}
                wanted = {k: v for k, v in offered.items() if k in inspect.signature(function).parameters}
                self._rows_from(function(**wanted))
            self.theme_board()
            return
        from tui.project import analysis

        def build(project: Project) -> dict[str, Any]:
            transcript = add_transcript(project, "Interview A", 20_000, seed=3, participant="P01")
            ids = add_themes(project, 100)
            add_codings(project, transcript, [ids[1]], 5_000)
            return {"theme": ids[1]}
        path, facts = self.project("extracts", build)
        project = Project.open(path, coder="bench")
        try:
            times = self.timed(lambda: analysis.extracts(project, facts["theme"]))
            bare = self.timed(lambda: project.conn.execute(
                "SELECT c.id, l.text FROM codings c JOIN lines l ON l.transcript_id = c.transcript_id "
                "AND l.number BETWEEN c.first_line AND c.last_line WHERE c.theme_id = ?", (facts["theme"],)).fetchall())
        finally:
            project.close()
        self.row("extracts of a theme with 5,000 codings (analysis.extracts)", f"{median(times) * 1000:.0f} ms",
                 f"one SQL query reading those lines {median(bare) * 1000:.0f} ms", "<= 100 ms")

        def build_get(project: Project) -> dict[str, Any]:
            ids = add_themes(project, 500)
            for p in range(50):
                transcript = add_transcript(project, f"Case {p}", 200, seed=p, participant=f"P{p:02d}")
                add_codings(project, transcript, ids, 100, seed=p)
            return {}
        path, _ = self.project("get", build_get, method="ipa")
        project = Project.open(path, coder="bench")
        try:
            times = self.timed(lambda: analysis.get_table(project))
            bare = self.timed(lambda: project.conn.execute(
                "SELECT c.theme_id, t.participant_id, COUNT(*) FROM codings c JOIN transcripts t ON t.id = c.transcript_id "
                "GROUP BY c.theme_id, t.participant_id").fetchall())
        finally:
            project.close()
        self.row("GET table of 50 participants x 500 themes (analysis.get_table)", f"{median(times) * 1000:.0f} ms",
                 f"one SQL query counting codings per theme and participant {median(bare) * 1000:.0f} ms", "<= 100 ms")
        self.theme_board()

    def theme_board(self) -> None:
        """`b` in the workspace until the board's heading is shown, at 10 and at 10,000 themes."""
        opened = {}
        for themes in (10, 10_000):
            path, facts = self.transcript_study(1_000, themes=themes)
            opened[themes] = self.key_to_screen(path, facts, "b", ["ext  lns  ppl"], close="q")
        self.row("theme board at 10,000 themes: `b` to the frame showing it", f"{opened[10_000] * 1000:.0f} ms",
                 f"the board at 10 themes {opened[10] * 1000:.0f} ms", "<= 100 ms")

    def _analysis_module(self) -> Any:
        """benchmarks/analysis.py (the analysis screens' own figures), if it is there."""
        path = HERE / "analysis.py"
        if not path.exists():
            return None
        spec = importlib.util.spec_from_file_location("margin_bench_analysis", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    def _rows_from(self, result: Any) -> None:
        """Rows given back by a figure function: a (figure, milliseconds, target) or (figure,
        measured, baseline, target) tuple, a dict with those keys, or a list of them (None: it
        added its rows with `row`)."""
        if result is None:
            return
        if isinstance(result, tuple) and len(result) == 3 and isinstance(result[1], (int, float)):
            figure, ms, target = result
            self.row(str(figure), f"{ms:.0f} ms", "-", str(target))
        elif isinstance(result, dict):
            self.row(*(str(result.get(k, "-")) for k in ("figure", "measured", "baseline", "target")))
        elif isinstance(result, tuple) and result and isinstance(result[0], str):
            self.row(*(list(map(str, result)) + ["-"] * 4)[:4])
        else:
            for item in result:
                self._rows_from(item)

    def timed(self, work: Callable[[], Any]) -> list[float]:
        """Seconds each of `runs` (at least 5) calls of `work` took, after one call to warm up."""
        work()
        times = []
        for _ in range(max(self.runs, 5)):
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
        return times

    def key_to_screen(self, path: Path, facts: dict[str, Any], key: str, texts: list[str], close: str = "escape") -> float:
        """Median seconds from `key` in the idle workspace to the frame showing `texts`."""
        times = []
        for _ in range(max(2, self.runs // 2)):
            terminal = self.start(self.workspace(path, facts))
            try:
                terminal.wait_for([facts["title"], facts["fragment"]])
                for _ in range(2):
                    terminal.idle(0.5)
                    terminal.send(key)
                    times.append(terminal.wait_for(texts))
                    terminal.idle(0.3)
                    terminal.press(close)
            finally:
                terminal.close()
        return median(times)

    def exports(self) -> None:
        transcripts = 10 if self.quick else 50
        codings = 4_000 if self.quick else 20_000

        def build(project: Project) -> dict[str, Any]:
            ids = add_themes(project, 500)
            for p in range(transcripts):
                transcript = add_transcript(project, f"Case {p}", 2_000, seed=p, participant=f"P{p:02d}")
                add_codings(project, transcript, ids, codings // transcripts, seed=p)
            return {}
        path, _ = self.project(f"export{transcripts}", build)
        label = f"{transcripts} transcripts x 2,000 lines with {codings:,} codings"
        try:
            from tui.formats import refi
        except ImportError:
            refi = None
        try:
            from tui.formats import reports
        except ImportError:
            reports = None
        qdpx = self.folder / "export.qdpx"
        if refi is not None and hasattr(refi, "export_qdpx"):
            project = Project.open(path, coder="bench")
            times = []
            for _ in range(max(2, self.runs // 2)):
                qdpx.unlink(missing_ok=True)
                start = time.perf_counter()
                refi.export_qdpx(project, qdpx)
                times.append(time.perf_counter() - start)
            project.close()
            self.row(f"export .qdpx, {label}", f"{median(times):.2f} s", "-", "<= 3 s")
            if hasattr(refi, "import_into_new"):
                times = []
                for i in range(max(2, self.runs // 2)):
                    target = self.folder / f"refi{i}.margin"
                    target.unlink(missing_ok=True)
                    start = time.perf_counter()
                    made, _ = refi.import_into_new(target, qdpx, coder="bench")
                    times.append(time.perf_counter() - start)
                    made.close()
                self.row(f"REFI-QDA import of that .qdpx into a new project", f"{median(times):.2f} s", "-", "<= 5 s")
            else:
                self.row("REFI-QDA import", "not built", "-", "<= 5 s")
        else:
            self.row(f"export .qdpx, {label}", "not built", "-", "<= 3 s")
            self.row("REFI-QDA import", "not built", "-", "<= 5 s")
        if reports is not None and hasattr(reports, "export_report"):
            project = Project.open(path, coder="bench")
            times = []
            for i in range(max(2, self.runs // 2)):
                out = self.folder / f"report{i}.docx"
                start = time.perf_counter()
                reports.export_report(project, out, "docx", transcripts=True)
                times.append(time.perf_counter() - start)
            project.close()
            self.row(f"export .docx (report with transcripts), {label}", f"{median(times):.2f} s", "-", "<= 8 s")
        else:
            self.row(f"export .docx, {label}", "not built", "-", "<= 8 s")


FIGURES = ["startup", "keys", "picker", "ranking", "tag_commit", "growth", "imports", "analysis", "exports"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 runs, growth to 100,000 lines, smaller export")
    parser.add_argument("--runs", type=int, help="runs per figure (default 5, or 2 with --quick)")
    parser.add_argument("--only", nargs="*", choices=FIGURES, help="measure only these figures")
    parser.add_argument("--keep", metavar="DIR", help="build the studies in DIR and keep them")
    args = parser.parse_args()
    runs = args.runs or (2 if args.quick else 5)
    # margin as installed: pip compiles a package's bytecode when it installs it, and this checkout
    # (first on the path) gets the same, even where PYTHONDONTWRITEBYTECODE keeps Python from
    # writing it; the baselines' Textual has its own from its install.
    compileall.compile_dir(str(HERE.parent / "tui"), quiet=1)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="margin-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    bench = Bench(folder, runs, args.quick)
    began = time.perf_counter()
    try:
        for name in args.only or FIGURES:
            print(f"{name} ...", file=sys.stderr, flush=True)
            try:
                getattr(bench, name)()
            except Exception as error:  # one figure failing leaves the others standing
                bench.row(name, f"failed: {type(error).__name__}: {error}"[:200], "-", "-")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    cores = os.cpu_count()
    print(f"\n{cores} cores, Python {sys.version.split()[0]}, medians of {runs} runs, "
          f"{COLS}x{ROWS} pty, {time.perf_counter() - began:.0f} s in all{' (quick)' if args.quick else ''}\n")
    print("| figure | measured | baseline (same run) | target |")
    print("|---|---|---|---|")
    for row in bench.rows:
        print("| " + " | ".join(cell.replace("|", "/") for cell in row) + " |")


if __name__ == "__main__":
    main()
