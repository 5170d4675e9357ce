"""The content cache: YAML is parsed only when the content files change, then kept in the database.

On a change, one transaction applies renames (``replaces:``), upserts topics and questions, marks the ones that
left the content inactive (their history stays), and stores the validated roadmap as JSON for fast reads.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

from mlpath.core.model import Roadmap
from mlpath.store.db import to_db, transaction


def cached_roadmap(conn: sqlite3.Connection, fingerprint: str) -> Roadmap | None:
    """The roadmap stored for these content files, or None (parse again). A cache that cannot be read back
    (hand-edited, damaged) is treated as missing: the next sync rebuilds it."""
    row = conn.execute("SELECT fingerprint, roadmap FROM content_state WHERE id = 1").fetchone()
    if row and row[0] == fingerprint:
        try:
            return Roadmap.from_dict(json.loads(row[1]))
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError):
            return None
    return None


def _rename(conn: sqlite3.Connection, table: str, old: str, new: str) -> None:
    """Move ``old`` to ``new``. If both exist (the new id was synced before the rename was declared),
    the old row's dependants move over and the old row is retired."""
    has_old = conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (old,)).fetchone()
    if not has_old:
        return
    has_new = conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (new,)).fetchone()
    if not has_new:
        conn.execute(f"UPDATE {table} SET id = ? WHERE id = ?", (new, old))  # foreign keys cascade
        return
    if table == "topic":
        if not conn.execute("SELECT 1 FROM topic_status WHERE topic_id = ?", (new,)).fetchone():
            conn.execute("UPDATE topic_status SET topic_id = ? WHERE topic_id = ?", (new, old))
        for t in ("status_event", "question", "review"):
            conn.execute(f"UPDATE {t} SET topic_id = ? WHERE topic_id = ?", (new, old))
    else:
        if not conn.execute("SELECT 1 FROM card WHERE question_id = ?", (new,)).fetchone():
            conn.execute("UPDATE card SET question_id = ? WHERE question_id = ?", (new, old))
        conn.execute("UPDATE review SET question_id = ? WHERE question_id = ?", (new, old))
    conn.execute(f"UPDATE {table} SET active = 0 WHERE id = ?", (old,))


def sync(conn: sqlite3.Connection, roadmap: Roadmap, questions: list[dict], source: Path, fingerprint: str,
         now: datetime) -> None:
    ts = to_db(now)
    with transaction(conn):
        for t in roadmap.topics:
            for old in t.replaces:
                _rename(conn, "topic", old, t.id)
        conn.execute("UPDATE topic SET active = 0")
        conn.executemany(
            "INSERT INTO topic (id, title, area, active, first_seen) VALUES (?,?,?,1,?) "
            "ON CONFLICT(id) DO UPDATE SET title=excluded.title, area=excluded.area, active=1",
            [(t.id, t.title, t.area, ts) for t in roadmap.topics])
        for q in questions:
            for old in q.get("replaces") or ():
                _rename(conn, "question", old, q["id"])
        conn.execute("UPDATE question SET active = 0")
        conn.executemany(
            "INSERT INTO question (id, topic_id, kind, data, active) VALUES (?,?,?,?,1) "
            "ON CONFLICT(id) DO UPDATE SET topic_id=excluded.topic_id, kind=excluded.kind, data=excluded.data, active=1",
            [(q["id"], q["topic"], q["kind"], json.dumps(q, ensure_ascii=False)) for q in questions])
        conn.execute(
            "INSERT INTO content_state (id, source, fingerprint, roadmap, synced_at) VALUES (1,?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET source=excluded.source, fingerprint=excluded.fingerprint, "
            "roadmap=excluded.roadmap, synced_at=excluded.synced_at",
            (str(source), fingerprint, json.dumps(roadmap.to_dict(), ensure_ascii=False), ts))
