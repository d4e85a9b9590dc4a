"""Privacy: pseudonymise replaces a name everywhere and keeps every line's place; deleted text is
purged from the history when a session ends (item 11)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.reliability.conftest import build_study, run
from tui.project import Project
from tui.project.privacy import occurrences, pseudonymise, purge_deleted

NAME = "Marta Quell"


def everything(path: Path) -> str:
    """Every text value of every table, and the file's raw bytes, as one string."""
    conn = sqlite3.connect(path)
    parts = []
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        for row in conn.execute(f'SELECT * FROM "{table}"'):
            parts += [str(v) for v in row if isinstance(v, (str, bytes))]
    conn.close()
    return "\n".join(parts) + path.read_bytes().decode("utf-8", "replace")


def test_pseudonymise_replaces_a_name_everywhere_and_keeps_lines(tmp_path: Path) -> None:
    path = tmp_path / "study.margin"
    project = build_study(path)
    project.add_memo(f"After talking to {NAME}", f"{NAME} was nervous", transcript_id=1)
    before_lines = [(l.number) for l in project.lines(1)]
    codings = [(c.first_line, c.last_line, c.theme_id) for c in project.codings()]
    counts = pseudonymise(project, NAME, "P07")
    assert counts["transcript text"] == 4
    assert counts["speaker labels"] >= 2  # each line of a turn carries its speaker
    assert counts["history"] >= 1
    assert counts["memos"] == 2
    assert counts["participants"] == 1
    assert counts["notes"] == 1
    assert [l.number for l in project.lines(1)] == before_lines
    assert [(c.first_line, c.last_line, c.theme_id) for c in project.codings()] == codings
    text = project.transcript_text(1)
    for line in project.lines(1):
        assert text[line.start:line.end] == line.text
    assert project.lines(1, 2, 2)[0].speaker == "P07"
    assert project.search_lines("Quell") == []
    assert project.search_lines("P07") != []
    assert project.check() == [] or all("file mode" in p for p in project.check())
    assert occurrences(project, [NAME]) == []
    project.close()
    assert NAME not in everything(path)
    assert "Quell" not in everything(path)


def test_pseudonymise_refuses_a_pseudonym_holding_the_name(tmp_path: Path) -> None:
    project = build_study(tmp_path / "s.margin")
    with pytest.raises(Exception, match="contains the name"):
        pseudonymise(project, "Marta", "Marta P07")
    project.close()


def test_check_privacy_lists_remaining_occurrences(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", study, "--privacy", NAME, "Nobody Here")
    assert code == 1
    assert f"'{NAME}': 4 in transcript text" in out
    assert "speaker labels" in out and "search index (the word 'quell')" in out and "notes" in out
    assert "'Nobody Here'" not in out
    assert "Honestly" not in out  # places and counts, never interview text


def test_the_pseudonymise_command_reports_what_it_replaced(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "pseudonymise", study, NAME, "P07")
    assert code == 0, err
    assert "replaced 'Marta Quell' with P07" in out and "4 in transcript text" in out and "cannot be undone" in out
    code, out, err = run(capsys, "check", study, "--privacy", NAME)
    assert code == 0, out + err
    assert "no occurrence" in out


def test_renaming_a_participant_says_exactly_what_it_changed(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "participant", study, "Interview 7", "P07", "--rename")
    assert code == 0, err
    assert "in every transcript" not in out
    assert "the transcripts' text and speaker labels were not changed" in out
    assert "'Marta Quell' still occurs" in out and "transcript text" in out
    assert f"margin pseudonymise {study} 'Marta Quell' P07" in out


def test_a_deleted_note_stays_undoable_in_its_session_and_is_purged_after(tmp_path: Path) -> None:
    path = tmp_path / "study.margin"
    project = build_study(path)
    note = project.add_note(1, 4, 4, "conceptual", "Secret reflection about the ward")
    project.delete_note(note.id)
    project.undo()  # still undoable in the session
    assert [n.body for n in project.notes(1)][-1] == "Secret reflection about the ward"
    project.delete_note(note.id)
    project.close()
    with Project.open(path) as reopened:  # the next session purges
        assert reopened.check() == [] or all("file mode" in p for p in reopened.check())
        reopened.undo()  # whatever undo reaches now, it never brings the purged note back
        assert "Secret" not in str(reopened.notes(1))
    assert "Secret reflection" not in everything(path)


def test_a_deleted_theme_leaves_no_name_in_the_history(tmp_path: Path) -> None:
    path = tmp_path / "study.margin"
    project = build_study(path)
    theme = project.find_theme("Standing in the corner")
    project.delete_theme(theme.id)
    assert purge_deleted(project) >= 1
    project.close()
    assert "Standing in the corner" not in everything(path)


def test_a_window_keeps_its_undo_while_a_command_runs(tmp_path: Path) -> None:
    path = tmp_path / "study.margin"
    window = build_study(path)
    window.lock()
    note = window.add_note(1, 4, 4, "conceptual", "Kept for undo")
    window.delete_note(note.id)
    Project.open(path).close()  # a command during the session purges nothing
    assert window.undo() is not None
    assert "Kept for undo" in [n.body for n in window.notes(1)]
    window.close()


def test_a_theme_merged_into_another_keeps_its_name_in_the_history(tmp_path: Path) -> None:
    """A merge is analysis, not a wish to forget: how a theme came to be must survive the purge."""
    path = tmp_path / "study.margin"
    project = build_study(path)
    transcript = project.transcripts()[0]
    project.tag_by_name(transcript.id, 3, 3, "Part of the team")
    project.tag_by_name(transcript.id, 4, 4, "A chance to belong")
    source = project.find_theme("Standing in the corner")
    into = project.find_theme("Part of the team")
    project.merge(source.id, into.id)
    project.delete_theme(project.find_theme("A chance to belong").id)
    assert purge_deleted(project) >= 1  # the deleted theme is purged...
    project.close()
    text = everything(path)
    assert "A chance to belong" not in text
    assert "merge Standing in the corner into Part of the team" in text  # ...the merged one is not
