"""Migrations: every past Alembic revision, filled with data, upgrades to head through mlpath's normal open path
with every row kept; the migrated schema is exactly the SQLModel tables; each migration is reviewable; and a
database from a newer mlpath is refused with a clear message.

The rows are made from the schema each revision actually has (PRAGMA table_info / foreign_key_list), with
meaningful values for the columns mlpath knows, so a new revision is covered without editing this file.
"""

from __future__ import annotations

import ast
import json
import sqlite3
from pathlib import Path

import pytest

from mlpath.paths import migrations_dir
from mlpath.store import aggregates, db

VERSIONS = migrations_dir() / "versions"


def _script():
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(db.alembic_config(Path("unused.db")))


def _revisions_oldest_first() -> list[str]:
    return [r.revision for r in reversed(list(_script().walk_revisions()))]


# --- building a database at an old revision, with data in it ---------------------------------------------------

STAMP = "2025-06-0{} 08:30:00.123456"
ADDED_KEY_VALUES = {"pack": "mlpath-roadmap"}  # key columns later revisions added -> the value old rows get


def _known_value(table: str, column: str, i: int):
    """Meaningful values for the columns mlpath knows about (None: no special value)."""
    question = {"id": f"question-{i}", "topic": f"topic-{i}", "kind": "choice", "prompt": f"Prompt {i}?",
                "options": ["a", "b"], "answer": "a", "explanation": "Because."}
    known = {
        ("topic", "area"): "maths",
        ("topic_status", "status"): ["in_progress", "done", "skipped"][i % 3],
        ("status_event", "status"): ["in_progress", "done", "skipped"][i % 3],
        ("question", "kind"): "choice",
        ("question", "data"): json.dumps(question),
        ("card", "state"): 1 + i % 3,
        ("card", "step"): i % 2,
        ("card", "reps"): i + 1,
        ("card", "lapses"): i % 2,
        ("review", "rating"): 1 + i % 4,
        ("review", "answer"): f"answer é {i}",
        ("content_state", "roadmap"): json.dumps({"areas": [], "topics": []}),
        ("content_state", "fingerprint"): f"{i:064x}",
    }
    return known.get((table, column))


def _generic_value(table: str, column: str, decl: str, i: int):
    decl = decl.upper()
    if "DATETIME" in decl or "TIMESTAMP" in decl:
        return STAMP.format(1 + i % 9)
    if "BOOL" in decl:
        return i % 2
    if "INT" in decl:
        return 1000 + i
    if any(t in decl for t in ("FLOAT", "REAL", "DOUBLE", "NUMERIC")):
        return 0.5 + i
    return f"{table}.{column}.{i}"


def _tables(conn: sqlite3.Connection) -> list[str]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'")]
    deps = {t: {fk[2] for fk in conn.execute(f"PRAGMA foreign_key_list('{t}')") if fk[2] != t} for t in names}
    ordered: list[str] = []
    while len(ordered) < len(names):  # parents before children
        ready = sorted(t for t in names if t not in ordered and deps[t] <= set(ordered))
        assert ready, f"foreign keys form a cycle: {deps}"
        ordered += ready
    return ordered


def _fill(path: Path, rows_per_table: int = 4) -> dict[str, list[dict]]:
    """Insert rows into every table of the database at ``path``; returns them as column -> value dicts."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    inserted: dict[str, list[dict]] = {}
    try:
        conn.execute("BEGIN")
        for table in _tables(conn):
            if table in aggregates.DERIVED_TABLES:
                continue  # summaries written by triggers on review (checked against a recount below)
            columns = list(conn.execute(f"PRAGMA table_info('{table}')"))  # cid, name, type, notnull, default, pk
            fks = {fk[3]: (fk[2], fk[4]) for fk in conn.execute(f"PRAGMA foreign_key_list('{table}')")}
            count = rows_per_table * 2 if table == "review" else rows_per_table
            inserted[table] = []
            for i in range(count):
                row = {}
                for _, name, decl, notnull, _default, pk in columns:
                    if name in fks:
                        parent, parent_col = fks[name]
                        parents = [r[parent_col or "rowid"] for r in inserted[parent]]
                        value = parents[i % len(parents)]
                    elif pk and "INT" in decl.upper():
                        value = i + 1
                    elif pk:
                        value = f"{table}-{i}"
                    else:
                        value = _known_value(table, name, i)
                        if value is None:
                            value = _generic_value(table, name, decl, i)
                        if not notnull and i % 2 == 1 and _known_value(table, name, i) is None:
                            value = None  # nullable columns keep their NULLs too
                    row[name] = value
                conn.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                             list(row.values()))
                inserted[table].append(row)
        conn.execute("COMMIT")
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    return inserted


def _pk_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [c[1] for c in sorted(conn.execute(f"PRAGMA table_info('{table}')"), key=lambda c: c[5]) if c[5]]


@pytest.mark.parametrize("revision", _revisions_oldest_first())
def test_every_revision_upgrades_to_head_with_every_row_kept(tmp_path, revision):
    from alembic import command

    path = tmp_path / "mlpath.db"
    command.upgrade(db.alembic_config(path), revision)
    inserted = _fill(path)
    assert sum(len(v) for v in inserted.values()) > 0

    conn = db.connect(path)  # what every mlpath command does: upgrade to head when behind
    try:
        assert db.schema_version(conn) == db.HEAD
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.row_factory = sqlite3.Row
        for table, rows in inserted.items():
            exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone()
            assert exists, f"table {table!r} (with {len(rows)} rows at {revision}) is gone at head"
            all_keys = _pk_columns(conn, table)
            # A key column added by a later revision (0002_packs: pack) is not in the old rows: they are found
            # by the key columns they had, and the added ones must hold one value for all of them (the shipped
            # pack, for pack).
            keys = [k for k in all_keys if k in rows[0]] or all_keys
            added = [k for k in all_keys if k not in keys]
            for k in added:
                values = {r[0] for r in conn.execute(f"SELECT DISTINCT {k} FROM {table}")}
                assert values == {ADDED_KEY_VALUES[k]}, f"{table}.{k}: {values} after upgrading from {revision}"
            stored = {tuple(r[k] for k in keys): dict(r) for r in conn.execute(f"SELECT * FROM {table}")}
            assert len(stored) == len(rows), f"{table}: {len(rows)} rows at {revision}, {len(stored)} at head"
            for row in rows:
                now = stored.get(tuple(row[k] for k in keys))
                assert now is not None, f"{table}: row {row} lost upgrading from {revision}"
                kept = {k: v for k, v in row.items() if k in now}
                assert {k: now[k] for k in kept} == kept, f"{table}: row changed upgrading from {revision}"
        conn.row_factory = None
        assert aggregates.stored(conn) == aggregates.recount(conn), "summaries differ from a recount"
    finally:
        conn.close()


# --- the revisions mlpath knows, and the schema they make ---------------------------------------------------------

def test_known_revisions_are_the_scripts_oldest_first():
    assert tuple(_revisions_oldest_first()) == db.REVISIONS
    script = _script()
    assert script.get_heads() == [db.HEAD], "one head only: merge branches before release"
    assert script.get_current_head() == db.HEAD


def _structure(path: Path) -> dict:
    """Tables with their columns (name, type, not null, pk), foreign keys (with ON UPDATE/DELETE), and indexes."""
    conn = sqlite3.connect(path)
    try:
        out = {}
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                     "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"):
            columns = sorted((c[1], c[2].upper(), c[3], c[5]) for c in conn.execute(f"PRAGMA table_info('{table}')"))
            fks = sorted((f[3], f[2], f[4], f[5], f[6]) for f in conn.execute(f"PRAGMA foreign_key_list('{table}')"))
            indexes = sorted(
                (bool(ix[2]), tuple(c[2] for c in conn.execute(f"PRAGMA index_info('{ix[1]}')")))
                for ix in conn.execute(f"PRAGMA index_list('{table}')"))
            out[table] = {"columns": columns, "foreign_keys": fks, "indexes": indexes}
        return out
    finally:
        conn.close()


def test_migrated_schema_is_exactly_the_models(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine
    from sqlmodel import SQLModel

    import mlpath.store.models  # noqa: F401  (registers the tables)

    migrated = tmp_path / "migrated.db"
    db.migrate(migrated)  # the migrations themselves (connect would create a new database from the snapshot)
    engine = create_engine(f"sqlite:///{migrated}")
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            diffs = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert diffs == [], f"migrations and models/ differ; write a migration:\n{diffs}"

    # The same, compared as SQLite sees it (catches what autogenerate ignores, e.g. ON UPDATE CASCADE).
    created = tmp_path / "created.db"
    engine = create_engine(f"sqlite:///{created}")
    try:
        SQLModel.metadata.create_all(engine)
    finally:
        engine.dispose()
    assert _structure(migrated) == _structure(created)


def _migration_files() -> list[Path]:
    return sorted(p for p in VERSIONS.glob("*.py") if not p.name.startswith("_"))


@pytest.mark.parametrize("path", _migration_files(), ids=lambda p: p.name)
def test_each_migration_is_reviewable(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree)
    assert doc and doc.splitlines()[0].strip(), f"{path.name}: needs a docstring saying what it changes"
    values = {t.id: n.value for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
              if isinstance(t, ast.Name)}
    revision = ast.literal_eval(values["revision"])
    assert f"Revision ID: {revision}" in doc, f"{path.name}: the docstring names its revision"
    assert path.stem == revision, f"{path.name}: file name and revision id agree"
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert {"upgrade", "downgrade"} <= functions


def test_every_revision_file_is_known():
    assert [p.stem for p in _migration_files()] == sorted(db.REVISIONS)


# --- a database from a newer mlpath -------------------------------------------------------------------------------

def _newer(path: Path) -> None:
    db.connect(path).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.close()


def test_newer_database_is_refused_by_connect(tmp_path):
    from mlpath.errors import DatabaseError

    path = tmp_path / "mlpath.db"
    _newer(path)
    with pytest.raises(DatabaseError, match="newer mlpath"):
        db.connect(path)
    conn = sqlite3.connect(path)  # and it is left untouched
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("9999_from_the_future",)]
    conn.close()


def test_newer_database_exits_2_with_one_clear_line(home, mini, run_mlpath):
    _newer(home / "mlpath.db")
    result = run_mlpath("next")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "newer mlpath" in result.stderr, result.stderr
    assert result.stdout == ""
