"""The class report's queries, as the connected role may see them (a teacher: the class; a learner: themself)."""

from __future__ import annotations

from datetime import datetime, timedelta

from mlpath.server.connection import SCHEMA

STRUGGLE_DAYS = 30
STRUGGLE_MIN_REVIEWS = 5


def learners(conn, pack: str, now: datetime) -> list[tuple]:
    """(learner, teacher, reviews, reviews in the last 7 days, last review time, reviews in the last 30 days, of
    which recalled (not Again), {status: topics}) per member, by name. Only the last 30 days of the log are read
    (an index on pack and time); totals come from the tally each push keeps."""
    week, month = now - timedelta(days=7), now - timedelta(days=STRUGGLE_DAYS)
    members = conn.execute(
        f"SELECT m.learner, m.teacher, m.role, COALESCE(t.reviews, 0), (SELECT max(r.reviewed_at) FROM "
        f"{SCHEMA}.review r WHERE r.learner = m.role AND r.pack = %s AND r.reviewed_at <= %s) "
        f"FROM {SCHEMA}.member m LEFT JOIN {SCHEMA}.tally t ON t.learner = m.role AND t.pack = %s "
        "ORDER BY m.learner", (pack, now, pack)).fetchall()
    recent = {role: rest for role, *rest in conn.execute(
        "SELECT learner, count(*) FILTER (WHERE reviewed_at > %s), count(*), count(*) FILTER (WHERE rating > 1) "
        f"FROM {SCHEMA}.review WHERE pack = %s AND reviewed_at > %s AND reviewed_at <= %s GROUP BY learner",
        (week, pack, month, now))}
    statuses: dict[str, dict[str, int]] = {}
    for role, status, count in conn.execute(
            "SELECT learner, status, count(*) FROM ("
            f"SELECT DISTINCT ON (learner, topic) learner, topic, status FROM {SCHEMA}.status_event WHERE pack = %s "
            "AND at <= %s ORDER BY learner, topic, at DESC, status DESC) latest GROUP BY learner, status", (pack, now)):
        statuses.setdefault(role, {})[status] = count
    conn.commit()
    return [(name, bool(teacher), total, *recent.get(role, (0, 0, 0))[:1], last, *recent.get(role, (0, 0, 0))[1:],
             statuses.get(role, {})) for name, teacher, role, total, last in members]


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
