"""The store: a blank database migrates to head; statuses and answers round-trip with aware UTC times."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlpath import paths
from mlpath.app.session import open_session
from mlpath.core import scheduling
from mlpath.store import db, queries

T0 = datetime(2026, 5, 1, 8, 30, 15, 123456, tzinfo=timezone.utc)


def test_a_blank_database_is_created_at_head(home):
    conn = db.connect(home / "x.db")
    assert db.schema_version(conn) == db.HEAD
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"topic", "topic_status", "status_event", "question", "card", "review", "content_state"} <= tables
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_known_revisions_match_the_migrations_folder():
    from alembic.script import ScriptDirectory

    from mlpath.store.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config(paths.home() / "unused.db"))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert tuple(revisions) == db.REVISIONS
    assert script.get_current_head() == db.HEAD


def test_timestamps_round_trip_aware():
    text = db.to_db(T0)
    assert db.from_db(text) == T0 and db.from_db(text).tzinfo is timezone.utc


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.timezones()))
def test_any_aware_time_round_trips_as_the_same_instant_in_utc(at):
    back = db.from_db(db.to_db(at))
    assert back == at.astimezone(timezone.utc) and back.tzinfo is timezone.utc


@pytest.mark.parametrize("text, expected", [
    ("2026-05-01 08:30:15.123456", T0),
    ("2026-05-01 08:30:15.123456+00:00", T0),  # an offset already there (not written by mlpath): the same instant
    ("2026-05-01T08:30:15.123456", T0),
    ("2026-05-01", datetime(2026, 5, 1, tzinfo=timezone.utc)),
])
def test_stored_times_in_other_iso_forms_still_read_as_utc(text, expected):
    assert db.from_db(text) == expected and db.from_db(text).tzinfo is timezone.utc


def test_status_round_trip(mini):
    s = open_session(now=T0)
    queries.set_status(s.conn, s.pack, "vectors", "in_progress", T0)
    queries.set_status(s.conn, s.pack, "vectors", "done", T0 + timedelta(hours=2))
    info = queries.status_info(s.conn, s.pack, "vectors")
    assert info.status == "done"
    assert info.started_at == T0 and info.finished_at == T0 + timedelta(hours=2)
    queries.set_status(s.conn, s.pack, "vectors", "not_started", T0 + timedelta(hours=3))
    assert queries.statuses(s.conn, s.pack) == {}
    events = s.conn.execute("SELECT status FROM status_event WHERE topic_id='vectors' ORDER BY id").fetchall()
    assert [e[0] for e in events] == ["in_progress", "done", "not_started"]


def test_record_review_keeps_card_and_log(mini):
    s = open_session(now=T0)
    after = scheduling.review(scheduling.new_card(T0), 3, T0, fuzzing=False)
    queries.record_review(s.conn, s.pack, question_id="vectors-tf", topic_id="vectors", before=None, after=after, now=T0,
                          rating=3, correct=True, answer="y", response_ms=1500, seed=None)
    card = queries.cards_for_topics(s.conn, s.pack, ["vectors"])["vectors-tf"]
    assert card.state == after and card.reps == 1
    assert queries.reviews_of(s.conn, s.pack, "vectors-tf") == [(3, T0, 1500)]
    assert queries.due_count(s.conn, s.pack, T0) == 0
    assert queries.due_count(s.conn, s.pack, T0 + timedelta(minutes=11)) == 1


def test_content_is_cached_and_resynced_on_change(mini):
    s = open_session(now=T0)
    assert s.conn.execute("SELECT COUNT(*) FROM content_state").fetchone()[0] == 1
    fp = s.conn.execute("SELECT fingerprint FROM content_state").fetchone()[0]
    s.close()
    text = (mini / "topics" / "maths.yaml").read_text().replace("title: Vectors\n", "title: Vectors and norms\n")
    (mini / "topics" / "maths.yaml").write_text(text)
    s = open_session(now=T0)
    assert s.roadmap.by_id["vectors"].title == "Vectors and norms"
    assert s.conn.execute("SELECT fingerprint FROM content_state").fetchone()[0] != fp


def test_the_raw_sql_names_exactly_the_columns_of_the_models():
    """store/tables.py is the one place that maps tables to SQL; it must agree with the SQLModel tables."""
    from sqlmodel import SQLModel

    import mlpath.store.models  # noqa: F401  (registers the tables)
    from mlpath.store import tables

    model_columns = {name: tuple(c.name for c in t.columns) for name, t in SQLModel.metadata.tables.items()}
    assert {k: set(v) for k, v in tables.COLUMNS.items()} == {k: set(v) for k, v in model_columns.items()}
    assert set(tables.CARD_STATE) <= set(model_columns["card"])
    assert set(tables.REVIEW_INSERT) <= set(model_columns["review"])


def test_a_transaction_sqlite_rolled_back_itself_keeps_the_first_error(tmp_path):
    """SQLite rolls a transaction back by itself on some errors (a full disk, out of memory): the error that did it
    is what the caller sees, not "cannot rollback - no transaction is active" from a second ROLLBACK."""
    from mlpath.store.db import connect, transaction

    conn = connect(tmp_path / "t.db")
    try:
        with pytest.raises(ZeroDivisionError):
            with transaction(conn):
                conn.execute("CREATE TABLE scratch (x)")
                conn.execute("ROLLBACK")  # as SQLite does on SQLITE_FULL
                1 / 0
        assert not conn.in_transaction
        assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'scratch'").fetchone() is None
    finally:
        conn.close()
