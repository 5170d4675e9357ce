"""What placement stores: topics recorded as skipped with a reason, and which topics are placed now; through sqlite3.

A reason is attached to the status event it explains (table ``status_reason``). A topic is *placed* while its
status is ``skipped`` and its latest status event carries the reason ``placement``: a later ``reset``, ``start``,
``done`` or ``skip`` adds an event without that reason, so the topic is no longer placed (the history stays).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from mlpath.core.model import FINISHED
from mlpath.store import tables
from mlpath.store.db import to_db, transaction

PLACEMENT = "placement"


def seen_questions(conn: sqlite3.Connection, pack: str) -> set[str]:
    """Ids of the pack's questions the learner has answered at least once (those with a card)."""
    return {r[0] for r in conn.execute("SELECT question_id FROM card WHERE pack = ?", (pack,))}


def skip_with_reason(conn: sqlite3.Connection, pack: str, topic_ids: Iterable[str], reason: str,
                     now: datetime) -> list[str]:
    """Record every topic that is not already done or skipped as skipped, each status event with ``reason``, in one
    transaction. Returns the topics recorded, in the order given."""
    ts = to_db(now)
    recorded = []
    with transaction(conn):
        for topic_id in dict.fromkeys(topic_ids):
            row = conn.execute("SELECT status, started_at FROM topic_status WHERE pack = ? AND topic_id = ?",
                               (pack, topic_id)).fetchone()
            if row is not None and row[0] in FINISHED:
                continue
            tables.upsert_status(conn, pack, topic_id, "skipped", row[1] if row else None, ts, ts)
            event = conn.execute("INSERT INTO status_event (pack, topic_id, status, at) VALUES (?,?,?,?)",
                                 (pack, topic_id, "skipped", ts)).lastrowid
            conn.execute("INSERT INTO status_reason (event_id, reason) VALUES (?,?)", (event, reason))
            recorded.append(topic_id)
    return recorded


def placed(conn: sqlite3.Connection, pack: str) -> set[str]:
    """The pack's topics placed now: skipped, and their latest status event has the reason ``placement``."""
    rows = conn.execute(
        "SELECT s.topic_id FROM topic_status s "
        "JOIN status_reason r ON r.event_id = (SELECT MAX(e.id) FROM status_event e "
        "WHERE e.pack = s.pack AND e.topic_id = s.topic_id) "
        "WHERE s.pack = ? AND s.status = 'skipped' AND r.reason = ?", (pack, PLACEMENT))
    return {r[0] for r in rows}
