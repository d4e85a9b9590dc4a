"""The nouns of a margin project, as plain frozen dataclasses.

Nothing here touches SQLite or the screen: the modules of `tui.project` build these from rows, and the
UI only ever reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The width, in characters, a transcript's lines are wrapped to unless the import says otherwise.
DEFAULT_WIDTH = 72

#: Note kinds, in the order IPA teaches them.
NOTE_KINDS: tuple[str, ...] = ("descriptive", "linguistic", "conceptual")

#: The letter a note kind is marked with in the margin, as IPA researchers abbreviate them.
NOTE_LETTERS: dict[str, str] = {"descriptive": "D", "linguistic": "L", "conceptual": "C"}

#: Theme levels by analysis method, lowest first.
LEVELS: dict[str, tuple[str, ...]] = {
    "ipa": ("statement", "pet", "get"),
    "ta": ("code", "theme"),
}

#: How a level is named on screen and in reports.
LEVEL_LABELS: dict[str, str] = {
    "statement": "statement",
    "pet": "PET",
    "get": "GET",
    "code": "code",
    "theme": "theme",
}

METHODS: tuple[str, ...] = tuple(LEVELS)

#: The levels whose themes belong to one participant (a case) in each method.
CASE_LEVELS: dict[str, tuple[str, ...]] = {"ipa": ("statement", "pet"), "ta": ()}

#: The stages of an analysis a journal entry is labelled with, in order.
STAGES: tuple[str, ...] = ("reading", "exploratory notes", "statements", "PETs", "GETs", "writing up")

#: How a theme was formed from what it groups (Smith, Flowers and Larkin's strategies).
STRATEGIES: tuple[str, ...] = (
    "abstraction", "subsumption", "polarisation", "numeration", "function", "contextualisation",
)


def span_text(first: int, last: int) -> str:
    """`line 12` or `lines 12-15`, as a researcher cites them."""
    return f"line {first}" if first == last else f"lines {first}-{last}"


def parse_line_range(text: str) -> tuple[int, int]:
    """Parse `12` or `12-15` into (first, last); raise ValueError with a readable message."""
    parts = text.strip().split("-")
    try:
        if len(parts) == 1:
            first = last = int(parts[0])
        elif len(parts) == 2:
            first, last = int(parts[0]), int(parts[1])
        else:
            raise ValueError
    except ValueError:
        raise ValueError(f"'{text}' is not a line or range of lines such as 12 or 12-15") from None
    if first < 1 or last < first:
        raise ValueError(f"'{text}' is not a valid range: lines start at 1 and the range must not run backwards")
    return first, last


@dataclass(frozen=True)
class Participant:
    """A person interviewed: one case of the study."""

    id: int
    guid: str
    pseudonym: str
    attributes: dict[str, str] = field(default_factory=dict)
    case_done_at: str | None = None


@dataclass(frozen=True)
class Transcript:
    """The verbatim text of one interview."""

    id: int
    guid: str
    participant_id: int | None
    title: str
    text: str
    source: str = ""
    line_count: int = 0
    width: int = DEFAULT_WIDTH
    imported_at: str = ""


@dataclass(frozen=True)
class Line:
    """One numbered line of a transcript: exactly `transcript.text[start:end]`."""

    number: int
    speaker: str | None
    text: str
    start: int
    end: int
    turn_start: bool = False
    label_length: int = 0
    timestamp: str | None = None

    @property
    def body(self) -> str:
        """The line's words without the speaker label that opens a turn."""
        return self.text[self.label_length :]


@dataclass(frozen=True)
class Theme:
    """A node of the codebook tree."""

    id: int
    guid: str
    name: str
    parent_id: int | None
    level: str
    participant_id: int | None = None
    description: str = ""
    colour: str | None = None
    strategy: str | None = None


@dataclass(frozen=True)
class Coding:
    """A theme applied to a range of lines of one transcript."""

    id: int
    guid: str
    transcript_id: int
    first_line: int
    last_line: int
    theme_id: int
    coder_id: int | None
    created_at: str
    key_quote: bool = False


@dataclass(frozen=True)
class Note:
    """An exploratory note on a range of lines."""

    id: int
    guid: str
    transcript_id: int
    first_line: int
    last_line: int
    kind: str
    body: str
    coder_id: int | None
    created_at: str


@dataclass(frozen=True)
class Memo:
    """Free text: a journal entry, or a memo on a participant, transcript or theme."""

    id: int
    guid: str
    title: str
    body: str
    created_at: str
    participant_id: int | None = None
    transcript_id: int | None = None
    theme_id: int | None = None
    coding_id: int | None = None
    stage: str | None = None
    coder_id: int | None = None
    updated_at: str | None = None


@dataclass(frozen=True)
class Coder:
    """The person who codes; every coding and note records one."""

    id: int
    guid: str
    name: str


@dataclass(frozen=True)
class Session:
    """Where one coder stopped: the transcript, the cursor line and the layout."""

    coder_id: int
    transcript_id: int | None
    line: int
    layout: str
    started_at: str
    updated_at: str


@dataclass(frozen=True)
class Draft:
    """Text a user typed and has not saved yet (a note, a memo), kept so it is never lost."""

    id: int
    kind: str
    ref: str
    body: str
    saved_at: str
