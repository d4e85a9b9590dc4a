"""The project screen in the real app: the table of transcripts, opening one, import, participants."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from modal_harness import screen_text
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from tui.app import MarginApp
from tui.formats.transcripts import parse_text
from tui.project import Project
from tui.screens.help import HelpScreen
from tui.screens.project_screen import ProjectScreen
from tui.screens.prompt import PromptScreen
from tui.screens.workspace import WorkspaceScreen
from tui.widgets.transcript_view import TranscriptView

if TYPE_CHECKING:  # the fixtures' types, from this folder's conftest.py
    from conftest import Keyboard, Study

WIDE = (120, 40)
NARROW = (80, 24)
IMPORTS = Path(__file__).resolve().parents[2] / "fixtures" / "import"


def project_screen(app: MarginApp) -> ProjectScreen:
    """The project screen, which must be on top."""
    screen = app.screen
    assert isinstance(screen, ProjectScreen), f"expected the project screen, not {type(screen).__name__}"
    return screen


def table_rows(app: MarginApp) -> list[list[str]]:
    """The cells of the table of transcripts, as shown."""
    table = project_screen(app).query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


def heading(app: MarginApp) -> str:
    """The line above the table."""
    return str(project_screen(app).query_one("#project-heading", Static).content)


def hint(app: MarginApp) -> str:
    """The lines under the table."""
    return str(project_screen(app).query_one("#project-participants", Static).content)


def prompt_error(app: MarginApp) -> str:
    """The error line of the prompt on top."""
    assert isinstance(app.screen, PromptScreen)
    return str(app.screen.query_one("#error").render())


async def start(pilot: Pilot[None]) -> None:
    """Let the app push its screens and lay them out."""
    await pilot.pause()
    await pilot.pause()


async def answer(pilot: Pilot[None], keyboard: Keyboard, text: str) -> None:
    """Type `text` into the prompt on top and press enter."""
    assert isinstance(pilot.app.screen, PromptScreen)
    await keyboard.type(pilot, text)
    await pilot.press("enter")
    await pilot.pause()


# ---------------------------------------------------------------------- the table


@pytest.mark.parametrize("size", [WIDE, NARROW])
async def test_rows_show_participants_titles_and_progress(demo: Project, size: tuple[int, int]) -> None:
    app = MarginApp(demo)
    async with app.run_test(size=size) as pilot:
        await start(pilot)
        rows = table_rows(app)
        transcripts = demo.transcripts()
        names = {p.id: p.pseudonym for p in demo.participants()}
        assert len(rows) == len(transcripts) == 5
        for row, transcript in zip(rows, transcripts):
            lines, coded, notes = demo.progress(transcript.id)
            assert row[:5] == [
                names[transcript.participant_id], transcript.title, str(lines),
                f"{coded} ({100 * coded // lines}%)", str(notes),
            ]
        text = screen_text(app)
        for transcript in transcripts:
            assert f"{names[transcript.participant_id]}" in text
            assert transcript.title in text
        p01 = demo.find_transcript("P01")
        lines, coded, _ = demo.progress(p01.id)
        assert f"{coded} ({100 * coded // lines}%)" in text
        assert "5 participants" in heading(app) and "5 transcripts" in heading(app)
        total_lines = sum(demo.progress(t.id)[0] for t in transcripts)
        total_coded = sum(demo.progress(t.id)[1] for t in transcripts)
        assert f"{total_coded} of {total_lines} lines coded" in heading(app)
        assert "coder: VR" in heading(app)


async def test_an_empty_project_says_how_to_start(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "empty.margin", coder="VR")
    app = MarginApp(project)
    async with app.run_test(size=NARROW) as pilot:
        await start(pilot)
        assert table_rows(app) == []
        assert "No transcripts yet. Press i to import" in screen_text(app)
        await pilot.press("enter", "P", "j", "k")  # nothing to open or assign
        await pilot.pause()
        assert isinstance(app.screen, ProjectScreen)
    assert project.transcripts() == []
    project.close()


async def test_enter_opens_the_highlighted_transcript_and_q_comes_back(demo: Project) -> None:
    app = MarginApp(demo)
    transcripts = demo.transcripts()
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("j", "down", "k", "j")  # the third row
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, WorkspaceScreen)
        assert screen.transcript.id == transcripts[2].id
        assert transcripts[2].title in screen_text(app)
        assert len(app.screen_stack) == 2  # the project screen and one workspace, not two
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ProjectScreen)
        assert project_screen(app).query_one(DataTable).cursor_row == 2  # still on the same row
        await pilot.press("k", "enter")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert app.screen.transcript.id == transcripts[1].id


async def test_coding_in_the_workspace_updates_the_counts(study: Study, keyboard: Keyboard) -> None:
    app = MarginApp(study.project)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        assert table_rows(app)[0][:5] == ["P07", "Interview 7", "60", "0 (0%)", "0"]
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("v", "j", "j", "t")
        await pilot.pause()
        await keyboard.type(pilot, "belonging")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await keyboard.type(pilot, "a note")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert table_rows(app)[0][:5] == ["P07", "Interview 7", "60", "3 (5%)", "1"]
        assert "3 of 60 lines coded" in heading(app)


async def test_titles_and_names_are_shown_literally(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "markup.margin", coder="VR")
    title, pseudonym = "[b]Talk[/b] [/] \x1b[31m", "[@click=app.quit]P1[/]"
    parsed = parse_text("P1: hello [laughs]\nInterviewer: and?", title=title)
    project.import_transcript(title=title, text=parsed.text, lines=parsed.lines, participant=pseudonym, source="[/].txt")
    app = MarginApp(project)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        text = screen_text(app)
        assert "[b]Talk[/b] [/] ␛[31m" in text
        assert "[@click=app.quit]P1[/]" in text
        assert "[/].txt" in text
        assert "\x1b" not in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert "[@click=app.quit]P1[/] · [b]Talk[/b] [/] ␛[31m" in screen_text(app)
        assert "hello [laughs]" in screen_text(app)
    project.close()


# ---------------------------------------------------------------------- participants


async def test_a_adds_a_participant(study: Study, keyboard: Keyboard) -> None:
    app = MarginApp(study.project)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await start(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        assert "New participant's pseudonym" in screen_text(app)
        await answer(pilot, keyboard, "P08")
        assert isinstance(app.screen, ProjectScreen)
        # A participant with no transcript yet has a row of their own (the study has them).
        assert [row[:2] for row in table_rows(app)][-1] == ["P08", "(no transcript yet: i imports one)"]
        assert "2 participants" in heading(app)
        assert "added participant P08" in screen_text(app)  # the notification
        await pilot.press("a")
        await pilot.pause()
        await answer(pilot, keyboard, "p08")  # the same pseudonym: refused, said why
        assert "participant p08 already exists" in screen_text(app)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape")  # cancelled
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        await answer(pilot, keyboard, "[/] [b]x")
        assert [row[0] for row in table_rows(app)][-2:] == ["P08", "[/] [b]x"]
        assert "[/] [b]x" in screen_text(app)
    assert sorted(p.pseudonym for p in study.project.participants()) == ["P07", "P08", "[/] [b]x"]


async def test_P_assigns_the_highlighted_transcript_to_a_participant(demo: Project, keyboard: Keyboard) -> None:
    app = MarginApp(demo)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("j")  # P02's transcript
        transcript = demo.transcripts()[1]
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        assert f"Assign {transcript.title} to participant" in screen_text(app)  # which transcript, said
        await answer(pilot, keyboard, "P99")
        assert isinstance(app.screen, ProjectScreen)
        assert any(row[0] == "P99" and row[1] == transcript.title for row in table_rows(app))
        assert ["P02", "(no transcript yet: i imports one)"] in [row[:2] for row in table_rows(app)]
        assert "P99" in screen_text(app)
        await pilot.press("P")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    p99 = demo.find_participant("P99")
    assert p99 is not None
    assert demo.transcript(transcript.id).participant_id == p99.id


# ---------------------------------------------------------------------- import


async def test_i_imports_a_file_taking_the_participant_from_it(study: Study, keyboard: Keyboard) -> None:
    app = MarginApp(study.project)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await start(pilot)
        await pilot.press("i")
        await pilot.pause()
        assert "Import a transcript: path to the file" in screen_text(app)
        await answer(pilot, keyboard, str(IMPORTS / "cp1252_crlf.txt"))
        assert isinstance(app.screen, PromptScreen)
        assert "Participant's pseudonym" in screen_text(app)
        await pilot.press("enter")  # empty: from the file
        await pilot.pause()
        assert isinstance(app.screen, ProjectScreen)
        assert ["P03", "cp1252_crlf", "4"] in [row[:3] for row in table_rows(app)]
        assert "imported cp1252_crlf: 4 lines" in screen_text(app)
        assert "2 transcripts" in heading(app)
    imported = study.project.find_transcript("cp1252_crlf")
    assert imported.participant_id == study.project.find_participant("P03").id  # type: ignore[union-attr]
    assert imported.line_count == 4
    assert "café" in study.project.transcript(imported.id).text  # decoded from Windows-1252 (find_transcript reads no text)


async def test_i_imports_a_file_for_the_participant_typed(study: Study, keyboard: Keyboard) -> None:
    app = MarginApp(study.project)
    async with app.run_test(size=NARROW) as pilot:
        await start(pilot)
        await pilot.press("i")
        await pilot.pause()
        await answer(pilot, keyboard, str(IMPORTS / "interview.srt"))
        await answer(pilot, keyboard, "P42")
        assert ["P42", "interview"] in [row[:2] for row in table_rows(app)]
    transcript = study.project.find_transcript("interview")
    assert study.project.participant(transcript.participant_id).pseudonym == "P42"  # type: ignore[arg-type]


async def test_a_path_that_is_not_a_file_is_refused_in_the_prompt(study: Study, keyboard: Keyboard) -> None:
    app = MarginApp(study.project)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("i")
        await pilot.pause()
        missing = str(IMPORTS / "no_such_interview.txt")
        await answer(pilot, keyboard, missing)
        assert isinstance(app.screen, PromptScreen)  # still asking
        assert "Import a transcript" in screen_text(app)
        assert f"no such file: {missing}" in prompt_error(app)
        assert "no such file" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ProjectScreen)
        assert len(table_rows(app)) == 1
    assert [t.title for t in study.project.transcripts()] == ["Interview 7"]


async def test_a_file_that_cannot_be_read_is_reported_and_nothing_imported(study: Study, keyboard: Keyboard) -> None:
    app = MarginApp(study.project)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await start(pilot)
        for name, problem in [("binary.txt", "binary file"), ("../../pyproject.toml", "cannot import '.toml' files")]:
            await pilot.press("i")
            await pilot.pause()
            await answer(pilot, keyboard, str(IMPORTS / name))
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ProjectScreen)
            assert problem in screen_text(app), name  # the error notification
        await pilot.press("i")  # a file imported twice: refused the second time
        await pilot.pause()
        await answer(pilot, keyboard, str(IMPORTS / "utf8_bom.md"))
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        await answer(pilot, keyboard, str(IMPORTS / "utf8_bom.md"))
        await pilot.press("enter")
        await pilot.pause()
        assert "already has a transcript titled" in screen_text(app)
    assert sorted(t.title for t in study.project.transcripts()) == ["Interview 7", "utf8_bom"]
    assert study.project.check() == []


# ---------------------------------------------------------------------- keys


async def test_help_lists_the_project_keys(demo: Project) -> None:
    app = MarginApp(demo)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Keys: project" in text
        for description in ("Open the transcript", "Import", "Add participant", "Assign participant", "Quit"):
            assert description in text
        for scrolling in ("Scroll", "Page up", "Page down", "Cursor"):  # the table's own keys are not margin's
            assert scrolling not in text
        await pilot.press("q")  # closes the help only
        await pilot.pause()
        assert isinstance(app.screen, ProjectScreen)
        assert app.is_running
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_q_on_the_project_screen_quits(demo: Project) -> None:
    app = MarginApp(demo)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running
    assert app.return_code == 0


#: Every key but the ones that leave (q, ctrl+q) and enter (which opens the workspace).
KEYS = [  # b, T, M open the theme board, the GET table and the memos in its place (their own tests)
    *"acdefghijklmnoprstuvwxyz",
    *"ABCDEFGHIJKLNOPRSUVWXYZ",
    *"0123456789",
    *"`-=[]\\;',./~!@#$%^&*()_+{}|:\"<>?",
    "space", "tab", "shift+tab", "escape", "backspace", "delete",
    "up", "down", "left", "right", "home", "end", "pageup", "pagedown", "insert",
    "ctrl+a", "ctrl+b", "ctrl+c", "ctrl+d", "ctrl+e", "ctrl+f", "ctrl+k", "ctrl+l", "ctrl+n",
    "ctrl+o", "ctrl+p", "ctrl+r", "ctrl+s", "ctrl+t", "ctrl+u", "ctrl+v", "ctrl+w", "ctrl+x",
    "ctrl+y", "ctrl+z", "ctrl+home", "ctrl+end", "f1", "f2", "f5", "f10", "f12",
]


@pytest.mark.parametrize("size", [WIDE, NARROW])
async def test_every_key_on_the_project_screen(demo: Project, size: tuple[int, int], keyboard: Keyboard) -> None:
    before = [(t.id, t.participant_id) for t in demo.transcripts()]
    app = MarginApp(demo)
    async with app.run_test(size=size) as pilot:
        await start(pilot)
        # Each key on the project screen itself; escape closes whatever it opened.
        await keyboard.burst(pilot, [k for key in KEYS for k in (key, "escape", "escape")])
        for _ in range(4):
            if isinstance(app.screen, ProjectScreen):
                break
            await pilot.press("escape")
            await pilot.pause()
        assert app.is_running
        assert isinstance(app.screen, ProjectScreen)
        assert len(table_rows(app)) == 5
        await pilot.press("home", "enter")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert isinstance(app.focused, TranscriptView)
    assert [(t.id, t.participant_id) for t in demo.transcripts()] == before  # every prompt was cancelled
    assert demo.check() == []


@pytest.mark.parametrize("opener", ["i", "a", "P"])
async def test_every_key_typed_into_a_prompt(study: Study, opener: str, keyboard: Keyboard) -> None:
    app = MarginApp(study.project)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press(opener)
        await pilot.pause()
        await keyboard.burst(pilot, [key for key in KEYS if key not in ("escape", "tab", "shift+tab", "ctrl+p", "f1")])
        assert isinstance(app.screen, PromptScreen)
        assert isinstance(app.focused, Input)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ProjectScreen)
    assert [p.pseudonym for p in study.project.participants()] == ["P07"]
    assert len(study.project.transcripts()) == 1


async def test_r_renames_the_participant_everywhere(study: Study) -> None:
    # A VTT voice can carry a real name: r gives the participant a pseudonym in one step.
    app = MarginApp(study.project)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        await pilot.press(*"P70", "enter")  # the old name is selected: typing replaces it
        await pilot.pause()
        assert "P70" in screen_text(app)
    assert [p.pseudonym for p in study.project.participants()] == ["P70"]
    assert study.project.transcript(study.transcript_id).participant_id == study.participant_id
    assert study.project.undo().action == "participant.rename"
    assert [p.pseudonym for p in study.project.participants()] == ["P07"]


async def test_the_heading_is_one_row_at_120_columns_and_g_goes_to_the_first_transcript(demo: Project) -> None:
    demo.set_coder("a coder with a rather long name")
    app = MarginApp(demo)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        rows = screen_text(app).splitlines()
        assert rows[0].strip().startswith("ipa · coder: a coder with a rather long name")
        assert rows[1].split()[0] == "participant"  # the heading did not wrap onto the table's row
        table = app.screen.query_one(DataTable)
        await pilot.press("G")
        assert table.cursor_row == len(demo.transcripts()) - 1
        await pilot.press("g")
        assert table.cursor_row == 0


@pytest.mark.parametrize("size", [WIDE, (80, 24)])
async def test_the_import_prompt_shows_its_whole_question(study: Study, size: tuple[int, int]) -> None:
    app = MarginApp(study.project)
    async with app.run_test(size=size) as pilot:
        await start(pilot)
        await pilot.press("i")
        await pilot.pause()
        text = " ".join(screen_text(app).replace("│", " ").split())
        assert "Import a transcript" in text
        assert "path to the file (tab completes; .qdpx and .qdc too)" in text
