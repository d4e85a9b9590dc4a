"""The GET table (GETs by participants) and each participant's PET table.

Each GET cell says how many extracts and PETs a participant brings, `★` when a key quote is
chosen and `≠` when the participant is marked divergent; the pane below names the PETs, shows
the key quote and the divergence note of the cell under the cursor. `P` switches to the PET
table of the participant in the cursor's column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tui.project import LEVEL_LABELS, analysis
from tui.screens.analysis_base import AnalysisScreen
from tui.screens.prompt import PromptScreen
from tui.text import visible, visible_lines
from tui.widgets.cell_grid import CellGrid
from tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from tui.project import Project

#: Columns before the participants' in the GET table.
_LEAD_COLUMNS = ("GET", "n of N")


class GetTableScreen(AnalysisScreen):
    """GETs as rows, participants as columns; or one participant's PETs.

    | key | action |
    |---|---|
    | arrows / `hjkl` | move between cells (the table scrolls) |
    | `e` / `enter` | the extracts of the GET (of that participant, in a participant's column) |
    | `x` | mark or unmark the participant as divergent on the GET (with a note) |
    | `P` | this participant's PET table, or back to the GET table |
    | `[`, `]` | the previous, next participant's PET table |
    | `H` | how the GET came to be |
    | `q` | back |
    """

    BINDINGS = [
        Binding("e", "extracts", "Extracts"),
        Binding("x", "divergence", "Divergent"),
        Binding("P", "toggle_pets", "PET table"),
        Binding("right_square_bracket", "next_participant", "Next participant", show=False),
        Binding("left_square_bracket", "previous_participant", "Previous participant", show=False),
        Binding("H", "history", "History", show=False),
        Binding("h", "cursor_left", "Left", show=False),
        Binding("l", "cursor_right", "Right", show=False),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("u,ctrl+z", "undo", "Undo", show=False),
        Binding("ctrl+r,ctrl+y", "redo", "Redo", show=False),
        Binding("q", "back", "Back"),
    ]

    DEFAULT_CSS = """
    GetTableScreen {
        layout: vertical;
        #analysis-status { height: 1; background: $panel; padding: 0 1; }
        #get-grid { height: 1fr; min-height: 5; }
        #get-detail-box { height: 8; border-top: solid $secondary 50%; }
        #get-detail { padding: 0 1; }
    }
    """

    def __init__(self, project: Project, *, case_id: int | None = None, pets_of: int | None = None) -> None:
        super().__init__(project)
        self.table: analysis.GetTable | None = None
        self.pet_rows: list[analysis.PetRow] = []
        #: The participant whose PET table is shown, or None for the GET table.
        self.pets_of = pets_of
        self._case_id = case_id
        if project.method != "ipa":  # the footer, help and palette speak the method's words
            self._bindings.key_to_bindings["P"] = [Binding("P", "toggle_pets", "Participant's themes")]

    def compose(self) -> ComposeResult:
        yield Static(id="analysis-status")
        yield CellGrid(id="get-grid")
        with VerticalScroll(id="get-detail-box", can_focus=False):
            yield Static(id="get-detail")
        yield KeyBar()

    @property
    def grid(self) -> CellGrid:
        """The table widget."""
        return self.query_one("#get-grid", CellGrid)

    def on_mount(self) -> None:
        self.reload()
        self.grid.focus()
        if self.pets_of is None and self.project.method == "ipa":
            said = self.project.record_cross_case_look("GET table")
            if said:
                self.notify(Content(visible(said)), title="Across cases", timeout=8)

    # ---------------------------------------------------------------- data

    def reload(self) -> None:
        """Read the table again and redraw it, keeping the cursor."""
        if not self.is_mounted:
            return
        with self.collector_held():
            if self.pets_of is None:
                self._fill_gets(self.grid)
            else:
                self._fill_pets(self.grid)
        self._show_detail()
        self.refresh_status()

    def _fill_gets(self, grid: CellGrid) -> None:
        table = self.table = analysis.get_table(self.project)
        texts: list[list[str]] = []
        for row in table.rows:
            diverging = {d.participant_id for d in row.divergences}
            cells = []
            for participant_id, _ in table.participants:
                cell = row.cells.get(participant_id)
                text = ""
                if cell is not None and cell.extracts:
                    text = f"{cell.extracts}·{len(cell.pets)}" + ("★" if cell.key_quote else "")
                if participant_id in diverging:
                    text += "≠"
                cells.append(text or "—")
            texts.append(cells)
        columns = [(Content(self._top_label()), 22), (Content("n of N"), 7)]
        for index, (_, pseudonym) in enumerate(table.participants):
            # As narrow as the column's longest entry (6 lets four participants fit at 80 columns).
            widest = max([len(pseudonym), *(len(cells[index]) for cells in texts)])
            columns.append((Content(visible(pseudonym)), max(6, min(widest, 12))))
        columns.append((Content("divergent"), 12))
        rows = []
        for row, row_texts in zip(table.rows, texts):
            cells: list[Content] = [Content(visible(row.name)), Content(f"{row.recurrence} of {table.total}")]
            cells.extend(Content(text) for text in row_texts)
            cells.append(Content(visible(", ".join(d.pseudonym for d in row.divergences))))
            rows.append(cells)
        grid.set_table(columns, rows)

    def _top_label(self) -> str:
        """What the rows of the table are called in this project's method: GET, or theme in TA."""
        return LEVEL_LABELS.get(self.project.levels[-1], "GET")

    def _part_label(self) -> str:
        """What a participant's themes are called: PETs, or codes in TA."""
        return "PET" if self.project.method == "ipa" else LEVEL_LABELS.get(self.project.levels[0], "code")

    def _fill_pets(self, grid: CellGrid) -> None:
        assert self.pets_of is not None
        self.pet_rows = analysis.pet_table(self.project, self.pets_of)
        columns = [(Content(self._part_label()), 24),
                   (Content("statement" if self.project.method == "ipa" else "codes"), 28),
                   (Content("citations"), 24)]
        rows: list[list[Content]] = []
        self._pet_refs: list[tuple[analysis.PetRow, analysis.PetStatement | None]] = []
        for pet in self.pet_rows:
            statements = list(pet.statements) or [None]
            for index, statement in enumerate(statements):
                name = Content(visible(pet.name)) if index == 0 else Content("")
                if statement is None:
                    cites = " ".join(e.citation for e in pet.own)
                    rows.append([name, Content("(no statements yet)"), Content(visible(cites))])
                else:
                    cites = " ".join(("★" if e.key_quote else "") + e.citation for e in statement.extracts)
                    rows.append([name, Content(visible(statement.name)), Content(visible(cites))])
                self._pet_refs.append((pet, statement))
        grid.set_table(columns, rows)

    def status_parts(self) -> list[str]:
        if self.pets_of is not None:
            who = self.project.participant(self.pets_of).pseudonym
            statements = sum(len(p.statements) for p in self.pet_rows)
            part = self._part_label()
            return [f"{part} table of {who}", f"{len(self.pet_rows)} {part}s", f"{statements} statements",
                    f"P: {self._top_label()} table"]
        top, part = self._top_label(), self._part_label()
        if self.table is None:
            return [f"{top} table"]
        return [f"{top} table", f"{len(self.table.rows)} {top}s", f"{self.table.total} participants",
                f"cell: extracts·{part}s ★ key quote ≠ divergent"]

    # ---------------------------------------------------------------- the cell under the cursor

    def _here(self) -> tuple[analysis.GetRow | None, int | None]:
        """(the GET row, the participant id of the column) under the cursor."""
        if self.table is None or self.pets_of is not None or not self.table.rows:
            return None, None
        row, column = self.grid.cursor_coordinate
        get = self.table.rows[row] if 0 <= row < len(self.table.rows) else None
        index = column - len(_LEAD_COLUMNS)
        participant = self.table.participants[index][0] if 0 <= index < len(self.table.participants) else None
        return get, participant

    @on(CellGrid.CellHighlighted, "#get-grid")
    def _highlighted(self) -> None:
        self._show_detail()

    @on(CellGrid.CellSelected, "#get-grid")
    def _selected(self) -> None:
        self.action_extracts()

    def _show_detail(self) -> None:
        detail = self.query_one("#get-detail", Static)
        if self.pets_of is not None:
            detail.update(Content(visible_lines(self._pet_detail())))
            return
        get, participant = self._here()
        if get is None:
            top, part = self._top_label(), self._part_label()
            detail.update(Content(f"No {top}s yet. On the board (b), mark {part}s with space and group them with c."))
            return
        lines: list[str] = []
        if participant is None:
            lines.append(f"{get.name}" + (f" · formed by {get.strategy}" if get.strategy else ""))
            if get.description:
                lines.append(" ".join(get.description.split()))
            for divergence in get.divergences:
                lines.append(self._divergence_text(divergence))
        else:
            who = dict(self.table.participants)[participant] if self.table else "?"
            cell = get.cells.get(participant)
            if cell is None or not cell.extracts:
                lines.append(f"{who} brings nothing to {get.name}")
            else:
                pets = "; ".join(f"{name} ({n})" for _, name, n in cell.pets) or "coded on the GET itself"
                lines.append(f"{who} · {get.name}: {cell.extracts} extracts from {pets}")
                if cell.key_quote:
                    lines.append(f"key quote {cell.key_quote.citation}: " + " ".join(cell.key_quote.text.split()))
                else:
                    lines.append("no key quote yet (e, then * on an extract)")
            for divergence in get.divergences:
                if divergence.participant_id == participant:
                    lines.append(self._divergence_text(divergence))
        detail.update(Content(visible_lines("\n".join(lines))))

    @staticmethod
    def _divergence_text(divergence: analysis.Divergence) -> str:
        text = f"≠ {divergence.pseudonym} runs against it"
        if divergence.note:
            text += f": {divergence.note}"
        if divergence.quote:
            text += f" {divergence.quote.citation} " + " ".join(divergence.quote.text.split())
        return text

    def _pet_detail(self) -> str:
        refs = getattr(self, "_pet_refs", [])
        row = self.grid.cursor_coordinate.row
        if not refs or not 0 <= row < len(refs):
            return "No PETs for this participant yet: on the board, mark statements with space and group them with c."
        pet, statement = refs[row]
        head = pet.name + (f" · formed by {pet.strategy}" if pet.strategy else "")
        if statement is None:
            return head + "\n" + (pet.description or "")
        quotes = [f"{e.citation} " + " ".join(e.text.split()) for e in statement.extracts[:3]]
        return "\n".join([f"{head} / {statement.name}", *quotes])

    # ---------------------------------------------------------------- keys

    def action_cursor_left(self) -> None:
        self.grid.action_cursor_left()

    def action_cursor_right(self) -> None:
        self.grid.action_cursor_right()

    def action_cursor_up(self) -> None:
        self.grid.action_cursor_up()

    def action_cursor_down(self) -> None:
        self.grid.action_cursor_down()

    def action_extracts(self) -> None:
        """The extracts of the GET, or of the participant's part of it."""
        from tui.screens.extracts import ExtractsScreen

        if self.pets_of is not None:
            refs = getattr(self, "_pet_refs", [])
            row = self.grid.cursor_coordinate.row
            if refs and 0 <= row < len(refs):
                pet, statement = refs[row]
                theme = statement.theme_id if statement else pet.theme_id
                self.app.push_screen(ExtractsScreen(self.project, theme, participant_id=self.pets_of))
            return
        get, participant = self._here()
        if get is not None:
            self.app.push_screen(ExtractsScreen(self.project, get.theme_id, participant_id=participant))

    def action_divergence(self) -> None:
        """Mark the participant of this column as divergent on the GET, or take the mark off."""
        get, participant = self._here()
        if get is None or participant is None:
            self.say("move to a participant's column of a GET first")
            return
        if any(d.participant_id == participant for d in get.divergences):
            self.commit(lambda: self.project.unmark_divergence(get.theme_id, participant),
                        lambda _: "divergence mark taken off")
            return
        cell = get.cells.get(participant)
        quote = cell.key_quote.coding_id if cell and cell.key_quote else None

        def noted(note: str | None) -> None:
            if note is None:
                return
            self.commit(lambda: self.project.mark_divergence(get.theme_id, participant, quote, note),
                        lambda _: "marked divergent (u undoes)")

        self.app.push_screen(PromptScreen("How does this account run against the GET?", allow_empty=True,
                                          placeholder="a note, or leave empty"), noted)

    def action_toggle_pets(self) -> None:
        """Show this participant's PET table, or go back to the GET table."""
        if self.pets_of is not None:
            self.pets_of = None
        else:
            _, participant = self._here()
            if participant is None:
                ids = self.table.participants if self.table else ()
                if not ids:
                    self.say("no participants with transcripts yet")
                    return
                participant = self._case_id if self._case_id in dict(ids) else ids[0][0]
            self.pets_of = participant
        self.grid.cursor_coordinate = self.grid.cursor_coordinate._replace(row=0, column=0)
        self.reload()

    def _step_participant(self, step: int) -> None:
        ids = [p for p, _ in (self.table.participants if self.table else analysis.get_table(self.project).participants)]
        if self.pets_of is None or not ids:
            self.say("P shows a participant's PET table first")
            return
        index = ids.index(self.pets_of) if self.pets_of in ids else 0
        self.pets_of = ids[(index + step) % len(ids)]
        self.reload()

    def action_next_participant(self) -> None:
        """The next participant's PET table."""
        self._step_participant(1)

    def action_previous_participant(self) -> None:
        """The previous participant's PET table."""
        self._step_participant(-1)

    def action_history(self) -> None:
        """How the GET under the cursor came to be."""
        get, _ = self._here()
        if get is None:
            return
        from tui.screens.theme_history import ThemeHistoryScreen

        self.app.push_screen(ThemeHistoryScreen(self.project, get.theme_id))
