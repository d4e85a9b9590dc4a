"""Speaker labels and paragraphs: where a turn starts, who speaks, who the participant is."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass

#: The longest speaker label the default pattern accepts.
MAX_LABEL_CHARS = 30


@dataclass(frozen=True)
class Paragraph:
    """The non-blank part of one paragraph of a text, with its speaker.

    `start`/`end` bound the paragraph without its leading and trailing whitespace;
    `label_length` counts from `start`; `cues` are (offset into the text, "HH:MM:SS.mmm") pairs
    for subtitle formats, in order, the first one at `start`.
    """

    start: int
    end: int
    speaker: str | None = None
    turn_start: bool = False
    label_length: int = 0
    cues: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Known:
    """What a Word table row already says about the paragraph that starts at an offset.

    With a `speaker`, the paragraph starts that speaker's turn behind a label of `label_length`
    characters; without one it continues the current turn, or, if `nobody`, belongs to no
    speaker; with `detect` it is searched for a label like any other paragraph. `timestamp`
    becomes the timestamp of each of its lines.
    """

    speaker: str | None = None
    label_length: int = 0
    timestamp: str | None = None
    nobody: bool = False
    detect: bool = False


#: Labels that head a transcript and are not people (`Date: 3 May`, `Setting: the ward office`):
#: a label whose first word is one of these never starts a turn. Users name more with
#: `--not-speaker LABEL`.
HEADER_WORDS: frozenset[str] = frozenset(
    """date time duration length setting location place venue site mode note notes comment comments
    interview transcript transcription transcribed transcriber recording recorded audio file
    source title project study session language keywords summary present attendees""".split()
)


def _fold(label: str) -> str:
    return " ".join(label.casefold().split())


def not_speaker(label: str, not_speakers: Collection[str] = ()) -> bool:
    """Whether `label` is a header label (its first word in HEADER_WORDS) or one the user named."""
    folded = _fold(label)
    if not folded:
        return False
    return folded.split()[0] in HEADER_WORDS or folded in {_fold(name) for name in not_speakers}


#: A word of a label: starts with a letter or digit; may hold . ' ’ - inside.
_WORD = r"[^\W_][\w.'’\-]*"
_DEFAULT_LABEL = re.compile(rf"(?P<speaker>{_WORD}(?:[ \t]+{_WORD}){{0,2}})[ \t]*:(?:\s+|$)")
_MARKDOWN_LABEL = re.compile(
    r"(?P<mark>\*\*|__)(?P<speaker>[^\W_][^*_:\n]{0,40}?)[ \t]*(?::(?P=mark)|(?P=mark)[ \t]*:)(?:\s+|$)"
)
_HEADING = re.compile(r"#{1,6}(?:\s|$)")
#: Lower-case words allowed inside a name ("Mrs van Dijk", "Dr de Souza").
_PARTICLES = frozenset("van von de der den da das di du la le del della dos bin bint al el ter ten".split())
#: Role words that may be written in lower case ("interviewer:", "participant 3:").
_ROLE_WORDS = frozenset(
    "interviewer int researcher facilitator moderator participant respondent interviewee speaker".split()
)
_INTERVIEWER_WORDS = frozenset(
    "interviewer interviewers int researcher researchers facilitator facilitators moderator moderators".split()
)

#: Given one paragraph and the offset of its first non-blank character: (speaker, label length).
Detector = Callable[[str, int], "tuple[str, int] | None"]


def is_interviewer(label: str) -> bool:
    """Whether a speaker label names the interviewer (Interviewer, INT, I, R, Researcher, ...)."""
    words = re.findall(r"[^\W\d_]+", label.casefold())
    if any(word in _INTERVIEWER_WORDS for word in words):
        return True
    return words in (["i"], ["r"])


def compile_speaker_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a user's speaker regex; ValueError unless it compiles and has a `speaker` group."""
    try:
        compiled = re.compile(pattern)
    except re.error as err:
        raise ValueError(f"invalid speaker pattern {pattern!r}: {err}") from None
    if "speaker" not in compiled.groupindex:
        raise ValueError(f"invalid speaker pattern {pattern!r}: it needs a named group (?P<speaker>...)")
    return compiled


@functools.lru_cache(maxsize=1024)  # a transcript has a few labels, each on hundreds of turns
def _plausible_label(speaker: str, max_chars: int = MAX_LABEL_CHARS) -> bool:
    """The default pattern's extra rules: short, has a letter, written like a name or role."""
    if len(speaker) > max_chars or not any(c.isalpha() for c in speaker):
        return False
    words = speaker.split()
    if words[0].casefold() in _ROLE_WORDS:
        return True
    if not (words[0][0].isupper() or words[0][0].isdigit()):
        return False
    return all(w[0].isupper() or w[0].isdigit() or w[0] == "(" or w in _PARTICLES for w in words[1:])


def _default_detector(para: str, pos: int) -> tuple[str, int] | None:
    match = _DEFAULT_LABEL.match(para, pos)
    if match is None:
        return None
    speaker = match.group("speaker")
    if not _plausible_label(speaker):
        return None
    return speaker, match.end() - pos


#: Zoom puts the participant's display name before each cue: allow a little more there
#: ("Dr Jane Smith-Jones (she/her): ...").
_SUBTITLE_LABEL = re.compile(
    rf"(?P<speaker>{_WORD}(?:[ \t]+(?:{_WORD}|\([^()\s:]{{1,20}}\))){{0,4}})[ \t]*:(?:\s+|$)"
)


def _subtitle_detector(para: str, pos: int) -> tuple[str, int] | None:
    match = _SUBTITLE_LABEL.match(para, pos)
    if match is None:
        return None
    speaker = match.group("speaker")
    if not _plausible_label(speaker, max_chars=40):
        return None
    return speaker, match.end() - pos


def _markdown_detector(para: str, pos: int) -> tuple[str, int] | None:
    match = _MARKDOWN_LABEL.match(para, pos)
    if match is not None:
        speaker = " ".join(match.group("speaker").split())
        if speaker and len(speaker) <= MAX_LABEL_CHARS:
            return speaker, match.end() - pos
    return _default_detector(para, pos)


def _pattern_detector(pattern: re.Pattern[str]) -> Detector:
    def detect(para: str, pos: int) -> tuple[str, int] | None:
        match = pattern.match(para, pos)
        if match is None or match.end() == pos:
            return None
        speaker = " ".join((match.group("speaker") or "").split())
        if not speaker:
            return None
        return speaker, match.end() - pos

    return detect


def _detector(speaker_pattern: str | re.Pattern[str] | None, markdown: bool) -> Detector:
    if speaker_pattern is not None:
        if isinstance(speaker_pattern, str):
            speaker_pattern = compile_speaker_pattern(speaker_pattern)
        return _pattern_detector(speaker_pattern)
    return _markdown_detector if markdown else _default_detector


_FIRST_NON_SPACE = re.compile(r"\S")
#: What is known of a paragraph that no Word table row describes: nothing; search it for a label.
_SEARCH_FOR_LABEL = Known(detect=True)


def _paragraph_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every paragraph of `text`: the pieces between "\\n" characters."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            yield start, len(text)
            return
        yield start, end
        start = end + 1


def split_paragraphs(
    text: str,
    *,
    speaker_pattern: str | re.Pattern[str] | None = None,
    markdown: bool = False,
    explicit: dict[int, Known] | None = None,
    not_speakers: Collection[str] = (),
) -> list[Paragraph]:
    """Find the non-blank paragraphs of `text` and the speaker of each.

    `explicit` maps the offset where a paragraph starts to what is already known of it (Word
    table rows); other paragraphs are searched for a label. A label that `not_speaker` refuses
    (`Date:`, or one in `not_speakers`) gives its paragraph no speaker and leaves the turn open.
    """
    detect = _detector(speaker_pattern, markdown)
    explicit = explicit or {}
    verdicts: dict[str, bool] = {}

    def refused(label: str) -> bool:
        """`not_speaker`'s verdict, asked once per label (a few labels start hundreds of turns)."""
        if label not in verdicts:
            verdicts[label] = not_speaker(label, not_speakers)
        return verdicts[label]

    paragraphs: list[Paragraph] = []
    speaker: str | None = None
    for start, end in _paragraph_spans(text):
        first = _FIRST_NON_SPACE.search(text, start, end)
        if first is None:
            continue
        body_start = first.start()
        body_end = end
        while text[body_end - 1].isspace():
            body_end -= 1
        known = explicit.get(start, _SEARCH_FOR_LABEL)
        cues = ((body_start, known.timestamp),) if known.timestamp is not None else ()
        if not known.detect:
            if known.speaker is not None:
                speaker = known.speaker
                label_length = max(0, known.label_length - (body_start - start))
                paragraphs.append(Paragraph(body_start, body_end, speaker, True, label_length, cues))
            else:
                paragraphs.append(Paragraph(body_start, body_end, None if known.nobody else speaker, cues=cues))
            continue
        para = text[start:end]
        if markdown and speaker_pattern is None and _HEADING.match(para, body_start - start):
            speaker = None
            paragraphs.append(Paragraph(body_start, body_end, None, cues=cues))
            continue
        found = detect(para, body_start - start)
        if found is None:
            paragraphs.append(Paragraph(body_start, body_end, speaker, cues=cues))
        elif refused(found[0]):
            paragraphs.append(Paragraph(body_start, body_end, None, cues=cues))
        else:
            speaker, label_length = found
            paragraphs.append(Paragraph(body_start, body_end, speaker, True, label_length, cues))
    return paragraphs


def guess_participant(text: str, paragraphs: Sequence[Paragraph]) -> str | None:
    """The non-interviewer speaker who says the most words, or None if there is none."""
    words: dict[str, int] = {}
    for para in paragraphs:
        if para.speaker is not None:
            spoken = text[para.start + para.label_length : para.end]
            words[para.speaker] = words.get(para.speaker, 0) + len(spoken.split())
    candidates = {speaker: count for speaker, count in words.items() if not is_interviewer(speaker)}
    if not candidates:
        return None
    return max(candidates, key=lambda s: candidates[s])  # ties: the first to speak (dicts keep order)
