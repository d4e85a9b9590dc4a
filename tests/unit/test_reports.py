"""Reports: Markdown, HTML and Word, printed from one snapshot of the analysis."""

from __future__ import annotations

import re

import docx
import pytest

from test_refi_support import build_study
from tui.formats.output import Cancelled
from tui.formats.reports import build_snapshot, export_report, render_text, write_snapshot


@pytest.fixture
def study(tmp_path):
    project = build_study(tmp_path / "study.margin")
    yield project
    project.close()


@pytest.fixture
def snapshot(study):
    return build_snapshot(study, transcripts=True)


def test_snapshot_holds_the_get_table_pets_quotes_and_journal(snapshot):
    assert snapshot.columns == ("P07", "P09")
    (get,) = snapshot.gets
    assert get.name == "Belonging <b>" and get.recurrence == 2 and get.total == 2
    assert get.cells == ("Outsider on the ward (4)", "Fear of exposure (1)")
    assert [q.citation for q in get.quotes] == ["(P07, 2-4)", "(P09, 2-3)"]
    p07 = snapshot.participants[0]
    assert p07.pseudonym == "P07"
    assert [s for s, _ in p07.pets[0].statements] == ["A chance to belong", "Part of the team", "Standing in the corner"]
    (t7, t9) = snapshot.transcripts
    assert t7.rows[1].notes == ("C: the corner as a place of exclusion",)
    assert t7.rows[1].statements == ("Standing in the corner (2-4)",)
    assert [title for _, entries in snapshot.journal for title in (e.title for e in entries)][0] == "First reading"


def test_markdown_report(snapshot):
    text = render_text(snapshot, "md")
    assert "| Group experiential theme | P07 | P09 | Recurrence |" in text
    assert "| Belonging \\<b\\> | Outsider on the ward (4) | Fear of exposure (1) | 2 of 2 |" in text
    assert "[laughs]. So the bulletin (P07, 2-4)" in text
    assert "[inaudible 00:14:32]" in text and "[pause]" in text
    assert "| C: the corner as a place of exclusion | 2  P07: Honestly?" in text
    assert "## Journal" in text and "### no stage given" in text


def test_html_is_self_contained_and_escaped(snapshot):
    page = render_text(snapshot, "html")
    assert "<script" not in page.lower()
    assert not re.search(r"https?://", page)
    assert "<link" not in page.lower() and "src=" not in page.lower() and "@import" not in page
    assert "Belonging &lt;b&gt;" in page and "<b>" not in page
    assert "[laughs]" in page and "(P07, 2-4)" in page
    assert page.count("<table") == 1 + 2 + 2  # GET table, two PET tables, two transcripts
    assert "@media print" in page


def test_html_escapes_hostile_text(tmp_path):
    from test_refi_support import add_transcript
    from tui.project import Project

    with Project.create(tmp_path / "x.margin", method="ta") as project:
        t = add_transcript(project, "T <script>alert(1)</script>", "P01: <script>alert(1)</script> & [laughs]\n", "P01")
        theme = project.create_theme("<img src=x onerror=alert(1)>", level="theme")
        project.tag(t.id, 1, 1, theme.id)
        page = render_text(build_snapshot(project, transcripts=True), "html")
        assert "<script" not in page and "<img" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; [laughs]" in page


def test_docx_opens_with_headings_and_tables_that_read_back(snapshot, tmp_path):
    out = write_snapshot(snapshot, tmp_path / "report.docx", "docx")
    document = docx.Document(str(out))
    styles = [p.style.name for p in document.paragraphs if p.text]
    assert styles[0] == "Title" and "Heading 1" in styles and "Heading 2" in styles and "Quote" in styles
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    assert tables[0] == [["Group experiential theme", "P07", "P09", "Recurrence"],
                         ["Belonging <b>", "Outsider on the ward (4)", "Fear of exposure (1)", "2 of 2"]]
    assert tables[1][0] == ["Personal experiential theme", "Experiential statement", "Extracts"]
    ipa = tables[3]
    assert ipa[0] == ["Exploratory notes", "Transcript", "Experiential statements"]
    assert ipa[2] == ["C: the corner as a place of exclusion",
                      "2  P07: Honestly? I felt a bit lost on the ward. You stand in", "Standing in the corner (2-4)"]
    assert any("[laughs]" in row[1] for row in ipa)
    assert all(table.style.name == "Table Grid" for table in document.tables)
    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert quotes[0].endswith("(P07, 2-4)")


def test_reports_refuse_overwrite_and_cancel_cleanly(study, tmp_path):
    target = tmp_path / "r.html"
    target.write_text("keep")
    with pytest.raises(Exception, match="already exists"):
        export_report(study, target, "html")
    with pytest.raises(Cancelled):
        export_report(study, target, "html", force=True, transcripts=True, cancelled=lambda: True)
    assert target.read_text() == "keep"
    export_report(study, target, "html", force=True)
    assert "Transcript:" not in target.read_text()  # transcripts only when asked


def test_control_characters_do_not_break_the_word_file(tmp_path):
    from test_refi_support import add_transcript
    from tui.project import Project

    with Project.create(tmp_path / "c.margin", method="ta") as project:
        t = add_transcript(project, "T", "P01: a bell \x07 rang\n", "P01")
        theme = project.create_theme("odd\x0bname", level="theme")
        project.tag(t.id, 1, 1, theme.id)
        out = export_report(project, tmp_path / "c.docx", "docx", transcripts=True)
        document = docx.Document(str(out))
        assert "a bell \u2407 rang" in document.tables[-1].rows[1].cells[1].text  # BEL shown as its symbol


@pytest.mark.parametrize("fmt", ["docx", "md"])
def test_a_cancel_while_the_report_is_rendered_leaves_no_file(study, tmp_path, fmt):
    snapshot = build_snapshot(study, transcripts=True)
    answers = iter([False, True])  # not cancelled before rendering; cancelled by the time it is done
    with pytest.raises(Cancelled):
        write_snapshot(snapshot, tmp_path / f"r.{fmt}", fmt, cancelled=lambda: next(answers))
    assert list(tmp_path.glob("r.*")) == [] and list(tmp_path.glob(".r.*")) == []


def test_docx_reads_back_as_a_checker_reads_it(snapshot, tmp_path):
    out = write_snapshot(snapshot, tmp_path / "report.docx", "docx")
    document = docx.Document(str(out))
    properties = document.core_properties
    assert (properties.author, properties.comments) == ("margin", "")  # not python-docx's template
    assert properties.created is not None and properties.created.year >= 2025
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "Group experiential themes") in headings
    assert all(document.styles[name].type == 1 for name, _ in headings)  # Word's own paragraph styles
    stages = [text for name, text in headings[headings.index(("Heading 1", "Journal")):] if name == "Heading 2"]
    assert stages and all(text[:1].isupper() for text in stages)  # the journal's stages, capitalised
    transcripts = [t for t in document.tables if t.rows[0].cells[0].text == "Exploratory notes"]
    assert len(transcripts) == len(snapshot.transcripts)
    for table, source in zip(transcripts, snapshot.transcripts):
        assert len(table.rows) == len(source.rows) + 1 and len(table.columns) == 3
        assert [row.cells[1].text for row in table.rows[1:]] == [f"{r.number}  {r.text}" for r in source.rows]
    assert "[laughs]" in "\n".join(c.text for t in transcripts for r in t.rows for c in r.cells)


def test_a_cancel_between_two_transcript_tables_of_the_word_report_stops_it(study, tmp_path):
    snapshot = build_snapshot(study, transcripts=True)
    assert len(snapshot.transcripts) >= 2
    answers = iter([False, False, True])  # before rendering, before the first table, before the second
    with pytest.raises(Cancelled):
        write_snapshot(snapshot, tmp_path / "r.docx", "docx", cancelled=lambda: next(answers, True))
    assert [p.name for p in tmp_path.iterdir() if "r.docx" in p.name] == []


HOSTILE = "\x1b[2J\x1b]8;;x\x07link\x1b]8;;\x07 \x9b31m \x9d0;t\x9c \u202eevil\u202c \x7f \x00"


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "csv"])
def test_no_control_character_from_the_data_reaches_a_report(tmp_path, fmt):
    """`cat report.md` must not clear the screen, open a link or reorder text: controls are symbols."""
    from test_refi_support import add_transcript
    from tui.formats.csv_export import export_codings_csv
    from tui.project import Project

    with Project.create(tmp_path / "h.margin", method="ta") as project:
        t = add_transcript(project, "T", f"P01: said {HOSTILE} then\n", "P01")
        theme = project.create_theme(f"code {HOSTILE}", level="theme")
        project.tag(t.id, 1, 1, theme.id)
        project.add_note(t.id, 1, 1, "descriptive", f"note {HOSTILE}")
        target = tmp_path / f"h.{fmt}"
        if fmt == "csv":
            export_codings_csv(project, target)
        else:
            export_report(project, target, fmt, transcripts=True)
    if fmt == "docx":
        document = docx.Document(str(target))
        text = "\n".join([p.text for p in document.paragraphs]
                         + [c.text for table in document.tables for row in table.rows for c in row.cells])
    else:
        text = target.read_text(encoding="utf-8")
    assert "said" in text and "evil" in text
    controls = {ch for ch in text if (ord(ch) < 0x20 and ch not in "\n\r\t") or 0x7F <= ord(ch) < 0xA0
                or ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"}
    assert not controls, sorted(map(hex, map(ord, controls)))
    assert "\u241b[2J" in text  # ESC shown as its symbol, the rest as written
