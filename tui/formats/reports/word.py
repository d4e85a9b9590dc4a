"""The analysis as a Word document (python-docx), with built-in heading styles and real tables.

Headings use Word's own Title and Heading 1-3 styles and quotes its Quote style, so a researcher
restyles the whole document from the styles pane. Tables are real Word tables in the built-in
Table Grid style with a repeating header row. They are written as WordprocessingML directly (one
parse per table) rather than cell by cell, which keeps a transcript of thousands of lines fast.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape

import docx
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from tui.formats.refi.write import xml_text
from tui.formats.reports.snapshot import Quote, Snapshot
from tui.text import visible_lines

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#: Usable width of an A4 or Letter page with Word's default margins, in twentieths of a point.
_PAGE_WIDTH = 9000


def _plain(text: str) -> str:
    """User text as a report shows it: control characters as visible symbols, line breaks kept."""
    return xml_text(visible_lines(text))


def _x(text: str) -> str:
    return escape(_plain(text))


def _paragraphs(text: str, bold: bool = False) -> str:
    run = "<w:rPr><w:b/></w:rPr>" if bold else ""
    parts = text.split("\n") if text else [""]
    return "".join(
        f'<w:p><w:r>{run}<w:t xml:space="preserve">{_x(part)}</w:t></w:r></w:p>' if part else "<w:p/>"
        for part in parts
    )


def _table_xml(header: list[str], rows: list[list[str]], widths: list[int], style: str = "TableGrid") -> str:
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)

    def row(cells: list[str], head: bool) -> str:
        props = "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" if head else "<w:trPr><w:cantSplit/></w:trPr>"
        return "<w:tr>" + props + "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>{_paragraphs(c, head)}</w:tc>'
            for c, w in zip(cells, widths)
        ) + "</w:tr>"

    body = "".join(row(r, False) for r in rows)
    return (
        f'<w:tbl xmlns:w="{_W}"><w:tblPr><w:tblStyle w:val="{style}"/><w:tblW w:w="0" w:type="auto"/>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
        f'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{row(header, True)}{body}</w:tbl>'
    )


class _Doc:
    def __init__(self) -> None:
        self.doc = docx.Document()
        self.doc.styles["Normal"].font.size = Pt(10.5)
        # Style ids looked up once: python-docx looks a style up by name on every paragraph, slowly.
        names = ("Title", "Heading 1", "Heading 2", "Heading 3", "Quote", "List Bullet", "Table Grid")
        self.ids = {name: self.doc.styles[name].style_id for name in names}
        self._end = self.doc.element.body.sectPr

    def _add(self, element) -> None:
        """Put a paragraph or table at the end of the body, before its section properties.
        (python-docx's own add_paragraph looks for them from the start of the body each time,
        which grows with the document: a report of every transcript took quadratic time.)"""
        if self._end is not None:
            self._end.addprevious(element)
        else:
            self.doc.element.body.append(element)

    def _paragraph(self, style: str | None):
        p = OxmlElement("w:p")
        self._add(p)
        paragraph = Paragraph(p, self.doc._body)
        if style is not None:
            paragraph._p.get_or_add_pPr().style = self.ids[style]
        return paragraph

    def heading(self, text: str, level: int) -> None:
        self.para(text, "Title" if level == 0 else f"Heading {level}")

    def para(self, text: str, style: str | None = None) -> None:
        """A paragraph of `text`, a line break for each newline; its runs are built as elements
        (python-docx's add_run walks the text a character at a time)."""
        p = self._paragraph(style)._p
        for number, line in enumerate(_plain(text).split("\n")):
            run = OxmlElement("w:r")
            if number:
                run.append(OxmlElement("w:br"))
            shown = OxmlElement("w:t")
            shown.text = line
            shown.set(qn("xml:space"), "preserve")
            run.append(shown)
            p.append(run)

    def bullet(self, text: str) -> None:
        self.para(text, "List Bullet")

    def quote(self, quote: Quote) -> None:
        self.para(f"{quote.text} {quote.citation}", "Quote")

    def table(self, header: list[str], rows: list[list[str]], shares: list[int]) -> None:
        total = sum(shares)
        widths = [_PAGE_WIDTH * s // total for s in shares]
        self._add(parse_xml(_table_xml(header, rows, widths, self.ids["Table Grid"])))
        self._paragraph(None)  # Word joins tables that touch


def _made_at(stamp: str) -> datetime:
    """The snapshot's time as a datetime (Word shows it as the document's creation time)."""
    try:
        made = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        made = datetime.now(timezone.utc)
    return made.replace(tzinfo=None) if made.tzinfo is None else made.astimezone(timezone.utc).replace(tzinfo=None)


def render(snapshot: Snapshot, path: Path, check: Callable[[], None] | None = None) -> None:
    """Write `snapshot` as a Word file at `path`; `check()` (raising to stop) runs before each long part."""
    check = check or (lambda: None)
    top, middle, lowest = snapshot.names
    out = _Doc()
    properties = out.doc.core_properties
    # The template's own say "python-docx", "generated by python-docx" and a date in 2013.
    properties.title = _plain(snapshot.title)
    properties.author = "margin"
    properties.last_modified_by = "margin"
    properties.comments = ""
    properties.subject = f"{snapshot.method.upper()} analysis summary"
    made = _made_at(snapshot.made_at)
    properties.created = properties.modified = made
    properties.revision = 1
    out.heading(snapshot.title, 0)
    out.para(f"Analysis summary, {snapshot.made_at[:10]} ({snapshot.method.upper()}).")
    out.heading(f"{top}s", 1)
    if snapshot.gets:
        out.table([top, *snapshot.columns, "Recurrence"],
                  [[g.name, *g.cells, f"{g.recurrence} of {g.total}"] for g in snapshot.gets],
                  [3, *([2] * len(snapshot.columns)), 1])
    else:
        out.para("No themes at the top level yet.")
    for get in snapshot.gets:
        out.heading(get.name, 2)
        if get.description:
            out.para(get.description)
        if get.strategy:
            out.para(f"Formed by {get.strategy}.")
        who = f" ({', '.join(get.contributors)})" if get.contributors else ""
        out.para(f"Recurrence: {get.recurrence} of {get.total} participants{who}.")
        if get.pets:
            out.para(f"{middle}s:")
            for p, name, n in get.pets:
                out.bullet(f"{p}: {name} ({n})")
        if get.divergences:
            out.para("Divergent cases:")
            for p, note, citation in get.divergences:
                out.bullet(f"{p}: {note} {citation}".rstrip())
        if get.quotes:
            out.para("Key quotes:")
            for quote in get.quotes:
                out.quote(quote)
    if snapshot.participants:
        out.heading(f"{middle}s by participant", 1)
        for person in snapshot.participants:
            out.heading(person.pseudonym, 2)
            rows = []
            for pet in person.pets:
                for name, quotes in pet.statements or (("", ()),):
                    rows.append([pet.name, name, " ".join(q.citation for q in quotes)])
                if pet.own:
                    rows.append([pet.name, "(coded on the theme)", " ".join(q.citation for q in pet.own)])
            if rows:
                out.table([middle, lowest, "Extracts"], rows, [3, 3, 2])
            else:
                out.para("Nothing coded yet.")
    for table in snapshot.transcripts:
        check()
        who = f" ({table.pseudonym})" if table.pseudonym else ""
        out.heading(f"Transcript: {table.title}{who}", 1)
        out.table(["Exploratory notes", "Transcript", f"{lowest}s"],
                  [["\n".join(r.notes), f"{r.number}  {r.text}", "\n".join(r.statements)] for r in table.rows],
                  [2, 5, 2])
    if snapshot.journal:
        out.heading("Journal", 1)
        for stage, entries in snapshot.journal:
            out.heading(stage[:1].upper() + stage[1:], 2)
            for entry in entries:
                about = f", {entry.about}" if entry.about else ""
                out.heading(f"{entry.title} ({entry.date}{about})", 3)
                if entry.body:
                    out.para(entry.body)
    check()
    out.doc.save(str(path))
