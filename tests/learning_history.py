"""A small fixed learning history on the mini roadmap, shared by the stats, backup and Anki tests.

NOW is Thursday 2025-01-02 12:00 UTC. Reviews (UTC), with the local day in Asia/Tokyo (UTC+9):

    vectors-choice  2024-12-30 10:00  Good   first              Tokyo 12-30
    gd-tf           2024-12-30 11:00  Good   first              Tokyo 12-30
    vectors-tf      2024-12-31 10:00  Again  first              Tokyo 12-31
    vectors-choice  2024-12-31 23:30  Good   repeat (pass)      Tokyo 01-01
    vectors-tf      2025-01-01 09:00  Good   repeat (pass)      Tokyo 01-01
    gd-tf           2025-01-01 12:00  Hard   repeat (pass)      Tokyo 01-01
    matrices-half   2025-01-02 08:00  Again  first              Tokyo 01-02
    vectors-choice  2025-01-02 09:00  Again  repeat (fail)      Tokyo 01-02

Cards end due: vectors-choice 2025-01-02 11:00 (overdue), vectors-tf 2025-01-05 10:00, matrices-half
2025-01-02 20:00 (Tokyo: 01-03), gd-tf 2025-02-15 (beyond 30 days).
"""

from __future__ import annotations

from datetime import datetime, timezone

from mlpath.core.scheduling import CardState
from mlpath.store import queries

NOW = datetime(2025, 1, 2, 12, 0, tzinfo=timezone.utc)
NOW_TEXT = "2025-01-02T12:00:00+00:00"

EXTRA_QUESTIONS = """\
questions:
  - id: gd-tf
    topic: gradient-descent
    kind: true_false
    prompt: Gradient descent steps against the gradient.
    answer: true
    explanation: The gradient points uphill.
"""


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


REVIEWS = [  # question, topic, time, rating, card due afterwards
    ("vectors-choice", "vectors", utc(2024, 12, 30, 10), 3, utc(2024, 12, 31, 10)),
    ("gd-tf", "gradient-descent", utc(2024, 12, 30, 11), 3, utc(2025, 1, 1, 11)),
    ("vectors-tf", "vectors", utc(2024, 12, 31, 10), 1, utc(2024, 12, 31, 10, 10)),
    ("vectors-choice", "vectors", utc(2024, 12, 31, 23, 30), 3, utc(2025, 1, 2, 9)),
    ("vectors-tf", "vectors", utc(2025, 1, 1, 9), 3, utc(2025, 1, 5, 10)),
    ("gd-tf", "gradient-descent", utc(2025, 1, 1, 12), 2, utc(2025, 2, 15, 12)),
    ("matrices-half", "matrices", utc(2025, 1, 2, 8), 1, utc(2025, 1, 2, 20)),
    ("vectors-choice", "vectors", utc(2025, 1, 2, 9), 1, utc(2025, 1, 2, 11)),
]


def add_extra_questions(content) -> None:
    (content / "questions" / "extra.yaml").write_text(EXTRA_QUESTIONS)


def pack_of(conn) -> str:
    """The pack the content in use was synced as (the tests' content folders have one each)."""
    return conn.execute("SELECT pack FROM content_state ORDER BY id DESC LIMIT 1").fetchone()[0]


def add_review(conn, question: str, topic: str, at: datetime, rating: int, due: datetime) -> int:
    after = CardState(2 if rating > 1 else 3, None, 3.0, 5.0, due, at)
    return queries.record_review(conn, pack_of(conn), question_id=question, topic_id=topic, before=None, after=after, now=at,
                                 rating=rating, correct=rating > 1, answer="x", response_ms=1200, seed=None)


def build(conn) -> None:
    """The statuses and reviews above (the content must include EXTRA_QUESTIONS)."""
    pack = pack_of(conn)
    queries.set_status(conn, pack, "vectors", "done", utc(2024, 12, 29, 9))
    queries.set_status(conn, pack, "matrices", "in_progress", utc(2024, 12, 31, 9))
    queries.set_status(conn, pack, "derivatives", "skipped", utc(2024, 12, 30, 9))
    for question, topic, at, rating, due in REVIEWS:
        add_review(conn, question, topic, at, rating, due)


def install(content_dir, monkeypatch) -> None:
    """Put the fixed history into the current MLPATH_HOME (on a copy of the mini roadmap), with the clock at NOW."""
    from mlpath.app.session import open_session

    add_extra_questions(content_dir)
    monkeypatch.setenv("MLPATH_NOW", NOW_TEXT)
    s = open_session()
    try:
        build(s.conn)
    finally:
        s.close()
