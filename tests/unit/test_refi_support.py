"""Shared helpers of the REFI-QDA, CSV and report tests: a small fictional study, and the schemas.

(No tests here; the name keeps it beside the tests that use it.)
"""

from __future__ import annotations

import zipfile
from functools import lru_cache
from pathlib import Path

import xmlschema

from tui.formats.transcripts import parse_text
from tui.project import Project

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "tests" / "refi-schemas"
FIXTURES = REPO / "fixtures" / "refi"
SHARED_SAMPLES = REPO.parent / "shared" / "refi-qda" / "samples"

INTERVIEW_7 = (
    "Interviewer: How was your first week on the ward?\n"
    "P07: Honestly? I felt a bit lost on the ward. You stand in the corner of the room during the "
    "ward round and you're trying not to get in anyone's way [laughs]. So the bulletin felt like a "
    "chance to belong 🙂 somewhere.\n"
    "Interviewer: And later?\n"
    "P07: Later the nurses asked me what I had written [pause] and that was the first time I felt "
    "part of the team.\n"
)
INTERVIEW_9 = (
    "Interviewer: Tell me about writing for the bulletin.\n"
    "P09: It was scary at first, putting my name on something everyone reads. I worried about "
    "being wrong in front of the consultants [inaudible 00:14:32] but nobody laughed.\n"
)


@lru_cache(maxsize=None)
def schema(kind: str) -> xmlschema.XMLSchema:
    """The official schema: `project` or `codebook`."""
    return xmlschema.XMLSchema(str(SCHEMAS / ("Project.xsd" if kind == "project" else "Codebook.xsd")))


def validate_qdpx(path: Path) -> str:
    """Validate a .qdpx file's project.qde against the schema; return the XML text."""
    with zipfile.ZipFile(path) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    schema("project").validate(qde)
    return qde


def add_transcript(project: Project, title: str, text: str, participant: str | None, width: int = 60):
    parsed = parse_text(text, title=title, width=width)
    return project.import_transcript(title=title, text=parsed.text, lines=parsed.lines,
                                     participant=participant, width=width)


def build_study(path: Path) -> Project:
    """A two-participant IPA study with every kind of row REFI-QDA carries."""
    project = Project.create(path, coder="VR", title="Ward bulletin study")
    project.add_participant("P07", {"year": "4", "site": "paediatrics"})
    project.add_participant("P09", {"year": "5"})
    t7 = add_transcript(project, "Interview 7", INTERVIEW_7, "P07")
    t9 = add_transcript(project, "Interview 9", INTERVIEW_9, "P09")
    p7, p9 = t7.participant_id, t9.participant_id
    get = project.create_theme("Belonging <b>", level="get", colour="#3a7", description="Becoming one of the team")
    pet7 = project.create_theme("Outsider on the ward", level="pet", parent_id=get.id, participant_id=p7)
    pet9 = project.create_theme("Fear of exposure", level="pet", parent_id=get.id, participant_id=p9)
    corner = project.create_theme("Standing in the corner", level="statement", parent_id=pet7.id, participant_id=p7)
    team = project.create_theme("Part of the team", level="statement", parent_id=pet7.id, participant_id=p7)
    scary = project.create_theme("Name on the page", level="statement", parent_id=pet9.id, participant_id=p9)
    chance = project.create_theme("A chance to belong", level="statement", parent_id=pet7.id, participant_id=p7)
    project.tag(t7.id, 2, 4, corner.id)  # lines 2-4 hold "[laughs]"
    project.tag(t7.id, 5, 5, chance.id)  # line 5 holds an emoji, one code point
    project.tag(t7.id, 7, 8, team.id)
    project.tag(t9.id, 2, 3, scary.id)
    project.tag(t7.id, 3, 3, pet7.id)  # a PET coded directly: codable although it has children
    project.add_note(t7.id, 2, 2, "conceptual", "the corner as a place of exclusion")
    project.add_note(t9.id, 3, 3, "linguistic", "'scary' repeated; hedging")
    project.add_memo("First reading", "I recognise my own first week here; bracket it.")
    project.add_memo("On belonging", "Belonging is earned by writing?", theme_id=get.id)
    project.add_memo("P09 case", "Quiet, careful answers.", participant_id=p9)
    project.add_memo("Interview 7 context", "Recorded after a night shift.", transcript_id=t7.id)
    return project
