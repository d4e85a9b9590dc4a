"""How fast the theme picker ranks a large codebook: `python benchmarks/bench_search.py`.

Builds 5,000 synthetic themes (statements under PETs under GETs, with "Parent/Child" paths), then
times `ThemeIndex.rank` on 200 queries (exact names, prefixes, typos, shuffled words, short and
junk queries) and on every keystroke of typing 40 of them. Prints the median and p95 time per
query in milliseconds over several runs. The target is well under 20 ms per keystroke.
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui.project.model import Theme  # noqa: E402
from tui.project.search import ThemeIndex, rank_themes  # noqa: E402

WORDS = """
belonging sense team ward round fear exposure imposter feelings becoming doctor burden nurses
learning bulletin voice outsider hierarchy anxiety useful routine questions shame mistakes support
peers role models losing patient caring death dying emotional labour humour coping laughing
identity professional time pressure burnout silence teaching ignored blaming oneself finding
consultant registrar student placement clinic theatre surgery night shift handover family
grief relief pride doubt confidence competence trust respect distance closeness kindness
exhaustion isolation friendship mentor feedback assessment exam failure success hope future
career choice calling duty guilt anger frustration joy wonder curiosity boredom waiting invisible
visible listening speaking asking telling hiding showing performing pretending coping surviving
""".split()
GLUE = ["of", "the", "in", "on", "as", "a", "and", "for", "from", "with", "after", "at"]
SYLLABLES = [consonant + vowel for consonant in "bcdfghklmnprstvw" for vowel in "aeiou"]


def vocabulary(rng: random.Random) -> list[str]:
    """About 3,000 distinct words: the real ones above, their inflections, and made-up ones."""
    words = set(WORDS)
    for word in WORDS:
        for ending in ("s", "ed", "ing", "ness", "ful"):
            words.add(word + ending)
    while len(words) < 3000:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def synthetic_names(count: int, rng: random.Random) -> list[str]:
    """`count` distinct theme names of two to nine words over a vocabulary of about 3,000."""
    pool = vocabulary(rng)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        words = [rng.choice(pool)]
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.45:
                words.append(rng.choice(GLUE))
            words.append(rng.choice(pool if rng.random() < 0.5 else WORDS))
        name = " ".join(words).capitalize()
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def codebook(count: int, rng: random.Random) -> tuple[list[Theme], dict[int, str]]:
    """Themes in a three-level tree (GET > PET > statement) and their paths."""
    names = synthetic_names(count, rng)
    themes: list[Theme] = []
    paths: dict[int, str] = {}
    gets = names[:20]
    pets = names[20:220]
    for i, name in enumerate(gets):
        themes.append(Theme(i, f"g{i}", name, None, "get"))
        paths[i] = name
    for j, name in enumerate(pets, start=len(gets)):
        parent = rng.randrange(len(gets))
        themes.append(Theme(j, f"g{j}", name, parent, "pet"))
        paths[j] = f"{paths[parent]}/{name}"
    first = len(gets) + len(pets)
    for k, name in enumerate(names[first:], start=first):
        parent = rng.randrange(len(gets), first)
        themes.append(Theme(k, f"g{k}", name, parent, "statement"))
        paths[k] = f"{paths[parent]}/{name}"
    return themes, paths


def typo(text: str, rng: random.Random) -> str:
    """`text` with one random deletion, insertion, substitution or transposition."""
    if len(text) < 3:
        return text
    at = rng.randrange(1, len(text) - 1)
    kind = rng.choice(["delete", "insert", "substitute", "transpose"])
    if kind == "delete":
        return text[:at] + text[at + 1 :]
    if kind == "insert":
        return text[:at] + rng.choice(string.ascii_lowercase) + text[at:]
    if kind == "substitute":
        return text[:at] + rng.choice(string.ascii_lowercase) + text[at + 1 :]
    return text[: at - 1] + text[at] + text[at - 1] + text[at + 1 :]


def queries(names: list[str], count: int, rng: random.Random) -> list[str]:
    """A mix of what people type: exact names, prefixes, typos, shuffled words, short and junk."""
    made: list[str] = []
    while len(made) < count:
        name = rng.choice(names).lower()
        words = name.split()
        kind = len(made) % 8
        if kind == 0:
            made.append(name)
        elif kind == 1:
            made.append(name[: rng.randint(1, 6)])
        elif kind in (2, 3):
            made.append(typo(rng.choice([w for w in words if len(w) > 3] or words), rng))
        elif kind == 4:
            made.append(" ".join(typo(w, rng) for w in words[:3]))
        elif kind == 5:
            made.append(" ".join(w[:4] for w in reversed(words) if len(w) > 2))
        elif kind == 6:
            made.append(rng.choice(["zzzz", "qxj", "[laughs]", "(", "a", "e", "[/]", "*"]))
        else:
            made.append(typo(name, rng))
    return made


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def time_queries(make: Callable[[], ThemeIndex], batch: list[str], runs: int) -> list[float]:
    """Milliseconds per `rank` call over `batch`, `runs` times, each run on a fresh index.

    A fresh index per run keeps the index's memory of recent query words from one run out of
    the next, so repeated runs are not flattered; within a run it works as it does for a user.
    """
    timings: list[float] = []
    for _ in range(runs):
        index = make()
        for query in batch:
            start = time.perf_counter()
            index.rank(query, 50)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def report(label: str, timings: list[float]) -> None:
    """Print median, p95 and max of `timings`."""
    print(
        f"{label:<36} n={len(timings):>5}  median {statistics.median(timings):6.2f} ms"
        f"  p95 {percentile(timings, 0.95):6.2f} ms  max {max(timings):6.2f} ms"
    )


def main() -> None:
    """Build the codebook, time the queries, print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--themes", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    themes, paths = codebook(args.themes, rng)
    names = [theme.name for theme in themes]
    batch = queries(names, args.queries, rng)
    typed = [q[:n] for q in batch[:40] for n in range(1, len(q) + 1)]

    python = sys.version.split()[0]
    print(f"{len(themes)} themes, {len(batch)} queries, {args.runs} runs, Python {python}")
    start = time.perf_counter()
    index = ThemeIndex(themes, paths)
    print(f"{'build ThemeIndex (with paths)':<36} {(time.perf_counter() - start) * 1000:6.2f} ms")

    ThemeIndex(themes[:50]).rank("warm up", 50)
    with_paths = partial(ThemeIndex, themes, paths)
    report(f"rank, {len(batch)} mixed queries", time_queries(with_paths, batch, args.runs))
    report("rank, every keystroke of 40 queries", time_queries(with_paths, typed, args.runs))
    report("rank, no paths", time_queries(partial(ThemeIndex, themes), batch, args.runs))

    one_shot: list[float] = []
    for query in batch[:20]:
        start = time.perf_counter()
        rank_themes(query, themes, paths=paths)
        one_shot.append((time.perf_counter() - start) * 1000)
    report("rank_themes one-shot (builds index)", one_shot)


if __name__ == "__main__":
    main()
