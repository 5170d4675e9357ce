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
    "topic": ("pack", "id", "title", "area", "active", "first_seen"),
    "topic_status": ("pack", "topic_id", "status", "started_at", "finished_at", "updated_at"),
    "status_event": ("id", "pack", "topic_id", "status", "at"),
    "question": ("pack", "id", "topic_id", "kind", "data", "active"),
    "card": ("id", "pack", "question_id", "state", "step", "stability", "difficulty", "due", "last_review",
             "created_at", "reps", "lapses"),
    "review": ("id", "card_id", "pack", "question_id", "topic_id", "reviewed_at", "rating", "correct", "answer",
               "response_ms", "seed", "flag", "uid"),
    "review_hour": ("pack", "hour", "answers", "correct"),  # summaries written only by triggers (0010_stats)
    "review_tally": ("pack", "question_id", "topic_id", "answers", "passed"),
    "content_state": ("id", "pack", "title", "version", "source", "fingerprint", "roadmap", "synced_at"),
    "preference": ("key", "value"),
    "fsrs_parameters": ("id", "parameters", "fitted_at", "reviews", "trained_on", "log_loss", "rmse_bins",
                        "previous_log_loss", "previous_rmse_bins", "active", "calibration"),
    "notice": ("key", "at", "value"),
    "status_reason": ("event_id", "reason"),
    "implicit_credit": ("id", "card_id", "topic_id", "source_topic_id", "source_review_id", "distance", "at",
                        "fraction", "cap", "strength", "stability_before", "stability_after", "recall_before",
                        "recall_after", "held_out"),
    "credit_observation": ("id", "card_id", "at", "predicted_with_credit", "predicted_without_credit", "recalled",
                           "strength", "held_out"),
    "credit_strength": ("id", "at", "strength", "observations"),
    "credit_probe": ("id", "card_id", "topic_id", "source_topic_id", "flagged_at", "recall", "answered_at"),
    "card_evidence": ("card_id", "reps", "passed_after_gap"),
    "sync_state": ("server", "pack", "pushed_review", "pushed_event", "pulled_review", "pulled_event", "synced_at"),
    "sync_pending": ("pack", "kind", "key"),
}

# The tables whose rows belong to a pack (every one has a ``pack`` column), children after parents.
# Tables whose rows belong to a card (by ``card_id``), and so to the card's pack.
CARD_CHILD_TABLES = ("card_evidence", "implicit_credit", "credit_observation", "credit_probe")
PACK_TABLES = ("topic", "topic_status", "status_event", "question", "card", "review", "content_state")

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


def insert_card(conn: sqlite3.Connection, pack: str, question_id: str, state: CardState, created_at: datetime,
                reps: int, lapses: int) -> int:
    cols = ("pack", "question_id", *CARD_STATE, "created_at", "reps", "lapses")
    return conn.execute(f"INSERT INTO card ({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                        (pack, question_id, *card_state_values(state), to_db(created_at), reps, lapses)).lastrowid


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


def upsert_status(conn: sqlite3.Connection, pack: str, topic_id: str, status: str, started_at: datetime | str | None,
                  finished_at: datetime | str | None, updated_at: datetime | str) -> None:
    """Write a topic's status row (times as datetimes, or as stored text)."""
    def db_time(value):
        return value if value is None or isinstance(value, str) else to_db(value)

    conn.execute(
        "INSERT INTO topic_status (pack, topic_id, status, started_at, finished_at, updated_at) VALUES (?,?,?,?,?,?) "
        "ON CONFLICT(pack, topic_id) DO UPDATE SET status=excluded.status, started_at=excluded.started_at, "
        "finished_at=excluded.finished_at, updated_at=excluded.updated_at",
        (pack, topic_id, status, db_time(started_at), db_time(finished_at), db_time(updated_at)))


REVIEW_INSERT = ("card_id", "pack", "question_id", "topic_id", "reviewed_at", "rating", "correct", "answer",
                 "response_ms", "seed", "flag")
REVIEW_INSERT_SQL = f"INSERT INTO review ({', '.join(REVIEW_INSERT)}) VALUES ({','.join('?' * len(REVIEW_INSERT))})"

REVIEW_INSERT_UID = (*REVIEW_INSERT, "uid")
REVIEW_INSERT_UID_SQL = (f"INSERT INTO review ({', '.join(REVIEW_INSERT_UID)}) "
                         f"VALUES ({','.join('?' * len(REVIEW_INSERT_UID))})")


def new_review_uid(conn: sqlite3.Connection, pack: str, question_id: str, at: datetime, rating: int) -> str:
    """The cross-device id of a review about to be stored (see mlpath.core.review_ids): the same review recorded,
    imported or pulled anywhere gets the same id."""
    from mlpath.core.review_ids import review_uid

    same = conn.execute("SELECT COUNT(*) FROM review WHERE reviewed_at = ? AND pack = ? AND question_id = ? AND rating = ?",
                        (to_db(at), pack, question_id, int(rating))).fetchone()[0]
    while True:  # an id already taken (by a review pulled from another device) is skipped
        uid = review_uid(question_id, at, rating, same)
        if conn.execute("SELECT 1 FROM review WHERE uid = ?", (uid,)).fetchone() is None:
            return uid
        same += 1
