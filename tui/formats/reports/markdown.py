"""The analysis as Markdown (GitHub-flavoured tables)."""

from __future__ import annotations

import re

from tui.formats.reports.snapshot import Quote, Snapshot

# Characters that would turn text into markup; `[` and `]` stay (a lone `[laughs]` is no link),
# but a `](` that could close a link is broken.
_SPECIAL = re.compile(r"([\\`*_<>|#~])")


def md(text: str) -> str:
    """User text made inert in Markdown, otherwise as written."""
    return _SPECIAL.sub(r"\\\1", text).replace("](", "]\\(")


def cell(text: str) -> str:
    """Text for a table cell: escaped, line breaks as <br>."""
    return md(text).replace("\r", "").replace("\n", "<br>")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    out.extend("| " + " | ".join(cell(c) for c in row) + " |" for row in rows)
    return out


def _quote(quote: Quote) -> str:
    body = md(quote.text).replace("\n", "\n> ")
    return f"> {body} {quote.citation}"


def render(snapshot: Snapshot) -> str:
    top, middle, lowest = snapshot.names
    out = [f"# {md(snapshot.title)}", "", f"Analysis summary, {snapshot.made_at[:10]} ({snapshot.method.upper()}).", ""]
    out += [f"## {top}s", ""]
    if snapshot.gets:
        rows = [[g.name, *g.cells, f"{g.recurrence} of {g.total}"] for g in snapshot.gets]
        out += _table([top, *snapshot.columns, "Recurrence"], rows) + [""]
    else:
        out += ["No themes at the top level yet.", ""]
    for get in snapshot.gets:
        out += [f"### {md(get.name)}", ""]
        if get.description:
            out += [md(get.description), ""]
        if get.strategy:
            out += [f"Formed by {md(get.strategy)}.", ""]
        out += [f"Recurrence: {get.recurrence} of {get.total} participants"
                + (f" ({', '.join(md(c) for c in get.contributors)})." if get.contributors else "."), ""]
        if get.pets:
            out += [f"{middle}s:", ""] + [f"- {md(p)}: {md(name)} ({n})" for p, name, n in get.pets] + [""]
        if get.divergences:
            out += ["Divergent cases:", ""]
            out += [f"- {md(p)}: {md(note)}{' ' + c if c else ''}" for p, note, c in get.divergences] + [""]
        if get.quotes:
            out += ["Key quotes:", ""]
            for quote in get.quotes:
                out += [_quote(quote), ""]
    if snapshot.participants:
        out += [f"## {middle}s by participant", ""]
        for person in snapshot.participants:
            out += [f"### {md(person.pseudonym)}", ""]
            rows = []
            for pet in person.pets:
                for name, quotes in pet.statements or (("", ()),):
                    rows.append([pet.name, name, " ".join(q.citation for q in quotes)])
                if pet.own:
                    rows.append([pet.name, "(coded on the theme)", " ".join(q.citation for q in pet.own)])
            out += (_table([middle, lowest, "Extracts"], rows) if rows else ["Nothing coded yet."]) + [""]
    for table in snapshot.transcripts:
        who = f" ({md(table.pseudonym)})" if table.pseudonym else ""
        out += [f"## Transcript: {md(table.title)}{who}", ""]
        out += _table(["Exploratory notes", "Transcript", lowest + "s"],
                      [["\n".join(r.notes), f"{r.number}  {r.text}", "\n".join(r.statements)] for r in table.rows])
        out += [""]
    if snapshot.journal:
        out += ["## Journal", ""]
        for stage, entries in snapshot.journal:
            out += [f"### {md(stage)}", ""]
            for entry in entries:
                about = f", {md(entry.about)}" if entry.about else ""
                out += [f"**{md(entry.title)}** ({entry.date}{about})", ""]
                if entry.body:
                    out += [md(entry.body).replace("\n", "  \n"), ""]
    return "\n".join(out).rstrip("\n") + "\n"
