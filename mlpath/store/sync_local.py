"""The local side of `mlpath sync`: what is still to push, writing what was pulled, where each sync got to, and
the cards and topics whose state must be recomputed from the merged log. Each write is one transaction that also
moves the bookkeeping (sync_state, sync_pending), so a sync killed at any point resumes without loss or doubles.
"""

import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple

from mlpath.core.review_ids import review_uid
from mlpath.core.scheduling import CardState, new_card
from mlpath.store import aggregates, tables
from mlpath.store.db import from_db, to_db, transaction


class Position(NamedTuple):
    pushed_review: int
    pushed_event: int
    pulled_review: int
    pulled_event: int
    synced_at: datetime | None


def position(conn: sqlite3.Connection, server: str, pack: str) -> Position:
    row = conn.execute("SELECT pushed_review, pushed_event, pulled_review, pulled_event, synced_at FROM sync_state "
                       "WHERE server = ? AND pack = ?", (server, pack)).fetchone()
    if row is None:
        return Position(0, 0, 0, 0, None)
    return Position(*row[:4], from_db(row[4]))


def _ensure_state(conn: sqlite3.Connection, server: str, pack: str) -> None:
    conn.execute("INSERT OR IGNORE INTO sync_state (server, pack, pushed_review, pushed_event, pulled_review, "
                 "pulled_event) VALUES (?, ?, 0, 0, 0, 0)", (server, pack))


def _set(conn: sqlite3.Connection, server: str, pack: str, **values) -> None:
    _ensure_state(conn, server, pack)
    sets = ", ".join(f"{k} = ?" for k in values)
    conn.execute(f"UPDATE sync_state SET {sets} WHERE server = ? AND pack = ?", (*values.values(), server, pack))


def restart(conn: sqlite3.Connection, server: str, pack: str) -> None:
    """Forget where a sync got to (the server was set up anew): everything is pushed and pulled again; keys make
    that harmless."""
    with transaction(conn):
        _set(conn, server, pack, pushed_review=0, pushed_event=0, pulled_review=0, pulled_event=0)


def finish(conn: sqlite3.Connection, server: str, pack: str, now: datetime) -> None:
    with transaction(conn):
        _set(conn, server, pack, synced_at=to_db(now))


def fill_missing_uids(conn: sqlite3.Connection, page: int = 5000) -> int:
    """Give an id to every review stored without one (written by something that did not set it): the review's
    occurrence among identical ones (same pack, question, time and rating), skipping ids already taken.
    Page by page (identical reviews are adjacent in this order), so memory stays bounded."""
    with transaction(conn):
        taken = {uid for (uid,) in conn.execute(
            "SELECT r.uid FROM review r JOIN (SELECT DISTINCT question_id, reviewed_at, rating FROM review "  # any pack
            "WHERE uid IS NULL) n ON n.question_id = r.question_id AND n.reviewed_at = r.reviewed_at "
            "AND n.rating = r.rating WHERE r.uid IS NOT NULL")}
        from array import array

        order = array("q", (r[0] for r in conn.execute(  # 8 bytes a review: the only whole-history list
            "SELECT id FROM review WHERE uid IS NULL ORDER BY pack, question_id, reviewed_at, rating, id")))
        key, occurrence, filled = None, 0, 0
        for start in range(0, len(order), page):
            ids = order[start:start + page].tolist()
            found = {r[0]: r[1:] for r in conn.execute(
                f"SELECT id, pack, question_id, reviewed_at, rating FROM review WHERE id IN ({','.join('?' * len(ids))})",
                ids)}
            updates = []
            for review_id in ids:
                pack, question, at, rating = found[review_id]
                if (pack, question, at, rating) != key:
                    key, occurrence = (pack, question, at, rating), 0
                    occurrence = conn.execute(  # identical reviews of this pack that have their ids already
                        "SELECT COUNT(*) FROM review WHERE pack = ? AND question_id = ? AND reviewed_at = ? "
                        "AND rating = ? AND uid IS NOT NULL", key).fetchone()[0]
                while True:
                    uid = review_uid(question, from_db(at), rating, occurrence)
                    occurrence += 1
                    if uid not in taken:
                        taken.add(uid)
                        break
                updates.append((uid, review_id))
            conn.executemany("UPDATE review SET uid = ? WHERE id = ?", updates)
            filled += len(ids)
    return filled


# --- push ----------------------------------------------------------------------------------------------------------

# Queries that walk a log by id say ``+pack``: that keeps SQLite from reading the pack's rows through an index on
# (pack, ...) and sorting all of them by id for every batch (a first push of 300,000 reviews spent two thirds of its
# time there); the id order walks from ``after_id`` and stops after ``limit``.

def unpushed_reviews(conn: sqlite3.Connection, pack: str, after_id: int, limit: int) -> list[tuple[int, tuple]]:
    """The pack's reviews after ``after_id``: (local id, (uid, question, topic, area, reviewed_at, rating, correct,
    answer, response_ms, seed)), oldest id first."""
    rows = conn.execute(
        "SELECT r.id, r.uid, r.question_id, r.topic_id, t.area, r.reviewed_at, r.rating, r.correct, r.answer, "
        "r.response_ms, r.seed FROM review r JOIN topic t ON t.pack = r.pack AND t.id = r.topic_id "
        "WHERE r.id > ? AND +r.pack = ? ORDER BY r.id LIMIT ?", (after_id, pack, limit)).fetchall()
    return [(r[0], (r[1], r[2], r[3], r[4], from_db(r[5]), r[6], None if r[7] is None else bool(r[7]), r[8], r[9],
                    r[10])) for r in rows]


def unpushed_count(conn: sqlite3.Connection, pack: str, after_id: int) -> int:
    """How many of the pack's reviews come after ``after_id`` (what a push has still to send)."""
    return conn.execute("SELECT COUNT(*) FROM review WHERE id > ? AND +pack = ?", (after_id, pack)).fetchone()[0]


def unpushed_events(conn: sqlite3.Connection, pack: str, after_id: int, limit: int) -> list[tuple[int, tuple]]:
    """The pack's status events after ``after_id``: (local id, (topic, area, status, at)), oldest id first."""
    rows = conn.execute(
        "SELECT e.id, e.topic_id, t.area, e.status, e.at FROM status_event e "
        "JOIN topic t ON t.pack = e.pack AND t.id = e.topic_id "
        "WHERE e.id > ? AND +e.pack = ? ORDER BY e.id LIMIT ?", (after_id, pack, limit)).fetchall()
    return [(r[0], (r[1], r[2], r[3], from_db(r[4]))) for r in rows]


def pushed(conn: sqlite3.Connection, server: str, pack: str, kind: str, upto_id: int, before: int, after: int,
           keys: list[str] = ()) -> None:
    """Record a committed push: local rows up to ``upto_id`` are on the server, at positions before+1..after. If
    this device had pulled exactly up to ``before``, those positions are its own rows: skip them when pulling.
    The pushed rows' cards (``keys``: question ids) or topics (topic ids) are marked for recomputing, so every
    device ends with states replayed in time order, whatever order the rows were written in."""
    pushed_col, pulled_col = ("pushed_review", "pulled_review") if kind == "review" else ("pushed_event",
                                                                                          "pulled_event")
    with transaction(conn):
        now = position(conn, server, pack)._asdict()
        values = {pushed_col: max(now[pushed_col], upto_id)}
        if now[pulled_col] == before:
            values[pulled_col] = after
        _set(conn, server, pack, **values)
        _pending(conn, pack, "card" if kind == "review" else "topic", keys)


def _pending(conn: sqlite3.Connection, pack: str, kind: str, keys) -> None:
    conn.executemany("INSERT OR IGNORE INTO sync_pending (pack, kind, key) VALUES (?, ?, ?)",
                     [(pack, kind, k) for k in set(keys)])


# --- pull ----------------------------------------------------------------------------------------------------------

def _placeholders(conn: sqlite3.Connection, pack: str, topics: dict[str, str], questions: dict[str, str],
                  ts: str) -> None:
    """Inactive topics and questions of ``pack`` for ids the local content does not have (a pack or a question
    only the other device has): their history is kept under its own keys."""
    conn.executemany("INSERT OR IGNORE INTO topic (pack, id, title, area, active, first_seen) VALUES (?,?,?,?,0,?)",
                     [(pack, t, t, area, ts) for t, area in topics.items()])
    conn.executemany("INSERT OR IGNORE INTO question (pack, id, topic_id, kind, data, active) VALUES (?,?,?,?,?,0)",
                     [(pack, q, t, "unknown", json.dumps({"id": q, "topic": t, "kind": "unknown"}))
                      for q, t in questions.items()])


def _max_id(conn: sqlite3.Connection, table: str, pack: str) -> int:
    row = conn.execute(f"SELECT id FROM {table} WHERE +pack = ? ORDER BY id DESC LIMIT 1", (pack,)).fetchone()
    return row[0] if row else 0


def pulled_reviews(conn: sqlite3.Connection, server: str, pack: str, rows: list[tuple], last_pos: int,
                   now: datetime) -> int:
    """Store pulled reviews (values of mlpath.server.sync.REVIEW_COLUMNS) not already here (by uid, a unique
    index), mark their cards for recomputing, and move the pull position, in one transaction. Returns how many
    were new."""
    ts = to_db(now)
    with transaction(conn):
        top = _max_id(conn, "review", pack)
        _placeholders(conn, pack, {r[2]: r[3] for r in rows}, {r[1]: r[2] for r in rows}, ts)
        card_ids: dict[str, int] = {}
        for uid, question, topic, _area, at, *_rest in rows:
            if question not in card_ids:
                row = conn.execute("SELECT id FROM card WHERE pack = ? AND question_id = ?",
                                   (pack, question)).fetchone()
                card_ids[question] = row[0] if row else tables.insert_card(conn, pack, question, new_card(at), at,
                                                                           0, 0)
        with aggregates.bulk_insert(conn):  # the summaries counted once per batch, not upserted row by row
            conn.executemany(tables.REVIEW_INSERT_UID_SQL.replace("INSERT INTO", "INSERT OR IGNORE INTO"), [
                (card_ids[question], pack, question, topic, to_db(at), rating, correct, answer, ms, seed, None, uid)
                for uid, question, topic, _area, at, rating, correct, answer, ms, seed in rows])
        fresh = conn.execute("SELECT COUNT(*) FROM review WHERE id > ? AND +pack = ?", (top, pack)).fetchone()[0]
        state = position(conn, server, pack)
        values = {"pulled_review": last_pos}
        if state.pushed_review >= top:  # nothing local was waiting: the pulled rows need no push back
            values["pushed_review"] = _max_id(conn, "review", pack)
        _set(conn, server, pack, **values)
        _pending(conn, pack, "card", card_ids)
    return fresh


def pulled_events(conn: sqlite3.Connection, server: str, pack: str, rows: list[tuple], last_pos: int,
                  now: datetime) -> int:
    """Store pulled status events (topic, area, status, at) not already here, mark their topics for recomputing,
    and move the pull position, in one transaction."""
    with transaction(conn):
        top = _max_id(conn, "status_event", pack)
        _placeholders(conn, pack, {r[0]: r[1] for r in rows}, {}, to_db(now))
        fresh = []
        for topic, _area, status, at in rows:
            key = (pack, topic, status, to_db(at))
            if conn.execute("SELECT 1 FROM status_event WHERE pack = ? AND topic_id = ? AND status = ? AND at = ?",
                            key).fetchone():
                continue
            conn.execute("INSERT INTO status_event (pack, topic_id, status, at) VALUES (?,?,?,?)", key)
            fresh.append(topic)
        state = position(conn, server, pack)
        values = {"pulled_event": last_pos}
        if state.pushed_event >= top:
            values["pushed_event"] = _max_id(conn, "status_event", pack)
        _set(conn, server, pack, **values)
        _pending(conn, pack, "topic", fresh)
    return len(fresh)


def set_pulled(conn: sqlite3.Connection, server: str, pack: str, kind: str, pos: int) -> None:
    with transaction(conn):
        _set(conn, server, pack, **{"pulled_review" if kind == "review" else "pulled_event": pos})


# --- recomputing from the merged log -----------------------------------------------------------------------------

def pending(conn: sqlite3.Connection, pack: str, kind: str) -> list[str]:
    """The pack's questions (kind "card") or topics (kind "topic") marked for recomputing."""
    return [r[0] for r in conn.execute("SELECT key FROM sync_pending WHERE pack = ? AND kind = ? ORDER BY key",
                                       (pack, kind))]


def card_logs(conn: sqlite3.Connection, pack: str, questions: list[str]) -> Iterator[tuple[str, int, datetime, list]]:
    """(question, card id, created_at, [(rating, time, response ms)] in time order, ties by review uid) of these
    questions' cards in ``pack``. (By card id: the review table is indexed on it.)"""
    for question in questions:
        card = conn.execute("SELECT id, created_at FROM card WHERE pack = ? AND question_id = ?",
                            (pack, question)).fetchone()
        if card is None:
            continue
        rows = conn.execute("SELECT reviewed_at, uid, rating, response_ms FROM review WHERE card_id = ?",
                            (card[0],)).fetchall()
        rows.sort(key=lambda r: (r[0], r[1] or ""))
        yield question, card[0], from_db(card[1]), [(rating, from_db(at), ms) for at, _uid, rating, ms in rows]


def write_cards(conn: sqlite3.Connection, pack: str, states: list[tuple[str, int, CardState, int, int, datetime]],
                done: list[str]) -> None:
    """Write recomputed cards (question, card id, state, reps, lapses, created_at) and clear the marks of the
    pack's questions ``done``."""
    with transaction(conn):
        for question, card_id, state, reps, lapses, created in states:
            tables.update_card(conn, card_id, state, reps=reps, lapses=lapses, created_at=created)
        conn.executemany("DELETE FROM sync_pending WHERE pack = ? AND kind = 'card' AND key = ?",
                         [(pack, q) for q in done])


def topic_events(conn: sqlite3.Connection, pack: str, topic: str) -> tuple[list[tuple[str, datetime]], tuple | None]:
    """A topic's status events (status, time) in time order (ties by status), and its status row's
    (status, updated_at) if any."""
    events = [(status, from_db(at)) for status, at in conn.execute(
        "SELECT status, at FROM status_event WHERE pack = ? AND topic_id = ? ORDER BY at, status", (pack, topic))]
    row = conn.execute("SELECT status, updated_at FROM topic_status WHERE pack = ? AND topic_id = ?",
                       (pack, topic)).fetchone()
    return events, (row[0], from_db(row[1])) if row else None


def write_statuses(conn: sqlite3.Connection, pack: str, rows: list[tuple[str, tuple | None]],
                   done: list[str]) -> None:
    """Write recomputed statuses of the pack's topics (topic, (status, started, finished, updated) or None for not
    started) and clear the marks of the topics ``done``."""
    with transaction(conn):
        for topic, value in rows:
            if value is None:
                conn.execute("DELETE FROM topic_status WHERE pack = ? AND topic_id = ?", (pack, topic))
            else:
                tables.upsert_status(conn, pack, topic, *value)
        conn.executemany("DELETE FROM sync_pending WHERE pack = ? AND kind = 'topic' AND key = ?",
                         [(pack, t) for t in done])
