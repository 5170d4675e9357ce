"""0002_packs on a database made by the release before packs (schema 0001_initial) holding a real-shaped history:
every row survives with every value, all of it lands in the shipped pack, and mlpath reads it as before."""

from __future__ import annotations

import json
import random
import sqlite3
import time
from datetime import datetime, timedelta, timezone

import pytest

from mlpath.packs.manifest import SHIPPED_ID
from mlpath.store import db

TABLES = ("topic", "topic_status", "status_event", "question", "card", "review", "content_state")
T0 = datetime(2020, 1, 1, 8, tzinfo=timezone.utc)


def _shipped():
    from mlpath.packs.loader import load_or_raise
    from mlpath.paths import content_dir

    return load_or_raise(content_dir())


def build_0001(path, reviews: int, seed: int = 7) -> None:
    """A 0001 database with the shipped topics and questions, statuses, events, cards and ``reviews`` reviews."""
    from alembic import command

    command.upgrade(db.alembic_config(path), "0001_initial")
    shipped = _shipped()
    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    ts = db.to_db(T0)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO topic (id, title, area, active, first_seen) VALUES (?,?,?,?,?)",
                     [(t.id, t.title, t.area, 1, ts) for t in shipped.roadmap.topics]
                     + [("retired-topic", "Retired", "maths", 0, ts)])
    conn.executemany("INSERT INTO question (id, topic_id, kind, data, active) VALUES (?,?,?,?,1)",
                     [(q["id"], q["topic"], q["kind"], json.dumps(q)) for q in shipped.questions])
    topics = [t.id for t in shipped.roadmap.topics[:40]]
    for i, topic in enumerate(topics):
        at = db.to_db(T0 + timedelta(days=i))
        status = ("done", "in_progress", "skipped")[i % 3]
        conn.execute("INSERT INTO topic_status VALUES (?,?,?,?,?)",
                     (topic, status, at, at if status != "in_progress" else None, at))
        conn.execute("INSERT INTO status_event (topic_id, status, at) VALUES (?,?,?)", (topic, status, at))
    questions = [q for q in shipped.questions if q["topic"] in topics][:400]
    for i, q in enumerate(questions, 1):
        conn.execute("INSERT INTO card VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                     (i, q["id"], 2, None, 3.5 + i, 5.0, db.to_db(T0 + timedelta(days=900 + i)), ts, ts, 0, 0))
    rows = []
    for k in range(reviews):
        i = rng.randrange(len(questions))
        rating = rng.choice((1, 2, 3, 3, 3, 4))
        rows.append((i + 1, questions[i]["id"], questions[i]["topic"],
                     db.to_db(T0 + timedelta(minutes=7 * k)), rating, rating > 1, f"answer {k} é", 900 + k % 5000,
                     k if k % 11 == 0 else None))
    conn.executemany("INSERT INTO review (card_id, question_id, topic_id, reviewed_at, rating, correct, answer, "
                     "response_ms, seed) VALUES (?,?,?,?,?,?,?,?,?)", rows)
    conn.execute("INSERT INTO content_state VALUES (1, 'old/content', 'old-fingerprint', '{}', ?)", (ts,))
    conn.execute("COMMIT")
    conn.close()


def columns_of(path) -> dict[str, list[str]]:
    conn = sqlite3.connect(path)
    try:
        return {table: [c[1] for c in conn.execute(f"PRAGMA table_info('{table}')")] for table in TABLES}
    finally:
        conn.close()


def snapshot(path, columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Every row of every table, as ``columns`` (the columns 0001 had), in a fixed order."""
    conn = sqlite3.connect(path)
    try:
        return {table: sorted(conn.execute(f"SELECT {', '.join(columns[table])} FROM {table}"), key=repr)
                for table in TABLES}
    finally:
        conn.close()


def migrate_and_check(tmp_path, reviews: int) -> float:
    path = tmp_path / "home" / "mlpath.db"
    path.parent.mkdir(parents=True)
    build_0001(path, reviews)
    old_columns = columns_of(path)
    before = snapshot(path, old_columns)
    assert len(before["review"]) == reviews
    started = time.perf_counter()
    db.connect(path).close()
    took = time.perf_counter() - started
    assert snapshot(path, old_columns) == before  # every row, every value
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == db.HEAD
        for table in TABLES:
            assert conn.execute(f"SELECT DISTINCT pack FROM {table}").fetchall() == [(SHIPPED_ID,)], table
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()
    return took


def test_a_0001_history_moves_into_the_shipped_pack_with_every_row(tmp_path, cli, monkeypatch):
    migrate_and_check(tmp_path, reviews=3000)
    monkeypatch.setenv("MLPATH_NOW", "2025-01-01T00:00:00+00:00")
    code, out, err = cli("progress", "--json")
    assert code == 0, err
    progress = json.loads(out)
    assert progress["pack"] == SHIPPED_ID and progress["reviews"] == 3000
    assert (progress["done"], progress["in_progress"], progress["skipped"]) == (14, 13, 13)
    code, out, err = cli("stats", "--json", "--tz", "UTC")
    assert json.loads(out)["total_reviews"] == 3000
    code, out, err = cli("export", str(tmp_path / "after.json"), "--json")
    summary = json.loads(out)
    assert (summary["reviews"], summary["cards"], summary["statuses"], summary["status_events"]) == (3000, 400, 40, 40)
    assert summary["packs"] == [SHIPPED_ID]


@pytest.mark.slow
def test_the_300k_history_migrates_whole_and_quickly(tmp_path):
    took = migrate_and_check(tmp_path, reviews=300_000)
    assert took < 60, f"migrating 300k reviews took {took:.1f} s"
