"""Store a read REFI-QDA file in a project: all of it in one transaction, or nothing.

Rows are matched by GUID. What the project lacks is added; what it has already, unchanged, is
left; what it has with different values is listed in the report and only changed when the
caller says `overwrite=True` (a transcript's text is never replaced: its codings would no longer
fit). Sources are wrapped into numbered lines like any import, and a selection that does not
fall on line boundaries becomes the lines it touches (counted as widened).

The domain's public write methods do not take a GUID yet, so the rows are written here with the
domain's own in-action helpers (`Project.action`, `_insert`, `_insert_many`, `_update`), inside one
action.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from tui.formats.output import CancelCheck, Progress, Steps
from tui.formats.refi.read import RefiFile, RefiSource, touched_lines
from tui.formats.refi.write import refi_colour
from tui.formats.transcripts import DEFAULT_WIDTH, TranscriptError, parse_text
from tui.project import LEVELS, NOTE_KINDS, Coding, Line, Memo, Project, ProjectError, Theme

_MAX_SHOWN = 20
_SINGULAR = {"coders": "coder", "participants": "participant", "themes": "theme", "transcripts": "transcript",
             "codings": "coding", "notes": "note", "memos": "memo", "divergent cases": "divergent case"}


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class ImportReport:
    """What an import did, for the command line and the screen."""

    file: str
    added: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    overwritten: dict[str, int] = field(default_factory=dict)
    differing: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    widened: int = 0
    joined: int = 0
    """Codings of the file that came to the same lines and theme as another (once widened): kept as one."""
    counting: str = "code points"
    held: bool = False
    """True when nothing was stored because rows differ and the caller asked to hear of that first."""

    def count(self, bucket: dict[str, int], kind: str) -> None:
        bucket[kind] = bucket.get(kind, 0) + 1

    def lines(self) -> list[str]:
        """The report as short lines of text (no interview text in them)."""
        def counts(bucket: dict[str, int]) -> str:
            return ", ".join(f"{n} {kind if n != 1 else _SINGULAR.get(kind, kind)}"
                             for kind, n in bucket.items() if n) or "nothing"

        out = [f"imported {self.file}: added {counts(self.added)}"]
        if self.unchanged:
            out.append(f"  already in the project, unchanged: {counts(self.unchanged)}")
        if self.overwritten:
            out.append(f"  overwritten from the file: {counts(self.overwritten)}")
        if self.widened:
            out.append(f"  {self.widened} selection{'s' if self.widened != 1 else ''} did not fall on line "
                       "boundaries and now cover the whole lines they touch")
        if self.joined:
            out.append(f"  {self.joined} coding{'s' if self.joined != 1 else ''} came to the same lines and theme as "
                       "another once widened, and joined it")
        if self.counting != "code points":
            out.append(f"  positions were counted in {self.counting} and converted")
        if self.differing:
            out.append(f"  {len(self.differing)} row{'s differ' if len(self.differing) != 1 else ' differs'} from the "
                       f"project and were {'overwritten' if self.overwritten else 'left as they are (use --overwrite to take the file’s)'}:")
            out.extend(f"    {d}" for d in self.differing[:_MAX_SHOWN])
            if len(self.differing) > _MAX_SHOWN:
                out.append(f"    … and {len(self.differing) - _MAX_SHOWN} more")
        for item in self.renamed[:_MAX_SHOWN]:
            out.append(f"  renamed: {item}")
        if self.skipped:
            out.append(f"  skipped {len(self.skipped)}:")
            out.extend(f"    {s}" for s in self.skipped[:_MAX_SHOWN])
            if len(self.skipped) > _MAX_SHOWN:
                out.append(f"    … and {len(self.skipped) - _MAX_SHOWN} more")
        return out


def _has(cls: type, name: str) -> bool:
    return any(f.name == name for f in dataclasses.fields(cls))


def _level_for(tag: str | None, levels: tuple[str, ...]) -> str:
    """margin's level tag as a level of this project's method (by rank when the methods differ)."""
    if tag in levels:
        return tag  # type: ignore[return-value]
    for other in LEVELS.values():
        if tag in other:
            return levels[min(other.index(tag), len(levels) - 1)]
    return levels[0]


class _Merge:
    def __init__(self, project: Project, refi: RefiFile, report: ImportReport, overwrite: bool,
                 width: int, steps: Steps) -> None:
        self.p = project
        self.refi = refi
        self.report = report
        self.overwrite = overwrite
        self.width = width
        self.steps = steps
        self.coder_ids: dict[str, int] = {}
        self.participant_ids: dict[str, int] = {}
        self.theme_ids: dict[str, int] = {}
        self.transcript_ids: dict[str, int] = {}
        self.usable_transcripts: set[str] = set()
        self.coding_ids: dict[str, int] = {}
        self.note_home: dict[str, tuple[str, Any]] = {}
        self.line_spans: dict[int, tuple[list[int], list[int]]] = {}

    # ------------------------------------------------------------------ helpers

    def differs(self, what: str, changes: dict[str, tuple[Any, Any]], table: str, row_id: int,
                values: dict[str, Any]) -> None:
        """Record a row that differs; overwrite it when asked."""
        fields = ", ".join(changes)
        self.report.differing.append(f"{what}: {fields}")
        if self.overwrite and values:
            self.p._update(table, row_id, **values)
            self.report.count(self.report.overwritten, table)
        else:
            self.report.count(self.report.unchanged, table)

    def coder(self, guid: str | None) -> int | None:
        if guid is None:
            return None
        return self.coder_ids.get(guid)

    # ------------------------------------------------------------------ rows

    def users(self) -> None:
        existing = {c.guid.lower(): c for c in self.p.coders()}
        by_name = {c.name: c for c in self.p.coders()}
        from tui.formats.refi.write import UNKNOWN_CODER

        for user in self.refi.users:
            if user.guid == UNKNOWN_CODER:
                continue  # margin's stand-in for "no coder recorded"
            if user.guid in existing:
                self.coder_ids[user.guid] = existing[user.guid].id
                self.report.count(self.report.unchanged, "coders")
            elif user.name in by_name:
                self.coder_ids[user.guid] = by_name[user.name].id
                self.report.count(self.report.unchanged, "coders")
            else:
                row = self.p._insert("coders", {"guid": user.guid, "name": user.name})
                self.coder_ids[user.guid] = row["id"]
                by_name[user.name] = row  # type: ignore[assignment]
                self.report.count(self.report.added, "coders")

    def cases(self) -> None:
        existing = {p.guid.lower(): p for p in self.p.participants()}
        by_name = {p.pseudonym.casefold(): p for p in self.p.participants()}
        for case in self.refi.cases:
            found = existing.get(case.guid)
            if found is not None:
                self.participant_ids[case.guid] = found.id
                changes: dict[str, tuple[Any, Any]] = {}
                values: dict[str, Any] = {}
                if found.pseudonym != case.name and case.name.casefold() not in by_name:
                    changes["pseudonym"] = (found.pseudonym, case.name)
                    values["pseudonym"] = case.name
                if found.attributes != case.attributes:
                    changes["attributes"] = (found.attributes, case.attributes)
                    values["attributes"] = json.dumps(case.attributes, ensure_ascii=False)
                if changes:
                    self.differs(f"participant {found.pseudonym}", changes, "participants", found.id, values)
                else:
                    self.report.count(self.report.unchanged, "participants")
                continue
            same_name = by_name.get(case.name.casefold())
            if same_name is not None:
                self.participant_ids[case.guid] = same_name.id
                self.report.renamed.append(f"case {case.name} joined participant {same_name.pseudonym} (same pseudonym)")
                continue
            row = self.p._insert("participants", {
                "guid": case.guid, "pseudonym": case.name,
                "attributes": json.dumps(case.attributes, ensure_ascii=False), "created_at": _now(),
            })
            self.participant_ids[case.guid] = row["id"]
            by_name[case.name.casefold()] = self.p.participant(row["id"])
            self.report.count(self.report.added, "participants")

    def codes(self) -> None:
        themes = self.p.themes()
        existing = {t.guid.lower(): t for t in themes}
        taken = {(t.parent_id, t.participant_id, t.name.casefold()) for t in themes}
        levels = self.p.levels
        strategy = _has(Theme, "strategy")
        for code in self.refi.codes:  # parents come before their children
            parent_id = self.theme_ids.get(code.parent) if code.parent else None
            level = _level_for(code.tags.get("level"), levels)
            scope = self.participant_ids.get(code.tags.get("case", "")) if code.tags.get("case") else None
            colour = refi_colour(code.colour)
            found = existing.get(code.guid)
            if found is not None:
                self.theme_ids[code.guid] = found.id
                wanted = {"name": code.name, "parent_id": parent_id, "description": code.description}
                if colour and colour != refi_colour(found.colour):
                    wanted["colour"] = colour
                if code.tags.get("level"):
                    wanted["level"] = level
                changes = {k: (getattr(found, k), v) for k, v in wanted.items() if getattr(found, k) != v}
                if changes:
                    self.differs(f"theme {found.name}", changes, "themes", found.id, {k: v for k, (_, v) in changes.items()})
                else:
                    self.report.count(self.report.unchanged, "themes")
                continue
            name = " ".join(code.name.split()) or "(unnamed code)"
            unique, n = name, 2
            while (parent_id, scope, unique.casefold()) in taken:
                unique, n = f"{name} ({n})", n + 1
            if unique != name:
                self.report.renamed.append(f"theme '{name}' is '{unique}' (a theme beside it has that name)")
            taken.add((parent_id, scope, unique.casefold()))
            row: dict[str, Any] = {
                "guid": code.guid, "name": unique, "parent_id": parent_id, "level": level,
                "participant_id": scope, "description": code.description, "colour": colour, "created_at": _now(),
            }
            if strategy and code.tags.get("strategy") in _strategies():
                row["strategy"] = code.tags["strategy"]
            self.theme_ids[code.guid] = self.p._insert("themes", row)["id"]
            self.report.count(self.report.added, "themes")
            self.steps.check()
        for guid, notes in self.refi.code_notes.items():
            for note in notes:
                self.note_home.setdefault(note, ("theme", guid))

    def sources(self) -> None:
        existing = {t.guid.lower(): t for t in self.p.transcripts()}
        case_of: dict[str, str] = {}
        for case in self.refi.cases:
            for source in case.sources:
                case_of.setdefault(source, case.guid)
        takes_guid = "guid" in inspect.signature(self.p.import_transcript).parameters
        for source in self.refi.sources:
            self.steps.check()
            participant_id = self.participant_ids.get(case_of.get(source.guid, ""))
            found = existing.get(source.guid)
            if found is not None:
                self.transcript_ids[source.guid] = found.id
                text = self._text(found)
                if text != source.text:
                    self.report.differing.append(
                        f"transcript {found.title}: text (kept; its codings and notes in the file were not imported)"
                    )
                    self.report.count(self.report.unchanged, "transcripts")
                    self.steps.step()
                    continue
                self.usable_transcripts.add(source.guid)
                changes, values = {}, {}
                if found.title != source.name:
                    changes["title"], values["title"] = (found.title, source.name), source.name
                if participant_id is not None and found.participant_id != participant_id:
                    changes["participant"], values["participant_id"] = (found.participant_id, participant_id), participant_id
                if changes:
                    self.differs(f"transcript {found.title}", changes, "transcripts", found.id, values)
                else:
                    self.report.count(self.report.unchanged, "transcripts")
                self._selections(source, found.id, self.p.lines(found.id))
                self.steps.step()
                continue
            width = source.width or self.width
            if source.lines is not None:  # margin's own export: the lines as they were, speakers and times kept
                text = source.text
                cut = [Line(number, speaker, text[start:end], start, end, turn, label, stamp)
                       for number, (start, end, speaker, turn, label, stamp) in enumerate(source.lines, 1)]
            else:
                try:
                    parsed = parse_text(source.text, title=source.name, width=width, guess=False)
                except TranscriptError as error:
                    raise ProjectError(f"{self.report.file}: source '{source.name}': {error}") from None
                text, cut = parsed.text, parsed.lines
            keywords: dict[str, Any] = {
                "title": source.name, "text": text, "lines": cut, "participant": None,
                "source": self.report.file, "format": "txt", "encoding": "utf-8", "width": width,
            }
            if takes_guid:
                keywords["guid"] = source.guid
            transcript = self.p.import_transcript(**keywords)
            if not takes_guid:
                self.p._update("transcripts", transcript.id, guid=source.guid)
            if participant_id is not None:
                self.p._update("transcripts", transcript.id, participant_id=participant_id)
            self.transcript_ids[source.guid] = transcript.id
            self.usable_transcripts.add(source.guid)
            self.report.count(self.report.added, "transcripts")
            self._selections(source, transcript.id, cut)
            self.steps.step()

    def _text(self, transcript: Any) -> str:
        reader = getattr(self.p, "transcript_text", None)
        return reader(transcript.id) if reader is not None else self.p.transcript(transcript.id).text

    def _selections(self, source: RefiSource, transcript_id: int, lines: list[Any]) -> None:
        starts = [line.start for line in lines]
        ends = [line.end for line in lines]
        self.line_spans[transcript_id] = (starts, ends)
        text = source.text
        existing_codings = {c.guid.lower(): c for c in self.p.codings(transcript_id=transcript_id)}
        keys = {(c.theme_id, c.first_line, c.last_line) for c in existing_codings.values()}
        made_here: set[tuple[int, int, int]] = set()
        new_rows: list[dict[str, Any]] = []
        key_quote = _has(Coding, "key_quote")
        for note in source.notes:
            self.note_home.setdefault(note, ("transcript", transcript_id))
        for selection in source.selections:
            start, end = selection.start, selection.end
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            span = touched_lines(starts, ends, start, end)
            if span is None or start == end:
                self.report.skipped.append(f"a selection at {selection.start}-{selection.end} of '{source.name}' "
                                           "covers no text")
                continue
            first, last = span
            if start != starts[first - 1] or end != ends[last - 1]:
                self.report.widened += 1
            for note in selection.notes:
                self.note_home.setdefault(note, ("lines", (transcript_id, first, last, selection)))
            for coding_guid, code, user, created, notes in selection.codings:
                theme_id = self.theme_ids.get(code)
                if theme_id is None:
                    self.report.skipped.append(f"a coding of '{source.name}' with a code the file does not define")
                    continue
                found = existing_codings.get(coding_guid or "")
                if found is not None:
                    self.coding_ids[found.guid] = found.id
                    wanted = {"theme_id": theme_id, "first_line": first, "last_line": last}
                    changes = {k: (getattr(found, k), v) for k, v in wanted.items() if getattr(found, k) != v}
                    if changes:
                        self.differs(f"coding of lines {found.first_line}-{found.last_line} in '{source.name}'",
                                     changes, "codings", found.id, wanted)
                    else:
                        self.report.count(self.report.unchanged, "codings")
                    continue
                if (theme_id, first, last) in keys:
                    if (theme_id, first, last) in made_here:
                        self.report.joined += 1  # two selections of the file, the same lines once widened
                    else:
                        self.report.count(self.report.unchanged, "codings")
                    continue
                keys.add((theme_id, first, last))
                made_here.add((theme_id, first, last))
                row: dict[str, Any] = {
                    "guid": coding_guid or _new_guid(), "transcript_id": transcript_id, "first_line": first,
                    "last_line": last, "theme_id": theme_id, "coder_id": self.coder(user),
                    "created_at": created or _now(),
                }
                if key_quote and selection.key_quote:
                    row["key_quote"] = 1
                new_rows.append(row)
                for note in notes:
                    self.note_home.setdefault(note, ("coding", row["guid"]))
                self.report.count(self.report.added, "codings")
        self._insert_codings(new_rows)

    def _insert_codings(self, rows: list[dict[str, Any]]) -> None:
        """Store a source's new codings in one go (one statement, not one per coding) and keep their ids."""
        for row, coding_id in zip(rows, self.p._insert_many("codings", rows)):
            self.coding_ids[row["guid"]] = coding_id

    def notes(self) -> None:
        existing_memos = {m.guid.lower(): m for m in self.p.memos()}
        existing_notes: dict[str, Any] = {}
        for transcript_id in set(self.transcript_ids.values()):
            for note in self.p.notes(transcript_id):
                existing_notes[note.guid.lower()] = note
        memo_fields = {f.name for f in dataclasses.fields(Memo)}
        for guid in self.refi.project_notes:
            self.note_home.setdefault(guid, ("project", None))
        for guid, note in self.refi.notes.items():
            self.steps.check()
            home, where = self.note_home.get(guid, ("project", None))
            tags = note.tags
            body = note.text
            if "divergence" in tags:
                _divergence(self, note)
                continue
            if home == "transcript" and "note" in tags and re.fullmatch(r"\d+-\d+", tags.get("at", "")):
                # margin's exploratory note, hung from its source with its characters in the tag
                starts, ends = self.line_spans.get(where, ([], []))
                begin, _, finish = tags["at"].partition("-")
                span = touched_lines(starts, ends, int(begin), int(finish))
                if span is not None:
                    home, where = "lines", (where, span[0], span[1], None)
            if home == "lines" and "memo" not in tags:
                transcript_id, first, last, _ = where
                kind = tags.get("note") if tags.get("note") in NOTE_KINDS else "descriptive"
                text = body.strip() or note.name or "(empty note)"
                found = existing_notes.get(guid)
                if found is not None:
                    wanted = {"kind": kind, "body": text, "first_line": first, "last_line": last}
                    changes = {k: (getattr(found, k), v) for k, v in wanted.items() if getattr(found, k) != v}
                    if changes:
                        self.differs(f"note on lines {found.first_line}-{found.last_line}", changes, "notes",
                                     found.id, wanted)
                    else:
                        self.report.count(self.report.unchanged, "notes")
                    continue
                self.p._insert("notes", {
                    "guid": guid, "transcript_id": transcript_id, "first_line": first, "last_line": last,
                    "kind": kind, "body": text, "coder_id": self.coder(note.user), "created_at": note.created or _now(),
                })
                self.report.count(self.report.added, "notes")
                continue
            row: dict[str, Any] = {"guid": guid, "title": note.name or _title_from(body), "body": body,
                                   "created_at": note.created or _now(),
                                   "participant_id": None, "transcript_id": None, "theme_id": None}
            if home == "theme":
                row["theme_id"] = self.theme_ids.get(where)
            elif home == "transcript":
                row["transcript_id"] = where
            elif home == "lines":
                row["transcript_id"] = where[0]
            elif home == "coding":  # `where` is the coding's GUID: its id is known once its source is stored
                coding_id = self.coding_ids[where]
                if "coding_id" in memo_fields:
                    row["coding_id"] = coding_id
                else:
                    row["transcript_id"] = next((c.transcript_id for c in self.p.codings() if c.id == coding_id), None)
            if tags.get("participant"):
                row["participant_id"] = self.participant_ids.get(tags["participant"])
            if "stage" in memo_fields and tags.get("stage") in _stages():
                row["stage"] = tags["stage"]
            if "coder_id" in memo_fields:
                row["coder_id"] = self.coder(note.user)
            if "updated_at" in memo_fields and tags.get("updated"):
                row["updated_at"] = tags["updated"]
            found_memo = existing_memos.get(guid)
            if found_memo is not None:
                wanted = {"title": row["title"], "body": body}
                changes = {k: (getattr(found_memo, k), v) for k, v in wanted.items() if getattr(found_memo, k) != v}
                if changes:
                    self.differs(f"memo {found_memo.title}", changes, "memos", found_memo.id, wanted)
                else:
                    self.report.count(self.report.unchanged, "memos")
                continue
            self.p._insert("memos", row)
            self.report.count(self.report.added, "memos")


def _divergence(job: _Merge, note: Any) -> None:
    """A divergent case (margin's own tagged Note) marked again on its GET."""
    tags = note.tags
    theme_id = job.theme_ids.get(tags.get("theme", ""))
    participant_id = job.participant_ids.get(tags.get("participant", ""))
    if theme_id is None or participant_id is None or not hasattr(job.p, "mark_divergence"):
        job.report.skipped.append("a divergent case whose theme or participant is not in the file")
        return
    from tui.project import analysis

    coding_id = job.coding_ids.get(tags.get("coding", ""))
    found = next((d for d in analysis.divergences(job.p, theme_id) if d.participant_id == participant_id), None)
    if found is not None:
        if found.note == note.text.strip():
            job.report.count(job.report.unchanged, "divergent cases")
            return
        job.report.differing.append(f"divergent case {found.pseudonym}: note")
        if not job.overwrite:
            job.report.count(job.report.unchanged, "divergent cases")
            return
        job.report.count(job.report.overwritten, "divergent cases")
    else:
        job.report.count(job.report.added, "divergent cases")
    job.p.mark_divergence(theme_id, participant_id, coding_id, note.text)


def _stages() -> tuple[str, ...]:
    from tui.project import model

    return tuple(getattr(model, "STAGES", ()))


def _strategies() -> tuple[str, ...]:
    from tui.project import model

    return tuple(getattr(model, "STRATEGIES", ()))


def _title_from(body: str) -> str:
    words = " ".join(body.split())
    return (words[:60] + "…") if len(words) > 60 else (words or "Note")


def _new_guid() -> str:
    return str(uuid.uuid4())


class _Hold(Exception):
    """Roll the import back: rows differ and the caller asks the user before anything is stored."""


def merge(
    project: Project, refi: RefiFile, *, file_name: str, overwrite: bool = False, width: int = DEFAULT_WIDTH,
    progress: Progress | None = None, cancelled: CancelCheck | None = None, hold_if_differing: bool = False,
) -> ImportReport:
    """Store `refi` in `project` as one action; ProjectError (and nothing changed) on any problem.

    With `hold_if_differing`, an import that finds rows differing from the project's stores
    nothing and returns its report with `held` set, so that the user can choose to overwrite
    them or keep the project's before it is run again.
    """
    report = ImportReport(file=file_name, counting=refi.counting)
    report.skipped.extend(refi.skipped)
    steps = Steps(progress, cancelled, total=len(refi.sources) + 2)
    steps.check()
    try:
        # The lines of all the file's sources go into the search index together, at the end.
        with project.action("import.refi", f"import {file_name}", undoable=False), project.lines_indexed_together():
            job = _Merge(project, refi, report, overwrite, width, steps)
            job.users()
            job.cases()
            job.codes()
            steps.step()
            job.sources()
            job.notes()
            steps.step()
            if hold_if_differing and report.differing:
                raise _Hold()
    except _Hold:
        report.held = True
    return report
