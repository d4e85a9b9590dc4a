"""Import the real files other programs wrote (kept in shared/refi-qda/samples beside the repo).

These need the shared folder; when it is missing they fail rather than pass unseen. The same
quirks are reproduced by the fictional files in fixtures/refi, which the other tests use.
"""

from __future__ import annotations

import zipfile

import pytest

from test_refi_support import SHARED_SAMPLES
from tui.formats.refi import import_into_new


def sample(name: str):
    path = SHARED_SAMPLES / name
    assert path.is_file(), f"{path} is missing: the tests expect shared/refi-qda/samples beside the repository"
    return path


def test_atlas_blank_brings_its_users(tmp_path):
    project, report = import_into_new(tmp_path / "p.margin", sample("atlasti-23-blank.qdpx"))
    with project:
        assert sorted(c.name for c in project.coders()) == ["ATLAS.ti", "Enric Llagostera"]
        assert project.themes() == [] and report.added == {"coders": 2}


def test_atlas_target_brings_nested_codes(tmp_path):
    project, _ = import_into_new(tmp_path / "p.margin", sample("atlasti-23-target.qdpx"))
    with project:
        paths = sorted(project.theme_paths().values())
        assert paths == ["Commits", "Commits/2022-02-11T10:39:25Z cdbfd92", "Commits/2022-05-10T02:05:59Z 19e4dce"]
        assert all(t.guid == t.guid.lower() for t in project.themes())


def test_maxqda_ten_sources_and_coloured_codes(tmp_path):
    path = sample("maxqda-24-ten-sources.qdpx")
    project, report = import_into_new(tmp_path / "p.margin", path, coder="VR")
    with project, zipfile.ZipFile(path) as archive:
        themes = project.themes()
        assert len(themes) == 307
        assert all(t.colour and t.colour.startswith("#") for t in themes)
        assert max(p.count("/") for p in project.theme_paths().values()) == 1
        affinity = next(t for t in themes if t.name == "THEME - Affinity Spaces (Gee)")
        assert affinity.description == "Apply this code when a study uses Gee's concept of affinity spaces."
        transcripts = project.transcripts()
        assert len(transcripts) == 10 and report.added["transcripts"] == 10
        for transcript in transcripts:
            raw = archive.read(f"sources/{transcript.guid.upper()}.txt").decode("utf-8-sig")
            text = project.transcript(transcript.id).text
            assert text == raw.replace("\r\n", "\n").replace("\r", "\n")
            lines = project.lines(transcript.id)
            assert lines and all(text[l.start:l.end] == l.text for l in lines)


def test_taguette_codebook(tmp_path):
    project, _ = import_into_new(tmp_path / "p.margin", sample("taguette-1.4-codebook.qdc"))
    with project:
        assert sorted(t.name for t in project.themes()) == ["CodeBook", "Variables", "xsd:element name"]


@pytest.mark.parametrize("name", ["atlasti-23-blank.qdpx", "atlasti-23-target.qdpx", "maxqda-24-ten-sources.qdpx"])
def test_samples_survive_export_again(tmp_path, name):
    from test_refi_support import validate_qdpx
    from tui.formats.refi import export_qdpx

    project, _ = import_into_new(tmp_path / "p.margin", sample(name))
    with project:
        validate_qdpx(export_qdpx(project, tmp_path / "again.qdpx"))


def test_maxqda_sets_are_reported_as_skipped(tmp_path):
    project, report = import_into_new(tmp_path / "p.margin", sample("maxqda-24-ten-sources.qdpx"))
    with project:
        assert "2 sets (margin keeps no sets of codes or sources)" in report.skipped
