"""REFI-QDA export: .qdpx and .qdc valid against the official schemas, with margin's data in them."""

from __future__ import annotations

import os
import stat
import zipfile
from xml.etree import ElementTree as ET

import pytest

from test_refi_support import build_study, schema, validate_qdpx
from tui.formats.output import Cancelled, ExportError
from tui.formats.refi import export_qdc, export_qdpx
from tui.formats.refi.convention import split_tag, with_tag
from tui.project import Project

NS = {"q": "urn:QDA-XML:project:1.0", "c": "urn:QDA-XML:codebook:1.0"}


@pytest.fixture
def study(tmp_path):
    project = build_study(tmp_path / "study.margin")
    yield project
    project.close()


def _qde(path) -> ET.Element:
    with zipfile.ZipFile(path) as archive:
        return ET.fromstring(archive.read("project.qde"))


def test_qdpx_is_valid_and_holds_sources_in_lowercase_folder(study, tmp_path):
    out = export_qdpx(study, tmp_path / "study.qdpx")
    validate_qdpx(out)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert names[0] == "project.qde"
        sources = [n for n in names if n != "project.qde"]
        assert len(sources) == 2 and all(n.startswith("sources/") and n.endswith(".txt") for n in sources)
        for transcript in study.transcripts():
            data = archive.read(f"sources/{transcript.guid}.txt")
            assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
            assert data.decode("utf-8") == study.transcript(transcript.id).text
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_selections_are_code_point_offsets_of_whole_lines(study, tmp_path):
    root = _qde(export_qdpx(study, tmp_path / "study.qdpx"))
    t7 = next(t for t in study.transcripts() if t.title == "Interview 7")
    text = study.transcript(t7.id).text
    source = root.find(f"q:Sources/q:TextSource[@guid='{t7.guid}']", NS)
    assert source is not None and source.get("richTextPath") is None
    assert source.get("plainTextPath") == f"internal://{t7.guid}.txt"
    themes = {t.guid: t for t in study.themes()}
    coded = {}
    for selection in source.findall("q:PlainTextSelection", NS):
        coding = selection.find("q:Coding", NS)
        if coding is None:
            continue
        theme = themes[coding.find("q:CodeRef", NS).get("targetGUID")]
        coded[theme.name] = text[int(selection.get("startPosition")):int(selection.get("endPosition"))]
        assert coding.get("creatingUser") == study.coders()[0].guid
    lines = study.lines(t7.id)
    # A coding of lines 2-4 runs from line 2's start to line 4's end.
    assert coded["Standing in the corner"] == text[lines[1].start:lines[3].end]
    assert "[laughs]" in coded["Standing in the corner"]
    # Code points, not UTF-16 units: the emoji counts one, so the selection ends exactly at the line's end.
    assert coded["A chance to belong"] == "felt like a chance to belong 🙂 somewhere."
    assert coded["Part of the team"].endswith("part of the team.")


def test_codes_keep_tree_levels_colours_and_folders(study, tmp_path):
    root = _qde(export_qdpx(study, tmp_path / "study.qdpx"))
    codes = root.find("q:CodeBook/q:Codes", NS)
    top = codes.findall("q:Code", NS)
    assert [c.get("name") for c in top] == ["Belonging <b>"]
    get = top[0]
    assert get.get("isCodable") == "false"  # children and no codings of its own: a folder
    assert get.get("color") == "#33AA77"
    tags, description = split_tag(get.find("q:Description", NS).text)
    assert tags == {"level": "get"} and description == "Becoming one of the team"
    pets = {c.get("name"): c for c in get.findall("q:Code", NS)}
    assert pets["Outsider on the ward"].get("isCodable") == "true"  # coded directly
    assert pets["Fear of exposure"].get("isCodable") == "false"
    pet_tags, _ = split_tag(pets["Fear of exposure"].find("q:Description", NS).text)
    p09 = study.find_participant("P09")
    assert pet_tags == {"level": "pet", "case": p09.guid}
    leaf = pets["Fear of exposure"].find("q:Code", NS)
    assert leaf.get("isCodable") == "true" and split_tag(leaf.find("q:Description", NS).text)[0]["level"] == "statement"
    # The memo on the GET hangs from its Code.
    memo = next(m for m in study.memos() if m.title == "On belonging")
    assert get.find("q:NoteRef", NS).get("targetGUID") == memo.guid


def test_cases_variables_notes_and_memos(study, tmp_path):
    root = _qde(export_qdpx(study, tmp_path / "study.qdpx"))
    variables = {v.get("guid"): v.get("name") for v in root.findall("q:Variables/q:Variable", NS)}
    assert sorted(variables.values()) == ["site", "year"]
    cases = {c.get("name"): c for c in root.findall("q:Cases/q:Case", NS)}
    assert set(cases) == {"P07", "P09"}
    p7 = cases["P07"]
    values = {variables[v.find("q:VariableRef", NS).get("targetGUID")]: v.find("q:TextValue", NS).text
              for v in p7.findall("q:VariableValue", NS)}
    assert values == {"year": "4", "site": "paediatrics"}
    t7 = next(t for t in study.transcripts() if t.title == "Interview 7")
    assert [s.get("targetGUID") for s in p7.findall("q:SourceRef", NS)] == [t7.guid]
    notes = {n.get("guid"): n for n in root.findall("q:Notes/q:Note", NS)}
    note = study.notes(t7.id)[0]
    line = study.lines(t7.id, note.first_line, note.first_line)[0]
    assert split_tag(notes[note.guid].find("q:Description", NS).text)[0] == {"note": "conceptual",
                                                                             "at": f"{line.start}-{line.end}"}
    anchored = root.findall(f"q:Sources/q:TextSource/q:NoteRef[@targetGUID='{note.guid}']", NS)
    assert len(anchored) == 1
    # Every selection holds a coding: some readers stop at a selection without one.
    assert all(s.find("q:Coding", NS) is not None for s in root.iter(f"{{{NS['q']}}}PlainTextSelection"))
    journal = next(m for m in study.memos() if m.title == "First reading")
    assert [r.get("targetGUID") for r in root.findall("q:NoteRef", NS)] == [journal.guid]
    on_transcript = next(m for m in study.memos() if m.title == "Interview 7 context")
    source = root.find(f"q:Sources/q:TextSource[@guid='{t7.guid}']", NS)
    assert [r.get("targetGUID") for r in source.findall("q:NoteRef", NS)] == [note.guid, on_transcript.guid]
    on_case = next(m for m in study.memos() if m.title == "P09 case")
    assert split_tag(notes[on_case.guid].find("q:Description", NS).text)[0]["participant"] == study.find_participant("P09").guid
    assert root.find("q:Description", NS).text == with_tag({"method": "ipa"})


def test_every_guid_is_the_rows_own(study, tmp_path):
    qde = validate_qdpx(export_qdpx(study, tmp_path / "study.qdpx"))
    for row in [*study.themes(), *study.participants(), *study.transcripts(), *study.codings(), *study.coders(),
                *study.memos()]:
        assert f'"{row.guid}"' in qde


def test_qdc_is_valid_codebook(study, tmp_path):
    out = export_qdc(study, tmp_path / "codes.qdc")
    schema("codebook").validate(str(out))
    root = ET.parse(out).getroot()
    names = [c.get("name") for c in root.iter(f"{{{NS['c']}}}Code")]
    assert sorted(names) == sorted(t.name for t in study.themes())
    assert "<Sets" not in out.read_text()


def test_empty_project_exports_without_empty_collections(tmp_path):
    with Project.create(tmp_path / "empty.margin") as project:
        out = export_qdpx(project, tmp_path / "empty.qdpx")
        qde = validate_qdpx(out)
        for empty in ("<Codes", "<Sources", "<Sets", "<Users", "<Cases", "<Notes"):
            assert empty not in qde
        with pytest.raises(ExportError, match="no themes"):
            export_qdc(project, tmp_path / "empty.qdc")
        assert not (tmp_path / "empty.qdc").exists()


def test_control_characters_and_markup_in_names_stay_valid(tmp_path):
    with Project.create(tmp_path / "odd.margin") as project:
        project.create_theme("bell\x07 & <i>odd</i> ]]>", description="[margin:level=get] looks like a tag")
        qde = validate_qdpx(export_qdpx(project, tmp_path / "odd.qdpx"))
        assert "&lt;i&gt;" in qde and "\x07" not in qde


def test_refuses_to_overwrite_and_cancel_leaves_nothing(study, tmp_path):
    target = tmp_path / "study.qdpx"
    target.write_bytes(b"keep me")
    with pytest.raises(ExportError, match="already exists"):
        export_qdpx(study, target)
    assert target.read_bytes() == b"keep me"
    seen = []
    calls = iter([False, False, True, True, True, True])
    with pytest.raises(Cancelled):
        export_qdpx(study, target, force=True, progress=lambda d, t: seen.append((d, t)), cancelled=lambda: next(calls))
    assert target.read_bytes() == b"keep me"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    export_qdpx(study, target, force=True, progress=lambda d, t: seen.append((d, t)))
    validate_qdpx(target)
    assert seen and seen[-1][0] == seen[-1][1]


def test_codings_without_a_coder_get_a_stand_in_user_and_come_back_without_one(tmp_path):
    from test_refi_support import add_transcript
    from tui.formats.refi import import_into_new
    from tui.formats.refi.write import UNKNOWN_CODER

    with Project.create(tmp_path / "n.margin", method="ta") as project:  # no coder set
        t = add_transcript(project, "T", "P01: words here\n", "P01")
        project.tag(t.id, 1, 1, project.create_theme("code", level="code").id)
        assert project.codings()[0].coder_id is None
        out = export_qdpx(project, tmp_path / "n.qdpx")
        root = _qde(out)
        users = [u.get("guid") for u in root.findall("q:Users/q:User", NS)]
        assert users == [UNKNOWN_CODER]
        assert root.find(".//q:PlainTextSelection", NS).get("creatingUser") == UNKNOWN_CODER
    back, _ = import_into_new(tmp_path / "b.margin", out)
    with back:
        assert back.coders() == [] and back.codings()[0].coder_id is None
