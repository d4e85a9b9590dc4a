"""Make user text safe to show: control characters become visible symbols."""

from __future__ import annotations

import re

# C0 controls (but tab), DEL, C1 controls, line/paragraph separators, and the bidirectional
# overrides and isolates that can make text display in an order other than it is stored.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")


def _symbol(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def visible(text: str) -> str:
    """`text` with every control character shown as a visible symbol and tabs as spaces."""
    return _UNSAFE.sub(_symbol, text).replace("\t", " ")
