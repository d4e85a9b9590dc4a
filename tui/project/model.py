"""The nouns of a margin project, as plain frozen dataclasses.

Nothing here touches SQLite or the screen: `tui.project.store` builds these from rows, and the
UI only ever reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


def span_text(first: int, last: int) -> str:
    """`line 12` or `lines 12-15`, as a researcher cites them."""
    return f"line {first}" if first == last else f"lines {first}-{last}"


@dataclass(frozen=True)
class Participant:
    """A person interviewed: one case of the study."""

    id: int
    guid: str
    pseudonym: str
    attributes: dict[str, str] = field(default_factory=dict)


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
    width: int = 72


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


@dataclass(frozen=True)
class Coder:
    """The person who codes; every coding and note records one."""

    id: int
    guid: str
    name: str
