"""Reading transcripts: decoding, speaker turns, line wrapping, subtitles and Word files."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tokenize
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.formats import transcripts as tr
from tui.formats.transcripts import (
    DEFAULT_WIDTH,
    MAX_BYTES,
    Paragraph,
    ParsedTranscript,
    TranscriptError,
    compile_speaker_pattern,
    decode,
    is_interviewer,
    normalise_newlines,
    parse_text,
    read_transcript,
    split_paragraphs,
    wrap_lines,
)
from tui.project.model import Line

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "fixtures" / "import"


def check_lines(text: str, lines: list[Line], width: int) -> None:
    """Every invariant a list of lines must keep, whatever the input."""
    assert [line.number for line in lines] == list(range(1, len(lines) + 1))
    previous_end = 0
    for line in lines:
        assert line.text == text[line.start : line.end]
        assert 0 < len(line.text) <= width
        assert not line.text[0].isspace() and not line.text[-1].isspace()
        assert "\n" not in line.text
        assert line.start >= previous_end
        gap = text[previous_end : line.start]
        assert all(c.isspace() for c in gap), (gap, line)
        assert 0 <= line.label_length <= len(line.text)
        if not line.turn_start:
            assert line.label_length == 0
        previous_end = line.end
    assert all(c.isspace() for c in text[previous_end:])
    starts = [line.start for line in lines]
    assert starts == sorted(set(starts))
    # every non-whitespace character is in exactly one line
    in_lines = "".join(c for line in lines for c in line.text if not c.isspace())
    assert in_lines == "".join(c for c in text if not c.isspace())


def lines_of(text: str, width: int = DEFAULT_WIDTH, **kwargs) -> list[Line]:
    return wrap_lines(text, split_paragraphs(text, **kwargs), width)


# --------------------------------------------------------------------------- decoding


def test_decode_plain_utf8() -> None:
    assert decode("Interviewer: caf\u00e9 \U0001f642\n".encode(), "a.txt") == ("Interviewer: caf\u00e9 \U0001f642\n", "utf-8")


def test_decode_strips_utf8_bom() -> None:
    assert decode(b"\xef\xbb\xbfP01: hi\r\n", "a.txt") == ("P01: hi\n", "utf-8-sig")


@pytest.mark.parametrize("bom, codec", [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")])
def test_decode_utf16_with_bom(bom: bytes, codec: str) -> None:
    source = "P02: \u201cfine\u201d\r\nsecond \U0001f9d1\u200d\u2695\ufe0f\r"
    assert decode(bom + source.encode(codec), "a.txt") == ("P02: \u201cfine\u201d\nsecond \U0001f9d1\u200d\u2695\ufe0f\n", "utf-16")


def test_decode_cp1252_ellipsis_is_not_nel() -> None:
    text, encoding = decode(b"Well\x85 \x93yes\x94 \x91no\x92 caf\xe9\r\n", "old.txt")
    assert encoding == "cp1252"
    assert text == "Well\u2026 \u201cyes\u201d \u2018no\u2019 caf\u00e9\n"
    assert "\x85" not in text


def test_decode_cp1252_undefined_byte_names_offset() -> None:
    with pytest.raises(TranscriptError) as err:
        decode(b"Interviewer: ok\xe9 then \x81 more", "p04.txt")
    assert str(err.value) == "p04.txt: undecodable bytes at offset 22 (not UTF-8, UTF-16 or Windows-1252)"


def test_decode_corrupt_utf8_is_not_read_as_cp1252() -> None:
    data = "P05: caf\u00e9 and na\u00efve ".encode() + b"\xff" + b" rest"
    with pytest.raises(TranscriptError) as err:
        decode(data, "p05.txt")
    offset = data.index(b"\xff")
    assert offset == 22  # bytes, not characters: é and ï take two each
    assert str(err.value) == f"p05.txt: undecodable bytes at offset {offset} (invalid UTF-8)"


def test_decode_corrupt_utf8_after_bom_counts_the_bom() -> None:
    with pytest.raises(TranscriptError) as err:
        decode(b"\xef\xbb\xbfab\xc3", "x.md")
    assert str(err.value) == "x.md: undecodable bytes at offset 5 (invalid UTF-8)"


def test_decode_truncated_utf16() -> None:
    with pytest.raises(TranscriptError) as err:
        decode(b"\xff\xfe" + "hello".encode("utf-16-le") + b"h", "u.txt")
    assert str(err.value) == "u.txt: undecodable bytes at offset 12 (invalid UTF-16)"


@pytest.mark.parametrize(
    "data",
    [b"abc\x00def", b"\xef\xbb\xbfabc\x00", (SAMPLES / "binary.txt").read_bytes(), b"\xff\xfe" + "a\x00b".encode("utf-16-le")],
)
def test_decode_binary(data: bytes) -> None:
    with pytest.raises(TranscriptError) as err:
        decode(data, "interview.txt")
    assert str(err.value) == "interview.txt: binary file"


@pytest.mark.parametrize("data", [b"", b"  \r\n\t\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\xff\xfe \x00\n\x00", "\u2028\u3000".encode()])
def test_decode_empty(data: bytes) -> None:
    with pytest.raises(TranscriptError) as err:
        decode(data, "e.txt")
    assert str(err.value) == "e.txt: empty file"


_CODECS = {"utf-8": (0, "utf-8"), "utf-8-sig": (3, "utf-8"), "cp1252": (0, "cp1252"), "utf-16": (2, None)}


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=60) | st.text(max_size=30).map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_decode_never_replaces_characters(data: bytes) -> None:
    try:
        text, encoding = decode(data, "f.txt")
    except TranscriptError as err:
        assert str(err).startswith("f.txt: ") and "\n" not in str(err)
        return
    skip, codec = _CODECS[encoding]
    if codec is None:
        codec = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
    assert text == normalise_newlines(data[skip:].decode(codec))
    assert "\ufffd" not in text or "\ufffd" in data[skip:].decode(codec)


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), min_size=1, max_size=40).filter(lambda s: s.strip()))
def test_decode_round_trips_unicode(source: str) -> None:
    expected = normalise_newlines(source)
    if not source.startswith("\ufeff"):  # that would be a byte order mark
        assert decode(source.encode("utf-8"), "a.txt") == (expected, "utf-8")
    assert decode(b"\xef\xbb\xbf" + source.encode("utf-8"), "a.txt") == (expected, "utf-8-sig")
    assert decode(b"\xff\xfe" + source.encode("utf-16-le"), "a.txt") == (expected, "utf-16")
    assert decode(b"\xfe\xff" + source.encode("utf-16-be"), "a.txt") == (expected, "utf-16")


def test_normalise_newlines_touches_only_cr_and_lf() -> None:
    assert normalise_newlines("a\r\nb\rc\n\r\r\nd\u2028e\x85f\x0cg\x0bh") == "a\nb\nc\n\n\nd\u2028e\x85f\x0cg\x0bh"


def test_module_never_uses_splitlines_or_ui_or_sqlite() -> None:
    modules = sorted((ROOT / "tui" / "formats" / "transcripts").glob("*.py"))
    assert len(modules) >= 6
    for module in modules:
        with module.open("rb") as handle:
            names = {token.string for token in tokenize.tokenize(handle.readline) if token.type == tokenize.NAME}
        assert "splitlines" not in names, module.name
        assert not names & {"sqlite3", "sqlite_utils", "textual", "rich"}, module.name
    # the domain's public surface (for Line) opens SQLite; the UI libraries stay out
    code = (
        "import sys, tui.formats.transcripts\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# --------------------------------------------------------------------------- speaker turns


@pytest.mark.parametrize(
    "paragraph, speaker, label",
    [
        ("Interviewer: How was it?", "Interviewer", "Interviewer: "),
        ("P07: Fine.", "P07", "P07: "),
        ("Dr Smith: Go on.", "Dr Smith", "Dr Smith: "),
        ("Dr. O'Neill-Hart: Go on.", "Dr. O'Neill-Hart", "Dr. O'Neill-Hart: "),
        ("INT:\tand then?", "INT", "INT:\t"),
        ("Participant 3:   yes", "Participant 3", "Participant 3:   "),
        ("Interviewer 1: yes", "Interviewer 1", "Interviewer 1: "),
        ("interviewer: lower case role", "interviewer", "interviewer: "),
        ("Mrs van Dijk: hello", "Mrs van Dijk", "Mrs van Dijk: "),
        ("Łucja: dzień dobry", "Łucja", "Łucja: "),
        ("Q: question", "Q", "Q: "),
        ("P07 : spaced colon", "P07", "P07 : "),
        ("Interviewer:", "Interviewer", "Interviewer:"),
        ("   P02: indented", "P02", "P02: "),
    ],
)
def test_speaker_labels(paragraph: str, speaker: str, label: str) -> None:
    lines = lines_of(paragraph)
    assert lines[0].speaker == speaker
    assert lines[0].turn_start is True
    assert lines[0].text[: lines[0].label_length] == label
    assert lines[0].body == lines[0].text[len(label) :]


@pytest.mark.parametrize(
    "paragraph",
    [
        "http://example.org/bulletin: that link",
        "10:30 was when the ward round started",
        "At 10:30: the ward round",
        "So I said: no",
        "He told me: go home",
        "One Two Three Four: too many words",
        "Abcdefghijklmnopqrstuvwxyzabcde: too long",
        "3: a numbered point",
        "2019: the year",
        "Interviewer:no space after the colon",
        "[laughs]: not a name",
        "- P07: a list item",
        "_P07: underscore",
    ],
)
def test_not_speaker_labels(paragraph: str) -> None:
    lines = lines_of(paragraph)
    assert all(line.speaker is None and not line.turn_start and line.label_length == 0 for line in lines)


def test_unlabelled_paragraph_continues_the_turn() -> None:
    text = "Before anyone spoke.\nInterviewer: Hi.\nStill me.\n\n\n   \nP01: Hello.\nMore from P01.\n"
    lines = lines_of(text)
    assert [(l.text, l.speaker, l.turn_start, l.label_length) for l in lines] == [
        ("Before anyone spoke.", None, False, 0),
        ("Interviewer: Hi.", "Interviewer", True, 13),
        ("Still me.", "Interviewer", False, 0),
        ("P01: Hello.", "P01", True, 5),
        ("More from P01.", "P01", False, 0),
    ]


def test_only_lf_ends_a_paragraph() -> None:
    text = "P01: one\u2028P02: two\x85P03: three\x0cP04: four"
    lines = lines_of(text, width=200)
    assert len(lines) == 1
    assert lines[0].speaker == "P01"
    assert lines[0].text == text


def test_custom_speaker_pattern() -> None:
    text = "[INT] So.\n[P03] Yes: fine.\nP04: not a label under this pattern"
    lines = lines_of(text, speaker_pattern=r"\[(?P<speaker>[A-Z0-9]+)\]\s*")
    assert [(l.speaker, l.turn_start, l.label_length, l.body) for l in lines] == [
        ("INT", True, 6, "So."),
        ("P03", True, 6, "Yes: fine."),
        ("P03", False, 0, "P04: not a label under this pattern"),
    ]


@pytest.mark.parametrize(
    "pattern, problem",
    [("(?P<speaker>[A-Z]+", "missing ), unterminated subpattern"), (r"\w+:", "it needs a named group (?P<speaker>...)")],
)
def test_bad_speaker_pattern(pattern: str, problem: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError) as err:
        compile_speaker_pattern(pattern)
    assert str(err.value).startswith(f"invalid speaker pattern {pattern!r}: ")
    assert problem in str(err.value)
    with pytest.raises(ValueError):
        read_transcript(tmp_path / "missing.txt", speaker_pattern=pattern)


def test_markdown_bold_labels_and_headings() -> None:
    text = (
        "# Interview 4: P04\n"
        "**Interviewer:** Where were you placed?\n"
        "**P04**: On the paediatric ward.\n"
        "## Second half\n"
        "no speaker here\n"
        "__Dr Smith:__ And you?\n"
    )
    parsed = parse_text(text, title="p04", source_format="md")
    assert parsed.text == text
    assert [(l.speaker, l.turn_start, l.body) for l in parsed.lines] == [
        (None, False, "# Interview 4: P04"),
        ("Interviewer", True, "Where were you placed?"),
        ("P04", True, "On the paediatric ward."),
        (None, False, "## Second half"),
        (None, False, "no speaker here"),
        ("Dr Smith", True, "And you?"),
    ]
    # the same text read as plain text: the bold markers are not labels, the heading is
    plain = parse_text(text, source_format="txt")
    assert plain.lines[0].speaker is None and not plain.lines[0].turn_start
    assert plain.lines[1].speaker is None


def test_transcription_notation_is_plain_text() -> None:
    text = "P08: [laughs] it was [pause] fine [inaudible 00:14:32] and [name removed] said <sigh> [bold]x[/bold] &amp;"
    parsed = parse_text(text, width=200)
    assert parsed.text == text
    assert parsed.lines[0].text == text


# --------------------------------------------------------------------------- wrapping


def test_wrap_at_word_boundaries() -> None:
    text = "Interviewer: one two three four five six seven eight nine ten"
    lines = lines_of(text, width=20)
    assert [l.text for l in lines] == ["Interviewer: one two", "three four five six", "seven eight nine ten"]
    assert [(l.turn_start, l.label_length) for l in lines] == [(True, 13), (False, 0), (False, 0)]
    assert all(l.speaker == "Interviewer" for l in lines)
    check_lines(text, lines, 20)


def test_wrap_keeps_internal_whitespace_and_splits_long_words() -> None:
    text = "P01:\tsee  https://example.org/a-very-long-bulletin-link-indeed ok"
    lines = lines_of(text, width=12)
    assert [l.text for l in lines] == ["P01:\tsee", "https://exam", "ple.org/a-ve", "ry-long-bull", "etin-link-in", "deed ok"]
    check_lines(text, lines, 12)


def test_wrap_label_longer_than_width() -> None:
    text = "Interviewer: hello"
    lines = lines_of(text, width=5)
    assert [l.text for l in lines] == ["Inter", "viewe", "r:", "hello"]
    assert lines[0].label_length == 5 and lines[0].body == ""
    check_lines(text, lines, 5)


def test_wrap_label_then_line_break() -> None:
    lines = lines_of("Interviewer: extraordinarily", width=14)
    assert [(l.text, l.label_length) for l in lines] == [("Interviewer:", 12), ("extraordinaril", 0), ("y", 0)]


def test_hard_split_avoids_cutting_combining_marks() -> None:
    text = "abcde\u0301fgh"
    lines = lines_of(text, width=5)
    assert [l.text for l in lines] == ["abcd", "e\u0301fgh"]


def test_wrap_rejects_width_below_one() -> None:
    with pytest.raises(ValueError):
        wrap_lines("abc", [Paragraph(0, 3)], 0)


_TOKENS = st.sampled_from(
    ["Interviewer: ", "P07: ", "Dr Smith:", "**P01:** ", "# ", "INT:\t", "10:30 ", "http://x.org ", "[laughs]", " ", "  ",
     "\t", "\n", "\r\n", "\r", "\x85", "\u2028", "\u2029", "\x0c", "\x0b", "\u00a0", "\u3000", "e\u0301", "\U0001f642",
     "\U0001f469\u200d\u2695\ufe0f", "\U0001f44d\U0001f3fd", "word", "supercalifragilisticexpialidocious", ":", "\ufeff"]
)
_TEXTS = st.lists(_TOKENS | st.text(max_size=6), max_size=60).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS, st.integers(5, 120), st.sampled_from(["txt", "md"]))
def test_wrap_invariants_hold_for_any_text(text: str, width: int, source_format: str) -> None:
    lines = lines_of(text, width=width, markdown=source_format == "md")
    check_lines(text, lines, width)
    if text.strip():
        parsed = parse_text(text, width=width, source_format=source_format)
        assert parsed.text == normalise_newlines(text)
        check_lines(parsed.text, parsed.lines, width)


# --------------------------------------------------------------------------- participants


@pytest.mark.parametrize(
    "label",
    ["Interviewer", "interviewer", "INT", "Int", "I", "R", "i", "Researcher", "Facilitator", "Moderator",
     "Interviewer 1", "Interviewer 2", "Dr Smith (Interviewer)", "Lead Researcher", "INT1", "Int.", "Co-facilitator"],
)
def test_is_interviewer(label: str) -> None:
    assert is_interviewer(label)


@pytest.mark.parametrize("label", ["P07", "Participant 3", "Interviewee", "Respondent", "Dr Smith", "Ingrid", "Rachel", "Intern", "IR"])
def test_is_not_interviewer(label: str) -> None:
    assert not is_interviewer(label)


def test_participant_is_the_non_interviewer_with_most_words() -> None:
    text = (
        "Interviewer: a very long question with many many many many words in it indeed\n"
        "P02: yes\nP01: one two three four\nP02: no\nP02: ok\n"
    )
    assert parse_text(text).participant == "P01"


def test_participant_none_without_labels_or_with_only_the_interviewer() -> None:
    assert parse_text("just words\nmore words").participant is None
    assert parse_text("Interviewer: hello?\nR: anyone?").participant is None


# --------------------------------------------------------------------------- sample files


def test_cp1252_crlf_sample() -> None:
    path = SAMPLES / "cp1252_crlf.txt"
    parsed = read_transcript(path)
    expected = (
        "Interviewer: How did the first week on the paediatric ward feel?\n"
        "P03: Honestly\u2026 a bit overwhelming. The registrar said \u201cjust watch today\u201d and I "
        "thought \u2018watch what?\u2019 [laughs]\n"
        "\n"
        "P03: By Thursday I was writing the caf\u00e9 rota for the bulletin.\n"
    )
    assert list(parsed.text) == list(expected)
    assert parsed.text == path.read_bytes().decode("cp1252").replace("\r\n", "\n")
    assert (parsed.title, parsed.source_format, parsed.encoding, parsed.participant) == ("cp1252_crlf", "txt", "cp1252", "P03")
    assert [l.text for l in parsed.lines] == [
        "Interviewer: How did the first week on the paediatric ward feel?",
        "P03: Honestly\u2026 a bit overwhelming. The registrar said \u201cjust watch today\u201d",
        "and I thought \u2018watch what?\u2019 [laughs]",
        "P03: By Thursday I was writing the caf\u00e9 rota for the bulletin.",
    ]
    assert [(l.speaker, l.turn_start, l.label_length) for l in parsed.lines] == [
        ("Interviewer", True, 13), ("P03", True, 5), ("P03", False, 0), ("P03", True, 5)
    ]
    assert all(l.timestamp is None for l in parsed.lines)
    check_lines(parsed.text, parsed.lines, DEFAULT_WIDTH)


def test_utf16_bom_sample() -> None:
    parsed = read_transcript(SAMPLES / "utf16_bom.txt", width=40)
    assert parsed.encoding == "utf-16"
    assert parsed.text == (
        "Interviewer: What was the bulletin for?\n"
        "P05: Sharing what we learned on the ward \u2014 short cases, tips, a \u201cword of the week\u201d.\n"
        "It felt like ours. [pause] Like we belonged there.\n"
    )
    assert parsed.participant == "P05"
    assert [l.text for l in parsed.lines[-2:]] == ["It felt like ours. [pause] Like we", "belonged there."]
    assert parsed.lines[-1].speaker == "P05" and not parsed.lines[-1].turn_start
    check_lines(parsed.text, parsed.lines, 40)


def test_utf8_bom_sample() -> None:
    parsed = read_transcript(SAMPLES / "utf8_bom.md")
    assert (parsed.encoding, parsed.source_format) == ("utf-8-sig", "md")
    assert parsed.text == (SAMPLES / "utf8_bom.md").read_bytes()[3:].decode("utf-8")
    assert not parsed.text.startswith("\ufeff")
    assert parsed.lines[0].text == "INT: Who read it?"
    assert parsed.lines[0].speaker == "INT"
    assert parsed.participant == "P07"
    assert parsed.lines[-1].text == "[inaudible 00:14:32] the consultants too, eventually."


def test_binary_sample() -> None:
    with pytest.raises(TranscriptError) as err:
        read_transcript(SAMPLES / "binary.txt")
    assert str(err.value) == "binary.txt: binary file"


def test_teams_vtt_sample() -> None:
    parsed = read_transcript(SAMPLES / "teams.vtt")
    assert parsed.text == (
        "Dr Amara Okafor: Thanks for joining. How did the bulletin start?\n"
        "Priya Natarajan: It started on a night shift, & honestly by accident. We kept losing the handover "
        "tips <laughs> so we wrote them down.\n"
        "Dr Amara Okafor: And then?\n"
        "Priya Natarajan: The ward sister asked for a copy."
    )
    assert (parsed.source_format, parsed.encoding, parsed.participant) == ("vtt", "utf-8", "Priya Natarajan")
    assert [(l.speaker, l.turn_start, l.label_length, l.timestamp, l.text) for l in parsed.lines] == [
        ("Dr Amara Okafor", True, 17, "00:00:01.250", "Dr Amara Okafor: Thanks for joining. How did the bulletin start?"),
        ("Priya Natarajan", True, 17, "00:00:04.500", "Priya Natarajan: It started on a night shift, & honestly by accident. We"),
        ("Priya Natarajan", False, 0, "00:00:08.000", "kept losing the handover tips <laughs> so we wrote them down."),
        ("Dr Amara Okafor", True, 17, "00:00:11.800", "Dr Amara Okafor: And then?"),
        ("Priya Natarajan", True, 17, "00:01:02.000", "Priya Natarajan: The ward sister asked for a copy."),
    ]
    check_lines(parsed.text, parsed.lines, DEFAULT_WIDTH)


def test_zoom_vtt_sample() -> None:
    parsed = read_transcript(SAMPLES / "zoom.vtt")
    assert parsed.text == (
        "Interviewer: Can you describe a typical morning on the ward?\n"
        "Tom Whitfield: Ward round at eight, then bloods, then whatever the registrar needs. [pause] Mostly cannulas.\n"
        "Interviewer: And the bulletin?"
    )
    assert parsed.participant == "Tom Whitfield"
    assert [(l.speaker, l.timestamp, l.label_length) for l in parsed.lines] == [
        ("Interviewer", "00:00:00.800", 13),
        ("Tom Whitfield", "00:00:03.900", 15),
        ("Tom Whitfield", "00:00:03.900", 0),
        ("Interviewer", "00:00:10.600", 13),
    ]


def test_srt_sample() -> None:
    parsed = read_transcript(SAMPLES / "interview.srt")
    assert parsed.text == (
        "Interviewer: When did you write your first piece?\n"
        "P09: In week three, about febrile infants. The charge nurse corrected two things.\n"
        "Interviewer: How did that feel?"
    )
    assert [(l.speaker, l.turn_start, l.timestamp, l.text) for l in parsed.lines] == [
        ("Interviewer", True, "00:00:01.000", "Interviewer: When did you write your first piece?"),
        ("P09", True, "00:00:04.000", "P09: In week three, about febrile infants. The charge nurse corrected"),
        ("P09", False, "00:00:07.300", "two things."),
        ("Interviewer", True, "00:01:10.000", "Interviewer: How did that feel?"),
    ]
    assert (parsed.source_format, parsed.participant) == ("srt", "P09")


def test_docx_sample() -> None:
    parsed = read_transcript(SAMPLES / "ward_interview.docx")
    assert (parsed.title, parsed.source_format, parsed.encoding, parsed.participant) == (
        "ward_interview", "docx", "docx", "P11"
    )
    assert parsed.text == (
        "Interview with P11, paediatric ward\n"
        "Interviewer: Tell me about the bulletin.\n"
        # a tracked insertion is kept, a tracked deletion is not
        "P11: It was a shared Word document at first, then a printed sheet.\n"
        "We handed it out at the Friday teaching.\n"
        # the table, in its place between paragraphs; a speaker column becomes labels
        "Interviewer: Who wrote for it?\n"
        "P11: Everyone on the rotation. [laughs] Even the FY1s.\n"
        "Interviewer: Did it change how you saw yourself?\n"
        "Like, as a doctor?\n"
        # a row merged across both columns appears once
        "Recording paused [name removed] joined\n"
        "Interviewer: And after the rotation ended?\n"
        # time | speaker | words: the time becomes the line's timestamp, the speaker its label
        "P11: It stopped. Nobody owned it.\n"
        "P11: Which is a lesson in itself.\tReally."
    )
    assert [(l.speaker, l.turn_start, l.label_length) for l in parsed.lines] == [
        (None, False, 0),
        ("Interviewer", True, 13),
        ("P11", True, 5),
        ("P11", False, 0),
        ("Interviewer", True, 13),
        ("P11", True, 5),
        ("Interviewer", True, 13),
        ("Interviewer", False, 0),
        ("Interviewer", False, 0),
        ("Interviewer", True, 13),
        ("P11", True, 5),
        ("P11", True, 5),
    ]
    assert [line.timestamp for line in parsed.lines] == [None] * 10 + ["00:12:05", None]
    check_lines(parsed.text, parsed.lines, DEFAULT_WIDTH)


# --------------------------------------------------------------------------- subtitles in detail


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_vtt_details(tmp_path: Path) -> None:
    vtt = (
        "WEBVTT - ward interview\nKind: captions\n\n"
        "NOTE\nsome note with --> arrows\n\n"
        "intro\n01:02.5 --> 01:04.000 align:start\nUnattributed opening words\n\n"
        "00:01:05.000 --> 00:01:06.000\n<v.loud Sam Reid>Hi <b>there</b>&nbsp;you</v> <v Ana>Hello &gt; all</v>\n\n"
        "00:01:07.000 --> 00:01:08.000\nno voice: continues Ana\n\n"
        "00:01:09.000 --> 00:01:10.000\n<v Ana></v>\n"
    )
    parsed = read_transcript(write(tmp_path, "detail.vtt", vtt), width=200)
    assert parsed.text == (
        "Unattributed opening words\n"
        "Sam Reid: Hi there you\n"
        "Ana: Hello > all no voice: continues Ana"
    )
    assert [(l.speaker, l.turn_start, l.label_length, l.timestamp) for l in parsed.lines] == [
        (None, False, 0, "00:01:02.500"),
        ("Sam Reid", True, 10, "00:01:05.000"),
        ("Ana", True, 5, "00:01:05.000"),
    ]


def test_vtt_timestamp_is_the_cue_where_the_line_starts(tmp_path: Path) -> None:
    cues = "".join(
        f"00:00:{i:02d}.000 --> 00:00:{i + 1:02d}.000\n<v P01>word{i} filler text here</v>\n\n" for i in range(10)
    )
    parsed = read_transcript(write(tmp_path, "t.vtt", "WEBVTT\n\n" + cues), width=30)
    assert len({l.speaker for l in parsed.lines}) == 1 and parsed.lines[0].turn_start
    for line in parsed.lines:
        starts = [m.start() for m in re.finditer(r"word\d", parsed.text)]
        before = [i for i, s in enumerate(starts) if s <= line.start]
        expected_cue = before[-1] if before else 0
        assert line.timestamp == f"00:00:{expected_cue:02d}.000"
    check_lines(parsed.text, parsed.lines, 30)


def test_zoom_names_with_pronouns(tmp_path: Path) -> None:
    vtt = (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nDr Jane Smith-Jones (she/her): Morning.\n\n"
        "2\n00:00:02.000 --> 00:00:03.000\nKofi Mensah: Morning. so what I mean is: yes\n\n"
        "3\n00:00:03.000 --> 00:00:04.000\nso what I mean is: still Kofi\n"
    )
    parsed = read_transcript(write(tmp_path, "zoom2.vtt", vtt), width=200)
    assert parsed.text == (
        "Dr Jane Smith-Jones (she/her): Morning.\n"
        "Kofi Mensah: Morning. so what I mean is: yes so what I mean is: still Kofi"
    )
    assert [l.speaker for l in parsed.lines] == ["Dr Jane Smith-Jones (she/her)", "Kofi Mensah"]


_SPEAKERS = st.sampled_from([None, "Interviewer", "P07", "Dr Amara Okafor", "Tom"])
_CUE_WORDS = st.lists(_TOKENS.filter(lambda t: "\n" not in t and "\r" not in t), min_size=1, max_size=12).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_SPEAKERS, _CUE_WORDS), min_size=1, max_size=12), st.integers(5, 120))
def test_vtt_invariants_hold_for_any_cues(tmp_path: Path, cues: list[tuple[str | None, str]], width: int) -> None:
    body = "".join(
        f"{i}\n00:00:{i:02d}.000 --> 00:00:{i + 1:02d}.000\n"
        + (f"<v {speaker}>" if speaker else "")
        + words.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        + "\n\n"
        for i, (speaker, words) in enumerate(cues)
    )
    path = write(tmp_path, "random.vtt", "WEBVTT\n\n" + body)
    try:
        parsed = read_transcript(path, width=width)
    except TranscriptError as err:
        assert str(err) == "random.vtt: empty file"
        return
    check_lines(parsed.text, parsed.lines, width)
    assert all(line.timestamp is not None for line in parsed.lines)
    assert [l.timestamp for l in parsed.lines] == sorted(l.timestamp for l in parsed.lines)
    for line in parsed.lines:
        if line.turn_start:
            assert line.text.startswith(f"{line.speaker}:"[: len(line.text)])


def test_vtt_without_cues_is_empty(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError) as err:
        read_transcript(write(tmp_path, "none.vtt", "WEBVTT\n\nNOTE nothing here\n"))
    assert str(err.value) == "none.vtt: empty file"


def test_srt_strips_formatting_but_keeps_notation(tmp_path: Path) -> None:
    srt = (
        "1\r\n00:00:01,5 --> 00:00:02,000\r\n{\\an8}<font color=\"#fff\">P02:</font> [laughs] <sigh> R&amp;D\r\n\r\n"
        "2\r\n00:00:03,000 --> 00:00:04,000\r\nsecond cue\r\n"
    )
    parsed = read_transcript(write(tmp_path, "x.srt", srt))
    assert parsed.text == "P02: [laughs] <sigh> R&amp;D second cue"
    assert parsed.lines[0].timestamp == "00:00:01.500"


# --------------------------------------------------------------------------- Word files in detail


def test_docx_corrupt_not_a_zip(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError) as err:
        read_transcript(write(tmp_path, "old.docx", b"\xd0\xcf\x11\xe0 an old .doc file"))
    assert str(err.value) == "old.docx: not a Word document"


def test_docx_zip_without_document_xml(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(TranscriptError) as err:
        read_transcript(write(tmp_path, "sheet.docx", buffer.getvalue()))
    assert str(err.value) == "sheet.docx: not a Word document"


def test_docx_with_broken_xml(tmp_path: Path) -> None:
    source = (SAMPLES / "ward_interview.docx").read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as original, zipfile.ZipFile(buffer, "w") as archive:
        for info in original.infolist():
            data = original.read(info.filename)
            archive.writestr(info, b"<w:document" if info.filename == "word/document.xml" else data)
    with pytest.raises(TranscriptError) as err:
        read_transcript(write(tmp_path, "broken.docx", buffer.getvalue()))
    assert str(err.value) == "broken.docx: not a Word document"


def test_docx_empty(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "blank.docx"
    document = docx.Document()
    document.add_paragraph("   ")
    document.save(path)
    with pytest.raises(TranscriptError) as err:
        read_transcript(path)
    assert str(err.value) == "blank.docx: empty file"


def test_docx_soft_line_break_and_speaker_pattern(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "p12.docx"
    document = docx.Document()
    paragraph = document.add_paragraph("[INT] first line")
    paragraph.add_run().add_break()
    paragraph.add_run("second line")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "P12"
    table.rows[0].cells[1].text = "from the table"
    document.save(path)
    parsed = read_transcript(path, speaker_pattern=r"\[(?P<speaker>\w+)\] ")
    assert parsed.text == "[INT] first line\nsecond line\nP12: from the table"
    assert [(l.speaker, l.turn_start, l.label_length) for l in parsed.lines] == [
        ("INT", True, 6), ("INT", False, 0), ("P12", True, 5)
    ]


# --------------------------------------------------------------------------- file problems


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError) as err:
        read_transcript(tmp_path / "p99.txt")
    assert str(err.value) == "p99.txt: file not found"


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(TranscriptError) as err:
        read_transcript(tmp_path / "folder.txt")
    assert str(err.value) == "folder.txt: is a folder, not a file"


@pytest.mark.parametrize("name, kind", [("notes.pdf", "'.pdf' files"), ("notes", "files without an extension"), ("x.DOC", "'.DOC' files")])
def test_unsupported_extension(tmp_path: Path, name: str, kind: str) -> None:
    with pytest.raises(TranscriptError) as err:
        read_transcript(write(tmp_path, name, "P01: hi"))
    assert str(err.value) == f"{name}: cannot import {kind} (supported: .docx, .md, .srt, .txt, .vtt)"


def test_not_a_regular_file() -> None:
    if not Path("/dev/null").exists():
        pytest.skip("no /dev/null here")
    with pytest.raises(TranscriptError) as err:
        read_transcript(Path("/dev/null"))
    assert str(err.value) == "null: not a regular file"


def test_upper_case_extension_is_fine(tmp_path: Path) -> None:
    assert read_transcript(write(tmp_path, "P01.TXT", "P01: hi")).source_format == "txt"


def test_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(TranscriptError) as err:
        read_transcript(path)
    assert str(err.value) == "huge.txt: file too large (51 MB, limit 50 MB)"


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "locked.txt", "P01: hi")

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(TranscriptError) as err:
        read_transcript(path)
    assert str(err.value) == "locked.txt: permission denied"


def test_error_is_a_value_error() -> None:
    assert issubclass(TranscriptError, ValueError)
    with pytest.raises(ValueError):
        decode(b"a\x00b", "a.txt")


def test_read_transcript_result_type(tmp_path: Path) -> None:
    parsed = read_transcript(write(tmp_path, "Interview 3.txt", "Interviewer: hi\r\nP03: hello\r\n"), width=30)
    assert isinstance(parsed, ParsedTranscript)
    assert parsed.title == "Interview 3"
    assert parsed.text == "Interviewer: hi\nP03: hello\n"
    assert parsed.lines == [
        Line(1, "Interviewer", "Interviewer: hi", 0, 15, True, 13, None),
        Line(2, "P03", "P03: hello", 16, 26, True, 5, None),
    ]


def test_whitespace_only_file(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError) as err:
        read_transcript(write(tmp_path, "blank.md", " \n\t\r\n"))
    assert str(err.value) == "blank.md: empty file"


def test_module_constants() -> None:
    assert tr.MAX_BYTES == 50 * 1024 * 1024
    assert tr.DEFAULT_WIDTH == 72
