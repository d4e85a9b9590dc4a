"""Build the bundled demo study: fictional interviews and a partial IPA analysis."""

from __future__ import annotations

import bisect
import json
import os
from pathlib import Path
from typing import Any

from tui.formats.importer import import_file
from tui.project.model import Line
from tui.project import Project, ProjectError


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
        if attributes and transcript.participant_id is not None:
            project.set_participant_attributes(transcript.participant_id, attributes)
    participants = {p.pseudonym: p.id for p in project.participants()}
    theme_ids: dict[str, int] = {}

    # Every theme is made on its own first, then grouped upward as a researcher would: statements
    # into PETs, PETs into GETs, each grouping with its strategy, so each GET's history says how
    # it came to be.
    def add_themes(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            theme = project.create_theme(
                node["name"], level=node.get("level"),
                participant_id=participants.get(node.get("participant", "")),
                description=node.get("description", ""),
            )
            theme_ids[theme.name] = theme.id
            add_themes(node.get("children", []))

    def group_themes(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            children = node.get("children", [])
            group_themes(children)
            if children:
                project.group([theme_ids[c["name"]] for c in children], into_id=theme_ids[node["name"]],
                              strategy=node.get("strategy"))

    themes = study.get("themes", [])
    add_themes(themes)
    group_themes(themes)
    for coding in study.get("codings", []):
        tid = transcripts[coding["participant"]]
        first, last = _locate(project, tid, coding["quote"])
        made = project.tag(tid, first, last, theme_ids[coding["theme"]])
        if coding.get("key_quote"):
            project.mark_key_quote(made.id)
    for note in study.get("notes", []):
        first, last = _locate(project, transcripts[note["participant"]], note["quote"])
        project.add_note(transcripts[note["participant"]], first, last, note["kind"], note["body"])
    for divergence in study.get("divergences", []):
        tid = transcripts[divergence["participant"]]
        first, last = _locate(project, tid, divergence["quote"])
        quote = next((c.id for c in project.codings(tid) if c.first_line <= first and c.last_line >= last), None)
        project.mark_divergence(theme_ids[divergence["get"]], participants[divergence["participant"]], quote,
                                divergence.get("note", ""))
    for memo in study.get("memos", []):
        about = {"theme_id": theme_ids[memo["on"]]} if memo.get("on") else {}
        project.add_memo(memo["title"], memo.get("body", ""), stage=memo.get("stage"),
                         created_at=memo.get("date"), **about)
    for entry in study.get("participants", []):
        if entry.get("case_done"):
            project.mark_case_done(participants[entry["pseudonym"]])
    # The demo's own building is not something a newcomer should be able to undo.
    project.seal_history()


def _locate(project: Project, transcript_id: int, quote: str) -> tuple[int, int]:
    text = project.transcript_text(transcript_id)
    start = text.find(quote)
    if start < 0:
        raise ProjectError(f"demo study: quote not found in transcript {transcript_id}: {quote[:40]}…")
    return lines_spanning(project.lines(transcript_id), start, start + len(quote))
