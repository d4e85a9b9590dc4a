"""One read of the analysis that every report prints: Markdown, HTML and Word see the same thing.

`build_snapshot(project)` reads the project once, through its public read methods and the
analysis read model (`tui.project.analysis`), into plain frozen dataclasses; the writers only
lay them out. Text is kept exactly as stored (transcription notation such as `[laughs]` too);
each writer escapes it for its own format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from tui.formats.output import CancelCheck, Progress, Steps
from tui.formats.refi.write import transcript_text
from tui.project import LEVEL_LABELS, NOTE_LETTERS, Project
from tui.project import analysis

#: What each level is called in a report, by method: (top, middle, lowest).
NAMES = {
    "ipa": ("Group experiential theme", "Personal experiential theme", "Experiential statement"),
    "ta": ("Theme", "Theme", "Code"),
}
_STAGE_ORDER = ("reading", "exploratory notes", "statements", "PETs", "GETs", "writing up")


@dataclass(frozen=True)
class Quote:
    """An extract as a report cites it."""

    citation: str
    text: str
    theme: str = ""


@dataclass(frozen=True)
class GetSection:
    """One GET (TA: theme) with what grounds it."""

    name: str
    description: str
    strategy: str | None
    cells: tuple[str, ...]
    recurrence: int
    total: int
    contributors: tuple[str, ...]
    pets: tuple[tuple[str, str, int], ...]
    divergences: tuple[tuple[str, str, str], ...]
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class PetSection:
    name: str
    description: str
    statements: tuple[tuple[str, tuple[Quote, ...]], ...]
    own: tuple[Quote, ...] = ()


@dataclass(frozen=True)
class ParticipantPets:
    pseudonym: str
    pets: tuple[PetSection, ...]


@dataclass(frozen=True)
class IpaRow:
    """One numbered line of a transcript with its notes and statements beside it."""

    number: int
    text: str
    notes: tuple[str, ...] = ()
    statements: tuple[str, ...] = ()


@dataclass(frozen=True)
class TranscriptTable:
    title: str
    pseudonym: str | None
    rows: tuple[IpaRow, ...]


@dataclass(frozen=True)
class JournalEntry:
    title: str
    date: str
    body: str
    about: str = ""


@dataclass(frozen=True)
class Snapshot:
    """Everything a report prints."""

    title: str
    method: str
    made_at: str
    names: tuple[str, str, str]
    columns: tuple[str, ...]
    gets: tuple[GetSection, ...]
    participants: tuple[ParticipantPets, ...]
    transcripts: tuple[TranscriptTable, ...] = ()
    journal: tuple[tuple[str, tuple[JournalEntry, ...]], ...] = ()
    counts: dict[str, int] = field(default_factory=dict)


def _quote(extract: analysis.Extract) -> Quote:
    return Quote(extract.citation, extract.text, extract.theme)


def _gets(project: Project, table: analysis.GetTable, steps: Steps) -> tuple[GetSection, ...]:
    columns = table.participants
    sections = []
    for row in table.rows:
        cells = []
        for pid, _ in columns:
            cell = row.cells.get(pid)
            if cell is None or not cell.extracts:
                cells.append("")
            elif cell.pets:
                cells.append("; ".join(f"{name} ({n})" for _, name, n in cell.pets))
            else:
                cells.append(f"{cell.extracts} extract{'s' if cell.extracts != 1 else ''}")
        contributors = tuple(p for pid, p in columns if row.cells.get(pid) and row.cells[pid].extracts)
        pets = tuple((p, name, n) for pid, p in columns if pid in row.cells for _, name, n in row.cells[pid].pets)
        quotes: list[Quote] = []
        by_participant: dict[int | None, list[analysis.Extract]] = {}
        for extract in analysis.extracts(project, row.theme_id):
            by_participant.setdefault(extract.participant_id, []).append(extract)
        for pid, _ in columns:
            cell = row.cells.get(pid)
            if cell is not None and cell.key_quote is not None:
                quotes.append(_quote(cell.key_quote))
                continue
            mine = by_participant.get(pid, [])
            marked = [e for e in mine if e.key_quote]
            if marked or mine:
                quotes.append(_quote((marked or mine)[0]))
        divergences = tuple(
            (d.pseudonym, d.note, d.quote.citation if d.quote is not None else "") for d in row.divergences
        )
        sections.append(GetSection(row.name, row.description, row.strategy, tuple(cells), row.recurrence,
                                   table.total, contributors, pets, divergences, tuple(quotes)))
        steps.check()
    return tuple(sections)


def _participants(project: Project, table: analysis.GetTable, steps: Steps) -> tuple[ParticipantPets, ...]:
    out = []
    for pid, pseudonym in table.participants:
        pets = []
        for row in analysis.pet_table(project, pid):
            statements = tuple((s.name, tuple(_quote(e) for e in s.extracts)) for s in row.statements)
            pets.append(PetSection(row.name, row.description, statements, tuple(_quote(e) for e in row.own)))
        out.append(ParticipantPets(pseudonym, tuple(pets)))
        steps.check()
    return tuple(out)


def _transcripts(project: Project, which: Sequence[int] | None, steps: Steps) -> tuple[TranscriptTable, ...]:
    lowest = project.levels[0]
    themes = {t.id: t for t in project.themes()}
    pseudonyms = {p.id: p.pseudonym for p in project.participants()}
    tables = []
    for transcript in project.transcripts():
        if which is not None and transcript.id not in which:
            continue
        notes: dict[int, list[str]] = {}
        for note in project.notes(transcript.id):
            where = "" if note.first_line == note.last_line else f" (to {note.last_line})"
            notes.setdefault(note.first_line, []).append(f"{NOTE_LETTERS.get(note.kind, '?')}: {note.body}{where}")
        statements: dict[int, list[str]] = {}
        for coding in project.codings(transcript_id=transcript.id):
            theme = themes.get(coding.theme_id)
            if theme is None or theme.level != lowest:
                continue
            where = "" if coding.first_line == coding.last_line else f" ({coding.first_line}-{coding.last_line})"
            statements.setdefault(coding.first_line, []).append(f"{theme.name}{where}")
        rows = tuple(
            IpaRow(line.number, line.text, tuple(notes.get(line.number, ())), tuple(statements.get(line.number, ())))
            for line in project.lines(transcript.id)
        )
        tables.append(TranscriptTable(transcript.title, pseudonyms.get(transcript.participant_id), rows))
        steps.step()
    return tuple(tables)


def _journal(project: Project) -> tuple[tuple[str, tuple[JournalEntry, ...]], ...]:
    themes = {t.id: t.name for t in project.themes()}
    pseudonyms = {p.id: p.pseudonym for p in project.participants()}
    titles = {t.id: t.title for t in project.transcripts()}
    stages: dict[str, list[JournalEntry]] = {}
    for memo in sorted(project.memos(), key=lambda m: (m.created_at, m.id)):
        about = ""
        if memo.theme_id in themes:
            about = f"on theme {themes[memo.theme_id]}"
        elif memo.transcript_id in titles:
            about = f"on transcript {titles[memo.transcript_id]}"
        elif memo.participant_id in pseudonyms:
            about = f"on participant {pseudonyms[memo.participant_id]}"
        stage = getattr(memo, "stage", None) or "no stage given"
        stages.setdefault(stage, []).append(JournalEntry(memo.title, memo.created_at[:10], memo.body, about))
    order = {s: i for i, s in enumerate(_STAGE_ORDER)}
    return tuple((s, tuple(stages[s])) for s in sorted(stages, key=lambda s: (order.get(s, len(order)), s)))


def build_snapshot(
    project: Project, *, transcripts: bool | Sequence[int] = False,
    progress: Progress | None = None, cancelled: CancelCheck | None = None,
) -> Snapshot:
    """Read what the reports print; `transcripts` adds IPA tables (True: all, or a list of ids)."""
    steps = Steps(progress, cancelled)
    which = None if transcripts is True else list(transcripts or [])
    count = len(project.transcripts()) if transcripts is True else len(which or [])
    steps.total = count + 2
    steps.check()
    table = analysis.get_table(project)
    gets = _gets(project, table, steps)
    steps.step()
    participants = _participants(project, table, steps) if project.method == "ipa" or len(project.levels) > 1 else ()
    steps.step()
    tables = _transcripts(project, which, steps) if transcripts else ()
    made = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    names = NAMES.get(project.method, NAMES["ta"])
    return Snapshot(
        title=project.title, method=project.method, made_at=made, names=names,
        columns=tuple(p for _, p in table.participants), gets=gets, participants=participants,
        transcripts=tables, journal=_journal(project),
        counts={"transcripts": len(project.transcripts()), "codings": len(project.codings()),
                "themes": len(project.themes())},
    )


def level_label(level: str) -> str:
    return LEVEL_LABELS.get(level, level)


__all__ = ["GetSection", "IpaRow", "JournalEntry", "ParticipantPets", "PetSection", "Quote", "Snapshot",
           "TranscriptTable", "build_snapshot", "transcript_text"]
