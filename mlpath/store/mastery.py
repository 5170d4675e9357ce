"""The evidence mastery reads, in one grouped query: every active card with its topic, counts and whether it has
been passed after a gap (kept in ``card_evidence``; cards whose row is behind are recomputed from their log)."""

from __future__ import annotations

import sqlite3

from mlpath.core.mastery import GAP, CardEvidence
from mlpath.core.scheduling import CardState
from mlpath.core.srs import Phase
from mlpath.store import tables
from mlpath.store.db import from_db, transaction


def _passed_after_gap(log: list[tuple[str, int]]) -> bool:
    """A pass (rating >= 2) at least GAP after the review before it, in a log of (stored time, rating) in time
    order. Stored times sort as text, so only passes are parsed."""
    for (prev_at, _), (at, rating) in zip(log, log[1:]):
        if rating >= 2 and from_db(at) - from_db(prev_at) >= GAP:
            return True
    return False


def catch_up(conn: sqlite3.Connection, stale: dict[int, int]) -> dict[int, bool]:
    """Recompute ``card_evidence`` for cards {id: reps} from their review logs; stored when the database can be
    written (it is a cache: a read-only database still gets the right answer)."""
    if not stale:
        return {}
    logs: dict[int, list[tuple[str, int]]] = {cid: [] for cid in stale}
    ids = list(stale)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for cid, at, rating in conn.execute(
                f"SELECT card_id, reviewed_at, rating FROM review WHERE card_id IN ({','.join('?' * len(chunk))}) "
                "ORDER BY card_id, reviewed_at, id", chunk):
            logs[cid].append((at, rating))
    passed = {cid: _passed_after_gap(log) for cid, log in logs.items()}
    try:
        with transaction(conn):
            conn.executemany("INSERT INTO card_evidence (card_id, reps, passed_after_gap) VALUES (?,?,?) "
                             "ON CONFLICT(card_id) DO UPDATE SET reps = excluded.reps, "
                             "passed_after_gap = excluded.passed_after_gap",
                             [(cid, stale[cid], passed[cid]) for cid in ids])
    except sqlite3.Error:
        pass
    return passed


def evidence(conn: sqlite3.Connection, pack: str, topic_ids: list[str] | None = None) -> dict[str, list[CardEvidence]]:
    """{topic: its active cards' facts}, in one pack, for every topic or those given."""
    sql = (f"SELECT q.topic_id, {tables.CARD_SELECT}, ev.reps, ev.passed_after_gap FROM card "
           "JOIN question q ON q.pack = card.pack AND q.id = card.question_id "
           "LEFT JOIN card_evidence ev ON ev.card_id = card.id WHERE card.pack = ? AND q.active")
    args: list = [pack]
    if topic_ids is not None:
        sql += f" AND q.topic_id IN ({','.join('?' * len(topic_ids))})"
        args += list(topic_ids)
    rows = conn.execute(sql, args).fetchall()
    # topic, then CARD_SELECT (id, question id, the 6 state columns, reps, lapses), then the evidence row
    stale = {r[1]: r[9] for r in rows if r[9] and r[11] != r[9]}  # answered, and the evidence is behind
    fresh = catch_up(conn, stale)
    out: dict[str, list[CardEvidence]] = {}
    # tables.card_state_from, inlined: this runs for every card on every `next` and `progress`
    phase = {int(p): p for p in Phase}
    for r in rows:
        cid = r[1]
        passed = fresh[cid] if cid in fresh else bool(r[12])
        last = r[8]
        state = CardState(phase[r[3]], r[4], r[5], r[6], from_db(r[7]), None if last is None else from_db(last))
        out.setdefault(r[0], []).append(CardEvidence(state, r[9], r[10], passed))
    return out


def note_review(conn: sqlite3.Connection, card_id: int, reps: int, passed_after_gap: bool) -> None:
    """Keep ``card_evidence`` current after an answer that brought the card to ``reps`` reviews: only a row that
    was current before it (or a new card) is updated; any other is recomputed when next read."""
    with transaction(conn):
        if reps == 1:
            conn.execute("INSERT OR IGNORE INTO card_evidence (card_id, reps, passed_after_gap) VALUES (?,1,0)",
                         (card_id,))
        else:
            conn.execute("UPDATE card_evidence SET reps = ?, passed_after_gap = passed_after_gap OR ? "
                         "WHERE card_id = ? AND reps = ?", (reps, passed_after_gap, card_id, reps - 1))
