"""The content cache: YAML is parsed only when the content files change, then kept in the database.

On a change, one transaction applies renames (``replaces:``, inside the pack only), upserts the pack's topics and
questions, marks the ones that left the content inactive (their history stays), and stores the validated roadmap as
JSON for fast reads. Every row written belongs to the pack being synced; other packs are never touched.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

from mlpath.core.manifest import Manifest
from mlpath.core.model import Roadmap
from mlpath.store.db import to_db, transaction


def cached_roadmap(conn: sqlite3.Connection, fingerprint: str) -> tuple[str, Roadmap] | None:
    """(pack id, roadmap) of the folder with this fingerprint, if it was synced as it is now. A cache that cannot
    be read back (hand-edited, damaged) is treated as missing: the next sync rebuilds it."""
    row = conn.execute("SELECT pack, roadmap FROM content_state WHERE fingerprint = ? ORDER BY id DESC LIMIT 1",
                       (fingerprint,)).fetchone()
    if row:
        try:
            return row[0], Roadmap.from_dict(json.loads(row[1]))
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError):
            return None
    return None


def pack_roadmap(conn: sqlite3.Connection, pack: str) -> Roadmap | None:
    """The roadmap a pack was last synced with, if any (for its renames when it is not the one in use)."""
    row = conn.execute("SELECT roadmap FROM content_state WHERE pack = ? ORDER BY id DESC LIMIT 1", (pack,)).fetchone()
    return Roadmap.from_dict(json.loads(row[0])) if row else None


def _rename(conn: sqlite3.Connection, pack: str, table: str, old: str, new: str) -> None:
    """Move ``old`` to ``new`` inside ``pack``. If both exist (the new id was synced before the rename was
    declared), the old row's dependants move over and the old row is retired."""
    has_old = conn.execute(f"SELECT 1 FROM {table} WHERE pack = ? AND id = ?", (pack, old)).fetchone()
    if not has_old:
        return
    has_new = conn.execute(f"SELECT 1 FROM {table} WHERE pack = ? AND id = ?", (pack, new)).fetchone()
    if not has_new:
        conn.execute(f"UPDATE {table} SET id = ? WHERE pack = ? AND id = ?", (new, pack, old))  # keys cascade
        return
    if table == "topic":
        if not conn.execute("SELECT 1 FROM topic_status WHERE pack = ? AND topic_id = ?", (pack, new)).fetchone():
            conn.execute("UPDATE topic_status SET topic_id = ? WHERE pack = ? AND topic_id = ?", (new, pack, old))
        for t in ("status_event", "question", "review"):
            conn.execute(f"UPDATE {t} SET topic_id = ? WHERE pack = ? AND topic_id = ?", (new, pack, old))
    else:
        if not conn.execute("SELECT 1 FROM card WHERE pack = ? AND question_id = ?", (pack, new)).fetchone():
            conn.execute("UPDATE card SET question_id = ? WHERE pack = ? AND question_id = ?", (new, pack, old))
        conn.execute("UPDATE review SET question_id = ? WHERE pack = ? AND question_id = ?", (new, pack, old))
    conn.execute(f"UPDATE {table} SET active = 0 WHERE pack = ? AND id = ?", (pack, old))


def sync(conn: sqlite3.Connection, manifest: Manifest, roadmap: Roadmap, questions: list[dict], source: Path,
         fingerprint: str, now: datetime) -> None:
    ts = to_db(now)
    pack = manifest.id
    with transaction(conn):
        for t in roadmap.topics:
            for old in t.replaces:
                _rename(conn, pack, "topic", old, t.id)
        conn.execute("UPDATE topic SET active = 0 WHERE pack = ?", (pack,))
        conn.executemany(
            "INSERT INTO topic (pack, id, title, area, active, first_seen) VALUES (?,?,?,?,1,?) "
            "ON CONFLICT(pack, id) DO UPDATE SET title=excluded.title, area=excluded.area, active=1",
            [(pack, t.id, t.title, t.area, ts) for t in roadmap.topics])
        for q in questions:
            for old in q.get("replaces") or ():
                _rename(conn, pack, "question", old, q["id"])
        conn.execute("UPDATE question SET active = 0 WHERE pack = ?", (pack,))
        conn.executemany(
            "INSERT INTO question (pack, id, topic_id, kind, data, active) VALUES (?,?,?,?,?,1) "
            "ON CONFLICT(pack, id) DO UPDATE SET topic_id=excluded.topic_id, kind=excluded.kind, "
            "data=excluded.data, active=1",
            [(pack, q["id"], q["topic"], q["kind"], json.dumps(q, ensure_ascii=False)) for q in questions])
        conn.execute("DELETE FROM content_state WHERE pack = ?", (pack,))
        conn.execute(
            "INSERT INTO content_state (pack, title, version, source, fingerprint, roadmap, synced_at) "
            "VALUES (?,?,?,?,?,?,?)",
            (pack, manifest.title, manifest.version if manifest.declared else None, str(source), fingerprint,
             json.dumps(roadmap.to_dict(), ensure_ascii=False), ts))
