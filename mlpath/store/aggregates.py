"""The review summaries behind `mlpath stats`, read without scanning the review log.

``review_hour`` (answers and right answers per pack and UTC hour) and ``review_tally`` (answers and passed answers
per pack, question and topic) are kept by triggers on ``review`` (migration 0010_stats), so every writer - a quiz answer, an
import, a rename, a bulk insert - updates them in the same transaction. ``recount`` computes the same numbers
from the review log itself; tests check that the two always agree.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from contextlib import contextmanager
from datetime import datetime

from mlpath.store.db import from_db, to_db

DERIVED_TABLES = ("review_hour", "review_tally")

# What the triggers count as answered right (stats.Answer.right): ``correct`` when known, else a rating > Again.
RIGHT_SQL = "(CASE WHEN correct IS NULL THEN rating > 1 WHEN correct THEN 1 ELSE 0 END)"


@contextmanager
def bulk_insert(conn: sqlite3.Connection, rebuild_indexes: bool = False):
    """Around a bulk insert into ``review`` inside the caller's write transaction: the per-row triggers are set
    aside and the summaries updated once, set-wise, from the new rows (several times faster for a big import):
    a temporary trigger counts each inserted row in Python, and one upsert per key writes the counts at the end.
    With ``rebuild_indexes`` (for an empty table) the review indexes are dropped too and built again at the end,
    by sorting, instead of being updated row by row; unique ones stay (``INSERT OR IGNORE`` relies on them).
    Reviews must only be inserted inside; the caller's transaction keeps it all or nothing (schema changes
    included)."""
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'review' "
                            "AND name LIKE 'review_summary_%'").fetchall()
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'review' "
                           "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'").fetchall() \
        if rebuild_indexes else []
    last = conn.execute("SELECT COALESCE(MAX(id), 0) FROM review").fetchone()[0]
    for name, _sql in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    for name, _sql in indexes:
        conn.execute(f"DROP INDEX {name}")
    counts = _Counts()
    conn.create_function("mlpath_count_review", 6, counts.add)
    conn.execute("CREATE TEMP TRIGGER mlpath_bulk_summary AFTER INSERT ON main.review BEGIN SELECT "
                 "mlpath_count_review(NEW.pack, NEW.reviewed_at, NEW.rating, NEW.correct, NEW.question_id, "
                 "NEW.topic_id); END")
    yield
    conn.execute("DROP TRIGGER temp.mlpath_bulk_summary")
    for _name, sql in indexes:
        conn.execute(sql)
    new = conn.execute("SELECT COUNT(*) FROM review WHERE id > ?", (last,)).fetchone()[0]
    if counts.full or sum(counts.hours.values()) >> 32 != new:
        add_summaries(conn, last)  # too many keys to count in memory (or counts not adding up): read them back
    else:
        _write_summaries(conn, counts.hours, counts.tally)
    for _name, sql in triggers:
        conn.execute(sql)


class _Counts:
    """The summaries of the rows inserted during a bulk insert, as the triggers would add them, counted in
    memory: per key, answers * 2**32 + right (or passed) answers. At most _COUNT_KEYS keys (about 200 bytes
    each); beyond, ``full`` and nothing more is counted."""

    def __init__(self):
        self.hours: dict[tuple, int] = {}
        self.tally: dict[tuple, int] = {}
        self.full = False

    def add(self, pack: str, at: str, rating: int, correct: int | None, question: str, topic: str) -> None:
        if self.full:
            return
        hours, tally = self.hours, self.tally
        key = (pack, at[:13])
        hours[key] = hours.get(key, 0) + (_ONE + (rating > 1 if correct is None else correct != 0))  # RIGHT_SQL
        key = (pack, question, topic)
        tally[key] = tally.get(key, 0) + (_ONE + (rating > 1))
        if len(hours) + len(tally) > _COUNT_KEYS:
            self.full = True
            self.hours, self.tally = {}, {}


_ONE = 1 << 32
_COUNT_KEYS = 150_000


def _write_summaries(conn: sqlite3.Connection, hours: dict[tuple, int], tally: dict[tuple, int]) -> None:
    mask = _ONE - 1
    conn.executemany(_HOUR_UPSERT, ((*key, n >> 32, n & mask) for key, n in sorted(hours.items())))
    conn.executemany(_TALLY_UPSERT, ((*key, n >> 32, n & mask) for key, n in sorted(tally.items())))


_HOUR_UPSERT = ("INSERT INTO review_hour (pack, hour, answers, correct) VALUES (?, ?, ?, ?) ON CONFLICT(pack, hour) "
                "DO UPDATE SET answers = answers + excluded.answers, correct = correct + excluded.correct")
_TALLY_UPSERT = ("INSERT INTO review_tally (pack, question_id, topic_id, answers, passed) VALUES (?, ?, ?, ?, ?) "
                 "ON CONFLICT(pack, question_id, topic_id) DO UPDATE SET answers = answers + excluded.answers, "
                 "passed = passed + excluded.passed")
_FLUSH = 50_000  # distinct keys counted before they are written (memory stays bounded whatever the history)


def add_summaries(conn: sqlite3.Connection, after: int) -> None:
    """Add the reviews with ``id > after`` to the summaries (what the triggers would have added one by one).

    Each summary's key (and whether the answer counts as right / passed) is read for every new review and
    counted in Python (``Counter`` counts in C), then written with one upsert per key: about twice as fast as
    SQLite's GROUP BY, which sorts every row first."""
    for select, upsert in (
            (f"SELECT pack, substr(reviewed_at, 1, 13), {RIGHT_SQL} FROM review WHERE id > ?", _HOUR_UPSERT),
            ("SELECT pack, question_id, topic_id, rating > 1 FROM review WHERE id > ?", _TALLY_UPSERT)):
        counts: Counter = Counter()
        cursor = conn.execute(select, (after,))
        while True:
            rows = cursor.fetchmany(20_000)
            if rows:
                counts.update(rows)
            if counts and (not rows or len(counts) >= _FLUSH):
                totals: dict[tuple, list[int]] = {}
                for (*key, right), n in counts.items():
                    t = totals.setdefault(tuple(key), [0, 0])
                    t[0] += n
                    t[1] += n if right else 0
                conn.executemany(upsert, [(*key, n, r) for key, (n, r) in sorted(totals.items())])
                counts.clear()
            if not rows:
                break


def _pack(pack: str | None, alias: str = "") -> tuple[str, tuple]:
    """An ``AND`` limiting the rows to one pack (nothing for every pack, None)."""
    return ("", ()) if pack is None else (f" AND {alias}pack = ?", (pack,))


def total_reviews(conn: sqlite3.Connection, pack: str | None = None) -> int:
    """Reviews stored in one pack (or every pack, None), from the summary."""
    where, args = _pack(pack)
    return conn.execute(f"SELECT COALESCE(SUM(answers), 0) FROM review_hour WHERE 1{where}", args).fetchone()[0]


def hours(conn: sqlite3.Connection, pack: str | None = None) -> list[tuple[str, int, int]]:
    """(UTC hour as ``YYYY-MM-DD HH``, answers, right answers) of every hour with answers in one pack (or every
    pack, None, summed), oldest first."""
    where, args = _pack(pack)
    return conn.execute(f"SELECT hour, SUM(answers), SUM(correct) FROM review_hour WHERE answers > 0{where} "
                        "GROUP BY hour ORDER BY hour", args).fetchall()


def minutes_in_hour(conn: sqlite3.Connection, hour: str, pack: str | None = None) -> list[tuple[str, int, int]]:
    """(``YYYY-MM-DD HH:MM``, answers, right answers) per minute of one stored hour (``YYYY-MM-DD HH``)."""
    where, args = _pack(pack)
    return conn.execute(f"SELECT substr(reviewed_at, 1, 16), COUNT(*), SUM({RIGHT_SQL}) FROM review "
                        f"WHERE reviewed_at >= ? AND reviewed_at < ?{where} GROUP BY 1",
                        (hour, hour + ";", *args)).fetchall()  # ';' sorts after ':': every time within the hour


def answers_in_minute(conn: sqlite3.Connection, minute: str, pack: str | None = None) -> list[tuple[datetime, bool]]:
    """(time, right) of each answer of one minute (``YYYY-MM-DD HH:MM``)."""
    where, args = _pack(pack)
    rows = conn.execute(f"SELECT reviewed_at, {RIGHT_SQL} FROM review WHERE reviewed_at >= ? AND reviewed_at < ?"
                        f"{where}", (minute, minute + ";", *args))
    return [(from_db(at), bool(right)) for at, right in rows]


def retention_by_area(conn: sqlite3.Connection, pack: str | None = None) -> dict[str, tuple[int, int]]:
    """Area -> (reviews, passed) over the reviews that are not their question's first one (true retention).

    The tallies give every answer per question and topic; each question's first review (earliest time, then
    earliest row) is found through the (pack, question, time) index and taken off. Areas are the topics' current
    ones. Over every pack (None) a question id shared by two packs counts as one question, as
    ``mlpath.core.stats.true_retention`` counts the whole log.
    """
    where, args = _pack(pack, "x.")
    out: dict[str, list[int]] = {}
    for area, answers, passed in conn.execute(
            "SELECT t.area, SUM(x.answers), SUM(x.passed) FROM review_tally x "
            f"JOIN topic t ON t.pack = x.pack AND t.id = x.topic_id WHERE x.answers > 0{where} GROUP BY t.area",
            args):
        out[area] = [answers, passed]
    where, args = _pack(pack)
    firsts: dict[str, tuple] = {}  # question id -> (time, row id, area, rating) of its first review
    for question, at, rid, area, rating in conn.execute(
            "SELECT r.question_id, r.reviewed_at, r.id, t.area, r.rating FROM (SELECT DISTINCT pack, question_id "
            f"FROM review_tally WHERE answers > 0{where}) q "
            "JOIN review r ON r.id = (SELECT f.id FROM review f WHERE f.pack = q.pack AND f.question_id = q.question_id "
            "ORDER BY f.reviewed_at, f.id LIMIT 1) JOIN topic t ON t.pack = r.pack AND t.id = r.topic_id", args):
        # over every pack, a question id is counted once (as stats.true_retention does): its earliest review
        if question not in firsts or (at, rid) < firsts[question][:2]:
            firsts[question] = (at, rid, area, rating)
    for _at, _rid, area, rating in firsts.values():
        counts = out.setdefault(area, [0, 0])
        counts[0] -= 1
        counts[1] -= rating > 1
    return {area: (n, p) for area, (n, p) in out.items() if n > 0}


def recount(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """The summaries computed afresh from the review log (what the tables must hold), sorted like ``stored``."""
    return {
        "review_hour": conn.execute(f"SELECT pack, substr(reviewed_at, 1, 13), COUNT(*), SUM({RIGHT_SQL}) "
                                    "FROM review GROUP BY 1, 2 ORDER BY 1, 2").fetchall(),
        "review_tally": conn.execute("SELECT pack, question_id, topic_id, COUNT(*), SUM(rating > 1) FROM review "
                                     "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3").fetchall(),
    }


def stored(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """The summary tables as they are (rows with answers), sorted by key."""
    return {
        "review_hour": conn.execute("SELECT pack, hour, answers, correct FROM review_hour WHERE answers > 0 "
                                    "ORDER BY 1, 2").fetchall(),
        "review_tally": conn.execute("SELECT pack, question_id, topic_id, answers, passed FROM review_tally "
                                     "WHERE answers > 0 ORDER BY 1, 2, 3").fetchall(),
    }
