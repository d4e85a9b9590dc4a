"""The grid of the GET table: only the cells in view are drawn, and the cursor is always in view."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.content import Content
from textual.coordinate import Coordinate

from tui.widgets.cell_grid import CellGrid

COLUMNS = 40
ROWS = 60


class GridApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.highlighted: list[Coordinate] = []
        self.selected: list[Coordinate] = []

    def compose(self) -> ComposeResult:
        yield CellGrid()

    def on_mount(self) -> None:
        grid = self.query_one(CellGrid)
        columns = [(Content(f"C{c:02d}"), 6) for c in range(COLUMNS)]
        rows = [[Content(f"r{r}c{c}") for c in range(COLUMNS)] for r in range(ROWS)]
        grid.set_table(columns, rows)
        grid.focus()

    def on_cell_grid_cell_highlighted(self, message: CellGrid.CellHighlighted) -> None:
        self.highlighted.append(message.coordinate)

    def on_cell_grid_cell_selected(self, message: CellGrid.CellSelected) -> None:
        self.selected.append(message.coordinate)


def shown(app: GridApp) -> list[str]:
    grid = app.query_one(CellGrid)
    return [grid.render_line(y).text for y in range(grid.size.height)]


async def test_the_header_stays_and_the_cursor_cell_is_kept_in_view_both_ways() -> None:
    app = GridApp()
    async with app.run_test(size=(40, 12)) as pilot:
        grid = app.query_one(CellGrid)
        rows = shown(app)
        assert rows[0].split() == ["C00", "C01", "C02", "C03", "C04"]  # 8 cells a column: five in 40
        assert rows[1].split()[:2] == ["r0c0", "r0c1"]
        for _ in range(20):
            await pilot.press("right")
        for _ in range(30):
            await pilot.press("down")
        await pilot.pause()
        assert grid.cursor_coordinate == Coordinate(30, 20)
        rows = shown(app)
        assert "C20" in rows[0].split() and "C00" not in rows[0]  # scrolled right, the header with it
        assert any("r30c20" in row.split() for row in rows[1:])  # the cursor's cell is on screen
        assert "r0c20" not in " ".join(rows)  # scrolled down, the header still on top
        await pilot.press("end")
        await pilot.press("right")
        await pilot.pause()
        assert grid.cursor_coordinate == Coordinate(ROWS - 1, 21)
        assert any(f"r{ROWS - 1}c21" in row.split() for row in shown(app)[1:])
        await pilot.press("enter")
        await pilot.pause()
        assert app.selected == [Coordinate(ROWS - 1, 21)] and app.highlighted[-1] == Coordinate(ROWS - 1, 21)


async def test_the_cursor_stops_at_the_edges_and_a_new_table_keeps_it_within() -> None:
    app = GridApp()
    async with app.run_test(size=(40, 12)) as pilot:
        grid = app.query_one(CellGrid)
        await pilot.press("left", "up")
        assert grid.cursor_coordinate == Coordinate(0, 0)
        grid.cursor_coordinate = Coordinate(ROWS + 5, COLUMNS + 5)
        assert grid.cursor_coordinate == Coordinate(ROWS - 1, COLUMNS - 1)
        grid.set_table([(Content("only"), 4)], [[Content("a")], [Content("b")]])
        await pilot.pause()
        assert grid.cursor_coordinate == Coordinate(1, 0) and grid.row_at(1) == ["b"]
        assert shown(app)[0].split() == ["only"]


async def test_a_click_moves_the_cursor_and_a_second_click_chooses() -> None:
    app = GridApp()
    async with app.run_test(size=(40, 12)) as pilot:
        grid = app.query_one(CellGrid)
        await pilot.click(CellGrid, offset=(17, 3))  # the third column (8 cells each), row 2 below the header
        await pilot.pause()
        assert grid.cursor_coordinate == Coordinate(2, 2) and not app.selected
        await pilot.click(CellGrid, offset=(17, 3))
        await pilot.pause()
        assert app.selected == [Coordinate(2, 2)]
