"""User text is shown, never obeyed: control characters become visible, one for one."""

from hypothesis import given
from hypothesis import strategies as st

from tui.text import visible


def test_escape_sequences_cannot_reach_the_terminal() -> None:
    assert visible("a\x1b[31mred") == "a␛[31mred"
    assert visible("nul\x00 del\x7f") == "nul␀ del␡"


def test_c1_separators_and_bidi_overrides_are_marked() -> None:
    assert visible("x\x85y\u2028z\u202eevil") == "x⍰y⍰z⍰evil"


def test_tab_is_a_space_and_notation_is_untouched() -> None:
    assert visible("P07:\t[laughs] [bold]x[/bold]") == "P07: [laughs] [bold]x[/bold]"


@given(st.text())
def test_length_is_kept_and_nothing_unsafe_survives(text: str) -> None:
    shown = visible(text)
    assert len(shown) == len(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in shown)
