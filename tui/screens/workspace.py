"""The coding workspace: a transcript on the left, what is coded on the cursor line on the right.

Each key press becomes one call into `tui.project`, which commits one transaction before the
screen shows the change.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from itertools import chain
from typing import TYPE_CHECKING, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from tui.project import LEVEL_LABELS, NOTE_LETTERS, Coding, Event, Project, ProjectError, Theme, span_text
from tui.project.transcript_lines import TranscriptLines
from tui.screens.base import MarginScreen
from tui.screens.choice import ChoiceScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.prompt import PromptScreen
from tui.text import visible
from tui.widgets.coding_pane import CodingPane, PaneState
from tui.widgets.fields import Input
from tui.widgets.key_bar import KeyBar
from tui.widgets.transcript_view import MarginEntry, TranscriptView

if TYPE_CHECKING:
    from tui.screens.theme_picker import PickResult

T = TypeVar("T")

#: The coding pane beside the transcript is at least this wide; with less room it goes below.
PANE_MIN = 32
PANE_MAX = 56


class SearchField(Input):
    """The search field; escape closes it, bound on the field so it comes after the keys typed before it."""

    BINDINGS = [Binding("escape", "close", "Close search", show=False)]

    def action_close(self) -> None:
        """Close the search and go back to the transcript."""
        self.display = False
        self.screen.query_one(TranscriptView).focus()


class WorkspaceScreen(MarginScreen[None]):
    """Read, tag and note one transcript.

    | key | action |
    |---|---|
    | `t` | tag the selection (or the cursor line) with a theme |
    | `1`-`9` | tag with a recently used theme |
    | `x` | remove a coding from the cursor line |
    | `n` | write an exploratory note on the selection |
    | `e`, `D` | edit, delete a note on the cursor line |
    | `u` / `ctrl+z`, `ctrl+r` / `ctrl+y` | undo, redo |
    | `/`, `]`, `[` | search, next match, previous match |
    | `:` | go to a line number |
    | `m` | the IPA margin layout |
    | `p` | show or hide the coding pane |
    | `J`, `K` | scroll the coding pane down, up |
    | `q` | back to the project |
    """

    BINDINGS = [
        Binding("t", "tag", "Tag"),
        Binding("x", "untag", "Untag"),
        Binding("n", "note", "Note"),
        Binding("e", "edit_note", "Edit note", show=False),
        Binding("D", "delete_note", "Delete note", show=False),
        Binding("u,ctrl+z", "undo", "Undo"),
        Binding("ctrl+r,ctrl+y", "redo", "Redo", show=False),
        # Priority: the app runs it as the key arrives, so keys queued behind it go into the field.
        Binding("slash", "search", "Search", priority=True),
        Binding("right_square_bracket", "next_match", "Next match", show=False),
        Binding("left_square_bracket", "previous_match", "Previous match", show=False),
        Binding("colon", "go_to_line", "Go to line"),
        Binding("m", "toggle_margin", "Margin view", show=False),
        Binding("p", "toggle_pane", "Coding pane", show=False),
        Binding("J", "scroll_pane(True)", "Scroll the coding pane down", show=False),
        Binding("K", "scroll_pane(False)", "Scroll the coding pane up", show=False),
        Binding("b", "board", "Theme board"),
        Binding("T", "get_table", "GET table", show=False),
        Binding("M", "memos", "Memos and journal", show=False),
        Binding("E", "export", "Export", show=False),
        Binding("q", "back", "Back"),
        *[Binding(str(n), f"recent({n})", f"Tag with recent theme {n}", show=False) for n in range(1, 10)],
    ]

    DEFAULT_CSS = """
    WorkspaceScreen {
        layout: vertical;
        #workspace-status { height: 1; background: $panel; color: $foreground; padding: 0 1; }
        #workspace-body { height: 1fr; }
        /* The frame draws the transcript's border, so the view's rows need none (its rows are
           handed to the compositor as they are kept, TranscriptView.render_lines). */
        #transcript-frame {
            width: 1fr; height: 1fr; background: $surface;
            border: round $primary 50%; border-title-color: $foreground;
        }
        #transcript-frame:focus-within { border: round $primary; }
        TranscriptView { height: 1fr; }
        CodingPane { width: 36; height: 1fr; border: round $secondary 50%; }
        #workspace-search { dock: bottom; display: none; }
        &.-narrow #workspace-body { layout: vertical; }
        /* At 80 columns every cell counts: no border, no scrollbar (line numbers say where you are),
           so a line wrapped at 72 on import fits on one row. */
        &.-narrow #transcript-frame { width: 1fr; border: none; }
        &.-narrow TranscriptView { scrollbar-size-vertical: 0; scrollbar-gutter: auto; }
        &.-narrow CodingPane { width: 1fr; height: 8; border: none; border-top: solid $secondary 50%; }
        &.-no-pane CodingPane { display: none; }
        &.-margin CodingPane { display: none; }
    }
    """

    def __init__(self, project: Project, transcript_id: int, *, line: int | None = None, layout: str = "") -> None:
        """Show `transcript_id`, the cursor on `line`, in `layout` (as `place` names layouts)."""
        super().__init__()
        self.project = project
        self.transcript = project.transcript(transcript_id, text=False)  # lines are read a page at a time
        self._start = (line, layout)
        self._retired = False  # left beneath the project screen (action_back)
        self._themes: dict[int, Theme] = {}
        self._paths: dict[int, str] = {}
        self._participants: dict[int, str] = {}

    @classmethod
    def resumed(cls, project: Project, transcript_id: int) -> WorkspaceScreen:
        """The transcript where this coder stopped on it last time: the same line and layout."""
        try:
            session = project.last_session()
        except ProjectError:
            session = None
        if session is None or session.transcript_id != transcript_id:
            return cls(project, transcript_id)
        return cls(project, transcript_id, line=session.line, layout=session.layout)

    @property
    def place(self) -> tuple[int, int, str]:
        """(transcript, cursor line, layout): where the coder is, kept when they stop.

        The layout is "coding" or "margin", with "-no-pane" when the coding pane is hidden.
        """
        line = self.view.cursor_line if self.is_mounted else None
        layout = ("margin" if self.has_class("-margin") else "coding") + ("-no-pane" if self.has_class("-no-pane") else "")
        return self.transcript.id, line.number if line else 1, layout

    def remember_place(self) -> None:
        """Keep where the coder is in the project, so that `margin open` comes back here."""
        if not self.is_mounted or self._retired:
            return
        transcript_id, line, layout = self.place
        try:
            self.project.save_session(transcript_id, line, layout)
        except ProjectError:
            pass  # a read-only or full file: the next session starts on the project screen

    def keep_draft(self) -> None:
        """Margin is closing (a hang-up, a quit): keep where the coder is."""
        self.remember_place()

    # ------------------------------------------------------------------ building

    def compose(self) -> ComposeResult:
        yield Static(id="workspace-status")
        with Horizontal(id="workspace-body"):
            with Vertical(id="transcript-frame"):
                yield TranscriptView(id="transcript", on_cursor_moved=self._refresh_pane)
            yield CodingPane(id="coding-pane")
        yield SearchField(placeholder="search this transcript; enter to jump, escape to close", id="workspace-search")
        yield KeyBar()

    @property
    def view(self) -> TranscriptView:
        """The transcript pane."""
        return self.query_one(TranscriptView)

    def on_mount(self) -> None:
        view = self.view
        self.query_one("#transcript-frame").border_title = Content(visible(self._title()))
        view.set_lines(TranscriptLines(self.project, self.transcript.id), self.transcript.width)
        self.reload()
        view.focus()
        line, layout = self._start
        if layout.startswith("margin"):
            self.set_class(True, "-margin")
            view.set_margin_layout(True)
        if layout.endswith("-no-pane"):
            self.set_class(True, "-no-pane")
        if line is not None and line > 1:
            line = min(line, max(view.line_count, 1))
            view.go_to_number(line)
            self.say(f"back where you stopped: line {line}")
        self._tell_of_drafts()

    def _tell_of_drafts(self) -> None:
        """Text kept as a draft (a hang-up, a failed save) is offered again: say where it is."""
        spans = []
        for draft in self._drafts():
            try:
                _, first, last = draft.ref.split(":")[:3]
                spans.append((int(first), int(last), "n"))
            except ValueError:
                continue
        try:
            notes = {str(n.id): n for n in self.project.notes(self.transcript.id)}
            edits = [d for d in self.project.drafts("note-edit") if d.ref.split(":", 1)[0] in notes]
        except ProjectError:
            edits = []
        spans += [(notes[d.ref.split(":", 1)[0]].first_line, notes[d.ref.split(":", 1)[0]].last_line, "e") for d in edits]
        if spans:
            first, last, key = spans[0]
            more = f" (and {len(spans) - 1} more)" if len(spans) > 1 else ""
            how = "select it and press n" if key == "n" else "e there offers it"
            self.say(f"an unsaved note is kept for {span_text(first, last)}{more}: {how}")

    def on_screen_resume(self) -> None:
        # Back from a dialog: the coder may have been named meanwhile.
        self._refresh_status()

    def on_resize(self) -> None:
        # The transcript gets the width its lines were wrapped to, the coding pane what is left.
        room = self.size.width - self.view.width_for(self.transcript.width)
        narrow = room < PANE_MIN
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            self._refresh_pane()
        # Inline, so cleared when narrow: the stacked pane takes the whole width at once.
        self.query_one(CodingPane).styles.width = None if narrow else min(room, PANE_MAX)
        self._refresh_status()  # the status line fits its parts to the new width

    def _title(self) -> str:
        who = self._participants.get(self.transcript.participant_id or -1) or (
            self.project.participant(self.transcript.participant_id).pseudonym if self.transcript.participant_id else ""
        )
        return f"{who} · {self.transcript.title}" if who else self.transcript.title

    def reload(self) -> None:
        """Re-read the codings and notes of this transcript and show them."""
        project = self.project
        every_theme = project.themes()  # read once: at 100,000 themes a read takes a second
        self._themes = {t.id: t for t in every_theme}
        self._paths = project.theme_paths(every_theme)
        self._participants = {p.id: p.pseudonym for p in project.participants()}
        spans = project.coding_spans(self.transcript.id)
        notes = project.notes(self.transcript.id)
        coded = Counter(chain.from_iterable(range(first, last + 1) for first, last, _ in spans))
        noted = {n for note in notes for n in range(note.first_line, note.last_line + 1)}
        themes = self._themes
        self.view.set_annotations(
            coded,
            noted,
            notes=[MarginEntry(n.first_line, n.last_line, f"{NOTE_LETTERS[n.kind]}: {n.body}") for n in notes],
            statements=lambda: [MarginEntry(first, last, themes[theme].name) for first, last, theme in spans if theme in themes],
        )
        self._coded_count = len(coded)
        self._usable_themes = project.usable_themes(self.transcript.id, every_theme)  # the domain's one rule
        usable = {t.id for t in self._usable_themes}
        self._recent_themes = [t for t in project.recent_themes() if t.id in usable][:9]
        # After the first frame has reached the terminal: loading the picker holds the interpreter.
        self.set_timer(0.2, partial(self._prepare_picker, self._usable_themes, self._paths))
        self._refresh_pane()

    def _prepare_picker(self, themes: list[Theme], paths: dict[int, str]) -> None:
        """Build the theme picker's index in the background once the screen is drawn: the next
        `t` opens at once (the picker, and its fuzzy matcher, are loaded here, not at start-up).
        The build waits while keys came in the last half second."""
        from tui.screens.theme_picker import ThemePicker

        app = self.app
        ThemePicker.prepare_soon(themes, paths, busy=lambda: time.monotonic() - getattr(app, "last_key_at", 0.0) < 0.5)

    def _refresh_pane(self) -> None:
        view = self.view
        line = view.cursor_line
        selection = view.selection
        if line is None or selection is None:
            heading = "this transcript has no lines"
            codings, notes = [], []
        else:
            first, last = selection
            heading = f"line {line.number}" if first == last else f"lines {first}-{last} selected (cursor on {line.number})"
            if line.timestamp:
                heading += f" · {line.timestamp}"
            codings = self.project.codings_at(self.transcript.id, line.number)
            notes = self.project.notes_at(self.transcript.id, line.number)
        self.query_one(CodingPane).show(
            PaneState(heading, codings, notes, self._themes, self._participants, self._recent(),
                      compact=self.has_class("-narrow"))
        )
        self._refresh_status()

    def _refresh_status(self) -> None:
        view = self.view
        message = self._message
        # What the keys just did comes first (the selection, the match), then the message, then the
        # transcript's place; when the row is too narrow, the least needed parts go, not the selection.
        lead: list[str] = []
        if view.matches:
            position = view.match_position()
            lead.append(f"match {position + 1 if position is not None else '-'}/{len(view.matches)}")
        elif self._search_query:
            lead.append("no matches")
        if view.selecting and view.selection:
            verb = "selecting" if view.head is None else "selected"
            lead.append(f"{verb} {view.selection[0]}-{view.selection[1]}")
        parts = {"title": self._title(), "method": self.project.method, "coder": f"coder: {self.project.coder or '?'}",
                 "lines": f"{view.line_count} lines", "coded": f"{self._coded_count} coded"}
        room = self.size.width - 2 if self.size.width > 2 else 10**6  # the row's padding

        def joined() -> str:
            sections = [" · ".join(lead), message, " · ".join(parts.values())]
            return "  │  ".join(section for section in sections if section)

        def over() -> int:
            return Content(visible(joined())).cell_length - room

        for least_needed in ("method", "lines", "coder"):  # the title and the count coded stay
            if over() <= 0:
                break
            del parts[least_needed]
        if over() > 0 and len(message) > 24:  # still too long: the message gives way before the title
            message = message[: max(24, len(message) - over() - 1)].rstrip() + "…"
        if over() > 0:
            del parts["coded"]
        status = joined()
        if status != self._status:  # most cursor moves leave it as it was
            self._status = status
            self.query_one("#workspace-status", Static).update(Content(visible(status)), layout=False)  # one row, always

    _search_query = ""
    _status = ""
    _coded_count = 0
    _recent_themes: list[Theme] = []
    _usable_themes: list[Theme] = []

    def show_message(self, message: str) -> None:
        """Messages go in the status line, before the transcript's place."""
        if self.is_mounted:
            self._refresh_status()

    # ------------------------------------------------------------------ tagging

    def action_tag(self) -> None:
        """Open the theme picker for the selection."""
        from tui.screens.theme_picker import ThemePicker

        selection = self.view.selection
        if selection is None:
            return
        first, last = selection
        new_label = LEVEL_LABELS.get(self.project.levels[0], self.project.levels[0])
        picker = ThemePicker.kept(
            self.app, self._usable_themes, paths=self._paths, participants=self._participants,
            title=f"Tag {span_text(first, last)}", new_label=new_label,
        )
        self.app.push_screen(picker, lambda result: self._apply_pick(result, first, last))

    def _commit(self, change: Callable[[], T], said: Callable[[T], str], *, clear_selection: bool = False) -> T | None:
        """Make one change (see MarginScreen.commit); a tag or note also ends the selection."""
        result = self.commit(change, said)
        if result is not None and clear_selection:
            self.view.clear_selection()
        return result

    def _apply_pick(self, result: PickResult | None, first: int, last: int) -> None:
        if result is None:
            return
        theme_id, new_name = result.theme_id, result.new_name

        def tag() -> Coding:
            if theme_id is not None:
                return self.project.tag(self.transcript.id, first, last, theme_id)
            # Typed text means what it means on the command line: a name, or a path to a parent.
            return self.project.tag_by_name(self.transcript.id, first, last, new_name or "")[0]

        self._commit(
            tag, lambda coding: f"tagged {span_text(first, last)}: {self.project.theme(coding.theme_id).name}",
            clear_selection=True,
        )

    def _recent(self) -> list[Theme]:
        """The recently used themes that may code this transcript (read with the codings, not per key)."""
        return self._recent_themes

    def action_recent(self, number: int) -> None:
        """Tag the selection with the n-th recently used theme."""
        recent = self._recent()
        selection = self.view.selection
        if selection is None:
            return
        if number > len(recent):
            self.say(f"no recent theme {number} yet")
            return
        from tui.screens.theme_picker import PickResult

        self._apply_pick(PickResult(theme_id=recent[number - 1].id, new_name=None), *selection)

    def action_untag(self) -> None:
        """Remove a coding from the cursor line, asking which when there are several."""
        line = self.view.cursor_line
        if line is None:
            return
        codings = self.project.codings_at(self.transcript.id, line.number)
        if not codings:
            self.say(f"line {line.number} has no coding to remove")
            return

        def remove(index: int | None) -> None:
            if index is None:
                return
            self._commit(
                lambda: self.project.untag(codings[index].id),
                lambda removed: f"removed {self._theme_name(removed.theme_id)} from "
                f"{span_text(removed.first_line, removed.last_line)}",
            )

        if len(codings) == 1:
            remove(0)
            return
        options = [f"{self._theme_name(c.theme_id)} ({span_text(c.first_line, c.last_line)})" for c in codings]
        self.app.push_screen(ChoiceScreen(f"Remove which coding from line {line.number}?", options), remove)

    def _theme_name(self, theme_id: int) -> str:
        theme = self._themes.get(theme_id)
        return theme.name if theme else f"theme {theme_id}"

    # ------------------------------------------------------------------ notes

    def action_note(self) -> None:
        """Write an exploratory note on the selection (or resume the draft kept for these lines)."""
        selection = self.view.selection
        if selection is None:
            return
        first, last = selection
        span = span_text(first, last)
        place = f"{self.transcript.id}:{first}:{last}"
        draft = next((d for d in self._drafts() if d.ref.rsplit(":", 1)[0] == place), None)

        def save(result: tuple[str, str] | None) -> None:
            if result is None:
                if draft is not None:  # the user chose to throw it away
                    self._forget_draft(draft.id)
                return
            ref = f"{place}:{result[0]}"
            if self._commit(
                lambda: self.project.add_note(self.transcript.id, first, last, *result),
                lambda note: f"{note.kind} note on {span} saved",
                clear_selection=True,
            ) is None:
                self._keep_draft(ref, result[1], f"note on {span}", draft_id=draft.id if draft else None)
            elif draft is not None:
                self._forget_draft(draft.id)

        from tui.screens.note_editor import NoteEditor  # loads Textual's TextArea: not at start-up

        if draft is not None:
            kind = draft.ref.rsplit(":", 1)[1]
            editor = NoteEditor(title=f"Note on {span} (kept from {draft.saved_at[:16].replace('T', ' ')})",
                                kind=kind if kind in NOTE_LETTERS else "descriptive", body=draft.body, saved_body="",
                                draft_ref=f"{place}:{kind}", draft_id=draft.id)
        else:
            editor = NoteEditor(title=f"Note on {span}", draft_ref=f"{place}:descriptive")
        self.app.push_screen(editor, save)

    def _drafts(self, kind: str = "note", note_id: int | None = None) -> list:  # type: ignore[type-arg]
        """The drafts kept for this transcript (after a hang-up or a failed save): of new notes, or
        of changes to the note `note_id` (kind "note-edit")."""
        try:
            if kind == "note-edit":
                return [d for d in self.project.drafts(kind) if d.ref.split(":", 1)[0] == str(note_id)]
            return [d for d in self.project.drafts("note") if d.ref.split(":", 1)[0] == str(self.transcript.id)]
        except ProjectError:
            return []

    def _keep_draft(self, ref: str, body: str, what: str, *, draft_id: int | None = None) -> None:
        """The save failed: keep the text so it is offered the next time, and say so."""
        where = self.keep_text("note", ref, body, draft_id=draft_id)
        self.say(f"{what} not saved; its text is kept ({where}): n on the same lines offers it again")

    def _forget_draft(self, draft_id: int) -> None:
        try:
            self.project.discard_draft(draft_id)
        except ProjectError as error:
            self.fail(error)

    def _pick_note(self, verb: str, then) -> None:  # type: ignore[no-untyped-def]
        line = self.view.cursor_line
        if line is None:
            return
        notes = self.project.notes_at(self.transcript.id, line.number)
        if not notes:
            self.say(f"line {line.number} has no note to {verb}")
            return
        if len(notes) == 1:
            then(notes[0])
            return
        options = [f"{n.kind}: {n.body[:60]}" for n in notes]
        self.app.push_screen(
            ChoiceScreen(f"{verb.capitalize()} which note on line {line.number}?", options),
            lambda index: None if index is None else then(notes[index]),
        )

    def action_edit_note(self) -> None:
        """Edit a note on the cursor line."""

        def edit(note) -> None:  # type: ignore[no-untyped-def]
            # Changes to a saved note that could not be saved are kept as a "note-edit" draft under
            # the note's id, and offered again by `e` on it.
            draft = next(iter(self._drafts("note-edit", note.id)), None)

            def save(result: tuple[str, str] | None) -> None:
                if result is None:
                    if draft is not None:  # the user chose to throw the kept changes away
                        self._forget_draft(draft.id)
                    return
                if self._commit(lambda: self.project.edit_note(note.id, kind=result[0], body=result[1]),
                                lambda _: "note saved") is None:
                    where = self.keep_text("note-edit", f"{note.id}:{result[0]}", result[1],
                                           draft_id=draft.id if draft else None)
                    self.say(f"the edited note not saved; its text is kept ({where}): e on it offers it again")
                elif draft is not None:
                    self._forget_draft(draft.id)

            from tui.screens.note_editor import NoteEditor  # loads Textual's TextArea: not at start-up

            kind = draft.ref.rsplit(":", 1)[1] if draft else note.kind
            self.app.push_screen(NoteEditor(
                title="Edit note" + (f" (changes kept from {draft.saved_at[:16].replace('T', ' ')})" if draft else ""),
                kind=kind if kind in NOTE_LETTERS else note.kind, body=draft.body if draft else note.body,
                saved_body=note.body, draft_ref=f"{note.id}:{kind}", draft_id=draft.id if draft else None,
                draft_kind="note-edit"), save)

        self._pick_note("edit", edit)

    def action_delete_note(self) -> None:
        """Delete a note on the cursor line, after asking."""

        def delete(note) -> None:  # type: ignore[no-untyped-def]
            def confirmed(yes: bool | None) -> None:
                if not yes:
                    return
                self._commit(lambda: self.project.delete_note(note.id), lambda _: "note deleted (u to undo)")

            self.app.push_screen(ConfirmScreen(f"Delete this {note.kind} note?\n\n{visible(note.body)}"), confirmed)

        self._pick_note("delete", delete)

    # ------------------------------------------------------------------ history

    def action_undo(self) -> None:
        """Undo the latest change."""
        self._step(self.project.undo, "undone", "nothing to undo")

    def action_redo(self) -> None:
        """Redo the change undone last."""
        self._step(self.project.redo, "redone", "nothing to redo")

    def _step(self, step: Callable[[], Event | None], done: str, nothing: str) -> None:
        event = self.commit(step, lambda event: nothing if event is None else self._undo_said(done, event))
        if event is not None and event.transcript_id is not None:
            self.go_to(event.transcript_id, event.first_line)

    def _undo_said(self, done: str, event: Event) -> str:
        """What was undone (or redone) and where: the transcript, the lines, the coder when not you."""
        said = f"{done}: {event.summary}"
        place = []
        if event.transcript_id is not None and event.transcript_id != self.transcript.id:
            try:
                place.append(self.project.transcript(event.transcript_id).title)
            except Exception:  # the transcript itself was undone away
                pass
        if event.first_line is not None:
            place.append(span_text(event.first_line, event.last_line or event.first_line))
        if event.coder and event.coder != self.project.coder:
            place.append(f"by {event.coder}")
        if getattr(event, "elsewhere", False):
            place.append("made in another window")
        return f"{said} ({', '.join(place)})" if place else said

    def go_to(self, transcript_id: int, line: int | None) -> None:
        """Show this transcript (switching to it in place if it is another), the cursor on `line`."""
        if transcript_id != self.transcript.id:
            self.remember_place()
            try:
                self.transcript = self.project.transcript(transcript_id, text=False)
            except Exception:
                return
            self.view.set_lines(TranscriptLines(self.project, transcript_id), self.transcript.width)
            self.query_one("#transcript-frame").border_title = Content(visible(self._title()))
            self._set_query()
            self.reload()
        if line is not None:
            self.view.go_to_number(min(max(line, 1), max(self.view.line_count, 1)))

    # ------------------------------------------------------------------ go to a line

    def action_go_to_line(self) -> None:
        """Ask for a line number and put the cursor there."""
        count = self.view.line_count

        def check(value: str) -> str | None:
            if not value.isdigit() or not 1 <= int(value) <= count:
                return f"'{value}' is not a line number: type one from 1 to {count}"
            return None

        def chosen(value: str | None) -> None:
            if value is not None:
                self.view.go_to_number(int(value))
                self.say(f"line {value}")

        self.app.push_screen(PromptScreen(f"Go to line (1-{count})", placeholder=str(count), validate=check), chosen)

    # ------------------------------------------------------------------ search

    def action_search(self) -> None:
        """Open the search field."""
        field = self.query_one("#workspace-search", Input)
        field.display = True
        self.set_focus(field)  # at once, not after the queued keys as focus() would

    @on(Input.Changed, "#workspace-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._search_query = event.value
        self._set_query()
        self._refresh_status()

    def _set_query(self) -> None:
        """Mark every occurrence of the search (the domain's one match per occurrence)."""
        query = self._search_query
        self.view.set_query(query, self.project.find_matches(self.transcript.id, query) if query.strip() else [])

    @on(Input.Submitted, "#workspace-search")
    def _search_submitted(self) -> None:
        self._close_search()
        if self.view.next_match(include_current=True) is None and self._search_query:
            self.say(f"no line contains '{self._search_query}'")

    def _close_search(self) -> None:
        field = self.query_one("#workspace-search", Input)
        field.display = False
        self.view.focus()


    def action_next_match(self) -> None:
        """Go to the next line that matches the search."""
        if self.view.next_match() is None:
            self.say("no search: press / to search")

    def action_previous_match(self) -> None:
        """Go to the previous line that matches the search."""
        if self.view.next_match(forward=False) is None:
            self.say("no search: press / to search")

    # ------------------------------------------------------------------ layout

    def action_toggle_margin(self) -> None:
        """Switch the IPA margin layout: notes | transcript | statements."""
        on_ = not self.view.margin_layout
        self.set_class(on_, "-margin")
        self.view.set_margin_layout(on_)
        self.say("margin layout: notes | transcript | statements" if on_ else "coding layout")

    def action_toggle_pane(self) -> None:
        """Show or hide the coding pane."""
        self.toggle_class("-no-pane")

    def action_scroll_pane(self, down: bool) -> None:
        """Scroll the coding pane by a page (its notes may be longer than it is tall)."""
        pane = self.query_one(CodingPane)
        if not pane.display:
            self.say("the coding pane is hidden: p shows it")
        elif not pane.scroll_page(down):
            self.say("the coding pane shows all it has")

    def action_board(self) -> None:
        """The theme board, on this transcript's case."""
        from tui.screens.theme_board import ThemeBoardScreen

        self.app.push_screen(ThemeBoardScreen(self.project, case_id=self.transcript.participant_id))

    def action_get_table(self) -> None:
        """The GET table."""
        from tui.screens.get_table import GetTableScreen

        self.app.push_screen(GetTableScreen(self.project, case_id=self.transcript.participant_id))

    def action_memos(self) -> None:
        """Memos and the reflexive journal."""
        from tui.screens.memos import MemosScreen

        self.app.push_screen(MemosScreen(self.project))

    def action_export(self) -> None:
        """Export the project: REFI-QDA, a report or CSV."""
        from tui.screens.export import ExportScreen

        self.app.push_screen(ExportScreen(self.project))

    def action_back(self) -> None:
        """Back to the project (this place is kept: `margin open` comes back to it)."""
        self.remember_place()
        from tui.screens.project_screen import ProjectScreen  # it imports this module

        if any(isinstance(screen, ProjectScreen) for screen in self.app.screen_stack):
            self.dismiss(None)
        else:
            # Opened straight into this transcript, this is the app's first screen, which Textual
            # can neither pop nor switch: the project screen goes over it, and this one, left
            # beneath for good, no longer speaks for where the coder is.
            self._retired = True
            self.app.push_screen(ProjectScreen(self.project))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Keys typed into the search field are text; the base refuses keys queued behind a dialog.
        if not super().check_action(action, parameters):
            return False
        if self.is_mounted and self.query_one("#workspace-search", Input).has_focus and action != "back":
            return False
        return True
