"""Random sequences of every action, with random undo and redo: the file stays sound after each step.

After every step: SQLite's integrity check is ok, no foreign key dangles, `check()` finds nothing;
an action either succeeds or raises ProjectError and changes nothing; undo and redo succeed,
return None, or raise ProjectError with a message, and a failed undo (or redo) never sticks: it
is not offered again only to fail again.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tui.project import Line, NOTE_KINDS, Project, ProjectError

NAMES = st.sampled_from(["Lost", "lost", "Found", "Corner", "Team", "Work/life", "Belonging", "Nobody asks"])
PICK = st.integers(min_value=0, max_value=10**6)
TABLES = ("participants", "transcripts", "lines", "themes", "codings", "notes", "memos", "divergences", "coders")


def make_lines(text: str) -> list[Line]:
    lines, start = [], 0
    for number, paragraph in enumerate(text.split("\n"), start=1):
        lines.append(Line(number, "P", paragraph, start, start + len(paragraph), True, 3))
        start += len(paragraph) + 1
    return lines


def pick(items: list, index: int):  # noqa: ANN001, ANN201
    return items[index % len(items)] if items else None


class History(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="margin-history-"))
        self.project = Project.create(self.folder / "study.margin", coder="VR")
        self.imports = 0

    def teardown(self) -> None:
        self.project.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    @initialize()
    def a_study_begun(self) -> None:
        text = "P: first\nP: second\nP: third\nP: fourth"
        self.project.import_transcript(title="Interview 0", text=text, lines=make_lines(text), participant="P01")
        pet = self.project.create_theme("Outsider", level="pet")
        self.project.create_theme("Corner", parent_id=pet.id)

    # ---------------------------------------------------------------- helpers

    def snapshot(self) -> dict[str, list[tuple]]:
        conn = self.project.conn
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in TABLES}

    def attempt(self, do) -> None:  # noqa: ANN001
        """Run an action; a refusal is a ProjectError with a message, and changes nothing."""
        before = self.snapshot()
        try:
            do()
        except ProjectError as error:
            assert str(error).strip(), "a refusal says why"
            assert "\n" not in str(error)
            assert self.snapshot() == before, f"a refused action changed the file: {error}"

    def theme_ids(self) -> list[int]:
        return [t.id for t in self.project.themes()]

    def transcript_ids(self) -> list[int]:
        return [t.id for t in self.project.transcripts()]

    # ---------------------------------------------------------------- actions

    @rule(name=st.sampled_from(["P01", "P02", "p01", "P03"]))
    def add_participant(self, name: str) -> None:
        self.attempt(lambda: self.project.add_participant(name))

    @precondition(lambda self: self.imports < 2)  # an import seals the history: a few leave undo room
    @rule(lines=st.integers(min_value=1, max_value=4), who=st.sampled_from(["P01", "P02", None]))
    def import_transcript(self, lines: int, who: str | None) -> None:
        self.imports += 1
        text = "\n".join(f"P: words {self.imports}.{n}" for n in range(1, lines + 1))
        self.attempt(lambda: self.project.import_transcript(
            title=f"Interview {self.imports}", text=text, lines=make_lines(text), participant=who))

    @rule(name=NAMES, level=st.sampled_from(["statement", "pet", "get"]), parent=PICK, under=st.booleans())
    def create_theme(self, name: str, level: str, parent: int, under: bool) -> None:
        parent_id = pick(self.theme_ids(), parent) if under else None
        self.attempt(lambda: self.project.create_theme(name, level=level, parent_id=parent_id))

    @rule(theme=PICK, name=NAMES)
    def rename_theme(self, theme: int, name: str) -> None:
        theme_id = pick(self.theme_ids(), theme)
        if theme_id is not None:
            self.attempt(lambda: self.project.update_theme(theme_id, name=name))

    @rule(theme=PICK, under=PICK, top=st.booleans())
    def move_theme(self, theme: int, under: int, top: bool) -> None:
        ids = self.theme_ids()
        theme_id = pick(ids, theme)
        if theme_id is not None:
            self.attempt(lambda: self.project.move(theme_id, None if top else pick(ids, under)))

    @rule(theme=PICK)
    def delete_theme(self, theme: int) -> None:
        theme_id = pick(self.theme_ids(), theme)
        if theme_id is not None:
            self.attempt(lambda: self.project.delete_theme(theme_id))

    @rule(theme=PICK, into=PICK)
    def merge_themes(self, theme: int, into: int) -> None:
        ids = self.theme_ids()
        if ids:
            self.attempt(lambda: self.project.merge(pick(ids, theme), pick(ids, into)))

    @rule(themes=st.lists(PICK, min_size=1, max_size=3), into=PICK, new=st.booleans(), name=NAMES)
    def group_themes(self, themes: list[int], into: int, new: bool, name: str) -> None:
        ids = self.theme_ids()
        if ids:
            chosen = [pick(ids, i) for i in themes]
            if new:
                self.attempt(lambda: self.project.group(chosen, new_name=name))
            else:
                self.attempt(lambda: self.project.group(chosen, into_id=pick(ids, into)))

    @rule(transcript=PICK, theme=PICK, first=st.integers(1, 4), size=st.integers(0, 2), by_name=st.booleans(), name=NAMES)
    def tag(self, transcript: int, theme: int, first: int, size: int, by_name: bool, name: str) -> None:
        transcript_id = pick(self.transcript_ids(), transcript)
        if transcript_id is None:
            return
        if by_name:
            self.attempt(lambda: self.project.tag_by_name(transcript_id, first, first + size, name))
            return
        theme_id = pick(self.theme_ids(), theme)
        if theme_id is not None:
            self.attempt(lambda: self.project.tag(transcript_id, first, first + size, theme_id))

    @rule(coding=PICK)
    def untag(self, coding: int) -> None:
        found = pick(self.project.codings(), coding)
        if found is not None:
            self.attempt(lambda: self.project.untag(found.id))

    @rule(transcript=PICK, first=st.integers(1, 4), kind=st.sampled_from(NOTE_KINDS), body=st.sampled_from(["a", " ", "b"]))
    def add_note(self, transcript: int, first: int, kind: str, body: str) -> None:
        transcript_id = pick(self.transcript_ids(), transcript)
        if transcript_id is not None:
            self.attempt(lambda: self.project.add_note(transcript_id, first, first, kind, body))

    @rule(note=PICK, body=st.sampled_from(["edited", " "]))
    def edit_note(self, note: int, body: str) -> None:
        found = pick(self.project.notes(), note)
        if found is not None:
            self.attempt(lambda: self.project.edit_note(found.id, body=body))

    @rule(note=PICK)
    def delete_note(self, note: int) -> None:
        found = pick(self.project.notes(), note)
        if found is not None:
            self.attempt(lambda: self.project.delete_note(found.id))

    @rule(title=st.sampled_from(["Journal", " "]), about=st.sampled_from(["theme", "coding", "transcript", None]), which=PICK)
    def add_memo(self, title: str, about: str | None, which: int) -> None:
        subject: dict[str, int] = {}
        if about == "theme" and self.theme_ids():
            subject["theme_id"] = pick(self.theme_ids(), which)
        elif about == "coding" and self.project.codings():
            subject["coding_id"] = pick(self.project.codings(), which).id
        elif about == "transcript" and self.transcript_ids():
            subject["transcript_id"] = pick(self.transcript_ids(), which)
        self.attempt(lambda: self.project.add_memo(title, "text", **subject))

    @rule(memo=PICK, body=st.sampled_from(["new text", ""]))
    def edit_memo(self, memo: int, body: str) -> None:
        found = pick(self.project.memos(), memo)
        if found is not None:
            self.attempt(lambda: self.project.edit_memo(found.id, body=body))

    @rule(memo=PICK)
    def delete_memo(self, memo: int) -> None:
        found = pick(self.project.memos(), memo)
        if found is not None:
            self.attempt(lambda: self.project.delete_memo(found.id))

    # ---------------------------------------------------------------- undo and redo

    def step(self, verb: str) -> None:
        step = getattr(self.project, verb)
        offered = getattr(self.project, f"can_{verb}")
        had = offered()
        try:
            event = step()
        except ProjectError as error:
            assert str(error).strip() and "\n" not in str(error)
            if offered():
                try:
                    step()
                except ProjectError:
                    assert not offered(), f"{verb} sticks: it fails again and is still offered"
            return
        assert (event is None) == (not had), f"{verb} returned {event} though can_{verb}() was {had}"

    @rule(times=st.integers(1, 4))
    def undo(self, times: int) -> None:
        for _ in range(times):
            self.step("undo")

    @rule(times=st.integers(1, 2))
    def redo(self, times: int) -> None:
        for _ in range(times):
            self.step("redo")

    # ---------------------------------------------------------------- after every step

    @invariant()
    def the_file_is_sound(self) -> None:
        conn = self.project.conn
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert self.project.check() == []
        assert not conn.in_transaction


History.TestCase.settings = settings(
    max_examples=40, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_history_stays_sound = History.TestCase
