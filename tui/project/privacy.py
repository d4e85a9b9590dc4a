"""Privacy: a name replaced everywhere it occurs, deleted text purged from the history, and a
listing of where names still occur.

The choice for deleting (README, "Privacy"): a delete stays undoable while the session that made
it lasts. The next time the project is opened for writing with no margin window on it, the row
images of deleted rows are purged from the history, and the history up to them is made final
(it cannot be undone past them). `secure_delete` is on for every connection, so the purged and
replaced text is overwritten in the file, not left in free pages.

Pseudonymising cannot be undone (undo would put the real name back): it seals the history.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import sqlite3
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tui.project.db import ProjectError

if TYPE_CHECKING:
    from tui.project.project import Project

#: Tables and columns holding text a researcher or a participant wrote (besides transcripts and lines).
_TEXT_COLUMNS = {
    "participants": ("pseudonym", "attributes"),
    "themes": ("name", "description"),
    "notes": ("body",),
    "memos": ("title", "body"),
    "divergences": ("note",),
    "drafts": ("body",),
}


def _pattern(name: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    words = name.split()
    if not words:
        raise ProjectError("a name to replace needs some text")
    body = r"[^\S\n]+".join(re.escape(w) for w in words)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE if ignore_case else 0)


def _sub_json(value: Any, pattern: re.Pattern[str], replacement: str) -> tuple[Any, int]:
    """Replace in every string of a decoded JSON value; (new value, replacements)."""
    if isinstance(value, str):
        new, count = pattern.subn(replacement, value)
        return new, count
    if isinstance(value, list):
        total, out = 0, []
        for item in value:
            new, count = _sub_json(item, pattern, replacement)
            out.append(new)
            total += count
        return out, total
    if isinstance(value, dict):
        total, result = 0, {}
        for key, item in value.items():
            new, count = _sub_json(item, pattern, replacement)
            result[key] = new
            total += count
        return result, total
    return value, 0


def _offset_map(text: str, pattern: re.Pattern[str], replacement: str) -> tuple[str, Any]:
    """The new text, and a function from an offset into the old text to one into the new."""
    spans = [(m.start(), m.end()) for m in pattern.finditer(text)]
    new = pattern.sub(replacement, text)
    ends = [e for _, e in spans]
    delta = len(replacement)

    def moved(pos: int) -> int:
        i = bisect.bisect_right(ends, pos)  # matches wholly before pos
        shift = sum(delta - (e - s) for s, e in spans[:i])
        if i < len(spans) and spans[i][0] < pos < spans[i][1]:  # inside a match: its new end
            s, e = spans[i]
            return s + shift + delta
        return pos + shift

    return new, moved


def pseudonymise(project: Project, real: str, pseudonym: str) -> dict[str, int]:
    """Replace `real` (whole words, exact case) by `pseudonym` everywhere; counts per place.

    Transcript text, line texts and speakers (every line keeps its number; offsets of the lines
    are recomputed, so codings and citations stay on the same lines), the search index, titles,
    participants, themes, notes, memos, divergences, drafts, and the history's row images and
    summaries. One action that cannot be undone.
    """
    real, pseudonym = " ".join(real.split()), " ".join(pseudonym.split())
    if not real or not pseudonym:
        raise ProjectError("pseudonymise needs a name and the pseudonym to put in its place")
    pattern = _pattern(real)
    if pattern.search(pseudonym):
        raise ProjectError("the pseudonym contains the name it replaces; choose another")
    conn = project.conn
    counts: dict[str, int] = {}

    def add(place: str, number: int) -> None:
        if number:
            counts[place] = counts.get(place, 0) + number

    with project.action("privacy.pseudonymise", f"replace a name with {pseudonym}", undoable=False):
        for tid, text, title, source in conn.execute("SELECT id, text, title, source FROM transcripts").fetchall():
            new_title, n_title = pattern.subn(pseudonym, title)
            new_source, n_source = pattern.subn(pseudonym, source)
            add("transcript titles and sources", n_title + n_source)
            found = len(pattern.findall(text))
            if found:
                new_text, moved = _offset_map(text, pattern, pseudonym)
                changed = []
                for line in project.lines(tid):
                    start, end = moved(line.start), moved(line.end)
                    label = (moved(line.start + line.label_length) - start) if line.label_length else 0
                    speaker = pattern.sub(pseudonym, line.speaker) if line.speaker else line.speaker
                    new = replace(line, text=new_text[start:end], start=start, end=end, label_length=label, speaker=speaker)
                    if new != line:
                        changed.append(new)
                    if line.speaker and speaker != line.speaker:
                        add("speaker labels", 1)
                add("transcript text", found)
                add("lines rewritten", len(changed))
                conn.execute("UPDATE transcripts SET text = ? WHERE id = ?", (new_text, tid))
                project._rewrite_lines(tid, changed)
            if n_title or n_source:
                conn.execute("UPDATE transcripts SET title = ?, source = ? WHERE id = ?", (new_title, new_source, tid))
        for table, columns in _TEXT_COLUMNS.items():
            for row in conn.execute(f'SELECT id, {", ".join(columns)} FROM "{table}"').fetchall():
                values, total = {}, 0
                for column, value in zip(columns, row[1:]):
                    if isinstance(value, str):
                        new, number = pattern.subn(pseudonym, value)
                        if number:
                            values[column], total = new, total + number
                if values:
                    sets = ", ".join(f'"{c}" = ?' for c in values)
                    conn.execute(f'UPDATE "{table}" SET {sets} WHERE id = ?', (*values.values(), row[0]))
                    add(table, total)
        for event_id, payload in conn.execute("SELECT id, payload FROM events").fetchall():
            new, number = _sub_json(json.loads(payload or "{}"), pattern, pseudonym)
            if number:
                conn.execute("UPDATE events SET payload = ? WHERE id = ?", (json.dumps(new, ensure_ascii=False), event_id))
                add("history", number)
        for change_id, before, after in conn.execute("SELECT id, before, after FROM event_changes").fetchall():
            images, total = [], 0
            for image in (before, after):
                if image is None:
                    images.append(None)
                    continue
                new, number = _sub_json(json.loads(image), pattern, pseudonym)
                images.append(json.dumps(new, ensure_ascii=False))
                total += number
            if total:
                conn.execute("UPDATE event_changes SET before = ?, after = ? WHERE id = ?", (*images, change_id))
                add("history", total)
        project._compact_search_index()
    return counts


def occurrences(project: Project, names: list[str]) -> list[str]:
    """Where each name still occurs (whole words, any case), one line per place; no interview text."""
    conn = project.conn
    found: list[str] = []
    try:
        with open(project.path, "rb") as handle:
            raw = handle.read()
    except OSError:
        raw = b""
    for name in names:
        pattern = _pattern(name, ignore_case=True)
        places: dict[str, int] = {}

        def count(place: str, text: Any) -> None:
            if isinstance(text, str):
                number = len(pattern.findall(text))
                if number:
                    places[place] = places.get(place, 0) + number

        for title, text, source in conn.execute("SELECT title, text, source FROM transcripts"):
            count("transcript text", text)
            count("transcript titles and sources", title)
            count("transcript titles and sources", source)
        for speaker, text in conn.execute("SELECT speaker, text FROM lines"):
            count("line texts", text)
            count("speaker labels", speaker)
        for table, columns in _TEXT_COLUMNS.items():
            for row in conn.execute(f'SELECT {", ".join(columns)} FROM "{table}"'):
                for value in row:
                    count(table, value)
        for (payload,) in conn.execute("SELECT payload FROM events"):
            count("history", payload)
        for before, after in conn.execute("SELECT before, after FROM event_changes"):
            count("history", before)
            count("history", after)
        words = [w.casefold() for w in re.findall(r"\w+", name)]
        try:
            conn.execute("DROP TABLE IF EXISTS temp.margin_vocab")
            conn.execute("CREATE VIRTUAL TABLE temp.margin_vocab USING fts5vocab(main, lines_fts, row)")
            for word in words:
                row = conn.execute("SELECT doc FROM temp.margin_vocab WHERE term = ?", (word,)).fetchone()
                if row:
                    places[f"search index (the word '{word}')"] = row[0]
        except sqlite3.Error:
            pass
        finally:
            try:
                conn.execute("DROP TABLE IF EXISTS temp.margin_vocab")
            except sqlite3.Error:
                pass
        in_file = sum(raw.lower().count(variant) for variant in {name.encode("utf-8").lower()})
        for place, number in places.items():
            found.append(f"'{name}': {number} in {place}")
        if in_file and not places:
            found.append(f"'{name}': {in_file} in the file's free space (margin backup to a new file drops it)")
    return found


def window_is_free(path: Any) -> bool:
    """Whether no margin window has the project open (its `flock` is free); call before connecting."""
    try:
        import fcntl
    except ImportError:
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def purge_deleted(project: Project) -> int:
    """Purge the history's images of rows that are deleted now; return how many rows were purged.

    A theme merged into another keeps its name in the history (the theme history shows the merge).

    Their images become `{"id": N, "purged": true}`, their names leave the summaries, and the
    history up to the newest purged change is made final, so undo never replays a purged image.
    """
    conn = project.conn
    deleted = []
    # A theme merged into another was not deleted by anyone wishing it gone: its codings, notes and
    # memos live on in the theme it joined, and its name is part of how that theme came to be.
    for table, row_id in conn.execute(
        "SELECT DISTINCT c.table_name, c.row_id FROM event_changes c JOIN events e ON e.id = c.event_id "
        "WHERE c.after IS NULL AND c.before NOT LIKE '%\"purged\": true%' "
        "AND NOT (c.table_name = 'themes' AND e.action = 'theme.merge')"
    ).fetchall():
        exists = conn.execute(f'SELECT 1 FROM "{table}" WHERE id = ?', (row_id,)).fetchone()
        if exists is None:
            deleted.append((table, row_id))
    if not deleted:
        return 0
    from tui.project.db import transaction

    with transaction(conn):
        newest = 0
        for table, row_id in deleted:
            stub = json.dumps({"id": row_id, "purged": True})
            names = set()
            changes = conn.execute(
                "SELECT id, event_id, before, after FROM event_changes WHERE table_name = ? AND row_id = ?", (table, row_id)
            ).fetchall()
            for change_id, event_id, before, after in changes:
                for image in (before, after):
                    if image:
                        data = json.loads(image)
                        names.update(str(data[k]) for k in ("name", "title") if isinstance(data.get(k), str) and data[k])
                conn.execute(
                    "UPDATE event_changes SET before = ?, after = ? WHERE id = ?",
                    (None if before is None else stub, None if after is None else stub, change_id),
                )
                newest = max(newest, event_id)
            for event_id, payload in conn.execute(
                "SELECT id, payload FROM events WHERE id IN (SELECT event_id FROM event_changes WHERE table_name = ? "
                "AND row_id = ?) OR action IN ('undo', 'redo')",
                (table, row_id),
            ).fetchall():
                data = json.loads(payload or "{}")
                for change in data.get("changes", []):
                    for side in ("before", "after"):
                        image = change.get(side)
                        if change.get("table") == table and image and image.get("id") == row_id:
                            change[side] = {"id": row_id, "purged": True}
                summary = data.get("summary", "")
                for name in names:
                    summary = summary.replace(name, "(deleted)")
                data["summary"] = summary
                conn.execute("UPDATE events SET payload = ? WHERE id = ?", (json.dumps(data, ensure_ascii=False), event_id))
        conn.execute("UPDATE events SET state = 'final' WHERE state = 'done' AND id <= ?", (newest,))
        conn.execute("UPDATE events SET state = 'discarded' WHERE state = 'undone' AND id <= ?", (newest,))
    return len(deleted)
