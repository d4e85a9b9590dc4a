"""Header lines are not speakers: Date:, Setting:, Note: ... and labels the user names."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import docx
import pytest

from tui import cli
from tui.formats.transcripts import HEADER_WORDS, parse_text, read_transcript
from tui.formats.transcripts.speakers import not_speaker

HEADER = (
    "Date: 4 March 2026\n"
    "Duration: 41 minutes\n"
    "Setting: the ward office\n"
    "Location: St Anne's\n"
    "Time: 14:05\n"
    "Interview: 3 of 12\n"
    "Transcript: verbatim\n"
    "Recording: audio only\n"
    "Note: names changed\n"
)
BODY = "Interviewer: How was it?\nP07: Fine, mostly.\nObserver: (writes)\nP07: Really.\n"


def turns(lines) -> list[tuple[str | None, bool]]:
    return [(l.speaker, l.turn_start) for l in lines]


@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_header_lines_start_no_turn(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"p07.{fmt}"
    path.write_text(HEADER + "\n" + BODY)
    parsed = read_transcript(path)
    assert turns(parsed.lines[:9]) == [(None, False)] * 9
    assert turns(parsed.lines[9:]) == [("Interviewer", True), ("P07", True), ("Observer", True), ("P07", True)]
    assert parsed.participant == "P07"
    # a header label inside the interview is no one's line, and the turn goes on after it
    parsed = parse_text("P07: one\nNote: phone rang\nand two\n")
    assert turns(parsed.lines) == [("P07", True), (None, False), ("P07", False)]


def test_markdown_bold_header_labels(tmp_path: Path) -> None:
    path = tmp_path / "p07.md"
    path.write_text("**Date:** 4 March\n**Setting**: office\n**P07:** Hello.\n")
    assert turns(read_transcript(path).lines) == [(None, False), (None, False), ("P07", True)]


def test_not_speakers_named_by_the_user(tmp_path: Path) -> None:
    path = tmp_path / "p07.txt"
    path.write_text(BODY)
    parsed = read_transcript(path, not_speakers=["observer "])
    assert turns(parsed.lines) == [("Interviewer", True), ("P07", True), (None, False), ("P07", True)]
    # a name is matched whole, not by its first word
    parsed = read_transcript(path, not_speakers=["Obs"])
    assert ("Observer", True) in turns(parsed.lines)


def test_docx_header_paragraphs_and_not_speakers(tmp_path: Path) -> None:
    document = docx.Document()
    for text in HEADER.strip().split("\n") + BODY.strip().split("\n"):
        document.add_paragraph(text)
    table = document.add_table(rows=2, cols=2)
    for row, texts in zip(table.rows, [("Observer", "(nods)"), ("P07", "Yes.")]):
        for cell, text in zip(row.cells, texts):
            cell.text = text
    path = tmp_path / "p07.docx"
    document.save(path)
    parsed = read_transcript(path, not_speakers=["OBSERVER"])
    assert turns(parsed.lines) == [(None, False)] * 9 + [
        ("Interviewer", True), ("P07", True), (None, False), ("P07", True), (None, False), ("P07", True)
    ]


def test_zoom_header_cue_is_not_a_speaker(tmp_path: Path) -> None:
    path = tmp_path / "z.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nNote: recording started\n\n"
        "00:00:03.000 --> 00:00:04.000\nAda Lund: Hello.\n\n"
        "00:00:05.000 --> 00:00:06.000\nHelper: Hi.\n"
    )
    parsed = read_transcript(path, not_speakers=["helper"])
    assert [(l.speaker, l.text) for l in parsed.lines] == [
        (None, "Note: recording started"),
        ("Ada Lund", "Ada Lund: Hello."),
        (None, "Helper: Hi."),
    ]


def test_the_documented_list() -> None:
    for word in ("date", "duration", "setting", "note", "location", "time", "interview", "transcript", "recording"):
        assert word in HEADER_WORDS
    assert not_speaker("Date of interview") and not_speaker("  NOTE ")
    assert not not_speaker("Interviewer") and not not_speaker("P07") and not not_speaker("")
    assert not_speaker("Dr  Who", ["dr who"]) and not not_speaker("Dr Who", ["Dr"])


def test_cli_not_speaker_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "s.margin"
    assert cli.main(["new", str(project), "--coder", "VR"]) == 0
    source = tmp_path / "p07.txt"
    source.write_text("Date: today\nObserver: notes\nInterviewer: Hi?\nP07: Hello.\n")
    code = cli.main(["import", str(project), str(source), "--not-speaker", "Observer", "--not-speaker", "Other", "--coder", "VR"])
    assert code == 0, capsys.readouterr().err
    # read back the file itself, as another program would
    with sqlite3.connect(project) as db:
        stored = db.execute("SELECT speaker, turn_start FROM lines ORDER BY number").fetchall()
    assert stored == [(None, 0), (None, 0), ("Interviewer", 1), ("P07", 1)]
