"""Fixtures for the Pilot tests of the real app: small project files built in a temporary folder,
and a keyboard that types as fast as a paste.
"""

from __future__ import annotations

import asyncio

import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot

from tui.formats.demo import build_demo
from tui.formats.transcripts import parse_text
from tui.project import Project

#: Sixty short turns, one line each (every one is shorter than the 72-character wrap width), so
#: turn N is line N. "ward" ends every seventh line from line 3 on: 3, 10, 17, ..., 59.
TURNS = [
    ("Interviewer: " if n % 2 else "P07: ")
    + (f"Line {n} of the interview, on the ward." if n % 7 == 3 else f"Line {n} of the interview, with words.")
    for n in range(1, 61)
]

#: A transcript that tries every way user text can be taken for markup or terminal control.
MARKUP_TURNS = [
    "P09: I was [laughs] so nervous [pause] that day.",
    "Interviewer: And then? [bold]x[/bold] was written on it.",
    "P09: A bracket on its own [/] and a link [@click=app.quit]hi[/] here.",
    "P09: A terminal code \x1b[31m red? and more.",
    "P09: The end.",
]


@dataclass
class Study:
    """A project file with one transcript and two themes, and what the tests need to know of it."""

    path: Path
    project: Project
    transcript_id: int
    participant_id: int | None
    belonging: int
    """The id of the theme "Sense of belonging" (a statement of the participant in IPA)."""
    exposure: int
    """The id of the theme "Fear of exposure"."""

    @property
    def line_count(self) -> int:
        """How many lines the transcript has."""
        return self.project.line_count(self.transcript_id)

    def lines_containing(self, word: str) -> list[int]:
        """The numbers of the lines whose text contains `word`, ignoring case."""
        return [line.number for line in self.project.lines(self.transcript_id) if word.casefold() in line.text.casefold()]

    def reopen(self) -> Project:
        """Close the project and open the same file again, as a new session would."""
        self.project.close()
        self.project = Project.open(self.path, coder="VR")
        return self.project


StudyMaker = Callable[..., Study]


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test away from the user's real settings file (and from NO_COLOR)."""
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return home


@pytest.fixture
def make_study(tmp_path: Path) -> Iterator[StudyMaker]:
    """Make studies: `make_study(method="ta", turns=[...], participant="P09")`; closed afterwards."""
    made: list[Study] = []

    def make(*, method: str = "ipa", turns: list[str] = TURNS, participant: str | None = "P07") -> Study:
        path = tmp_path / f"study-{len(made) + 1}-{method}.margin"
        project = Project.create(path, method=method, coder="VR")
        parsed = parse_text("\n".join(turns), title="Interview 7")
        assert len(parsed.lines) == len(turns), "every turn must fit on one line"
        transcript = project.import_transcript(
            title="Interview 7", text=parsed.text, lines=parsed.lines, participant=participant, source="P07.txt"
        )
        scope = transcript.participant_id if method == "ipa" else None
        belonging = project.create_theme("Sense of belonging", participant_id=scope)
        exposure = project.create_theme("Fear of exposure", participant_id=scope)
        study = Study(path, project, transcript.id, transcript.participant_id, belonging.id, exposure.id)
        made.append(study)
        return study

    yield make
    for study in made:
        study.project.close()


@pytest.fixture
def study(make_study: StudyMaker) -> Study:
    """An IPA project: transcript "Interview 7" of P07, sixty lines (TURNS), two themes, no codings."""
    return make_study()


@pytest.fixture
def ta_study(make_study: StudyMaker) -> Study:
    """The same study as a reflexive thematic analysis project."""
    return make_study(method="ta")


@pytest.fixture
def markup_study(make_study: StudyMaker) -> Study:
    """Participant P09's transcript full of square brackets and a terminal escape code (MARKUP_TURNS)."""
    return make_study(turns=MARKUP_TURNS, participant="P09")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Project]:
    """The bundled demo study, built fresh: five participants, themes, codings and notes."""
    project = build_demo(tmp_path / "demo.margin", coder="VR")
    yield project
    project.close()


def _key_event(key: str) -> events.Key:
    """The event Pilot.press sends for `key` (a key name or one character)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


class Keyboard:
    """Sends keys the way a terminal does, without waiting for the screen between them."""

    async def burst(self, pilot: Pilot[Any], keys: Iterable[str]) -> None:
        """Send every key in `keys` at once, as a fast typist or a paste would, then wait until all are handled."""
        app = pilot.app
        for key in keys:
            event = _key_event(key)
            event.set_sender(app)
            app._driver.send_message(event)  # what Pilot.press does, less its wait after each key
        await pilot.pause()
        await pilot.pause()
        # The app hands keys on one at a time, each once the one before is handled (and to a
        # dialog once it has its field focused): wait for the last of them.
        for _ in range(2000):
            if not getattr(app, "keys_pending", False):
                break
            await asyncio.sleep(0.01)
            await pilot.pause()

    async def type(self, pilot: Pilot[Any], text: str) -> None:
        """Type `text` into whatever has focus."""
        await self.burst(pilot, list(text))


@pytest.fixture
def keyboard() -> Keyboard:
    """A fast keyboard: `await keyboard.type(pilot, "text")`, `await keyboard.burst(pilot, keys)`."""
    return Keyboard()
