"""The analysis as a Word document (python-docx), with built-in heading styles and real tables.

Headings use Word's own Title and Heading 1-3 styles and quotes its Quote style, so a researcher
restyles the whole document from the styles pane. Tables are real Word tables in the built-in
Table Grid style with a repeating header row.

python-docx gives the package: the styles, the core properties and every part but the body. The
body is written as WordprocessingML text and set into the document part as the file is saved: a
report of every transcript is tens of megabytes of XML, and building it as elements for lxml to
serialise took most of the export. The text is what lxml wrote from those elements, byte for
byte. User text only ever goes between tags, shown (control characters as symbols) and escaped.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape

import docx
from docx.shared import Pt

from tui.formats.refi.write import xml_text
from tui.formats.reports.snapshot import Quote, Snapshot
from tui.text import visible, visible_lines

#: Usable width of an A4 or Letter page with Word's default margins, in twentieths of a point.
_PAGE_WIDTH = 9000
#: Where the body's content goes in the serialised document part: python-docx's template body
#: holds only the section properties, which must stay last.
_BODY_START = "<w:body>"


def _unchanged_pattern() -> re.Pattern[str]:
    """Text that `_plain` leaves as it is: line breaks and printable ASCII (each character of
    which `visible` and `xml_text` are asked, not assumed, to leave alone)."""
    kept = "".join(c for c in map(chr, range(0x20, 0x7F)) if visible(c) == c and xml_text(c) == c)
    return re.compile(f"[\n{re.escape(kept)}]*")


_UNCHANGED = _unchanged_pattern()


def _plain(text: str) -> str:
    """User text as a report shows it: control characters as visible symbols, line breaks kept.

    Text of printable ASCII and line breaks only (most transcripts) is left as it is, found in
    one pass: `visible_lines` goes a line at a time, slow over a transcript's thousands of lines.
    """
    if _UNCHANGED.fullmatch(text):
        return text
    return xml_text(visible_lines(text))


def _shown_lines(text: str) -> list[str]:
    """The lines of `text` as they go between tags: shown (`_plain`) and escaped. Both change a
    character at a time and keep line breaks, so the text is split once, at the end."""
    return escape(_plain(text)).split("\n")


def _paragraph(text: str, style_id: str | None = None) -> str:
    """A paragraph of `text` in a style, a run for each line, each after the first starting with
    a line break (w:br); an empty line is a run of empty text."""
    props = f'<w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>' if style_id else ""
    runs = "".join(
        f'<w:r>{"<w:br/>" if number else ""}<w:t xml:space="preserve">{line}</w:t></w:r>'
        for number, line in enumerate(_shown_lines(text))
    )
    return f"<w:p>{props}{runs}</w:p>"


def _cell_paragraphs(texts: list[str], bold: bool) -> list[str]:
    """Each text as a table cell's paragraphs, one for each line (an empty line an empty one).

    All the texts are shown and escaped in one pass: a transcript's table has thousands of
    cells, and a pass for each was much of the report's time.
    """
    run = "<w:r><w:rPr><w:b/></w:rPr>" if bold else "<w:r>"
    lines = [
        f'<w:p>{run}<w:t xml:space="preserve">{line}</w:t></w:r></w:p>' if line else "<w:p/>"
        for line in _shown_lines("\n".join(texts))
    ]
    cells, at = [], 0
    for text in texts:
        count = text.count("\n") + 1
        cells.append("".join(lines[at:at + count]))
        at += count
    return cells


def _table(header: list[str], rows: list[list[str]], widths: list[int], style_id: str) -> str:
    """A Word table with a header row repeated on each page; no row splits across pages."""
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    starts = [f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>' for w in widths]

    def row(cells: list[str], head: bool) -> str:
        props = "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" if head else "<w:trPr><w:cantSplit/></w:trPr>"
        return "<w:tr>" + props + "".join(f"{start}{cell}</w:tc>" for start, cell in zip(starts, cells)) + "</w:tr>"

    cells = iter(_cell_paragraphs([text for r in rows for text in r], bold=False))
    body = "".join(row([next(cells) for _ in r], False) for r in rows)
    return (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{style_id}"/><w:tblW w:w="0" w:type="auto"/>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
        f'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
        f'{row(_cell_paragraphs(header, bold=True), True)}{body}</w:tbl>'
    )


def _with_body(document_xml: bytes, body: list[str]) -> bytes:
    """The serialised document part with the `body` texts at the start of its w:body."""
    text = document_xml.decode("utf-8")
    if text.count(_BODY_START) != 1:
        raise ValueError("the Word template's document part has no plain <w:body>")
    at = text.index(_BODY_START) + len(_BODY_START)
    return "".join((text[:at], *body, text[at:])).encode("utf-8")


class _Doc:
    """python-docx's document, for its package, and the body's XML, a text for each block."""

    def __init__(self) -> None:
        self.doc = docx.Document()
        self.doc.styles["Normal"].font.size = Pt(10.5)
        # Style ids (Heading1 for "Heading 1") looked up once, by name.
        names = ("Title", "Heading 1", "Heading 2", "Heading 3", "Quote", "List Bullet", "Table Grid")
        self.ids = {name: self.doc.styles[name].style_id for name in names}
        self.body: list[str] = []

    def heading(self, text: str, level: int) -> None:
        self.para(text, "Title" if level == 0 else f"Heading {level}")

    def para(self, text: str, style: str | None = None) -> None:
        self.body.append(_paragraph(text, self.ids[style] if style else None))

    def bullet(self, text: str) -> None:
        self.para(text, "List Bullet")

    def quote(self, quote: Quote) -> None:
        self.para(f"{quote.text} {quote.citation}", "Quote")

    def table(self, header: list[str], rows: list[list[str]], shares: list[int]) -> None:
        total = sum(shares)
        widths = [_PAGE_WIDTH * s // total for s in shares]
        self.body.append(_table(header, rows, widths, self.ids["Table Grid"]))
        self.body.append("<w:p/>")  # Word joins tables that touch

    def save(self, path: Path) -> None:
        """Save the package as python-docx writes it, its document part carrying the body.
        The parts are rewritten in python-docx's order and way (ZipFile.writestr, deflated)."""
        packed = io.BytesIO()
        self.doc.save(packed)
        document = self.doc.part.partname.membername
        with zipfile.ZipFile(packed) as template, zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as out:
            for name in template.namelist():
                data = template.read(name)
                out.writestr(name, _with_body(data, self.body) if name == document else data)


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
    out.save(path)
