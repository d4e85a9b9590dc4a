"""CSV exports: one row per coding, and a codebook in the form Taguette's import reads."""

from __future__ import annotations

import csv
import io

import pytest

from test_refi_support import build_study
from tui.formats.csv_export import CODING_COLUMNS, export_codebook_csv, export_codings_csv
from tui.formats.output import ExportError
from tui.project import Project


@pytest.fixture
def study(tmp_path):
    project = build_study(tmp_path / "study.margin")
    yield project
    project.close()


def read(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_one_row_per_coding_with_the_coded_text(study, tmp_path):
    rows = read(export_codings_csv(study, tmp_path / "codings.csv"))
    assert len(rows) == len(study.codings())
    assert list(rows[0]) == list(CODING_COLUMNS)
    corner = next(r for r in rows if r["theme_path"].endswith("Standing in the corner"))
    assert corner["theme_path"] == "Belonging <b>/Outsider on the ward/Standing in the corner"
    assert corner["level"] == "statement"
    assert (corner["participant"], corner["transcript"], corner["first_line"], corner["last_line"]) == ("P07", "Interview 7", "2", "4")
    assert corner["text"].startswith("P07: Honestly?") and corner["text"].endswith("[laughs]. So the bulletin")
    assert corner["coder"] == "VR" and corner["date"].endswith("Z")
    pet = next(r for r in rows if r["theme_path"] == "Belonging <b>/Outsider on the ward")
    assert pet["level"] == "PET"
    assert not (tmp_path / "codings.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_text_across_turns_keeps_its_newline(study, tmp_path):
    t7 = study.find_transcript("Interview 7")
    theme = study.find_theme("Part of the team")
    study.tag(t7.id, 5, 7, theme.id)
    rows = read(export_codings_csv(study, tmp_path / "codings.csv"))
    (row,) = [r for r in rows if r["first_line"] == "5" and r["last_line"] == "7"]
    assert row["text"] == "felt like a chance to belong 🙂 somewhere.\nInterviewer: And later?\nP07: Later the nurses asked me what I had written [pause]"


def taguette_reads(data: bytes) -> list[dict[str, str]]:
    """What Taguette's codebook import does with a CSV: the header lower-cased; the tag from `tag`
    (or `name` or `path`, exactly one of them), the description from `description`."""
    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    header = [cell.lower() for cell in next(reader)]
    assert sum(name in header for name in ("tag", "name", "path")) == 1
    tag, description = header.index("tag"), header.index("description")
    tags = []
    for row in reader:
        assert len(row) >= max(tag, description) + 1
        if any(row):
            assert row[tag].strip()
            tags.append({"path": row[tag].strip(), "description": row[description].strip()})
    return tags


def test_codebook_csv_is_what_taguette_imports(study, tmp_path):
    out = export_codebook_csv(study, tmp_path / "codebook.csv")
    tags = taguette_reads(out.read_bytes())
    assert len(tags) == len(study.themes())
    assert len({t["path"] for t in tags}) == len(tags)  # Taguette needs unique tag names
    get = next(t for t in tags if t["path"] == "Belonging <b>")
    assert get["description"] == "Becoming one of the team"


def test_empty_codebook_refused_and_existing_file_kept(tmp_path):
    with Project.create(tmp_path / "e.margin") as project:
        with pytest.raises(ExportError, match="no themes"):
            export_codebook_csv(project, tmp_path / "c.csv")
        target = tmp_path / "codings.csv"
        target.write_text("mine")
        with pytest.raises(ExportError, match="already exists"):
            export_codings_csv(project, target)
        assert target.read_text() == "mine"
        export_codings_csv(project, target, force=True)
        assert read(target) == []
