"""The project file's schema: tables, indexes, views, and the migrations that build them.

A project's `PRAGMA user_version` is the number of migrations applied to it. Each migration is a
function of the connection; `migrate` runs the pending ones inside one transaction, so a file is
either wholly at the old version or wholly at the new one.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections.abc import Callable

#: `PRAGMA application_id` of every margin project: "MRGN" in ASCII.
APPLICATION_ID = 0x4D52474E

_BASE_TABLES = """
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE coders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE participants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guid TEXT NOT NULL UNIQUE,
    pseudonym TEXT NOT NULL UNIQUE,
    attributes TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);
CREATE TABLE transcripts (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    participant_id INTEGER REFERENCES participants(id),
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL DEFAULT 'txt',
    encoding TEXT NOT NULL DEFAULT 'utf-8',
    width INTEGER NOT NULL DEFAULT 72,
    imported_at TEXT NOT NULL
);
CREATE TABLE lines (
    id INTEGER PRIMARY KEY,
    transcript_id INTEGER NOT NULL REFERENCES transcripts(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    speaker TEXT,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    turn_start INTEGER NOT NULL DEFAULT 0,
    label_length INTEGER NOT NULL DEFAULT 0,
    timestamp TEXT,
    UNIQUE (transcript_id, number)
);
CREATE TABLE themes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    parent_id INTEGER REFERENCES themes(id),
    level TEXT NOT NULL,
    participant_id INTEGER REFERENCES participants(id),
    description TEXT NOT NULL DEFAULT '',
    colour TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE codings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guid TEXT NOT NULL UNIQUE,
    transcript_id INTEGER NOT NULL REFERENCES transcripts(id),
    first_line INTEGER NOT NULL,
    last_line INTEGER NOT NULL,
    theme_id INTEGER NOT NULL REFERENCES themes(id),
    coder_id INTEGER REFERENCES coders(id),
    created_at TEXT NOT NULL,
    CHECK (first_line >= 1 AND last_line >= first_line)
);
CREATE TABLE notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guid TEXT NOT NULL UNIQUE,
    transcript_id INTEGER NOT NULL REFERENCES transcripts(id),
    first_line INTEGER NOT NULL,
    last_line INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('descriptive', 'linguistic', 'conceptual')),
    body TEXT NOT NULL,
    coder_id INTEGER REFERENCES coders(id),
    created_at TEXT NOT NULL,
    CHECK (first_line >= 1 AND last_line >= first_line)
);
CREATE TABLE memos (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guid TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    participant_id INTEGER REFERENCES participants(id),
    transcript_id INTEGER REFERENCES transcripts(id),
    theme_id INTEGER REFERENCES themes(id)
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    coder_id INTEGER REFERENCES coders(id),
    action TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('done', 'undone', 'discarded', 'final'))
);
CREATE INDEX lines_by_transcript ON lines (transcript_id, number);
CREATE INDEX codings_by_transcript ON codings (transcript_id, first_line, last_line);
CREATE INDEX codings_by_theme ON codings (theme_id);
CREATE INDEX notes_by_transcript ON notes (transcript_id, first_line, last_line);
CREATE INDEX themes_by_parent ON themes (parent_id);
CREATE INDEX events_by_state ON events (state, id);
"""

_VIEWS = """
CREATE VIEW coded_extracts AS
SELECT
    codings.id AS coding_id,
    themes.name AS theme,
    themes.level AS level,
    participants.pseudonym AS participant,
    transcripts.title AS transcript,
    codings.first_line AS first_line,
    codings.last_line AS last_line,
    CASE WHEN codings.first_line = codings.last_line
         THEN CAST(codings.first_line AS TEXT)
         ELSE codings.first_line || '-' || codings.last_line END AS lines,
    (SELECT substr(transcripts.text, first.start + 1, last."end" - first.start)
       FROM lines AS first, lines AS last
      WHERE first.transcript_id = codings.transcript_id AND first.number = codings.first_line
        AND last.transcript_id = codings.transcript_id AND last.number = codings.last_line
    ) AS text,
    coders.name AS coder,
    codings.created_at AS created_at
FROM codings
JOIN themes ON themes.id = codings.theme_id
JOIN transcripts ON transcripts.id = codings.transcript_id
LEFT JOIN participants ON participants.id = transcripts.participant_id
LEFT JOIN coders ON coders.id = codings.coder_id;

CREATE VIEW get_table AS
WITH RECURSIVE descendants(get_id, theme_id) AS (
    SELECT id, id FROM themes WHERE level IN ('get', 'theme') AND parent_id IS NULL
    UNION ALL
    SELECT descendants.get_id, themes.id
      FROM themes JOIN descendants ON themes.parent_id = descendants.theme_id
)
SELECT
    gets.name AS get,
    participants.pseudonym AS participant,
    COUNT(DISTINCT codings.id) AS extracts,
    GROUP_CONCAT(DISTINCT transcripts.title) AS transcripts
FROM descendants
JOIN themes AS gets ON gets.id = descendants.get_id
JOIN codings ON codings.theme_id = descendants.theme_id
JOIN transcripts ON transcripts.id = codings.transcript_id
LEFT JOIN participants ON participants.id = transcripts.participant_id
GROUP BY gets.id, participants.id
ORDER BY gets.name, participants.pseudonym;
"""


def _v1_base_tables(conn: sqlite3.Connection) -> None:
    """Version 1: the tables of DESIGN.md section 3."""
    _run_script(conn, _BASE_TABLES)


def _v2_search_and_views(conn: sqlite3.Connection) -> None:
    """Version 2: full-text search over lines, and the views other tools read."""
    conn.execute(
        "CREATE VIRTUAL TABLE lines_fts USING FTS5 ("
        "text, content='lines', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    conn.execute("INSERT INTO lines_fts (lines_fts) VALUES ('rebuild')")
    _run_script(conn, _VIEWS)


def display_cells(text: str) -> int:
    """An upper bound of the terminal cells `text` takes (exact for ASCII).

    Every character from U+1100 on counts two, since terminals disagree about emoji and symbols;
    a screen checks the lines this selects with its own measure.
    """
    if text.isascii():
        return len(text)
    return sum(2 if ord(c) >= 0x1100 or unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _v3_line_cells(conn: sqlite3.Connection) -> None:
    """Version 3: each line's width in terminal cells, indexed, so a screen finds the lines it must wrap."""
    conn.execute("ALTER TABLE lines ADD COLUMN cells INTEGER NOT NULL DEFAULT 0")
    conn.create_function("margin_cells", 1, display_cells, deterministic=True)
    conn.execute("UPDATE lines SET cells = margin_cells(text)")
    conn.execute("CREATE INDEX lines_by_cells ON lines (transcript_id, cells)")


_V4_ANALYSIS = """
ALTER TABLE memos ADD COLUMN stage TEXT;
ALTER TABLE memos ADD COLUMN coding_id INTEGER REFERENCES codings(id);
ALTER TABLE memos ADD COLUMN coder_id INTEGER REFERENCES coders(id);
ALTER TABLE memos ADD COLUMN updated_at TEXT;
ALTER TABLE themes ADD COLUMN strategy TEXT;
ALTER TABLE codings ADD COLUMN key_quote INTEGER NOT NULL DEFAULT 0;
ALTER TABLE participants ADD COLUMN case_done_at TEXT;
ALTER TABLE transcripts ADD COLUMN line_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN transcript_id INTEGER;
ALTER TABLE events ADD COLUMN first_line INTEGER;
ALTER TABLE events ADD COLUMN last_line INTEGER;
ALTER TABLE events ADD COLUMN theme_id INTEGER;
CREATE TABLE event_changes (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    table_name TEXT NOT NULL,
    row_id INTEGER NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX event_changes_by_row ON event_changes (table_name, row_id);
CREATE INDEX event_changes_by_event ON event_changes (event_id);
CREATE INDEX events_by_transcript ON events (transcript_id, id);
CREATE TABLE divergences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guid TEXT NOT NULL UNIQUE,
    theme_id INTEGER NOT NULL REFERENCES themes(id),
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    coding_id INTEGER REFERENCES codings(id),
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (theme_id, participant_id)
);
CREATE TABLE sessions (
    coder_id INTEGER PRIMARY KEY REFERENCES coders(id),
    transcript_id INTEGER REFERENCES transcripts(id) ON DELETE SET NULL,
    line INTEGER NOT NULL DEFAULT 1,
    layout TEXT NOT NULL DEFAULT 'coding',
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE drafts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    coder_id INTEGER REFERENCES coders(id),
    kind TEXT NOT NULL,
    ref TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
"""

_V4_UNIQUE = """
CREATE UNIQUE INDEX codings_once ON codings (transcript_id, theme_id, first_line, last_line);
CREATE UNIQUE INDEX themes_unique_name ON themes (ifnull(parent_id, 0), ifnull(participant_id, 0), name COLLATE NOCASE);
"""


def _v4_analysis_and_rules(conn: sqlite3.Connection) -> None:
    """Version 4: what the analysis records, the rules the schema enforces, queryable history.

    - memos get a stage, a coding they are about, their coder and an edit time; themes the
      strategy that formed them; codings a key-quote mark; participants a case-done time;
      transcripts their line count; new tables divergences, sessions and drafts.
    - events get the place of a change (transcript, lines, theme), and every row change of every
      old event is copied into `event_changes` from its JSON payload. Old events' row images lack
      the new columns: undoing them leaves those columns at their defaults.
    - one coding per theme and line range, and theme names unique under one parent within one
      participant scope, are unique indexes. Duplicates made by older versions are resolved
      first: a repeated coding is deleted (it coded nothing new), a repeated theme name gets
      " (2)", " (3)" appended, so nothing a researcher made is lost.
    """
    _run_script(conn, _V4_ANALYSIS)
    conn.execute(
        "UPDATE transcripts SET line_count = (SELECT COUNT(*) FROM lines WHERE lines.transcript_id = transcripts.id)"
    )
    conn.execute(
        "DELETE FROM codings WHERE id NOT IN (SELECT MIN(id) FROM codings "
        "GROUP BY transcript_id, theme_id, first_line, last_line)"
    )
    seen: dict[tuple[int, int, str], int] = {}
    for theme_id, parent_id, participant_id, name in conn.execute(
        "SELECT id, parent_id, participant_id, name FROM themes ORDER BY id"
    ).fetchall():
        key = (parent_id or 0, participant_id or 0, name.casefold())
        if key in seen:
            taken = {n.casefold() for (n,) in conn.execute(
                "SELECT name FROM themes WHERE ifnull(parent_id, 0) = ? AND ifnull(participant_id, 0) = ?",
                (key[0], key[1]),
            )}
            number = 2
            while f"{name} ({number})".casefold() in taken:
                number += 1
            conn.execute("UPDATE themes SET name = ? WHERE id = ?", (f"{name} ({number})", theme_id))
        else:
            seen[key] = theme_id
    for event_id, payload in conn.execute("SELECT id, payload FROM events").fetchall():
        try:
            changes = json.loads(payload).get("changes", [])
        except (ValueError, AttributeError):
            continue
        for change in changes:
            row = change.get("after") or change.get("before") or {}
            conn.execute(
                "INSERT INTO event_changes (event_id, table_name, row_id, before, after) VALUES (?, ?, ?, ?, ?)",
                (event_id, change.get("table"), row.get("id"),
                 None if change.get("before") is None else json.dumps(change["before"], ensure_ascii=False),
                 None if change.get("after") is None else json.dumps(change["after"], ensure_ascii=False)),
            )
    _run_script(conn, _V4_UNIQUE)


#: Every transcript column but the text. A transcript's text is stored in its row, before the
#: columns added later, so reading even its line count walked the text's overflow pages (7 MB at
#: 100,000 lines; listing a 1,000,000-line study read all of it). This index answers for them.
TRANSCRIPT_METADATA_INDEX = "transcripts_metadata"


def _v5_transcript_metadata(conn: sqlite3.Connection) -> None:
    """Version 5: transcripts are listed and counted from an index without their text."""
    conn.execute(
        f"CREATE INDEX IF NOT EXISTS {TRANSCRIPT_METADATA_INDEX} ON transcripts "
        "(id, guid, participant_id, title, source, line_count, width, imported_at)"
    )


#: The migrations, in order: applying the first n gives schema version n.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _v1_base_tables,
    _v2_search_and_views,
    _v3_line_cells,
    _v4_analysis_and_rules,
    _v5_transcript_metadata,
)

SCHEMA_VERSION = len(MIGRATIONS)


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run `;`-separated statements one by one, inside the caller's transaction."""
    # executescript() would COMMIT first; splitting keeps the migration in one transaction.
    statement = ""
    for part in script.split(";"):
        statement += part
        if sqlite3.complete_statement(statement + ";"):
            if statement.strip():
                conn.execute(statement)
            statement = ""
        else:
            statement += ";"


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Apply pending migrations up to `target` in one transaction; return the old version."""
    old = conn.execute("PRAGMA user_version").fetchone()[0]
    if old >= target:
        return old
    conn.execute("BEGIN IMMEDIATE")
    try:
        for step in MIGRATIONS[old:target]:
            step(conn)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {int(target)}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return old
