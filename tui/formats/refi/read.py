"""Read REFI-QDA files (`.qdpx` projects, `.qdc` codebooks) from any program into plain data.

Nothing here touches a project: `parse_qdpx` and `parse_qdc` return a `RefiFile`, and `merge`
stores it. What other programs' files do that the standard does not say (see the quirks in the
REFI-QDA notes): `Sources/` or `sources/`, a `.qde` named after the project, BOMs, CRLF, upper
case or braced GUIDs, empty collection elements, inline `PlainTextContent`, and positions
counted in UTF-16 code units (NVivo) or with CRLF as two characters. Positions are turned into
code-point offsets over the LF text here, so everything after this module sees one convention.
"""

from __future__ import annotations

import bisect
import functools
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as ET

from tui.formats.refi.convention import decode_lines, derived_guid, split_tag
from tui.formats.transcripts import TranscriptError, decode
from tui.project import ProjectError

#: The most a .qdpx may unpack to (a guard against zip bombs).
MAX_UNPACKED = 2 * 1024**3
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_GUID = re.compile(r"\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?")


class RefiError(ProjectError):
    """A REFI-QDA file that cannot be read; one line naming the file and the problem."""


@functools.lru_cache(maxsize=4096)  # a file names the same few users and codes on every coding
def norm_guid(value: str | None) -> str | None:
    """A GUID as margin stores it: lowercase 8-4-4-4-12, no braces; None if it is not one."""
    if not value:
        return None
    match = _GUID.fullmatch(value.strip())
    return match.group(1).lower() if match else None


@dataclass
class RefiUser:
    guid: str
    name: str


@dataclass
class RefiCode:
    guid: str
    name: str
    parent: str | None
    codable: bool
    colour: str | None
    description: str
    tags: dict[str, str] = field(default_factory=dict)
    depth: int = 0


@dataclass
class RefiSelection:
    """A stretch of a source: codings on it and notes attached to it, in code points over LF text."""

    guid: str
    start: int
    end: int
    user: str | None
    created: str | None
    codings: list[tuple[str, str, str | None, str | None, list[str]]] = field(default_factory=list)
    """(coding guid, code guid, user, created, note guids on the coding)"""
    notes: list[str] = field(default_factory=list)
    key_quote: bool = False


@dataclass
class RefiSource:
    guid: str
    name: str
    text: str
    selections: list[RefiSelection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    width: int | None = None
    lines: list[tuple[int, int, str | None, bool, int, str | None]] | None = None
    """The lines margin cut the text into, when its export says (see `convention.encode_lines`)."""


@dataclass
class RefiNote:
    guid: str
    name: str
    text: str
    user: str | None
    created: str | None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class RefiCase:
    guid: str
    name: str
    attributes: dict[str, str]
    sources: list[str]


@dataclass
class RefiFile:
    """What a REFI-QDA file holds, in margin's terms of offsets and GUIDs."""

    name: str
    origin: str = ""
    kind: str = "project"  # or "codebook"
    tags: dict[str, str] = field(default_factory=dict)
    users: list[RefiUser] = field(default_factory=list)
    codes: list[RefiCode] = field(default_factory=list)
    cases: list[RefiCase] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    notes: dict[str, RefiNote] = field(default_factory=dict)
    project_notes: list[str] = field(default_factory=list)
    code_notes: dict[str, list[str]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    counting: str = "code points"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _strip_namespaces(root: ET.Element) -> ET.Element:
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = _local(element.tag)
    return root


def _parse_xml(data: bytes, name: str) -> ET.Element:
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:65536]:
        raise RefiError(f"{name}: has a DOCTYPE or entity declaration, which REFI-QDA files never need; not read")
    try:
        return _strip_namespaces(ET.fromstring(data))
    except ET.ParseError as error:
        raise RefiError(f"{name}: not well-formed XML ({error})") from None


def _children(element: ET.Element, tag: str) -> list[ET.Element]:
    """The direct children named `tag` (`findall` of a bare name compares the children in C)."""
    return element.findall(tag)


def _child(element: ET.Element, tag: str) -> ET.Element | None:
    """The first direct child named `tag`, or None."""
    return element.find(tag)


def _text_of(element: ET.Element | None) -> str:
    return "" if element is None else (element.text or "")


def _note_refs(element: ET.Element) -> list[str]:
    """The GUIDs of the notes an element refers to (its NoteRef children), malformed ones left out."""
    refs = element.findall("NoteRef")
    if not refs:  # most selections and codings have none
        return []
    return [g for g in (norm_guid(r.get("targetGUID")) for r in refs) if g]


def _guid_attr(element: ET.Element, attr: str, name: str, what: str, *, required: bool = True) -> str | None:
    value = element.get(attr)
    guid = norm_guid(value)
    if guid is None and (required or value):
        raise RefiError(f"{name}: a {what} has {'no' if not value else 'a malformed'} {attr}")
    return guid


def _read_codes(container: ET.Element, name: str, out: RefiFile) -> None:
    codes = _child(container, "Codes")
    if codes is None:
        return
    stack: list[tuple[ET.Element, str | None, int]] = [(c, None, 0) for c in reversed(_children(codes, "Code"))]
    seen: set[str] = set()
    while stack:
        element, parent, depth = stack.pop()
        guid = _guid_attr(element, "guid", name, "code")
        assert guid is not None
        if guid in seen:
            raise RefiError(f"{name}: two codes share the GUID {guid}")
        seen.add(guid)
        tags, description = split_tag(_text_of(_child(element, "Description")))
        out.codes.append(RefiCode(
            guid, (element.get("name") or "").strip() or "(unnamed code)", parent,
            (element.get("isCodable") or "true").strip().lower() in ("true", "1"),
            element.get("color"), description, tags, depth,
        ))
        refs = [norm_guid(r.get("targetGUID")) for r in _children(element, "NoteRef")]
        if any(refs):
            out.code_notes[guid] = [r for r in refs if r]
        stack.extend((c, guid, depth + 1) for c in reversed(_children(element, "Code")))


def parse_qdc(data: bytes, name: str) -> RefiFile:
    """Read a `.qdc` codebook."""
    root = _parse_xml(data, name)
    if root.tag != "CodeBook":
        raise RefiError(f"{name}: not a REFI-QDA codebook (its root element is <{root.tag}>, not <CodeBook>)")
    out = RefiFile(name=Path(name).stem, origin=root.get("origin", ""), kind="codebook")
    _read_codes(root, name, out)
    if not out.codes:
        raise RefiError(f"{name}: the codebook has no codes")
    return out


# --------------------------------------------------------------------------- positions


class _Counting:
    """One way a program may have counted positions in a source's raw text."""

    def __init__(self, name: str, crlf_two: bool, utf16: bool) -> None:
        self.name, self.crlf_two, self.utf16 = name, crlf_two, utf16


_COUNTINGS = (
    _Counting("code points", False, False),
    _Counting("code points with CRLF as two", True, False),
    _Counting("UTF-16 code units", True, True),
    _Counting("UTF-16 code units with CRLF as one", False, True),
)


def _unit_map(raw: str, counting: _Counting) -> list[int] | None:
    """For each position in `counting`'s units, the code-point offset in the LF text; None for identity."""
    has_cr = "\r" in raw
    has_astral = counting.utf16 and not raw.isascii() and _ASTRAL.search(raw) is not None
    if not has_astral and not (has_cr and counting.crlf_two):
        return None
    mapping: list[int] = []
    n = 0
    i = 0
    length = len(raw)
    while i < length:
        c = raw[i]
        if c == "\r" and i + 1 < length and raw[i + 1] == "\n":
            if counting.crlf_two:
                mapping.append(n)  # the CR
            mapping.append(n)  # the LF
            n += 1
            i += 2
            continue
        mapping.append(n)
        if counting.utf16 and ord(c) > 0xFFFF:
            mapping.append(n)
        n += 1
        i += 1
    mapping.append(n)
    return mapping


def _map(position: int, mapping: list[int] | None, size: int) -> int:
    if mapping is None:
        return max(0, min(position, size))
    if position >= len(mapping):
        return mapping[-1]
    return mapping[max(position, 0)]


def _boundary_score(text: str, start: int, end: int) -> int:
    """How plausibly [start, end) was selected by a person: 2 when both ends sit at word edges.

    A start on a space, or an end just after one, is not an edge: read with the wrong counting,
    a selection of whole words slides onto the space beside them. Line starts and ends are edges.
    """
    size = len(text)
    if start <= 0 or start >= size or text[start - 1] == "\n":
        good_start = True
    else:
        good_start = not text[start].isspace() and not (text[start - 1].isalnum() and text[start].isalnum())
    if end <= 0 or end >= size or text[end - 1] == "\n" or text[end] == "\n":
        good_end = True
    else:
        good_end = not text[end - 1].isspace() and not (text[end - 1].isalnum() and text[end].isalnum())
    return int(good_start) + int(good_end)


def _choose_counting(raw_texts: list[tuple[str, list[tuple[int, int]]]], origin: str) -> _Counting:
    """The counting under which the file's selections fall most plausibly on word edges."""
    differing = []
    for counting in _COUNTINGS:
        if any(_unit_map(raw, counting) is not None for raw, spans in raw_texts if spans):
            differing.append(counting)
    if not differing:
        return _COUNTINGS[0]
    best: _Counting | None = None
    best_score = 0
    preferred = _COUNTINGS[2] if "nvivo" in origin.lower() else _COUNTINGS[0]
    for counting in (preferred, *(c for c in _COUNTINGS if c is not preferred)):
        score = 0
        for raw, spans in raw_texts:
            if not spans:
                continue
            mapping = _unit_map(raw, counting)
            text = raw.replace("\r\n", "\n").replace("\r", "\n")
            units = len(mapping) - 1 if mapping is not None else len(text)
            for start, end in spans:
                if end > units or start > units:
                    score -= 4  # runs past the text: not how this file counted
                    continue
                score += _boundary_score(text, _map(start, mapping, len(text)), _map(end, mapping, len(text)))
        if best is None or score > best_score:
            best, best_score = counting, score
    assert best is not None  # the loop ran at least once
    return best


# --------------------------------------------------------------------------- projects


def _source_entry(archive: zipfile.ZipFile, path: str) -> zipfile.ZipInfo | None:
    """The zip entry a plainTextPath names, in `sources/` or `Sources/`, any case."""
    target = path
    for prefix in ("internal://", "relative://"):
        if target.lower().startswith(prefix):
            target = target[len(prefix):]
            break
    target = target.replace("\\", "/").lstrip("/")
    wanted = {target.lower(), f"sources/{target}".lower(), f"sources/{PurePosixPath(target).name}".lower()}
    base = PurePosixPath(target).name.lower()
    fallback = None
    for info in archive.infolist():
        name = info.filename.replace("\\", "/").lower()
        if name in wanted:
            return info
        # a project zipped inside a folder: <folder>/sources/<file>
        if fallback is None and name.endswith(f"/sources/{base}"):
            fallback = info
    return fallback


def _decode_source(data: bytes, name: str) -> str:
    """A source file's text as written (BOM removed, newlines as in the file)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data[2:].decode("utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be")
        except UnicodeDecodeError:
            raise RefiError(f"{name}: undecodable UTF-16 text") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        _, encoding = decode(data, name)  # margin's rules: Windows-1252 only when nothing looks like UTF-8
    except TranscriptError as reason:
        raise RefiError(str(reason)) from None
    return data.decode(encoding)


def _selection_span(element: ET.Element, name: str) -> tuple[int, int]:
    try:
        start = int(element.get("startPosition", ""))
        end = int(element.get("endPosition", ""))
    except ValueError:
        raise RefiError(f"{name}: a PlainTextSelection has no whole-number startPosition and endPosition") from None
    if start > end:
        start, end = end, start
    return start, end


def parse_qdpx(path: Path) -> RefiFile:
    """Read a `.qdpx` project."""
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise RefiError(f"{name}: not a .qdpx file (not a zip archive, or a damaged one)") from None
    except FileNotFoundError:
        raise RefiError(f"{name}: no such file") from None
    except OSError as error:
        raise RefiError(f"{name}: cannot read: {error.strerror or error}") from None
    with archive:
        infos = archive.infolist()
        if sum(i.file_size for i in infos) > MAX_UNPACKED:
            raise RefiError(f"{name}: unpacks to more than {MAX_UNPACKED // 1024**3} GB; not read")
        qdes = [i for i in infos if i.filename.lower().endswith(".qde") and "/" not in i.filename.strip("/")]
        if not qdes:  # a project zipped inside a folder
            qdes = [i for i in infos if i.filename.lower().endswith(".qde") and not i.filename.startswith("__MACOSX")]
        named = [i for i in qdes if PurePosixPath(i.filename).name.lower() == "project.qde"]
        qde = named[0] if len(named) == 1 else (qdes[0] if len(qdes) == 1 else None)
        if qde is None:
            what = "no .qde project file" if not qdes else f"{len(qdes)} .qde files and none named project.qde"
            raise RefiError(f"{name}: not a REFI-QDA project ({what} in the archive)")
        try:
            qde_bytes = archive.read(qde)
            root = _parse_xml(qde_bytes, f"{name}: {qde.filename}")
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise RefiError(f"{name}: damaged archive ({error})") from None
        crlf_file = any(crlf in qde_bytes for crlf in (b"\r\n", b"\r\x00\n\x00", b"\x00\r\x00\n"))  # UTF-8, UTF-16
        if root.tag != "Project":
            raise RefiError(f"{name}: not a REFI-QDA project (its root element is <{root.tag}>, not <Project>)")
        out = RefiFile(name=root.get("name") or path.stem, origin=root.get("origin", ""))
        out.tags, _ = split_tag(_text_of(_child(root, "Description")))
        users = _child(root, "Users")
        for user in _children(users, "User") if users is not None else []:
            guid = _guid_attr(user, "guid", name, "user")
            assert guid is not None
            out.users.append(RefiUser(guid, (user.get("name") or "").strip() or guid[:8]))
        book = _child(root, "CodeBook")
        if book is not None:
            _read_codes(book, name, out)
        variables = {}
        holder = _child(root, "Variables")
        for variable in _children(holder, "Variable") if holder is not None else []:
            guid = _guid_attr(variable, "guid", name, "variable")
            variables[guid] = (variable.get("name") or "").strip() or "attribute"
        cases = _child(root, "Cases")
        for case in _children(cases, "Case") if cases is not None else []:
            guid = _guid_attr(case, "guid", name, "case")
            assert guid is not None
            attributes: dict[str, str] = {}
            for value in _children(case, "VariableValue"):
                ref = _child(value, "VariableRef")
                target = norm_guid(ref.get("targetGUID")) if ref is not None else None
                shown = next((c.text or "" for c in value if c.tag != "VariableRef"), "")
                if target in variables:
                    attributes[variables[target]] = shown.strip()
            refs = [norm_guid(r.get("targetGUID")) for r in _children(case, "SourceRef")]
            out.cases.append(RefiCase(guid, (case.get("name") or "").strip() or guid[:8], attributes,
                                      [r for r in refs if r]))
        raw_sources: list[tuple[ET.Element, str, str]] = []
        holder = _child(root, "Sources")
        for element in list(holder) if holder is not None else []:
            if element.tag != "TextSource":
                out.skipped.append(f"{element.tag} '{element.get('name', '')}' (margin imports text sources only)")
                continue
            guid = _guid_attr(element, "guid", name, "text source")
            assert guid is not None
            title = (element.get("name") or "").strip() or guid[:8]
            content = _child(element, "PlainTextContent")
            plain_path = element.get("plainTextPath")
            if content is not None and content.text:
                raw = content.text
                if crlf_file and "\r" not in raw:
                    # An XML parser turns every CRLF of the file into LF, but the program that wrote
                    # it counted positions in its own text, which had them: put them back, and the
                    # counting found below decides whether a CRLF counted as one or as two.
                    raw = raw.replace("\n", "\r\n")
            elif plain_path:
                info = _source_entry(archive, plain_path)
                if info is None:
                    if plain_path.lower().startswith(("internal://", "relative://")) or "://" not in plain_path:
                        raise RefiError(f"{name}: source '{title}' is missing from the archive ({plain_path})")
                    raise RefiError(f"{name}: source '{title}' is outside the archive ({plain_path}); "
                                    "export it again with its sources inside")
                try:
                    raw = _decode_source(archive.read(info), f"{name}: {info.filename}")
                except (zipfile.BadZipFile, OSError, EOFError) as error:
                    raise RefiError(f"{name}: damaged archive ({error})") from None
            elif element.get("richTextPath"):
                out.skipped.append(f"text source '{title}' (only rich text, no plain text)")
                continue
            else:
                raw = ""
            if not raw.strip():
                out.skipped.append(f"text source '{title}' (empty)")
                continue
            raw_sources.append((element, guid, raw))
        # Each source's selections with their positions, read once: the counting is chosen from
        # the positions, and then they are mapped with it.
        selections_of = [[(s, *_selection_span(s, name)) for s in _children(e, "PlainTextSelection")]
                         for e, _, _ in raw_sources]
        spans = [(raw, [(start, end) for _, start, end in selections])
                 for (_, _, raw), selections in zip(raw_sources, selections_of)]
        counting = _choose_counting(spans, out.origin)
        out.counting = counting.name
        for (element, guid, raw), selections in zip(raw_sources, selections_of):
            text = raw.replace("\r\n", "\n").replace("\r", "\n")
            mapping = _unit_map(raw, counting)
            tags, _ = split_tag(_text_of(_child(element, "Description")))
            width = int(tags["width"]) if tags.get("width", "").isdigit() else None
            source = RefiSource(guid, (element.get("name") or "").strip() or guid[:8], text, width=width,
                                lines=decode_lines(tags["lines"], len(text)) if "lines" in tags else None)
            for selection, start, end in selections:
                # The schema requires these GUIDs; a file that lacks one (or mangles it) still has its
                # codings: they get a GUID derived from where they are, the same on every import.
                sel_guid = norm_guid(selection.get("guid")) or derived_guid("selection", f"{guid}:{start}:{end}")
                sel_tags, _ = split_tag(_text_of(_child(selection, "Description")))
                chosen = RefiSelection(
                    sel_guid, _map(start, mapping, len(text)), _map(end, mapping, len(text)),
                    norm_guid(selection.get("creatingUser")), selection.get("creationDateTime"),
                    key_quote="key-quote" in sel_tags,
                )
                for coding in _children(selection, "Coding"):
                    ref = _child(coding, "CodeRef")
                    code = norm_guid(ref.get("targetGUID")) if ref is not None else None
                    if code is None:
                        continue
                    coding_guid = norm_guid(coding.get("guid")) or derived_guid(
                        "coding", f"{sel_guid}:{code}:{len(chosen.codings)}")
                    notes = _note_refs(coding)
                    chosen.codings.append((coding_guid, code, norm_guid(coding.get("creatingUser")) or chosen.user,
                                           coding.get("creationDateTime") or chosen.created, notes))
                chosen.notes = _note_refs(selection)
                source.selections.append(chosen)
            if _children(element, "Coding"):
                out.skipped.append(f"codings of the whole source '{source.name}' (margin codes lines)")
            source.notes = _note_refs(element)
            out.sources.append(source)
        notes = _child(root, "Notes")
        for note in _children(notes, "Note") if notes is not None else []:
            guid = _guid_attr(note, "guid", name, "note")
            assert guid is not None
            content = _child(note, "PlainTextContent")
            body = (content.text or "") if content is not None else ""
            if content is None and note.get("plainTextPath"):
                info = _source_entry(archive, note.get("plainTextPath", ""))
                body = _decode_source(archive.read(info), name) if info is not None else ""
            tags, _ = split_tag(_text_of(_child(note, "Description")))
            out.notes[guid] = RefiNote(guid, (note.get("name") or "").strip(), body.replace("\r\n", "\n"),
                                       norm_guid(note.get("creatingUser")), note.get("creationDateTime"), tags)
        out.project_notes = _note_refs(root)
        sets = _child(root, "Sets")
        count = len(_children(sets, "Set")) if sets is not None else 0
        if count:
            out.skipped.append(f"{count} set{'s' if count != 1 else ''} (margin keeps no sets of codes or sources)")
        graphs = _child(root, "Graphs")
        if graphs is not None and len(graphs):
            out.skipped.append(f"{len(graphs)} graph{'s' if len(graphs) != 1 else ''} (margin draws no graphs)")
    return out


def read_refi(path: Path | str) -> RefiFile:
    """Read a `.qdpx` or `.qdc` file by its extension."""
    path = Path(path)
    if not path.exists():
        raise RefiError(f"{path.name or path}: no such file")
    if path.is_dir():
        raise RefiError(f"{path.name}: is a folder, not a REFI-QDA file")
    suffix = path.suffix.lower()
    if suffix == ".qdpx":
        return parse_qdpx(path)
    if suffix == ".qdc":
        try:
            data = path.read_bytes()
        except OSError as error:
            raise RefiError(f"{path.name}: cannot read: {error.strerror or error}") from None
        return parse_qdc(data, path.name)
    raise RefiError(f"{path.name}: not a REFI-QDA file (expected .qdpx or .qdc)")


def touched_lines(starts: list[int], ends: list[int], start: int, end: int) -> tuple[int, int] | None:
    """(first, last) 1-based numbers of the lines a span [start, end) touches; None if none."""
    if not starts:
        return None
    first = bisect.bisect_right(ends, start)  # first line ending after start
    last = bisect.bisect_left(starts, end) - 1  # last line starting before end
    if end <= start:  # an empty selection: the line it sits on
        last = first
    if first >= len(starts) or last < first:
        return None
    return first + 1, last + 1
