"""Opening the database: sqlite3 with WAL, a busy timeout and foreign keys; schema created or upgraded on use."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from mlpath.errors import DatabaseError

# The Alembic revisions this version knows, oldest first. tests/test_store.py checks these against migrations/,
# so the fast path below never has to import Alembic to know that nothing is to do.
REVISIONS = ("0001_initial", "0003_stats")
HEAD = REVISIONS[-1]

_FMT = "%Y-%m-%d %H:%M:%S.%f"


def to_db(dt: datetime) -> str:
    """A UTC-aware datetime as stored (the same text SQLAlchemy writes for a DateTime column)."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime")
    return dt.astimezone(timezone.utc).strftime(_FMT)


def from_db(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def _raw_connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA foreign_keys = ON")
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "wal":
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


def _explain(path: Path, e: Exception) -> DatabaseError:
    original = getattr(e, "orig", None) or e
    text = (str(original).strip().splitlines() or [type(original).__name__])[0]
    name = _error_name(e)  # extended codes (SQLITE_READONLY_DBMOVED) fold to their primary code
    if name in _DAMAGED:
        return DatabaseError(f"{path} is not a usable mlpath database ({text}); move it aside or set MLPATH_HOME")
    if name in _NO_WRITE:
        return DatabaseError(f"cannot write the database {path} ({text}); check the folder's permissions or set MLPATH_HOME")
    if name == "SQLITE_FULL":
        return DatabaseError(f"the disk holding {path} is full; free some space and try again (nothing was lost)")
    if name in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        return DatabaseError(f"the database {path} is busy in another mlpath; try again in a moment")
    return DatabaseError(f"database {path}: {text}")


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def schema_version(conn: sqlite3.Connection) -> str | None:
    if not _has_table(conn, "alembic_version"):
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating or upgrading as needed) the database at ``path``."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DatabaseError(f"cannot create the data folder {path.parent} ({e.strerror}); set MLPATH_HOME") from None
    try:
        conn = _raw_connect(path)
        version = schema_version(conn)
        if version == HEAD:
            return conn
        if version is not None and version not in REVISIONS:
            conn.close()
            raise DatabaseError(
                f"{path} was written by a newer mlpath (schema {version}); upgrade mlpath to use it")
        conn.close()
        migrate(path)
        return _raw_connect(path)
    except sqlite3.Error as e:
        raise _explain(path, e) from None


@contextmanager
def _lock(path: Path):
    """An inter-process lock, so two first runs do not migrate at once."""
    lock_path = path.with_name(path.name + ".lock")
    try:
        fh = open(lock_path, "a+")
    except OSError as e:
        raise DatabaseError(f"cannot open the lock file {lock_path} ({e.strerror}); "
                            "check the data folder's permissions or set MLPATH_HOME") from None
    with fh:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: SQLite's own locking still applies
            yield
            return
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def alembic_config(path: Path):
    from alembic.config import Config

    from mlpath.paths import migrations_dir

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", f"sqlite:///{path}")
    cfg.attributes["configure_logger"] = False
    return cfg


def migrate(path: Path, revision: str = "head") -> None:
    """Bring the schema at ``path`` to ``revision`` with Alembic (imported only here)."""
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
def transaction(conn: sqlite3.Connection):
    """BEGIN IMMEDIATE ... COMMIT: takes the write lock up front so concurrent writers wait, never deadlock."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
