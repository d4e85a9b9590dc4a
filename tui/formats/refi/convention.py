"""margin's own marks inside REFI-QDA files, which other programs ignore harmlessly.

The standard has no place for an IPA level, a participant-scoped theme, a note's kind or a
journal entry's stage, so margin writes them at the start of the element's `<Description>` as
one bracketed tag:

    [margin:level=pet;case=6f1c...;strategy=abstraction] What the researcher wrote.

Other programs show the tag as the first words of the description and keep it; margin reads it
back and strips it. Keys used:

| element | keys |
|---|---|
| Project | `method` (ipa, ta) |
| Code | `level`, `case` (participant GUID of a participant-scoped theme), `strategy` |
| TextSource | `width` (the line width the transcript was wrapped at); `lines` (only when wrapping the text again would not give the same lines: speakers found by a custom pattern, a Word or subtitle file's turns and times) |
| PlainTextSelection | `key-quote` (a coding marked as a key quote) |
| Note | `note` (exploratory note kind) or `memo`; `stage`, `participant`, `updated` |
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
import zlib

#: Namespace of the GUIDs margin derives for elements that have no row of their own.
GUID_NAMESPACE = uuid.UUID("7c1e0d52-6a43-4e0b-9d39-3c7b6f0a9e11")

_TAG = re.compile(r"\A\s*\[margin:([^\]]*)\][ \t]?\n?")
_ESCAPES = {"%": "%25", ";": "%3B", "]": "%5D", "=": "%3D"}


_NS_BYTES = GUID_NAMESPACE.bytes


def derived_guid(kind: str, guid: str) -> str:
    """A stable GUID for an element derived from a row (a coding's selection, say): `uuid5`."""
    digest = bytearray(hashlib.sha1(_NS_BYTES + f"{kind}:{guid}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _escape(value: str) -> str:
    return "".join(_ESCAPES.get(c, c) for c in value)


def _unescape(value: str) -> str:
    for plain, escaped in _ESCAPES.items():
        value = value.replace(escaped, plain)
    return value


def with_tag(values: dict[str, str | None], text: str = "") -> str:
    """`text` with margin's tag of `values` (None values left out) in front."""
    parts = [k if v == "" else f"{k}={_escape(v)}" for k, v in values.items() if v is not None]
    if not parts:
        return text
    tag = f"[margin:{';'.join(parts)}]"
    return f"{tag} {text}" if text else tag


def split_tag(text: str | None) -> tuple[dict[str, str], str]:
    """(margin's values, the rest of the text) of a Description; ({}, text) when it has no tag."""
    if not text:
        return {}, ""
    match = _TAG.match(text)
    if match is None:
        return {}, text
    values: dict[str, str] = {}
    for part in match.group(1).split(";"):
        if not part:
            continue
        key, _, value = part.partition("=")
        values[key.strip()] = _unescape(value.strip())
    return values, text[match.end():]


def encode_lines(lines: "list[tuple[int, int, str | None, bool, int, str | None]]") -> str:
    """A transcript's lines (start, end, speaker, turn start, label length, timestamp) as one tag value.

    Compressed JSON in URL-safe base64: opaque to other programs, short, and free of the tag's
    own separators.
    """
    data = json.dumps([[a, b - a, s or "", int(t), n, ts or ""] for a, b, s, t, n, ts in lines],
                      ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(zlib.compress(data.encode("utf-8"), 9)).decode("ascii")


def decode_lines(value: str, text_length: int) -> "list[tuple[int, int, str | None, bool, int, str | None]] | None":
    """The lines of `encode_lines`, or None when the value is damaged or does not fit the text."""
    try:
        raw = json.loads(zlib.decompress(base64.urlsafe_b64decode(value.encode("ascii")), bufsize=1 << 16))
        lines = []
        previous_end = 0
        for start, length, speaker, turn, label, stamp in raw:
            start, length, label = int(start), int(length), int(label)
            end = start + length
            if start < previous_end or length < 0 or end > text_length or not 0 <= label <= length:
                return None
            lines.append((start, end, str(speaker) or None, bool(turn), label, str(stamp) or None))
            previous_end = end
    except (ValueError, TypeError, zlib.error, UnicodeError):
        return None
    return lines or None
