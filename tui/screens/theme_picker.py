"""The theme picker: find a theme by fuzzy search as you type, or create one from the typed text."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content

from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tui.project.model import LEVEL_LABELS, Theme
from tui.project.search import Match, ThemeIndex
from tui.screens.dialog import Dialog
from tui.text import visible
from tui.widgets.fields import Input  # applies burst keys in order (Textual issue 6605)

__all__ = ["GOOD_SCORE", "MAX_OPTIONS", "PickResult", "ThemePicker"]

#: At most this many matches are listed (the search stays fast on codebooks of 5,000 themes).
MAX_OPTIONS: int = 50

#: A best match scoring at least this (0..100) lists the "+ new" entry last, below the
#: matches; a weaker best match (or none) lists it first, so `enter` creates.
GOOD_SCORE: float = 60.0

#: The option id of the "+ new ..." entry; theme options are "theme-<id>".
NEW_OPTION_ID = "new"


@dataclass(frozen=True)
class PickResult:
    """What the theme picker chose: an existing theme, or the name of a theme to create."""

    #: The id of the existing theme chosen, or None when creating.
    theme_id: int | None = None
    #: The name for a new theme (stripped, whitespace collapsed), or None when choosing.
    new_name: str | None = None

    def __post_init__(self) -> None:
        """Check that exactly one of `theme_id` and `new_name` is set."""
        if (self.theme_id is None) == (self.new_name is None):
            raise ValueError("a PickResult has exactly one of theme_id and new_name")


class ThemePicker(Dialog["PickResult | None"]):
    """Pick a theme by typing part of its name (typos forgiven), or create one from the text."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "apply", "Apply", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | (typing) | Rank the themes against the typed text. |
    | down | Highlight the next match. |
    | up | Highlight the previous match. |
    | pagedown | Highlight a page of matches further down. |
    | pageup | Highlight a page of matches further up. |
    | enter | Apply the highlighted match (the first unless moved), or create the new theme. |
    | escape | Close without choosing. |
    """

    AUTO_FOCUS = "#query"  # focused as the screen opens, so keys typed quickly land there

    DEFAULT_CSS = """
    ThemePicker {
        & > #dialog {
            width: 90%;
            max-width: 96;
            height: auto;
            max-height: 90%;
        }
        & #query {
            margin: 0 0 1 0;
        }
        & #matches {
            /* Half the terminal: every row of the box is drawn as the picker opens (90% took longer). */
            height: 50vh;
            border: none;
            padding: 0;
            background: $surface;
            & > .option-list--option-highlighted {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
        & #hint {
            width: 100%;
            color: $text-muted;
        }
    }
    """

    def __init__(
        self,
        themes: Sequence[Theme],
        *,
        paths: Mapping[int, str],
        participants: Mapping[int, str],
        title: str = "Tag with theme",
        new_label: str = "statement",
    ) -> None:
        """Offer `themes`; `paths` maps theme ids to "Parent/Child" paths, `participants` ids to pseudonyms."""
        super().__init__()
        self._index: ThemeIndex | None = None  # taken at the first letter typed, not to open the list
        self.offer(themes, paths=paths, participants=participants, title=title, new_label=new_label)

    #: The name the app's one kept picker is installed under (`kept`).
    KEPT = "margin-theme-picker"

    @classmethod
    def kept(
        cls, app: App[object], themes: Sequence[Theme], *, paths: Mapping[int, str], participants: Mapping[int, str],
        title: str = "Tag with theme", new_label: str = "statement",
    ) -> ThemePicker:
        """The app's one picker, offering `themes` (the arguments as for a new one). It is made at
        the first `t` and kept (installed) after it closes, so that each later `t` only fills it
        again: making its widgets and matching their styles was a third of opening it."""
        if app.is_screen_installed(cls.KEPT):
            picker = app.get_screen(cls.KEPT)
            assert isinstance(picker, cls)
            picker.offer(themes, paths=paths, participants=participants, title=title, new_label=new_label)
            return picker
        picker = cls(themes, paths=paths, participants=participants, title=title, new_label=new_label)
        app.install_screen(picker, cls.KEPT)
        return picker

    def offer(
        self, themes: Sequence[Theme], *, paths: Mapping[int, str], participants: Mapping[int, str], title: str,
        new_label: str,
    ) -> None:
        """Offer `themes` afresh (as made, or again as a kept picker): an empty search box, every
        theme listed."""
        self._themes, self._paths, self._participants = themes, paths, participants
        self._title, self._new_label = title, new_label
        self._index = None
        if not self.is_mounted:
            return
        self.query_one("#dialog").border_title = Content(visible(title))
        field = self.query_one("#query", Input)
        with field.prevent(Input.Changed):
            field.value = ""
        self._refresh_matches("")
        field.focus()

    #: One index kept from picker to picker and brought up to date with the themes each is given,
    #: so that opening the picker re-indexes only the themes that changed since the last time.
    _shared: ClassVar[ThemeIndex | None] = None
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()
    #: The lists the shared index was last brought up to date with: given the same objects again
    #: (a screen passes what it read once per change), there is nothing to compare.
    _synced_with: ClassVar[tuple[Sequence[Theme], Mapping[int, str]] | None] = None

    #: Set when a picker needs the index now: a build in the background stops giving way.
    _wanted: ClassVar[threading.Event] = threading.Event()

    @classmethod
    def prepare(
        cls, themes: Sequence[Theme], paths: Mapping[int, str], *, between: Callable[[], None] | None = None
    ) -> ThemeIndex:
        """The shared index, up to date with `themes`; call it from a worker (or `prepare_soon`)
        to have the picker on a large codebook open at once."""
        with cls._shared_lock:
            synced = cls._synced_with
            if cls._shared is None:
                cls._shared = ThemeIndex(themes, paths, between=between)
            elif synced is None or synced[0] is not themes or synced[1] is not paths:
                cls._shared.sync(themes, paths)
            cls._synced_with = (themes, paths)
            return cls._shared

    @classmethod
    def prepare_soon(cls, themes: Sequence[Theme], paths: Mapping[int, str], busy: Callable[[], bool]) -> None:
        """`prepare` in a thread of its own, so the next `t` finds the index built; `themes` and
        `paths` must not change afterwards (give new objects instead).

        Building 100,000 themes takes the interpreter for a second or more: while `busy()` says
        the coder is at the keys, the build waits, so that a `t` opens the picker as fast as
        ever; once a picker needs the index itself, it waits no more.
        """

        def give_way() -> None:
            while busy() and not cls._wanted.is_set():
                time.sleep(0.02)

        def build() -> None:
            first = cls._shared is None
            cls.prepare(themes, paths, between=give_way)
            if first:
                # The index made a great many objects: the full collection they set off would come
                # in the middle of the next screen opened (the picker, 100-150 ms); it comes now.
                give_way()
                gc.collect()

        cls._wanted.clear()
        threading.Thread(target=build, name="margin-theme-index", daemon=True).start()

    def compose(self) -> ComposeResult:
        """A search box over the list of matches, and a line of keys."""
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(visible(self._title))
            yield Input(placeholder="type to find or create a theme", id="query")
            matches = OptionList(id="matches")
            # Focus stays in the search box; the screen's up/down move the highlight.
            matches.can_focus = False
            yield matches
            yield Label(id="hint")

    def on_mount(self) -> None:
        """List every theme until something is typed."""
        self._refresh_matches("")
        self.query_one("#query", Input).focus()

    @on(Input.Changed, "#query")
    def _query_changed(self, event: Input.Changed) -> None:
        """Rank the themes again on every keystroke."""
        self._refresh_matches(event.value)

    def _refresh_matches(self, typed: str) -> None:
        """Fill the list with the themes matching `typed`, and the "+ new" entry when it applies."""
        wanted = " ".join(typed.split())
        if wanted:
            if self._index is None:  # waits for the background build of a large codebook, if still going
                self._wanted.set()
                self._index = self.prepare(self._themes, self._paths)
            found = self._index.rank(typed, MAX_OPTIONS + 1)
        else:  # every theme, in the order given
            found = [Match(theme, 0.0, False) for theme in self._themes[: MAX_OPTIONS + 1]]
        more = len(found) > MAX_OPTIONS
        found = found[:MAX_OPTIONS]
        options = [self._theme_option(match) for match in found]
        # An exact match (case, accents and spacing aside) always ranks first.
        offers_new = bool(wanted) and not (found and found[0].exact)
        if offers_new:
            new = Option(
                Content.from_markup(
                    '[b]+ new $label:[/b] "$name"',
                    label=visible(self._new_label),
                    name=visible(wanted),
                ),
                id=NEW_OPTION_ID,
            )
            if found and found[0].score >= GOOD_SCORE:
                options.append(new)
            else:
                options.insert(0, new)
        matches = self.query_one("#matches", OptionList)
        matches.set_options(options)
        if options:
            matches.highlighted = 0
        count = f"{len(found)}{'+' if more else ''}"
        noun = "theme" if len(found) == 1 and not more else "themes"
        shown = f"{count} {noun}" if wanted else f"{count} of {len(self._themes)} {noun}"
        self.query_one("#hint", Label).update(
            Content.from_markup(
                "$shown  [b]↑↓[/b] move  [b]enter[/b] apply  [b]esc[/b] cancel", shown=shown
            )
        )

    def _theme_option(self, match: Match) -> Option:
        """One line for a theme: its name, then level, participant and parent path, dimmed."""
        theme = match.theme
        details = [LEVEL_LABELS.get(theme.level, theme.level)]
        if theme.participant_id is not None and theme.participant_id in self._participants:
            details.append(self._participants[theme.participant_id])
        parent = self._parent_path(theme)
        if parent:
            details.append(f"in {parent}")
        prompt = Content.assemble(
            Content(visible(theme.name)),
            ("  " + visible(" · ".join(details)), "dim"),
        )
        return Option(prompt, id=f"theme-{theme.id}")

    def _parent_path(self, theme: Theme) -> str:
        """The path of the theme's parents, from `paths`, without the theme's own name."""
        path = self._paths.get(theme.id, "")
        if not path or path == theme.name:
            return ""
        if path.endswith("/" + theme.name):
            return path[: -len(theme.name) - 1]
        return path

    def _apply(self, option: Option | None) -> None:
        """Dismiss with the theme or new name behind `option`."""
        if option is None or option.id is None:
            self.app.bell()
            return
        if option.id == NEW_OPTION_ID:
            typed = self.query_one("#query", Input).value
            self.dismiss(PickResult(new_name=" ".join(typed.split())))
        else:
            self.dismiss(PickResult(theme_id=int(option.id.removeprefix("theme-"))))

    @on(Input.Submitted, "#query")
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter in the search box applies the highlighted option."""
        event.stop()
        self.action_apply()

    @on(OptionList.OptionSelected, "#matches")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        """A click on an option applies it."""
        event.stop()
        self._apply(event.option)

    def action_apply(self) -> None:
        """Apply the highlighted option."""
        self._apply(self.query_one("#matches", OptionList).highlighted_option)

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)

    def action_cursor_down(self) -> None:
        """Highlight the next option."""
        self.query_one("#matches", OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        """Highlight the previous option."""
        self.query_one("#matches", OptionList).action_cursor_up()

    def action_page_down(self) -> None:
        """Highlight an option a page further down."""
        self.query_one("#matches", OptionList).action_page_down()

    def action_page_up(self) -> None:
        """Highlight an option a page further up."""
        self.query_one("#matches", OptionList).action_page_up()
