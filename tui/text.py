"""Make user text safe to show: control characters become visible symbols, one for one."""

from __future__ import annotations

# C0 controls become the Control Pictures block (␀ … ␟), DEL becomes ␡. C1 controls, the line and
# paragraph separators, the bidirectional overrides and isolates (which can make text display in
# an order other than it is stored) and the byte order mark become ⍰. Tab becomes a space.
# Every replacement is a single character, so offsets into the text stay offsets into what is shown.
_TABLE = {code: 0x2400 + code for code in range(0x20)}
_TABLE[0x09] = 0x20
_TABLE[0x7F] = 0x2421
_TABLE.update({code: 0x2370 for code in range(0x80, 0xA0)})
_TABLE.update({code: 0x2370 for code in (0x2028, 0x2029, 0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A))})


def visible(text: str) -> str:
    """`text` with every control character shown as a visible symbol; same length as `text`."""
    return text.translate(_TABLE)


def visible_lines(text: str) -> str:
    """Like `visible`, but line breaks stay line breaks (for notes and questions of several lines)."""
    return "\n".join(visible(line) for line in text.split("\n"))
