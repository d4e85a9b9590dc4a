"""A transcript's lines, read from the project a page at a time.

The workspace never holds a whole transcript: opening a 100,000-line interview reads one page,
and only lines long enough to need wrapping on screen are looked at one by one.
"""

from __future__ import annotations

from collections import OrderedDict

from tui.project.model import Line
from tui.project import Project

PAGE = 512
PAGES_KEPT = 64


class TranscriptLines:
    """Lines 1..n of one transcript by 0-based index, cached by page."""

    def __init__(self, project: Project, transcript_id: int) -> None:
        self.project = project
        self.transcript_id = transcript_id
        self.count = project.line_count(transcript_id)
        self._pages: OrderedDict[int, list[Line]] = OrderedDict()

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> Line:
        if not 0 <= index < self.count:
            raise IndexError(index)
        page_number, offset = divmod(index, PAGE)
        page = self._pages.get(page_number)
        if page is None:
            first = page_number * PAGE + 1
            page = self.project.lines(self.transcript_id, first, first + PAGE - 1)
            self._pages[page_number] = page
            if len(self._pages) > PAGES_KEPT:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_number)
        return page[offset]

    def wider_than(self, cells: int) -> list[tuple[int, str]]:
        """(number, text) of lines that may take more than `cells` terminal cells (check each)."""
        return self.project.long_lines(self.transcript_id, cells)

    def find(self, query: str) -> list[int]:
        """Indexes of the lines containing `query`, ignoring case."""
        return [number - 1 for number in self.project.find_in_transcript(self.transcript_id, query)]
