"""Keys typed in one burst take effect in the order typed, whichever screen or field they open.

Over SSH a whole line of keys arrives in one read. Textual hands each key to the focused widget's
own message queue and runs a key's binding only once the key has bubbled back up to the app, so
the keys after one that opens a dialog, moves the focus (tab) or switches screens are already
queued for the old place before the binding runs. Left alone, they are applied to the old
screen, lost, or applied out of order (`b` then `/belnging` searching the workspace; a memo's
title, tab, tab and its text all landing in the title).

`KeyOrder` (mixed into the app) keeps the order in the app's own message loop, which sees every
key in the order it arrived:

1. A command key (for the transcript, a table, a list: anything but a text field) has its
   binding run there and then, as Textual would once the key came back up; so the key after
   one that opens a dialog, moves the focus or switches screens goes to the new place, and the
   keys of a burst are all handled before the screen is drawn again.
2. Typed text for a text field goes straight to it: the field applies its keys in order itself
   (`tui.widgets.fields`) and typing changes nothing else.
3. Any other key (an edit key in a field, tab, escape, a key without a binding) is on its way
   until the widget has handled it and what that set off has reached its screen (the Submitted
   of an Enter, which closes a prompt) and, if it went on up, until it is back at the app and its
   binding has run; the next key waits until then.
4. While a screen or dialog that has just opened is not mounted, or has no focused widget yet
   though it has some to focus, keys wait for it.

A key still on its way after half a second (a screen that closed before it got there) no longer
holds the others up; nor does a screen that never focuses anything.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from textual import events
from textual.app import App
from textual.command import CommandPalette
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

#: How long a key on its way, or a dialog without a focused field, may hold up the next keys.
_PATIENCE = 0.5


def _is_field(widget: object) -> bool:
    """Whether `widget` takes typed text: an Input or a TextArea. (Textual's TextArea module is
    loaded only once an editor opens: until then no widget can be one.)"""
    if isinstance(widget, Input):
        return True
    text_area = sys.modules.get("textual.widgets._text_area")
    return text_area is not None and isinstance(widget, text_area.TextArea)


class KeyOrder(App[None]):
    """The app's side of keys in order; see the module's docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._on_way: list[tuple[events.Key | events.Paste, float]] = []
        self._held: list[events.Key | events.Paste] = []
        self._opened: tuple[object, float] | None = None  # the dialog waited for, and since when
        self._hand_on_due = False
        #: When the last key came from the terminal (`time.monotonic()`): work in the background
        #: can give way while the coder is at the keys.
        self.last_key_at = 0.0

    @property
    def keys_pending(self) -> bool:
        """Whether keys typed are still waiting or on their way (for tests that type in bursts)."""
        return bool(self._held or self._on_way)

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, (events.Key, events.Paste)):
            await super().on_event(event)
            return
        if not self._screen_stack:  # the app is closing: no screen to give the key to
            return
        if not event.is_forwarded:  # from the terminal (or a pilot), in the order typed
            self.last_key_at = time.monotonic()
            if self._held or self._waiting():
                self._held.append(event)
                self._hand_on_soon()
                return
            await self._deliver(event)
            return
        # A key back from its widget, to run its binding: the next keys may follow once it has.
        self._settled(event)
        origin = getattr(event, "margin_screen", None)
        if origin is not None and origin is not self.screen and not isinstance(self.screen, CommandPalette):
            # Typed for a screen that a dialog now covers: the dialog gets it, before later keys.
            again = events.Key(event.key, event.character) if isinstance(event, events.Key) else events.Paste(event.text)
            self._held.insert(0, again)
        else:
            await super().on_event(event)
        await self._hand_on()

    def _waiting(self) -> bool:
        """Whether the next key must wait: one before it is on its way, or a dialog is opening."""
        now = time.monotonic()
        self._on_way = [(key, at) for key, at in self._on_way if now - at < _PATIENCE]
        if self._on_way:
            return True
        screen = self.screen
        if not screen.is_mounted or (screen.focused is None and screen.focus_chain):
            if self._opened is None or self._opened[0] is not screen:
                self._opened = (screen, now)
            return now - self._opened[1] < _PATIENCE
        return False

    async def _deliver(self, event: events.Key | events.Paste) -> None:
        """Give one key to where Textual would, and note it as on its way until it is handled."""
        focused = self.focused
        if _is_field(focused) and (
            isinstance(event, events.Paste) or (event.is_printable and event.key not in focused._bindings.key_to_bindings)
        ):
            # Typed text for a field: the field inserts it in order and it changes nothing else,
            # so the next key need not wait for it (a paste of keys stays as fast as typing).
            await super().on_event(event)
            return
        if isinstance(event, events.Key) and not _is_field(focused):
            target = focused or self.screen
            own_key = hasattr(target, f"key_{event.key}")  # a widget's key_ method goes first, as in Textual
            unmaximize = event.key == "escape" and self.screen.maximized is not None
            if not own_key and not unmaximize:
                # A command key (the transcript, a table, a list): run its binding here and now,
                # as Textual would once the key came back up, so the keys after it go wherever it
                # leads; keys that follow at once are all handled before the screen is redrawn.
                self.app_focus = True
                if await self._check_bindings(event.key, priority=True) or await self._check_bindings(event.key):
                    return
        entry = (event, time.monotonic())
        self._on_way.append(entry)
        await super().on_event(event)
        if not event.is_forwarded:  # a priority binding took it here: it went nowhere
            self._settled(event)
            return
        target = self.focused or self.screen
        if not target.call_later(self._handled_by_widget, event, target):
            self._settled(event)

    def _handled_by_widget(self, event: events.Key | events.Paste, widget: Widget) -> None:
        """Run in the widget's own loop, after it handled `event`: settled, unless it went on up,
        once what the key set off has reached its screen (`_after_bubbling`)."""
        if event._stop_propagation or not event.bubble:
            self._after_bubbling(widget, lambda: self.call_later(self._settle_and_hand_on, event))

    def _after_bubbling(self, node: Widget, then: Callable[[], object]) -> None:
        """Call `then` once the messages `node` has posted upward so far have been handled by each
        of its parents up to the screen: each parent's loop is asked in turn, after what it already
        holds. A field's Enter posts Submitted, which its screen answers by closing (a prompt, the
        search box): the keys after the Enter must wait for that, or they reach the closing field."""
        parent = node.parent
        if isinstance(node, Screen) or not isinstance(parent, Widget):
            then()
        elif not parent.call_later(self._after_bubbling, parent, then):
            then()  # the parent is gone (the screen closed): nothing left to wait for

    async def _settle_and_hand_on(self, event: events.Key | events.Paste) -> None:
        self._settled(event)
        await self._hand_on()

    def _settled(self, event: events.Key | events.Paste) -> None:
        self._on_way = [(key, at) for key, at in self._on_way if key is not event]

    def _hand_on_soon(self) -> None:
        if not self._hand_on_due:
            self._hand_on_due = True
            self.set_timer(0.02, self._hand_on)

    async def _hand_on(self) -> None:
        """Hand on the held keys while nothing holds them up; look again shortly if something does."""
        self._hand_on_due = False
        if not self._screen_stack:  # the app is closing: no screen to give them to
            self._held.clear()
            return
        while self._held and not self._waiting():
            await self._deliver(self._held.pop(0))
        if self._held:
            self._hand_on_soon()
