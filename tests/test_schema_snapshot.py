"""The schema snapshot (mlpath/store/schema.sql): a database with no schema at all is created from it, in one
transaction and without Alembic, and it is exactly what migrating a new database from nothing to HEAD yields.
Older databases are still upgraded by Alembic (tests/test_migrations.py)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from mlpath.store import db, snapshot

REGENERATE = f"{db.SNAPSHOT.name} is not what the migrations make; regenerate it: {snapshot.COMMAND}"


def _image(path: Path) -> dict:
    """Everything a new database holds, compared independently of mlpath.store.snapshot: the schema objects
    (type, name, table, CREATE text with its whitespace normalised), every table's rows (internal ones too) and
    the header settings."""
    conn = sqlite3.connect(path)
    try:
        master = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
        image = {("object", kind, name): (table, " ".join(sql.split()) if sql else None)
                 for kind, name, table, sql in master}
        for kind, name, _table, _sql in master:
            if kind == "table":
                rows = conn.execute(f'SELECT * FROM "{name}"').fetchall()
                image[("rows", name)] = sorted(rows, key=repr)
        for pragma in ("user_version", "application_id", "encoding", "auto_vacuum", "journal_mode"):
            image[("pragma", pragma)] = conn.execute(f"PRAGMA {pragma}").fetchone()[0]
        return image
    finally:
        conn.close()


def _differences(a: dict, b: dict) -> str:
    keys = sorted({k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}, key=repr)
    return ", ".join(" ".join(k) for k in keys)


def _migrated(tmp_path: Path) -> Path:
    path = tmp_path / "migrated.db"
    db.migrate(path)  # Alembic, from nothing to HEAD
    assert _image(path)[("rows", "alembic_version")] == [(db.HEAD,)]
    return path


def _from_snapshot(path: Path, monkeypatch) -> Path:
    """Open a new database the way every command does, failing if it went through Alembic."""
    with monkeypatch.context() as m:
        m.setattr(db, "migrate", lambda *a, **k: pytest.fail("a new database went through Alembic"))
        db.connect(path).close()
    return path


def _objects(path: Path) -> list:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT type, name FROM sqlite_master").fetchall()
    finally:
        conn.close()


# --- the snapshot is what the migrations make ---------------------------------------------------------------------

def test_a_new_database_is_exactly_what_migrating_from_nothing_makes(tmp_path, monkeypatch):
    migrated = _image(_migrated(tmp_path))
    created_path = _from_snapshot(tmp_path / "created.db", monkeypatch)
    created = _image(created_path)
    if created != migrated:
        pytest.fail(f"{REGENERATE} (differs in: {_differences(created, migrated)})", pytrace=False)
    conn = db.connect(created_path)
    try:
        assert db.schema_version(conn) == db.HEAD
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        conn.close()


def test_the_snapshot_is_of_head():
    revision, statements = db.snapshot_statements(db.SNAPSHOT.read_text(encoding="utf-8"))
    assert revision == db.HEAD, REGENERATE
    assert f"INSERT INTO \"alembic_version\" (\"version_num\") VALUES ('{db.HEAD}')" in statements, REGENERATE


def test_the_generator_writes_every_kind_of_object_and_row_back(tmp_path, monkeypatch):
    """What future migrations might leave: views, WITHOUT ROWID and AUTOINCREMENT tables, awkward values, header
    settings. dump() of such a database, read back by db.connect, makes the same database."""
    source = tmp_path / "source.db"
    conn = sqlite3.connect(source, isolation_level=None)
    conn.executescript(f"""
        CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
        INSERT INTO alembic_version VALUES ('{db.HEAD}');
        CREATE TABLE counter (n INTEGER NOT NULL);  -- before parent: its row is there when parent's come
        INSERT INTO counter VALUES (0);
        CREATE TABLE child (parent_id INTEGER NOT NULL REFERENCES parent (id),  -- a comment; with a semicolon
                            "odd ""name"" x" TEXT, PRIMARY KEY (parent_id, "odd ""name"" x")) WITHOUT ROWID;
        CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, data BLOB, x REAL);
        INSERT INTO parent (id, name, data, x) VALUES (1, 'it''s; two
lines -- not a comment', X'00FF10', 0.1), (2, NULL, NULL, -1e300), (7, 'é ✓', X'', 1.0000000000000002);
        DELETE FROM parent WHERE id = 7;
        INSERT INTO child VALUES (2, 'its rows come first: foreign keys are checked at COMMIT');
        CREATE INDEX ix_parent_name ON parent (name) WHERE name IS NOT NULL;
        CREATE VIEW named AS SELECT id, name FROM parent WHERE name IS NOT NULL;
        CREATE TRIGGER parent_count AFTER INSERT ON parent BEGIN UPDATE counter SET n = n + 1; END;
        PRAGMA user_version = 42;
        PRAGMA application_id = 1836084336;
    """)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    text = snapshot.dump(source)
    assert text.count("CREATE TRIGGER") == 1 and text.count("INSERT INTO \"parent\"") == 2
    snap = tmp_path / "schema.sql"
    snap.write_text(text, encoding="utf-8")
    monkeypatch.setattr(db, "SNAPSHOT", snap)
    created = _from_snapshot(tmp_path / "created.db", monkeypatch)
    assert _image(created) == _image(source)
    conn = sqlite3.connect(created)
    try:
        assert conn.execute("SELECT n FROM counter").fetchone()[0] == 0, "the trigger counted the snapshot's rows"
        assert conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'parent'").fetchone()[0] == 7
    finally:
        conn.close()
    assert snapshot.dump(created) == text


def test_reading_a_snapshot_back():
    revision, statements = db.snapshot_statements(
        "-- a comment\n-- revision: 0042_x\n\nCREATE TABLE t (a);\n\n-- between\nCREATE TRIGGER g AFTER INSERT ON t "
        "BEGIN\n  UPDATE t SET a = ';';\n  DELETE FROM t;\nEND;\nINSERT INTO t VALUES ('x;\n-- y');\n")
    assert revision == "0042_x"
    assert statements == ["CREATE TABLE t (a)",
                          "CREATE TRIGGER g AFTER INSERT ON t BEGIN\n  UPDATE t SET a = ';';\n  DELETE FROM t;\nEND",
                          "INSERT INTO t VALUES ('x;\n-- y')"]
    with pytest.raises(ValueError, match="ends inside a statement"):
        db.snapshot_statements("-- revision: 1\nCREATE TABLE t (a\n")


def test_the_generator_checks_the_shipped_file():
    """`python -m mlpath.store.snapshot --check` agrees that the shipped snapshot is current (byte for byte)."""
    result = subprocess.run([sys.executable, "-m", "mlpath.store.snapshot", "--check"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr.strip() or REGENERATE


# --- the first command in a new folder ----------------------------------------------------------------------------

def _imported(args: list[str], home: Path, mini: Path) -> tuple[set[str], subprocess.CompletedProcess]:
    env = {**os.environ, "MLPATH_HOME": str(home), "MLPATH_CONTENT": str(mini)}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "mlpath", *args], capture_output=True,
                            text=True, env=env, timeout=120, cwd=str(home.parent))
    modules = {line.rsplit("|", 1)[1].strip().split(".")[0] for line in result.stderr.splitlines()
               if line.startswith("import time:") and "|" in line}
    return modules, result


def test_the_first_command_in_a_new_folder_does_not_import_alembic(tmp_path, mini):
    home = tmp_path / "new"
    modules, result = _imported(["progress", "--json"], home, mini)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "mlpath" in modules  # the import log is read right
    assert not {"alembic", "sqlalchemy"} & modules
    conn = db.connect(home / "mlpath.db")
    try:
        assert db.schema_version(conn) == db.HEAD
        assert conn.execute("SELECT COUNT(*) FROM topic").fetchone()[0] > 0
    finally:
        conn.close()

    # while an older database is still upgraded by Alembic
    old = tmp_path / "old"
    old.mkdir()
    db.migrate(old / "mlpath.db", db.REVISIONS[-2])
    modules, result = _imported(["progress", "--json"], old, mini)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "alembic" in modules
    conn = sqlite3.connect(old / "mlpath.db")
    try:
        assert db.schema_version(conn) == db.HEAD
    finally:
        conn.close()


# --- all or nothing, once -----------------------------------------------------------------------------------------

def _interrupted(after: int, interrupt):
    real = db._head_statements

    def statements():
        for i, statement in enumerate(real()):
            if i == after:
                interrupt()
            yield statement
    return statements


def test_an_interrupted_creation_leaves_no_schema(tmp_path, monkeypatch):
    path = tmp_path / "mlpath.db"
    count = len(db._head_statements())
    assert count > 10

    def boom():
        raise RuntimeError("interrupted")

    with monkeypatch.context() as m:
        m.setattr(db, "_head_statements", _interrupted(count // 2, boom))
        with pytest.raises(RuntimeError, match="interrupted"):
            db.connect(path)
    assert path.exists() and _objects(path) == []
    created = _from_snapshot(path, monkeypatch)  # the next open creates it cleanly
    assert _image(created) == _image(_from_snapshot(tmp_path / "clean.db", monkeypatch))


def test_a_process_killed_during_creation_leaves_no_schema(tmp_path, monkeypatch):
    path = tmp_path / "mlpath.db"
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from mlpath.store import db\n"
        "real = db._head_statements\n"
        "def statements():\n"
        "    made = real()\n"
        "    for i, s in enumerate(made):\n"
        "        if i == len(made) - 2:\n"
        "            os._exit(9)  # killed, its transaction still open\n"
        "        yield s\n"
        "db._head_statements = statements\n"
        "db.connect(Path(sys.argv[1]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 9, result.stderr
    assert _objects(path) == []
    conn = db.connect(path)
    try:
        assert db.schema_version(conn) == db.HEAD
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def test_a_schema_made_meanwhile_by_another_mlpath_is_not_made_again(tmp_path, monkeypatch):
    """Between the first look (no schema) and the lock, another mlpath migrated the file: the creation looks again
    under the lock and uses what is there."""
    path = tmp_path / "mlpath.db"
    real = db._lock
    entered = []

    @contextmanager
    def lock_after_another_mlpath(at: Path):
        entered.append(at)
        monkeypatch.setattr(db, "_lock", real)
        db.migrate(at)  # the other mlpath (Alembic, under the real lock)
        with real(at):
            yield

    monkeypatch.setattr(db, "_lock", lock_after_another_mlpath)
    conn = db.connect(path)
    try:
        assert db.schema_version(conn) == db.HEAD
    finally:
        conn.close()
    assert entered == [path]
    assert _image(path) == _image(_migrated(tmp_path))


def test_a_schema_committed_between_two_looks_is_not_taken_for_another_applications(tmp_path):
    """Opening a new file looks for mlpath's schema version, then for tables: another mlpath committing the whole
    schema between the two looks must not make the file look like another application's (tables, no version)."""
    path = tmp_path / "mlpath.db"
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode = WAL")  # as every mlpath connection: readers and a writer at once
    setup.close()

    class CreatedMeanwhile(sqlite3.Connection):
        looks = 0

        def execute(self, sql, *args):
            result = super().execute(sql, *args)
            if "sqlite_master" in sql:
                CreatedMeanwhile.looks += 1
                if CreatedMeanwhile.looks == 1:  # right after the first look, another mlpath creates the schema
                    db.connect(path).close()
            return result

    conn = sqlite3.connect(path, factory=CreatedMeanwhile, isolation_level=None)
    try:
        db._refuse_foreign(conn, path)  # sees the file as it was at the first look: empty
        assert CreatedMeanwhile.looks >= 2 and not conn.in_transaction
        assert db.schema_version(conn) == db.HEAD
    finally:
        conn.close()


def test_first_opens_racing_in_threads_make_one_schema(tmp_path):
    path = tmp_path / "mlpath.db"
    barrier = threading.Barrier(6)
    errors, versions = [], []

    def first_open():
        try:
            barrier.wait()
            conn = db.connect(path)
            versions.append(db.schema_version(conn))
            conn.close()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=first_open) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and versions == [db.HEAD] * 6
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT COUNT(*) FROM alembic_version").fetchone()[0] == 1
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


# --- what stays with Alembic --------------------------------------------------------------------------------------

@pytest.mark.parametrize("snapshot_file", ["missing", "older", "cut short"])
def test_without_a_head_snapshot_alembic_creates_the_database(tmp_path, monkeypatch, snapshot_file):
    stale = tmp_path / "schema.sql"
    text = db.SNAPSHOT.read_text(encoding="utf-8")
    if snapshot_file == "older":
        stale.write_text(text.replace(f"{db.SNAPSHOT_REVISION_LINE}{db.HEAD}\n",
                                      f"{db.SNAPSHOT_REVISION_LINE}{db.REVISIONS[-2]}\n"), encoding="utf-8")
    elif snapshot_file == "cut short":
        stale.write_text(text[:text.index("CREATE TRIGGER") + 40], encoding="utf-8")
    monkeypatch.setattr(db, "SNAPSHOT", stale)
    migrated = []
    real = db.migrate
    monkeypatch.setattr(db, "migrate", lambda p, *a: (migrated.append(p), real(p, *a)))
    path = tmp_path / "mlpath.db"
    db.connect(path).close()
    assert migrated == [path]
    assert _image(path) == _image(_migrated(tmp_path))


def test_migrate_still_goes_to_any_revision(tmp_path):
    path = tmp_path / "mlpath.db"
    db.migrate(path, "0004_quiz")
    conn = sqlite3.connect(path)
    try:
        assert db.schema_version(conn) == "0004_quiz"
        assert "flag" in {c[1] for c in conn.execute("PRAGMA table_info('review')")}
        assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'fsrs_parameters'").fetchone()
    finally:
        conn.close()
    conn = db.connect(path)  # and an older database is brought to HEAD as before
    try:
        assert db.schema_version(conn) == db.HEAD
    finally:
        conn.close()
