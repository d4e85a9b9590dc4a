"""Hostile text, as a property test over margin's screens and its exports.

Hypothesis draws the names, titles, lines, theme names, notes and memos of a project from text
full of terminal control (ESC/CSI/OSC/DCS, C1, NUL, DEL, BEL, bidi overrides, combining marks,
emoji, wide CJK, markup); every screen is then drawn and what it would send to the terminal is
read back: no control character from the data is in it. The exports that are XML (REFI-QDA
project and codebook, docx) stay well-formed.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability.hostile import hostile_text, named, raw_controls
from tui import cli
from tui.app import MarginApp
from tui.formats.transcripts import parse_text
from tui.project import Project, ProjectError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pilot"))
from modal_harness import screen_text  # noqa: E402

SIZE = (100, 30)
WORDS = st.fixed_dictionaries({
    "participant": hostile_text(), "title": hostile_text(), "line": hostile_text(max_size=80),
    "theme": hostile_text(), "note": hostile_text(max_size=80), "memo": hostile_text(), "body": hostile_text(),
})


def _build(path: Path, words: dict[str, str]) -> Project:
    project = Project.create(path, coder="VR")
    text = f"Interviewer: Tell me {words['line']} more.\nP01: Well {words['line']}.\nInterviewer: Thanks.\n"
    parsed = parse_text(text, title="T")
    for title, participant in ((f"T {words['title']}", f"P {words['participant']}"), ("Plain", "Q")):
        try:
            transcript = project.import_transcript(title=title, text=parsed.text, lines=parsed.lines,
                                                   participant=participant, source="s.txt")
        except ProjectError:  # a name margin refuses (only blanks, say): the plain one follows
            continue
        for theme in (f"Th {words['theme']}", "Theme"):
            try:
                project.tag_by_name(transcript.id, 2, 2, theme)
                break
            except ProjectError:
                continue
        project.add_note(transcript.id, 1, 1, "descriptive", f"N {words['note']}")
        break
    project.add_memo(f"M {words['memo']}", f"B {words['body']}")
    return project


def _clean(where: str, shown: str) -> None:
    found = raw_controls(shown, lines=True)
    assert not found, f"{where}: {named(found)}"


@given(WORDS)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_screen_shows_hostile_text_as_symbols(words: dict[str, str]) -> None:
    async def visit(project: Project) -> None:
        app = MarginApp(project)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            _clean("project screen", screen_text(app))
            await pilot.press("enter")
            await pilot.pause()
            _clean("workspace", screen_text(app))
            for key, where in (("e", "note editor"), ("b", "theme board"), ("M", "memos"), ("T", "GET table"),
                               ("question_mark", "help"), ("E", "export")):
                await pilot.press(key)
                await pilot.pause()
                await pilot.pause()
                _clean(where, screen_text(app))
                await pilot.press("escape")
                await pilot.pause()
            await pilot.press("q")
            await pilot.pause()
            await pilot.press("ctrl+q")

    with tempfile.TemporaryDirectory() as folder:
        project = _build(Path(folder) / "study.margin", words)
        try:
            asyncio.run(visit(project))
        finally:
            project.close()


@given(WORDS)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_xml_exports_stay_well_formed(words: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "study.margin"
        _build(path, words).close()
        for kind in ("qdc", "qdpx", "docx"):
            out = Path(folder) / f"out.{kind}"
            assert cli.main(["export", str(path), "--format", kind, "--output", str(out)]) == 0
            if kind == "qdc":
                ET.parse(out)
                continue
            with zipfile.ZipFile(out) as archive:
                for name in archive.namelist():
                    if name.endswith((".qde", ".xml")):
                        ET.fromstring(archive.read(name))
