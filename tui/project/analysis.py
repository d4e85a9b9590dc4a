"""Read-only views of the analysis: rolled-up totals, extracts, the GET and PET tables, theme history.

Nothing here writes. Every function takes an open `Project` and reads its connection; the
results are plain frozen dataclasses that screens show and reports (the next issue) print.

Counting rules, the same everywhere (and the same as the file's `get_table` view):

- an extract is one coding; the extracts of a theme are its own codings and those of every
  theme below it;
- the participant of an extract is the participant of its transcript;
- the lines of a theme are the distinct transcript lines its extracts cover;
- a GET is a theme at the method's top level (IPA: `get`, TA: `theme`); a participant
  contributes to a GET when at least one extract below the GET comes from their transcripts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.project.model import LEVEL_LABELS

if TYPE_CHECKING:
    from tui.project import Project

__all__ = [
    "Divergence", "Extract", "GetCell", "GetRow", "GetTable", "HistoryEntry", "LazyTotals", "PetRow",
    "PetStatement", "Totals", "citation", "descendants", "extracts", "get_table", "pet_table", "theme_history",
    "theme_totals",
]


def citation(pseudonym: str | None, first: int, last: int) -> str:
    """`(P07, 12-14)` or `(P07, 12)`: how a quote is cited in an IPA write-up."""
    lines = str(first) if first == last else f"{first}-{last}"
    return f"({pseudonym}, {lines})" if pseudonym else f"({lines})"


@dataclass(frozen=True)
class Totals:
    """What a theme and everything below it hold."""

    extracts: int = 0
    lines: int = 0
    participants: int = 0


@dataclass(frozen=True)
class Extract:
    """One coded extract: a coding with its text and where it comes from."""

    coding_id: int
    theme_id: int
    theme: str
    transcript_id: int
    transcript: str
    participant_id: int | None
    pseudonym: str | None
    first_line: int
    last_line: int
    text: str
    key_quote: bool = False

    @property
    def citation(self) -> str:
        """`(P07, 12-14)`."""
        return citation(self.pseudonym, self.first_line, self.last_line)


@dataclass(frozen=True)
class Divergence:
    """A participant whose account runs against a GET, as the researcher marked it."""

    id: int
    theme_id: int
    participant_id: int
    pseudonym: str
    note: str
    quote: Extract | None = None


@dataclass(frozen=True)
class GetCell:
    """What one participant brings to one GET."""

    participant_id: int
    #: (theme id, name, extracts) of each theme just below the GET that holds this participant's extracts.
    pets: tuple[tuple[int, str, int], ...]
    extracts: int
    key_quote: Extract | None = None


@dataclass(frozen=True)
class GetRow:
    """One GET of the table."""

    theme_id: int
    name: str
    description: str
    strategy: str | None
    cells: dict[int, GetCell]
    divergences: tuple[Divergence, ...] = ()

    @property
    def recurrence(self) -> int:
        """How many participants contribute to this GET."""
        return sum(1 for cell in self.cells.values() if cell.extracts)


@dataclass(frozen=True)
class GetTable:
    """GETs as rows, participants as columns."""

    #: (id, pseudonym) of every participant with a transcript, by pseudonym: the columns.
    participants: tuple[tuple[int, str], ...]
    rows: tuple[GetRow, ...]

    @property
    def total(self) -> int:
        """N of "n of N": the participants who could contribute."""
        return len(self.participants)


@dataclass(frozen=True)
class PetStatement:
    """A statement under a PET, with its extracts."""

    theme_id: int
    name: str
    extracts: tuple[Extract, ...]


@dataclass(frozen=True)
class PetRow:
    """One PET of a participant's table."""

    theme_id: int
    name: str
    description: str
    strategy: str | None
    statements: tuple[PetStatement, ...]
    #: Extracts coded on the PET itself rather than on a statement below it.
    own: tuple[Extract, ...] = ()


@dataclass(frozen=True)
class HistoryEntry:
    """One change in the life of a theme."""

    event_id: int
    at: str
    coder: str | None
    action: str
    summary: str
    state: str
    strategy: str | None = None
    details: tuple[str, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------------------------- helpers


def _columns(project: Project, table: str) -> set[str]:
    """The columns a table has in this file (empty if the table is missing)."""
    return {row[1] for row in project.conn.execute(f'PRAGMA table_info("{table}")')}


def _tree(project: Project, parents: dict[int, int | None] | None = None,
          ) -> tuple[dict[int, int | None], dict[int | None, list[int]]]:
    """(parent of each theme, children of each theme) with parents that form a loop cut; from
    `parents` (each theme's parent) when given, else read."""
    if parents is None:
        parents = dict(project.conn.execute("SELECT id, parent_id FROM themes"))
    else:
        parents = dict(parents)
    for theme_id, parent in list(parents.items()):
        if parent is not None and parent not in parents:
            parents[theme_id] = None
    children: dict[int | None, list[int]] = {}
    for theme_id, parent in parents.items():
        children.setdefault(parent, []).append(theme_id)
    return parents, children


def descendants(project: Project, theme_id: int) -> list[int]:
    """The theme and every theme below it (each once, even if the tree is damaged into a loop)."""
    _, children = _tree(project)
    found, stack, seen = [], [theme_id], {theme_id}
    while stack:
        node = stack.pop()
        found.append(node)
        for child in children.get(node, []):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return found


def theme_totals(project: Project) -> dict[int, Totals]:
    """For every theme: extracts, distinct lines and participants of it and everything below it."""
    parents, children = _tree(project)
    # A line is one int, (transcript id << 32) + number, so a coding's lines go in as one range.
    lines: dict[int, set[int]] = {}
    people: dict[int, set[int]] = {}
    counts: dict[int, int] = {}
    for theme_id, transcript_id, first, last, participant_id in project.conn.execute(
        "SELECT c.theme_id, c.transcript_id, c.first_line, c.last_line, t.participant_id "
        "FROM codings c JOIN transcripts t ON t.id = c.transcript_id"
    ):
        counts[theme_id] = counts.get(theme_id, 0) + 1
        base = transcript_id << 32
        own = lines.get(theme_id)
        if own is None:
            own = lines[theme_id] = set()
        own.update(range(base + first, base + last + 1))
        if participant_id is not None:
            who = people.get(theme_id)
            if who is None:
                who = people[theme_id] = set()
            who.add(participant_id)
    # Breadth first from the roots; read backwards, every theme comes after all of its children.
    order = list(children.get(None, []))
    seen = set(order)
    index = 0
    while index < len(order):
        for child in children.get(order[index], ()):
            if child not in seen:
                seen.add(child)
                order.append(child)
        index += 1
    totals: dict[int, Totals] = {}
    for node in reversed(order):
        own_lines = lines.pop(node, None) or set()
        own_people = people.pop(node, None) or set()
        count = counts.get(node, 0)
        for child in children.get(node, ()):
            child_lines = lines.pop(child, None)
            if child_lines:
                # Small into large: each line is copied O(log n) times up the tree.
                if len(child_lines) > len(own_lines):
                    own_lines, child_lines = child_lines, own_lines
                own_lines |= child_lines
            child_people = people.pop(child, None)
            if child_people:
                if len(child_people) > len(own_people):
                    own_people, child_people = child_people, own_people
                own_people |= child_people
            done = totals.get(child)
            if done is not None:
                count += done.extracts
        totals[node] = Totals(count, len(own_lines), len(own_people))
        if own_lines:
            lines[node] = own_lines
        if own_people:
            people[node] = own_people
    for theme_id in parents:  # themes on a damaged loop: their own codings only
        if theme_id not in totals:
            totals[theme_id] = Totals(counts.get(theme_id, 0), 0, 0)
    return totals


class LazyTotals:
    """`theme_totals` worked out theme by theme when asked: a screen that shows twenty themes
    of ten thousand reads the codings once and rolls up only what it shows.

    `get(theme_id, default)` and `[theme_id]` as on the dict `theme_totals` returns; each answer
    is kept. A theme on a damaged loop counts what is below it once.
    """

    def __init__(self, project: Project, parents: dict[int, int | None] | None = None) -> None:
        """`parents`: each theme's parent, when the caller has read the themes already."""
        parents, self._children = _tree(project, parents)
        self._known = set(parents)
        # Every coding once, grouped by theme; per theme the slice of `_rows` that is its own.
        self._rows: list[tuple[int, int, int, int, int | None]] = project.conn.execute(
            "SELECT c.theme_id, c.transcript_id, c.first_line, c.last_line, t.participant_id "
            "FROM codings c JOIN transcripts t ON t.id = c.transcript_id ORDER BY c.theme_id"
        ).fetchall()
        self._slices: dict[int, tuple[int, int]] = {}
        start, current = 0, None
        for index, row in enumerate(self._rows):
            if row[0] != current:
                if current is not None:
                    self._slices[current] = (start, index)
                start, current = index, row[0]
        if current is not None:
            self._slices[current] = (start, len(self._rows))
        self._done: dict[int, Totals] = {}

    def get(self, theme_id: int, default: Totals | None = None) -> Totals | None:
        """The totals of a theme and everything below it; `default` for a theme not in the project."""
        done = self._done.get(theme_id)
        if done is not None:
            return done
        if theme_id not in self._known:
            return default
        count = 0
        lines: set[int] = set()
        people: set[int] = set()
        stack, seen = [theme_id], {theme_id}
        rows, slices, children = self._rows, self._slices, self._children
        while stack:
            node = stack.pop()
            span = slices.get(node)
            if span is not None:
                for _, transcript_id, first, last, participant_id in rows[span[0]:span[1]]:
                    count += 1
                    base = transcript_id << 32
                    lines.update(range(base + first, base + last + 1))
                    if participant_id is not None:
                        people.add(participant_id)
            for child in children.get(node, ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        totals = self._done[theme_id] = Totals(count, len(lines), len(people))
        return totals

    def __getitem__(self, theme_id: int) -> Totals:
        found = self.get(theme_id)
        if found is None:
            raise KeyError(theme_id)
        return found


#: The codings `where` (on aliases c and tr) selects, with where they come from, in citation order.
_EXTRACT_SQL = """
SELECT c.id, c.theme_id, th.name, c.transcript_id, tr.title, tr.participant_id, p.pseudonym,
       c.first_line, c.last_line, {key_quote}
  FROM codings c
  JOIN themes th ON th.id = c.theme_id
  JOIN transcripts tr ON tr.id = c.transcript_id
  LEFT JOIN participants p ON p.id = tr.participant_id
 WHERE {where}
 ORDER BY p.pseudonym, tr.title, c.transcript_id, c.first_line, c.last_line, c.id
"""

#: The lines of some codings. Read apart from the codings: joined, every line's row carried the
#: coding's names, and the sort carried every line's text (three times as slow at 5,000).
_EXTRACT_LINES_SQL = """
SELECT c.id, l.number, l.text, l.turn_start
  FROM codings c
  JOIN lines l ON l.transcript_id = c.transcript_id AND l.number BETWEEN c.first_line AND c.last_line
 WHERE c.id IN ({marks})
"""


class Extracts(Sequence[Extract]):
    """Extracts in citation order, each one's text read when it is first asked for, a page of
    extracts at a time: a screen of 5,000 extracts reads the texts of the rows it shows, not all
    15,000 lines (which took most of its opening). Where each comes from is read at once."""

    PAGE = 200

    def __init__(self, project: Project, codings: list[tuple[Any, ...]]) -> None:
        self._project = project
        self._codings = codings  # the rows of _EXTRACT_SQL
        self._made: dict[int, Extract] = {}

    def __len__(self) -> int:
        return len(self._codings)

    def __getitem__(self, index: int) -> Extract:  # type: ignore[override]
        if index < 0:
            index += len(self._codings)
        if not 0 <= index < len(self._codings):
            raise IndexError(index)
        made = self._made.get(index)
        if made is None:
            self._read_page(index - index % self.PAGE)
            made = self._made[index]
        return made

    def _read_page(self, start: int) -> None:
        rows = self._codings[start : start + self.PAGE]
        texts = _texts(self._project, [row[0] for row in rows])
        for offset, row in enumerate(rows):
            self._made[start + offset] = Extract(*row[:9], text=texts.get(row[0], ""), key_quote=bool(row[9]))

    @property
    def participant_ids(self) -> set[int]:
        """The participants the extracts come from (no text read)."""
        return {row[5] for row in self._codings if row[5] is not None}

    @property
    def key_quotes(self) -> int:
        """How many of the extracts are key quotes (no text read)."""
        return sum(1 for row in self._codings if row[9])


def _texts(project: Project, coding_ids: list[int]) -> dict[int, str]:
    """The text of each coding (a page of them, within SQLite's bound parameters): its lines, the
    lines of one turn one paragraph, a new turn a new one."""
    lines: dict[int, list[tuple[int, str, int]]] = {}
    sql = _EXTRACT_LINES_SQL.format(marks=",".join("?" * len(coding_ids)))
    for coding_id, number, text, turn_start in project.conn.execute(sql, coding_ids):
        lines.setdefault(coding_id, []).append((number, text, turn_start))
    texts = {}
    for coding_id, found in lines.items():
        found.sort()
        parts = [found[0][1]]
        for _, text, turn_start in found[1:]:
            parts.append("\n" if turn_start else " ")
            parts.append(text)
        texts[coding_id] = "".join(parts).strip()
    return texts


def _extracts_where(project: Project, where: str, params: Iterable[Any]) -> Extracts:
    """Extracts of the codings that `where` (on aliases c and tr) selects, in citation order."""
    return Extracts(project, _coding_rows(project, where, params))


def _coding_rows(project: Project, where: str, params: Iterable[Any]) -> list[tuple[Any, ...]]:
    """The rows of `_EXTRACT_SQL` for `where`."""
    key_quote = "c.key_quote" if "key_quote" in _columns(project, "codings") else "0"
    return project.conn.execute(_EXTRACT_SQL.format(key_quote=key_quote, where=where), tuple(params)).fetchall()


def extracts(project: Project, theme_id: int, *, participant_id: int | None = None) -> Extracts:
    """Every coded extract of a theme and its descendants, by participant then place (texts read
    as they are asked for: `Extracts`)."""
    ids = descendants(project, theme_id)
    marks = ",".join("?" * len(ids))
    where = f"c.theme_id IN ({marks})"
    params: list[Any] = list(ids)
    if participant_id is not None:
        where += " AND tr.participant_id = ?"
        params.append(participant_id)
    if len(ids) > 900:  # more than SQLite's bound-parameter comfort: a temporary table instead
        return _extracts_many(project, ids, participant_id)
    return _extracts_where(project, where, params)


def _extracts_many(project: Project, ids: list[int], participant_id: int | None) -> Extracts:
    """`extracts` for a theme with very many themes below it."""
    wanted = set(ids)
    coding_ids = [cid for cid, tid in project.conn.execute("SELECT id, theme_id FROM codings") if tid in wanted]
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(coding_ids), 900):
        chunk = coding_ids[start : start + 900]
        where = f"c.id IN ({','.join('?' * len(chunk))})"
        params: list[Any] = list(chunk)
        if participant_id is not None:
            where += " AND tr.participant_id = ?"
            params.append(participant_id)
        rows.extend(_coding_rows(project, where, params))
    # pseudonym, title, transcript, first line, last line, coding: _EXTRACT_SQL's order
    rows.sort(key=lambda r: (r[6] or "", r[4], r[3], r[7], r[8], r[0]))
    return Extracts(project, rows)


def extracts_of_codings(project: Project, coding_ids: Iterable[int]) -> dict[int, Extract]:
    """The extracts of the given codings, by coding id."""
    ids = list(coding_ids)
    result: dict[int, Extract] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        for extract in _extracts_where(project, f"c.id IN ({','.join('?' * len(chunk))})", chunk):
            result[extract.coding_id] = extract
    return result


# ---------------------------------------------------------------------------------- tables


def top_level(project: Project) -> str:
    """The level of a GET in this project's method: `get` (IPA) or `theme` (TA)."""
    return project.levels[-1]


def _themes_raw(project: Project) -> dict[int, dict[str, Any]]:
    strategy = "strategy" if "strategy" in _columns(project, "themes") else "NULL"
    rows = project.conn.execute(
        f"SELECT id, name, parent_id, level, participant_id, description, {strategy} FROM themes"
    )
    return {
        r[0]: {"name": r[1], "parent": r[2], "level": r[3], "participant": r[4], "description": r[5], "strategy": r[6]}
        for r in rows
    }


def _participant_columns(project: Project) -> tuple[tuple[int, str], ...]:
    rows = project.conn.execute(
        "SELECT p.id, p.pseudonym FROM participants p "
        "WHERE EXISTS (SELECT 1 FROM transcripts t WHERE t.participant_id = p.id) ORDER BY p.pseudonym"
    )
    return tuple((r[0], r[1]) for r in rows)


def get_table(project: Project) -> GetTable:
    """The GET table: each GET, what each participant brings to it, recurrence and divergence."""
    themes = _themes_raw(project)
    top = top_level(project)
    gets = sorted((i for i, t in themes.items() if t["level"] == top), key=lambda i: (themes[i]["name"].casefold(), i))
    get_set = set(gets)
    # For each theme: (the GET above it or itself, the theme just below that GET on the way).
    place: dict[int, tuple[int, int | None] | None] = {}

    def locate(theme_id: int) -> tuple[int, int | None] | None:
        path: list[int] = []  # from the theme up, not including the GET
        node: int | None = theme_id
        seen: set[int] = set()
        answer: tuple[int, int | None] | None = None
        while node is not None and node not in seen:
            if node in place:
                known = place[node]
                if known is not None:
                    answer = (known[0], known[1] if known[1] is not None else (path[-1] if path else None))
                    if known[1] is None and node not in get_set:
                        answer = None
                break
            if node in get_set:
                place[node] = (node, None)
                answer = (node, path[-1] if path else None)
                break
            seen.add(node)
            path.append(node)
            node = themes[node]["parent"] if node in themes else None
        for step in path:
            place[step] = answer
        return place.get(theme_id, answer)

    key_column = "c.key_quote" if "key_quote" in _columns(project, "codings") else "0"
    cells: dict[tuple[int, int], dict[str, Any]] = {}
    # Counted by theme and participant in SQLite, then summed up the tree: 9,000 codings are a few
    # hundred rows here. A cell's key quote is its first (lowest id) coding marked as one.
    for theme_id, participant_id, count, key_id in project.conn.execute(
        f"SELECT c.theme_id, t.participant_id, COUNT(*), MIN(CASE WHEN {key_column} THEN c.id END) FROM codings c "
        "JOIN transcripts t ON t.id = c.transcript_id WHERE t.participant_id IS NOT NULL "
        "GROUP BY c.theme_id, t.participant_id"
    ):
        found = place[theme_id] if theme_id in place else locate(theme_id)
        if found is None:
            continue
        get_id, pet_id = found
        cell = cells.setdefault((get_id, participant_id), {"extracts": 0, "pets": {}, "key": None})
        cell["extracts"] += count
        if pet_id is not None:
            cell["pets"][pet_id] = cell["pets"].get(pet_id, 0) + count
        if key_id is not None and (cell["key"] is None or key_id < cell["key"]):
            cell["key"] = key_id
    divergences = _divergences(project)
    keys = [c["key"] for c in cells.values() if c["key"] is not None]
    keys += [d["coding_id"] for ds in divergences.values() for d in ds if d["coding_id"] is not None]
    quotes = extracts_of_codings(project, keys) if keys else {}
    by_get: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for (gid, pid), cell in cells.items():
        by_get.setdefault(gid, []).append((pid, cell))
    rows: list[GetRow] = []
    for get_id in gets:
        theme = themes[get_id]
        row_cells: dict[int, GetCell] = {}
        for pid, cell in by_get.get(get_id, ()):
            pets = tuple(sorted(
                ((pet, themes[pet]["name"], n) for pet, n in cell["pets"].items()), key=lambda p: (p[1].casefold(), p[0])
            ))
            row_cells[pid] = GetCell(pid, pets, cell["extracts"], quotes.get(cell["key"]) if cell["key"] else None)
        row_divergences = tuple(
            Divergence(d["id"], get_id, d["participant_id"], d["pseudonym"], d["note"],
                       quotes.get(d["coding_id"]) if d["coding_id"] is not None else None)
            for d in divergences.get(get_id, [])
        )
        rows.append(GetRow(get_id, theme["name"], theme["description"], theme["strategy"], row_cells, row_divergences))
    return GetTable(_participant_columns(project), tuple(rows))


def _divergences(project: Project) -> dict[int, list[dict[str, Any]]]:
    if not _columns(project, "divergences"):
        return {}
    found: dict[int, list[dict[str, Any]]] = {}
    for row in project.conn.execute(
        "SELECT d.id, d.theme_id, d.participant_id, p.pseudonym, d.note, d.coding_id FROM divergences d "
        "JOIN participants p ON p.id = d.participant_id ORDER BY p.pseudonym, d.id"
    ):
        found.setdefault(row[1], []).append(
            {"id": row[0], "participant_id": row[2], "pseudonym": row[3], "note": row[4] or "", "coding_id": row[5]}
        )
    return found


def divergences(project: Project, theme_id: int) -> list[Divergence]:
    """The participants marked as running against a GET."""
    found = _divergences(project).get(theme_id, [])
    quotes = extracts_of_codings(project, [d["coding_id"] for d in found if d["coding_id"] is not None])
    return [
        Divergence(d["id"], theme_id, d["participant_id"], d["pseudonym"], d["note"], quotes.get(d["coding_id"]))
        for d in found
    ]


def pet_table(project: Project, participant_id: int) -> list[PetRow]:
    """One participant's PETs (TA: themes), each with its statements (codes) and their extracts."""
    themes = _themes_raw(project)
    level = project.levels[1] if len(project.levels) > 2 else project.levels[-1]
    mine = extracts_all(project, participant_id)
    by_theme: dict[int, list[Extract]] = {}
    for extract in mine:
        by_theme.setdefault(extract.theme_id, []).append(extract)
    _, children = _tree(project)

    def below(theme_id: int) -> list[Extract]:
        found, stack, seen = [], [theme_id], {theme_id}
        while stack:
            node = stack.pop()
            found.extend(by_theme.get(node, []))
            for child in children.get(node, []):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return sorted(found, key=lambda e: (e.transcript_id, e.first_line, e.last_line, e.coding_id))

    rows: list[PetRow] = []
    for pet_id, theme in sorted(themes.items(), key=lambda item: (item[1]["name"].casefold(), item[0])):
        if theme["level"] != level:
            continue
        scoped = theme["participant"]
        if scoped is not None and scoped != participant_id:
            continue
        statements = []
        for child in sorted(children.get(pet_id, []), key=lambda c: (themes[c]["name"].casefold(), c)):
            child_extracts = below(child)
            if scoped is None and not child_extracts:
                continue
            statements.append(PetStatement(child, themes[child]["name"], tuple(child_extracts)))
        own = tuple(by_theme.get(pet_id, []))
        if scoped is None and not statements and not own:
            continue  # a cross-case theme this participant has nothing in
        rows.append(PetRow(pet_id, theme["name"], theme["description"], theme["strategy"], tuple(statements), own))
    return rows


def extracts_all(project: Project, participant_id: int | None = None) -> list[Extract]:
    """Every extract of the project, or of one participant."""
    if participant_id is None:
        return list(_extracts_where(project, "1", ()))
    return list(_extracts_where(project, "tr.participant_id = ?", (participant_id,)))


# ---------------------------------------------------------------------------------- history


def _event_changes(project: Project) -> dict[int, list[dict[str, Any]]] | None:
    """Row changes by event id from the `event_changes` table, or None where the file has none."""
    columns = _columns(project, "event_changes")
    if not columns:
        return None
    found: dict[int, list[dict[str, Any]]] = {}
    for event_id, table, before, after in project.conn.execute(
        "SELECT event_id, table_name, before, after FROM event_changes ORDER BY id"
    ):
        found.setdefault(event_id, []).append({
            "table": table,
            "before": json.loads(before) if before else None,
            "after": json.loads(after) if after else None,
        })
    return found


def _describe(change: dict[str, Any], theme_id: int, names: dict[int, str]) -> str | None:
    """What a row change did to the theme, in words; None if it did not touch it."""
    table, before, after = change["table"], change["before"], change["after"]
    if table != "themes":
        return None
    row = after or before or {}
    if row.get("id") == theme_id:
        if before is None:
            level = row.get("level")
            return f"created as {LEVEL_LABELS.get(level, level)} '{row.get('name')}'"
        if after is None:
            return f"deleted '{before.get('name')}'"
        said = []
        for key, label in (("name", "renamed"), ("description", "description"), ("level", "level"),
                           ("colour", "colour"), ("strategy", "strategy")):
            if before.get(key) != after.get(key):
                said.append(f"{label}: {before.get(key) or '—'} → {after.get(key) or '—'}"
                            if key != "description" else "description changed")
        if before.get("parent_id") != after.get("parent_id"):
            target = names.get(after.get("parent_id"), "the top") if after.get("parent_id") else "the top"
            said.append(f"moved under {target}")
        return "; ".join(said) or None
    if before is not None and after is not None and before.get("parent_id") != after.get("parent_id"):
        if after.get("parent_id") == theme_id:
            return f"'{after.get('name')}' grouped under it"
        if before.get("parent_id") == theme_id:
            return f"'{before.get('name')}' moved out"
    if after is None and before is not None and before.get("parent_id") == theme_id:
        return f"'{before.get('name')}' below it deleted"
    return None


#: The actions that build the tree: their changes below a theme are part of its history.
_GROUPINGS = ("theme.group", "theme.move", "theme.merge")


def theme_history(project: Project, theme_id: int) -> list[HistoryEntry]:
    """Every change of a theme, and every grouping, move and merge below it, oldest first, from the event log."""
    names = dict(project.conn.execute("SELECT id, name FROM themes"))
    below = set(descendants(project, theme_id)) - {theme_id}
    coders = dict(project.conn.execute("SELECT id, name FROM coders"))
    table_changes = _event_changes(project)
    entries: list[HistoryEntry] = []
    for event_id, at, coder_id, action, payload, state in project.conn.execute(
        "SELECT id, at, coder_id, action, payload, state FROM events ORDER BY id"
    ):
        try:
            data = json.loads(payload or "{}")
        except ValueError:
            data = {}
        changes = data.get("changes") or (table_changes.get(event_id, []) if table_changes else [])
        for change in changes:
            row = change.get("after") or change.get("before") or {}
            if change.get("table") == "themes" and row.get("id") in names:
                names.setdefault(row["id"], row.get("name", ""))
            elif change.get("table") == "themes" and row.get("id") is not None:
                names[row["id"]] = row.get("name", "")
        details = tuple(d for d in (_describe(c, theme_id, names) for c in changes) if d)
        if not details and action in _GROUPINGS:
            # A grouping, move or merge of the themes below it is part of how this theme came to be.
            touched = {
                (c.get("after") or {}).get("parent_id") for c in changes if c.get("table") == "themes"
            } | {(c.get("before") or {}).get("parent_id") for c in changes if c.get("table") == "themes"}
            if touched & below:
                details = ("below it",)
        if not details:
            continue
        strategy = None
        for change in changes:
            after = change.get("after") or {}
            if change.get("table") == "themes" and after.get("id") == theme_id and after.get("strategy"):
                before = change.get("before") or {}
                if before.get("strategy") != after.get("strategy") or before is None:
                    strategy = after.get("strategy")
        if strategy is None and action == "theme.group":
            for change in changes:
                after, before = change.get("after") or {}, change.get("before") or {}
                if change.get("table") == "themes" and after.get("strategy") and before.get("strategy") != after.get("strategy"):
                    strategy = after["strategy"]
                    break
        strategy = strategy or data.get("strategy")
        entries.append(HistoryEntry(event_id, at, coders.get(coder_id), action, data.get("summary", ""), state,
                                    strategy, details))
    return entries
