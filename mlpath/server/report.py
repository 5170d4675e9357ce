"""The class report's queries, as the connected role may see them (a teacher: the class; a learner: themself)."""

from __future__ import annotations

from datetime import datetime, timedelta

from mlpath.server.connection import SCHEMA

STRUGGLE_DAYS = 30
STRUGGLE_MIN_REVIEWS = 5


def learners(conn, pack: str, now: datetime) -> list[tuple]:
    """(learner, teacher, reviews, reviews in the last 7 days, last review time, questions reviewed, questions
    whose latest review passed, {status: topics}) per member, by name."""
    week = now - timedelta(days=7)
    rows = conn.execute(
        f"SELECT m.learner, m.teacher, m.role, count(r.uid), count(r.uid) FILTER (WHERE r.reviewed_at > %s "
        "AND r.reviewed_at <= %s), max(r.reviewed_at) "
        f"FROM {SCHEMA}.member m LEFT JOIN {SCHEMA}.review r ON r.learner = m.role AND r.pack = %s "
        "GROUP BY m.learner, m.teacher, m.role ORDER BY m.learner", (week, now, pack)).fetchall()
    mastery = {role: (total, passed) for role, total, passed in conn.execute(
        "SELECT learner, count(*), count(*) FILTER (WHERE rating > 1) FROM ("
        f"SELECT DISTINCT ON (learner, question) learner, question, rating FROM {SCHEMA}.review WHERE pack = %s "
        "ORDER BY learner, question, reviewed_at DESC, uid DESC) latest GROUP BY learner", (pack,))}
    statuses: dict[str, dict[str, int]] = {}
    for role, status, count in conn.execute(
            "SELECT learner, status, count(*) FROM ("
            f"SELECT DISTINCT ON (learner, topic) learner, topic, status FROM {SCHEMA}.status_event WHERE pack = %s "
            "ORDER BY learner, topic, at DESC, status DESC) latest GROUP BY learner, status", (pack,)):
        statuses.setdefault(role, {})[status] = count
    conn.commit()
    return [(name, bool(teacher), total, week_count, last, *mastery.get(role, (0, 0)), statuses.get(role, {}))
            for name, teacher, role, total, week_count, last in rows]


def struggles(conn, pack: str, now: datetime, limit: int = 5) -> list[tuple]:
    """(topic, area, reviews, forgotten, learners) of the topics with the highest share of Again answers in the
    last 30 days, among topics with at least 5 reviews."""
    since = now - timedelta(days=STRUGGLE_DAYS)
    rows = conn.execute(
        "SELECT topic, area, count(*) AS n, count(*) FILTER (WHERE rating = 1) AS again, count(DISTINCT learner) "
        f"FROM {SCHEMA}.review WHERE pack = %s AND reviewed_at > %s AND reviewed_at <= %s GROUP BY topic, area "
        "HAVING count(*) >= %s ORDER BY count(*) FILTER (WHERE rating = 1)::float8 / count(*) DESC, n DESC, topic "
        "LIMIT %s", (pack, since, now, STRUGGLE_MIN_REVIEWS, limit)).fetchall()
    conn.commit()
    return rows
