"""Write a margin project as REFI-QDA: a `.qdpx` project or a `.qdc` codebook.

Every element is written in the order the official schemas (QDA-XML 1.0) require, and no
collection element is written empty. Positions are code-point offsets into the transcript's LF
text, which is stored as `sources/<guid>.txt` (UTF-8, no BOM). See `convention` for the tags that
keep what the standard has no place for.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from tui import __version__
from tui.formats.output import CancelCheck, Cancelled, Progress, Steps, atomic_output
from tui.formats.refi.convention import derived_guid, encode_lines, with_tag
from tui.project import Project, Theme

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = f"margin {__version__}"
#: The User written for codings and notes that record no coder.
UNKNOWN_CODER = derived_guid("user", "unknown coder")

_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_RGB6 = re.compile(r"#[0-9A-Fa-f]{6}")
_RGB3 = re.compile(r"#[0-9A-Fa-f]{3}")


def xml_text(text: str) -> str:
    """Text XML 1.0 can hold: characters it forbids (most C0 controls) become U+FFFD."""
    return _INVALID_XML.sub("\ufffd", text)


def refi_colour(colour: str | None) -> str | None:
    """A theme colour as `#RRGGBB`, or None when it is not an RGB colour."""
    if not colour:
        return None
    colour = colour.strip()
    if _RGB6.fullmatch(colour):
        return colour.upper()
    if _RGB3.fullmatch(colour):
        return "#" + "".join(c * 2 for c in colour[1:]).upper()
    return None


def refi_time(stamp: str | None) -> str | None:
    """An ISO timestamp as xsd:dateTime, or None."""
    if not stamp:
        return None
    stamp = stamp.strip().replace(" ", "T")
    if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?", stamp):
        return stamp
    if re.fullmatch(r"\d{4}-\d\d-\d\d", stamp):
        return f"{stamp}T00:00:00Z"
    return None


def transcript_text(project: Project, transcript_id: int, fallback: str = "") -> str:
    """A transcript's text, whether `transcripts()` carries it or not."""
    reader = getattr(project, "transcript_text", None)
    if reader is not None:
        return reader(transcript_id)
    return fallback or project.transcript(transcript_id).text


def _theme_tree(themes: Iterable[Theme]) -> tuple[list[Theme], dict[int, list[Theme]]]:
    """(roots, children by parent id), each in name order; a theme whose parent is missing or
    whose parents form a loop counts as a root."""
    by_id = {t.id: t for t in themes}
    children: dict[int, list[Theme]] = {}
    roots: list[Theme] = []
    for theme in sorted(by_id.values(), key=lambda t: (t.name.casefold(), t.id)):
        parent, seen = theme.parent_id, {theme.id}
        while parent is not None and parent in by_id and parent not in seen:
            seen.add(parent)
            parent = by_id[parent].parent_id
        if theme.parent_id is None or theme.parent_id not in by_id or parent is not None:
            roots.append(theme)
        else:
            children.setdefault(theme.parent_id, []).append(theme)
    return roots, children


class _Node:
    """An XML element, lighter than ElementTree's and serialised much faster."""

    __slots__ = ("tag", "attrs", "text", "children")

    def __init__(self, tag: str, attrs: dict[str, str | None] | None = None, text: str | None = None) -> None:
        self.tag = tag
        self.attrs = {k: v for k, v in (attrs or {}).items() if v is not None}
        self.text = text
        self.children: list[_Node] = []

    def set(self, key: str, value: str) -> None:
        self.attrs[key] = value

    def append(self, node: _Node) -> None:
        self.children.append(node)


_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;",
                               "\r": "&#13;", "\t": "&#9;"})
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


class _Raw(_Node):
    """Markup already escaped, written as it is."""

    def __init__(self, markup: str) -> None:
        super().__init__("", None, markup)


_SAFE = re.compile(r"[0-9A-Za-z{}:.+-]*")


def _a(value: str) -> str:
    """An attribute value escaped (GUIDs, numbers and times pass through untouched)."""
    return value if _SAFE.fullmatch(value) else xml_text(value).translate(_ATTR_ESCAPES)


def _serialize(node: _Node, out: list[str]) -> None:
    if not node.tag:
        out.append(node.text or "")
        return
    out.append("<" + node.tag)
    for key, value in node.attrs.items():
        out.append(f' {key}="{xml_text(value).translate(_ATTR_ESCAPES)}"')
    if node.text is None and not node.children:
        out.append("/>")
        return
    out.append(">")
    if node.text is not None:
        out.append(xml_text(node.text).translate(_TEXT_ESCAPES))
    for child in node.children:
        _serialize(child, out)
    out.append(f"</{node.tag}>")


def _document(root: _Node) -> bytes:
    out = ['<?xml version="1.0" encoding="utf-8"?>\n']
    _serialize(root, out)
    return "".join(out).encode("utf-8")


def _sub(parent: _Node, ns: str, tag: str, attrs: dict[str, str | None] | None = None,
         text: str | None = None) -> _Node:
    node = _Node(tag, attrs, text)
    parent.children.append(node)
    return node


class _Writer:
    """Collects what one project export needs and builds its XML."""

    def __init__(self, project: Project, steps: Steps) -> None:
        self.project = project
        self.steps = steps
        self.themes = project.themes()
        self.theme_guid = {t.id: t.guid for t in self.themes}
        self.participant_guid = {p.id: p.guid for p in project.participants()}
        self.coder_guid = {c.id: c.guid for c in project.coders()}
        self.nobody_used = False

    def user_of(self, coder_id: int | None) -> str:
        """The User GUID of a coder; a coding without one gets the stand-in `UNKNOWN_CODER`, since
        some readers skip a selection whose creatingUser is not a User."""
        guid = self.coder_guid.get(coder_id) if coder_id is not None else None
        if guid is None:
            self.nobody_used = True
            return UNKNOWN_CODER
        return guid

    # ------------------------------------------------------------------ codebook

    def code_description(self, theme: Theme) -> str:
        values = {
            "level": theme.level,
            "case": self.participant_guid.get(theme.participant_id) if theme.participant_id else None,
            "strategy": getattr(theme, "strategy", None) or None,
        }
        return with_tag(values, theme.description or "")

    def codes(self, parent: _Node, ns: str, coded: set[int], memo_refs: dict[int, list[str]] | None) -> bool:
        """Write `<Codes>` under `parent` if there is any theme; return whether it was written."""
        roots, children = _theme_tree(self.themes)
        if not roots:
            return False
        codes = _sub(parent, ns, "Codes")

        def write(into: _Node, theme: Theme) -> None:
            kids = children.get(theme.id, [])
            codable = bool(theme.id in coded or not kids)
            element = _sub(into, ns, "Code", {
                "guid": theme.guid, "name": theme.name, "isCodable": "true" if codable else "false",
                "color": refi_colour(theme.colour),
            })
            _sub(element, ns, "Description", text=self.code_description(theme))
            for note_guid in (memo_refs or {}).get(theme.id, []):
                _sub(element, ns, "NoteRef", {"targetGUID": note_guid})
            for child in kids:
                write(element, child)

        for root in roots:
            write(codes, root)
        return True


def _coded_theme_ids(project: Project) -> set[int]:
    return {c.theme_id for c in project.codings()}


def codebook_xml(project: Project) -> bytes:
    """The project's theme tree as a REFI-QDA codebook (`.qdc`) document."""
    writer = _Writer(project, Steps())
    root = _Node("CodeBook", {"xmlns": CODEBOOK_NS, "origin": ORIGIN})
    if not writer.codes(root, CODEBOOK_NS, _coded_theme_ids(project), None):
        raise _empty_codebook(project)
    return _document(root)


def _empty_codebook(project: Project) -> Exception:
    from tui.formats.output import ExportError

    return ExportError(f"{project.path.name}: has no themes yet, so there is no codebook to export")


def _lines_tag(text: str, ours: list[tuple], width: int) -> str | None:  # type: ignore[type-arg]
    """margin's `lines` tag when wrapping `text` again would not give the lines `ours` (start, end,
    speaker, turn start, label length, timestamp of each; None when it would)."""
    from tui.formats.transcripts import TranscriptError, parse_text

    def shape(line) -> tuple:  # type: ignore[no-untyped-def, type-arg]
        return line.start, line.end, line.speaker, bool(line.turn_start), line.label_length, line.timestamp

    try:
        again = [shape(line) for line in parse_text(text, width=width, guess=False).lines]
    except (TranscriptError, ValueError):
        again = []
    return None if again == ours else encode_lines(ours)


def project_xml(project: Project, steps: Steps | None = None) -> tuple[bytes, dict[str, str]]:
    """(project.qde bytes, {source file name in the zip: its text}) for a whole project."""
    steps = steps or Steps()
    writer = _Writer(project, steps)
    transcripts = project.transcripts()
    codings = project.codings()
    memos = project.memos()
    steps.total = len(transcripts) + 2
    coded = {c.theme_id for c in codings}
    codings_by_transcript: dict[int, list] = {}
    for coding in codings:
        codings_by_transcript.setdefault(coding.transcript_id, []).append(coding)
    transcript_guid = {t.id: t.guid for t in transcripts}
    coding_guid = {c.id: c.guid for c in codings}

    ns = PROJECT_NS
    root = _Node("Project", {
        "xmlns": ns, "name": project.title or project.path.stem, "origin": ORIGIN,
    })
    created = refi_time(project.setting("created_at"))
    if created:
        root.set("creationDateTime", created)

    # Where memos hang: a theme, a transcript, a coding, or the project.
    memo_on_theme: dict[int, list[str]] = {}
    memo_on_transcript: dict[int, list[str]] = {}
    memo_on_coding: dict[int, list[str]] = {}
    project_memos: list[str] = []
    for memo in memos:
        coding_id = getattr(memo, "coding_id", None)
        if coding_id and coding_id in coding_guid:
            memo_on_coding.setdefault(coding_id, []).append(memo.guid)
        elif memo.theme_id and memo.theme_id in writer.theme_guid:
            memo_on_theme.setdefault(memo.theme_id, []).append(memo.guid)
        elif memo.transcript_id and memo.transcript_id in transcript_guid:
            memo_on_transcript.setdefault(memo.transcript_id, []).append(memo.guid)
        elif not memo.participant_id:
            project_memos.append(memo.guid)

    users = _Node("Users")
    for coder in project.coders():
        _sub(users, ns, "User", {"guid": coder.guid, "name": coder.name})

    book = _Node("CodeBook")
    if writer.codes(book, ns, coded, memo_on_theme):
        root.append(book)

    participants = project.participants()
    variable_names = sorted({name for p in participants for name in p.attributes})
    variable_guid = {name: derived_guid("variable", name) for name in variable_names}
    if variable_names:
        variables = _sub(root, ns, "Variables")
        for name in variable_names:
            _sub(variables, ns, "Variable", {"guid": variable_guid[name], "name": name, "typeOfVariable": "Text"})
    if participants:
        cases = _sub(root, ns, "Cases")
        for participant in participants:
            case = _sub(cases, ns, "Case", {"guid": participant.guid, "name": participant.pseudonym})
            for name, value in sorted(participant.attributes.items()):
                holder = _sub(case, ns, "VariableValue")
                _sub(holder, ns, "VariableRef", {"targetGUID": variable_guid[name]})
                _sub(holder, ns, "TextValue", text=str(value))
            for transcript in transcripts:
                if transcript.participant_id == participant.id:
                    _sub(case, ns, "SourceRef", {"targetGUID": transcript.guid})
    steps.step()

    files: dict[str, str] = {}
    notes_out: list[tuple[str, str, str, dict[str, str | None], str | None, str | None]] = []
    if transcripts:
        sources = _sub(root, ns, "Sources")
        for transcript in transcripts:
            text = transcript_text(project, transcript.id, transcript.text)
            file_name = f"{transcript.guid}.txt"
            files[file_name] = text
            source = _sub(sources, ns, "TextSource", {
                "guid": transcript.guid, "name": transcript.title, "plainTextPath": f"internal://{file_name}",
            })
            stored = project.line_shapes(transcript.id)
            shapes = [line[1:] for line in stored]  # without the number
            tags: dict[str, str | None] = {"width": str(transcript.width), "lines": _lines_tag(text, shapes, transcript.width)}
            _sub(source, ns, "Description", text=with_tag(tags))
            lines = {number: (start, end) for number, start, end, *_ in stored}
            spans: list[tuple[int, int, int, _Node]] = []
            for coding in codings_by_transcript.get(transcript.id, []):
                if coding.first_line not in lines or coding.last_line not in lines:
                    continue
                start, end = lines[coding.first_line][0], lines[coding.last_line][1]
                # Written as text directly: twenty thousand of these are most of a large export.
                user = writer.user_of(coding.coder_id)
                when = refi_time(coding.created_at)
                who = (f' creatingUser="{_a(user)}"' if user else "") + (f' creationDateTime="{when}"' if when else "")
                key = "<Description>[margin:key-quote]</Description>" if getattr(coding, "key_quote", False) else ""
                refs = "".join(f'<NoteRef targetGUID="{_a(g)}"/>' for g in memo_on_coding.get(coding.id, ()))
                selection = _Raw(
                    f'<PlainTextSelection guid="{derived_guid("selection", coding.guid)}" startPosition="{start}" '
                    f'endPosition="{end}"{who}>{key}<Coding guid="{_a(coding.guid)}"{who}>'
                    f'<CodeRef targetGUID="{_a(writer.theme_guid[coding.theme_id])}"/>{refs}</Coding></PlainTextSelection>'
                )
                spans.append((start, end, 0, selection))
            # Exploratory notes hang from their source, their lines in margin's tag: a selection
            # with no coding in it trips up readers that expect every selection to be coded.
            source_notes: list[str] = []
            for note in project.notes(transcript.id):
                if note.first_line not in lines or note.last_line not in lines:
                    continue
                start, end = lines[note.first_line][0], lines[note.last_line][1]
                user = writer.user_of(note.coder_id)
                name = f"{note.kind} note on lines {note.first_line}-{note.last_line}"
                values = {"note": note.kind, "at": f"{start}-{end}"}
                notes_out.append((note.guid, name, note.body, values, user, refi_time(note.created_at)))
                source_notes.append(note.guid)
            for _, _, _, selection in sorted(spans, key=lambda s: (s[0], s[1], s[2])):
                source.append(selection)
            for note_guid in source_notes:
                _sub(source, ns, "NoteRef", {"targetGUID": note_guid})
            for note_guid in memo_on_transcript.get(transcript.id, []):
                _sub(source, ns, "NoteRef", {"targetGUID": note_guid})
            steps.step()

    for memo in memos:
        values: dict[str, str | None] = {
            "memo": "",
            "stage": getattr(memo, "stage", None) or None,
            "participant": writer.participant_guid.get(memo.participant_id) if memo.participant_id else None,
            "updated": getattr(memo, "updated_at", None) or None,
        }
        coder_id = getattr(memo, "coder_id", None)
        user = writer.user_of(coder_id)
        notes_out.append((memo.guid, memo.title, memo.body, values, user, refi_time(memo.created_at)))
    notes_out.extend(_divergence_notes(project, writer, coding_guid))
    if notes_out:
        notes = _sub(root, ns, "Notes")
        for guid, name, body, values, user, when in notes_out:
            note = _sub(notes, ns, "Note", {"guid": guid, "name": name, "creatingUser": user,
                                            "creationDateTime": when})
            _sub(note, ns, "Description", text=with_tag(values))
            _sub(note, ns, "PlainTextContent", text=body)
    if writer.nobody_used:
        _sub(users, ns, "User", {"guid": UNKNOWN_CODER, "name": "unknown coder"})
    if users.children:
        root.children.insert(0, users)
    _sub(root, ns, "Description", text=with_tag({"method": project.method}))
    for guid in project_memos:
        _sub(root, ns, "NoteRef", {"targetGUID": guid})
    steps.step()
    return _document(root), files


def _divergence_notes(project: Project, writer: _Writer, coding_guid: dict[int, str]) -> list:
    """Divergent cases as Notes tagged with the GET, the participant and the quote."""
    from tui.project import analysis

    out = []
    for row in analysis.get_table(project).rows:
        for divergence in row.divergences:
            theme = writer.theme_guid.get(row.theme_id)
            participant = writer.participant_guid.get(divergence.participant_id)
            if theme is None or participant is None:
                continue
            quote = coding_guid.get(divergence.quote.coding_id) if divergence.quote is not None else None
            values = {"divergence": "", "theme": theme, "participant": participant, "coding": quote}
            out.append((derived_guid("divergence", f"{theme}:{participant}"),
                        f"divergent case: {divergence.pseudonym} on {row.name}", divergence.note, values, None, None))
    return out


def export_qdpx(
    project: Project, path: Path | str, *, force: bool = False,
    progress: Progress | None = None, cancelled: CancelCheck | None = None,
) -> Path:
    """Write the whole project as a `.qdpx` file at `path`, whole or not at all."""
    steps = Steps(progress, cancelled)
    steps.check()
    with atomic_output(path, force=force) as tmp:
        qde, files = project_xml(project, steps)
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.writestr("project.qde", qde)
            for name, text in files.items():
                archive.writestr(f"sources/{name}", text.encode("utf-8"))
                steps.check()
    return Path(path)


def export_qdc(
    project: Project, path: Path | str, *, force: bool = False,
    progress: Progress | None = None, cancelled: CancelCheck | None = None,
) -> Path:
    """Write the theme tree as a `.qdc` codebook at `path`, whole or not at all."""
    steps = Steps(progress, cancelled, total=1)
    steps.check()
    data = codebook_xml(project)
    with atomic_output(path, force=force) as tmp:
        tmp.write_bytes(data)
        steps.step()
    return Path(path)


__all__ = ["Cancelled", "codebook_xml", "export_qdc", "export_qdpx", "project_xml", "refi_colour", "xml_text"]
