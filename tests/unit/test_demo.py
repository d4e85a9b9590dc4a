"""The bundled demo study: `build_demo` and the `margin demo` command (up to the UI)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from tui import cli
from tui.formats import demo
from tui.formats.demo import build_demo, demo_dir
from tui.project import Project, ProjectError

ROOT = Path(__file__).resolve().parents[2]
STUDY = json.loads((ROOT / "fixtures" / "demo" / "study.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real settings file."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The demo project, built once for the read-only tests of this module."""
    path = tmp_path_factory.mktemp("demo") / "demo.margin"
    project = build_demo(path)
    yield project
    project.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def span_text(project: Project, transcript_id: int, first: int, last: int) -> tuple[str, int, int]:
    """The transcript text from the start of line `first` to the end of line `last`, and those offsets."""
    lines = project.lines(transcript_id, first, last)
    assert [line.number for line in lines] == list(range(first, last + 1))
    text = project.transcript(transcript_id).text
    return text[lines[0].start : lines[-1].end], lines[0].start, lines[-1].end


def test_demo_files_are_found_in_the_checkout() -> None:
    assert (demo_dir() / "study.json").is_file()


def test_five_long_transcripts_with_their_participants(built: Project) -> None:
    transcripts = built.transcripts()
    assert len(transcripts) == 5
    pseudonyms = {p.id: p.pseudonym for p in built.participants()}
    expected = {entry["pseudonym"]: entry for entry in STUDY["participants"]}
    assert sorted(pseudonyms.values()) == sorted(expected)
    for transcript in transcripts:
        pseudonym = pseudonyms[transcript.participant_id]
        assert transcript.source == expected[pseudonym]["file"]
        assert transcript.line_count >= 150, (transcript.title, transcript.line_count)
        text = built.transcript_text(transcript.id)
        for line in built.lines(transcript.id):
            assert line.text == text[line.start : line.end]
            assert 0 < len(line.text) <= 72
    for participant in built.participants():
        assert participant.attributes == expected[participant.pseudonym]["attributes"]
    assert {t.source.rsplit(".", 1)[1] for t in transcripts} == {"txt", "docx", "vtt", "md", "srt"}


def test_theme_tree_has_gets_with_pets_with_statements(built: Project) -> None:
    themes = built.themes()
    by_id = {t.id: t for t in themes}
    children: dict[int | None, list] = {}
    for theme in themes:
        children.setdefault(theme.parent_id, []).append(theme)
    gets = [t for t in themes if t.level == "get"]
    assert len(gets) >= 2
    for get in gets:
        assert get.parent_id is None and get.participant_id is None
        assert get.description
        pets = children.get(get.id, [])
        assert pets and all(p.level == "pet" for p in pets)
        for pet in pets:
            assert pet.participant_id is not None
            statements = children.get(pet.id, [])
            assert statements and all(s.level == "statement" for s in statements)
            assert all(s.participant_id == pet.participant_id for s in statements)
    # a partial analysis: some statements are not clustered yet, but none is misplaced
    for theme in themes:
        if theme.level == "statement":
            assert theme.participant_id is not None
            assert theme.parent_id is None or by_id[theme.parent_id].level == "pet"
        if theme.level == "pet":
            assert theme.parent_id is None or by_id[theme.parent_id].level == "get"
    # PETs come from more than one participant
    assert len({t.participant_id for t in themes if t.level == "pet"}) >= 2


def _locate(project: Project, transcripts: dict[str, int], entry: dict) -> tuple[int, str, int]:
    tid = transcripts[entry["participant"]]
    text = project.transcript(tid).text
    start = text.find(entry["quote"])
    assert start >= 0, entry["quote"]
    return tid, text, start


def test_each_coding_covers_exactly_the_lines_of_its_quote(built: Project) -> None:
    transcripts = {built.participant(t.participant_id).pseudonym: t.id for t in built.transcripts()}
    themes = {t.id: t for t in built.themes()}
    stored = built.codings()
    assert len(stored) == len(STUDY["codings"]) > 0
    remaining = list(stored)
    for entry in STUDY["codings"]:
        tid, _, start = _locate(built, transcripts, entry)
        end = start + len(entry["quote"])
        match = [c for c in remaining if c.transcript_id == tid and themes[c.theme_id].name == entry["theme"]
                 and span_text(built, tid, c.first_line, c.last_line)[1] <= start]
        match = [c for c in match if span_text(built, tid, c.first_line, c.last_line)[2] >= end]
        assert match, entry
        coding = match[0]
        remaining.remove(coding)
        span, span_start, span_end = span_text(built, tid, coding.first_line, coding.last_line)
        assert entry["quote"] in span
        # no line too many: the quote touches the first and the last line of the range
        first_line, last_line = built.lines(tid, coding.first_line, coding.first_line)[0], built.lines(
            tid, coding.last_line, coding.last_line)[0]
        assert start < first_line.end and end > last_line.start
    assert remaining == []


def test_notes_are_on_the_lines_of_their_quote(built: Project) -> None:
    transcripts = {built.participant(t.participant_id).pseudonym: t.id for t in built.transcripts()}
    notes = [n for tid in transcripts.values() for n in built.notes(tid)]
    assert len(notes) == len(STUDY["notes"]) > 0
    kinds = {n.kind for n in notes}
    assert kinds == {"descriptive", "linguistic", "conceptual"}
    for entry in STUDY["notes"]:
        tid, _, _ = _locate(built, transcripts, entry)
        (note,) = [n for n in notes if n.transcript_id == tid and n.body == entry["body"].strip()]
        assert note.kind == entry["kind"]
        assert entry["quote"] in span_text(built, tid, note.first_line, note.last_line)[0]


def test_memos_and_coder(built: Project) -> None:
    assert sorted(m.title for m in built.memos()) == sorted(m["title"] for m in STUDY["memos"])
    assert all(m.body for m in built.memos())
    assert built.coder == STUDY["coder"]
    assert {c.name for c in built.coders()} == {STUDY["coder"]}
    assert built.method == "ipa"
    assert built.title == STUDY["title"]


def test_nothing_is_undoable(built: Project) -> None:
    assert built.can_undo() is False
    assert built.can_redo() is False
    states = {s for (s,) in built.conn.execute("SELECT state FROM events")}
    assert states == {"final"}


def test_the_demo_is_a_sound_private_project(built: Project) -> None:
    assert built.check() == []
    assert stat.S_IMODE(os.stat(built.path).st_mode) == 0o600
    assert [p.name for p in built.path.parent.iterdir()] == [built.path.name]  # no building file left
    assert built.search_lines("bulletin")


def test_coder_can_be_chosen(tmp_path: Path) -> None:
    with build_demo(tmp_path / "demo.margin", coder="AB") as project:
        assert project.coder == "AB"
        # the analysis itself stays the demo's coder's
        assert {c.name for c in project.coders()} == {STUDY["coder"]}


@pytest.mark.parametrize("content", [b"my real study", b""], ids=["text", "empty"])
def test_building_onto_an_existing_file_fails_without_touching_it(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "demo.margin"
    path.write_bytes(content)
    with pytest.raises(ProjectError, match="already exists"):
        build_demo(path)
    assert path.read_bytes() == content
    assert os.listdir(tmp_path) == ["demo.margin"]


def test_building_onto_an_existing_project_fails_without_touching_it(tmp_path: Path) -> None:
    path = tmp_path / "demo.margin"
    Project.create(path, coder="VR").close()
    before = digest(path)
    with pytest.raises(ProjectError, match="already exists"):
        build_demo(path)
    assert digest(path) == before


def test_a_damaged_study_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "study"
    shutil.copytree(ROOT / "fixtures" / "demo", source)
    study = json.loads((source / "study.json").read_text(encoding="utf-8"))
    study["codings"][-1]["quote"] = "words nobody ever said in this interview"
    (source / "study.json").write_text(json.dumps(study), encoding="utf-8")
    monkeypatch.setattr(demo, "demo_dir", lambda: source)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ProjectError, match="quote not found"):
        build_demo(out / "demo.margin")
    assert os.listdir(out) == []


def test_building_into_a_missing_folder_names_the_path_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "demo.margin"
    with pytest.raises(ProjectError) as raised:
        build_demo(path)
    assert str(raised.value) == f"{path}: folder {path.parent} does not exist"
    assert not path.parent.exists()


def test_margin_check_passes_on_the_demo(built: Project, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(built.path)
    capsys.readouterr()
    assert cli.main(["check", str(built.path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith(f"{built.path}: ok (") and "5 transcripts" in out
    assert digest(built.path) == before


def test_a_missing_study_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "demo_dir", lambda: tmp_path / "nowhere")
    with pytest.raises(ProjectError, match="missing or damaged"):
        build_demo(tmp_path / "demo.margin")
    assert not (tmp_path / "demo.margin").exists()


# --------------------------------------------------------------------------- margin demo (the UI stubbed)


@pytest.fixture
def app_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Replace the app with a recorder: what `margin demo` would have opened."""
    calls: list[dict] = []

    def fake_run_app(project: Project, transcript_id: int | None, *, ask_coder: bool) -> int:
        calls.append({
            "path": project.path, "coder": project.coder, "ask_coder": ask_coder,
            "codings": len(project.codings()), "transcripts": len(project.transcripts()),
        })
        project.close()
        return 0

    monkeypatch.setattr(cli, "_run_app", fake_run_app)
    monkeypatch.setattr(cli, "_require_terminal", lambda: None)  # pytest's stdin is no terminal
    return calls


def test_margin_demo_builds_then_reopens_then_rebuilds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], app_calls: list[dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli.getpass, "getuser", lambda: "ana")
    path = tmp_path / "demo.margin"
    assert cli.main(["demo", "--path", str(path)]) == 0
    assert app_calls[-1]["path"] == path
    assert app_calls[-1]["transcripts"] == 5
    assert app_calls[-1]["ask_coder"] is True  # no --coder and none saved: the app asks
    # the prompt offers the login name: the demo's fictional coder is not the one using it
    assert app_calls[-1]["coder"] == "ana" != STUDY["coder"]
    codings = app_calls[-1]["codings"]
    assert codings == len(STUDY["codings"])

    # a second run opens what is there, and says so
    with Project.open(path, coder="VR") as project:
        first = project.transcripts()[0].id
        project.tag(first, 1, 2, project.usable_themes(first)[0].id)  # a theme of that case, or cross-case
    capsys.readouterr()
    assert cli.main(["demo", "--path", str(path)]) == 0
    assert "opening the demo project" in capsys.readouterr().err
    assert app_calls[-1]["codings"] == codings + 1

    # --fresh builds it again
    assert cli.main(["demo", "--path", str(path), "--fresh", "--coder", "AB"]) == 0
    assert app_calls[-1]["codings"] == codings
    assert app_calls[-1]["coder"] == "AB"
    assert app_calls[-1]["ask_coder"] is False
    assert len(app_calls) == 3


@pytest.mark.parametrize("content", [b"my real study", b""], ids=["text", "empty"])
def test_margin_demo_fresh_never_deletes_what_is_not_a_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], app_calls: list[dict], content: bytes
) -> None:
    path = tmp_path / "thesis.margin"
    path.write_bytes(content)
    capsys.readouterr()
    assert cli.main(["demo", "--path", str(path), "--fresh"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and "not a margin project" in err
    assert path.read_bytes() == content
    assert app_calls == []


def test_margin_demo_without_fresh_refuses_what_is_not_a_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], app_calls: list[dict]
) -> None:
    path = tmp_path / "thesis.margin"
    path.write_bytes(b"my real study")
    assert cli.main(["demo", "--path", str(path)]) == 1
    assert "not a margin project" in capsys.readouterr().err
    assert path.read_bytes() == b"my real study"
    assert app_calls == []
