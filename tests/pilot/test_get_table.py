"""The GET table and the PET table in the real app, checked against SQL run on the file."""

from __future__ import annotations

import sqlite3

from modal_harness import screen_text
from textual.pilot import Pilot

from tui.app import MarginApp
from tui.project import Project
from tui.screens.get_table import GetTableScreen
from tui.screens.prompt import PromptScreen
from tui.widgets.cell_grid import CellGrid

NARROW = (80, 24)


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.pause()


def grid_rows(app: MarginApp) -> list[list[str]]:
    table = app.screen.query_one(CellGrid)
    return [table.row_at(i) for i in range(table.row_count)]


def sql_cells(path) -> dict[tuple[str, str], tuple[int, int]]:
    """(GET, participant) -> (extracts, PETs contributing), computed from the file alone."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("""
            WITH RECURSIVE below(get_id, pet_id, theme_id) AS (
                SELECT g.id, NULL, g.id FROM themes g WHERE g.level = 'get'
                UNION ALL
                SELECT below.get_id, coalesce(below.pet_id, t.id), t.id
                  FROM themes t JOIN below ON t.parent_id = below.theme_id
            )
            SELECT g.name, p.pseudonym, COUNT(DISTINCT c.id), COUNT(DISTINCT below.pet_id)
              FROM below JOIN themes g ON g.id = below.get_id
              JOIN codings c ON c.theme_id = below.theme_id
              JOIN transcripts t ON t.id = c.transcript_id
              JOIN participants p ON p.id = t.participant_id
             GROUP BY g.id, p.id
        """).fetchall()
    finally:
        conn.close()
    return {(g, p): (n, pets) for g, p, n, pets in rows}


async def open_table(pilot: Pilot[None], app: MarginApp) -> GetTableScreen:
    await settle(pilot)
    await pilot.press("T")  # from the project screen
    await settle(pilot)
    assert isinstance(app.screen, GetTableScreen)
    return app.screen


async def test_cells_and_recurrence_equal_sql_on_the_file(demo: Project) -> None:
    app = MarginApp(demo)
    async with app.run_test(size=NARROW) as pilot:
        await open_table(pilot, app)
        rows = grid_rows(app)
        header = app.screen.query_one(CellGrid).column_labels
        assert header[:2] == ["GET", "n of N"] and header[2:7] == ["P01", "P02", "P03", "P04", "P05"]
        expected = sql_cells(demo.path)
        for row in rows:
            get = row[0]
            people = 0
            for index, pseudonym in enumerate(header[2:7], start=2):
                extracts, pets = expected.get((get, pseudonym), (0, 0))
                cell = row[index].rstrip("★≠") or "—"
                assert cell == (f"{extracts}·{pets}" if extracts else "—"), (get, pseudonym, row[index])
                people += bool(extracts)
            assert row[1] == f"{people} of 5"
        by_get = {r[0]: r for r in rows}
        assert by_get["Identity maturation"][-1] == "P03"  # the divergence column
        assert by_get["Identity maturation"][4].endswith("≠")
        assert by_get["Learning community"][1] == "3 of 5"
        assert "★" in by_get["Learning community"][2]  # P01's key quote
        assert len(screen_text(app).splitlines()) == 24


async def test_the_cell_under_the_cursor_names_its_pets_and_shows_its_key_quote(demo: Project) -> None:
    app = MarginApp(demo)
    async with app.run_test(size=NARROW) as pilot:
        screen = await open_table(pilot, app)
        row = [r.name for r in screen.table.rows].index("Learning community")
        screen.grid.cursor_coordinate = screen.grid.cursor_coordinate._replace(row=row, column=2)
        await settle(pilot)
        shown = " ".join(screen_text(app).split())  # the pane wraps at word boundaries
        assert "P01 · Learning community: 10 extracts from" in shown
        assert "The bulletin as a door into the ward (6)" in shown
        assert "key quote (P01, 191-192): " in shown and "I used it as a door into the team." in shown


async def test_the_first_look_before_every_case_is_done_is_said_and_recorded(demo: Project) -> None:
    app = MarginApp(demo)
    async with app.run_test(size=NARROW) as pilot:
        await open_table(pilot, app)
        assert any("still open" in str(n.message) for n in app._notifications)
    events = sqlite3.connect(demo.path).execute("SELECT COUNT(*) FROM events WHERE action = 'case.look_across'")
    assert events.fetchone()[0] == 1


async def test_mark_a_divergent_case_with_a_note_and_take_it_off(demo: Project, keyboard) -> None:
    app = MarginApp(demo)
    async with app.run_test(size=NARROW) as pilot:
        screen = await open_table(pilot, app)
        row = [r.name for r in screen.table.rows].index("Learning community")
        screen.grid.cursor_coordinate = screen.grid.cursor_coordinate._replace(row=row, column=3)  # P02
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await keyboard.type(pilot, "a ladder after all")
        await pilot.press("enter")
        await settle(pilot)
        conn = sqlite3.connect(demo.path)
        rows = conn.execute(
            "SELECT p.pseudonym, d.note FROM divergences d JOIN participants p ON p.id = d.participant_id "
            "JOIN themes t ON t.id = d.theme_id WHERE t.name = 'Learning community'").fetchall()
        assert rows == [("P02", "a ladder after all")]
        assert "≠ P02 runs against it: a ladder after all" in " ".join(screen_text(app).split())
        await pilot.press("x")
        await settle(pilot)
        assert conn.execute("SELECT COUNT(*) FROM divergences d JOIN themes t ON t.id = d.theme_id "
                            "WHERE t.name = 'Learning community'").fetchone()[0] == 0
        conn.close()


async def test_the_pet_table_of_a_participant(demo: Project) -> None:
    app = MarginApp(demo)
    async with app.run_test(size=NARROW) as pilot:
        screen = await open_table(pilot, app)
        screen.grid.cursor_coordinate = screen.grid.cursor_coordinate._replace(row=0, column=3)  # P02
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        assert screen.pets_of == demo.find_participant("P02").id
        rows = grid_rows(app)
        pets = [r[0] for r in rows if r[0]]
        assert pets == ["A corridor, not a ladder", "A first mistake, somewhere safe", "From project manager to colleague",
                        "Owning the work"]
        cites = {r[1]: r[2] for r in rows}
        assert cites["The pencil circle"].startswith("(P02, ")
        assert "PET table of P02" in screen_text(app)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.pets_of == demo.find_participant("P03").id
        assert [r[0] for r in grid_rows(app) if r[0]] == ["A teacher at the back of the room", "Holding back, holding weight"]
        await pilot.press("P")
        await settle(pilot)
        assert screen.pets_of is None and grid_rows(app)[0][0] == "Identity maturation"
