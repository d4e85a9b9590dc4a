"""`margin export` and `margin import` of REFI-QDA files, from the command line."""

from __future__ import annotations

import os
import stat
import zipfile

import docx
import pytest

from test_refi_support import FIXTURES, build_study, validate_qdpx
from tui.cli import main
from tui.project import Project


@pytest.fixture
def study_path(tmp_path):
    path = tmp_path / "study.margin"
    build_study(path).close()
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def counts(path) -> tuple[int, ...]:
    with Project.open(path) as project:
        return (len(project.themes()), len(project.codings()), len(project.transcripts()), len(project.memos()),
                len(project.participants()), len(project.history(10_000)))


@pytest.mark.parametrize("fmt, what", [("qdpx", None), ("qdc", None), ("md", None), ("html", "all"),
                                       ("docx", "transcripts"), ("csv", "codings"), ("csv", "codebook")])
def test_export_every_format(capsys, study_path, tmp_path, fmt, what):
    output = tmp_path / f"out.{fmt}"
    argv = ["export", study_path, "--format", fmt, "--output", output] + (["--what", what] if what else [])
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    assert f"wrote {output}" in out
    assert stat.S_IMODE(os.stat(output).st_mode) == 0o600
    if fmt == "qdpx":
        validate_qdpx(output)
    elif fmt == "docx":
        document = docx.Document(str(output))
        assert document.tables[0].rows[0].cells[0].text == "Exploratory notes"
    elif fmt == "html":
        assert "Transcript: Interview 7" in output.read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_export_refuses_to_overwrite_without_force(capsys, study_path, tmp_path):
    output = tmp_path / "out.qdpx"
    output.write_text("precious")
    code, _, err = run(capsys, "export", study_path, "--format", "qdpx", "--output", output)
    assert code == 1 and "already exists" in err and "--force" in err and err.count("\n") == 1
    assert output.read_text() == "precious"
    code, _, _ = run(capsys, "export", study_path, "--format", "qdpx", "--output", output, "--force")
    assert code == 0 and zipfile.is_zipfile(output)


def test_export_usage_errors(capsys, study_path, tmp_path):
    code, _, err = run(capsys, "export", study_path, "--format", "csv", "--what", "summary", "--output", tmp_path / "x.csv")
    assert code == 2 and "--what summary does not go with --format csv" in err
    with pytest.raises(SystemExit) as exit_:
        main(["export", str(study_path), "--format", "pdf", "--output", str(tmp_path / "x.pdf")])
    assert exit_.value.code == 2
    code, _, err = run(capsys, "export", tmp_path / "none.margin", "--format", "md", "--output", tmp_path / "x.md")
    assert code == 1 and "no such file" in err
    code, _, err = run(capsys, "export", study_path, "--format", "md", "--output", tmp_path / "no" / "x.md")
    assert code == 1 and "does not exist" in err
    assert not (tmp_path / "x.csv").exists()


def test_import_into_a_new_project_and_again_into_it(capsys, study_path, tmp_path):
    qdpx = tmp_path / "study.qdpx"
    assert run(capsys, "export", study_path, "--format", "qdpx", "--output", qdpx)[0] == 0
    fresh = tmp_path / "fresh.margin"
    code, out, err = run(capsys, "import", fresh, qdpx, "--coder", "RB")
    assert (code, err) == (0, "")
    assert "added" in out and "2 transcripts" in out
    assert counts(fresh)[:5] == counts(study_path)[:5]
    code, out, _ = run(capsys, "import", fresh, qdpx)
    assert code == 0 and "added nothing" in out and "unchanged" in out


def test_import_codebook_into_existing_project(capsys, tmp_path):
    path = tmp_path / "p.margin"
    Project.create(path).close()
    code, out, err = run(capsys, "import", path, FIXTURES / "taguette-empty-sets.qdc")
    assert (code, err) == (0, "") and "added 3 themes" in out


@pytest.mark.parametrize("name, message", [
    ("corrupt.qdpx", "not a .qdpx file"),
    ("not-refi.qdpx", "not a REFI-QDA project"),
    ("missing-source.qdpx", "missing from the archive"),
])
def test_import_bad_files_one_line_and_project_unchanged(capsys, study_path, tmp_path, name, message):
    before = counts(study_path)
    code, out, err = run(capsys, "import", study_path, FIXTURES / name)
    assert code == 1 and message in err and err.count("\n") == 1 and "Traceback" not in err
    assert counts(study_path) == before
    fresh = tmp_path / "fresh.margin"
    code, _, err = run(capsys, "import", fresh, FIXTURES / name)
    assert code == 1 and not fresh.exists()


def test_import_mixed_with_transcripts_is_a_usage_error(capsys, study_path, tmp_path):
    text = tmp_path / "t.txt"
    text.write_text("P01: hello\n")
    code, _, err = run(capsys, "import", study_path, FIXTURES / "taguette-empty-sets.qdc", text)
    assert code == 2 and "on their own" in err
