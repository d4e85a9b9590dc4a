"""The `margin` command line: exit codes, messages, and what is in the project file afterwards.

Most tests call `tui.cli.main([...])` in the test process (fast); a few run the installed console
script in a subprocess, as a user would. The file is always read back with the `sqlite3` module,
not through the store, so the tests see what other programs see.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui import __version__, cli
from tui.project import schema
from tui.project import Project

ROOT = Path(__file__).resolve().parents[2]
IMPORT = ROOT / "fixtures" / "import"
DEMO = ROOT / "fixtures" / "demo"

#: Every importable sample, with the participant the importer should find in it.
IMPORT_SAMPLES = {
    IMPORT / "cp1252_crlf.txt": "P03",
    IMPORT / "utf16_bom.txt": "P05",
    IMPORT / "utf8_bom.md": "P07",
    IMPORT / "teams.vtt": "Priya Natarajan",
    IMPORT / "zoom.vtt": "Tom Whitfield",
    IMPORT / "interview.srt": "P09",
    IMPORT / "ward_interview.docx": "P11",
    DEMO / "P01-interview.txt": "P01",
    DEMO / "P02-interview.docx": "P02",
    DEMO / "P03-interview.vtt": "P03",
    DEMO / "P04-interview.md": "P04",
    DEMO / "P05-interview.srt": "P05",
}

#: Every subcommand and the arguments it needs after PROJECT (for the refusal tests).
PROJECT_COMMANDS = {
    "open": [],
    "import": [str(IMPORT / "zoom.vtt")],
    "tag": ["P01", "1", "Belonging"],
    "themes": [],
    "check": [],
    "backup": ["@dest"],
    "participant": ["P01", "P99"],
    "export": ["--format", "md", "--output", "@dest"],
    "group": ["Belonging", "--into", "Community"],
    "move": ["Belonging", "--under", "Community"],
    "rename": ["Belonging", "Sense of belonging"],
    "merge": ["Belonging", "--into", "Community"],
    "memo": ["list"],
    "pseudonymise": ["Tom Whitfield", "P08"],
}


# --------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No test reads or writes the real settings file."""
    config = tmp_path / "config-home"
    config.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    yield config


@pytest.fixture(autouse=True)
def no_tui(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Project, int | None, bool]]:
    """`open` must never start the real app in a unit test: record what it would have opened."""
    calls: list[tuple[Project, int | None, bool]] = []

    def fake_run_app(project: Project, transcript_id: int | None, *, ask_coder: bool) -> int:
        calls.append((project, transcript_id, ask_coder))
        assert project.conn.execute("SELECT COUNT(*) FROM transcripts").fetchone() is not None
        project.close()
        return 0

    monkeypatch.setattr(cli, "_run_app", fake_run_app)
    monkeypatch.setattr(cli, "_require_terminal", lambda: None)  # pytest's stdin is no terminal
    return calls


@pytest.mark.parametrize("command", ["open", "demo"])
def test_the_workspace_without_a_terminal_is_refused_untouched(
    study: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.undo()  # the real terminal check; stdin here is not a terminal
    monkeypatch.setattr(cli, "_run_app", lambda *a, **k: pytest.fail("the app must not start"))
    before = digest(study)
    args = [command, study] if command == "open" else [command, "--path", study.parent / "demo.margin"]
    code, out, err = run(capsys, *args)
    assert code == 1
    one_error_line(err, "needs a terminal")
    assert digest(study) == before
    assert not (study.parent / "demo.margin").exists()


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    """Run `margin ARGS` in this process: (exit status, stdout, stderr)."""
    capsys.readouterr()
    try:
        code = cli.main([str(a) for a in args])
    except SystemExit as exit_:  # argparse: --help, usage errors
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def digest(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def query(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Read a project with the sqlite3 module, read-only, as any other program would."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def one_error_line(err: str, *needles: str) -> str:
    """Assert stderr is exactly one line, no traceback, naming every needle; return it."""
    assert "Traceback" not in err
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def assert_lines_are_slices(path: Path, transcript_id: int, width: int = 72) -> int:
    """Every stored line is exactly text[start:end], in order, only whitespace between; return the count."""
    ((text,),) = query(path, "SELECT text FROM transcripts WHERE id = ?", (transcript_id,))
    rows = query(
        path, 'SELECT number, text, start, "end" FROM lines WHERE transcript_id = ? ORDER BY number', (transcript_id,)
    )
    assert rows, "no lines stored"
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    previous_end = 0
    for number, line, start, end in rows:
        assert line == text[start:end], (number, line, text[start:end])
        assert 0 < len(line) <= width, (number, line)
        assert text[previous_end:start].strip() == "", (number, text[previous_end:start])
        previous_end = end
    assert text[previous_end:].strip() == ""
    return len(rows)


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A new, empty IPA project made by `margin new` (coder VR)."""
    path = tmp_path / "study.margin"
    code, _, err = run(capsys, "new", path, "--coder", "VR")
    assert code == 0, err
    return path


@pytest.fixture
def study(project: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A project with three transcripts: P01-interview (P01), zoom (Tom Whitfield), interview (P09)."""
    code, _, err = run(
        capsys, "import", project, DEMO / "P01-interview.txt", IMPORT / "zoom.vtt", IMPORT / "interview.srt",
        "--coder", "VR",
    )
    assert code == 0, err
    return project


def transcript_id(path: Path, title: str) -> int:
    ((tid,),) = query(path, "SELECT id FROM transcripts WHERE title = ?", (title,))
    return tid


def participant_id(path: Path, pseudonym: str) -> int:
    ((pid,),) = query(path, "SELECT id FROM participants WHERE pseudonym = ?", (pseudonym,))
    return pid


def codings(path: Path) -> list[tuple]:
    """(transcript title, first_line, last_line, theme name, coder name) of every coding."""
    return query(
        path,
        "SELECT t.title, c.first_line, c.last_line, th.name, co.name FROM codings c "
        "JOIN transcripts t ON t.id = c.transcript_id JOIN themes th ON th.id = c.theme_id "
        "LEFT JOIN coders co ON co.id = c.coder_id ORDER BY c.id",
    )


# --------------------------------------------------------------------------- margin new


def test_new_creates_a_private_ipa_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "study.margin"
    code, out, err = run(capsys, "new", path, "--coder", "VR")
    assert (code, err) == (0, "")
    assert f"created {path} (ipa)" in out
    assert f"margin import {path} FILE" in out
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert query(path, "PRAGMA application_id") == [(schema.APPLICATION_ID,)]
    assert query(path, "PRAGMA user_version") == [(schema.SCHEMA_VERSION,)]
    assert query(path, "PRAGMA journal_mode") == [("delete",)]
    settings = dict(query(path, "SELECT key, value FROM settings"))
    assert settings["method"] == "ipa"
    assert settings["title"] == "study"
    assert query(path, "SELECT COUNT(*) FROM transcripts") == [(0,)]
    assert sorted(os.listdir(tmp_path)) == sorted(["study.margin", "config-home"])  # no journal or WAL left


def test_new_ta_project_with_a_title(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ta.margin"
    code, out, _ = run(capsys, "new", path, "--method", "ta", "--title", "Ward study")
    assert code == 0
    assert "(ta)" in out
    settings = dict(query(path, "SELECT key, value FROM settings"))
    assert (settings["method"], settings["title"]) == ("ta", "Ward study")


@pytest.mark.parametrize("content", [b"precious notes\n", b""], ids=["text", "empty"])
def test_new_refuses_an_existing_file_and_leaves_it_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    path = tmp_path / "study.margin"
    path.write_bytes(content)
    code, out, err = run(capsys, "new", path)
    assert code == 1
    assert out == ""
    one_error_line(err, str(path), "already exists")
    assert path.read_bytes() == content


def test_new_refuses_an_existing_project_untouched(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(project)
    code, _, err = run(capsys, "new", project, "--method", "ta")
    assert code == 1
    one_error_line(err, str(project), "already exists")
    assert digest(project) == before


def test_new_with_a_bad_method_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "study.margin"
    code, out, err = run(capsys, "new", path, "--method", "grounded")
    assert code == 2
    assert "invalid choice: 'grounded'" in err
    assert "Traceback" not in err
    assert not path.exists()


def test_new_in_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nowhere" / "study.margin"
    code, _, err = run(capsys, "new", path)
    assert code == 1
    one_error_line(err, str(path), "does not exist")
    assert not path.parent.exists()


# --------------------------------------------------------------------------- margin import


@pytest.mark.parametrize("sample", list(IMPORT_SAMPLES), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_import_every_format_stores_lines_that_are_slices_of_the_text(
    project: Path, capsys: pytest.CaptureFixture[str], sample: Path
) -> None:
    code, out, err = run(capsys, "import", project, sample)
    assert (code, err) == (0, "")
    tid = transcript_id(project, sample.stem)
    count = assert_lines_are_slices(project, tid)
    pseudonym = IMPORT_SAMPLES[sample]
    # The hint offers the first pseudonym nobody has yet (the file's own participant has one now).
    free = next(f"P{n:02d}" for n in range(1, 100) if f"P{n:02d}".casefold() != pseudonym.casefold())
    hint = (
        f"  participant '{pseudonym}' was taken from the file; if it is not a pseudonym: "
        f"margin participant {project} '{sample.stem}' {free} --rename\n"
    )
    assert out == f"imported {sample}: '{sample.stem}', {count} lines, {pseudonym}\n" + (hint if pseudonym != "no participant yet" else "")
    ((pid, source, fmt, width),) = query(
        project, "SELECT participant_id, source, format, width FROM transcripts WHERE id = ?", (tid,)
    )
    assert pid == participant_id(project, pseudonym)
    assert (source, fmt, width) == (sample.name, sample.suffix[1:], 72)
    ((text,),) = query(project, "SELECT text FROM transcripts WHERE id = ?", (tid,))
    assert "\r" not in text
    if sample.suffix in (".vtt", ".srt"):
        stamps = query(project, "SELECT timestamp FROM lines WHERE transcript_id = ?", (tid,))
        assert all(re.fullmatch(r"\d\d:\d\d:\d\d\.\d\d\d", s) for (s,) in stamps), stamps
    # the search index knows the new lines
    ((indexed,),) = query(project, "SELECT COUNT(*) FROM lines_fts_docsize")
    assert indexed == count


def test_import_demo_transcripts_are_long(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(p for p in DEMO.iterdir() if p.suffix in (".txt", ".docx", ".vtt", ".md", ".srt"))
    assert len(files) == 5
    code, out, _ = run(capsys, "import", project, *files)
    assert code == 0
    assert out.count("imported ") == 5
    for title, pseudonym, lines in query(
        project,
        "SELECT t.title, p.pseudonym, (SELECT COUNT(*) FROM lines l WHERE l.transcript_id = t.id) "
        "FROM transcripts t JOIN participants p ON p.id = t.participant_id ORDER BY t.title",
    ):
        assert title.startswith(pseudonym)
        assert lines >= 150


def test_import_cp1252_crlf_keeps_every_character(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "import", project, IMPORT / "cp1252_crlf.txt")
    assert code == 0
    ((text, encoding),) = query(project, "SELECT text, encoding FROM transcripts")
    assert encoding == "cp1252"
    assert "\r" not in text
    assert "\ufffd" not in text and "\x85" not in text
    assert "Honestly\u2026 a bit overwhelming" in text
    assert "\u201cjust watch today\u201d" in text
    assert "\u2018watch what?\u2019 [laughs]" in text
    assert "caf\u00e9 rota" in text
    assert text.startswith("Interviewer: How did the first week on the paediatric ward feel?\nP03: Honestly")
    # the stored lines carry the same characters
    joined = " ".join(t for (t,) in query(project, "SELECT text FROM lines ORDER BY number"))
    assert "\u201cjust watch" in joined and "\u2026" in joined


def test_import_with_participant_overrides_the_guess(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "import", project, IMPORT / "zoom.vtt", IMPORT / "interview.srt", "--participant", "P12")
    assert code == 0
    assert out.count(", P12\n") == 2
    assert query(project, "SELECT pseudonym FROM participants") == [("P12",)]
    pid = participant_id(project, "P12")
    assert query(project, "SELECT DISTINCT participant_id FROM transcripts") == [(pid,)]


def test_import_with_participant_reuses_an_existing_one(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "import", study, IMPORT / "teams.vtt", "--participant", "p09")
    assert code == 0
    assert query(study, "SELECT COUNT(*) FROM participants WHERE pseudonym LIKE 'p09'") == [(1,)]
    assert query(study, "SELECT participant_id FROM transcripts WHERE title = 'teams'") == [
        (participant_id(study, "P09"),)
    ]


def test_import_with_a_blank_participant_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(project)
    code, _, err = run(capsys, "import", project, IMPORT / "zoom.vtt", "--participant", "  ")
    assert code == 2
    assert "--participant" in err and "Traceback" not in err
    assert digest(project) == before


def test_import_with_width(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = DEMO / "P01-interview.txt"
    assert run(capsys, "import", project, sample, "--width", "40", "--title", "narrow")[0] == 0
    assert run(capsys, "import", project, sample)[0] == 0
    narrow = assert_lines_are_slices(project, transcript_id(project, "narrow"), width=40)
    wide = assert_lines_are_slices(project, transcript_id(project, "P01-interview"), width=72)
    assert narrow > wide
    assert query(project, "SELECT width FROM transcripts WHERE title = 'narrow'") == [(40,)]
    # the same text either way
    texts = {t for (t,) in query(project, "SELECT text FROM transcripts")}
    assert len(texts) == 1


@pytest.mark.parametrize("width", ["5", "0", "-3", "1001"])
def test_import_with_an_unusable_width_changes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str], width: str
) -> None:
    before = digest(project)
    code, out, err = run(capsys, "import", project, IMPORT / "zoom.vtt", f"--width={width}")
    assert code in (1, 2)
    assert out == ""
    one_error_line(err, f"--width {width}", "20", "1000")
    assert digest(project) == before


def test_import_with_a_width_that_is_not_a_number(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(project)
    code, _, err = run(capsys, "import", project, IMPORT / "zoom.vtt", "--width", "wide")
    assert code == 2
    assert "--width" in err and "'wide'" in err and "Traceback" not in err
    assert digest(project) == before


@pytest.mark.parametrize("pattern", ["(", "[A-Z]+:"], ids=["invalid-regex", "no-speaker-group"])
def test_import_with_a_bad_speaker_pattern_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str], pattern: str
) -> None:
    before = digest(project)
    code, out, err = run(capsys, "import", project, IMPORT / "zoom.vtt", "--speaker-pattern", pattern)
    assert code == 2
    assert out == ""
    one_error_line(err, "speaker pattern")
    assert digest(project) == before


def test_import_with_a_speaker_pattern(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "import", project, IMPORT / "cp1252_crlf.txt", "--speaker-pattern", r"(?P<speaker>P\d+):\s*")
    assert code == 0
    speakers = {s for (s,) in query(project, "SELECT speaker FROM lines WHERE turn_start = 1")}
    assert speakers == {"P03"}


def test_import_title_with_several_files_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(project)
    code, _, err = run(capsys, "import", project, IMPORT / "zoom.vtt", IMPORT / "teams.vtt", "--title", "x")
    assert code == 2
    one_error_line(err, "--title")
    assert digest(project) == before


def test_import_refuses_a_duplicate_title(project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "import", project, IMPORT / "zoom.vtt")[0] == 0
    before = digest(project)
    copy = tmp_path / "zoom.vtt"
    shutil.copyfile(IMPORT / "teams.vtt", copy)  # another file with the same name
    code, out, err = run(capsys, "import", project, copy)
    assert code == 1
    assert out == ""
    one_error_line(err, "zoom.vtt", "already has a transcript titled 'zoom'", "--title")
    assert digest(project) == before
    assert query(project, "SELECT title FROM transcripts") == [("zoom",)]
    # --title keeps both
    code, out, _ = run(capsys, "import", project, copy, "--title", "zoom (teams)")
    assert code == 0
    assert "'zoom (teams)'" in out
    assert sorted(query(project, "SELECT title FROM transcripts")) == [("zoom",), ("zoom (teams)",)]


def test_import_a_missing_file(project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    before = digest(project)
    code, out, err = run(capsys, "import", project, tmp_path / "P08.txt")
    assert code == 1
    assert out == ""
    one_error_line(err, "P08.txt", "file not found")
    assert digest(project) == before


def test_import_a_binary_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(project)
    code, _, err = run(capsys, "import", project, IMPORT / "binary.txt")
    assert code == 1
    one_error_line(err, "binary.txt", "binary file")
    assert digest(project) == before


@pytest.mark.parametrize("content", [b"", b"  \r\n\n\t \n"], ids=["empty", "blank"])
def test_import_an_empty_file(project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes) -> None:
    empty = tmp_path / "P08.txt"
    empty.write_bytes(content)
    before = digest(project)
    code, _, err = run(capsys, "import", project, empty)
    assert code == 1
    one_error_line(err, "P08.txt", "empty file")
    assert digest(project) == before


def test_import_an_unsupported_extension(project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pdf = tmp_path / "P08.pdf"
    pdf.write_bytes(b"%PDF-1.4 whatever")
    before = digest(project)
    code, _, err = run(capsys, "import", project, pdf)
    assert code == 1
    one_error_line(err, "P08.pdf", ".pdf")
    assert digest(project) == before


def test_import_is_all_or_nothing_per_file(project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = tmp_path / "blank.md"
    empty.write_text("")
    code, out, err = run(
        capsys, "import", project,
        IMPORT / "zoom.vtt", IMPORT / "binary.txt", tmp_path / "missing.srt", IMPORT / "interview.srt", empty,
        IMPORT / "zoom.vtt",  # a second time: duplicate title
    )
    assert code == 1
    errors = err.strip().split("\n")
    assert len(errors) == 4, err
    assert "binary.txt: binary file" in errors[0]
    assert "missing.srt: file not found" in errors[1]
    assert "blank.md: empty file" in errors[2]
    assert "zoom.vtt: the project already has a transcript titled 'zoom'" in errors[3]
    assert "Traceback" not in err
    assert out.count("imported ") == 2
    assert sorted(query(project, "SELECT title FROM transcripts")) == [("interview",), ("zoom",)]
    for title in ("zoom", "interview"):
        assert_lines_are_slices(project, transcript_id(project, title))
    assert sorted(query(project, "SELECT pseudonym FROM participants")) == [("P09",), ("Tom Whitfield",)]
    ((lines,),) = query(project, "SELECT COUNT(*) FROM lines")
    assert lines == sum(c for (c,) in query(project, "SELECT COUNT(*) FROM lines GROUP BY transcript_id"))
    assert query(project, "SELECT COUNT(*) FROM lines WHERE transcript_id NOT IN (SELECT id FROM transcripts)") == [(0,)]


def test_import_rolls_back_a_file_that_fails_while_being_stored(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after the transcript row was written (two lines numbered 1) leaves no trace of it."""
    from dataclasses import replace

    from tui.formats import importer

    real = importer.read_transcript

    def broken(path: Path, **kwargs: object):
        parsed = real(path, **kwargs)
        if path.name != "interview.srt":
            return parsed
        lines = [parsed.lines[0], replace(parsed.lines[1], number=1), *parsed.lines[2:]]
        return replace(parsed, lines=lines, participant="P77")

    monkeypatch.setattr(importer, "read_transcript", broken)
    code, out, err = run(capsys, "import", project, IMPORT / "zoom.vtt", IMPORT / "interview.srt", IMPORT / "teams.vtt")
    assert code == 1
    one_error_line(err, str(project))
    assert out.count("imported ") == 2
    assert sorted(query(project, "SELECT title FROM transcripts")) == [("teams",), ("zoom",)]
    assert query(project, "SELECT COUNT(*) FROM participants WHERE pseudonym = 'P77'") == [(0,)]
    assert query(project, "SELECT COUNT(*) FROM events WHERE payload LIKE '%interview%'") == [(0,)]
    ((lines,),) = query(project, "SELECT COUNT(*) FROM lines")
    ((expected,),) = query(project, "SELECT COUNT(*) FROM lines WHERE transcript_id IN (SELECT id FROM transcripts)")
    assert lines == expected


# --------------------------------------------------------------------------- margin tag


def test_tag_by_title_creates_a_statement_scoped_to_the_participant(
    study: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "tag", study, "P01-interview", "12", "Standing in the corner", "--coder", "VR")
    assert (code, err) == (0, "")
    assert out == "tagged P01-interview line 12 with 'Standing in the corner' (new theme)\n"
    assert codings(study) == [("P01-interview", 12, 12, "Standing in the corner", "VR")]
    ((level, pid, parent),) = query(study, "SELECT level, participant_id, parent_id FROM themes")
    assert (level, pid, parent) == ("statement", participant_id(study, "P01"), None)
    ((tid, created, guid),) = query(study, "SELECT transcript_id, created_at, guid FROM codings")
    assert tid == transcript_id(study, "P01-interview")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", guid)


def test_tag_by_pseudonym_with_a_range(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tag", study, "P09", "2-3", "Being corrected", "--coder", "AB")
    assert code == 0
    assert out == "tagged interview lines 2-3 with 'Being corrected' (new theme)\n"
    assert codings(study) == [("interview", 2, 3, "Being corrected", "AB")]
    assert query(study, "SELECT participant_id FROM themes") == [(participant_id(study, "P09"),)]


def test_tag_by_id(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tid = transcript_id(study, "zoom")
    code, out, _ = run(capsys, "tag", study, str(tid), "1-4", "Mornings", "--coder", "VR")
    assert code == 0
    assert out.startswith("tagged zoom lines 1-4 with 'Mornings'")
    assert codings(study) == [("zoom", 1, 4, "Mornings", "VR")]


def test_tag_with_an_existing_theme_by_name(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "tag", study, "P01", "12-13", "Corner", "--coder", "VR")[0] == 0
    code, out, _ = run(capsys, "tag", study, "P01", "20", "corner", "--coder", "VR")  # any case
    assert code == 0
    assert out == "tagged P01-interview line 20 with 'Corner'\n"
    assert query(study, "SELECT COUNT(*) FROM themes") == [(1,)]
    assert codings(study) == [("P01-interview", 12, 13, "Corner", "VR"), ("P01-interview", 20, 20, "Corner", "VR")]


def test_tag_uses_the_saved_coder(study: Path, capsys: pytest.CaptureFixture[str], private_config: Path) -> None:
    (private_config / "margin").mkdir()
    (private_config / "margin" / "config.json").write_text(json.dumps({"coder": "Saved Coder"}))
    assert run(capsys, "tag", study, "P01", "3", "Corner")[0] == 0
    assert codings(study)[0][4] == "Saved Coder"


@pytest.fixture
def tree(study: Path) -> dict[str, int]:
    """Two GETs, each with a PET named `Exposure` (an ambiguous name), and a statement."""
    with Project.open(study, coder="VR") as p:
        p01 = p.find_participant("P01").id
        identity = p.create_theme("Identity maturation", level="get")
        community = p.create_theme("Learning community", level="get")
        exposure_a = p.create_theme("Exposure", level="pet", parent_id=identity.id, participant_id=p01)
        exposure_b = p.create_theme("Exposure", level="pet", parent_id=community.id, participant_id=p01)
        statement = p.create_theme("Fear of being wrong in print", level="statement", parent_id=exposure_a.id,
                                   participant_id=p01)
    return {"identity": identity.id, "community": community.id, "exposure_a": exposure_a.id,
            "exposure_b": exposure_b.id, "statement": statement.id}


def test_tag_with_a_theme_path(study: Path, capsys: pytest.CaptureFixture[str], tree: dict[str, int]) -> None:
    code, out, _ = run(capsys, "tag", study, "P01", "30-31", "Learning community/Exposure", "--coder", "VR")
    assert code == 0
    assert out == "tagged P01-interview lines 30-31 with 'Exposure'\n"
    assert query(study, "SELECT theme_id, first_line, last_line FROM codings") == [(tree["exposure_b"], 30, 31)]
    assert query(study, "SELECT COUNT(*) FROM themes") == [(5,)]
    code, _, _ = run(capsys, "tag", study, "P01", "40", "Identity maturation/Exposure/Fear of being wrong in print")
    assert code == 0
    assert query(study, "SELECT theme_id FROM codings ORDER BY id") == [(tree["exposure_b"],), (tree["statement"],)]


def test_tag_with_an_ambiguous_name_names_the_paths(
    study: Path, capsys: pytest.CaptureFixture[str], tree: dict[str, int]
) -> None:
    before = digest(study)
    code, out, err = run(capsys, "tag", study, "P01", "30", "Exposure")
    assert code == 1
    assert out == ""
    one_error_line(err, "'Exposure' is ambiguous", "Identity maturation/Exposure", "Learning community/Exposure")
    assert digest(study) == before
    assert codings(study) == []


@pytest.mark.parametrize(
    ("level", "scoped"), [("statement", True), ("pet", True), ("get", False)]
)
def test_tag_level_of_a_new_theme(
    study: Path, capsys: pytest.CaptureFixture[str], level: str, scoped: bool
) -> None:
    code, _, _ = run(capsys, "tag", study, "P01", "5", "New one", "--level", level)
    assert code == 0
    expected = participant_id(study, "P01") if scoped else None
    assert query(study, "SELECT level, participant_id FROM themes") == [(level, expected)]


def test_tag_with_an_unknown_level(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(study)
    code, _, err = run(capsys, "tag", study, "P01", "5", "New one", "--level", "code")
    assert code == 1
    one_error_line(err, "unknown level 'code'", "statement, pet, get")
    assert digest(study) == before


def test_tag_in_a_ta_project_creates_a_cross_case_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ta.margin"
    assert run(capsys, "new", path, "--method", "ta")[0] == 0
    assert run(capsys, "import", path, IMPORT / "interview.srt")[0] == 0
    code, _, _ = run(capsys, "tag", path, "interview", "2", "Being corrected", "--coder", "VR")
    assert code == 0
    assert query(path, "SELECT level, participant_id FROM themes") == [("code", None)]


@pytest.mark.parametrize(
    ("lines", "code", "message"),
    [
        ("5-3", 2, "'5-3' is not a valid range"),
        ("x", 2, "'x' is not a line or range"),
        ("0", 2, "'0' is not a valid range"),
        ("1-2-3", 2, "'1-2-3' is not a line or range"),
        ("", 2, "'' is not a line or range"),
        ("4-999", 1, "lines 4-999 are outside transcript zoom (lines 1-4)"),
        ("5", 1, "line 5 is outside transcript zoom (lines 1-4)"),
    ],
)
def test_tag_with_bad_lines_changes_nothing(
    study: Path, capsys: pytest.CaptureFixture[str], lines: str, code: int, message: str
) -> None:
    before = digest(study)
    status, out, err = run(capsys, "tag", study, "zoom", lines, "Mornings")
    assert status == code
    assert out == ""
    one_error_line(err, message)
    assert digest(study) == before
    assert query(study, "SELECT COUNT(*) FROM themes") == [(0,)]


def test_tag_an_unknown_transcript(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(study)
    code, _, err = run(capsys, "tag", study, "P42", "1", "Mornings")
    assert code == 1
    one_error_line(err, "no transcript 'P42'", "P01-interview", "zoom")
    assert digest(study) == before


def test_tag_with_a_new_path_creates_the_theme_under_its_parent(
    study: Path, capsys: pytest.CaptureFixture[str], tree: dict[str, int]
) -> None:
    code, out, _ = run(capsys, "tag", study, "P01", "2", "Identity maturation/Feeling part of the team")
    assert code == 0
    assert query(study, "SELECT parent_id FROM themes WHERE name = 'Feeling part of the team'") == [(tree["identity"],)]
    assert query(study, "SELECT COUNT(*) FROM themes WHERE name LIKE '%/%'") == [(0,)]
    before = digest(study)
    code, _, err = run(capsys, "tag", study, "P01", "2", "No such parent/Child")
    assert code == 1
    one_error_line(err, "no theme 'No such parent'")
    assert digest(study) == before


def test_participant_rename_gives_a_pseudonym_everywhere(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "tag", study, "P01", "3", "Mornings")
    code, out, err = run(capsys, "participant", study, "P01-interview", "P70", "--rename")
    assert (code, err) == (0, "")
    # It says exactly what changed, and where the old name still stands (issue 10, item 11).
    assert out.startswith("participant P01 is now P70: the name shown with their themes")
    assert "the transcripts' text and speaker labels were not changed" in out
    assert f"margin pseudonymise {study} 'P01' P70" in out
    assert query(study, "SELECT pseudonym FROM participants ORDER BY id")[0] == ("P70",)
    assert query(study, "SELECT p.pseudonym FROM themes t JOIN participants p ON p.id = t.participant_id") == [("P70",)]


def test_tagging_the_same_lines_twice_with_one_theme_is_refused(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "tag", study, "P01", "3-4", "Mornings")[0] == 0
    before = digest(study)
    code, _, err = run(capsys, "tag", study, "P01", "3-4", "Mornings")
    assert code == 1
    one_error_line(err, "lines 3-4 already tagged with Mornings")
    assert digest(study) == before


def test_tag_is_one_undoable_action(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "tag", study, "P01", "7-9", "Brand new")[0] == 0
    with Project.open(study) as p:
        assert p.can_undo()
        p.undo()
        assert p.codings() == [] and p.themes() == []
        assert not p.can_undo()


# --------------------------------------------------------------------------- margin themes


def test_themes_of_an_empty_project(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "themes", project)
    assert (code, out) == (0, "no themes yet\n")
    code, out, _ = run(capsys, "themes", project, "--json")
    assert code == 0 and json.loads(out) == []


def test_themes_tree(study: Path, capsys: pytest.CaptureFixture[str], tree: dict[str, int]) -> None:
    run(capsys, "tag", study, "P01", "3-4", "Identity maturation/Exposure/Fear of being wrong in print")
    run(capsys, "tag", study, "P01", "8", "Fear of being wrong in print")
    run(capsys, "tag", study, "P09", "2", "Learning community")
    before = digest(study)
    code, out, err = run(capsys, "themes", study)
    assert (code, err) == (0, "")
    assert out.split("\n") == [
        # Counts take in every theme below: a GET's participants are the recurrence IPA reports.
        "Identity maturation  [GET] 2 extracts, 1 participant",
        "  Exposure  [PET · P01] 2 extracts, 1 participant",
        "    Fear of being wrong in print  [statement · P01] 2 extracts, 1 participant",
        "Learning community  [GET] 1 extract, 1 participant",
        "  Exposure  [PET · P01] 0 extracts, 0 participants",
        "",
    ]
    assert digest(study) == before  # reading never writes


def test_themes_json(study: Path, capsys: pytest.CaptureFixture[str], tree: dict[str, int]) -> None:
    run(capsys, "tag", study, "P01", "3-4", "Fear of being wrong in print")
    run(capsys, "tag", study, "P01", "9", "Fear of being wrong in print")
    # P01's statement cannot code another participant's transcript: each case keeps its own.
    code, _, err = run(capsys, "tag", study, "zoom", "2", "Fear of being wrong in print")
    assert code == 1 and "another participant's case" in err
    run(capsys, "tag", study, "zoom", "2", "Identity maturation")
    code, out, _ = run(capsys, "themes", study, "--json")
    assert code == 0
    data = {item["id"]: item for item in json.loads(out)}
    assert set(data) == set(tree.values())
    statement = data[tree["statement"]]
    assert statement["name"] == "Fear of being wrong in print"
    assert statement["path"] == "Identity maturation/Exposure/Fear of being wrong in print"
    assert statement["level"] == "statement"
    assert statement["parent_id"] == tree["exposure_a"]
    assert statement["participant"] == "P01"
    assert (statement["extracts"], statement["participants"]) == (2, 1)
    assert (data[tree["identity"]]["extracts"], data[tree["identity"]]["participants"]) == (3, 2)
    assert data[tree["identity"]]["participant"] is None
    assert data[tree["identity"]]["parent_id"] is None
    assert data[tree["exposure_b"]]["path"] == "Learning community/Exposure"
    guids = {(g,) for g in (item["guid"] for item in data.values())}
    assert guids == set(query(study, "SELECT guid FROM themes"))


def test_user_text_is_printed_with_control_characters_as_symbols(
    study: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "tag", study, "P01", "3", "red\x1b[31malert\x07")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "'red\u241b[31malert\u2407' (new theme)" in out
    code, out, _ = run(capsys, "participant", study, "zoom", "P\x1b]0;owned\x07")
    assert code == 0
    assert "\x1b" not in out and "\u241b" in out
    code, _, err = run(capsys, "tag", study, "no\x1bsuch", "3", "x")
    assert code == 1
    assert "\x1b" not in err and "no\u241bsuch" in err
    code, out, _ = run(capsys, "themes", study)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "red\u241b[31malert\u2407" in out
    code, out, _ = run(capsys, "themes", study, "--json")
    assert json.loads(out)[0]["name"] == "red\x1b[31malert\x07"  # JSON escapes it, and keeps it exact


# --------------------------------------------------------------------------- margin check


def test_check_a_sound_project(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "tag", study, "P01", "3", "Corner")
    before = digest(study)
    code, out, err = run(capsys, "check", study)
    assert err == ""
    assert code == 0
    assert out == (
        f"{study}: ok (schema version {schema.SCHEMA_VERSION}, 3 participants, 3 transcripts, "
        f"{query(study, 'SELECT COUNT(*) FROM lines')[0][0]} lines, 1 themes, 1 codings)\n"
    )
    assert digest(study) == before


def test_check_names_a_tampered_line(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tid = transcript_id(study, "P01-interview")
    conn = sqlite3.connect(study)
    conn.execute("UPDATE lines SET text = 'something else entirely' WHERE transcript_id = ? AND number = 17", (tid,))
    conn.commit()
    conn.close()
    before = digest(study)
    code, out, err = run(capsys, "check", study)
    assert code == 1
    assert out == ""
    assert "Traceback" not in err
    problems = err.strip().split("\n")
    assert f"{study}: transcript {tid} line 17: text differs from the transcript at " in err
    assert all("line 17" in problem for problem in problems), problems  # only the tampered line
    assert digest(study) == before


def test_check_names_a_file_others_can_read(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.chmod(study, 0o644)
    code, _, err = run(capsys, "check", study)
    assert code == 1
    assert f"{study}: file mode 644: others can read it (chmod 600 study.margin)" in err.split("\n")


@pytest.mark.parametrize("command", ["check", "themes"])
def test_reading_commands_never_upgrade_an_older_project(
    study: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    conn = sqlite3.connect(study)
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION - 1}")
    conn.close()
    before = digest(study)
    code, _, err = run(capsys, command, study)
    assert code == 1
    one_error_line(err, str(study), "older margin", "margin open")
    assert digest(study) == before
    assert not list(study.parent.glob("*.bak"))


def test_backup_copies_an_older_project_as_it_is(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = sqlite3.connect(study)
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION - 1}")
    conn.close()
    before = digest(study)
    code, _, err = run(capsys, "backup", study, study.parent / "copy.margin")
    assert (code, err) == (0, "")
    assert digest(study) == before
    assert not list(study.parent.glob("*.bak"))
    copy = sqlite3.connect(study.parent / "copy.margin")
    assert copy.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION - 1
    copy.close()


# --------------------------------------------------------------------------- margin backup


def test_backup_writes_a_private_copy(study: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run(capsys, "tag", study, "P01", "3", "Corner")
    dest = tmp_path / "copy.margin"
    before = digest(study)
    code, out, err = run(capsys, "backup", study, dest)
    assert (code, err) == (0, "")
    assert out == f"backed up {study} to {dest}\n"
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    assert digest(study) == before
    for sql in ("SELECT guid, title, text FROM transcripts ORDER BY id", "SELECT * FROM lines ORDER BY id",
                "SELECT * FROM codings", "SELECT * FROM themes", "PRAGMA application_id", "PRAGMA user_version"):
        assert query(dest, sql) == query(study, sql), sql
    assert query(dest, "PRAGMA journal_mode") == [("delete",)]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith((".part", "-journal", "-wal"))]
    with Project.open(dest) as copy:
        assert [t.title for t in copy.transcripts()] == ["P01-interview", "interview", "zoom"]


def test_backup_refuses_an_existing_destination(study: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    dest = tmp_path / "copy.margin"
    dest.write_text("yesterday's backup")
    code, out, err = run(capsys, "backup", study, dest)
    assert code == 1
    assert out == ""
    one_error_line(err, str(dest), "already exists")
    assert dest.read_text() == "yesterday's backup"


def test_backup_into_a_missing_folder(study: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    dest = tmp_path / "nowhere" / "copy.margin"
    code, _, err = run(capsys, "backup", study, dest)
    assert code == 1
    one_error_line(err, str(dest), "does not exist")
    assert not dest.parent.exists()


# --------------------------------------------------------------------------- margin participant


def test_participant_reassigns_a_transcript_to_a_new_participant(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "participant", study, "zoom", " P10 ")
    assert (code, err) == (0, "")
    assert out == "'zoom' now belongs to P10\n"
    assert query(study, "SELECT participant_id FROM transcripts WHERE title = 'zoom'") == [
        (participant_id(study, "P10"),)
    ]
    # the old participant stays (it may have attributes and memos); nothing else moved
    assert query(study, "SELECT participant_id FROM transcripts WHERE title = 'interview'") == [
        (participant_id(study, "P09"),)
    ]


def test_participant_reassigns_to_an_existing_participant(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ((before,),) = query(study, "SELECT COUNT(*) FROM participants")
    code, _, _ = run(capsys, "participant", study, "interview", "p01")
    assert code == 0
    assert query(study, "SELECT COUNT(*) FROM participants") == [(before,)]
    assert query(study, "SELECT participant_id FROM transcripts WHERE title = 'interview'") == [
        (participant_id(study, "P01"),)
    ]


def test_participant_with_a_blank_pseudonym(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(study)
    code, _, err = run(capsys, "participant", study, "zoom", "   ")
    assert code == 2
    one_error_line(err, "pseudonym")
    assert digest(study) == before


def test_participant_of_an_unknown_transcript(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(study)
    code, _, err = run(capsys, "participant", study, "Interview 12", "P12")
    assert code == 1
    one_error_line(err, "no transcript 'Interview 12'")
    assert digest(study) == before


# --------------------------------------------------------------------------- margin open (up to the UI)


def test_open_passes_the_transcript_to_the_app(
    study: Path, capsys: pytest.CaptureFixture[str], no_tui: list
) -> None:
    code, _, _ = run(capsys, "open", study, "--transcript", "P09", "--coder", "VR")
    assert code == 0
    ((project, tid, ask_coder),) = no_tui
    assert tid == transcript_id(study, "interview")
    assert ask_coder is False  # --coder given
    assert project.coder == "VR"


def test_open_asks_for_a_coder_when_none_is_known(
    study: Path, capsys: pytest.CaptureFixture[str], no_tui: list
) -> None:
    assert run(capsys, "open", study)[0] == 0
    assert no_tui[0][1] is None and no_tui[0][2] is True


def test_open_an_unknown_transcript_fails_before_the_app(
    study: Path, capsys: pytest.CaptureFixture[str], no_tui: list
) -> None:
    before = digest(study)
    code, _, err = run(capsys, "open", study, "--transcript", "Interview 12")
    assert code == 1
    one_error_line(err, "no transcript 'Interview 12'")
    assert no_tui == []
    assert digest(study) == before


# --------------------------------------------------------------------------- not a project


def _bad_project(kind: str, tmp_path: Path, good: Path) -> Path:
    path = tmp_path / f"{kind}.margin"
    if kind == "text":
        path.write_text("Interviewer: this is a transcript, not a project\n")
    elif kind == "sqlite":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT)")
        conn.execute("INSERT INTO orders (item) VALUES ('tea')")
        conn.commit()
        conn.close()
    elif kind == "newer":
        shutil.copyfile(good, path)
        os.chmod(path, 0o600)
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA user_version = 99")
        conn.close()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "missing":
        pass
    return path


PROBLEMS = {
    "text": "not a margin project (not a SQLite file)",
    "sqlite": "not a margin project (a SQLite file of another program)",
    "newer": f"file version 99; this margin reads up to version {schema.SCHEMA_VERSION}",
    "empty": "not a margin project (an empty file)",
    "missing": "no such file",
}


@pytest.mark.parametrize("kind", list(PROBLEMS))
@pytest.mark.parametrize("command", list(PROJECT_COMMANDS))
def test_every_command_refuses_what_is_not_a_project_and_leaves_it_untouched(
    study: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, kind: str, no_tui: list
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    path = _bad_project(kind, folder, study)
    before = digest(path) if path.exists() else None
    listing = sorted(os.listdir(folder))
    dest = folder / "copy.margin"
    extra = [str(dest) if a == "@dest" else a for a in PROJECT_COMMANDS[command]]
    code, out, err = run(capsys, command, path, *extra)
    assert code == 1
    assert out == ""
    one_error_line(err, str(path), PROBLEMS[kind])
    assert err.startswith("margin: ")
    assert (digest(path) if path.exists() else None) == before
    assert sorted(os.listdir(folder)) == listing  # no journal, backup or copy left beside it
    assert no_tui == []


@pytest.mark.parametrize("kind", ["text", "sqlite", "newer", "empty"])
def test_new_refuses_what_is_not_a_project(
    study: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    path = _bad_project(kind, tmp_path, study)
    before = digest(path)
    code, _, err = run(capsys, "new", path)
    assert code == 1
    one_error_line(err, str(path), "already exists")
    assert digest(path) == before


def test_a_folder_is_not_a_project(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "themes", tmp_path)
    assert code == 1
    one_error_line(err, str(tmp_path), "is a folder")


# --------------------------------------------------------------------------- help and usage


SUBCOMMANDS = ["demo", "open", "new", "import", "tag", "themes", "check", "backup", "participant",
               "export", "group", "move", "rename", "merge", "memo", "pseudonymise"]


def test_every_subcommand_is_covered_here() -> None:
    parser = cli.build_parser()
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    assert sorted(sub.choices) == sorted(SUBCOMMANDS)
    assert set(PROJECT_COMMANDS) == set(SUBCOMMANDS) - {"demo", "new"}


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_help_on_every_subcommand_shows_an_example(capsys: pytest.CaptureFixture[str], command: str) -> None:
    code, out, err = run(capsys, command, "--help")
    assert code == 0
    assert err == ""
    assert out.startswith(f"usage: margin {command}")
    assert re.search(rf"^example: margin {command}\b", out, re.MULTILINE), out


def test_top_level_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in SUBCOMMANDS:
        assert re.search(rf"^\s+{command}\s", out, re.MULTILINE), command


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert (code, out) == (0, f"margin {__version__}\n")


@pytest.mark.parametrize("args", [["frobnicate"], ["exprot", "x.margin", "--format", "md", "--output", "x.md"], []])
def test_unknown_or_missing_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert "margin: usage error:" in err
    assert "Traceback" not in err


def test_missing_arguments_are_a_usage_error(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    before = digest(project)
    code, _, err = run(capsys, "tag", project, "P01", "3")
    assert code == 2
    assert "the following arguments are required: THEME" in err
    assert digest(project) == before


# --------------------------------------------------------------------------- the real command


def margin_command() -> str:
    """The installed console script, preferring the one beside this interpreter."""
    found = shutil.which("margin", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    assert found, "the `margin` command is not installed: pip install -e . (or .ci/run)"
    return found


def margin(tmp_path: Path, *args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config-home"), "NO_COLOR": "1"}
    return subprocess.run(
        [margin_command(), *map(str, args)], capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path,
    )


def test_console_script_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "study.margin"
    result = margin(tmp_path, "new", path, "--coder", "VR")
    assert result.returncode == 0, result.stderr
    result = margin(tmp_path, "import", path, DEMO / "P01-interview.txt", IMPORT / "cp1252_crlf.txt")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("imported ") == 2
    result = margin(tmp_path, "tag", path, "P01", "12-14", "Standing in the corner", "--coder", "VR")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "tagged P01-interview lines 12-14 with 'Standing in the corner' (new theme)\n"
    result = margin(tmp_path, "themes", path, "--json")
    assert result.returncode == 0
    (theme,) = json.loads(result.stdout)
    assert (theme["name"], theme["participant"], theme["extracts"]) == ("Standing in the corner", "P01", 1)
    assert codings(path) == [("P01-interview", 12, 14, "Standing in the corner", "VR")]
    result = margin(tmp_path, "backup", path, tmp_path / "copy.margin")
    assert result.returncode == 0, result.stderr
    assert query(tmp_path / "copy.margin", "SELECT COUNT(*) FROM codings") == [(1,)]


def test_console_script_errors_are_one_line_with_status_1(tmp_path: Path) -> None:
    plain = tmp_path / "notes.txt"
    plain.write_text("not a project")
    result = margin(tmp_path, "tag", plain, "P01", "3", "Corner")
    assert result.returncode == 1
    assert result.stdout == ""
    one_error_line(result.stderr, str(plain), "not a margin project")
    assert plain.read_text() == "not a project"


def test_console_script_usage_errors_have_status_2(tmp_path: Path) -> None:
    result = margin(tmp_path, "export", "x.margin")
    assert result.returncode == 2
    assert "usage error" in result.stderr and "Traceback" not in result.stderr
    result = margin(tmp_path, "new", tmp_path / "x.margin", "--method", "nope")
    assert result.returncode == 2
    assert not (tmp_path / "x.margin").exists()


def test_console_script_help(tmp_path: Path) -> None:
    result = margin(tmp_path, "import", "--help")
    assert result.returncode == 0
    assert "example: margin import" in result.stdout
