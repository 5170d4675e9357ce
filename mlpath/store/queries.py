"""Queries on the schema in models.py, through sqlite3 (fast start-up). Every write runs in one transaction."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import NamedTuple

from mlpath.core.scheduling import CardState
from mlpath.core.srs import Phase, Rating
from mlpath.store import tables
from mlpath.store.db import from_db, to_db, transaction


# --- topic statuses -------------------------------------------------------------------------------------------

def statuses(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT topic_id, status FROM topic_status"))


class StatusInfo(NamedTuple):
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime | None


def status_info(conn: sqlite3.Connection, topic_id: str) -> StatusInfo:
    row = conn.execute("SELECT status, started_at, finished_at, updated_at FROM topic_status WHERE topic_id = ?",
                       (topic_id,)).fetchone()
    if not row:
        return StatusInfo("not_started", None, None, None)
    return StatusInfo(row[0], from_db(row[1]), from_db(row[2]), from_db(row[3]))


def set_status(conn: sqlite3.Connection, topic_id: str, status: str, now: datetime) -> None:
    """Record a status change and its event; ``not_started`` clears the status row (history is kept)."""
    ts = to_db(now)
    with transaction(conn):
        old = conn.execute("SELECT started_at FROM topic_status WHERE topic_id = ?", (topic_id,)).fetchone()
        if status == "not_started":
            conn.execute("DELETE FROM topic_status WHERE topic_id = ?", (topic_id,))
        else:
            started = old[0] if old and old[0] else (ts if status in ("in_progress", "done") else None)
            finished = ts if status in ("done", "skipped") else None
            tables.upsert_status(conn, topic_id, status, started, finished, ts)
        conn.execute("INSERT INTO status_event (topic_id, status, at) VALUES (?,?,?)", (topic_id, status, ts))


# --- cards and reviews ----------------------------------------------------------------------------------------

def due_count(conn: sqlite3.Connection, now: datetime) -> int:
    return conn.execute(
        "SELECT COUNT(*) FROM card JOIN question q ON q.id = card.question_id WHERE card.due <= ? AND q.active",
        (to_db(now),)).fetchone()[0]


def review_count(conn: sqlite3.Connection) -> int:
    """How many reviews are stored, from the hourly summary (kept equal to the review log by triggers): no scan."""
    return conn.execute("SELECT COALESCE(SUM(answers), 0) FROM review_hour").fetchone()[0]


class StoredCard(NamedTuple):
    id: int
    question_id: str
    state: CardState
    reps: int
    lapses: int


def _card(row) -> StoredCard:
    return StoredCard(row[0], row[1], tables.card_state_from(row[2:8]), row[8], row[9])


_CARD_COLS = tables.CARD_SELECT


def cards_for_topics(conn: sqlite3.Connection, topic_ids: list[str]) -> dict[str, StoredCard]:
    """Cards (by question id) of the active questions of these topics."""
    marks = ",".join("?" * len(topic_ids))
    rows = conn.execute(
        f"SELECT {_CARD_COLS} FROM card JOIN question q ON q.id = card.question_id "
        f"WHERE q.active AND q.topic_id IN ({marks})", topic_ids)
    return {r[1]: _card(r) for r in rows}


def due_cards(conn: sqlite3.Connection, now: datetime, topic_ids: list[str] | None = None,
              limit: int | None = None) -> list[tuple[StoredCard, str]]:
    """Due cards of active questions, most overdue first, with each question's JSON."""
    sql = (f"SELECT {_CARD_COLS}, q.data FROM card JOIN question q ON q.id = card.question_id "
           "WHERE q.active AND card.due <= ?")
    args: list = [to_db(now)]
    if topic_ids is not None:
        sql += f" AND q.topic_id IN ({','.join('?' * len(topic_ids))})"
        args += topic_ids
    sql += " ORDER BY card.due, card.id"
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    width = tables.CARD_SELECT_WIDTH
    return [(_card(r[:width]), r[width]) for r in conn.execute(sql, args)]


def new_questions(conn: sqlite3.Connection, topic_ids: list[str], limit: int) -> list[str]:
    """JSON of active questions of these topics that have no card yet, in topic order then file order."""
    marks = ",".join("?" * len(topic_ids))
    order = " ".join(f"WHEN ? THEN {i}" for i in range(len(topic_ids)))
    rows = conn.execute(
        f"SELECT q.data FROM question q LEFT JOIN card ON card.question_id = q.id "
        f"WHERE q.active AND card.id IS NULL AND q.topic_id IN ({marks}) "
        f"ORDER BY CASE q.topic_id {order} END, q.rowid LIMIT ?",
        [*topic_ids, *topic_ids, limit])
    return [r[0] for r in rows]


def question_json(conn: sqlite3.Connection, question_id: str) -> str | None:
    row = conn.execute("SELECT data FROM question WHERE id = ?", (question_id,)).fetchone()
    return row[0] if row else None


def record_review(conn: sqlite3.Connection, *, question_id: str, topic_id: str, before: CardState | None,
                  after: CardState, now: datetime, rating: int, correct: bool | None, answer: str | None,
                  response_ms: int | None, seed: int | None) -> int:
    """Store one answer and the card's new state, atomically. Returns the review id."""
    ts = to_db(now)
    lapse = 1 if (before is not None and before.state == Phase.REVIEW and rating == Rating.AGAIN) else 0
    with transaction(conn):
        row = conn.execute("SELECT id FROM card WHERE question_id = ?", (question_id,)).fetchone()
        if row:
            card_id = row[0]
            tables.update_card(conn, card_id, after, add_reps=1, add_lapses=lapse)
        else:
            card_id = tables.insert_card(conn, question_id, after, now, reps=1, lapses=0)
        review_id = conn.execute(tables.REVIEW_INSERT_SQL, (card_id, question_id, topic_id, ts, int(rating), correct,
                                                            answer, response_ms, seed)).lastrowid
    return review_id


def reviews_of(conn: sqlite3.Connection, question_id: str) -> list[tuple[int, datetime, int | None]]:
    """The review log of one question: (rating, time, response ms), oldest first."""
    rows = conn.execute("SELECT rating, reviewed_at, response_ms FROM review WHERE question_id = ? ORDER BY id",
                        (question_id,))
    return [(r[0], from_db(r[1]), r[2]) for r in rows]
