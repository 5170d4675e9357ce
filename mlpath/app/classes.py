"""`mlpath class`: a teacher's (or admin's) side of sync. `init` creates or upgrades the class on the server
(schema, roles, row-level security, through the server's Alembic migrations); `add-learner` creates a learner's
or teacher's role and returns the URL their devices sync with; `report` reads the class as the teacher."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mlpath.app.session import Session


@dataclass(frozen=True)
class ClassInit:
    server: str  # without password
    schema_before: str | None
    schema: str
    learners: int


@dataclass(frozen=True)
class NewLearner:
    learner: str
    url: str
    teacher: bool

    def to_dict(self) -> dict:
        return {"learner": self.learner, "url": self.url, "teacher": self.teacher}


@dataclass(frozen=True)
class LearnerProgress:
    learner: str
    teacher: bool
    topics_done: int
    topics_in_progress: int
    topics_skipped: int
    topics_total: int  # in the roadmap the report is read with
    progress: float | None  # done / total
    reviews: int
    reviews_7d: int
    last_review: datetime | None
    reviews_30d: int
    mastery: float | None  # share of the last 30 days' answers that were recalled (not Again); None without any


@dataclass(frozen=True)
class Struggle:
    topic: str
    title: str
    area: str
    reviews: int
    forgotten: int  # answered Again
    forgotten_share: float
    learners: int


@dataclass(frozen=True)
class ClassReport:
    server: str
    pack: str
    at: datetime
    learners: list[LearnerProgress]
    struggles: list[Struggle]
    struggle_days: int


def _admin(url: str):
    from mlpath.server.connection import parse_url

    return parse_url(url, "admin URL")


def init(admin_url: str) -> ClassInit:
    from mlpath.server import schema

    done = schema.init(_admin(admin_url))
    return ClassInit(*done)


def add_learner(admin_url: str, name: str, teacher: bool = False) -> NewLearner:
    from mlpath.server import schema

    made = schema.add_learner(_admin(admin_url), name, teacher)
    return NewLearner(made.learner, made.url, made.teacher)


def report(s: Session) -> ClassReport:
    import psycopg

    from mlpath.app.sync import _local_pack, sync_url
    from mlpath.server import connection
    from mlpath.server import report as queries
    from mlpath.server.sync import utc

    url, source = sync_url(s)
    server = connection.parse_url(url, "sync URL" if source == "MLPATH_SYNC_URL" else f"sync_url in {source}")
    pack = _local_pack(s)
    conn = connection.connect(server)
    try:
        connection.check_schema(conn, server, older_ok=True)
        rows = queries.learners(conn, pack, s.now)
        hard = queries.struggles(conn, pack, s.now)
    except psycopg.OperationalError as e:
        raise connection.lost(server, e) from None
    finally:
        conn.close()
    total = len(s.roadmap.topics)
    people = [LearnerProgress(name, teacher, st.get("done", 0), st.get("in_progress", 0), st.get("skipped", 0), total,
                              round(st.get("done", 0) / total, 4) if total else None, reviews, week,
                              utc(last) if last else None, month, round(passed / month, 4) if month else None)
              for name, teacher, reviews, week, last, month, passed, st in rows]
    titles = {t.id: t.title for t in s.roadmap.topics}
    struggles = [Struggle(topic, titles.get(topic, topic), area, n, again, round(again / n, 4), who)
                 for topic, area, n, again, who in hard]
    return ClassReport(server.shown, pack, s.now, people, struggles, queries.STRUGGLE_DAYS)
