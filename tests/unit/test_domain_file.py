"""The file: its header, connections, transactions, migrations, settings, coders and backups."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.project import Line, Project, ProjectError, schema
from tui.project import db as dbmod
from tui.project.db import describe_sqlite_error, read_header, transaction


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    project = Project.create(tmp_path / "study.margin", coder="VR")
    yield project
    project.close()


def plain(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


# ---------------------------------------------------------------- header and connection

def test_read_header_of_a_margin_file(project: Project) -> None:
    header = read_header(project.path)
    assert header.is_sqlite and header.size == os.path.getsize(project.path)
    assert (header.application_id, header.user_version) == (schema.APPLICATION_ID, schema.SCHEMA_VERSION)


def test_read_header_of_a_short_file(tmp_path: Path) -> None:
    path = tmp_path / "short"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 83)
    header = read_header(path)
    assert (header.is_sqlite, header.application_id, header.user_version, header.size) == (False, 0, 0, 99)
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 84)
    assert read_header(path).is_sqlite


def test_private_file_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "x"
    dbmod.private_file(path)
    assert os.stat(path).st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError):
        dbmod.private_file(path)


def test_busy_timeout_is_five_seconds(project: Project) -> None:
    assert project.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_a_read_only_connection_cannot_write(project: Project) -> None:
    conn = dbmod.connect(project.path, readonly=True)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("INSERT INTO settings VALUES ('a', 'b')")
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn.close()


def test_new_guid_and_now() -> None:
    guid = dbmod.new_guid()
    assert len(guid) == 36 and guid == guid.lower() and guid.count("-") == 4
    stamp = dbmod.now()
    assert stamp.endswith("Z") and len(stamp) == 20


# ---------------------------------------------------------------- transactions

def test_a_transaction_commits_or_rolls_back(tmp_path: Path) -> None:
    conn = dbmod.connect(tmp_path / "t.db")
    conn.execute("CREATE TABLE t (x)")
    with transaction(conn):
        assert conn.in_transaction
        conn.execute("INSERT INTO t VALUES (1)")
    assert not conn.in_transaction
    with pytest.raises(ZeroDivisionError):
        with transaction(conn):
            conn.execute("INSERT INTO t VALUES (2)")
            1 / 0
    assert conn.execute("SELECT x FROM t").fetchall() == [(1,)]
    assert not conn.in_transaction


def test_a_transaction_inside_another_is_a_savepoint(tmp_path: Path) -> None:
    conn = dbmod.connect(tmp_path / "t.db")
    conn.execute("CREATE TABLE t (x)")
    with transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(KeyError):
            with transaction(conn):
                conn.execute("INSERT INTO t VALUES (2)")
                raise KeyError
        assert conn.in_transaction
        with transaction(conn):
            conn.execute("INSERT INTO t VALUES (3)")
        assert conn.in_transaction
    assert conn.execute("SELECT x FROM t ORDER BY x").fetchall() == [(1,), (3,)]


def test_a_transaction_takes_the_write_lock_at_once(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    conn = dbmod.connect(path)
    conn.execute("CREATE TABLE t (x)")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with transaction(conn):
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.close()


# ---------------------------------------------------------------- error messages

@pytest.mark.parametrize("text, expected", [
    ("attempt to write a readonly database", "x.margin: cannot write: the file or its folder is read-only"),
    ("database or disk is full", "x.margin: cannot write: the disk is full (nothing was changed)"),
    ("database is locked", "x.margin: the project is busy in another program; try again in a moment"),
    ("UNIQUE constraint failed: index 'themes_unique_name'", "a theme of that name already exists there"),
    ("UNIQUE constraint failed: codings.transcript_id", "those lines are already tagged with that theme"),
    ("database disk image is malformed", "x.margin: the file is damaged ("),
    ("file is not a database", "x.margin: the file is damaged"),
    ("no such table: x", "x.margin: no such table: x"),
])
def test_describe_sqlite_error(text: str, expected: str) -> None:
    assert describe_sqlite_error(Path("x.margin"), sqlite3.OperationalError(text)).startswith(expected)


# ---------------------------------------------------------------- backups

def test_backup_is_a_private_consistent_copy(project: Project, tmp_path: Path) -> None:
    project.create_theme("Lost")
    project.backup(tmp_path / "copy.margin")
    with Project.open(tmp_path / "copy.margin") as copy:
        assert [t.name for t in copy.themes()] == ["Lost"]
    assert not list(tmp_path.glob(".*.part"))


def test_backup_refuses_an_existing_file_or_a_missing_folder(project: Project, tmp_path: Path) -> None:
    (tmp_path / "there").write_text("keep")
    with pytest.raises(ProjectError, match="already exists"):
        project.backup(tmp_path / "there")
    assert (tmp_path / "there").read_text() == "keep"
    with pytest.raises(ProjectError, match="does not exist"):
        project.backup(tmp_path / "nowhere" / "copy.margin")


def test_a_failed_backup_leaves_no_part_file(project: Project, tmp_path: Path) -> None:
    closed = sqlite3.connect(":memory:")
    closed.close()
    with pytest.raises(sqlite3.ProgrammingError):
        dbmod.backup_file(closed, tmp_path / "copy.margin")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["study.margin"]


# ---------------------------------------------------------------- migrations

def test_migrate_runs_only_what_is_pending(tmp_path: Path) -> None:
    conn = plain(tmp_path / "m.db")
    assert schema.migrate(conn, target=2) == 0
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert conn.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
    assert schema.migrate(conn, target=2) == 2
    assert schema.migrate(conn) == 2
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert schema.migrate(conn, target=1) == schema.SCHEMA_VERSION
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION  # never lowered
    assert not conn.in_transaction


def test_a_failed_migration_is_rolled_back_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = plain(tmp_path / "m.db")
    schema.migrate(conn, target=1)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise KeyError("simulated")

    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS[:2], broken))
    with pytest.raises(KeyError):
        schema.migrate(conn, target=3)
    assert not conn.in_transaction
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "half_done" not in names and "lines_fts" not in names  # version 2 was undone with it


def test_run_script_keeps_a_trigger_whole(tmp_path: Path) -> None:
    conn = plain(tmp_path / "m.db")
    conn.execute("BEGIN")
    schema._run_script(conn, """
        CREATE TABLE a (x);
        CREATE TABLE b (x);
        CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (new.x); INSERT INTO b VALUES (0); END;
        ;
    """)
    assert conn.in_transaction
    conn.execute("INSERT INTO a VALUES (7)")
    assert conn.execute("SELECT x FROM b").fetchall() == [(7,), (0,)]


def test_display_cells() -> None:
    assert schema.display_cells("plain") == 5
    assert schema.display_cells("café") == 4
    assert schema.display_cells("日本") == 4
    assert schema.display_cells("\u10ff") == 1
    assert schema.display_cells("\u1100") == 2
    assert schema.display_cells("\uff01") == 2  # fullwidth
    assert schema.display_cells("\u2126") == 2  # from U+1100 on, every character counts two


def test_version_3_adds_line_cells(tmp_path: Path) -> None:
    conn = plain(tmp_path / "m.db")
    schema.migrate(conn, target=2)
    conn.execute("INSERT INTO participants (guid, pseudonym, created_at) VALUES ('p', 'P01', 'now')")
    conn.execute("INSERT INTO transcripts (guid, title, text, imported_at) VALUES ('t', 'T', '日本 x', 'now')")
    conn.execute("INSERT INTO lines (transcript_id, number, text, start, \"end\") VALUES (1, 1, '日本 x', 0, 4)")
    schema.migrate(conn, target=3)
    assert conn.execute("SELECT cells FROM lines").fetchone() == (6,)


def test_version_4_resolves_duplicates_and_copies_old_events(tmp_path: Path) -> None:
    conn = plain(tmp_path / "m.db")
    schema.migrate(conn, target=3)
    conn.execute("INSERT INTO transcripts (guid, title, text, imported_at) VALUES ('t', 'T', 'a\nb', 'now')")
    for n, text, start in ((1, "a", 0), (2, "b", 2)):
        conn.execute('INSERT INTO lines (transcript_id, number, text, start, "end") VALUES (1, ?, ?, ?, ?)',
                     (n, text, start, start + 1))
    for guid, name in (("a", "Lost"), ("b", "lost"), ("c", "Lost (2)"), ("d", "LOST"), ("e", "Found")):
        conn.execute("INSERT INTO themes (guid, name, level, created_at) VALUES (?, ?, 'statement', 'now')", (guid, name))
    conn.execute("INSERT INTO themes (guid, name, parent_id, level, created_at) VALUES ('f', 'Lost', 5, 'statement', 'now')")
    for guid in ("c1", "c2"):
        conn.execute("INSERT INTO codings (guid, transcript_id, first_line, last_line, theme_id, created_at) "
                     "VALUES (?, 1, 1, 2, 1, 'now')", (guid,))
    conn.execute("INSERT INTO codings (guid, transcript_id, first_line, last_line, theme_id, created_at) "
                 "VALUES ('c3', 1, 1, 1, 1, 'now')")
    row = {"id": 1, "name": "Lost"}
    payload = {"summary": "s", "changes": [{"table": "themes", "before": None, "after": row},
                                          {"table": "themes", "before": row, "after": None}]}
    conn.execute("INSERT INTO events (at, action, payload) VALUES ('now', 'x', ?)", (json.dumps(payload),))
    conn.execute("INSERT INTO events (at, action, payload) VALUES ('now', 'y', 'not json')")
    conn.execute("INSERT INTO events (at, action, payload) VALUES ('now', 'z', '[1]')")
    schema.migrate(conn)
    names = [r[0] for r in conn.execute("SELECT name FROM themes ORDER BY id")]
    assert names == ["Lost", "lost (3)", "Lost (2)", "LOST (4)", "Found", "Lost"]
    assert conn.execute("SELECT guid FROM codings ORDER BY id").fetchall() == [("c1",), ("c3",)]
    assert conn.execute("SELECT line_count FROM transcripts").fetchone() == (2,)
    assert conn.execute("SELECT event_id, table_name, row_id, before, after FROM event_changes ORDER BY id").fetchall() == [
        (1, "themes", 1, None, json.dumps(row)), (1, "themes", 1, json.dumps(row), None),
    ]
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO themes (guid, name, level, created_at) VALUES ('g', 'found', 'statement', 'now')")


# ---------------------------------------------------------------- create, open, settings, coders

def test_create_sets_method_title_and_refuses_bad_input(tmp_path: Path) -> None:
    with Project.create(tmp_path / "ta.margin", method="ta", title="Nurses") as project:
        assert (project.method, project.title, project.levels) == ("ta", "Nurses", ("code", "theme"))
        assert project.setting("created_at").endswith("Z")
        assert project.setting("missing", "default") == "default"
    with Project.create(tmp_path / "plain.margin") as project:
        assert (project.method, project.title, project.coder) == ("ipa", "plain", None)
    with pytest.raises(ProjectError, match="unknown method 'gt': choose one of ipa, ta"):
        Project.create(tmp_path / "gt.margin", method="gt")
    with pytest.raises(ProjectError, match="does not exist"):
        Project.create(tmp_path / "no" / "x.margin")
    assert not (tmp_path / "gt.margin").exists()


def test_a_failed_create_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(conn: sqlite3.Connection, target: int = 0) -> int:
        raise sqlite3.OperationalError("simulated")

    monkeypatch.setattr(schema, "migrate", broken)
    with pytest.raises(sqlite3.OperationalError):
        Project.create(tmp_path / "x.margin")
    assert not (tmp_path / "x.margin").exists()


def test_open_refuses_what_is_not_there(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no such file"):
        Project.open(tmp_path / "none.margin")
    with pytest.raises(ProjectError, match="is a folder"):
        Project.open(tmp_path)


def test_open_read_only_refuses_an_older_file_unless_copying(tmp_path: Path) -> None:
    path = tmp_path / "v3.margin"
    conn = plain(path)
    schema.migrate(conn, target=3)
    conn.close()
    with pytest.raises(ProjectError, match=r"made by an older margin \(file version 3\)"):
        Project.open(path, readonly=True)
    Project.open(path, readonly=True, any_version=True).close()
    assert read_header(path).user_version == 3


def test_settings_are_replaced(project: Project) -> None:
    with transaction(project.conn):
        project._set_setting("title", "Second")
    assert project.title == "Second"
    assert project.schema_version == schema.SCHEMA_VERSION


def test_set_coder(project: Project) -> None:
    project.create_theme("A")
    project.set_coder("  AB ")
    assert project.coder == "AB"
    project.create_theme("B")
    assert [c.name for c in project.coders()] == ["AB", "VR"]
    assert project.history(1)[0].coder == "AB"
    with pytest.raises(ProjectError, match="needs a name"):
        project.set_coder(" ")


def test_a_known_coder_is_found_not_made_again(project: Project) -> None:
    project.create_theme("A")
    project.close()
    with Project.open(project.path, coder="VR") as again:
        again.create_theme("B")
        assert len(again.coders()) == 1
    project.conn = dbmod.connect(project.path)


def test_no_coder_records_none(tmp_path: Path) -> None:
    with Project.create(tmp_path / "anon.margin") as project:
        theme = project.create_theme("A")
        assert project.history(1)[0].coder is None and project.coders() == []
        assert project._coder_id_if_known() is None
        project.import_transcript(title="T", text="a", lines=[Line(1, None, "a", 0, 1)], participant=None)
        assert project.tag(1, 1, 1, theme.id).coder_id is None


def test_lock_is_released_on_close(project: Project) -> None:
    project.lock()
    project.close()
    other = Project.open(project.path)
    other.lock()
    other.close()
    project.conn = dbmod.connect(project.path)


def test_read_header_reads_the_right_bytes(tmp_path: Path) -> None:
    head = bytearray(b"SQLite format 3\x00" + b"\x00" * 84)
    head[60:64] = (0x01000002).to_bytes(4, "big")
    head[64:68] = b"\xff\xff\xff\xff"
    head[68:72] = (0x01020304).to_bytes(4, "big")
    path = tmp_path / "h"
    path.write_bytes(bytes(head))
    header = read_header(path)
    assert (header.user_version, header.application_id) == (0x01000002, 0x01020304)


def test_private_file_leaves_no_descriptor_open(tmp_path: Path) -> None:
    before = len(os.listdir("/proc/self/fd"))
    dbmod.private_file(tmp_path / "x")
    assert len(os.listdir("/proc/self/fd")) == before


def test_deleted_text_is_overwritten(project: Project) -> None:
    assert project.conn.execute("PRAGMA secure_delete").fetchone()[0] == 1


def test_a_project_held_by_another_program_is_busy(project: Project) -> None:
    other = sqlite3.connect(project.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    project.conn.execute("PRAGMA busy_timeout = 50")
    try:
        with pytest.raises(dbmod.ProjectBusy, match=r"busy in another program \(waited 5 s\); nothing was changed"):
            project.create_theme("A")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert project.themes() == []
