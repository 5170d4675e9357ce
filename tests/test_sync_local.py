"""The local side of sync, without a server: review ids, their migration, statuses from events, settings, and the
messages when no server is set."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, strategies as st

from mlpath.core.review_ids import is_review_uid, review_uid
from mlpath.store import db

AT = datetime(2026, 11, 1, 10, 0, 0, 123456, tzinfo=timezone.utc)


def test_a_review_uid_is_a_uuid7_carrying_the_review_time_in_milliseconds():
    uid = review_uid("vectors-01", AT, 3)
    parsed = uuid.UUID(uid)
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert int(uid.replace("-", "")[:12], 16) == 1_793_527_200_123  # `date -u -d 2026-11-01T10:00:00Z +%s` = 1793527200, plus .123 s
    assert is_review_uid(uid) and not is_review_uid(uid.upper()) and not is_review_uid(str(uuid.uuid4()))
    # the same review is the same id everywhere; anything else about it makes another
    assert review_uid("vectors-01", AT.astimezone(timezone(timedelta(hours=2))), 3) == uid
    others = {review_uid("vectors-02", AT, 3), review_uid("vectors-01", AT, 4), review_uid("vectors-01", AT, 3, 1),
              review_uid("vectors-01", AT + timedelta(microseconds=1), 3)}
    assert uid not in others and len(others) == 4


@given(st.sampled_from(["a", "b"]), st.sampled_from(["a", "b"]), st.integers(0, 10 ** 9), st.integers(1, 10 ** 9),
       st.integers(1, 4), st.integers(1, 4))
def test_ids_of_reviews_a_millisecond_or_more_apart_sort_by_time(q1, q2, ms, gap, r1, r2):
    first = AT + timedelta(milliseconds=ms)
    later = first + timedelta(milliseconds=gap)
    assert review_uid(q1, first, r1) < review_uid(q2, later, r2)


def _old_database(path):
    from alembic import command

    command.upgrade(db.alembic_config(path), "0006_parameters")
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO topic VALUES ('p', 't', 'T', 'maths', 1, '2026-01-01 00:00:00.000000')")
    conn.execute("INSERT INTO question VALUES ('p', 'q', 't', 'choice', '{}', 1)")
    conn.execute("INSERT INTO card (id, pack, question_id, state, due, created_at, reps, lapses) "
                 "VALUES (1, 'p', 'q', 2, '2026-01-02 00:00:00.000000', '2026-01-01 00:00:00.000000', 3, 0)")
    rows = [(1, "2026-01-01 00:00:00.000000", 3), (2, "2026-01-01 00:00:00.000000", 3),  # identical twice
            (3, "2026-01-01 00:00:00.000000", 1), (4, "2026-01-05 12:30:00.500000", 4)]
    conn.executemany("INSERT INTO review (id, card_id, pack, question_id, topic_id, reviewed_at, rating) "
                     "VALUES (?, 1, 'p', 'q', 't', ?, ?)", rows)
    conn.commit()
    conn.close()
    return rows


def test_the_migration_gives_every_existing_review_its_id_and_keeps_every_row(tmp_path):
    rows = _old_database(tmp_path / "mlpath.db")
    conn = db.connect(tmp_path / "mlpath.db")
    stored = conn.execute("SELECT id, reviewed_at, rating, uid FROM review ORDER BY id").fetchall()
    conn.close()
    at = lambda text: datetime.fromisoformat(text).replace(tzinfo=timezone.utc)  # noqa: E731
    assert [r[:3] for r in stored] == rows
    assert [r[3] for r in stored] == [review_uid("q", at(rows[0][1]), 3, 0), review_uid("q", at(rows[0][1]), 3, 1),
                                      review_uid("q", at(rows[2][1]), 1, 0), review_uid("q", at(rows[3][1]), 4, 0)]
    # a second device migrated from a copy of this database gives the same ids
    _old_database(tmp_path / "copy.db")
    conn = db.connect(tmp_path / "copy.db")
    assert [r[0] for r in conn.execute("SELECT uid FROM review ORDER BY id")] == [r[3] for r in stored]
    conn.close()


def test_the_same_review_in_two_packs_gets_two_ids_in_the_migration_and_before_a_push(tmp_path):
    from mlpath.store import sync_local

    path = tmp_path / "mlpath.db"
    _old_database(path)  # pack p: reviews 1 and 2 identical (q, 2026-01-01, Good)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO topic VALUES ('r', 't', 'T', 'maths', 1, '2026-01-01 00:00:00.000000')")
    conn.execute("INSERT INTO question VALUES ('r', 'q', 't', 'choice', '{}', 1)")
    conn.execute("INSERT INTO card (id, pack, question_id, state, due, created_at, reps, lapses) "
                 "VALUES (2, 'r', 'q', 2, '2026-01-02 00:00:00.000000', '2026-01-01 00:00:00.000000', 1, 0)")
    conn.execute("INSERT INTO review (id, card_id, pack, question_id, topic_id, reviewed_at, rating) "
                 "VALUES (5, 2, 'r', 'q', 't', '2026-01-01 00:00:00.000000', 3)")  # the same review in pack r
    conn.commit()
    conn.close()
    conn = db.connect(path)
    t = datetime(2026, 1, 1, tzinfo=timezone.utc)
    uid = lambda n: review_uid("q", t, 3, n)  # noqa: E731
    assert conn.execute("SELECT id, pack, uid FROM review WHERE rating = 3 ORDER BY id").fetchall() == [
        (1, "p", uid(0)), (2, "p", uid(1)), (5, "r", uid(2))]  # pack r's first one skips the ids pack p holds
    conn.execute("INSERT INTO review (card_id, pack, question_id, topic_id, reviewed_at, rating) "
                 "VALUES (2, 'r', 'q', 't', '2026-01-01 00:00:00.000000', 3)")  # r's second, without an id
    assert sync_local.fill_missing_uids(conn) == 1
    assert conn.execute("SELECT uid FROM review WHERE id = 6").fetchone() == (uid(3),)
    assert sync_local.unpushed_reviews(conn, "r", 0, 10)[0][1][0] == uid(2)
    assert [r[0] for r in sync_local.unpushed_reviews(conn, "p", 1, 10)] == [2, 3, 4]
    conn.close()


def test_a_new_answer_gets_the_next_occurrence_id(cli, mini, monkeypatch):
    monkeypatch.setenv("MLPATH_NOW", "2026-11-01T10:00:00+00:00")
    from mlpath.app.session import open_session
    from mlpath.store import queries

    s = open_session()
    q = s.conn.execute("SELECT id, topic_id FROM question WHERE pack = ? AND active ORDER BY rowid",
                       (s.pack,)).fetchone()
    from mlpath.core.scheduling import new_card

    for _ in range(2):  # the same question, same time, same rating (a frozen clock): two reviews, two ids
        queries.record_review(s.conn, s.pack, question_id=q[0], topic_id=q[1], before=None, after=new_card(s.now), now=s.now,
                              rating=3, correct=True, answer="a", response_ms=None, seed=None)
    uids = [r[0] for r in s.conn.execute("SELECT uid FROM review ORDER BY id")]
    s.close()
    assert uids == [review_uid(q[0], s.now, 3, 0), review_uid(q[0], s.now, 3, 1)]


def test_reviews_written_without_an_id_get_one_before_a_push(tmp_path):
    from mlpath.store import sync_local

    path = tmp_path / "mlpath.db"
    _old_database(path)
    conn = db.connect(path)
    for _ in range(2):  # a third and a fourth identical review, without ids
        conn.execute("INSERT INTO review (card_id, pack, question_id, topic_id, reviewed_at, rating) "
                     "VALUES (1, 'p', 'q', 't', '2026-01-01 00:00:00.000000', 3)")
    conn.execute("INSERT INTO review (card_id, pack, question_id, topic_id, reviewed_at, rating) "
                 "VALUES (1, 'p', 'q', 't', '2026-01-01 00:00:00.000000', 2)")  # and another, new key
    assert sync_local.fill_missing_uids(conn, page=1) == 3
    t = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert [r[0] for r in conn.execute("SELECT uid FROM review WHERE id >= 5 ORDER BY id")] == [
        review_uid("q", t, 3, 2), review_uid("q", t, 3, 3), review_uid("q", t, 2, 0)]
    assert sync_local.fill_missing_uids(conn) == 0
    conn.close()


def _t(day: int) -> datetime:
    return datetime(2026, 11, day, tzinfo=timezone.utc)


def test_a_status_is_its_events_replayed_as_the_commands_write_them():
    from mlpath.app.sync import status_from_events

    assert status_from_events([]) is None
    assert status_from_events([("in_progress", _t(1)), ("done", _t(3))]) == ("done", _t(1), _t(3), _t(3))
    assert status_from_events([("skipped", _t(1))]) == ("skipped", None, _t(1), _t(1))
    assert status_from_events([("in_progress", _t(1)), ("not_started", _t(2))]) is None
    assert status_from_events([("in_progress", _t(1)), ("not_started", _t(2)), ("done", _t(4))]) == (
        "done", _t(4), _t(4), _t(4))
    assert status_from_events([("done", _t(1)), ("in_progress", _t(2))]) == ("in_progress", _t(1), None, _t(2))


def test_the_status_after_sync_matches_what_the_commands_wrote(cli, mini, monkeypatch):
    from mlpath.app.session import open_session
    from mlpath.app.sync import status_from_events
    from mlpath.store import queries, sync_local

    topic = None
    for day, command in ((1, "start"), (2, "skip"), (3, "reset"), (5, "start"), (6, "done")):
        monkeypatch.setenv("MLPATH_NOW", _t(day).isoformat())
        if topic is None:
            s = open_session()
            topic = s.roadmap.topics[0].id
            s.close()
        code, out, err = cli(command, topic)
        assert code == 0, err
        s = open_session()
        events, _row = sync_local.topic_events(s.conn, s.pack, topic)
        info = queries.status_info(s.conn, s.pack, topic)
        s.close()
        expect = None if info.status == "not_started" else tuple(info)
        assert status_from_events(events) == expect


def test_sync_url_in_config_is_validated(home, cli):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('sync_url = "mysql://x@y/z"\n')
    code, out, err = cli("progress")
    assert code == 2 and "sync_url must be a URL starting with postgresql://" in err
    (home / "config.toml").write_text("sync_url = 5\n")
    assert cli("progress")[0] == 2
    from mlpath import settings

    (home / "config.toml").write_text('sync_url = "postgresql://me:secret@host/db"\ndesired_retention = 0.85\n')
    assert settings.load(home / "config.toml") == settings.Settings(desired_retention=0.85,
                                                                   sync_url="postgresql://me:secret@host/db")


def test_sync_without_a_server_says_how_to_set_one_in_one_line(cli, monkeypatch):
    monkeypatch.delenv("MLPATH_SYNC_URL", raising=False)
    code, out, err = cli("sync")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "MLPATH_SYNC_URL" in err and "sync_url" in err
    for url, words in (("http://x/y", "must start with postgresql://"), ("postgresql://me:pw@host", "name a host "
                                                                                                   "and a database"),
                       ("postgresql://me:pw@host:99999/db", "not a valid URL")):
        monkeypatch.setenv("MLPATH_SYNC_URL", url)
        code, out, err = cli("sync")
        assert code == 2 and words in err and "pw" not in err and len(err.strip().splitlines()) == 1


def test_an_unreachable_server_is_one_line_exit_1_and_nothing_changes(cli, monkeypatch):
    monkeypatch.setenv("MLPATH_SYNC_URL", "postgresql://me:secret@127.0.0.1:9/db")  # the discard port: refused
    code, out, err = cli("sync")
    assert code == 1 and "cannot reach the sync server postgresql://me@127.0.0.1:9/db" in err
    assert "secret" not in err and len(err.strip().splitlines()) == 1


def test_the_server_revisions_are_the_scripts_oldest_first():
    from alembic.script import ScriptDirectory

    from mlpath.server import connection, schema

    script = ScriptDirectory.from_config(schema.alembic_config(connection.ServerUrl("postgresql://x@h/d")))
    assert tuple(r.revision for r in reversed(list(script.walk_revisions()))) == connection.SERVER_REVISIONS
    assert script.get_heads() == [connection.SERVER_HEAD]


def test_server_url_shown_without_password():
    from mlpath.server.connection import parse_url

    u = parse_url("postgresql://mlpath_ab_u_x:p%40ss@db.example.org:6543/class1?sslmode=require")
    assert u.shown == "postgresql://mlpath_ab_u_x@db.example.org:6543/class1"
    assert u.user == "mlpath_ab_u_x" and u.has_password and u.database == "class1"
    assert u.with_user("r", "a/b") == "postgresql://r:a%2Fb@db.example.org:6543/class1?sslmode=require"


def test_walking_the_log_by_id_reads_from_the_position_not_the_whole_pack(tmp_path):
    """A push reads the log a batch at a time after the last id pushed: each batch must be a range of ids, not every
    review of the pack through an index on (pack, ...) sorted by id again (that made a first push of 300,000
    reviews spend two thirds of its time re-reading the log). Checked on SQLite's own plan of each statement."""
    from mlpath.store import sync_local

    conn = db.connect(tmp_path / "x.db")
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        sync_local.unpushed_reviews(conn, "p", 10, 500)
        sync_local.unpushed_events(conn, "p", 10, 500)
        sync_local._max_id(conn, "review", "p")
    finally:
        conn.set_trace_callback(None)
    walks = [sql for sql in statements if "review" in sql or "status_event" in sql]
    assert len(walks) == 3
    for sql in walks:  # (the trace gives each statement with its values in place)
        plan = " / ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
        assert "TEMP B-TREE" not in plan, (sql, plan)
        assert "INTEGER PRIMARY KEY" in plan or plan.startswith("SCAN"), (sql, plan)
    conn.close()
