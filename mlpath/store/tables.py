"""The one place that writes the rows of each table with raw SQL (the fast path every command uses).

Column lists here are checked against the SQLModel tables in models.py by tests/test_store.py, so the schema has
one description (models.py), its history (migrations/) and this single mapping to SQL.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from mlpath.core.scheduling import CardState
from mlpath.core.srs import Phase
from mlpath.store.db import from_db, to_db

COLUMNS: dict[str, tuple[str, ...]] = {
    "topic": ("id", "title", "area", "active", "first_seen"),
    "topic_status": ("topic_id", "status", "started_at", "finished_at", "updated_at"),
    "status_event": ("id", "topic_id", "status", "at"),
    "question": ("id", "topic_id", "kind", "data", "active"),
    "card": ("id", "question_id", "state", "step", "stability", "difficulty", "due", "last_review", "created_at",
             "reps", "lapses"),
    "review": ("id", "card_id", "question_id", "topic_id", "reviewed_at", "rating", "correct", "answer",
               "response_ms", "seed"),
    "content_state": ("id", "source", "fingerprint", "roadmap", "synced_at"),
    "review_hour": ("hour", "answers", "correct"),  # summaries written only by triggers (migration 0003_stats)
    "review_tally": ("question_id", "topic_id", "answers", "passed"),
}

# A card's memory state: what FSRS reads and writes.
CARD_STATE = ("state", "step", "stability", "difficulty", "due", "last_review")
CARD_SELECT = "card.id, card.question_id, " + ", ".join(f"card.{c}" for c in CARD_STATE) + ", card.reps, card.lapses"
CARD_SELECT_WIDTH = 2 + len(CARD_STATE) + 2


def _opt(dt: datetime | None) -> str | None:
    return to_db(dt) if dt is not None else None


def card_state_values(state: CardState) -> tuple:
    """A CardState as the values of CARD_STATE, in that order."""
    return (int(state.state), state.step, state.stability, state.difficulty, to_db(state.due), _opt(state.last_review))


def card_state_from(row: tuple) -> CardState:
    """The values of CARD_STATE, in that order, as a CardState."""
    state, step, stability, difficulty, due, last = row
    return CardState(Phase(state), step, stability, difficulty, from_db(due), from_db(last))


def insert_card(conn: sqlite3.Connection, question_id: str, state: CardState, created_at: datetime,
                reps: int, lapses: int) -> int:
    cols = ("question_id", *CARD_STATE, "created_at", "reps", "lapses")
    return conn.execute(f"INSERT INTO card ({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                        (question_id, *card_state_values(state), to_db(created_at), reps, lapses)).lastrowid


def update_card(conn: sqlite3.Connection, card_id: int, state: CardState, *, reps: int | None = None,
                lapses: int | None = None, add_reps: int = 0, add_lapses: int = 0,
                created_at: datetime | None = None) -> None:
    """Set a card's memory state; ``reps``/``lapses`` replace the counts, ``add_*`` add to them."""
    sets = [f"{c} = ?" for c in CARD_STATE]
    args: list = list(card_state_values(state))
    for name, value, delta in (("reps", reps, add_reps), ("lapses", lapses, add_lapses)):
        if value is not None:
            sets.append(f"{name} = ?")
            args.append(value)
        elif delta:
            sets.append(f"{name} = {name} + ?")
            args.append(delta)
    if created_at is not None:
        sets.append("created_at = ?")
        args.append(to_db(created_at))
    conn.execute(f"UPDATE card SET {', '.join(sets)} WHERE id = ?", (*args, card_id))


def upsert_status(conn: sqlite3.Connection, topic_id: str, status: str, started_at: datetime | str | None,
                  finished_at: datetime | str | None, updated_at: datetime | str) -> None:
    """Write a topic's status row (times as datetimes, or as stored text)."""
    def db_time(value):
        return value if value is None or isinstance(value, str) else to_db(value)

    conn.execute(
        "INSERT INTO topic_status (topic_id, status, started_at, finished_at, updated_at) VALUES (?,?,?,?,?) "
        "ON CONFLICT(topic_id) DO UPDATE SET status=excluded.status, started_at=excluded.started_at, "
        "finished_at=excluded.finished_at, updated_at=excluded.updated_at",
        (topic_id, status, db_time(started_at), db_time(finished_at), db_time(updated_at)))


REVIEW_INSERT = ("card_id", "question_id", "topic_id", "reviewed_at", "rating", "correct", "answer", "response_ms",
                 "seed")
REVIEW_INSERT_SQL = f"INSERT INTO review ({', '.join(REVIEW_INSERT)}) VALUES ({','.join('?' * len(REVIEW_INSERT))})"
