"""The command line's half of the reliability issue: demo --fresh replaces only a demo (item 7),
check reads the search index and the history against the rows read-only (item 6), and no
command prints a control byte taken from the data (hostile text)."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.reliability.conftest import build_study, digest, private_config, run, study  # noqa: F401
from tui.project import Project
from tui.project.recovery import is_demo, mark_demo


# ---------------------------------------------------------------------- demo --fresh


def test_demo_fresh_refuses_a_real_study(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(study)
    code, out, err = run(capsys, "demo", "--path", study, "--fresh")
    assert code == 1
    assert "not a margin demo" in err and "nothing was changed" in err
    assert digest(study) == before
    assert not list(study.parent.glob("*.bak"))


def test_demo_fresh_backs_up_a_demo_before_rebuilding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui.formats.demo

    path = tmp_path / "demo.margin"
    old = build_study(path)
    mark_demo(old.conn)
    old.close()
    built = []

    def fake_build(target: Path, *, coder: str | None = None) -> Project:
        built.append(target)
        return Project.create(target, coder=coder)

    monkeypatch.setattr(tui.formats.demo, "build_demo", fake_build)
    code, out, err = run(capsys, "demo", "--path", path, "--fresh")
    assert code == 0, err
    assert built == [path]
    backups = list(tmp_path.glob("demo.margin.*.bak"))
    assert len(backups) == 1 and "kept the old demo as" in err
    with Project.open(backups[0], readonly=True) as copy:
        assert copy.find_theme("Standing in the corner") is not None
    with Project.open(path, readonly=True) as fresh:
        assert is_demo(fresh.conn)


# ---------------------------------------------------------------------- check, read-only


def test_check_finds_a_search_index_that_lies_read_only(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = sqlite3.connect(study, isolation_level=None)
    row = conn.execute("SELECT id, text FROM lines WHERE number = 2").fetchone()
    # The index forgets line 2's words and files other words under it; the lines stay right.
    conn.execute("INSERT INTO lines_fts (lines_fts, rowid, text) VALUES ('delete', ?, ?)", row)
    conn.execute("INSERT INTO lines_fts (rowid, text) VALUES (?, 'zebra umbrella')", (row[0],))
    conn.close()
    os.chmod(study, 0o400)
    try:
        before = digest(study)
        code, out, err = run(capsys, "check", study)
    finally:
        os.chmod(study, 0o600)
    assert code == 1
    assert "search index: 1 lines indexed with other words than they hold (transcript 1 line 2)" in err
    assert digest(study) == before


def test_check_finds_a_row_that_differs_from_its_history(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = sqlite3.connect(study, isolation_level=None)
    conn.execute("UPDATE notes SET body = 'changed behind margin''s back'")
    conn.close()
    code, out, err = run(capsys, "check", study)
    assert code == 1
    assert "history: note 1 differs from its last recorded change" in err
    assert "behind" not in err


def test_check_finds_a_deleted_row_that_came_back(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Project.open(study) as project:
        note = project.add_note(1, 1, 1, "descriptive", "short-lived")
        project.delete_note(note.id)
        project.lock()  # a window: the delete is not purged while the session lasts
        conn = sqlite3.connect(study, isolation_level=None)
        conn.execute(
            "INSERT INTO notes (id, guid, transcript_id, first_line, last_line, kind, body, created_at) "
            "VALUES (?, 'g', 1, 1, 1, 'descriptive', 'back', 'now')", (note.id,)
        )
        conn.close()
        assert f"history: note {note.id} was deleted but is still there" in project.check()


def test_a_sound_study_checks_clean(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", study)
    assert (code, err) == (0, ""), err
    assert ": ok (" in out


# ---------------------------------------------------------------------- hostile text

HOSTILE = [
    "\x1b[2J\x1b[H", "\x1b]8;;http://x.invalid\x1b\\link\x1b]8;;\x1b\\", "\x1b[31mred\x1b[0m", "\x1bP1$r\x1b\\",
    "\x9b2J", "\x9d0;title\x07", "\x00", "\x7f", "\x07", "\u202eevil\u202c", "\u2066iso\u2069", "e\u0301\u0301",
    "[bold]x[/bold]", "[/]", "[@click=app.quit]q[/]", "👩‍⚕️", "病棟の回診", "\x85", "\u2028",
]
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def outputs_of_every_command(path: Path, tmp: Path, capsys: pytest.CaptureFixture[str], word: str) -> str:
    seen = []
    source = tmp / f"hostile{len(word)}.txt"
    source.write_text(f"Interviewer: {word}?\nP02: {word}.\n", encoding="utf-8")
    for args in (
        ["themes", path], ["themes", path, "--json"], ["check", path], ["check", path, "--privacy", word + "x"],
        ["tag", path, "Interview 7", "1", word + " theme"], ["tag", path, word, "1", "x"],
        ["participant", path, "Interview 7", word + " P"], ["participant", path, "Interview 7", "P09", "--rename"],
        ["memo", path, "add", "--title", word, "--text", word], ["memo", path, "list"], ["memo", path, "list", "--json"],
        ["import", path, source, "--title", word + " T"], ["rename", path, word + " theme", word + " renamed"],
        ["pseudonymise", path, "Marta Quell", "P 7"], ["backup", path, tmp / f"{len(word)}\x1b[2J.margin"],
        ["export", path, "--format", "csv", "--output", tmp / f"{word[:3]}.csv"], ["open", path, "--transcript", word],
        ["tag", path, "Interview 7", word, "x"], ["nonsense" + word], ["merge", path, word, "--into", word],
    ):
        code, out, err = run(capsys, *args)
        assert "Traceback" not in err
        seen.append(out + err)
    return "\n".join(seen)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=3).map("".join), st.text(min_size=0, max_size=4))
def test_no_command_prints_a_control_byte_from_the_data(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str], hostile: str, extra: str
) -> None:
    word = "Ward " + hostile + extra
    tmp = tmp_path_factory.mktemp("hostile")
    path = tmp / "study.margin"
    project = build_study(path)
    project.add_note(1, 1, 1, "descriptive", word)
    project.create_theme(word, level="statement", participant_id=1)
    project.close()
    text = outputs_of_every_command(path, tmp, capsys, word)
    bad = CONTROL.findall(text.replace("\n", ""))
    assert bad == [], [hex(ord(c)) for c in bad]
