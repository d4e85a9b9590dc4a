"""The read-only analysis: rolled-up totals, extracts, the GET and PET tables, theme history.

Every count is checked against SQL run on the file with the sqlite3 module, as another tool would.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tui.formats.transcripts import parse_text
from tui.project import Project, analysis


def turns(who: str, count: int) -> str:
    """`count` one-line turns, alternating interviewer and `who`; turn N is line N."""
    return "\n".join(
        (f"{who}: " if n % 2 == 0 else "Interviewer: ") + f"Line {n} said by {'them' if n % 2 == 0 else 'me'}."
        for n in range(1, count + 1)
    )


@dataclass
class Study:
    project: Project
    transcripts: dict[str, int]
    people: dict[str, int]
    themes: dict[str, int]


def build(path: Path, method: str = "ipa") -> Study:
    """Two cases, P01 and P02, each with statements grouped into PETs, and one GET over both."""
    project = Project.create(path, method=method, coder="VR")
    transcripts, people = {}, {}
    for who in ("P01", "P02", "P03"):
        parsed = parse_text(turns(who, 30), title=f"{who} interview")
        t = project.import_transcript(title=f"{who} interview", text=parsed.text, lines=parsed.lines, participant=who)
        transcripts[who], people[who] = t.id, t.participant_id
    themes: dict[str, int] = {}
    low, mid, top = (project.levels[0], project.levels[1], project.levels[-1])
    scoped = method == "ipa"

    def theme(name: str, level: str, who: str | None = None, parent: str | None = None) -> int:
        created = project.create_theme(
            name, level=level, participant_id=people[who] if who and scoped else None,
            parent_id=themes[parent] if parent else None,
        )
        themes[name] = created.id
        return created.id

    theme("Belonging", top)
    if mid != top:
        theme("On the edge", mid, "P01", "Belonging")
        theme("Let in", mid, "P02", "Belonging")
    parent1 = "On the edge" if mid != top else "Belonging"
    parent2 = "Let in" if mid != top else "Belonging"
    theme("Standing in the corner", low, "P01", parent1)
    theme("Nobody asks me", low, "P01", parent1)
    theme("Known by name", low, "P02", parent2)
    theme("Loose statement", low, "P03")
    project.tag(transcripts["P01"], 2, 4, themes["Standing in the corner"])
    project.tag(transcripts["P01"], 3, 6, themes["Nobody asks me"])  # overlaps lines 3-4
    project.tag(transcripts["P01"], 10, 10, themes["Standing in the corner"])
    project.tag(transcripts["P02"], 8, 9, themes["Known by name"])
    project.tag(transcripts["P03"], 1, 2, themes["Loose statement"])
    return Study(project, transcripts, people, themes)


@pytest.fixture
def study(tmp_path: Path) -> Iterator[Study]:
    made = build(tmp_path / "study.margin")
    yield made
    made.project.close()


def sql_get_counts(path: Path) -> dict[tuple[str, str], int]:
    """(GET, participant) -> extracts, computed from the file alone."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("""
            WITH RECURSIVE below(get_id, theme_id) AS (
                SELECT id, id FROM themes WHERE level IN ('get')
                UNION ALL
                SELECT below.get_id, themes.id FROM themes JOIN below ON themes.parent_id = below.theme_id
            )
            SELECT g.name, p.pseudonym, COUNT(DISTINCT c.id)
              FROM below JOIN themes g ON g.id = below.get_id
              JOIN codings c ON c.theme_id = below.theme_id
              JOIN transcripts t ON t.id = c.transcript_id
              JOIN participants p ON p.id = t.participant_id
             GROUP BY g.id, p.id
        """).fetchall()
    finally:
        conn.close()
    return {(g, p): n for g, p, n in rows}


def test_citation_is_participant_and_lines() -> None:
    assert analysis.citation("P07", 12, 14) == "(P07, 12-14)"
    assert analysis.citation("P07", 12, 12) == "(P07, 12)"


def test_totals_roll_up_extracts_distinct_lines_and_participants(study: Study) -> None:
    totals = analysis.theme_totals(study.project)
    t = study.themes
    assert totals[t["Standing in the corner"]] == analysis.Totals(extracts=2, lines=4, participants=1)
    # lines 2-6 of P01 once, though two codings overlap on lines 3-4; plus line 10
    assert totals[t["On the edge"]] == analysis.Totals(extracts=3, lines=6, participants=1)
    assert totals[t["Belonging"]] == analysis.Totals(extracts=4, lines=8, participants=2)
    assert totals[t["Loose statement"]] == analysis.Totals(extracts=1, lines=2, participants=1)


def test_extracts_of_a_theme_include_its_descendants_with_citation_and_text(study: Study) -> None:
    found = analysis.extracts(study.project, study.themes["Belonging"])
    assert [e.citation for e in found] == ["(P01, 2-4)", "(P01, 3-6)", "(P01, 10)", "(P02, 8-9)"]
    first = found[0]
    assert first.text.startswith("P01: Line 2 said by them.")
    assert "Line 4" in first.text and "Line 5" not in first.text
    only_p02 = analysis.extracts(study.project, study.themes["Belonging"], participant_id=study.people["P02"])
    assert [e.citation for e in only_p02] == ["(P02, 8-9)"]


def test_get_table_counts_equal_sql_on_the_file(study: Study) -> None:
    table = analysis.get_table(study.project)
    assert [p for _, p in table.participants] == ["P01", "P02", "P03"]
    assert table.total == 3
    (row,) = table.rows
    assert row.name == "Belonging"
    assert row.recurrence == 2
    names = dict(table.participants)
    mine = {(row.name, names[pid]): cell.extracts for pid, cell in row.cells.items()}
    assert mine == sql_get_counts(study.project.path)
    p01 = row.cells[study.people["P01"]]
    assert p01.pets == ((study.themes["On the edge"], "On the edge", 3),)


def test_get_table_shows_the_key_quote_and_divergence(study: Study) -> None:
    project = study.project
    coding = project.codings(theme_id=study.themes["Known by name"])[0]
    project.mark_key_quote(coding.id)
    p03_coding = project.codings(theme_id=study.themes["Loose statement"])[0]
    project.mark_divergence(study.themes["Belonging"], study.people["P03"], p03_coding.id, "never felt let in")
    (row,) = analysis.get_table(project).rows
    cell = row.cells[study.people["P02"]]
    assert cell.key_quote is not None and cell.key_quote.citation == "(P02, 8-9)"
    assert row.cells[study.people["P01"]].key_quote is None
    (divergence,) = row.divergences
    assert divergence.pseudonym == "P03" and divergence.note == "never felt let in"
    assert divergence.quote is not None and divergence.quote.citation == "(P03, 1-2)"


def test_pet_table_lists_a_participants_pets_statements_and_citations(study: Study) -> None:
    rows = analysis.pet_table(study.project, study.people["P01"])
    assert [r.name for r in rows] == ["On the edge"]
    statements = {s.name: [e.citation for e in s.extracts] for s in rows[0].statements}
    assert statements == {"Nobody asks me": ["(P01, 3-6)"], "Standing in the corner": ["(P01, 2-4)", "(P01, 10)"]}
    assert analysis.pet_table(study.project, study.people["P03"]) == []


def test_theme_history_tells_how_a_get_came_to_be(study: Study) -> None:
    project = study.project
    pet = project.group([study.themes["Loose statement"]], new_name="Outside looking in", strategy="polarisation")
    project.group([pet.id], into_id=study.themes["Belonging"], strategy="abstraction")
    project.update_theme(study.themes["Belonging"], name="Belonging on the ward")
    history = analysis.theme_history(project, study.themes["Belonging"])
    summaries = [h.summary for h in history]
    assert summaries[0].startswith("create theme Belonging")
    grouping = next(h for h in history if h.action == "theme.group" and "into GET" in h.summary)
    assert grouping.strategy == "abstraction"
    # The PET's own grouping, made before it joined the GET, is part of the GET's story too.
    below = next(h for h in history if "new PET Outside looking in" in h.summary)
    assert below.strategy == "polarisation" and below.details == ("below it",)
    assert "'Outside looking in' grouped under it" in grouping.details
    assert any("renamed: Belonging → Belonging on the ward" in d for h in history for d in h.details)
    pet_history = analysis.theme_history(project, pet.id)
    assert pet_history[0].strategy == "polarisation"


def test_ta_project_uses_themes_as_the_top_level(tmp_path: Path) -> None:
    made = build(tmp_path / "ta.margin", method="ta")
    try:
        (row,) = analysis.get_table(made.project).rows
        assert row.name == "Belonging" and row.recurrence == 2
    finally:
        made.project.close()


def test_speed_of_extracts_and_get_table(tmp_path: Path) -> None:
    """Extracts of a theme with 5,000 codings, the GET table of 50 participants x 500 themes each.

    The targets (100 ms each) are measured by the benchmark script; this only guards against a
    tenfold regression on a loaded machine.
    """
    project = Project.create(tmp_path / "big.margin", coder="VR")
    conn = project.conn
    parsed = parse_text(turns("P", 200), title="t")
    for n in range(50):
        project.import_transcript(title=f"T{n}", text=parsed.text, lines=parsed.lines, participant=f"P{n:02}")
    with project.db.atomic():
        conn.execute("INSERT INTO themes (guid, name, level, created_at) VALUES ('g', 'Big GET', 'get', 'x')")
        get_id = conn.execute("SELECT id FROM themes WHERE name = 'Big GET'").fetchone()[0]
        for p in range(1, 51):
            conn.execute("INSERT INTO themes (guid, name, parent_id, level, participant_id, created_at) "
                         "VALUES (?, ?, ?, 'pet', ?, 'x')", (f"pet{p}", f"PET {p}", get_id, p))
            pet = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
            conn.executemany(
                "INSERT INTO themes (guid, name, parent_id, level, participant_id, created_at) VALUES (?, ?, ?, 'statement', ?, 'x')",
                [(f"s{p}-{i}", f"S {p}-{i}", pet, p) for i in range(499)],
            )
        statements = [r[0] for r in conn.execute("SELECT id, participant_id FROM themes WHERE level = 'statement'")]
        owner = dict(conn.execute("SELECT id, participant_id FROM themes WHERE level = 'statement'"))
        conn.executemany(
            "INSERT INTO codings (guid, transcript_id, first_line, last_line, theme_id, created_at) VALUES (?, ?, ?, ?, ?, 'x')",
            [(f"c{i}", owner[statements[i * 4]], 1 + i % 190, 1 + i % 190 + 2, statements[i * 4]) for i in range(5000)],
        )
    started = time.perf_counter()
    found = analysis.extracts(project, get_id)
    extracts_took = time.perf_counter() - started
    started = time.perf_counter()
    table = analysis.get_table(project)
    table_took = time.perf_counter() - started
    assert len(found) == 5000
    assert sum(c.extracts for c in table.rows[0].cells.values()) == 5000
    assert extracts_took < 1.0 and table_took < 1.0, (extracts_took, table_took)
    project.close()


def test_lazy_totals_give_what_theme_totals_give_theme_by_theme(study: Study) -> None:
    project = study.project
    # Lines coded twice under one GET count once (the fixture overlaps 3-4); no codings count nothing.
    empty = project.create_theme("Nothing here yet", level="get")
    full = analysis.theme_totals(project)
    lazy = analysis.LazyTotals(project)
    assert full and all(lazy[theme_id] == totals for theme_id, totals in full.items())
    assert lazy[study.themes["Belonging"]] == analysis.Totals(extracts=4, lines=8, participants=2)
    assert lazy.get(empty.id) == analysis.Totals(0, 0, 0)
    assert lazy.get(-1) is None and lazy.get(-1, analysis.Totals()) == analysis.Totals()
    with pytest.raises(KeyError):
        lazy[-1]


def test_extracts_read_their_texts_a_page_at_a_time_and_give_what_one_read_gives(
    study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = study.project
    read: list[list[int]] = []
    texts = analysis._texts

    def counted(project: Project, coding_ids: list[int]) -> dict[int, str]:
        read.append(list(coding_ids))
        return texts(project, coding_ids)

    whole = [(e.coding_id, e.citation, e.text, e.key_quote) for e in analysis.extracts(project, study.themes["Belonging"])]
    monkeypatch.setattr(analysis.Extracts, "PAGE", 2)
    monkeypatch.setattr(analysis, "_texts", counted)
    found = analysis.extracts(project, study.themes["Belonging"])
    assert len(found) == 4 and not read  # where they come from, no text yet
    assert found.participant_ids == {study.people["P01"], study.people["P02"]} and found.key_quotes == 0 and not read
    assert found[-1].citation == "(P02, 8-9)" and len(read) == 1 and len(read[0]) == 2  # only its page
    assert [(e.coding_id, e.citation, e.text, e.key_quote) for e in found] == whole
    assert len(read) == 2  # each page read once
    assert found[3] is found[-1]
    with pytest.raises(IndexError):
        found[4]
    # Lines of one turn join with a space, a new turn starts a paragraph.
    assert found[1].text.count("\n") == 3 and "Line 6 said by them." in found[1].text
