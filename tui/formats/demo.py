"""Build the bundled demo study: fictional interviews and a partial IPA analysis."""

from __future__ import annotations

import bisect
import json
import os
from pathlib import Path
from typing import Any

from tui.formats.importer import import_file
from tui.project.model import Line
from tui.project.store import Project, ProjectError


def demo_dir() -> Path:
    """Where the demo study's files are: inside the installed package, or in the checkout."""
    packaged = Path(__file__).resolve().parent.parent / "demo_study"
    if (packaged / "study.json").is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "fixtures" / "demo"


def lines_spanning(lines: list[Line], start: int, end: int) -> tuple[int, int]:
    """The first and last line numbers that the characters start..end of the text fall on."""
    starts = [line.start for line in lines]
    first = max(bisect.bisect_right(starts, start) - 1, 0)
    last = max(bisect.bisect_left(starts, end) - 1, first)
    return lines[first].number, lines[last].number


def build_demo(path: Path, *, coder: str | None = None) -> Project:
    """Create the demo project at `path` (which must not exist), all or nothing."""
    source = demo_dir()
    try:
        study: dict[str, Any] = json.loads((source / "study.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ProjectError(f"the demo study is missing or damaged in {source}: {error}") from None
    if path.exists():
        raise ProjectError(f"{path}: already exists")
    if not path.parent.is_dir():
        raise ProjectError(f"{path}: folder {path.parent} does not exist")
    part = path.with_name(f".{path.name}.{os.getpid()}.building")
    part.unlink(missing_ok=True)
    project = Project.create(part, method=study.get("method", "ipa"), coder=study.get("coder"), title=study.get("title"))
    try:
        _load_study(project, study, source)
        project.set_coder(coder or study.get("coder") or "demo")
        project.close()
        os.replace(part, path)
    except BaseException:
        project.close()
        part.unlink(missing_ok=True)
        raise
    return Project.open(path, coder=coder or study.get("coder"))


def _load_study(project: Project, study: dict[str, Any], source: Path) -> None:
    transcripts: dict[str, int] = {}
    for entry in study.get("participants", []):
        pseudonym = entry["pseudonym"]
        transcript = import_file(project, source / entry["file"], participant=pseudonym)
        transcripts[pseudonym] = transcript.id
        attributes = entry.get("attributes") or {}
        if attributes:
            with project.action("participant.attributes", f"describe {pseudonym}", undoable=False):
                project.conn.execute(
                    "UPDATE participants SET attributes = ? WHERE pseudonym = ?",
                    (json.dumps(attributes, ensure_ascii=False), pseudonym),
                )
    participants = {p.pseudonym: p.id for p in project.participants()}
    theme_ids: dict[str, int] = {}

    def add_themes(nodes: list[dict[str, Any]], parent: int | None) -> None:
        for node in nodes:
            theme = project.create_theme(
                node["name"], level=node.get("level"), parent_id=parent,
                participant_id=participants.get(node.get("participant", "")),
                description=node.get("description", ""),
            )
            theme_ids[theme.name] = theme.id
            add_themes(node.get("children", []), theme.id)

    add_themes(study.get("themes", []), None)
    for coding in study.get("codings", []):
        first, last = _locate(project, transcripts[coding["participant"]], coding["quote"])
        project.tag(transcripts[coding["participant"]], first, last, theme_ids[coding["theme"]])
    for note in study.get("notes", []):
        first, last = _locate(project, transcripts[note["participant"]], note["quote"])
        project.add_note(transcripts[note["participant"]], first, last, note["kind"], note["body"])
    for memo in study.get("memos", []):
        project.add_memo(memo["title"], memo.get("body", ""))
    # The demo's own building is not something a newcomer should be able to undo.
    project.conn.execute("UPDATE events SET state = 'final' WHERE state = 'done'")


def _locate(project: Project, transcript_id: int, quote: str) -> tuple[int, int]:
    text = project.transcript(transcript_id).text
    start = text.find(quote)
    if start < 0:
        raise ProjectError(f"demo study: quote not found in transcript {transcript_id}: {quote[:40]}…")
    return lines_spanning(project.lines(transcript_id), start, start + len(quote))
