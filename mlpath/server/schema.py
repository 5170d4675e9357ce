"""Setting up a class on the server: the schema through Alembic (its own migrations and version table), the
class's group roles and row-level security (in the migration), and one login role per learner or teacher."""

import re
import secrets
from pathlib import Path
from typing import NamedTuple

from mlpath.errors import UserError
from mlpath.server.connection import (SCHEMA, SERVER_HEAD, SERVER_REVISIONS, ServerUrl, check_schema, connect, lost,
                                      schema_version)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,37}$")


def alembic_config(server: ServerUrl):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    url = "postgresql+psycopg://" + server.url.split("://", 1)[1]
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


class ClassInit(NamedTuple):
    server: str  # the URL without its password
    schema_before: str | None
    schema: str
    learners: int


def init(server: ServerUrl) -> ClassInit:
    """Create or upgrade the class schema on the server (idempotent)."""
    import psycopg

    conn = connect(server, autocommit=True)
    try:
        before = schema_version(conn)
    finally:
        conn.close()
    if before is not None and before not in SERVER_REVISIONS:
        raise UserError(f"the server {server.shown} has a newer schema ({before}) than this mlpath knows; "
                        "upgrade mlpath")
    if before != SERVER_HEAD:
        from alembic import command

        try:
            command.upgrade(alembic_config(server), "head")
        except Exception as e:  # SQLAlchemy wraps psycopg's errors
            original = getattr(e, "orig", None) or e
            if isinstance(original, psycopg.errors.InsufficientPrivilege):
                raise UserError(f"the admin URL's user may not set up a class on {server.shown} (it needs to "
                                "create roles, schemas and policies)") from None
            if isinstance(original, psycopg.OperationalError):
                raise lost(server, original) from None
            raise
    conn = connect(server, autocommit=True)
    try:
        count = conn.execute(f"SELECT count(*) FROM {SCHEMA}.member").fetchone()[0]
    finally:
        conn.close()
    return ClassInit(server.shown, before, SERVER_HEAD, count)


def tag(conn) -> str:
    return conn.execute(f"SELECT tag FROM {SCHEMA}.meta WHERE id = 1").fetchone()[0]


def role_name(class_tag: str, learner: str) -> str:
    return f"mlpath_{class_tag}_u_{learner}"


class NewLearner(NamedTuple):
    learner: str
    url: str  # the URL this learner's devices sync with (holds the password: shown once, here)
    teacher: bool


def add_learner(server: ServerUrl, name: str, teacher: bool = False) -> NewLearner:
    """Create a learner (or a teacher) of the class: a login role with a fresh random password, in the class's
    group roles, and its member row; all in one transaction."""
    import psycopg
    from psycopg import sql

    if not isinstance(name, str) or not NAME.match(name):
        raise UserError("a learner's name takes 1 to 38 lowercase letters, digits, '_' or '-', starting with a "
                        "letter or digit (it becomes part of their PostgreSQL role)")
    conn = connect(server)
    try:
        check_schema(conn, server)
        class_tag = tag(conn)
        if conn.execute(f"SELECT 1 FROM {SCHEMA}.member WHERE learner = %s", (name,)).fetchone():
            raise UserError(f"{name!r} is already in the class")
        role = role_name(class_tag, name)
        password = secrets.token_urlsafe(24)
        groups = [f"mlpath_{class_tag}_learners"] + ([f"mlpath_{class_tag}_teachers"] if teacher else [])
        try:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                sql.Identifier(role), sql.Literal(password), sql.SQL(", ").join(map(sql.Identifier, groups))))
            conn.execute(f"INSERT INTO {SCHEMA}.member (role, learner, teacher) VALUES (%s, %s, %s)",
                         (role, name, teacher))
            conn.commit()
        except psycopg.errors.DuplicateObject:
            raise UserError(f"a role for {name!r} already exists on the server; choose another name") from None
        except psycopg.errors.InsufficientPrivilege:
            raise UserError(f"the admin URL's user may not create roles on {server.shown}") from None
        except psycopg.OperationalError as e:
            raise lost(server, e) from None
    finally:
        conn.close()
    return NewLearner(name, server.with_user(role, password), teacher)


def class_roles(conn) -> list[str]:
    """Every role of the class (learners, teachers and the two group roles), e.g. to drop a class."""
    class_tag = tag(conn)
    return [r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s ORDER BY rolname",
                                       (f"mlpath\\_{class_tag}\\_%",))]
