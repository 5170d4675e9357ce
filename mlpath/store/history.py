"""Reading the learner's history for statistics and decks, and dumping / merging it for backups.

Records exchanged with mlpath/backup.py are dicts keyed like the backup file (topic and question ids, never row
ids), with UTC-aware datetimes. ``merge`` writes everything in one transaction: any error rolls it all back.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from mlpath.core.scheduling import CardState
from mlpath.core.srs import Phase
from mlpath.core.stats import Answer
from mlpath.store import tables
from mlpath.store.db import from_db, to_db, transaction

# --- reads for stats and decks ----------------------------------------------------------------------------------

def answers(conn: sqlite3.Connection) -> list[Answer]:
    """Every review in the order it was recorded, with the area of its topic. (Rowid order: sorting by time in
    SQL would read the table through the time index, about three times slower on a large history.)"""
    rows = conn.execute(
        "SELECT r.question_id, t.area, r.reviewed_at, r.rating, r.correct FROM review r "
        "JOIN topic t ON t.id = r.topic_id ORDER BY r.id")
    parse = datetime.fromisoformat  # stored times are UTC without an offset (db.to_db): add it while parsing
    return [Answer(q, area, parse(at + "+00:00"), rating, None if correct is None else bool(correct))
            for q, area, at, rating, correct in rows]


def due_times(conn: sqlite3.Connection) -> list[datetime]:
    """When each card of an active question falls due."""
    rows = conn.execute("SELECT card.due FROM card JOIN question q ON q.id = card.question_id WHERE q.active")
    return [from_db(r[0]) for r in rows]


def active_questions(conn: sqlite3.Connection, topic_ids: list[str] | None = None) -> list[dict]:
    """The active questions (as validated content dicts), in file order; only these topics' if given."""
    sql = "SELECT data FROM question WHERE active"
    args: list = []
    if topic_ids is not None:
        sql += f" AND topic_id IN ({','.join('?' * len(topic_ids))})"
        args = list(topic_ids)
    return [json.loads(r[0]) for r in conn.execute(sql + " ORDER BY rowid", args)]


def question_renames(conn: sqlite3.Connection) -> dict[str, str]:
    """Old question id -> current id, from the ``replaces:`` of the active questions."""
    out: dict[str, str] = {}
    for (data,) in conn.execute("SELECT data FROM question WHERE active"):
        q = json.loads(data)
        for old in q.get("replaces") or ():
            out[old] = q["id"]
    return out


# --- backup: dump ----------------------------------------------------------------------------------------------

# Per section: the record's keys (as in the backup file), which of them are times (stored text), and the query
# giving them in that order except ``area``, which is looked up from the record's topic (cheaper than a join).
DUMP: dict[str, tuple[tuple[str, ...], frozenset[str], str]] = {
    "statuses": (
        ("topic", "area", "status", "started_at", "finished_at", "updated_at"),
        frozenset({"started_at", "finished_at", "updated_at"}),
        "SELECT topic_id, status, started_at, finished_at, updated_at FROM topic_status ORDER BY topic_id"),
    "status_events": (
        ("topic", "area", "status", "at"), frozenset({"at"}),
        "SELECT topic_id, status, at FROM status_event ORDER BY at, id"),
    "cards": (
        ("question", "topic", "area", "kind", "state", "step", "stability", "difficulty", "due", "last_review",
         "created_at", "reps", "lapses"),
        frozenset({"due", "last_review", "created_at"}),
        "SELECT q.id, q.topic_id, q.kind, c.state, c.step, c.stability, c.difficulty, c.due, c.last_review, "
        "c.created_at, c.reps, c.lapses FROM card c JOIN question q ON q.id = c.question_id ORDER BY c.id"),
    "reviews": (
        ("question", "topic", "area", "reviewed_at", "rating", "correct", "answer", "response_ms", "seed"),
        frozenset({"reviewed_at"}),
        "SELECT question_id, topic_id, reviewed_at, rating, correct, answer, response_ms, seed FROM review "
        "ORDER BY reviewed_at, id"),
}


@contextmanager
def snapshot(conn: sqlite3.Connection):
    """One read transaction: every query inside sees the database as it was at the first one, whatever other
    processes commit meanwhile (a backup never holds a review whose card it lacks)."""
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.execute("COMMIT")


def dump_rows(conn: sqlite3.Connection, section: str, chunk: int = 2000) -> Iterator[list[tuple]]:
    """The rows of one backup section in the order of its DUMP keys (times as stored), a chunk at a time. Run it
    inside ``snapshot`` so that every section comes from the same moment."""
    keys = DUMP[section][0]
    at = keys.index("area")
    areas = dict(conn.execute("SELECT id, area FROM topic"))
    cursor = conn.execute(DUMP[section][2])
    while rows := cursor.fetchmany(chunk):
        yield [(*row[:at], areas.get(row[at - 1]), *row[at:]) for row in rows]


def dump(conn: sqlite3.Connection) -> dict[str, list[dict]]:
    """The learner's whole history, keyed by topic and question ids (times as UTC-aware datetimes)."""
    out: dict[str, list[dict]] = {}
    with snapshot(conn):
        for section, (keys, times, _sql) in DUMP.items():
            records = out[section] = []
            for rows in dump_rows(conn, section):
                for row in rows:
                    rec = {k: from_db(v) if k in times else v for k, v in zip(keys, row)}
                    if "correct" in rec and rec["correct"] is not None:
                        rec["correct"] = bool(rec["correct"])
                    records.append(rec)
    return out


# --- backup: merge ---------------------------------------------------------------------------------------------

def _opt(dt: datetime | None) -> str | None:
    return to_db(dt) if dt is not None else None


def _ensure_topic(conn: sqlite3.Connection, topic_id: str, area: str, ts: str) -> int:
    """An inactive placeholder for a topic the current content does not know (its history keeps its keys)."""
    return conn.execute("INSERT OR IGNORE INTO topic (id, title, area, active, first_seen) VALUES (?,?,?,0,?)",
                        (topic_id, topic_id, area, ts)).rowcount


def _ensure_question(conn: sqlite3.Connection, question_id: str, topic_id: str, kind: str) -> int:
    data = json.dumps({"id": question_id, "topic": topic_id, "kind": kind})
    return conn.execute("INSERT OR IGNORE INTO question (id, topic_id, kind, data, active) VALUES (?,?,?,?,0)",
                        (question_id, topic_id, kind, data)).rowcount


def _latest(row: tuple[str, str] | None, events: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """(status, time) a side ends in: its status row, unless a later reset (not_started event) cleared it."""
    last = max(events, key=lambda e: e[1], default=None)
    if last is not None and last[0] == "not_started" and (row is None or last[1] > row[1]):
        return last
    return row


def merge(conn: sqlite3.Connection, data: dict[str, list[dict]], now: datetime) -> dict[str, int]:
    """Merge a validated backup into the database without duplicates, all in one transaction.

    Reviews are identified by (question, reviewed_at, rating) and status events by (topic, status, at); a card
    by its question, keeping the one reviewed last; a topic's status by the later change (a reset counts).
    """
    ts = to_db(now)
    added = {"statuses": 0, "status_events": 0, "cards": 0, "reviews": 0, "topics_placeholders": 0,
             "questions_placeholders": 0}
    kinds = {c["question"]: c["kind"] for c in data["cards"]}
    with transaction(conn):
        topics = {rec["topic"]: rec["area"] for key in ("statuses", "status_events", "cards", "reviews")
                  for rec in data[key]}
        for topic, area in topics.items():
            added["topics_placeholders"] += _ensure_topic(conn, topic, area, ts)
        questions = {rec["question"]: rec["topic"] for rec in [*data["reviews"], *data["cards"]]}
        for question, topic in questions.items():
            added["questions_placeholders"] += _ensure_question(conn, question, topic, kinds.get(question, "unknown"))

        # statuses: decide each topic before the backup's events join the log
        mine_events: dict[str, list[tuple[str, str]]] = {}
        for rec in data["status_events"]:
            mine_events.setdefault(rec["topic"], []).append((rec["status"], to_db(rec["at"])))
        theirs = {rec["topic"]: rec for rec in data["statuses"]}
        for topic in sorted(set(theirs) | set(mine_events)):
            rec = theirs.get(topic)
            incoming = _latest((rec["status"], to_db(rec["updated_at"])) if rec else None, mine_events.get(topic, []))
            row = conn.execute("SELECT status, updated_at FROM topic_status WHERE topic_id = ?", (topic,)).fetchone()
            existing = _latest(tuple(row) if row else None,
                               conn.execute("SELECT status, at FROM status_event WHERE topic_id = ?", (topic,)))
            if incoming is None or (existing is not None and incoming[1] <= existing[1]):
                continue
            if incoming[0] == "not_started":
                changed = conn.execute("DELETE FROM topic_status WHERE topic_id = ?", (topic,)).rowcount
            else:
                tables.upsert_status(conn, topic, rec["status"], rec["started_at"], rec["finished_at"],
                                     rec["updated_at"])
                changed = 1
            added["statuses"] += changed

        for rec in data["status_events"]:
            at = to_db(rec["at"])
            if conn.execute("SELECT 1 FROM status_event WHERE topic_id = ? AND status = ? AND at = ?",
                            (rec["topic"], rec["status"], at)).fetchone():
                continue
            conn.execute("INSERT INTO status_event (topic_id, status, at) VALUES (?,?,?)",
                         (rec["topic"], rec["status"], at))
            added["status_events"] += 1

        for rec in data["cards"]:
            state = CardState(Phase(rec["state"]), rec["step"], rec["stability"], rec["difficulty"], rec["due"],
                              rec["last_review"])
            row = conn.execute("SELECT id, last_review, created_at FROM card WHERE question_id = ?",
                               (rec["question"],)).fetchone()
            if row is None:
                tables.insert_card(conn, rec["question"], state, rec["created_at"], rec["reps"], rec["lapses"])
                added["cards"] += 1
            elif (_opt(rec["last_review"]) or "") > (row[1] or ""):
                tables.update_card(conn, row[0], state, reps=rec["reps"], lapses=rec["lapses"],
                                   created_at=min(from_db(row[2]), rec["created_at"]))
                added["cards"] += 1

        seen = set(conn.execute("SELECT question_id, reviewed_at, rating FROM review"))
        card_ids = dict(conn.execute("SELECT question_id, id FROM card"))
        rows = []
        for rec in data["reviews"]:
            key = (rec["question"], to_db(rec["reviewed_at"]), rec["rating"])
            if key in seen:
                continue
            seen.add(key)
            if rec["question"] not in card_ids:
                raise MissingCard(rec["question"])
            rows.append((card_ids[rec["question"]], rec["question"], rec["topic"], key[1], rec["rating"],
                         rec["correct"], rec["answer"], rec["response_ms"], rec["seed"]))
        conn.executemany(tables.REVIEW_INSERT_SQL, rows)
        added["reviews"] += len(rows)
    return added


class MissingCard(Exception):
    """A review whose question has no card in the backup nor in the database."""

    def __init__(self, question_id: str):
        self.question_id = question_id
        super().__init__(question_id)
