"""Implicit review credit rows, calibration observations and strength, and probes (issue 11), through sqlite3."""

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from mlpath.core.scheduling import CardState
from mlpath.store import tables
from mlpath.store.db import from_db, to_db, transaction
from mlpath.store.queries import StoredCard, _card


class CreditRow(NamedTuple):
    card_id: int
    at: datetime
    strength: float
    stability_before: float
    held_out: bool


def card_of(conn: sqlite3.Connection, pack: str, question_id: str) -> tuple[int, int] | None:
    """(card id, reps) of a question's card."""
    row = conn.execute("SELECT id, reps FROM card WHERE pack = ? AND question_id = ?", (pack, question_id)).fetchone()
    return (row[0], row[1]) if row else None


def credits_since(conn: sqlite3.Connection, card_ids: Sequence[int], since: dict[int, datetime]
                  ) -> dict[int, list[CreditRow]]:
    """The credit rows of these cards at or after each card's ``since`` (its last explicit review), oldest first."""
    out: dict[int, list[CreditRow]] = {}
    ids = list(card_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for cid, at, strength, before, held in conn.execute(
                "SELECT card_id, at, strength, stability_before, held_out FROM implicit_credit "
                f"WHERE card_id IN ({','.join('?' * len(chunk))}) ORDER BY at, id", chunk):
            when = from_db(at)
            if cid in since and when >= since[cid]:
                out.setdefault(cid, []).append(CreditRow(cid, when, strength, before, bool(held)))
    return out


def cards_of_topics(conn: sqlite3.Connection, pack: str, topic_ids: Sequence[str]) -> dict[str, list[StoredCard]]:
    """{topic: its active questions' cards}, in one pack."""
    if not topic_ids:
        return {}
    rows = conn.execute(
        f"SELECT q.topic_id, {tables.CARD_SELECT} FROM card "
        "JOIN question q ON q.pack = card.pack AND q.id = card.question_id "
        f"WHERE card.pack = ? AND q.active AND q.topic_id IN ({','.join('?' * len(topic_ids))}) ORDER BY card.id",
        [pack, *topic_ids])
    out: dict[str, list[StoredCard]] = {}
    for r in rows:
        out.setdefault(r[0], []).append(_card(r[1:]))
    return out


def record_credits(conn: sqlite3.Connection, rows: Sequence, strength: float, source_review_id: int | None,
                   ) -> None:
    """Store credit rows (mlpath.core.credit.ImplicitCredit) and apply the ones not held out to their cards, in
    one transaction."""
    with transaction(conn):
        for r in rows:
            conn.execute(
                "INSERT INTO implicit_credit (card_id, topic_id, source_topic_id, source_review_id, distance, at, "
                "fraction, cap, strength, stability_before, stability_after, recall_before, recall_after, held_out) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (r.card_id, r.topic, r.source_topic, source_review_id, r.distance, to_db(r.at), r.fraction, r.cap,
                 strength, r.stability_before, r.stability_after, r.recall_before, r.recall_after, r.held_out))
            if not r.held_out:
                tables.update_card(conn, r.card_id, r.card_after)


def latest_review_id(conn: sqlite3.Connection, card_id: int) -> int | None:
    row = conn.execute("SELECT MAX(id) FROM review WHERE card_id = ?", (card_id,)).fetchone()
    return row[0] if row else None


def record_observation(conn: sqlite3.Connection, card_id: int, at: datetime, with_credit: float,
                       without_credit: float, recalled: bool, strength: float, held_out: bool) -> None:
    with transaction(conn):
        conn.execute("INSERT INTO credit_observation (card_id, at, predicted_with_credit, predicted_without_credit, "
                     "recalled, strength, held_out) VALUES (?,?,?,?,?,?,?)",
                     (card_id, to_db(at), with_credit, without_credit, recalled, strength, held_out))


def observations(conn: sqlite3.Connection) -> list[tuple[float, float, bool, float, bool]]:
    return [(a, b, bool(c), d, bool(e)) for a, b, c, d, e in conn.execute(
        "SELECT predicted_with_credit, predicted_without_credit, recalled, strength, held_out "
        "FROM credit_observation ORDER BY id")]


def first_observation_at(conn: sqlite3.Connection) -> datetime | None:
    row = conn.execute("SELECT MIN(at) FROM credit_observation").fetchone()
    return from_db(row[0]) if row and row[0] else None


def strength(conn: sqlite3.Connection) -> tuple[float, datetime] | None:
    """The calibrated strength in use and when it was set, or None before the first calibration."""
    row = conn.execute("SELECT strength, at FROM credit_strength ORDER BY id DESC LIMIT 1").fetchone()
    return (row[0], from_db(row[1])) if row else None


def record_strength(conn: sqlite3.Connection, value: float, at: datetime, n: int) -> None:
    with transaction(conn):
        conn.execute("INSERT INTO credit_strength (at, strength, observations) VALUES (?,?,?)", (to_db(at), value, n))


def flag_probes(conn: sqlite3.Connection, probes: Sequence, source_topic: str, at: datetime) -> int:
    """Store probes (mlpath.core.credit.Probe), skipping cards already waiting for one. Returns how many."""
    n = 0
    with transaction(conn):
        for p in probes:
            if conn.execute("SELECT 1 FROM credit_probe WHERE card_id = ? AND answered_at IS NULL",
                            (p.card_id,)).fetchone():
                continue
            conn.execute("INSERT INTO credit_probe (card_id, topic_id, source_topic_id, flagged_at, recall) "
                         "VALUES (?,?,?,?,?)", (p.card_id, p.topic, source_topic, to_db(at), p.recall))
            n += 1
    return n


def answer_probes(conn: sqlite3.Connection, card_id: int, at: datetime) -> None:
    with transaction(conn):
        conn.execute("UPDATE credit_probe SET answered_at = ? WHERE card_id = ? AND answered_at IS NULL",
                     (to_db(at), card_id))


def open_probes(conn: sqlite3.Connection, pack: str, topic_ids: Sequence[str] | None) -> list[tuple[StoredCard, str]]:
    """Cards of one pack waiting for a probe (of these topics, or any), oldest flag first, with each question's JSON."""
    sql = (f"SELECT {tables.CARD_SELECT}, q.data FROM credit_probe p JOIN card ON card.id = p.card_id "
           "JOIN question q ON q.pack = card.pack AND q.id = card.question_id "
           "WHERE card.pack = ? AND p.answered_at IS NULL AND q.active")
    args: list = [pack]
    if topic_ids is not None:
        sql += f" AND q.topic_id IN ({','.join('?' * len(topic_ids))})"
        args += list(topic_ids)
    sql += " GROUP BY card.id ORDER BY MIN(p.flagged_at), card.id"
    width = tables.CARD_SELECT_WIDTH
    return [(_card(r[:width]), r[width]) for r in conn.execute(sql, args)]


class RecentCredit(NamedTuple):
    at: datetime
    source_topic: str
    cards: int
    stability_before: float  # summed over the cards
    stability_after: float


def recent_credits(conn: sqlite3.Connection, topic_id: str, limit: int) -> list[RecentCredit]:
    """The latest credits a topic's cards received (held-out rows left out), one per review that gave them."""
    rows = conn.execute(
        "SELECT MAX(at), source_topic_id, COUNT(*), SUM(stability_before), SUM(stability_after) FROM implicit_credit "
        "WHERE topic_id = ? AND NOT held_out GROUP BY source_review_id, at, source_topic_id "
        "ORDER BY MAX(at) DESC, MAX(id) DESC LIMIT ?",
        (topic_id, limit))
    return [RecentCredit(from_db(at), src, n, b, a) for at, src, n, b, a in rows]


def card_state(conn: sqlite3.Connection, card_id: int) -> CardState | None:
    row = conn.execute(f"SELECT {tables.CARD_SELECT} FROM card WHERE id = ?", (card_id,)).fetchone()
    return _card(row).state if row else None
