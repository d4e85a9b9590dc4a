"""Bytes to text: strict decoding (UTF-8, UTF-16 with a BOM, Windows-1252) and LF newlines."""

from __future__ import annotations

from pathlib import Path

MAX_BYTES = 50 * 1024 * 1024


class TranscriptError(ValueError):
    """A file that cannot be imported; str(err) is one line naming the file and the problem."""


_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: Bytes that Windows-1252 leaves undefined.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def _error(name: str, problem: str) -> TranscriptError:
    return TranscriptError(f"{name}: {problem}")


def normalise_newlines(text: str) -> str:
    """Turn CRLF and lone CR into LF; nothing else (U+0085, U+2028, form feed) is touched."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _has_utf8_multibyte(data: bytes) -> bool:
    """Whether `data` holds at least one valid UTF-8 sequence of two or more bytes."""
    loose = data.decode("utf-8", "surrogateescape")
    return any(ord(c) > 0x7F and not 0xDC80 <= ord(c) <= 0xDCFF for c in loose)


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode a text file's bytes strictly: (text with LF newlines, encoding name)."""
    if not data.strip():
        raise _error(name, "empty file")
    if data.startswith(_UTF16_BOMS):
        codec = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        try:
            text = data[2:].decode(codec)
        except UnicodeDecodeError as err:
            raise _error(name, f"undecodable bytes at offset {2 + err.start} (invalid UTF-16)") from None
        encoding = "utf-16"
        if "\x00" in text:
            raise _error(name, "binary file")
    else:
        if b"\x00" in data:
            raise _error(name, "binary file")
        if data.startswith(_UTF8_BOM):
            try:
                text = data[3:].decode("utf-8")
            except UnicodeDecodeError as err:
                raise _error(name, f"undecodable bytes at offset {3 + err.start} (invalid UTF-8)") from None
            encoding = "utf-8-sig"
        else:
            try:
                text = data.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError as err:
                if _has_utf8_multibyte(data):
                    # Mostly UTF-8 with some damage: decoding it as Windows-1252 would mangle
                    # every accented letter, so refuse and point at the damage instead.
                    raise _error(name, f"undecodable bytes at offset {err.start} (invalid UTF-8)") from None
                bad = next((i for i, b in enumerate(data) if b in _CP1252_UNDEFINED), None)
                if bad is not None:
                    raise _error(
                        name, f"undecodable bytes at offset {bad} (not UTF-8, UTF-16 or Windows-1252)"
                    ) from None
                text = data.decode("cp1252")
                encoding = "cp1252"
    if not text.strip():
        raise _error(name, "empty file")
    return normalise_newlines(text), encoding


def _read_bytes(path: Path) -> bytes:
    name = path.name or str(path)
    try:
        if path.is_dir():
            raise _error(name, "is a folder, not a file")
        size = path.stat().st_size
    except FileNotFoundError:
        raise _error(name, "file not found") from None
    except PermissionError:
        raise _error(name, "permission denied") from None
    except OSError as err:
        raise _error(name, f"cannot read file ({err.strerror or err})") from None
    if size > MAX_BYTES:
        raise _error(name, f"file too large ({-(-size // 2**20)} MB, limit {MAX_BYTES // 2**20} MB)")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise _error(name, "file not found") from None
    except PermissionError:
        raise _error(name, "permission denied") from None
    except OSError as err:
        raise _error(name, f"cannot read file ({err.strerror or err})") from None
    if len(data) > MAX_BYTES:
        raise _error(name, f"file too large (over {MAX_BYTES // 2**20} MB, limit {MAX_BYTES // 2**20} MB)")
    return data
