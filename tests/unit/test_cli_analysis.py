"""`margin group`, `move`, `rename`, `merge` and `memo`: output, exit status, and the file afterwards."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui import cli
from tui.formats.demo import build_demo


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.margin"
    build_demo(path, coder="VR").close()
    return path


@pytest.fixture
def project(demo_file: Path, tmp_path: Path) -> Iterator[Path]:
    copy = tmp_path / "study.margin"
    copy.write_bytes(demo_file.read_bytes())
    copy.chmod(0o600)
    yield copy


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def theme_row(path: Path, name: str) -> tuple | None:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT t.id, t.level, p.name, t.participant_id, t.strategy FROM themes t "
            "LEFT JOIN themes p ON p.id = t.parent_id WHERE t.name = ?", (name,)
        ).fetchone()
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command", ["group", "move", "rename", "merge", "memo"])
def test_each_command_has_help_with_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        cli.main([command, "--help"])
    assert raised.value.code == 0
    out = capsys.readouterr().out
    assert f"example: margin {command} study.margin" in out


def test_group_statements_into_a_new_pet_with_a_strategy(project: Path, capsys) -> None:
    code, out, err = run(capsys, "group", str(project), "An old coat that still fits", "Stepping back to be a peer",
                         "--into", "Back, and at home", "--strategy", "abstraction")
    assert (code, err) == (0, "")
    assert out == "grouped 2 into PET 'Back, and at home' (new) by abstraction\n"
    pet = theme_row(project, "Back, and at home")
    assert pet[1] == "pet" and pet[4] == "abstraction" and pet[3] is not None
    assert theme_row(project, "An old coat that still fits")[2] == "Back, and at home"


def test_group_pets_into_an_existing_get(project: Path, capsys) -> None:
    code, out, _ = run(capsys, "group", str(project), "A teacher at the back of the room", "--into", "Identity maturation")
    assert code == 0 and out.startswith("grouped 1 into GET 'Identity maturation'")
    assert theme_row(project, "A teacher at the back of the room")[2] == "Identity maturation"


def test_move_rename_and_merge(project: Path, capsys) -> None:
    code, out, _ = run(capsys, "move", str(project), "Being known by name", "--under", "Writing together")
    assert code == 0 and out == "moved 'Being known by name' under 'Writing together'\n"
    assert theme_row(project, "Being known by name")[2] == "Writing together"
    code, out, _ = run(capsys, "move", str(project), "A teacher at the back of the room", "--under", "Identity maturation")
    assert code == 0
    code, out, _ = run(capsys, "move", str(project), "A teacher at the back of the room", "--under", "top")
    assert code == 0 and theme_row(project, "A teacher at the back of the room")[2] is None
    code, out, _ = run(capsys, "rename", str(project), "Writing together", "Writing it together")
    assert code == 0 and out == "renamed 'Writing together' to 'Writing it together'\n"
    code, out, _ = run(capsys, "merge", str(project), "Writing it together", "--into", "The bulletin as a door into the ward")
    assert code == 0 and out == "merged 'Writing it together' into 'The bulletin as a door into the ward'\n"
    assert theme_row(project, "Writing it together") is None
    assert theme_row(project, "Being known by name")[2] == "The bulletin as a door into the ward"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["group", "@", "Standing in the corner of the ward round", "The pencil circle", "--into", "Mixed"],
         "a PET groups the themes of one participant; these belong to P01, P02"),
        (["group", "@", "No such theme", "--into", "X"], "no theme 'No such theme'"),
        (["group", "@", "The pencil circle", "--into", "X", "--strategy", "guesswork"], "unknown strategy 'guesswork'"),
        (["move", "@", "Identity maturation", "--under", "The pencil circle"],
         "'Identity maturation' cannot go under 'The pencil circle', which is below it"),
        (["move", "@", "A teacher at the back of the room", "--under", "The pencil circle"],
         "cannot move PET 'A teacher at the back of the room' under statement 'The pencil circle'"),
        (["merge", "@", "Owning the work", "--into", "Writing together"], "'Owning the work' belongs to P02"),
        (["rename", "@", "Owning the work", "  "], "a theme needs a name"),
        (["memo", "@", "add", "--title", "x", "--on", "Nobody"], "no theme, transcript or participant 'Nobody'"),
    ],
)
def test_refusals_are_one_line_and_change_nothing(project: Path, capsys, args: list[str], message: str) -> None:
    before = digest(project)
    code, out, err = run(capsys, *[str(project) if a == "@" else a for a in args])
    assert code == 1 and out == ""
    assert err.startswith("margin: ") and message in err and err.count("\n") == 1
    assert digest(project) == before


def test_memo_add_and_list_by_subject_and_stage(project: Path, capsys) -> None:
    code, out, _ = run(capsys, "memo", str(project), "add", "--title", "P03 again", "--stage", "PETs",
                       "--text", "She returns to 'back'.", "--on", "P03")
    assert code == 0 and out.startswith("memo ") and "'P03 again' saved" in out
    conn = sqlite3.connect(project)
    row = conn.execute("SELECT title, stage, body, transcript_id FROM memos WHERE title = 'P03 again'").fetchone()
    assert row[:3] == ("P03 again", "PETs", "She returns to 'back'.") and row[3] is not None
    conn.close()
    code, out, _ = run(capsys, "memo", str(project), "list", "--stage", "GETs")
    assert code == 0
    assert [line.split("  ", 2)[2] for line in out.splitlines()] == [
        "What identity maturation means here", "Journal: P03 does not fit identity maturation",
        "Journal: P02, and a first try at GETs",
    ]
    code, out, _ = run(capsys, "memo", str(project), "list", "--on", "Identity maturation", "--json")
    assert code == 0
    data = json.loads(out)
    assert [m["title"] for m in data] == ["What identity maturation means here"] and data[0]["stage"] == "GETs"


def test_memo_usage_errors(project: Path, capsys) -> None:
    code, _, err = run(capsys, "memo", str(project), "add", "--title", "x", "--stage", "daydreaming")
    assert code == 2 and "unknown stage 'daydreaming'" in err
    code, _, err = run(capsys, "memo", str(project), "add")
    assert code == 2 and "needs --title" in err


def test_group_undo_is_one_step(project: Path, capsys) -> None:
    run(capsys, "group", str(project), "An old coat that still fits", "Stepping back to be a peer", "--into", "Home")
    from tui.project import Project

    with Project.open(project, coder="VR") as opened:
        event = opened.undo()
        assert event is not None and event.summary.startswith("group 2 statements into new PET Home")
        assert opened.find_theme("Home") is None
        assert opened.find_theme("Stepping back to be a peer").parent_id == opened.find_theme("Holding back, holding weight").id
