"""The analysis as one self-contained, printable HTML page: no scripts, no links out, all text escaped."""

from __future__ import annotations

from html import escape

from tui.formats.reports.snapshot import Quote, Snapshot

_STYLE = """
body { font-family: Georgia, "Times New Roman", serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
       line-height: 1.4; color: #111; }
h1, h2, h3 { font-family: Helvetica, Arial, sans-serif; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #888; padding: 0.25em 0.5em; vertical-align: top; text-align: left; }
th { background: #eee; }
td { white-space: pre-wrap; }
blockquote { margin: 0.5em 0 0.5em 1.5em; padding-left: 0.75em; border-left: 3px solid #aaa; white-space: pre-wrap; }
.cite { white-space: nowrap; color: #333; }
table.ipa td.line { font-family: "Courier New", monospace; }
table.ipa td.num { text-align: right; color: #555; width: 3em; }
table.ipa td.notes, table.ipa td.statements { width: 25%; font-size: 0.9em; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-before: always; } h2.first { page-break-before: avoid; }
               tr { page-break-inside: avoid; } thead { display: table-header-group; } }
"""


def h(text: str) -> str:
    """User text as HTML text: everything escaped."""
    return escape(text, quote=True)


def _table(header: list[str], rows: list[list[str]], css: str = "") -> list[str]:
    out = [f'<table{f" class={chr(34)}{css}{chr(34)}" if css else ""}>', "<thead><tr>"
           + "".join(f"<th>{h(c)}</th>" for c in header) + "</tr></thead>", "<tbody>"]
    out.extend("<tr>" + "".join(f"<td>{h(c)}</td>" for c in row) + "</tr>" for row in rows)
    out.append("</tbody></table>")
    return out


def _quote(quote: Quote) -> str:
    return f'<blockquote>{h(quote.text)} <span class="cite">{h(quote.citation)}</span></blockquote>'


def render(snapshot: Snapshot) -> str:
    top, middle, lowest = snapshot.names
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{h(snapshot.title)}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
           f"<h1>{h(snapshot.title)}</h1>",
           f"<p>Analysis summary, {h(snapshot.made_at[:10])} ({h(snapshot.method.upper())}).</p>",
           f'<h2 class="first">{h(top)}s</h2>']
    if snapshot.gets:
        out += _table([top, *snapshot.columns, "Recurrence"],
                      [[g.name, *g.cells, f"{g.recurrence} of {g.total}"] for g in snapshot.gets])
    else:
        out.append("<p>No themes at the top level yet.</p>")
    for get in snapshot.gets:
        out.append(f"<h3>{h(get.name)}</h3>")
        if get.description:
            out.append(f"<p>{h(get.description)}</p>")
        if get.strategy:
            out.append(f"<p>Formed by {h(get.strategy)}.</p>")
        who = f" ({h(', '.join(get.contributors))})" if get.contributors else ""
        out.append(f"<p>Recurrence: {get.recurrence} of {get.total} participants{who}.</p>")
        if get.pets:
            out.append(f"<p>{h(middle)}s:</p><ul>")
            out += [f"<li>{h(p)}: {h(name)} ({n})</li>" for p, name, n in get.pets]
            out.append("</ul>")
        if get.divergences:
            out.append("<p>Divergent cases:</p><ul>")
            out += [f"<li>{h(p)}: {h(note)} {h(c)}</li>" for p, note, c in get.divergences]
            out.append("</ul>")
        if get.quotes:
            out.append("<p>Key quotes:</p>")
            out += [_quote(q) for q in get.quotes]
    if snapshot.participants:
        out.append(f"<h2>{h(middle)}s by participant</h2>")
        for person in snapshot.participants:
            out.append(f"<h3>{h(person.pseudonym)}</h3>")
            rows = []
            for pet in person.pets:
                for name, quotes in pet.statements or (("", ()),):
                    rows.append([pet.name, name, " ".join(q.citation for q in quotes)])
                if pet.own:
                    rows.append([pet.name, "(coded on the theme)", " ".join(q.citation for q in pet.own)])
            out += _table([middle, lowest, "Extracts"], rows) if rows else ["<p>Nothing coded yet.</p>"]
    for table in snapshot.transcripts:
        who = f" ({h(table.pseudonym)})" if table.pseudonym else ""
        out.append(f"<h2>Transcript: {h(table.title)}{who}</h2>")
        out.append('<table class="ipa"><thead><tr><th>Exploratory notes</th><th colspan="2">Transcript</th>'
                   f"<th>{h(lowest)}s</th></tr></thead><tbody>")
        out.extend(
            f'<tr><td class="notes">{h(chr(10).join(r.notes))}</td><td class="num">{r.number}</td>'
            f'<td class="line">{h(r.text)}</td><td class="statements">{h(chr(10).join(r.statements))}</td></tr>'
            for r in table.rows
        )
        out.append("</tbody></table>")
    if snapshot.journal:
        out.append("<h2>Journal</h2>")
        for stage, entries in snapshot.journal:
            out.append(f"<h3>{h(stage)}</h3>")
            for entry in entries:
                about = f", {h(entry.about)}" if entry.about else ""
                out.append(f"<p><strong>{h(entry.title)}</strong> ({h(entry.date)}{about})</p>")
                if entry.body:
                    out.append(f"<blockquote>{h(entry.body)}</blockquote>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
