"""The theme board: the theme tree with its counts, and the keys that build it upward.

Statements are marked (space) and grouped (c) into a PET, PETs into a GET, each grouping labelled
with the strategy it was made by. While a participant's case is open the board shows that case's
statements and PETs only (and every cross-case theme); `A` looks across all cases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from tui.project import LEVEL_LABELS, Theme
from tui.project import analysis
from tui.project.clustering import STRATEGIES
from tui.project.search import ThemeIndex
from tui.project.themes import ThemeTable
from tui.screens.analysis_base import AnalysisScreen
from tui.screens.choice import ChoiceScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.prompt import PromptScreen
from tui.screens.theme_picker import PickResult, ThemePicker
from tui.text import visible
from tui.widgets.fields import Input
from tui.widgets.key_bar import KeyBar
from tui.widgets.row_list import LazyRows, RowList

if TYPE_CHECKING:
    from tui.project import Project

#: The colours a theme can be given (Textual colour names), "none" first.
COLOURS: tuple[str, ...] = ("none", "red", "orange", "yellow", "green", "cyan", "blue", "magenta", "purple")

_TAGS = {"statement": "S", "pet": "PET", "get": "GET", "code": "c", "theme": "T"}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


class BoardRow(NamedTuple):
    """One row of the board: a theme at a depth (a tuple: ten thousand are made per redraw)."""

    theme_id: int
    depth: int


class ThemeBoardScreen(AnalysisScreen):
    """The theme tree: create, rename, describe, recolour, move, merge, delete, group; by case.

    | key | action |
    |---|---|
    | `space` | mark or unmark the theme (to group it) |
    | `c` | group the marked themes into a new or existing theme, with a strategy |
    | `M` | move the theme under another (a statement to another PET) |
    | `m` | merge the theme into another of its level |
    | `a`, `r`, `d`, `o`, `D` | add, rename, describe, recolour, delete a theme |
    | `s` | say by which strategy the theme was formed |
    | `e` / `enter`, `h` | the theme's extracts, its history |
    | `t`, `J`, `w` | the GET table, memos and journal, a memo on the theme |
    | `C`, `A`, `F` | choose the case, look across all cases, mark the case done or reopen it |
    | `/` | filter by name, as the theme picker ranks |
    """

    BINDINGS = [
        Binding("space", "mark", "Mark"),
        Binding("c", "group", "Group marked"),
        Binding("M", "move", "Move"),
        Binding("m", "merge", "Merge"),
        Binding("a", "new_theme", "New theme", show=False),
        Binding("r", "rename", "Rename", show=False),
        Binding("d", "describe", "Describe", show=False),
        Binding("o", "recolour", "Colour", show=False),
        Binding("s", "strategy", "Strategy", show=False),
        Binding("D", "delete", "Delete", show=False),
        Binding("e", "extracts", "Extracts"),
        Binding("h", "history", "History", show=False),
        Binding("t", "get_table", "GET table"),
        Binding("J", "memos", "Memos", show=False),
        Binding("w", "memo", "Memo on theme", show=False),
        Binding("C", "choose_case", "Case"),
        Binding("A", "all_cases", "All cases", show=False),
        Binding("F", "case_done", "Case done / reopen", show=False),
        Binding("slash", "filter", "Filter", priority=True),
        Binding("escape", "close_filter", "Clear filter and marks", show=False),
        Binding("u,ctrl+z", "undo", "Undo"),
        Binding("ctrl+r,ctrl+y", "redo", "Redo", show=False),
        Binding("q", "back", "Back"),
    ]

    DEFAULT_CSS = """
    ThemeBoardScreen {
        layout: vertical;
        #analysis-status { height: 1; background: $panel; padding: 0 1; }
        #board-heading { height: 1; color: $text-muted; padding: 0 1; }
        #board-list { height: 1fr; }
        #board-detail { height: auto; max-height: 4; padding: 0 1; border-top: solid $secondary 50%; }
        #board-filter { dock: bottom; display: none; }
    }
    """

    def __init__(self, project: Project, *, case_id: int | None = None) -> None:
        super().__init__(project)
        self._case_given = case_id
        self.case_id: int | None = None
        self.marked: set[int] = set()
        self._themes = ThemeTable(())
        self._totals: analysis.LazyTotals | dict[int, analysis.Totals] = {}
        self._rows: list[BoardRow] = []
        self._pseudonyms: dict[int, str] = {}
        self._done: dict[int, str | None] = {}
        self._filter = ""
        self._index: ThemeIndex | None = None
        self._strategies: dict[int, str | None] = {}
        if project.method != "ipa":  # the footer, help and palette speak the method's words
            self._bindings.key_to_bindings["t"] = [Binding("t", "get_table", "Theme table")]

    def compose(self) -> ComposeResult:
        yield Static(id="analysis-status")
        yield Static(Content("  ext  lns  ppl   theme"), id="board-heading")
        yield RowList(id="board-list")
        yield Static(id="board-detail")
        yield Input(placeholder="filter themes; enter to browse, escape to clear", id="board-filter")
        yield KeyBar()

    @property
    def rows(self) -> RowList:
        """The list of themes."""
        return self.query_one("#board-list", RowList)

    def on_mount(self) -> None:
        self._choose_initial_case()
        self.reload()
        self.rows.focus()

    def _choose_initial_case(self) -> None:
        """The case in progress: the one given, else the first still open; none in TA or when all are done."""
        if self.project.method != "ipa":
            return
        self._read_cases()
        if self._case_given is not None and self._case_given in self._pseudonyms:
            self.case_id = self._case_given
            return
        open_ids = [pid for pid, done in self._done.items() if not done]
        self.case_id = open_ids[0] if open_ids else None

    def _read_cases(self) -> None:
        self._pseudonyms = {p.id: p.pseudonym for p in self.project.participants()}
        with_transcripts = {t.participant_id for t in self.project.transcripts()}
        self._done = {
            pid: getattr(p, "case_done_at", None)
            for p in self.project.participants() for pid in (p.id,) if pid in with_transcripts
        }

    # ---------------------------------------------------------------- data

    def reload(self) -> None:
        """Read the themes and their totals again and redraw the board."""
        if not self.is_mounted:
            return
        project = self.project
        with self.collector_held():
            self._read_cases()
            self._themes = project.theme_table()  # each Theme made as it is shown or acted on
            self._totals = analysis.LazyTotals(project, self._themes.parents())  # rolled up as rows are drawn
            self.marked &= set(self._themes)
            self._index = None
            self._build_rows()

    def visible_theme(self, theme: Theme) -> bool:
        """Whether the board shows this theme in the current case."""
        if self.case_id is None or theme.participant_id is None:
            return True
        return theme.participant_id == self.case_id

    def _build_rows(self, keep: int | None = None) -> None:
        current = keep if keep is not None else self.current_theme_id
        levels = self.project.levels
        rank = {level: index for index, level in enumerate(levels)}
        if self._filter:
            if self._index is None:
                shown = [t for t in self._themes.by_name() if self.visible_theme(t)]
                self._index = ThemeIndex(shown, self.project.theme_paths())
            rows = [BoardRow(m.theme.id, 0) for m in self._index.rank(self._filter, 500)]
        else:
            rows = list(map(BoardRow._make, self._themes.tree(rank, self.case_id)))
        self._rows = rows
        cursor = next((i for i, r in enumerate(rows) if r.theme_id == current), None)
        self.rows.set_rows(LazyRows(len(rows), lambda i: self.row_content(rows[i])), cursor)
        self._show_detail()
        self.refresh_status()

    def row_content(self, row: BoardRow) -> Content:
        """The line for one theme: counts, a mark, the tree, level, name, colour, strategy, scope."""
        theme = self._themes[row.theme_id]
        totals = self._totals.get(theme.id, analysis.Totals())
        mark = "◆" if theme.id in self.marked else " "
        counts = f"{mark}{totals.extracts:>4} {totals.lines:>4} {totals.participants:>4}   "
        parts: list[Content | tuple[str, str] | str] = [counts, "  " * row.depth]
        tag = _TAGS.get(theme.level, theme.level)
        parts.append((f"{tag} ", "bold" if theme.level == self.project.levels[-1] else "dim"))
        if theme.colour:
            parts.append(("● ", theme.colour))
        parts.append(Content(visible(theme.name)))
        extra = []
        strategy = getattr(theme, "strategy", None)
        if strategy:
            extra.append(strategy)
        if self.case_id is None and theme.participant_id in self._pseudonyms:
            extra.append(self._pseudonyms[theme.participant_id])
        if self._filter:
            path = self.project.theme_paths().get(theme.id, "") if len(self._rows) < 200 else ""
            if path and path != theme.name:
                extra.append(f"in {path.rsplit('/', 1)[0]}")
        if extra:
            parts.append(("  " + visible(" · ".join(extra)), "dim"))
        return Content.assemble(*parts)

    @property
    def current_theme_id(self) -> int | None:
        """The theme under the cursor."""
        if not self.is_mounted or not self._rows:
            return None
        index = self.rows.cursor
        return self._rows[index].theme_id if 0 <= index < len(self._rows) else None

    def current_theme(self) -> Theme | None:
        """The theme under the cursor, if any."""
        theme_id = self.current_theme_id
        return self._themes.get(theme_id) if theme_id is not None else None

    def status_parts(self) -> list[str]:
        parts = ["theme board", self.project.method]
        if self.project.method == "ipa":
            if self.case_id is None:
                parts.append("all cases")
            else:
                state = "done" if self._done.get(self.case_id) else "open"
                parts.append(f"case {self._pseudonyms.get(self.case_id, '?')} ({state})")
        parts.append(f"{len(self._rows)} themes")
        if self.marked:
            parts.append(f"{len(self.marked)} marked")
        if self._filter:
            parts.append(f"filter: {self._filter}")
        return parts

    @on(RowList.Highlighted, "#board-list")
    def _highlighted(self) -> None:
        self._show_detail()

    @on(RowList.Chosen, "#board-list")
    def _chosen(self) -> None:
        self.action_extracts()

    def _show_detail(self) -> None:
        theme = self.current_theme()
        detail = self.query_one("#board-detail", Static)
        if theme is None:
            text = "No themes here yet. a adds one; in the workspace, t tags lines with a new statement."
            if self.case_id is not None:
                text += " A shows every case."
            detail.update(Content(text))
            return
        totals = self._totals.get(theme.id, analysis.Totals())
        level = LEVEL_LABELS.get(theme.level, theme.level)
        facts = [level, _count(totals.extracts, "extract"), _count(totals.lines, "line"),
                 _count(totals.participants, "participant")]
        if theme.participant_id in self._pseudonyms:
            facts.append(f"case {self._pseudonyms[theme.participant_id]}")
        elif self.project.method == "ipa":
            facts.append("cross-case")
        strategy = getattr(theme, "strategy", None)
        if strategy:
            facts.append(f"formed by {strategy}")
        if theme.colour:
            facts.append(theme.colour)
        text = " · ".join(facts)
        text += "\n" + (theme.description or "(no description: d describes it)")
        detail.update(Content(visible(text.split("\n")[0]) + "\n" + visible(" ".join(text.split("\n", 1)[1].split()))))

    # ---------------------------------------------------------------- filter

    def action_filter(self) -> None:
        """Filter the themes by name, ranked as the theme picker ranks them."""
        field = self.query_one("#board-filter", Input)
        field.display = True
        self.set_focus(field)

    @on(Input.Changed, "#board-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._filter = event.value.strip()
        self._build_rows()

    @on(Input.Submitted, "#board-filter")
    def _filter_submitted(self) -> None:
        self.query_one("#board-filter", Input).display = bool(self._filter)
        self.rows.focus()

    def action_close_filter(self) -> None:
        """Clear the filter, or else the marks."""
        field = self.query_one("#board-filter", Input)
        if self._filter or field.display:
            keep = self.current_theme_id
            field.value = ""
            field.display = False
            self._filter = ""
            self._build_rows(keep)
            self.rows.focus()
        elif self.marked:
            self.marked.clear()
            self._build_rows()
            self.say("marks cleared")

    # ---------------------------------------------------------------- marking and grouping

    def action_mark(self) -> None:
        """Mark or unmark the theme under the cursor, then go to the next."""
        theme = self.current_theme()
        if theme is None:
            return
        self.marked ^= {theme.id}
        index = self.rows.cursor
        self._build_rows()
        self.rows.move_to(index + 1)

    def _pick(self, title: str, themes: list[Theme], new_label: str, then) -> None:  # type: ignore[no-untyped-def]
        picker = ThemePicker.kept(self.app, themes, paths=self.project.theme_paths(), participants=self._pseudonyms,
                                  title=title, new_label=new_label)
        self.app.push_screen(picker, lambda result: None if result is None else then(result))

    def action_group(self) -> None:
        """Group the marked themes (or the one under the cursor) into a new or existing theme."""
        ids = sorted(self.marked) or ([self.current_theme_id] if self.current_theme_id else [])
        if not ids:
            self.say("mark themes with space first")
            return
        grouped = [self._themes[i] for i in ids]
        levels = self.project.levels
        highest = max(levels.index(t.level) if t.level in levels else 0 for t in grouped)
        if highest + 1 >= len(levels):
            self.say(f"{LEVEL_LABELS.get(levels[-1], levels[-1])}s are the top level: nothing groups them")
            return
        owners = {t.participant_id for t in grouped if t.participant_id is not None}
        targets = [
            t for t in self._themes.by_name()
            if (levels.index(t.level) if t.level in levels else -1) > highest and t.id not in ids
            and (t.participant_id is None or not owners or owners == {t.participant_id})
        ]
        new_level = levels[highest + 1]
        label = LEVEL_LABELS.get(new_level, new_level)
        what = f"{len(ids)} marked" if len(ids) > 1 else visible(grouped[0].name)

        def picked(result: PickResult) -> None:
            def with_strategy(index: int | None) -> None:
                if index is None:
                    return
                strategy = None if index == 0 else STRATEGIES[index - 1]
                self.commit(
                    lambda: self.project.group(ids, into_id=result.theme_id, new_name=result.new_name,
                                               level=None if result.theme_id else new_level, strategy=strategy),
                    lambda theme: self._grouped(theme, len(ids), strategy),
                )

            self.app.push_screen(
                ChoiceScreen("How was this grouping made?", ["(say later)", *STRATEGIES]), with_strategy
            )

        self._pick(f"Group {what} into", targets, label, picked)

    def _grouped(self, theme: Theme, count: int, strategy: str | None) -> str:
        self.marked.clear()
        self._build_rows(theme.id)
        how = f" by {strategy}" if strategy else ""
        return f"grouped {count} into {LEVEL_LABELS.get(theme.level, theme.level)} {theme.name}{how} (u undoes)"

    def action_strategy(self) -> None:
        """Say by which strategy the theme under the cursor was formed."""
        theme = self.current_theme()
        if theme is None:
            return

        def chosen(index: int | None) -> None:
            if index is None:
                return
            value = None if index == 0 else STRATEGIES[index - 1]
            self.commit(lambda: self.project.set_strategy(theme.id, value),
                        lambda _: f"{theme.name}: formed by {value or 'no strategy named'}")

        self.app.push_screen(ChoiceScreen(f"How was {visible(theme.name)} formed?", ["(none)", *STRATEGIES]), chosen)

    def action_move(self) -> None:
        """Move the theme under the cursor under another theme (a statement to another PET)."""
        theme = self.current_theme()
        if theme is None:
            return
        levels = self.project.levels
        mine = levels.index(theme.level) if theme.level in levels else 0
        below = set(analysis.descendants(self.project, theme.id))
        targets = [
            t for t in self._themes.by_name()
            if t.id not in below and t.id != theme.parent_id
            and (levels.index(t.level) if t.level in levels else -1) > mine
            and (t.participant_id is None or theme.participant_id in (None, t.participant_id))
        ]

        def picked(result: PickResult) -> None:
            if result.theme_id is None:
                self.say("choose an existing theme to move it under")
                return
            self.commit(lambda: self.project.move(theme.id, result.theme_id),
                        lambda moved: f"moved {theme.name} under {self._themes[result.theme_id].name} (u undoes)")

        if theme.parent_id is not None and not targets:
            self.commit(lambda: self.project.move(theme.id, None), lambda _: f"moved {theme.name} to the top")
            return
        self._pick(f"Move {visible(theme.name)} under", targets, "theme (not created here)", picked)

    def action_merge(self) -> None:
        """Merge the theme under the cursor into another of its level."""
        theme = self.current_theme()
        if theme is None:
            return
        targets = [t for t in self._themes.by_name() if t.level == theme.level and t.id != theme.id
                   and (t.participant_id is None or theme.participant_id in (None, t.participant_id))]

        def picked(result: PickResult) -> None:
            if result.theme_id is None:
                self.say("merge into an existing theme (rename to change the name)")
                return
            into = self._themes[result.theme_id]
            extracts = _count(self._totals.get(theme.id, analysis.Totals()).extracts, "extract")

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.commit(lambda: self.project.merge(theme.id, into.id),
                                lambda merged: f"merged {theme.name} into {merged.name} (u undoes)")

            self.app.push_screen(ConfirmScreen(
                f"Merge '{theme.name}' into '{into.name}'?\n\nIts {extracts}, the themes below it and its "
                f"memos go to '{into.name}'; '{theme.name}' itself goes. u undoes it.", yes="Merge"), confirmed)

        self._pick(f"Merge {visible(theme.name)} into", targets, "theme (not created here)", picked)

    # ---------------------------------------------------------------- create, rename, describe, colour, delete

    def action_new_theme(self) -> None:
        """Add a theme: its name, then its level."""
        levels = self.project.levels

        def named(name: str | None) -> None:
            if not name:
                return

            def levelled(index: int | None) -> None:
                if index is None:
                    return
                level = levels[index]
                scope = self.case_id if self.project.method == "ipa" and level != levels[-1] else None
                if self.project.method == "ipa" and level != levels[-1] and scope is None:
                    self.say("choose a case first (C): statements and PETs belong to one participant")
                    return
                self.commit(lambda: self.project.create_theme(name, level=level, participant_id=scope),
                            lambda theme: self._created(theme))

            self.app.push_screen(ChoiceScreen("Level of the new theme", [LEVEL_LABELS.get(l, l) for l in levels]), levelled)

        self.app.push_screen(PromptScreen("New theme's name", placeholder="Feeling part of the team"), named)

    def _created(self, theme: Theme) -> str:
        self._build_rows(theme.id)
        return f"created {LEVEL_LABELS.get(theme.level, theme.level)} {theme.name}"

    def action_rename(self) -> None:
        """Rename the theme under the cursor."""
        theme = self.current_theme()
        if theme is None:
            return
        self.app.push_screen(
            PromptScreen(f"Rename {visible(theme.name)}", value=theme.name),
            lambda name: None if not name else self.commit(
                lambda: self.project.update_theme(theme.id, name=name), lambda t: f"renamed to {t.name}"),
        )

    def action_describe(self) -> None:
        """Describe the theme under the cursor (what it means, in a sentence or two)."""
        theme = self.current_theme()
        if theme is None:
            return
        self.app.push_screen(
            PromptScreen(f"Describe {visible(theme.name)}", value=theme.description, allow_empty=True),
            lambda text: None if text is None else self.commit(
                lambda: self.project.update_theme(theme.id, description=text), lambda t: f"described {t.name}"),
        )

    def action_recolour(self) -> None:
        """Give the theme under the cursor a colour."""
        theme = self.current_theme()
        if theme is None:
            return

        def chosen(index: int | None) -> None:
            if index is None:
                return
            colour = None if index == 0 else COLOURS[index]
            self.commit(lambda: self.project.update_theme(theme.id, colour=colour),
                        lambda t: f"{t.name}: {colour or 'no colour'}")

        self.app.push_screen(ChoiceScreen(f"Colour of {visible(theme.name)}", list(COLOURS)), chosen)

    def action_delete(self) -> None:
        """Delete the theme under the cursor, after saying what will be lost."""
        theme = self.current_theme()
        if theme is None:
            return
        own = len(self.project.codings(theme_id=theme.id))
        children = [t for t in self._themes.by_name() if t.parent_id == theme.id]
        parent = self._themes.get(theme.parent_id) if theme.parent_id else None
        lost = [f"{_count(own, 'coding')} made with it (its extracts) will be removed" if own
                else "it has no codings of its own: no extract is removed"]
        if children:
            lost.append(f"the {len(children)} theme{'' if len(children) == 1 else 's'} below it move up to "
                        f"{parent.name if parent else 'the top'}, with their codings")
        memos = [m for m in self.project.memos() if m.theme_id == theme.id]
        if memos:
            lost.append(f"{len(memos)} memo{'' if len(memos) == 1 else 's'} on it will stay, on no theme")
        question = f"Delete {LEVEL_LABELS.get(theme.level, theme.level)} '{theme.name}'?\n\n" + ";\n".join(lost) + ".\n\nu undoes it."
        self.app.push_screen(
            ConfirmScreen(question),
            lambda yes: None if not yes else self.commit(
                lambda: self.project.delete_theme(theme.id), lambda _: f"deleted {theme.name} (u undoes)"),
        )

    # ---------------------------------------------------------------- other screens

    def action_extracts(self) -> None:
        """Every extract of the theme under the cursor and the themes below it."""
        theme = self.current_theme()
        if theme is None:
            return
        from tui.screens.extracts import ExtractsScreen

        self.app.push_screen(ExtractsScreen(self.project, theme.id))

    def action_history(self) -> None:
        """How the theme under the cursor came to be."""
        theme = self.current_theme()
        if theme is None:
            return
        from tui.screens.theme_history import ThemeHistoryScreen

        self.app.push_screen(ThemeHistoryScreen(self.project, theme.id))

    def action_get_table(self) -> None:
        """The GET table (looking across cases)."""
        from tui.screens.get_table import GetTableScreen

        self.app.push_screen(GetTableScreen(self.project, case_id=self.case_id))

    def action_memos(self) -> None:
        """Memos and the reflexive journal."""
        from tui.screens.memos import MemosScreen

        self.app.push_screen(MemosScreen(self.project))

    def action_memo(self) -> None:
        """Write a memo on the theme under the cursor."""
        theme = self.current_theme()
        if theme is None:
            return
        from tui.screens.memos import MemosScreen

        screen = MemosScreen(self.project, theme_id=theme.id)
        self.app.push_screen(screen)
        screen.call_after_refresh(screen.action_new)

    # ---------------------------------------------------------------- cases

    def action_choose_case(self) -> None:
        """Work on one participant's case (or all cases)."""
        if self.project.method != "ipa":
            self.say("cases apply to IPA projects; a TA board shows every theme")
            return
        ids = list(self._done)
        options = [f"{self._pseudonyms[i]} ({'done' if self._done[i] else 'open'})" for i in ids] + ["all cases"]

        def chosen(index: int | None) -> None:
            if index is None:
                return
            if index == len(ids):
                self.action_all_cases()
                return
            self.case_id = ids[index]
            self.marked.clear()
            self._build_rows()
            self.rows.move_to(0)  # another case: its first theme, not the row number the last case had
            self.say(f"case {self._pseudonyms[self.case_id]}: other cases' statements and PETs are hidden")

        self.app.push_screen(ChoiceScreen("Which case?", options), chosen)

    def action_all_cases(self) -> None:
        """Show every case's statements and PETs (looking across cases)."""
        self.case_id = None
        self._build_rows()
        self.look_across("theme board")

    def look_across(self, where: str) -> None:
        """Say once, and record, that cases are being looked across before all are done."""
        try:
            said = self.project.record_cross_case_look(where)
        except Exception as error:  # noqa: BLE001 - the look itself must not fail
            self.fail(error)
            return
        if said:
            self.notify(Content(visible(said)), title="Across cases", timeout=8)
        self.say("all cases shown")

    def action_case_done(self) -> None:
        """Mark the current case done, or reopen it."""
        if self.case_id is None:
            self.say("choose a case first (C)")
            return
        case = self.case_id
        name = self._pseudonyms.get(case, "?")
        if self._done.get(case):
            self.commit(lambda: self.project.reopen_case(case), lambda _: f"{name}'s case is open again")
        else:
            self.commit(lambda: self.project.mark_case_done(case), lambda _: f"{name}'s case is done (u undoes)")
