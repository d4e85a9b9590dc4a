"""The project screen: participants and their transcripts, with progress; open one to code it."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.formats.importer import import_file
from tui.formats.transcripts import TranscriptError
from tui.project import Project, ProjectError
from tui.screens.prompt import PromptScreen
from tui.screens.workspace import WorkspaceScreen
from tui.text import visible, visible_lines


class ProjectScreen(Screen[None]):
    """The study at a glance.

    | key | action |
    |---|---|
    | `enter` | open the highlighted transcript |
    | `i` | import a transcript file |
    | `a` | add a participant |
    | `P` | assign the highlighted transcript to a participant |
    | `r` | rename the highlighted transcript's participant (give a pseudonym) |
    | `q` | quit |
    """

    BINDINGS = [
        Binding("enter", "open", "Open", priority=False),
        Binding("i", "import_file", "Import"),
        Binding("a", "add_participant", "Add participant"),
        Binding("P", "assign", "Assign participant"),
        Binding("r", "rename_participant", "Rename participant"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("b", "board", "Theme board"),
        Binding("T", "get_table", "GET table"),
        Binding("M", "memos", "Memos and journal"),
        Binding("q", "quit_app", "Quit"),
    ]

    DEFAULT_CSS = """
    ProjectScreen {
        #project-heading { height: auto; padding: 0 1; background: $panel; }
        #project-table { height: 1fr; }
        #project-participants { height: auto; max-height: 8; padding: 0 1; color: $text-muted; }
    }
    """

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self._rows: list[int] = []

    def compose(self) -> ComposeResult:
        yield Static(id="project-heading")
        yield DataTable(id="project-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="project-participants")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_table()
        table = self.query_one(DataTable)
        table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_table()

    def refresh_table(self) -> None:
        """Re-read participants, transcripts and progress."""
        project = self.project
        participants = project.participants()
        names = {p.id: p.pseudonym for p in participants}
        transcripts = project.transcripts()
        table = self.query_one(DataTable)
        keep = table.cursor_row
        rows: list[tuple[str, ...]] = []
        self._rows = []
        total_lines = total_coded = 0
        for transcript in transcripts:
            lines, coded, notes = project.progress(transcript.id)
            total_lines += lines
            total_coded += coded
            percent = f"{coded} ({100 * coded // lines}%)" if lines else "0"
            rows.append((
                visible(names.get(transcript.participant_id or -1, "—")), visible(transcript.title),
                str(lines), percent, str(notes), visible(transcript.source),
            ))
            self._rows.append(transcript.id)
        table.clear(columns=True)
        headers = ("participant", "transcript", "lines", "coded", "notes", "source")
        for index, header in enumerate(headers):
            width = max([len(header), *(len(row[index]) for row in rows)])
            table.add_column(header, width=min(width, 40))
        for row in rows:
            table.add_row(*(Content(cell) for cell in row))
        if self._rows:
            table.move_cursor(row=min(keep, len(self._rows) - 1))
        heading = (
            f"{project.title} · {project.method} · coder: {project.coder or '?'} · "
            f"{len(participants)} participant{'' if len(participants) == 1 else 's'} · "
            f"{len(transcripts)} transcript{'' if len(transcripts) == 1 else 's'} · "
            f"{total_coded} of {total_lines} lines coded"
        )
        self.query_one("#project-heading", Static).update(Content(visible(heading)))
        without = [p.pseudonym for p in participants if not any(t.participant_id == p.id for t in transcripts)]
        hint = "enter: open the transcript · i: import a file · a: add a participant · ?: all keys"
        if not transcripts:
            hint = "No transcripts yet. Press i to import a .txt, .md, .docx, .vtt or .srt file."
        if without:
            hint += f"\nparticipants without a transcript: {', '.join(without)}"
        self.query_one("#project-participants", Static).update(Content(visible_lines(hint)))

    @property
    def selected_transcript(self) -> int | None:
        """The id of the highlighted transcript."""
        table = self.query_one(DataTable)
        if not self._rows:
            return None
        return self._rows[min(table.cursor_row, len(self._rows) - 1)]

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        """Open the highlighted transcript in the coding workspace."""
        transcript_id = self.selected_transcript
        if transcript_id is not None:
            self.app.push_screen(WorkspaceScreen(self.project, transcript_id))

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()

    def action_import_file(self) -> None:
        """Ask for a file and a participant, then import it."""

        def check(value: str) -> str | None:
            path = Path(value).expanduser()
            if not path.is_file():
                return f"no such file: {value}"  # the problem first: a long path wraps after it
            return None

        def chosen(value: str | None) -> None:
            if value is None:
                return
            path = Path(value).expanduser()

            def with_participant(pseudonym: str | None) -> None:
                try:
                    transcript = import_file(self.project, path, participant=pseudonym or None)
                except (TranscriptError, ProjectError) as error:
                    self.notify(Content(visible(str(error))), title="Not imported", severity="error")
                    return
                self.refresh_table()
                self.notify(Content(visible(f"imported {transcript.title}: {transcript.line_count} lines")))

            self.app.push_screen(
                PromptScreen(
                    "Participant's pseudonym (leave empty to take it from the file)",
                    placeholder="P07", allow_empty=True,
                ),
                lambda p: None if p is None else with_participant(p.strip() or None),
            )

        self.app.push_screen(PromptScreen("Import a transcript: path to the file", placeholder="interviews/P07.docx", validate=check), chosen)

    def action_add_participant(self) -> None:
        """Add a participant by pseudonym."""

        def add(value: str | None) -> None:
            if value is None:
                return
            try:
                self.project.add_participant(value)
            except ProjectError as error:
                self.notify(Content(visible(str(error))), severity="error")
                return
            self.refresh_table()
            self.notify(Content(visible(f"added participant {value}")))

        self.app.push_screen(PromptScreen("New participant's pseudonym", placeholder="P07"), add)

    def action_assign(self) -> None:
        """Assign the highlighted transcript to a participant."""
        transcript_id = self.selected_transcript
        if transcript_id is None:
            return

        def assign(value: str | None) -> None:
            if value is None:
                return
            try:
                self.project.set_transcript_participant(transcript_id, value)
            except ProjectError as error:
                self.notify(Content(visible(str(error))), severity="error")
                return
            self.refresh_table()

        self.app.push_screen(PromptScreen("Assign this transcript to participant", placeholder="P07"), assign)

    def action_rename_participant(self) -> None:
        """Give the highlighted transcript's participant a new pseudonym, everywhere at once."""
        transcript_id = self.selected_transcript
        if transcript_id is None:
            return
        participant_id = self.project.transcript(transcript_id).participant_id
        if participant_id is None:
            self.notify("this transcript has no participant yet: P assigns one", severity="warning")
            return
        old = self.project.participant(participant_id).pseudonym

        def rename(value: str | None) -> None:
            if value is None:
                return
            try:
                self.project.rename_participant(participant_id, value)
            except ProjectError as error:
                self.notify(Content(visible(str(error))), severity="error")
                return
            self.refresh_table()
            self.notify(Content(visible(f"{old} is now {value}")))

        self.app.push_screen(PromptScreen(f"New pseudonym for {old}", placeholder="P07", value=old), rename)

    def _case(self) -> int | None:
        """The participant of the highlighted transcript: the case in view."""
        transcript_id = self.selected_transcript
        return self.project.transcript(transcript_id).participant_id if transcript_id is not None else None

    def action_board(self) -> None:
        """The theme board, on the highlighted transcript's case."""
        from tui.screens.theme_board import ThemeBoardScreen

        self.app.push_screen(ThemeBoardScreen(self.project, case_id=self._case()))

    def action_get_table(self) -> None:
        """The GET table."""
        from tui.screens.get_table import GetTableScreen

        self.app.push_screen(GetTableScreen(self.project, case_id=self._case()))

    def action_memos(self) -> None:
        """Memos and the reflexive journal."""
        from tui.screens.memos import MemosScreen

        self.app.push_screen(MemosScreen(self.project))

    def action_quit_app(self) -> None:
        """Quit margin."""
        self.app.exit()
