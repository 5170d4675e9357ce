"""The head schema snapshot (mlpath/store/schema.sql) that new databases are created from, and its generator.

``python -m mlpath.store.snapshot --write`` migrates a new database from nothing to HEAD with Alembic and writes
down what it holds: every table, index, view and trigger as SQLite stored its ``CREATE`` statement, every row the
migrations inserted (``alembic_version``'s), and ``PRAGMA user_version``/``application_id`` when set. Run it after
adding a migration; ``--check`` only says whether the file is current (tests/test_schema_snapshot.py checks too).
``db.connect`` executes the statements in order in one transaction (``db.snapshot_statements`` reads them back).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

from mlpath.store import db

COMMAND = "python -m mlpath.store.snapshot --write"

# Tables before their rows, rows before the indexes (built once) and the triggers (which must not count the rows
# again: migrations fill what triggers keep themselves), views before the triggers that may be on them.
_ORDER = ("table", "index", "view", "trigger")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _rows(conn: sqlite3.Connection, table: str) -> list[str]:
    columns = [c[1] for c in conn.execute(f"PRAGMA table_info({_quote(table)})")]
    values = ", ".join(f"quote({_quote(c)})" for c in columns)  # SQLite's own literals: exact for every type
    try:
        rows = conn.execute(f"SELECT {values} FROM {_quote(table)} ORDER BY rowid").fetchall()
    except sqlite3.OperationalError:  # a WITHOUT ROWID table
        order = ", ".join(str(i + 1) for i in range(len(columns)))
        rows = conn.execute(f"SELECT {values} FROM {_quote(table)} ORDER BY {order}").fetchall()
    names = ", ".join(_quote(c) for c in columns)
    return [f"INSERT INTO {_quote(table)} ({names}) VALUES ({', '.join(row)});" for row in rows]


def dump(path: Path) -> str:
    """The snapshot text of the database at ``path``: its schema and rows as statements, in an order that
    recreates them."""
    conn = sqlite3.connect(path)
    try:
        revision = db.schema_version(conn)
        objects = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                               "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid").fetchall()
        unknown = sorted({kind for kind, _, _ in objects} - set(_ORDER))
        if unknown:
            raise ValueError(f"the snapshot cannot hold schema objects of type {unknown}")
        tables = [name for kind, name, _ in objects if kind == "table"]
        ddl = {kind: [f"{sql};" for k, _, sql in objects if k == kind] for kind in _ORDER}
        rows = [row for table in tables for row in _rows(conn, table)]
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
            rows += ["DELETE FROM sqlite_sequence;", *_rows(conn, "sqlite_sequence")]  # as the migrations left it
        pragmas = [f"PRAGMA {name} = {value};" for name in ("user_version", "application_id")
                   for (value,) in conn.execute(f"PRAGMA {name}") if value]
    finally:
        conn.close()
    head = [
        f"-- The schema of a new mlpath database at revision {revision}: exactly what migrating an empty database",
        "-- with Alembic from nothing to that revision yields. mlpath/store/db.py creates new databases from it,",
        "-- in one transaction, without importing Alembic. Generated from migrations/; do not edit. After adding",
        f"-- a migration run `{COMMAND}` (tests/test_schema_snapshot.py fails until it is current).",
        f"{db.SNAPSHOT_REVISION_LINE}{revision}",
    ]
    parts = ["\n".join(head), *ddl["table"], "\n".join(rows), *ddl["index"], *ddl["view"], *ddl["trigger"],
             "\n".join(pragmas)]
    return "\n\n".join(p for p in parts if p) + "\n"


def generate() -> str:
    """The snapshot of a new database migrated from nothing to HEAD by Alembic (``db.migrate``, never the
    snapshot itself)."""
    with tempfile.TemporaryDirectory(prefix="mlpath-snapshot-") as folder:
        path = Path(folder) / "head.db"
        db.migrate(path)
        return dump(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlpath.store.snapshot", description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help=f"write {db.SNAPSHOT.name} from the migrations")
    action.add_argument("--check", action="store_true", help="exit 1 when it differs from what they make")
    args = parser.parse_args(argv)
    text = generate()
    current = db.SNAPSHOT.read_text(encoding="utf-8") if db.SNAPSHOT.exists() else None
    if args.check:
        if text != current:
            print(f"{db.SNAPSHOT} is not what the migrations make; run `{COMMAND}`", file=sys.stderr)
            return 1
        print(f"{db.SNAPSHOT} is current ({db.HEAD})")
        return 0
    if text == current:
        print(f"{db.SNAPSHOT} is already current ({db.HEAD})")
    else:
        db.SNAPSHOT.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {db.SNAPSHOT} ({db.HEAD})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
