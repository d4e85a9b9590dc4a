"""The standing crash suite: a driver doing tag, untag, note, merge, group, import, REFI-QDA
import, migration, backup or a demo build is SIGKILLed at a random moment, again and again.

After each kill the next open must find: every acknowledged action present, none half-present
(`check`: integrity, foreign keys, lines against their transcript, the search index against the
lines, the history against the rows), and no leftovers. 200 trials by default (in under a few
minutes); `MARGIN_KILL_TRIALS=N` runs N; `MARGIN_KILL_SEED` picks the random moments.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.reliability.conftest import PYTHON, ROOT, build_study
from tui.project import Project, schema

KINDS = ["tag", "untag", "note", "merge", "group", "import", "refi", "migration", "backup", "demo"]
TRIALS = int(os.environ.get("MARGIN_KILL_TRIALS", "200"))
SEED = int(os.environ.get("MARGIN_KILL_SEED", str(int(time.time()))))
DRIVER = Path(__file__).with_name("driver.py")
LEFTOVER_ENDINGS = ("-journal", ".part", ".building", ".part-journal")


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    study = folder / "study.margin"
    text = "".join(f"P01: line {n} of the interview about the first week on the ward\n" for n in range(40))
    project = build_study(study, lines=text)
    for i in range(40):
        project.tag_by_name(1, 2 + i % 30, 2 + i % 30, f"U{i}")
        project.tag_by_name(1, 2 + i % 30, 2 + i % 30, f"M{i}")
        project.tag_by_name(1, 2 + i % 30, 2 + i % 30, f"S{i}")
    project.close()
    from tui.formats.exchange import export_project

    with Project.open(study, readonly=True) as source:
        qdpx = export_project(source, "qdpx", folder / "study.qdpx")
    empty = folder / "empty.margin"
    Project.create(empty, coder="VR").close()
    old = folder / "old.margin"
    conn = sqlite3.connect(old, isolation_level=None)
    schema.migrate(conn, target=3)
    conn.execute("BEGIN")
    conn.execute("INSERT INTO participants (guid, pseudonym, created_at) VALUES ('g1', 'P01', 'now')")
    body = "".join(f"P01: an older line {n} of text\n" for n in range(20000))
    conn.execute("INSERT INTO transcripts (guid, participant_id, title, text, imported_at) VALUES ('g2', 1, 'Interview 7', ?, 'now')", (body,))
    start = 0
    rows = []
    for n, line in enumerate(body.splitlines(keepends=True), 1):
        rows.append((n, "P01", line.rstrip("\n"), start, start + len(line) - 1))
        start += len(line)
    conn.executemany('INSERT INTO lines (transcript_id, number, speaker, text, start, "end") VALUES (1, ?, ?, ?, ?, ?)', rows)
    conn.execute("INSERT INTO lines_fts (lines_fts) VALUES ('rebuild')")
    conn.execute("UPDATE lines SET cells = length(text)")
    conn.execute("COMMIT")
    conn.close()
    os.chmod(old, 0o600)
    return {"study": study, "qdpx": qdpx, "empty": empty, "old": old}


def sound(path: Path) -> Project:
    project = Project.open(path)
    problems = [p for p in project.check() if "file mode" not in p]
    assert problems == [], problems
    assert project.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    return project


def trial(kind: str, number: int, templates: dict[str, Path], base: Path, rng: random.Random) -> bool:
    """One kill; True if the driver was still working when it was killed."""
    folder = base / f"{kind}-{number}"
    folder.mkdir()
    path = folder / ("demo.margin" if kind == "demo" else "study.margin")
    extra = ""
    if kind == "migration":
        shutil.copyfile(templates["old"], path)
    elif kind == "refi":
        shutil.copyfile(templates["empty"], path)
        extra = str(templates["qdpx"])
    elif kind != "demo":
        shutil.copyfile(templates["study"], path)
    if path.exists():
        os.chmod(path, 0o600)
    child = subprocess.Popen(
        [PYTHON, str(DRIVER), kind, str(path), extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout.readline().strip() == "READY", child.stderr.read()
    time.sleep(rng.uniform(0.0, 0.35))
    alive = child.poll() is None
    child.send_signal(signal.SIGKILL)
    out, err = child.communicate()
    assert "Traceback" not in err, err
    acks = [line[4:] for line in out.splitlines() if line.startswith("ACK ")]
    if kind == "migration":
        before = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] if not Path(f"{path}-journal").exists() else None
        if acks:
            assert before in (None, schema.SCHEMA_VERSION)
    if kind == "demo":
        if not path.exists():
            assert not acks
            leftover_check(folder, kind)
            from tui.project.recovery import clean_leftovers

            assert all(p.name.endswith(".building") or p.name.endswith("-journal") for p in clean_leftovers(folder))
            leftover_check(folder, kind, after=True)
            return alive
    project = sound(path)
    try:
        names = {t.name: t for t in project.themes()}
        if kind == "tag":
            for key in acks:
                assert key in names
            for name, theme in names.items():
                if name.startswith("K"):
                    assert project.codings(theme_id=theme.id), name  # never a theme without its coding
        elif kind == "untag":
            present = {c.id for c in project.codings()}
            assert not present & {int(k) for k in acks}
        elif kind == "note":
            bodies = {n.body.split()[0] for n in project.notes()}
            assert set(acks) <= bodies
        elif kind == "merge":
            for key in acks:
                assert key not in names
            for i in range(0, 40, 2):
                if f"M{i + 1}" not in names:
                    assert project.codings(theme_id=names[f"M{i}"].id)
        elif kind == "group":
            for key in acks:
                assert key in names
            for name, theme in names.items():
                if name.startswith("G"):
                    children = {t.name for t in names.values() if t.parent_id == theme.id}
                    assert children == {f"S{name[1:]}", f"S{int(name[1:]) + 1}"}, (name, children)
        elif kind == "import":
            titles = {t.title: t.line_count for t in project.transcripts()}
            for key in acks:
                title, count = key.split()
                assert titles.get(title) == int(count)
            for title, count in titles.items():
                if title.startswith("T"):
                    assert count == 3000 and len(project.lines(project.find_transcript(title).id)) == 3000
        elif kind == "refi":
            count = len(project.transcripts())
            assert count == (1 if acks else count) and count in (0, 1)
        elif kind == "migration":
            assert project.schema_version == schema.SCHEMA_VERSION
            assert project.line_count(1) == 20000
        elif kind == "demo":
            assert acks or path.exists()
        elif kind == "backup":
            for key in acks:
                sound(folder / key).close()
            for copy in folder.glob("copy*.margin"):
                sound(copy).close()  # a copy is there whole or not at all
    finally:
        project.close()
    leftover_check(folder, kind, after=True)
    return alive


def leftover_check(folder: Path, kind: str, *, after: bool = False) -> None:
    if after:
        left = [p.name for p in folder.iterdir() if p.name.endswith(LEFTOVER_ENDINGS)]
        assert left == [], (kind, left)


def test_sigkill_at_random_moments_loses_nothing_acknowledged(templates: dict[str, Path], tmp_path: Path) -> None:
    rng = random.Random(SEED)
    plan = [(KINDS[i % len(KINDS)], i, random.Random(rng.random())) for i in range(TRIALS)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda p: trial(p[0], p[1], templates, tmp_path, p[2]), plan))
    elapsed = time.perf_counter() - start
    kills = sum(results)
    print(f"\nkill suite: {TRIALS} trials, {kills} killed mid-work, 0 failures, seed {SEED}, {elapsed:.0f} s")
    assert len(results) == TRIALS
    assert kills >= TRIALS // 3, kills  # most kills land while the driver is working
