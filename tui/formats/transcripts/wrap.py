"""Cut paragraphs into numbered lines of at most a width, each an exact slice of the text."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence

from tui.formats.transcripts.speakers import _FIRST_NON_SPACE, Paragraph
from tui.project import Line
from tui.project.model import DEFAULT_WIDTH
#: Matched at a line's start with endpos one past the widest line: ends at the last word that fits.
_FITS = re.compile(r".*\S(?=\s)", re.DOTALL)


def _joins_previous(ch: str) -> bool:
    """Whether `ch` belongs with the character before it (combining mark, ZWJ, skin tone)."""
    return unicodedata.category(ch) in ("Mn", "Mc", "Me") or ch == "\u200d" or "\U0001f3fb" <= ch <= "\U0001f3ff"


def _hard_cut(text: str, start: int, width: int) -> int:
    """Where to cut a word longer than `width` that starts at `start`: not inside a character cluster if avoidable."""
    cut = start + width
    back = cut
    while back > start + 1 and (_joins_previous(text[back]) or text[back - 1] == "\u200d"):
        back -= 1
    return back if back > start + 1 or not _joins_previous(text[back]) else cut


def wrap_lines(text: str, turns: Sequence[Paragraph], width: int = DEFAULT_WIDTH) -> list[Line]:
    """Wrap paragraphs at word boundaries into numbered lines of at most `width` characters.

    Each line is exactly `text[start:end]`, never begins or ends with whitespace, and only
    whitespace lies between one line and the next; a word longer than `width` is split.
    """
    if width < 1:
        raise ValueError(f"width must be at least 1, not {width}")
    lines: list[Line] = []
    for para in turns:
        found = _FIRST_NON_SPACE.search(text, para.start, para.end)
        if found is None:
            continue
        pos = found.start()
        para_end = para.end
        while text[para_end - 1].isspace():
            para_end -= 1
        cue_offsets = [offset for offset, _ in para.cues]
        first = True
        while pos < para_end:
            limit = pos + width
            if limit >= para_end:
                end = para_end
            else:
                # the longest run from `pos` that ends just before whitespace, within the width
                fit = _FITS.match(text, pos, limit + 1)
                end = fit.end() if fit is not None else _hard_cut(text, pos, width)
            turn_start = first and para.turn_start
            timestamp = None
            if cue_offsets:
                timestamp = para.cues[max(bisect.bisect_right(cue_offsets, pos) - 1, 0)][1]
            lines.append(
                Line(
                    len(lines) + 1,
                    para.speaker,
                    text[pos:end],
                    pos,
                    end,
                    turn_start,
                    min(para.label_length, end - pos) if turn_start else 0,
                    timestamp,
                )
            )
            first = False
            following = _FIRST_NON_SPACE.search(text, end, para_end)
            pos = following.start() if following is not None else para_end
    return lines
