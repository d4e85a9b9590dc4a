"""The project screen: participants and their transcripts, with progress; open one to code it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static

from tui.messages import ImportDone, ImportFailed, ImportProgress
from tui.project import Project, ProjectError
from tui.project.model import DEFAULT_WIDTH
from tui.screens.base import MarginScreen
from tui.screens.prompt import PromptScreen, complete_path
from tui.screens.workspace import WorkspaceScreen
from tui.text import visible, visible_lines
from tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from tui.formats.transcripts import ParsedTranscript

# The readers of files (transcripts, REFI-QDA) are imported when a file is imported, not at start-up.


class TranscriptTable(DataTable, inherit_bindings=False):
    """The table of transcripts: a row cursor moved by the screen's keys, not Textual's scrolling keys."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Open the transcript", show=False),
        Binding("up", "cursor_up", show=False),
        Binding("down", "cursor_down", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
    ]


class ProjectScreen(MarginScreen[None]):
    """The study at a glance.

    | key | action |
    |---|---|
    | `enter` | open the highlighted transcript |
    | `i` | import a transcript file, or a REFI-QDA project (.qdpx) or codebook (.qdc) |
    | `a` | add a participant |
    | `P` | assign the highlighted transcript to a participant |
    | `r` | rename the highlighted transcript's participant (give a pseudonym) |
    | `E` | export the project: REFI-QDA, a report (Markdown, HTML, Word) or CSV |
    | `q` | quit |
    """

    BINDINGS = [
        Binding("enter", "open", "Open", priority=False),
        Binding("i", "import_file", "Import"),
        Binding("a", "add_participant", "Add participant"),
        Binding("P", "assign", "Assign participant"),
        Binding("r", "rename_participant", "Rename participant"),
        Binding("j", "cursor_down", "Next transcript", show=False),
        Binding("k", "cursor_up", "Previous transcript", show=False),
        Binding("g,home", "first", "First transcript", show=False),
        Binding("G,end", "last", "Last transcript", show=False),
        Binding("b", "board", "Theme board"),
        Binding("T", "get_table", "GET table"),
        Binding("M", "memos", "Memos and journal"),
        Binding("E", "export", "Export"),
        Binding("q", "quit_app", "Quit"),
    ]

    DEFAULT_CSS = """
    ProjectScreen {
        #project-heading { height: 1; padding: 0 1; background: $panel; text-wrap: nowrap; text-overflow: ellipsis; }
        #project-table { height: 1fr; }
        #project-participants { height: auto; max-height: 8; padding: 0 1; color: $text-muted; }
    }
    """

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self._rows: list[int | None] = []

    def compose(self) -> ComposeResult:
        yield Static(id="project-heading")
        yield TranscriptTable(id="project-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="project-participants")
        yield KeyBar()

    def on_mount(self) -> None:
        if self.app.screen is self:
            self.refresh_table()
        else:  # opened under the coder question: read once it is answered and this is shown
            self._stale = True
        table = self.query_one(DataTable)
        table.focus()

    def reload(self) -> None:
        self.refresh_table()

    def refresh_table(self) -> None:
        """Re-read participants, transcripts, progress and who worked on each last."""
        self._stale = False  # read now: not again when shown
        project = self.project
        participants = project.participants()
        names = {p.id: p.pseudonym for p in participants}
        transcripts = project.transcripts()
        progress = project.progress_all()
        activity = project.transcript_activity()
        table = self.query_one(DataTable)
        keep = table.cursor_row
        rows: list[tuple[str, ...]] = []
        self._rows = []
        total_lines = total_coded = 0
        for transcript in transcripts:
            lines, coded, notes = progress.get(transcript.id, (0, 0, 0))
            total_lines += lines
            total_coded += coded
            percent = f"{coded} ({100 * coded // lines}%)" if lines else "0"
            at, who = activity.get(transcript.id, ("", None))
            last = f"{at[:16].replace('T', ' ')} {who or ''}".strip() if at else "not yet"
            rows.append((
                visible(names.get(transcript.participant_id or -1, "—")), visible(transcript.title),
                str(lines), percent, str(notes), visible(last), visible(transcript.source),
            ))
            self._rows.append(transcript.id)
        # A participant with no transcript yet is a row too: the study has them, their file is to come.
        with_transcript = {t.participant_id for t in transcripts}
        for participant in participants:
            if participant.id not in with_transcript:
                rows.append((visible(participant.pseudonym), "(no transcript yet: i imports one)", "", "", "", "", ""))
                self._rows.append(None)
        table.clear(columns=True)
        headers = ("participant", "transcript", "lines", "coded", "notes", "last worked on", "source")
        for index, header in enumerate(headers):
            width = max([len(header), *(len(row[index]) for row in rows)])
            table.add_column(header, width=min(width, 40))
        for row in rows:
            table.add_row(*(Content(cell) for cell in row))
        if self._rows:
            table.move_cursor(row=min(keep, len(self._rows) - 1))
        plural = lambda n, word: f"{n} {word}{'' if n == 1 else 's'}"  # noqa: E731
        # One row whatever the width: the counts first, the study's title last, cut with an ellipsis.
        heading = (
            f"{project.method} · coder: {project.coder or '?'} · "
            f"{plural(len(participants), 'participant')} · {plural(len(transcripts), 'transcript')} · "
            f"{total_coded} of {total_lines} lines coded · {project.title}"
        )
        self.query_one("#project-heading", Static).update(Content(visible(heading)))
        hint = "enter: open the transcript · i: import a file · a: add a participant · ?: all keys"
        if not transcripts:
            hint = "No transcripts yet. Press i to import a .txt, .md, .docx, .vtt, .srt, or a .qdpx project."
        self.query_one("#project-participants", Static).update(Content(visible_lines(hint)))

    @property
    def selected_transcript(self) -> int | None:
        """The id of the highlighted transcript."""
        table = self.query_one(DataTable)
        if not self._rows:
            return None
        return self._rows[min(table.cursor_row, len(self._rows) - 1)]  # None on a participant's own row

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        """Open the highlighted transcript in the coding workspace."""
        transcript_id = self.selected_transcript
        if transcript_id is not None:
            self.app.push_screen(WorkspaceScreen.resumed(self.project, transcript_id))

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()

    def action_first(self) -> None:
        self.query_one(DataTable).move_cursor(row=0)

    def action_last(self) -> None:
        self.query_one(DataTable).move_cursor(row=max(len(self._rows) - 1, 0))

    # ------------------------------------------------------------------ import, in a worker

    def action_import_file(self) -> None:
        """Ask for a file (tab completes the path) and a participant, then import it in a worker."""

        def check(value: str) -> str | None:
            path = Path(value).expanduser()
            if not path.is_file():
                return f"no such file: {value}"  # the problem first: a long path wraps after it
            return None

        def chosen(value: str | None) -> None:
            if value is None:
                return
            from tui.formats.exchange import is_refi

            path = Path(value).expanduser()
            if is_refi(path):  # a REFI-QDA project or codebook: into this project, matched by GUID
                from tui.screens.refi_import import RefiImportScreen

                self.app.push_screen(RefiImportScreen(self.project, path))
                return
            self.app.push_screen(
                PromptScreen(
                    f"Participant's pseudonym for {path.name} (empty: take it from the file)",
                    placeholder=self._next_pseudonym(), allow_empty=True,
                ),
                lambda p: None if p is None else self._import(path, p.strip() or None),
            )

        self.app.push_screen(
            PromptScreen("Import a transcript: path to the file (tab completes; .qdpx and .qdc too)", placeholder="interviews/P07.docx",
                         validate=check, complete=complete_path),
            chosen,
        )

    def _next_pseudonym(self) -> str:
        try:
            return self.project.next_pseudonym()
        except ProjectError:
            return "P01"

    @work(thread=True, exclusive=True, exit_on_error=False, group="import")
    def _import(self, path: Path, pseudonym: str | None) -> None:
        """Read and parse the file off the UI thread; store it (one transaction) back on it."""
        from tui.formats.importer import check_width
        from tui.formats.transcripts import TranscriptError, read_transcript

        self.post_message(ImportProgress(0, 1, path.name))
        try:
            parsed = read_transcript(path, width=check_width(DEFAULT_WIDTH))
        except (TranscriptError, ProjectError, OSError) as error:
            self.post_message(ImportFailed(str(error)))
            return
        self.app.call_from_thread(self._store, parsed, path, pseudonym)

    def _store(self, parsed: ParsedTranscript, path: Path, pseudonym: str | None) -> None:
        from tui.formats.importer import store_parsed
        from tui.formats.transcripts import TranscriptError

        try:
            transcript = store_parsed(self.project, parsed, path=path, participant=pseudonym, width=DEFAULT_WIDTH,
                                      title=None)
        except (TranscriptError, ProjectError) as error:
            self.post_message(ImportFailed(str(error)))
            return
        self.post_message(ImportDone(transcript.title, transcript.line_count, transcript.id))

    def on_import_progress(self, message: ImportProgress) -> None:
        self.query_one("#project-participants", Static).update(Content(visible(f"importing {message.name} ...")))

    def on_import_done(self, message: ImportDone) -> None:
        self.reload()
        self.say(f"imported {message.title}: {message.line_count} lines")

    def on_import_failed(self, message: ImportFailed) -> None:
        self.reload()
        self.fail(ProjectError(message.error), title="Not imported")

    # ------------------------------------------------------------------ participants

    def action_add_participant(self) -> None:
        """Add a participant by pseudonym."""

        def add(value: str | None) -> None:
            if value is not None:
                self.commit(lambda: self.project.add_participant(value), lambda p: f"added participant {p.pseudonym}")

        self.app.push_screen(PromptScreen("New participant's pseudonym", placeholder=self._next_pseudonym()), add)

    def action_assign(self) -> None:
        """Assign the highlighted transcript to a participant."""
        transcript_id = self.selected_transcript
        if transcript_id is None:
            return
        title = self.project.transcript(transcript_id).title

        def assign(value: str | None) -> None:
            if value is not None:
                self.commit(lambda: self.project.set_transcript_participant(transcript_id, value),
                            lambda _: f"{title} is now {value}'s transcript")

        self.app.push_screen(PromptScreen(f"Assign {title} to participant", placeholder="P07"), assign)

    def action_rename_participant(self) -> None:
        """Give the highlighted transcript's participant a new pseudonym, everywhere at once."""
        transcript_id = self.selected_transcript
        if transcript_id is None:
            return
        participant_id = self.project.transcript(transcript_id).participant_id
        if participant_id is None:
            self.say("this transcript has no participant yet: P assigns one")
            return
        old = self.project.participant(participant_id).pseudonym

        def rename(value: str | None) -> None:
            if value is not None:
                self.commit(lambda: self.project.rename_participant(participant_id, value), lambda _: f"{old} is now {value}")

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

    def action_export(self) -> None:
        """Export the project: REFI-QDA, a report or CSV."""
        from tui.screens.export import ExportScreen

        self.app.push_screen(ExportScreen(self.project))

    async def action_quit_app(self) -> None:
        """Quit margin, saying what this session did."""
        await self.app.run_action("quit")
