"""What a walk through a small new study at 80x24 found: each test fails without its fix.

The study is fictional: four allotment gardeners, long transcript lines (as an import wraps
them, at 72 characters), statements grouped into PETs and PETs into one GET.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from modal_harness import screen_text
from textual.pilot import Pilot

from tui.app import MarginApp
from tui.formats.transcripts import parse_text
from tui.project import Project
from tui.screens.confirm import ConfirmScreen
from tui.screens.extracts import ExtractsScreen
from tui.screens.get_table import GetTableScreen
from tui.screens.theme_board import ThemeBoardScreen
from tui.screens.theme_history import ThemeHistoryScreen
from tui.screens.theme_picker import ThemePicker

NARROW = (80, 24)

TALK = [
    "I didn't know anyone there. I stood by the gate with my spade and I felt",
    "like a trespasser on somebody else's land, honestly, for the whole week.",
    "Then an older woman handed me a cup of tea without asking me anything at",
    "all, and that was it really: I belonged after the tea, I was one of them.",
    "I killed everything I planted in the first year and the slugs won it all",
    "but nobody laughed at me; they shared their seedlings and their advice.",
]


@dataclass
class Allotment:
    project: Project
    get_id: int
    pets: dict[str, int]
    transcripts: dict[str, int]


def build(path: Path, *, method: str = "ipa", people: int = 4) -> Allotment:
    """`people` participants R01..; in IPA each has two statements in one PET, the PETs in one GET."""
    project = Project.create(path, method=method, coder="QA")
    pets: dict[str, int] = {}
    transcripts: dict[str, int] = {}
    for index in range(1, people + 1):
        who = f"R{index:02d}"
        parsed = parse_text("\n".join(TALK), title=who)
        transcript = project.import_transcript(title=who, text=parsed.text, lines=parsed.lines, participant=who,
                                               source=f"{who}.txt")
        transcripts[who] = transcript.id
        scope = transcript.participant_id if method == "ipa" else None
        low = project.levels[0]
        first = project.create_theme(f"Outsider at the gate {who}", level=low, participant_id=scope)
        second = project.create_theme(f"Welcomed by tea {who}", level=low, participant_id=scope)
        project.tag(transcript.id, 1, 2, first.id)
        project.tag(transcript.id, 3, 4, second.id)
        if method == "ipa":
            pet = project.group([first.id, second.id], new_name=f"Being taken in {who}", level="pet",
                                strategy="abstraction")
            pets[who] = pet.id
        else:
            pets[who] = first.id
    top = project.levels[-1]
    get = project.group(list(pets.values()), new_name="Belonging on one's own terms", level=top,
                        strategy="subsumption")
    return Allotment(project, get.id, pets, transcripts)


@pytest.fixture
def allotment(tmp_path: Path):  # type: ignore[no-untyped-def]
    study = build(tmp_path / "allotment.margin")
    yield study
    study.project.close()


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.pause()


async def test_context_lines_wrap_under_their_own_text_not_under_the_line_numbers(allotment: Allotment) -> None:
    app = MarginApp(allotment.project)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await app.push_screen(ExtractsScreen(allotment.project, allotment.get_id))
        await settle(pilot)
        await pilot.press("down")  # (R01, 3-4): a line before it and two after
        await pilot.press("c")
        await settle(pilot)
        lines = screen_text(app).splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith(" (R01, 3-4) ·"))
        shown = [line for line in lines[start + 1:-1] if line.strip()]
        numbered = [line for line in shown if re.match(r"^ [▌ ]\s*\d+  ", line)]
        count = len(allotment.project.lines(allotment.transcripts["R01"]))
        wanted = list(range(1, min(count, 4 + 3) + 1))
        assert [int(re.match(r"^ [▌ ]\s*(\d+)", line).group(1)) for line in numbered] == wanted
        for line in shown:
            if line not in numbered:  # the rest of a long line, under its text
                assert line.startswith(" " * 9) and line.strip(), line
        assert "trespasser" in screen_text(app) and "advice." in screen_text(app)


async def test_merge_and_delete_confirmations_say_what_goes_in_plain_numbers(allotment: Allotment) -> None:
    project = allotment.project
    app = MarginApp(project)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await app.push_screen(ThemeBoardScreen(project, case_id=project.find_participant("R01").id))
        await settle(pilot)
        board = app.screen
        assert isinstance(board, ThemeBoardScreen)
        index = next(i for i, r in enumerate(board._rows) if board._themes[r.theme_id].name == "Outsider at the gate R01")
        board.rows.move_to(index)
        await pilot.pause()
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ThemePicker)
        await pilot.press("enter")  # the one other statement of R01
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        text = " ".join(screen_text(app).split())
        assert "Its 1 extract, the themes below it" in text, text
        await pilot.press("n")
        await settle(pilot)
        index = next(i for i, r in enumerate(board._rows) if board._themes[r.theme_id].name == "Being taken in R01")
        board.rows.move_to(index)
        await pilot.pause()
        await pilot.press("D")
        await settle(pilot)
        text = " ".join(screen_text(app).split())
        assert "it has no codings of its own: no extract is removed" in text, text
        assert "0 codings" not in text


async def test_history_rows_lead_with_the_strategy_and_the_pane_gives_the_whole_change(allotment: Allotment) -> None:
    app = MarginApp(allotment.project)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await app.push_screen(ThemeHistoryScreen(allotment.project, allotment.get_id))
        await settle(pilot)
        lines = screen_text(app).splitlines()
        last = next(line for line in lines[1:20] if re.match(r"^\d\d-\d\d \d\d:\d\d ", line) and "4 PETs" in line)
        assert "[subsumption] group 4 PETs into new GET" in last  # within 80 columns, not cut off
        text = " ".join(screen_text(app).split())
        assert "group 4 PETs into new GET Belonging on one's own terms (subsumption)" in text
        assert "created as GET 'Belonging on one's own terms'" in text


async def test_a_get_table_cell_is_as_wide_as_what_it_says(allotment: Allotment) -> None:
    """A narrow column must not cut a cell's marks: ★ (key quote) and ≠ (divergent) come last."""
    project = allotment.project
    r01 = project.find_participant("R01").id
    for n in range(1, 10):  # R01 brings ten PETs to the GET: the cell reads 11·10★≠
        statement = project.create_theme(f"Small kindness {n}", level="statement", participant_id=r01)
        project.tag(allotment.transcripts["R01"], n % 6 + 1, n % 6 + 1, statement.id)
        pet = project.group([statement.id], new_name=f"Kindness {n}", level="pet")
        project.group([pet.id], into_id=allotment.get_id)
    project.set_key_quote(project.codings(theme_id=project.find_theme("Outsider at the gate R01").id)[0].id)
    project.mark_divergence(allotment.get_id, r01, None, "she stays apart")
    app = MarginApp(project)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await app.push_screen(GetTableScreen(project))
        await settle(pilot)
        lines = screen_text(app).splitlines()
        assert "R01" in lines[1] and "R02" in lines[1], lines[1]
        assert "11·10★≠" in lines[2], lines[2]


async def test_a_ta_table_speaks_of_themes_and_codes(tmp_path: Path) -> None:
    study = build(tmp_path / "ta.margin", method="ta", people=2)
    try:
        app = MarginApp(study.project)
        async with app.run_test(size=NARROW) as pilot:
            await settle(pilot)
            await app.push_screen(GetTableScreen(study.project))
            await settle(pilot)
            text = screen_text(app)
            lines = text.splitlines()
            assert lines[0].startswith(" theme table · 1 themes · 2 participants · cell: extracts·codes"), lines[0]
            assert lines[1].split()[0] == "theme"
            assert "GET" not in text and "PET" not in text.replace("PET table", "")
    finally:
        study.project.close()


async def test_choosing_another_case_starts_at_its_first_theme(allotment: Allotment) -> None:
    project = allotment.project
    app = MarginApp(project)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await app.push_screen(ThemeBoardScreen(project, case_id=project.find_participant("R01").id))
        await settle(pilot)
        board = app.screen
        assert isinstance(board, ThemeBoardScreen)
        board.rows.move_to(2)
        await pilot.pause()
        await pilot.press("C")
        await settle(pilot)
        await pilot.press("2")  # R02
        await settle(pilot)
        assert board.case_id == project.find_participant("R02").id
        assert board.rows.cursor == 0 and board.current_theme().name == "Belonging on one's own terms"


async def test_a_ta_board_and_table_name_their_keys_in_ta_words(tmp_path: Path) -> None:
    study = build(tmp_path / "ta.margin", method="ta", people=2)
    try:
        app = MarginApp(study.project)
        async with app.run_test(size=(120, 24)) as pilot:
            await settle(pilot)
            await app.push_screen(ThemeBoardScreen(study.project))
            await settle(pilot)
            footer = screen_text(app).splitlines()[-1]
            assert "t Theme table" in footer and "GET" not in footer, footer
            await pilot.press("t")
            await settle(pilot)
            assert isinstance(app.screen, GetTableScreen)
            footer = screen_text(app).splitlines()[-1]
            assert "P Participant's themes" in footer and "PET" not in footer, footer
    finally:
        study.project.close()
