"""The theme picker: fuzzy search as you type, create from the typed text, keys."""

from __future__ import annotations

import pytest
from modal_harness import SIZE, ModalHost, screen_text
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from tui.project.model import Theme
from tui.screens.theme_picker import MAX_OPTIONS, PickResult, ThemePicker

THEMES = [
    Theme(1, "g1", "Sense of belonging", None, "statement", participant_id=7),
    Theme(2, "g2", "Fear of exposure", None, "statement", participant_id=7),
    Theme(3, "g3", "Outsider on the ward", None, "pet", participant_id=7),
    Theme(4, "g4", "Standing in the corner", 3, "statement", participant_id=7),
    Theme(5, "g5", "[bold]x[/bold]", None, "statement"),
    Theme(6, "g6", "[/]", None, "statement"),
    Theme(7, "g7", "Belonging to the team", None, "get"),
    Theme(8, "g8", "Bell\x1b[31m ringing", None, "statement"),
]
PATHS = {4: "Outsider on the ward/Standing in the corner"}
PARTICIPANTS = {7: "P07"}


def host(themes: list[Theme] = THEMES, **kwargs: str) -> ModalHost:
    """An app showing the picker over `themes`."""
    return ModalHost(
        lambda: ThemePicker(themes, paths=PATHS, participants=PARTICIPANTS, **kwargs)
    )


def prompts(pilot: Pilot[None]) -> list[str]:
    """The text of every option listed, top to bottom."""
    options = pilot.app.screen.query_one("#matches", OptionList).options
    return [str(option.prompt) for option in options]


def highlighted(pilot: Pilot[None]) -> str:
    """The text of the highlighted option."""
    option = pilot.app.screen.query_one("#matches", OptionList).highlighted_option
    assert option is not None
    return str(option.prompt)


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Type `text` into the focused search box, one key at a time."""
    await pilot.press(*[("space" if char == " " else char) for char in text])
    await pilot.pause()


async def test_empty_query_lists_every_theme_and_focuses_the_box() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ThemePicker)
        assert isinstance(app.focused, Input)
        assert len(prompts(pilot)) == len(THEMES)
        assert not any(prompt.startswith("+ new") for prompt in prompts(pilot))
        text = screen_text(app)
        assert "Tag with theme" in text
        assert "type to find or create a theme" in text


async def test_typo_finds_the_theme_first_and_enter_returns_its_id() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "belnging")
        assert prompts(pilot)[0].startswith("Sense of belonging")
        assert highlighted(pilot).startswith("Sense of belonging")
        # A good match exists, so the offer to create comes last.
        assert prompts(pilot)[-1] == '+ new statement: "belnging"'
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [PickResult(theme_id=1)]


async def test_options_show_level_participant_and_parent_path() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "standing")
        assert prompts(pilot)[0] == (
            "Standing in the corner  statement · P07 · in Outsider on the ward"
        )
        assert "Standing in the corner  statement · P07 · in Outsider on the ward" in (
            screen_text(app)
        )


async def test_level_labels_are_used() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "outsider")
        assert prompts(pilot)[0] == "Outsider on the ward  PET · P07"


async def test_new_name_comes_first_when_nothing_matches_and_enter_creates_it() -> None:
    app = host(new_label="PET")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "  Guilt   about  leaving ")
        assert prompts(pilot)[0] == '+ new PET: "Guilt about leaving"'
        assert highlighted(pilot) == '+ new PET: "Guilt about leaving"'
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [PickResult(new_name="Guilt about leaving")]


async def test_no_new_entry_for_an_existing_name_in_any_case_or_spacing() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "fear  OF exposure ")
        assert prompts(pilot)[0].startswith("Fear of exposure")
        assert not any(prompt.startswith("+ new") for prompt in prompts(pilot))
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [PickResult(theme_id=2)]


async def test_markup_in_theme_names_shows_literally() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "[bold]x[/bold]  statement" in text
        assert "[/]  statement" in text
        await type_text(pilot, "[/")
        assert prompts(pilot)[0].startswith("[/]")
        assert '+ new statement: "[/"' in prompts(pilot)
        assert '+ new statement: "[/"' in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [PickResult(theme_id=6)]


async def test_control_characters_in_names_are_made_visible() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "ringing")
        assert prompts(pilot)[0].startswith("Bell\u241b[31m ringing")
        assert "Bell\u241b[31m ringing" in screen_text(app)


async def test_escape_returns_none() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "fear")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ThemePicker)
    assert app.results == [None]


async def test_up_and_down_move_the_highlight_and_enter_applies_it() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "belonging")
        matches = app.screen.query_one("#matches", OptionList)
        assert matches.highlighted == 0
        first, second = prompts(pilot)[:2]
        assert {first.split("  ")[0], second.split("  ")[0]} == {
            "Sense of belonging",
            "Belonging to the team",
        }
        await pilot.press("down")
        assert matches.highlighted == 1
        assert isinstance(app.focused, Input)  # typing still goes to the box
        await pilot.press("down", "up")
        assert matches.highlighted == 1
        await pilot.press("up")
        assert matches.highlighted == 0
        await pilot.press("down", "enter")
        await pilot.pause()
    expected = 7 if first.startswith("Sense") else 1
    assert app.results == [PickResult(theme_id=expected)]


async def test_down_to_the_new_entry_creates() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "belonging")
        count = len(prompts(pilot))
        await pilot.press(*["down"] * (count - 1), "enter")
        await pilot.pause()
    assert app.results == [PickResult(new_name="belonging")]


async def test_enter_with_nothing_to_apply_stays_open() -> None:
    app = host(themes=[])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert prompts(pilot) == []
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ThemePicker)
    assert app.results == []


async def test_five_thousand_themes_list_at_most_fifty() -> None:
    themes = [Theme(i, f"g{i}", f"Theme number {i}", None, "code") for i in range(5000)]
    themes.append(Theme(9999, "g9999", "Sense of belonging", None, "theme"))
    app = host(themes=themes, new_label="code")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(prompts(pilot)) == MAX_OPTIONS
        assert "50+ of 5001 themes" in screen_text(app)
        await type_text(pilot, "belnging")
        assert prompts(pilot)[0] == "Sense of belonging  theme"
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [PickResult(theme_id=9999)]


def test_pick_result_needs_exactly_one_field() -> None:
    with pytest.raises(ValueError):
        PickResult()
    with pytest.raises(ValueError):
        PickResult(theme_id=1, new_name="x")


async def test_the_index_is_kept_between_pickers_and_follows_the_themes() -> None:
    app = host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = app.screen._index
    renamed = Theme(2, "g2", "Fear of being found out", None, "statement", participant_id=7)
    added = Theme(9, "g9", "Homesick on placement", None, "statement")
    themes = [THEMES[0], renamed, *THEMES[3:], added]  # "Outsider on the ward" deleted
    app = host(themes=themes)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen._index is first  # the same index, brought up to date
        await type_text(pilot, "homesik")
        assert prompts(pilot)[0].startswith("Homesick on placement")
        await pilot.press(*["backspace"] * 7)
        await type_text(pilot, "fear of exposure")
        assert not any(p.startswith("Fear of exposure") for p in prompts(pilot))
        assert prompts(pilot)[0] == '+ new statement: "fear of exposure"'
        await pilot.press(*["backspace"] * 16)
        await type_text(pilot, "outsider on the ward")
        assert not any(p.startswith("Outsider on the ward") for p in prompts(pilot))


def test_the_shared_index_is_compared_only_with_lists_it_has_not_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.project.search import ThemeIndex

    themes = list(THEMES)
    paths = {t.id: t.name for t in themes}
    monkeypatch.setattr(ThemePicker, "_shared", None)
    monkeypatch.setattr(ThemePicker, "_synced_with", None)
    ThemePicker.prepare(themes, paths)
    compared = []
    real_sync = ThemeIndex.sync
    monkeypatch.setattr(ThemeIndex, "sync", lambda self, *a: compared.append(a) or real_sync(self, *a))
    ThemePicker.prepare(themes, paths)  # the same lists: nothing to compare
    assert compared == []
    renamed = [*themes[1:], Theme(themes[0].id, themes[0].guid, "Renamed theme", None, themes[0].level)]
    index = ThemePicker.prepare(renamed, paths)  # new lists: brought up to date
    assert len(compared) == 1
    assert index.rank("renamed theme", 1)[0].theme.name == "Renamed theme"


def test_prepare_soon_builds_the_index_in_the_background(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.setattr(ThemePicker, "_shared", None)
    monkeypatch.setattr(ThemePicker, "_synced_with", None)
    themes = list(THEMES)
    ThemePicker.prepare_soon(themes, {}, busy=lambda: False)
    for thread in threading.enumerate():
        if thread.name == "margin-theme-index":
            thread.join(5)
    assert ThemePicker._shared is not None and ThemePicker._synced_with[0] is themes


@pytest.mark.parametrize("until", ["the keys stop", "a picker needs it"])
def test_a_background_build_waits_while_the_coder_types(monkeypatch: pytest.MonkeyPatch, until: str) -> None:
    import threading
    import time

    monkeypatch.setattr(ThemePicker, "_shared", None)
    monkeypatch.setattr(ThemePicker, "_synced_with", None)
    themes = [Theme(n, f"g{n}", f"Theme number {n}", None, "statement") for n in range(1, 3001)]
    typing = [True]
    ThemePicker.prepare_soon(themes, {}, busy=lambda: typing[0])
    builder = next(t for t in threading.enumerate() if t.name == "margin-theme-index")
    time.sleep(0.3)
    assert builder.is_alive() and ThemePicker._shared is None  # given way after its first thousand
    if until == "the keys stop":
        typing[0] = False
    else:
        ThemePicker._wanted.set()  # as a picker does before it waits for the index
    builder.join(5)
    assert not builder.is_alive()
    assert ThemePicker._shared is not None and len(ThemePicker._shared) == 3000


async def test_the_kept_picker_opens_again_empty_with_the_themes_and_title_it_is_given() -> None:
    app = ModalHost(lambda: ThemePicker.kept(app, THEMES, paths=PATHS, participants=PARTICIPANTS, title="Tag line 4"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = app.screen
        assert isinstance(first, ThemePicker)
        await type_text(pilot, "fear")
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [PickResult(theme_id=2)] and not isinstance(app.screen, ThemePicker)
        fewer = THEMES[:3]
        again = ThemePicker.kept(app, fewer, paths={}, participants={}, title="Tag lines 9-12", new_label="code")
        assert again is first  # kept, not made again
        app.push_screen(again, app.results.append)
        await pilot.pause()
        assert app.screen is first and isinstance(app.focused, Input)
        assert app.focused.value == ""  # nothing left of "fear"
        assert [prompt.split("  ")[0] for prompt in prompts(pilot)] == [t.name for t in fewer]
        assert "P07" not in " ".join(prompts(pilot))  # the participants given this time: none
        assert "Tag lines 9-12" in screen_text(app) and "Tag line 4" not in screen_text(app)
        await type_text(pilot, "Standing")  # not offered this time: creating it is
        assert prompts(pilot)[0] == '+ new code: "Standing"'
        await pilot.press("escape")
        await pilot.pause()
        assert app.results[-1] is None
