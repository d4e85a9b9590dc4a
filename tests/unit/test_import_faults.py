"""Faults a mutation probe made in transcript reading that no test noticed before (issue 6, item 9)."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.formats.transcripts import Paragraph, read_transcript, wrap_lines


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail, instead of hanging, if the block runs longer than `seconds`."""
    def expired(signum, frame):  # noqa: ANN001
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8"))
    return path


# --------------------------------------------------------------------------- Word


def test_tracked_deletions_are_not_text(tmp_path: Path) -> None:
    from docx.oxml import parse_xml

    document = docx.Document()
    paragraph = document.add_paragraph("P02: We kept it")
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    # a deletion holding a run with text, a tab and a break (some tools write w:t inside w:del)
    paragraph._p.append(parse_xml(
        f'<w:del {ns} w:id="7" w:author="T"><w:r><w:t> secret</w:t><w:tab/><w:br/>'
        f'<w:delText> gone</w:delText></w:r></w:del>'
    ))
    paragraph._p.append(parse_xml(f'<w:ins {ns} w:id="8" w:author="T"><w:r><w:t> going.</w:t></w:r></w:ins>'))
    path = tmp_path / "d.docx"
    document.save(path)
    parsed = read_transcript(path)
    assert parsed.text == "P02: We kept it going."


def test_moved_text_is_read_once_and_field_codes_not_at_all(tmp_path: Path) -> None:
    from docx.oxml import parse_xml

    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    paragraph = document.add_paragraph("P02: first")
    paragraph._p.append(parse_xml(f'<w:moveFrom {ns} w:id="1" w:author="T"><w:r><w:t> moved</w:t></w:r></w:moveFrom>'))
    paragraph._p.append(parse_xml(f'<w:r {ns}><w:instrText> PAGE </w:instrText><w:t> then</w:t></w:r>'))
    paragraph._p.append(parse_xml(f'<w:moveTo {ns} w:id="2" w:author="T"><w:r><w:t> moved</w:t></w:r></w:moveTo>'))
    paragraph._p.append(parse_xml(f'<w:r {ns}><w:noBreakHyphen/><w:t>ok</w:t><w:cr/><w:t>next</w:t></w:r>'))
    path = tmp_path / "m.docx"
    document.save(path)
    assert read_transcript(path).text == "P02: first then moved-ok\nnext"


def test_page_breaks_are_not_line_breaks(tmp_path: Path) -> None:
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    paragraph = document.add_paragraph("P02: one")
    paragraph.add_run().add_break(WD_BREAK.PAGE)
    paragraph.add_run("two")
    path = tmp_path / "p.docx"
    document.save(path)
    assert read_transcript(path).text == "P02: onetwo"


# --------------------------------------------------------------------------- subtitles


@pytest.mark.parametrize("ending", ["", "\n", "\n\n\n", "\r\n"])
def test_last_cue_is_kept_however_the_file_ends(tmp_path: Path, ending: str) -> None:
    srt = "1\n00:00:01,000 --> 00:00:02,000\nP01: First.\n\n2\n00:00:03,000 --> 00:00:04,000\nInterviewer: Last." + ending
    parsed = read_transcript(write(tmp_path, "a.srt", srt))
    assert [l.text for l in parsed.lines] == ["P01: First.", "Interviewer: Last."]
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v P01>First.\n\n00:00:03.000 --> 00:00:04.000\n<v Ann>Last." + ending
    parsed = read_transcript(write(tmp_path, "a.vtt", vtt))
    assert [(l.speaker, l.timestamp) for l in parsed.lines] == [("P01", "00:00:01.000"), ("Ann", "00:00:03.000")]


@pytest.mark.parametrize("kind", ["NOTE", "NOTE removed for privacy:", "STYLE", "REGION"])
def test_vtt_note_style_and_region_blocks_are_not_speech(tmp_path: Path, kind: str) -> None:
    # a cue "commented out" with NOTE still has its timing line second
    vtt = (
        "WEBVTT\n\n"
        f"{kind}\n00:00:05.000 --> 00:00:09.000\nP01: my home address\n\n"
        "00:00:10.000 --> 00:00:11.000\nP01: Shall we go on?\n"
    )
    parsed = read_transcript(write(tmp_path, "n.vtt", vtt))
    assert [l.text for l in parsed.lines] == ["P01: Shall we go on?"]


def test_vtt_header_block_is_skipped_only_at_the_top(tmp_path: Path) -> None:
    vtt = "WEBVTT - a title\nKind: captions\n\n00:00:01.000 --> 00:00:02.000\nWEBVTT is a format.\n"
    assert [l.text for l in read_transcript(write(tmp_path, "h.vtt", vtt)).lines] == ["WEBVTT is a format."]


def test_vtt_cue_identifier_and_settings(tmp_path: Path) -> None:
    vtt = "WEBVTT\n\nintro\n00:01.500 --> 00:02.000 align:start\n<v.loud Ann Lee>Hi &amp; welcome</v>\n"
    (line,) = read_transcript(write(tmp_path, "c.vtt", vtt)).lines
    assert (line.speaker, line.text, line.timestamp) == ("Ann Lee", "Ann Lee: Hi & welcome", "00:00:01.500")


def test_srt_block_without_a_timing_is_skipped(tmp_path: Path) -> None:
    srt = "1\nno timing here\n\n2\n00:00:01,000 --> 00:00:02,000\nP01: Yes.\n\n3\n00:00:0x,000 --> 1\nP01: No.\n"
    assert [l.text for l in read_transcript(write(tmp_path, "s.srt", srt)).lines] == ["P01: Yes."]


# --------------------------------------------------------------------------- the hard cut at tiny widths


def test_combining_accent_at_width_one_ends_and_stays_exact() -> None:
    text = "e\u0301"
    with deadline(2):
        lines = wrap_lines(text, [Paragraph(0, len(text))], 1)
    assert [l.text for l in lines] == ["e", "\u0301"]
    assert all(l.text == text[l.start : l.end] for l in lines)


@pytest.mark.parametrize(
    "text, width, expected",
    [
        ("abc\u0301d", 3, ["ab", "c\u0301d"]),
        # a cluster wider than the width is cut, as little as it can be
        ("ab\u0301\u0302cd", 2, ["a", "b\u0301", "\u0302c", "d"]),
        ("a\u200d\u200db", 2, ["a\u200d", "\u200db"]),
        ("abc\U0001f44d\U0001f3fdx", 4, ["abc", "\U0001f44d\U0001f3fdx"]),
        ("\u0301\u0301\u0301", 2, ["\u0301\u0301", "\u0301"]),
    ],
)
def test_hard_cut_keeps_clusters_together_when_it_can(text: str, width: int, expected: list[str]) -> None:
    with deadline(2):
        lines = wrap_lines(text, [Paragraph(0, len(text))], width)
    assert [l.text for l in lines] == expected


_CLUSTERS = st.lists(
    st.sampled_from(["e", "\u0301", "\u0302", "\u200d", "\U0001f44d", "\U0001f3fd", "x", " ", "ab"]), min_size=1, max_size=12
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_CLUSTERS, st.integers(1, 4))
def test_tiny_widths_always_end_and_stay_exact(text: str, width: int) -> None:
    with deadline(2):
        lines = wrap_lines(text, [Paragraph(0, len(text))], width)
    assert all(0 < len(l.text) <= width and l.text == text[l.start : l.end] for l in lines)
    assert "".join(l.text for l in lines) == "".join(text.split(" ")) or " " in text
    assert "".join(c for l in lines for c in l.text if not c.isspace()) == "".join(c for c in text if not c.isspace())


# --------------------------------------------------------------------------- found by the mutation tool


def test_cues_only_with_an_identifier_line_before_the_timing(tmp_path: Path) -> None:
    cue = "00:00:01.000 --> 00:00:02.000\nP01: not a cue\n\n00:00:03.000 --> 00:00:04.000\nP01: a cue\n"
    vtt = f"WEBVTT\n\nid\nsecond line\n{cue}"
    assert [l.text for l in read_transcript(write(tmp_path, "i.vtt", vtt)).lines] == ["P01: a cue"]
    srt = f"1\nsecond line\n{cue}".replace(".000", ",000")
    assert [l.text for l in read_transcript(write(tmp_path, "i.srt", srt)).lines] == ["P01: a cue"]


def test_vtt_blocks_without_a_usable_timing_are_skipped(tmp_path: Path) -> None:
    vtt = (
        "WEBVTT\n\nstray text\nmore text\n\n"
        "00:00:0x.000 --> later\nP01: bad timing\n\n"
        "00:00:03.000 --> 00:00:04.000\nP01: good\n"
    )
    assert [l.text for l in read_transcript(write(tmp_path, "t.vtt", vtt)).lines] == ["P01: good"]


def test_cues_with_no_words_or_only_a_label_add_nothing(tmp_path: Path) -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\nP01: Yes.\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\n<i></i>\n\n"
        "3\n00:00:03,000 --> 00:00:04,000\nP01:\n\n"
        "4\n00:00:04,000 --> 00:00:05,000\nP01: No.\n"
    )
    (line,) = read_transcript(write(tmp_path, "e.srt", srt)).lines
    assert line.text == "P01: Yes. No."


def test_a_voice_tag_wins_over_a_label_in_the_cue(tmp_path: Path) -> None:
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ann>Tom: said this\n"
    (line,) = read_transcript(write(tmp_path, "v.vtt", vtt)).lines
    assert (line.speaker, line.text) == ("Ann", "Ann: Tom: said this")


def test_subtitle_paragraphs_have_their_first_cue_at_their_start(tmp_path: Path) -> None:
    from tui.formats.transcripts.subtitles import _subtitle_transcript
    from tui.formats.transcripts.speakers import _subtitle_detector

    text, paragraphs = _subtitle_transcript(iter([("t1", [("Ann", "one")]), ("t2", [("Ann", "two")])]), _subtitle_detector)
    assert text == "Ann: one two"
    assert paragraphs[0].cues == ((0, "t1"), (9, "t2"))


def test_skin_tones_and_joiners_join_the_character_before() -> None:
    from tui.formats.transcripts.wrap import _joins_previous

    assert _joins_previous("\U0001f3fb") and _joins_previous("\U0001f3ff") and _joins_previous("\u200d")
    assert not _joins_previous("\U0001f3fa") and not _joins_previous("\U0001f400") and not _joins_previous("e")
    assert _joins_previous("\u0301") and _joins_previous("\u0903") and _joins_previous("\u20dd")


def test_wrap_lines_on_paragraphs_given_directly() -> None:
    text = "   \nab   \ncdef"
    # a blank paragraph gives no line; trailing whitespace is not part of a line
    lines = wrap_lines(text, [Paragraph(0, 3), Paragraph(4, 9), Paragraph(10, 14)], 3)
    assert [(l.text, l.start, l.end) for l in lines] == [("ab", 4, 6), ("cde", 10, 13), ("f", 13, 14)]
    # a line that starts before the paragraph's first cue takes that cue's time
    lines = wrap_lines("abc def ghi", [Paragraph(0, 11, cues=((4, "t1"), (8, "t2")))], 3)
    assert [l.timestamp for l in lines] == ["t1", "t1", "t2"]
