"""Reading the learner's history for statistics and decks, and dumping / merging it for backups.

Records exchanged with mlpath/backup.py are dicts keyed like the backup file (pack, topic and question ids, never
row ids), with UTC-aware datetimes. ``pack=None`` means every pack. ``merge`` writes everything in one transaction: any error rolls it all back.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime

from mlpath.core.review_ids import review_uid
from mlpath.core.scheduling import CardState
from mlpath.core.srs import Phase
from mlpath.core.stats import Answer
from mlpath.store import tables
from mlpath.store.queries import only_pack
from mlpath.store.db import from_db, to_db, transaction

# --- reads for stats and decks ----------------------------------------------------------------------------------

def _in(pack: str | None, alias: str, conn: sqlite3.Connection | None = None,
        table: str = "") -> tuple[str, tuple]:
    """A WHERE clause limiting ``alias`` to one pack (or nothing, for every pack, or when ``table`` holds no other
    pack's rows: the plan that reads the whole table in order stays the fast one)."""
    if pack is None or (conn is not None and only_pack(conn, table, pack)):
        return "", ()
    return f" WHERE {alias}.pack = ?", (pack,)


def answers(conn: sqlite3.Connection, pack: str | None) -> list[Answer]:
    """Every review in the order it was recorded, with the area of its topic. (Rowid order: sorting by time in
    SQL would read the table through the time index, about three times slower on a large history.)"""
    where, args = _in(pack, "r", conn, "review")
    rows = conn.execute(
        "SELECT r.question_id, t.area, r.reviewed_at, r.rating, r.correct FROM review r "
        f"JOIN topic t ON t.pack = r.pack AND t.id = r.topic_id{where} ORDER BY r.id", args)
    parse = datetime.fromisoformat  # stored times are UTC without an offset (db.to_db): add it while parsing
    return [Answer(q, area, parse(at + "+00:00"), rating, None if correct is None else bool(correct))
            for q, area, at, rating, correct in rows]


def due_times(conn: sqlite3.Connection, pack: str | None) -> list[datetime]:
    """When each card of an active question falls due."""
    where, args = _in(pack, "card")
    rows = conn.execute("SELECT card.due FROM card JOIN question q ON q.pack = card.pack AND q.id = card.question_id"
                        + (where + " AND" if where else " WHERE") + " q.active", args)
    return [from_db(r[0]) for r in rows]


def active_questions(conn: sqlite3.Connection, pack: str, topic_ids: list[str] | None = None) -> list[dict]:
    """The active questions (as validated content dicts), in file order; only these topics' if given."""
    sql = "SELECT data FROM question WHERE pack = ? AND active"
    args: list = [pack]
    if topic_ids is not None:
        sql += f" AND topic_id IN ({','.join('?' * len(topic_ids))})"
        args += list(topic_ids)
    return [json.loads(r[0]) for r in conn.execute(sql + " ORDER BY rowid", args)]


def question_renames(conn: sqlite3.Connection, pack: str) -> dict[str, str]:
    """Old question id -> current id, from the ``replaces:`` of the pack's active questions."""
    out: dict[str, str] = {}
    for (data,) in conn.execute("SELECT data FROM question WHERE pack = ? AND active", (pack,)):
        q = json.loads(data)
        for old in q.get("replaces") or ():
            out[old] = q["id"]
    return out


# --- backup: dump ----------------------------------------------------------------------------------------------

def dump(conn: sqlite3.Connection, pack: str | None) -> dict[str, list[dict]]:
    """The learner's history in one pack (or all), keyed by pack, topic and question ids."""
    def where(alias: str) -> str:
        return "" if pack is None else f" WHERE {alias}.pack = ?"

    args = () if pack is None else (pack,)
    statuses = [
        {"pack": p, "topic": t, "area": area, "status": st, "started_at": from_db(s), "finished_at": from_db(f),
         "updated_at": from_db(u)}
        for p, t, area, st, s, f, u in conn.execute(
            "SELECT s.pack, s.topic_id, t.area, s.status, s.started_at, s.finished_at, s.updated_at FROM topic_status s "
            f"JOIN topic t ON t.pack = s.pack AND t.id = s.topic_id{where('s')} ORDER BY s.pack, s.topic_id", args)]
    events = [
        {"pack": p, "topic": t, "area": area, "status": st, "at": from_db(at)}
        for p, t, area, st, at in conn.execute(
            "SELECT e.pack, e.topic_id, t.area, e.status, e.at FROM status_event e "
            f"JOIN topic t ON t.pack = e.pack AND t.id = e.topic_id{where('e')} ORDER BY e.at, e.id", args)]
    cards = [
        {"pack": p, "question": q, "topic": t, "area": area, "kind": kind, "state": state, "step": step,
         "stability": stab, "difficulty": diff, "due": from_db(due), "last_review": from_db(last),
         "created_at": from_db(created), "reps": reps, "lapses": lapses}
        for p, q, t, area, kind, state, step, stab, diff, due, last, created, reps, lapses in conn.execute(
            "SELECT c.pack, q.id, q.topic_id, t.area, q.kind, c.state, c.step, c.stability, c.difficulty, c.due, "
            "c.last_review, c.created_at, c.reps, c.lapses FROM card c "
            "JOIN question q ON q.pack = c.pack AND q.id = c.question_id "
            f"JOIN topic t ON t.pack = q.pack AND t.id = q.topic_id{where('c')} ORDER BY c.id", args)]
    reviews = [
        {"pack": p, "question": q, "topic": t, "area": area, "reviewed_at": from_db(at), "rating": rating,
         "correct": None if correct is None else bool(correct), "answer": answer, "response_ms": ms, "seed": seed,
         "flag": flag}
        for p, q, t, area, at, rating, correct, answer, ms, seed, flag in conn.execute(
            "SELECT r.pack, r.question_id, r.topic_id, t.area, r.reviewed_at, r.rating, r.correct, r.answer, "
            "r.response_ms, r.seed, r.flag FROM review r "
            f"JOIN topic t ON t.pack = r.pack AND t.id = r.topic_id{where('r')} ORDER BY r.reviewed_at, r.id", args)]
    return {"statuses": statuses, "status_events": events, "cards": cards, "reviews": reviews}


# --- backup: merge ---------------------------------------------------------------------------------------------

def _opt(dt: datetime | None) -> str | None:
    return to_db(dt) if dt is not None else None


def _ensure_topic(conn: sqlite3.Connection, pack: str, topic_id: str, area: str, ts: str) -> int:
    """An inactive placeholder for a topic the current content does not know (its history keeps its keys)."""
    return conn.execute("INSERT OR IGNORE INTO topic (pack, id, title, area, active, first_seen) VALUES (?,?,?,?,0,?)",
                        (pack, topic_id, topic_id, area, ts)).rowcount


def _ensure_question(conn: sqlite3.Connection, pack: str, question_id: str, topic_id: str, kind: str) -> int:
    data = json.dumps({"id": question_id, "topic": topic_id, "kind": kind})
    return conn.execute("INSERT OR IGNORE INTO question (pack, id, topic_id, kind, data, active) VALUES (?,?,?,?,?,0)",
                        (pack, question_id, topic_id, kind, data)).rowcount


def _latest(row: tuple[str, str] | None, events: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """(status, time) a side ends in: its status row, unless a later reset (not_started event) cleared it."""
    last = max(events, key=lambda e: e[1], default=None)
    if last is not None and last[0] == "not_started" and (row is None or last[1] > row[1]):
        return last
    return row


def merge(conn: sqlite3.Connection, data: dict[str, list[dict]], now: datetime) -> dict[str, int]:
    """Merge a validated backup into the database without duplicates, all in one transaction.

    Every record carries its pack, and every key below includes it. Reviews are identified by (pack, question,
    reviewed_at, rating) and status events by (pack, topic, status, at); a card by its pack and question, keeping
    the one reviewed last; a topic's status by the later change (a reset counts).
    """
    ts = to_db(now)
    added = {"statuses": 0, "status_events": 0, "cards": 0, "reviews": 0, "topics_placeholders": 0,
             "questions_placeholders": 0}
    kinds = {(c["pack"], c["question"]): c["kind"] for c in data["cards"]}
    with transaction(conn):
        topics = {(rec["pack"], rec["topic"]): rec["area"] for key in ("statuses", "status_events", "cards", "reviews")
                  for rec in data[key]}
        for (pack, topic), area in topics.items():
            added["topics_placeholders"] += _ensure_topic(conn, pack, topic, area, ts)
        questions = {(rec["pack"], rec["question"]): rec["topic"] for rec in [*data["reviews"], *data["cards"]]}
        for (pack, question), topic in questions.items():
            added["questions_placeholders"] += _ensure_question(conn, pack, question, topic,
                                                                kinds.get((pack, question), "unknown"))

        # statuses: decide each topic before the backup's events join the log
        mine_events: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for rec in data["status_events"]:
            mine_events.setdefault((rec["pack"], rec["topic"]), []).append((rec["status"], to_db(rec["at"])))
        theirs = {(rec["pack"], rec["topic"]): rec for rec in data["statuses"]}
        for pack, topic in sorted(set(theirs) | set(mine_events)):
            rec = theirs.get((pack, topic))
            incoming = _latest((rec["status"], to_db(rec["updated_at"])) if rec else None,
                               mine_events.get((pack, topic), []))
            row = conn.execute("SELECT status, updated_at FROM topic_status WHERE pack = ? AND topic_id = ?",
                               (pack, topic)).fetchone()
            existing = _latest(tuple(row) if row else None,
                               conn.execute("SELECT status, at FROM status_event WHERE pack = ? AND topic_id = ?",
                                            (pack, topic)))
            if incoming is None or (existing is not None and incoming[1] <= existing[1]):
                continue
            if incoming[0] == "not_started":
                changed = conn.execute("DELETE FROM topic_status WHERE pack = ? AND topic_id = ?",
                                       (pack, topic)).rowcount
            else:
                tables.upsert_status(conn, pack, topic, rec["status"], rec["started_at"], rec["finished_at"],
                                     rec["updated_at"])
                changed = 1
            added["statuses"] += changed

        for rec in data["status_events"]:
            at = to_db(rec["at"])
            if conn.execute("SELECT 1 FROM status_event WHERE pack = ? AND topic_id = ? AND status = ? AND at = ?",
                            (rec["pack"], rec["topic"], rec["status"], at)).fetchone():
                continue
            conn.execute("INSERT INTO status_event (pack, topic_id, status, at) VALUES (?,?,?,?)",
                         (rec["pack"], rec["topic"], rec["status"], at))
            added["status_events"] += 1

        for rec in data["cards"]:
            state = CardState(Phase(rec["state"]), rec["step"], rec["stability"], rec["difficulty"], rec["due"],
                              rec["last_review"])
            row = conn.execute("SELECT id, last_review, created_at FROM card WHERE pack = ? AND question_id = ?",
                               (rec["pack"], rec["question"])).fetchone()
            if row is None:
                tables.insert_card(conn, rec["pack"], rec["question"], state, rec["created_at"], rec["reps"],
                                   rec["lapses"])
                added["cards"] += 1
            elif (_opt(rec["last_review"]) or "") > (row[1] or ""):
                tables.update_card(conn, row[0], state, reps=rec["reps"], lapses=rec["lapses"],
                                   created_at=min(from_db(row[2]), rec["created_at"]))
                added["cards"] += 1

        seen = set(conn.execute("SELECT pack, question_id, reviewed_at, rating FROM review"))
        card_ids = {(p, q): i for p, q, i in conn.execute("SELECT pack, question_id, id FROM card")}
        rows = []
        for rec in data["reviews"]:
            key = (rec["pack"], rec["question"], to_db(rec["reviewed_at"]), rec["rating"])
            if key in seen:
                continue
            seen.add(key)
            if key[:2] not in card_ids:
                raise MissingCard(rec["question"])
            rows.append((card_ids[key[:2]], rec["pack"], rec["question"], rec["topic"], key[2], rec["rating"],
                         rec["correct"], rec["answer"], rec["response_ms"], rec["seed"], rec.get("flag"),
                         review_uid(rec["question"], rec["reviewed_at"], rec["rating"])))
        conn.executemany(tables.REVIEW_INSERT_UID_SQL, rows)
        added["reviews"] += len(rows)
    return added


class MissingCard(Exception):
    """A review whose question has no card in the backup nor in the database."""

    def __init__(self, question_id: str):
        self.question_id = question_id
        super().__init__(question_id)
