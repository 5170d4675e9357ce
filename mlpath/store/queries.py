"""Queries on the schema in models.py, through sqlite3 (fast start-up). Every write runs in one transaction."""

import sqlite3
from datetime import datetime
from typing import NamedTuple

from mlpath.core.scheduling import CardState
from mlpath.core.srs import Phase, Rating
from mlpath.store import tables
from mlpath.store.db import from_db, to_db, transaction


# --- topic statuses -------------------------------------------------------------------------------------------

def statuses(conn: sqlite3.Connection, pack: str) -> dict[str, str]:
    return dict(conn.execute("SELECT topic_id, status FROM topic_status WHERE pack = ?", (pack,)))


class StatusInfo(NamedTuple):
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime | None


def status_info(conn: sqlite3.Connection, pack: str, topic_id: str) -> StatusInfo:
    row = conn.execute("SELECT status, started_at, finished_at, updated_at FROM topic_status "
                       "WHERE pack = ? AND topic_id = ?", (pack, topic_id)).fetchone()
    if not row:
        return StatusInfo("not_started", None, None, None)
    return StatusInfo(row[0], from_db(row[1]), from_db(row[2]), from_db(row[3]))


def set_status(conn: sqlite3.Connection, pack: str, topic_id: str, status: str, now: datetime) -> None:
    """Record a status change and its event; ``not_started`` clears the status row (history is kept)."""
    set_statuses(conn, pack, [(topic_id, status)], now)


def set_statuses(conn: sqlite3.Connection, pack: str, changes: list[tuple[str, str]], now: datetime) -> None:
    """Record several (topic id, status) changes and their events in one transaction: all or nothing."""
    ts = to_db(now)
    with transaction(conn):
        for topic_id, status in changes:
            old = conn.execute("SELECT started_at FROM topic_status WHERE pack = ? AND topic_id = ?",
                               (pack, topic_id)).fetchone()
            if status == "not_started":
                conn.execute("DELETE FROM topic_status WHERE pack = ? AND topic_id = ?", (pack, topic_id))
            else:
                started = old[0] if old and old[0] else (ts if status in ("in_progress", "done") else None)
                finished = ts if status in ("done", "skipped") else None
                tables.upsert_status(conn, pack, topic_id, status, started, finished, ts)
            conn.execute("INSERT INTO status_event (pack, topic_id, status, at) VALUES (?,?,?,?)",
                         (pack, topic_id, status, ts))


def done_since(conn: sqlite3.Connection, pack: str, since: datetime) -> list[str]:
    """Topics done (not skipped) at or after ``since``: what the learner studied, for their pace."""
    rows = conn.execute("SELECT topic_id FROM topic_status WHERE pack = ? AND status = 'done' AND finished_at >= ? "
                        "ORDER BY topic_id", (pack, to_db(since)))
    return [r[0] for r in rows]


# --- the learner's choices kept with their data, per pack (goal, order) ----------------------------------------

def _pack_key(pack: str, key: str) -> str:
    return f"{pack}:{key}"


def learner_settings(conn: sqlite3.Connection, pack: str) -> dict[str, str]:
    prefix = _pack_key(pack, "")
    return {k[len(prefix):]: v for k, v in conn.execute(
        "SELECT key, value FROM preference WHERE substr(key, 1, ?) = ?", (len(prefix), prefix))}


def set_learner_settings(conn: sqlite3.Connection, pack: str, values: dict[str, str | None], now: datetime) -> None:
    """Set (or, for None, remove) several of a pack's settings in one transaction."""
    with transaction(conn):
        for key, value in values.items():
            if value is None:
                conn.execute("DELETE FROM preference WHERE key = ?", (_pack_key(pack, key),))
            else:
                conn.execute("INSERT INTO preference (key, value) VALUES (?,?) "
                             "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (_pack_key(pack, key), value))


def add_missing_learner_settings(conn: sqlite3.Connection, pack: str, values: dict[str, str]) -> int:
    """Inside the caller's transaction: set those of a pack's settings that are not set (a backup's, on import);
    returns how many were set."""
    return sum(conn.execute("INSERT OR IGNORE INTO preference (key, value) VALUES (?,?)",
                            (_pack_key(pack, key), value)).rowcount for key, value in values.items())


# --- cards and reviews ----------------------------------------------------------------------------------------

_CARD_QUESTION = "card JOIN question q ON q.pack = card.pack AND q.id = card.question_id"


def due_count(conn: sqlite3.Connection, pack: str, now: datetime) -> int:
    return conn.execute(
        f"SELECT COUNT(*) FROM {_CARD_QUESTION} WHERE card.pack = ? AND card.due <= ? AND q.active",
        (pack, to_db(now))).fetchone()[0]


def only_pack(conn: sqlite3.Connection, table: str, pack: str) -> bool:
    """Whether no row of ``table`` belongs to another pack: two index seeks, so a per-pack count on a large table
    can count the whole table (its smallest index) in the usual case of one pack."""
    return not any(conn.execute(f"SELECT 1 FROM {table} WHERE pack {op} ? LIMIT 1", (pack,)).fetchone()
                   for op in ("<", ">"))


def review_count(conn: sqlite3.Connection, pack: str | None) -> int:
    """Reviews in one pack, or in all packs (None), from the hourly summary (kept equal to the review log by
    triggers): no scan."""
    if pack is None:
        return conn.execute("SELECT COALESCE(SUM(answers), 0) FROM review_hour").fetchone()[0]
    return conn.execute("SELECT COALESCE(SUM(answers), 0) FROM review_hour WHERE pack = ?", (pack,)).fetchone()[0]


def due_count_in(conn: sqlite3.Connection, pack: str, now: datetime, topic_ids: list[str] | None) -> int:
    """Cards due now among these topics' active questions (None: every topic of the pack)."""
    if topic_ids is None:
        return due_count(conn, pack, now)
    return conn.execute(
        f"SELECT COUNT(*) FROM {_CARD_QUESTION} WHERE card.pack = ? AND card.due <= ? AND q.active "
        f"AND q.topic_id IN ({','.join('?' * len(topic_ids))})", (pack, to_db(now), *topic_ids)).fetchone()[0]


class StoredCard(NamedTuple):
    id: int
    question_id: str
    state: CardState
    reps: int
    lapses: int


def _card(row) -> StoredCard:
    return StoredCard(row[0], row[1], tables.card_state_from(row[2:8]), row[8], row[9])


_CARD_COLS = tables.CARD_SELECT


def cards_for_topics(conn: sqlite3.Connection, pack: str, topic_ids: list[str]) -> dict[str, StoredCard]:
    """Cards (by question id) of the active questions of these topics."""
    marks = ",".join("?" * len(topic_ids))
    rows = conn.execute(
        f"SELECT {_CARD_COLS} FROM {_CARD_QUESTION} "
        f"WHERE card.pack = ? AND q.active AND q.topic_id IN ({marks})", [pack, *topic_ids])
    return {r[1]: _card(r) for r in rows}


def due_cards(conn: sqlite3.Connection, pack: str, now: datetime, topic_ids: list[str] | None = None,
              limit: int | None = None) -> list[tuple[StoredCard, str]]:
    """Due cards of active questions, most overdue first, with each question's JSON."""
    sql = (f"SELECT {_CARD_COLS}, q.data FROM {_CARD_QUESTION} "
           "WHERE card.pack = ? AND q.active AND card.due <= ?")
    args: list = [pack, to_db(now)]
    if topic_ids is not None:
        sql += f" AND q.topic_id IN ({','.join('?' * len(topic_ids))})"
        args += topic_ids
    sql += " ORDER BY card.due, card.id"
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    width = tables.CARD_SELECT_WIDTH
    return [(_card(r[:width]), r[width]) for r in conn.execute(sql, args)]


def new_questions(conn: sqlite3.Connection, pack: str, topic_ids: list[str], limit: int) -> list[str]:
    """JSON of active questions of these topics that have no card yet, in topic order then file order."""
    marks = ",".join("?" * len(topic_ids))
    order = " ".join(f"WHEN ? THEN {i}" for i in range(len(topic_ids)))
    rows = conn.execute(
        f"SELECT q.data FROM question q LEFT JOIN card ON card.pack = q.pack AND card.question_id = q.id "
        f"WHERE q.pack = ? AND q.active AND card.id IS NULL AND q.topic_id IN ({marks}) "
        f"ORDER BY CASE q.topic_id {order} END, q.rowid LIMIT ?",
        [pack, *topic_ids, *topic_ids, limit])
    return [r[0] for r in rows]


def question_json(conn: sqlite3.Connection, pack: str, question_id: str) -> str | None:
    row = conn.execute("SELECT data FROM question WHERE pack = ? AND id = ?", (pack, question_id)).fetchone()
    return row[0] if row else None


def record_review(conn: sqlite3.Connection, pack: str, *, question_id: str, topic_id: str, before: CardState | None,
                  after: CardState, now: datetime, rating: int, correct: bool | None, answer: str | None,
                  response_ms: int | None, seed: int | None, flag: str | None = None) -> int:
    """Store one answer and the card's new state, atomically. Returns the review id."""
    ts = to_db(now)
    lapse = 1 if (before is not None and before.state == Phase.REVIEW and rating == Rating.AGAIN) else 0
    with transaction(conn):
        row = conn.execute("SELECT id FROM card WHERE pack = ? AND question_id = ?", (pack, question_id)).fetchone()
        if row:
            card_id = row[0]
            tables.update_card(conn, card_id, after, add_reps=1, add_lapses=lapse)
        else:
            card_id = tables.insert_card(conn, pack, question_id, after, now, reps=1, lapses=0)
        uid = tables.new_review_uid(conn, pack, question_id, now, rating)
        review_id = conn.execute(tables.REVIEW_INSERT_UID_SQL, (card_id, pack, question_id, topic_id, ts, int(rating),
                                                                correct, answer, response_ms, seed, flag, uid)).lastrowid
    return review_id


def override_review(conn: sqlite3.Connection, review_id: int, before: CardState | None, after: CardState,
                    rating: int) -> None:
    """"I was right": the review becomes a right answer with ``rating`` (flag "overridden"), and its card takes the
    state that rating gives; the answer typed is kept. Only the card's last review can be overridden."""
    with transaction(conn):
        card_id, question_id = conn.execute("SELECT card_id, question_id FROM review WHERE id = ?",
                                            (review_id,)).fetchone()
        last = conn.execute("SELECT MAX(id) FROM review WHERE card_id = ?", (card_id,)).fetchone()[0]
        if last != review_id:
            raise ValueError("only a card's last review can be overridden")
        undo_lapse = 1 if (before is not None and before.state == Phase.REVIEW) and conn.execute(
            "SELECT rating FROM review WHERE id = ?", (review_id,)).fetchone()[0] == Rating.AGAIN else 0
        conn.execute("UPDATE review SET rating = ?, correct = 1, flag = 'overridden' WHERE id = ?",
                     (int(rating), review_id))
        tables.update_card(conn, card_id, after, add_lapses=-undo_lapse)


# --- the day's budget -------------------------------------------------------------------------------------------

class DayCounts(NamedTuple):
    reviews: int  # answers given since ``start``
    new: int  # cards first answered since ``start``
    seconds: float  # time spent answering since ``start`` (response times)


def day_counts(conn: sqlite3.Connection, start: datetime) -> DayCounts:
    """What the learner did since ``start`` (the start of their day)."""
    ts = to_db(start)
    reviews, ms = conn.execute("SELECT COUNT(*), COALESCE(SUM(MIN(COALESCE(response_ms, 0), 300000)), 0) "
                               "FROM review WHERE reviewed_at >= ?", (ts,)).fetchone()
    new = conn.execute("SELECT COUNT(*) FROM card WHERE created_at >= ?", (ts,)).fetchone()[0]
    return DayCounts(reviews, new, ms / 1000)


def median_response_ms(conn: sqlite3.Connection, last: int = 200) -> int | None:
    """The median response time of the last ``last`` answers (None before any answer with a time)."""
    rows = sorted(r[0] for r in conn.execute(
        "SELECT response_ms FROM review WHERE response_ms IS NOT NULL ORDER BY id DESC LIMIT ?", (last,)))
    return rows[len(rows) // 2] if rows else None


def last_answers(conn: sqlite3.Connection, cards: dict[str, int]) -> dict[str, bool]:
    """Was each question's last answer right? ``cards`` maps question ids to their card ids (the review log is
    found through its card index). Rows without ``correct`` count as right when rated above Again."""
    by_card = {card: question for question, card in cards.items()}
    ids = list(by_card)
    out: dict[str, bool] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        rows = conn.execute(
            "SELECT card_id, rating, correct FROM review WHERE id IN (SELECT MAX(id) FROM review "
            f"WHERE card_id IN ({','.join('?' * len(chunk))}) GROUP BY card_id)", chunk)
        out.update({by_card[c]: bool(ok) if ok is not None else rating > Rating.AGAIN for c, rating, ok in rows})
    return out


def reviews_of(conn: sqlite3.Connection, pack: str, question_id: str) -> list[tuple[int, datetime, int | None]]:
    """The review log of one question: (rating, time, response ms), oldest first."""
    rows = conn.execute("SELECT rating, reviewed_at, response_ms FROM review WHERE pack = ? AND question_id = ? "
                        "ORDER BY id", (pack, question_id))
    return [(r[0], from_db(r[1]), r[2]) for r in rows]


# --- packs -------------------------------------------------------------------------------------------------------

def preference(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM preference WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_preference(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    with transaction(conn):
        if value is None:
            conn.execute("DELETE FROM preference WHERE key = ?", (key,))
        else:
            conn.execute("INSERT INTO preference (key, value) VALUES (?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))


class PackData(NamedTuple):
    """What the database holds for one pack."""

    pack: str
    statuses: int
    status_events: int
    cards: int
    reviews: int
    title: str | None
    version: str | None
    source: str | None
    topics: int  # topics in the cached roadmap (0 if never opened)

    @property
    def progress(self) -> bool:
        return bool(self.statuses or self.status_events or self.cards or self.reviews)


def pack_data(conn: sqlite3.Connection) -> dict[str, PackData]:
    """Every pack the database knows (a cached roadmap or any stored row), with its counts."""
    counts: dict[str, dict[str, int]] = {}
    for table in ("topic_status", "status_event", "card", "review", "topic"):
        for pack, n in conn.execute(f"SELECT pack, COUNT(*) FROM {table} GROUP BY pack"):
            counts.setdefault(pack, {})[table] = n
    info: dict[str, tuple] = {}
    for pack, title, version, source in conn.execute(
            "SELECT pack, title, version, source FROM content_state ORDER BY synced_at"):
        info[pack] = (title, version, source)  # the latest sync wins
    out = {}
    for pack in sorted(set(counts) | set(info)):
        c = counts.get(pack, {})
        title, version, source = info.get(pack, (None, None, None))
        active = conn.execute("SELECT COUNT(*) FROM topic WHERE pack = ? AND active", (pack,)).fetchone()[0]
        out[pack] = PackData(pack, c.get("topic_status", 0), c.get("status_event", 0), c.get("card", 0),
                             c.get("review", 0), title, version, source, active)
    return out


def delete_pack(conn: sqlite3.Connection, pack: str) -> dict[str, int]:
    """Remove every row of one pack (children first), in one transaction; returns the rows removed per table."""
    removed = {}
    cards = "SELECT id FROM card WHERE pack = ?"
    with transaction(conn):
        for table in tables.CARD_CHILD_TABLES:  # rows that hang on the pack's cards (mastery, review credit)
            removed[table] = conn.execute(f"DELETE FROM {table} WHERE card_id IN ({cards})", (pack,)).rowcount
        removed["status_reason"] = conn.execute(
            "DELETE FROM status_reason WHERE event_id IN (SELECT id FROM status_event WHERE pack = ?)", (pack,)).rowcount
        for table in reversed(tables.PACK_TABLES):
            removed[table] = conn.execute(f"DELETE FROM {table} WHERE pack = ?", (pack,)).rowcount
    return removed
