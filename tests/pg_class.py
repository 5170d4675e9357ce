"""A throwaway class on the PostgreSQL server for one test: its own database, dropped with its roles afterwards.
Tests that use it skip, with one reason, where no server answers."""

from __future__ import annotations

import hashlib
import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

ADMIN_BASE = os.environ.get("MLPATH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REASON = (f"no PostgreSQL server answers at {urlsplit(ADMIN_BASE).hostname}:{urlsplit(ADMIN_BASE).port or 5432} "
          "(start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)")

_answer: list[bool] = []


def server_answers() -> bool:
    if not _answer:
        try:
            import psycopg

            psycopg.connect(ADMIN_BASE, connect_timeout=3).close()
            _answer.append(True)
        except Exception:
            _answer.append(False)
    return _answer[0]


def _with_db(name: str) -> str:
    p = urlsplit(ADMIN_BASE)
    return urlunsplit((p.scheme, p.netloc, "/" + name, p.query, ""))


def admin():
    import psycopg

    return psycopg.connect(ADMIN_BASE, autocommit=True)


class PgClass:
    """A database for one class; ``url`` is its admin URL."""

    def __init__(self):
        self.name = f"mlpath_test_{uuid.uuid4().hex[:12]}"
        self.url = _with_db(self.name)
        self.tag = hashlib.md5(self.name.encode()).hexdigest()[:10]
        with admin() as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def sql(self, query: str, args=()):
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            cur = conn.execute(query, args)
            return cur.fetchall() if cur.description else None

    def drop(self) -> None:
        with admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            roles = [r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s",
                                                 (f"mlpath\\_{self.tag}\\_%",))]
            for role in sorted(roles, key=lambda r: r.endswith(("_learners", "_teachers"))):
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture
def pg_class():
    if not server_answers():
        pytest.skip(REASON)
    made = PgClass()
    try:
        yield made
    finally:
        made.drop()
