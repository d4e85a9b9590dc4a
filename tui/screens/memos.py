"""Memos and the reflexive journal: every memo, searchable, filtered by stage and by subject.

A memo is about the project (a journal entry), a participant, a transcript, a theme or a coding.
Opened from a theme (or an extract), the list shows that subject's memos and `n` writes one on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tui.project import Memo, ProjectError
from tui.project.model import STAGES
from tui.screens.analysis_base import AnalysisScreen
from tui.screens.base import keep_draft
from tui.screens.choice import ChoiceScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.memo_editor import MemoEditor, pack_draft, unpack_draft
from tui.text import visible, visible_lines
from tui.widgets.fields import Input
from tui.widgets.key_bar import KeyBar
from tui.widgets.row_list import LazyRows, RowList

if TYPE_CHECKING:
    from tui.project import Project

#: What a memo can be about, as the subject filter names them.
SUBJECTS: tuple[str, ...] = ("project", "participant", "transcript", "theme", "coding")


def memo_subject(memo: Memo) -> str:
    """What a memo is about: one of SUBJECTS."""
    if getattr(memo, "coding_id", None) is not None:
        return "coding"
    if memo.theme_id is not None:
        return "theme"
    if memo.transcript_id is not None:
        return "transcript"
    if memo.participant_id is not None:
        return "participant"
    return "project"


class MemosScreen(AnalysisScreen):
    """Memos and journal entries.

    | key | action |
    |---|---|
    | `n` | write a memo (on the subject this list was opened for, else a journal entry) |
    | `N` | write a memo on the project, a participant or a transcript, chosen from a list |
    | `enter` / `e` | edit the memo |
    | `D` | delete the memo |
    | `s` | filter by stage |
    | `a` | filter by what the memo is about |
    | `/` | search titles and texts |
    | `u`, `ctrl+r` | undo, redo |
    | `q` | back |
    """

    BINDINGS = [
        Binding("n", "new", "New memo"),
        Binding("N", "new_about", "New memo about…"),
        Binding("e", "edit", "Edit"),
        Binding("D", "delete", "Delete", show=False),
        Binding("s", "stage_filter", "Stage"),
        Binding("a", "subject_filter", "About"),
        Binding("slash", "search", "Search", priority=True),
        Binding("escape", "close_filter", "Clear search", show=False),
        Binding("u,ctrl+z", "undo", "Undo", show=False),
        Binding("ctrl+r,ctrl+y", "redo", "Redo", show=False),
        Binding("q", "back", "Back"),
    ]

    DEFAULT_CSS = """
    MemosScreen {
        layout: vertical;
        #analysis-status { height: 1; background: $panel; padding: 0 1; }
        #memos-list { height: 1fr; min-height: 4; }
        #memos-detail-box { height: 9; border-top: solid $secondary 50%; }
        #memos-detail { padding: 0 1; }
        #memos-search { dock: bottom; display: none; }
    }
    """

    def __init__(
        self, project: Project, *, participant_id: int | None = None, transcript_id: int | None = None,
        theme_id: int | None = None, coding_id: int | None = None,
    ) -> None:
        super().__init__(project)
        self.subject = {"participant_id": participant_id, "transcript_id": transcript_id,
                        "theme_id": theme_id, "coding_id": coding_id}
        self.stage: str | None = None
        self.about: str | None = None
        self.query_text = ""
        self.memos: list[Memo] = []

    def compose(self) -> ComposeResult:
        yield Static(id="analysis-status")
        yield RowList(id="memos-list")
        with VerticalScroll(id="memos-detail-box", can_focus=False):
            yield Static(id="memos-detail")
        yield Input(placeholder="search memos; enter to browse, escape to clear", id="memos-search")
        yield KeyBar()

    @property
    def rows(self) -> RowList:
        """The list of memos."""
        return self.query_one("#memos-list", RowList)

    def on_mount(self) -> None:
        self.reload()
        self.rows.focus()

    def _matches(self, memo: Memo) -> bool:
        for key, value in self.subject.items():
            if value is not None and getattr(memo, key, None) != value:
                return False
        if self.stage is not None and getattr(memo, "stage", None) != self.stage:
            return False
        if self.about is not None and memo_subject(memo) != self.about:
            return False
        if self.query_text:
            needle = self.query_text.casefold()
            return needle in memo.title.casefold() or needle in memo.body.casefold()
        return True

    def reload(self) -> None:
        """Read the memos again."""
        if not self.is_mounted:
            return
        self._names = {t.id: t.name for t in self.project.themes()}
        self._people = {p.id: p.pseudonym for p in self.project.participants()}
        self._titles = {t.id: t.title for t in self.project.transcripts()}
        self.memos = [m for m in self.project.memos() if self._matches(m)]
        memos = self.memos
        self.rows.set_rows(LazyRows(len(memos), lambda i: self._row(memos[i])))
        self._show_detail()
        self.refresh_status()

    def _about(self, memo: Memo) -> str:
        subject = memo_subject(memo)
        if subject == "theme":
            return f"on {self._names.get(memo.theme_id, '?')}"
        if subject == "participant":
            return f"on {self._people.get(memo.participant_id, '?')}"
        if subject == "transcript":
            return f"on {self._titles.get(memo.transcript_id, '?')}"
        if subject == "coding":
            return "on an extract"
        return "journal"

    def _row(self, memo: Memo) -> Content:
        stage = getattr(memo, "stage", None)
        return Content.assemble(
            (f"{memo.created_at[:10]}  ", "dim"),
            Content(visible(memo.title)),
            (f"  {visible(stage)}" if stage else "", "bold"),
            ("  " + visible(self._about(memo)), "dim"),
        )

    def status_parts(self) -> list[str]:
        parts = ["memos and journal", f"{len(self.memos)} shown"]
        if any(v is not None for v in self.subject.values()):
            parts.append("on this subject")
        if self.stage:
            parts.append(f"stage: {self.stage}")
        if self.about:
            parts.append(f"about: {self.about}")
        if self.query_text:
            parts.append(f"search: {self.query_text}")
        return parts

    def current(self) -> Memo | None:
        """The memo under the cursor."""
        index = self.rows.cursor
        return self.memos[index] if 0 <= index < len(self.memos) else None

    @on(RowList.Highlighted, "#memos-list")
    def _highlighted(self) -> None:
        self._show_detail()

    @on(RowList.Chosen, "#memos-list")
    def _chosen(self) -> None:
        self.action_edit()

    def _show_detail(self) -> None:
        memo = self.current()
        detail = self.query_one("#memos-detail", Static)
        if memo is None:
            detail.update(Content("No memos here. n writes one; s and a filter by stage and subject."))
            return
        stage = getattr(memo, "stage", None)
        head = f"{memo.title} · {memo.created_at[:16].replace('T', ' ')} · {stage or 'no stage'} · {self._about(memo)}"
        detail.update(Content(visible(head) + "\n" + visible_lines(memo.body)))

    # ---------------------------------------------------------------- writing

    def action_new(self) -> None:
        """Write a memo on this list's subject, or a journal entry."""
        self._new({k: v for k, v in self.subject.items() if v is not None})

    def action_new_about(self) -> None:
        """Write a memo on the project, a participant or a transcript, chosen from a list."""
        people = self.project.participants()
        names = {p.id: p.pseudonym for p in people}
        transcripts = self.project.transcripts()
        subjects: list[dict[str, int]] = [{}]
        options = ["the project (a journal entry)"]
        for person in people:
            subjects.append({"participant_id": person.id})
            options.append(f"participant {person.pseudonym}")
        for transcript in transcripts:
            subjects.append({"transcript_id": transcript.id})
            owner = names.get(transcript.participant_id, "no participant")
            options.append(f"transcript {transcript.title} ({owner})")

        def chosen(index: int | None) -> None:
            if index is not None:
                self._new(subjects[index])

        self.app.push_screen(ChoiceScreen("A memo about what?", options), chosen)

    def _new(self, subject: dict[str, int]) -> None:
        """Open the editor for a memo on `subject` (none: a journal entry) and save what it gives."""
        heading = "New journal entry" if not subject else "New memo"

        ref = "new:" + ",".join(f"{k}={v}" for k, v in sorted(subject.items()))
        draft = next(iter(self._memo_drafts(ref)), None)

        def save(result: tuple[str, str | None, str] | None) -> None:
            if result is None:
                if draft is not None:  # the user chose to throw the kept text away
                    self._forget_memo_draft(draft.id)
                return
            title, stage, body = result
            if not self.commit(lambda: self.project.add_memo(title, body, stage=stage, **subject),
                               lambda memo: f"memo '{memo.title}' saved"):
                where = keep_draft(self.project, "memo", ref, pack_draft(title, stage, body), draft_id=draft and draft.id)
                self.say(f"memo not saved; its text is kept ({where}): n offers it again")
            elif draft is not None:
                self._forget_memo_draft(draft.id)

        if draft is not None:  # typed before a hang-up or a failed save: offered again
            title, stage, body = unpack_draft(draft.body)
            editor = MemoEditor(heading=f"{heading} (kept from {draft.saved_at[:16].replace('T', ' ')})", title=title,
                                stage=stage, body=body, saved=("", ""), draft_ref=ref, draft_id=draft.id)
        else:
            editor = MemoEditor(heading=heading, stage=self.stage, draft_ref=ref)
        self.app.push_screen(editor, save)

    def _memo_drafts(self, ref: str) -> list:  # type: ignore[type-arg]
        try:
            return [d for d in self.project.drafts("memo") if d.ref == ref]
        except ProjectError:
            return []

    def _forget_memo_draft(self, draft_id: int) -> None:
        try:
            self.project.discard_draft(draft_id)
        except ProjectError as error:
            self.fail(error)

    def action_edit(self) -> None:
        """Edit the memo under the cursor."""
        memo = self.current()
        if memo is None:
            return

        def save(result: tuple[str, str | None, str] | None) -> None:
            if result is None:
                return
            title, stage, body = result
            if not self.commit(lambda: self.project.edit_memo(memo.id, title=title, body=body, stage=stage),
                               lambda saved: f"memo '{saved.title}' saved"):
                where = keep_draft(self.project, "memo", ref, pack_draft(title, stage, body), draft_id=draft and draft.id)
                self.say(f"the edited memo not saved; its text is kept ({where}): e offers it again")
            elif draft is not None:
                self._forget_memo_draft(draft.id)

        ref = f"memo:{memo.id}"
        draft = next(iter(self._memo_drafts(ref)), None)
        title, stage, body = unpack_draft(draft.body) if draft else (memo.title, getattr(memo, "stage", None), memo.body)
        self.app.push_screen(MemoEditor(heading="Edit memo" + (" (unsaved text kept)" if draft else ""), title=title,
                                        stage=stage, body=body, saved=(memo.title, memo.body), draft_ref=ref,
                                        draft_id=draft and draft.id), save)

    def action_delete(self) -> None:
        """Delete the memo under the cursor, after asking."""
        memo = self.current()
        if memo is None:
            return
        self.app.push_screen(
            ConfirmScreen(f"Delete the memo '{memo.title}' and its text?\n\nu undoes it."),
            lambda yes: None if not yes else self.commit(lambda: self.project.delete_memo(memo.id),
                                                         lambda _: "memo deleted (u undoes)"),
        )

    # ---------------------------------------------------------------- filters

    def action_stage_filter(self) -> None:
        """Show the memos of one analysis stage, or of all."""
        def chosen(index: int | None) -> None:
            if index is None:
                return
            self.stage = None if index == 0 else STAGES[index - 1]
            self.reload()

        self.app.push_screen(ChoiceScreen("Which stage?", ["all stages", *STAGES]), chosen)

    def action_subject_filter(self) -> None:
        """Show the memos about one kind of subject, or all."""
        def chosen(index: int | None) -> None:
            if index is None:
                return
            self.about = None if index == 0 else SUBJECTS[index - 1]
            self.reload()

        self.app.push_screen(ChoiceScreen("Memos about what?", ["anything", *SUBJECTS]), chosen)

    def action_search(self) -> None:
        """Search the memos' titles and texts."""
        field = self.query_one("#memos-search", Input)
        field.display = True
        self.set_focus(field)

    @on(Input.Changed, "#memos-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value.strip()
        self.reload()

    @on(Input.Submitted, "#memos-search")
    def _search_submitted(self) -> None:
        self.query_one("#memos-search", Input).display = bool(self.query_text)
        self.rows.focus()

    def action_close_filter(self) -> None:
        """Clear the search."""
        field = self.query_one("#memos-search", Input)
        field.value = ""
        field.display = False
        self.query_text = ""
        self.reload()
        self.rows.focus()
