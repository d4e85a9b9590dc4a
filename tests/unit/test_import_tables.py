"""Word tables read by their columns: time, speaker, words; header rows; merged cells."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest

from tui.formats.transcripts import DEFAULT_WIDTH, TranscriptError, read_transcript
from tui.project import Line

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "import"


def rows(lines: list[Line]) -> list[tuple[str | None, bool, int, str | None, str]]:
    return [(l.speaker, l.turn_start, l.label_length, l.timestamp, l.text) for l in lines]


def exact(text: str, lines: list[Line]) -> None:
    assert lines, "no lines"
    for line in lines:
        assert line.text == text[line.start : line.end]
        assert 0 < len(line.text) <= DEFAULT_WIDTH


def write_docx(tmp_path: Path, tables: list[list[tuple[str, ...]]], paragraphs: tuple[str, ...] = ()) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    for cells in tables:
        table = document.add_table(rows=len(cells), cols=len(cells[0]))
        for row, texts in zip(table.rows, cells):
            for cell, text in zip(row.cells, texts):
                cell.text = text
    path = tmp_path / "t.docx"
    document.save(path)
    return path


def test_service_table_with_header_row_and_merged_cells() -> None:
    parsed = read_transcript(SAMPLES / "service_table.docx")
    assert parsed.participant == "P04"
    assert rows(parsed.lines) == [
        (None, False, 0, None, "Interview 4, community pharmacy"),
        # header lines are no one's turn
        (None, False, 0, None, "Date: 4 March 2026"),
        (None, False, 0, None, "Duration: 38 minutes"),
        (None, False, 0, None, "Setting: Back office of the pharmacy"),
        (None, False, 0, None, "Note: All names are pseudonyms."),
        # the header row "Time | Speaker | Text" is not a line
        ("Interviewer", True, 13, "00:00:05", "Interviewer: Thanks for making time. How long have you worked here?"),
        ("P04", True, 5, "00:00:11", "P04: Six years this spring."),
        # the speaker cell merged down (vMerge): the turn goes on, with this row's own time
        ("P04", False, 0, "00:00:19", "Before that, a chain store in town."),
        # a second paragraph in the words cell: same turn, same time
        ("P04", False, 0, "00:00:19", "It was busier but quieter, if that makes sense."),
        # a cell across all three columns (gridSpan) is words, once
        ("P04", False, 0, None, "[Recording paused for a delivery]"),
        ("Interviewer", True, 13, "00:12:10", "Interviewer: Anything you would change?"),
        # the time cell merged down: the second row keeps the time
        ("P04", True, 5, "00:12:10", "P04: The dispensary layout, honestly."),
    ]
    exact(parsed.text, parsed.lines)
    assert "Time" not in parsed.text and "00:" not in parsed.text


def test_two_and_three_column_tables() -> None:
    parsed = read_transcript(SAMPLES / "tables.docx")
    assert rows(parsed.lines) == [
        (None, False, 0, None, "Transcript: follow-up call with P06"),
        # time | speaker | words without a header: the example
        ("Interviewer", True, 13, "00:12:10", "Interviewer: Anything you would change?"),
        ("P06", True, 5, "00:12:14", "P06: More time with people, less with boxes."),
        ("Interviewer", True, 13, None, "Interviewer: And the team?"),
        # speaker | words, a colon or not after the name
        ("Interviewer", True, 13, None, "Interviewer: How do the shifts work?"),
        ("P06", True, 5, None, "P06: Mornings mostly. Two of us until ten."),
        # a header word in the speaker column is no speaker
        (None, False, 0, None, "Location: Staff room, door open"),
        # header row Speaker | Text
        ("Facilitator", True, 13, None, "Facilitator: Shall we stop there?"),
        # time | words: the words are searched for labels as any paragraph is
        ("Interviewer", True, 13, "00:20:01", "Interviewer: Last question, then."),
        ("P06", True, 5, "01:00:05", "P06: Go on."),
    ]
    exact(parsed.text, parsed.lines)


def test_timestamp_on_every_wrapped_line_of_a_row(tmp_path: Path) -> None:
    words = "and then " * 20 + "we stopped."
    parsed = read_transcript(write_docx(tmp_path, [[("00:01:02.5", "P02", words), ("00:02:00", "Interviewer", "Why?")]]))
    assert len(parsed.lines) > 3
    assert [l.timestamp for l in parsed.lines] == ["00:01:02.500"] * (len(parsed.lines) - 1) + ["00:02:00"]
    assert [l.turn_start for l in parsed.lines].count(True) == 2
    exact(parsed.text, parsed.lines)


def test_times_that_are_not_times_make_no_time_column(tmp_path: Path) -> None:
    # 61 seconds is not a time; the table is then speaker-less text, read as before
    parsed = read_transcript(write_docx(tmp_path, [[("00:01:61", "P02", "Hello."), ("00:02:00", "P02", "Again.")]]))
    assert [l.text for l in parsed.lines] == ["00:01:61 | P02 | Hello.", "00:02:00 | P02 | Again."]
    assert all(l.timestamp is None for l in parsed.lines)


@pytest.mark.parametrize(
    "cell, stamp",
    [("12:10", "00:12:10"), ("[00:12:10]", "00:12:10"), ("(1:02:03)", "01:02:03"), ("00:00:01,25", "00:00:01.250")],
)
def test_time_cells_are_normalised(tmp_path: Path, cell: str, stamp: str) -> None:
    parsed = read_transcript(write_docx(tmp_path, [[(cell, "P02", "Yes.")]]))
    assert rows(parsed.lines) == [("P02", True, 5, stamp, "P02: Yes.")]


def test_a_table_that_is_not_a_transcript_is_one_line_per_row(tmp_path: Path) -> None:
    long = "This first cell is a long sentence, not a speaker label at all."
    parsed = read_transcript(write_docx(tmp_path, [[(long, "b"), ("c", "d")]]))
    assert [(l.speaker, l.text) for l in parsed.lines] == [(None, f"{long} | b"), (None, "c | d")]


def test_speaker_cell_without_words_is_a_label_alone(tmp_path: Path) -> None:
    parsed = read_transcript(write_docx(tmp_path, [[("Interviewer", "Go on."), ("P03", ""), ("", "It was fine.")]]))
    assert rows(parsed.lines) == [
        ("Interviewer", True, 13, None, "Interviewer: Go on."),
        ("P03", True, 4, None, "P03:"),
        ("P03", False, 0, None, "It was fine."),
    ]


def test_speaker_column_after_the_words_is_not_one(tmp_path: Path) -> None:
    parsed = read_transcript(write_docx(tmp_path, [[("A long answer here.", "P03")]]))
    assert rows(parsed.lines) == [(None, False, 0, None, "A long answer here. | P03")]


def test_grid_before_shifts_the_columns(tmp_path: Path) -> None:
    path = write_docx(tmp_path, [[("00:00:01", "P05", "First."), ("00:00:02", "P05", "Second.")]])
    # drop the first cell of the second row and say so with w:gridBefore
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    xml = files["word/document.xml"].decode()
    second_row = xml.index("<w:tr", xml.index("<w:tr") + 1)
    first_cell = xml.index("<w:tc>", second_row)
    cell_end = xml.index("</w:tc>", first_cell) + len("</w:tc>")
    xml = xml[:second_row] + xml[second_row:first_cell].replace(
        ">", '><w:trPr><w:gridBefore w:val="1"/></w:trPr>', 1
    ) + xml[cell_end:]
    files["word/document.xml"] = xml.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    parsed = read_transcript(path)
    assert rows(parsed.lines) == [
        ("P05", True, 5, "00:00:01", "P05: First."),
        ("P05", True, 5, None, "P05: Second."),
    ]


def test_zip_bomb_guard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tui.formats.transcripts.docx as word

    path = SAMPLES / "tables.docx"
    with zipfile.ZipFile(path) as archive:
        size = sum(info.file_size for info in archive.infolist())
    monkeypatch.setattr(word, "MAX_UNZIPPED_BYTES", size - 1)
    with pytest.raises(TranscriptError) as err:
        read_transcript(path)
    assert str(err.value).startswith("tables.docx: file too large (1 MB unzipped, limit 0 MB)")
    monkeypatch.setattr(word, "MAX_UNZIPPED_BYTES", size)
    assert read_transcript(path).lines


@pytest.mark.parametrize(
    "cell, stamp",
    [("00:00:59", "00:00:59"), ("1:59:00", "01:59:00"), ("00:00:60", None), ("1:60:00", None), ("75:10", "00:75:10")],
)
def test_time_cell_limits(cell: str, stamp: str | None) -> None:
    from tui.formats.transcripts.docx import _time

    assert _time(cell) == stamp
