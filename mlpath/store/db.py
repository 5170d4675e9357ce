"""Opening the database: sqlite3 with WAL, a busy timeout and foreign keys; schema created (from the snapshot
schema.sql) or upgraded (with Alembic) on use."""

from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from mlpath.errors import DatabaseError

# The Alembic revisions this version knows, oldest first. tests/test_store.py checks these against migrations/,
# so the fast path below never has to import Alembic to know that nothing is to do.
REVISIONS = ("0001_initial", "0002_packs", "0004_quiz", "0006_parameters", "0007_placement", "0008_sync",
             "0009_credit", "0010_stats")
HEAD = REVISIONS[-1]


def to_db(dt: datetime) -> str:
    """A UTC-aware datetime as stored (the text SQLAlchemy writes for a DateTime column: the year zero-padded)."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime")
    return dt.astimezone(timezone.utc).replace(tzinfo=None).isoformat(" ", "microseconds")


def from_db(text: str | None) -> datetime | None:
    """A stored time as a UTC-aware datetime. Appending the offset lets the parser attach ``timezone.utc`` itself,
    several times faster than ``.replace(tzinfo=...)``, which matters to commands that read every card."""
    if text is None:
        return None
    try:
        at = datetime.fromisoformat(text + "+00:00")
        if at.tzinfo is timezone.utc:
            return at
    except ValueError:  # not the stored form (an offset already there, say): the general route
        pass
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def _raw_connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA foreign_keys = ON")
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "wal":  # a new file (or one not written by mlpath: refused before anything changes it)
        _refuse_foreign(conn, path)
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


_DAMAGED = {"SQLITE_NOTADB", "SQLITE_CORRUPT"}
_NO_WRITE = {"SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH"}


def _error_name(e: BaseException) -> str:
    """SQLite's own name for an error (``SQLITE_CORRUPT``, ...); SQLAlchemy wraps the driver's error in ``orig``."""
    original = getattr(e, "orig", None) or e
    name = getattr(original, "sqlite_errorname", None) or ""
    return "_".join(name.split("_")[:2])


def explain(path: Path | None, e: Exception, context: str | None = None) -> DatabaseError:
    """Any database error as one line saying what to do. ``context`` comes first (``your answer ... was NOT
    saved``); ``path`` defaults to the learner's database."""
    if path is None:
        from mlpath.paths import database_file

        path = database_file()
    original = getattr(e, "orig", None) or e
    text = " ".join((str(original).strip().splitlines() or [type(original).__name__])[0].split())[:200]
    name = _error_name(e)  # extended codes (SQLITE_READONLY_DBMOVED) fold to their primary code
    lead = f"{context}: " if context else ""
    if name in _DAMAGED:
        return DatabaseError(f"{lead}{path} is not a usable mlpath database ({text}); move it aside (then "
                             "`mlpath import` your latest backup) or set MLPATH_HOME")
    if name in _NO_WRITE:
        return DatabaseError(f"{lead}cannot write the database {path} ({text}); check the file's and the "
                             "folder's permissions or set MLPATH_HOME")
    if name == "SQLITE_FULL":
        return DatabaseError(f"{lead}the disk holding {path} is full; free some space and try again "
                             "(everything saved before is kept)")
    if name in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        return DatabaseError(f"{lead}the database {path} is busy in another mlpath; try again in a moment")
    if name == "SQLITE_IOERR":
        return DatabaseError(f"{lead}cannot read or write {path} ({text}); check the disk, then try again")
    if "no such table" in text or "no such column" in text or "has no column" in text:
        return DatabaseError(f"{lead}the database {path} is missing part of mlpath's schema ({text}); move it "
                             "aside and `mlpath import` your latest backup")
    return DatabaseError(f"{lead}database {path}: {text}; if this repeats, move it aside and `mlpath import` "
                         "your latest backup")


_explain = explain


def quick_check(conn: sqlite3.Connection) -> str | None:
    """``PRAGMA quick_check``: None when the file is sound, else SQLite's first complaint."""
    try:
        rows = conn.execute("PRAGMA quick_check(3)").fetchall()
    except sqlite3.DatabaseError as e:
        return str(e)
    if rows and rows[0][0] == "ok":
        return None
    return "; ".join(str(r[0]) for r in rows)[:200] or "damaged"


def _refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    """An SQLite file with tables but no mlpath schema version is another application's: never take it over.
    Both looks are one read transaction, so a schema another mlpath commits meanwhile is seen whole or not at all
    (never as tables without their version)."""
    conn.execute("BEGIN")
    try:
        if schema_version(conn) is not None:
            return
        tables = [r[0] for r in conn.execute(_OWN_TABLES_SQL)]
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")  # it only read
    if tables:
        conn.close()
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        raise DatabaseError(f"{path} is another application's SQLite database (tables: {shown}); "
                            "mlpath will not change it: move it aside or set MLPATH_HOME")


def _refuse_damaged(conn: sqlite3.Connection, path: Path) -> None:
    problem = quick_check(conn)
    if problem:
        conn.close()
        raise DatabaseError(f"{path} is damaged ({problem}); mlpath will not write to it: move it aside (then "
                            "`mlpath import` your latest backup) or set MLPATH_HOME")


_OWN_TABLES_SQL = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def schema_version(conn: sqlite3.Connection) -> str | None:
    if not _has_table(conn, "alembic_version"):
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating or upgrading as needed) the database at ``path``."""
    from mlpath.files import protect

    protect(path)  # no user-named output may ever replace it
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DatabaseError(f"cannot create the data folder {path.parent} ({e.strerror}); set MLPATH_HOME") from None
    for attempt in range(_BUSY_RETRIES + 1):
        try:
            return _open(path)
        except sqlite3.Error as e:
            if _error_name(e) in ("SQLITE_BUSY", "SQLITE_LOCKED") and attempt < _BUSY_RETRIES:
                # another mlpath is creating or upgrading this database right now (SQLite answers "busy" at once,
                # without waiting, when two connections would otherwise deadlock): wait for it and look again
                time.sleep(0.25 * (attempt + 1))
                continue
            _raise_explained(path, e)
    raise AssertionError("unreachable")  # pragma: no cover


_BUSY_RETRIES = 8


def _open(path: Path) -> sqlite3.Connection:
    conn = _raw_connect(path)
    version = schema_version(conn)
    if version == HEAD:
        return conn
    if version is not None and version not in REVISIONS:
        conn.close()
        raise DatabaseError(f"{path} was written by a newer mlpath (schema {version}); upgrade mlpath to use it")
    if version is None:
        _refuse_foreign(conn, path)
        try:
            created = _create_head(conn, path)
        except BaseException:
            conn.close()
            raise
        if created:
            return conn
    else:
        _refuse_damaged(conn, path)  # about to upgrade the schema: only a sound file
    conn.close()
    migrate(path)
    return _raw_connect(path)


def _raise_explained(path: Path, e: sqlite3.Error) -> None:
    error = explain(path, e)
    if _error_name(e) == "SQLITE_CORRUPT" and path.exists() and path.stat().st_size > 0:
        try:  # say what SQLite's own check finds, when it can run at all
            check = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                problem = quick_check(check)
            finally:
                check.close()
            if problem:
                error = DatabaseError(f"{path} is damaged ({problem}); mlpath will not write to it: move it "
                                      "aside (then `mlpath import` your latest backup) or set MLPATH_HOME")
        except sqlite3.Error:
            pass
    raise error from None


@contextmanager
def _lock(path: Path):
    """An inter-process lock, so two first runs do not migrate at once."""
    from mlpath.files import exclusive_lock

    lock_path = path.with_name(path.name + ".lock")
    try:
        with exclusive_lock(lock_path):
            yield
    except OSError as e:
        if e.filename != str(lock_path):
            raise
        raise DatabaseError(f"cannot open the lock file {lock_path} ({e.strerror}); "
                            "check the data folder's permissions or set MLPATH_HOME") from None


def alembic_config(path: Path):
    from alembic.config import Config

    from mlpath.paths import migrations_dir

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", f"sqlite:///{path}")
    cfg.attributes["configure_logger"] = False
    return cfg


# The head schema as migrating a new database from nothing yields it (tables, indexes, triggers and rows:
# alembic_version's), generated from the migrations by `python -m mlpath.store.snapshot --write`. A database with
# no schema at all is created from it without importing Alembic; an older one is upgraded by Alembic as always.
SNAPSHOT = Path(__file__).with_name("schema.sql")
SNAPSHOT_REVISION_LINE = "-- revision: "


def snapshot_statements(text: str) -> tuple[str | None, list[str]]:
    """The revision a snapshot (the text of schema.sql) names on its ``-- revision:`` line, and its statements in
    order, each without its closing semicolon. Comment lines between statements are skipped."""
    revision, statements, buffer = None, [], ""
    for line in text.splitlines(keepends=True):
        if not buffer:
            if line.startswith(SNAPSHOT_REVISION_LINE):
                revision = line[len(SNAPSHOT_REVISION_LINE):].strip()
            if not line.strip() or line.startswith("--"):
                continue
        buffer += line
        if sqlite3.complete_statement(buffer):  # knows a trigger's body from its end
            statements.append(buffer.rstrip().removesuffix(";"))
            buffer = ""
    if buffer.strip():
        raise ValueError(f"the snapshot ends inside a statement: {buffer.strip()[:60]!r}")
    return revision, statements


def _head_statements() -> list[str] | None:
    """The snapshot's statements when it is of HEAD; None when it is missing, unreadable or of another revision
    (then Alembic creates the schema, as before there was a snapshot)."""
    try:
        revision, statements = snapshot_statements(SNAPSHOT.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # ValueError: not UTF-8, or cut short
        return None
    return statements if revision == HEAD else None


def _create_head(conn: sqlite3.Connection, path: Path) -> bool:
    """Create the head schema from the snapshot in the database ``conn`` holds, which had no schema when it was
    opened: one transaction, so an interruption leaves nothing behind; under the same lock as `migrate`, looking
    again inside it, so two first runs never both create it. True when ``conn`` is now at HEAD (created here or,
    meanwhile, by another mlpath); False leaves the database to Alembic."""
    statements = _head_statements()
    if statements is None:
        return False
    with _lock(path):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0:  # still nothing at all
                conn.execute("PRAGMA defer_foreign_keys = ON")  # rows are checked at COMMIT, whatever their order
                for statement in statements:
                    conn.execute(statement)
            at_head = schema_version(conn) == HEAD
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT" if at_head else "ROLLBACK")
    return at_head


def migrate(path: Path, revision: str = "head") -> None:
    """Bring the schema at ``path`` to ``revision`` with Alembic (imported only here). Always Alembic, also for a new
    database (`connect` creates those from the snapshot instead)."""
    with _lock(path):
        conn = _raw_connect(path)
        try:
            if revision == "head" and schema_version(conn) == HEAD:
                return
        finally:
            conn.close()
        from alembic import command

        try:
            command.upgrade(alembic_config(path), revision)
        except Exception as e:  # SQLAlchemy wraps sqlite3 errors; report them as database problems
            raise _explain(path, e) from None


@contextmanager
def cache_pages(conn: sqlite3.Connection, size: int):
    """A bigger SQLite page cache (``size`` bytes) for the main and temporary databases while inside."""
    old = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-(size // 1024)}")
    conn.execute(f"PRAGMA temp.cache_size = {-(size // 4096)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {old}")


@contextmanager
def transaction(conn: sqlite3.Connection):
    """BEGIN IMMEDIATE ... COMMIT: takes the write lock up front so concurrent writers wait, never deadlock."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back itself (a full disk, say): keep the first error
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
