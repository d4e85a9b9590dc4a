"""Hostile text: strings that try to reach the terminal as control, and the check that none did."""

from __future__ import annotations

import re

from hypothesis import strategies as st

#: ESC/CSI/OSC/DCS sequences (screen clear, a hyperlink, colours, a title, a device query), C1
#: controls, NUL, DEL, BEL, bidi overrides and isolates, combining marks, emoji, wide CJK, markup.
NASTIES = [
    "\x1b[2J\x1b[H",                      # clear the screen, cursor home
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x1b[31;1mred\x1b[0m",              # colours
    "\x1b]0;PWNED-TITLE\x07",            # window title, BEL-terminated
    "\x1bP+q544e\x1b\\",                 # DCS: a terminfo query
    "\x1b[6n",                           # cursor position report request
    "\u009b2J\u009d0;C1-TITLE\u009c",    # the C1 forms of CSI, OSC and ST
    "\x00NUL\x7fDEL\x07BEL\x08BS\r",
    "\u202eevil\u202c \u2066iso\u2069 \u200f",  # bidi override, isolate, RLM
    "e\u0301\u0300\u0327 \U0001F469\u200d\U0001F52C \u4e2d\u6587\u5b57",  # combining, ZWJ emoji, CJK
    "[bold]x[/bold] [@click=app.quit]q[/] [link=https://e.example]l[/link]",  # markup
    "\u2028\u2029\ufeff\x85",
]

#: Code points that must never reach the terminal from the data (line feed, in text of several
#: lines, is the one control that may). Every one is what `tui.text.visible` replaces.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")

#: Characters hypothesis draws hostile text from: the controls above, printable ASCII (so ESC is
#: followed by the bytes of real sequences) and a few wide and combining ones.
_ALPHABET = st.sampled_from(
    [chr(c) for c in range(0x00, 0x20)] + [chr(c) for c in range(0x7F, 0xA0)]
    + list("[]/;=@\\PXY0123456789abc mJH") + ["\u202e", "\u2066", "\u2069", "\u0301", "\u4e2d", "\U0001F469", "\u2028"]
)


def hostile_text(min_size: int = 1, max_size: int = 40) -> st.SearchStrategy[str]:
    """Random text mixing control characters, sequence bytes and the fixed nasties."""
    random = st.text(_ALPHABET, min_size=min_size, max_size=max_size)
    return st.one_of(random, st.lists(st.sampled_from(NASTIES) | random, min_size=1, max_size=4).map("".join))


def raw_controls(text: str, *, lines: bool = False) -> list[str]:
    """The control characters in `text` that would reach a terminal raw (LF allowed if `lines`)."""
    found = RAW.findall(text)
    return found if lines else found + (["\n"] if "\n" in text else [])


def named(found: list[str]) -> str:
    return ", ".join(f"U+{ord(c):04X}" for c in found)
