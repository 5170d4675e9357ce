"""Reading the learner's history for statistics and decks, and dumping / merging it for backups.

Records exchanged with mlpath/backup.py are dicts keyed like the backup file (pack, topic and question ids, never
row ids), with UTC-aware datetimes. ``pack=None`` means every pack. ``merge`` writes everything in one transaction: any error rolls it all back.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from contextlib import contextmanager
from datetime import datetime

from mlpath.core.review_ids import review_uid_of_utc_text, uid_time_bounds
from mlpath.core.scheduling import CardState
from mlpath.core.srs import Phase
from mlpath.core.stats import Answer
from mlpath.store import aggregates, tables
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

# Per section: the record's keys (as in the backup file), which of them are times (stored text), and the query
# giving them in that order except ``area``, which is looked up from the record's topic (cheaper than a join).
# Every query has a ``{where}`` slot for the pack filter (``x.pack = ?``, or nothing for every pack); ``pack`` comes
# first in every record.
DUMP: dict[str, tuple[tuple[str, ...], frozenset[str], str]] = {
    "statuses": (
        ("pack", "topic", "area", "status", "started_at", "finished_at", "updated_at"),
        frozenset({"started_at", "finished_at", "updated_at"}),
        "SELECT x.pack, x.topic_id, x.status, x.started_at, x.finished_at, x.updated_at FROM topic_status x{where} "
        "ORDER BY x.pack, x.topic_id"),
    "status_events": (
        ("pack", "topic", "area", "status", "at", "reason"), frozenset({"at"}),
        "SELECT x.pack, x.topic_id, x.status, x.at, r.reason FROM status_event x "
        "LEFT JOIN status_reason r ON r.event_id = x.id{where} ORDER BY x.at, x.id"),
    "cards": (
        ("pack", "question", "topic", "area", "kind", "state", "step", "stability", "difficulty", "due",
         "last_review", "created_at", "reps", "lapses"),
        frozenset({"due", "last_review", "created_at"}),
        "SELECT x.pack, q.id, q.topic_id, q.kind, x.state, x.step, x.stability, x.difficulty, x.due, "
        "x.last_review, x.created_at, x.reps, x.lapses FROM card x "
        "JOIN question q ON q.pack = x.pack AND q.id = x.question_id{where} ORDER BY x.id"),
    "reviews": (
        ("pack", "question", "topic", "area", "reviewed_at", "rating", "correct", "answer", "response_ms", "seed",
         "flag"),
        frozenset({"reviewed_at"}),
        "SELECT x.pack, x.question_id, x.topic_id, x.reviewed_at, x.rating, x.correct, x.answer, x.response_ms, "
        "x.seed, x.flag FROM review x{where} ORDER BY x.reviewed_at, x.id"),
}


_DUMP_TABLE = {"statuses": "topic_status", "status_events": "status_event", "cards": "card", "reviews": "review"}


@contextmanager
def snapshot(conn: sqlite3.Connection):
    """One read transaction: every query inside sees the database as it was at the first one, whatever other
    processes commit meanwhile (a backup never holds a review whose card it lacks)."""
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.execute("COMMIT")


def dump_rows(conn: sqlite3.Connection, section: str, pack: str | None,
              chunk: int = 2000) -> Iterator[list[tuple]]:
    """The rows of one backup section of one pack (None: every pack) in the order of its DUMP keys (times as
    stored), a chunk at a time. Run it inside ``snapshot`` so that every section comes from the same moment.
    A row whose topic is unknown (which the foreign keys prevent) is left out, as a join would."""
    keys = DUMP[section][0]
    at = keys.index("area")
    table = _DUMP_TABLE[section]
    # no filter when the table holds no other pack's rows: the plan reading the whole table in order stays the
    # fast one (a filter would sort a long review log in a temporary b-tree)
    where, args = ("", ()) if pack is None or only_pack(conn, table, pack) else (" WHERE x.pack = ?", (pack,))
    areas = {(p, t): a for p, t, a in conn.execute(
        "SELECT pack, id, area FROM topic" + ("" if pack is None else " WHERE pack = ?"), ((pack,) if pack else ()))}
    cursor = conn.execute(DUMP[section][2].format(where=where), args)
    while rows := cursor.fetchmany(chunk):
        yield [(*row[:at], areas[row[0], row[at - 1]], *row[at:]) for row in rows
               if (row[0], row[at - 1]) in areas]


def dump(conn: sqlite3.Connection, pack: str | None) -> dict[str, list[dict]]:
    """The learner's history in one pack (or all, None), keyed by pack, topic and question ids (times as
    UTC-aware datetimes), from one snapshot."""
    out: dict[str, list[dict]] = {}
    with snapshot(conn):
        for section, (keys, times, _sql) in DUMP.items():
            records = out[section] = []
            for rows in dump_rows(conn, section, pack):
                for row in rows:
                    rec = {k: from_db(v) if k in times else v for k, v in zip(keys, row)}
                    if "correct" in rec and rec["correct"] is not None:
                        rec["correct"] = bool(rec["correct"])
                    records.append(rec)
    return out


# --- backup: merge ---------------------------------------------------------------------------------------------

# A backup is merged from staging tables (TEMP: private to this connection, on disk when large, gone on close),
# filled record by record as the file is read, then merged set-wise in one write transaction. Times are stored
# text (db.to_db); ``seq`` keeps the file's order.
# ``pack`` is NULL for the records of a version-1 file (from before packs) until ``Staging.label`` sets it; ``uid``
# (optional in a file) is computed at the merge when absent.
STAGING: dict[str, tuple[str, ...]] = {
    "statuses": ("pack", "topic", "area", "status", "started_at", "finished_at", "updated_at"),
    "status_events": ("pack", "topic", "area", "status", "at", "reason"),
    "cards": ("pack", "question", "topic", "area", "kind", "state", "step", "stability", "difficulty", "due",
              "last_review", "created_at", "reps", "lapses"),
    "reviews": ("pack", "question", "topic", "area", "reviewed_at", "rating", "correct", "answer", "response_ms",
                "seed", "flag", "uid"),
}
_STAGE_TABLE = {"statuses": "import_status", "status_events": "import_event", "cards": "import_card",
                "reviews": "import_review"}
_STAGE_INDEXES = (
    "CREATE INDEX temp.import_status_topic ON import_status (pack, topic)",
    "CREATE INDEX temp.import_event_topic ON import_event (pack, topic, status, at)",
    "CREATE INDEX temp.import_card_question ON import_card (pack, question)",
)
# Only when the file gives review ids of its own (see merge_staged): finding a review twice in the file.
_STAGE_REVIEW_INDEXES = (
    "CREATE INDEX temp.import_review_key ON import_review (pack, question, reviewed_at, rating)",
    "CREATE INDEX temp.import_review_uid ON import_review (uid)",
)


_NAMES = 100_000
_NAMES_OF = itemgetter(0, 1, 2)  # a staged review's (pack, question, topic)


class Restart(Exception):
    """Staging left out reviews the database held (StoredReviews), and something since makes that unsafe: the file
    gives review ids of its own after all, or another process changed the database before the merge. The caller
    stages the file again without leaving anything out."""


class StoredReviews:
    """While a backup is staged: which of its reviews the database holds already, so they need not be staged.

    A review is left out only when a stored review has its exact key (pack, question, time as stored text, rating):
    the merge would find it a duplicate anyway (``_NOT_STORED``), so what is imported is the same, and importing a
    backup again stages almost nothing. Stored reviews are looked up by the time prefix of their ids (the unique
    index on ``review.uid``; mlpath's ids begin with the review's time), one time range per staged batch: a file in
    time order (as `export` writes it) reads each stored review about once. A batch whose range holds too many
    stored reviews (a file out of order) is staged whole, and after a few such batches nothing is left out any more.

    Only the reviews of ``packs`` (None: every pack) are considered, and of those only packs whose question ids no
    rename changes (renamed ids are matched after staging). Leaving out is exact only while the file gives no review
    ids (a later record's own id could otherwise have matched a left-out one's) and the database does not change
    before the merge: ``Staging.add`` raises ``Restart`` in the first case and ``merge_staged`` in the second, after
    something was left out."""

    BATCH_FACTOR = 4  # stored reviews read per staged review (plus SLACK), at most, before a batch counts as out
    SLACK = 1000  # of order
    GIVE_UP = 3  # batches out of order before nothing more is left out

    def __init__(self, conn: sqlite3.Connection, packs: set[str] | None):
        self.conn = conn
        self.packs = packs
        self.active = True
        self.dropped = 0
        self.misses = 0
        self._ok: dict[str | None, bool] = {None: False}  # pack -> its reviews may be left out
        self._version = conn.execute("PRAGMA data_version").fetchone()[0]

    def _eligible(self, pack: str | None) -> bool:
        ok = self._ok.get(pack)
        if ok is None:
            ok = (self.packs is None or pack in self.packs) and not question_renames(self.conn, pack)
            if len(self._ok) < 10_000:
                self._ok[pack] = ok
        return ok

    def keep(self, rows: list[tuple]) -> list[tuple]:
        """The staged review rows (STAGING's order) not held by the database."""
        if not self.active or not rows:
            return rows
        times = [row[4] for row in rows if self._eligible(row[0])]
        if not times:
            return rows
        bounds = uid_time_bounds(min(times), max(times))
        if bounds is None:
            return rows
        limit = self.BATCH_FACTOR * len(rows) + self.SLACK
        found = self.conn.execute("SELECT pack, question_id, reviewed_at, rating FROM review WHERE uid >= ? "
                                  "AND uid < ? LIMIT ?", (*bounds, limit)).fetchall()
        if len(found) >= limit:
            self.misses += 1
            self.active = self.misses < self.GIVE_UP
            return rows
        if not found:
            return rows
        stored = set(found)
        eligible = self._eligible
        out = [row for row in rows if (row[0], row[1], row[4], row[5]) not in stored or not eligible(row[0])]
        self.dropped += len(rows) - len(out)
        return out

    def check(self) -> None:
        """Inside the merge's transaction: ``Restart`` if reviews were left out and another process has changed
        the database since (a review removed or its rating overridden would have been imported)."""
        if self.dropped and self.conn.execute("PRAGMA data_version").fetchone()[0] != self._version:
            raise Restart()


class Staging:
    """The staging tables of one import: ``with Staging(conn) as stage: stage.add(section, rows) ...``.

    With ``stored`` (see StoredReviews), reviews the database holds already are left out once ``trust_labels``
    says the records' pack labels are their own (a version 2 or later file)."""

    def __init__(self, conn: sqlite3.Connection, stored: StoredReviews | None = None):
        self.conn = conn
        self.stored = stored
        self.labels_trusted = False
        # the distinct (pack, question, topic) of the staged reviews, exactly, while there are at most _NAMES of
        # them and no rename has changed them (else None): lets the merge (and packs, keep_pack) skip reading
        # every staged review
        self.review_names: set[tuple] | None = set()
        self.inserts = {
            (section, n): f"INSERT INTO {_STAGE_TABLE[section]} ({', '.join(cols[:n])}) VALUES ({','.join('?' * n)})"
            for section, cols in STAGING.items() for n in (len(cols), len(cols) - 1)}

    def __enter__(self) -> Staging:
        # the temporary database is private to this connection and its file unlinked as it opens: dropping the
        # staging tables need not overwrite their pages with zeros (this SQLite may be built with secure delete)
        self.conn.execute("PRAGMA temp.secure_delete = OFF")
        self.drop()
        for section, cols in STAGING.items():
            self.conn.execute(f"CREATE TEMP TABLE {_STAGE_TABLE[section]} (seq INTEGER PRIMARY KEY, "
                              f"{', '.join(cols)})")
        self.conn.execute("BEGIN")  # staging writes touch only the temp database: no lock on the learner's data
        return self

    def add(self, section: str, rows: list[tuple]) -> None:
        """Stage validated rows (STAGING's columns, times as stored text; or all but the last, which is then NULL:
        a review without a uid, cheaper to bind)."""
        if not rows:
            return
        if section == "reviews" and self.stored is not None:
            if len(rows[0]) == len(STAGING["reviews"]) and any(row[-1] is not None for row in rows):
                if self.stored.dropped:
                    raise Restart()  # the file gives review ids: leaving out was not safe
                self.stored = None
            elif self.labels_trusted:
                rows = self.stored.keep(rows)
                if not rows:
                    return
        self.conn.executemany(self.inserts[section, len(rows[0])], rows)
        if section == "reviews" and self.review_names is not None:
            self.review_names.update(map(_NAMES_OF, rows))
            if len(self.review_names) > _NAMES:
                self.review_names = None

    def trust_labels(self) -> None:
        """The file is of version 2 or later, read before its records: each record's pack label is its own."""
        self.labels_trusted = True

    def label(self, pack: str) -> None:
        """Put every record in ``pack`` (a version-1 file, from before packs, whose records have no pack)."""
        if self.labels_trusted and self.stored is not None and self.stored.dropped:
            raise Restart()  # "version" given twice, the last 1: the labels reviews were left out by are not theirs
        for table in _STAGE_TABLE.values():
            self.conn.execute(f"UPDATE {table} SET pack = ?", (pack,))
        if self.review_names is not None:
            self.review_names = {(pack, q, t) for _p, q, t in self.review_names}

    def unlabelled(self) -> dict[str, int]:
        """Section -> index (in the file) of its first record without a pack, for the sections that have one."""
        out = {}
        for section, table in _STAGE_TABLE.items():
            row = self.conn.execute(f"SELECT COUNT(*) FROM {table} WHERE seq < (SELECT MIN(seq) FROM {table} "
                                    "WHERE pack IS NULL)").fetchone()
            if self.conn.execute(f"SELECT 1 FROM {table} WHERE pack IS NULL LIMIT 1").fetchone():
                out[section] = row[0]
        return out

    def keep_pack(self, pack: str) -> dict[str, int]:
        """Leave out every record of another pack; returns how many per section."""
        out = {}
        for section, table in _STAGE_TABLE.items():
            if section == "reviews" and self.review_names is not None and all(
                    p == pack for p, _q, _t in self.review_names):
                out[section] = 0  # (the names say every review is in this pack: no need to read them all)
                continue
            out[section] = self.conn.execute(f"DELETE FROM {table} WHERE pack IS NOT ?", (pack,)).rowcount
        if self.review_names is not None:
            self.review_names = {name for name in self.review_names if name[0] == pack}
        return out

    def packs(self) -> list[str]:
        """The packs the staged records belong to."""
        tables = [t for section, t in _STAGE_TABLE.items() if section != "reviews" or self.review_names is None]
        found = {p for (p,) in self.conn.execute(" UNION ".join(f"SELECT pack FROM {t}" for t in tables))}
        if self.review_names is not None:
            found |= {p for p, _q, _t in self.review_names}
        return sorted(p for p in found if p is not None)

    def rename(self, pack: str, topics: dict[str, tuple[str, str]], questions: dict[str, str]) -> None:
        """Follow renames within one pack's records: old topic id -> (new id, its area), old question id -> new."""
        self.review_names = None
        for old, (new, area) in topics.items():
            for table in _STAGE_TABLE.values():
                self.conn.execute(f"UPDATE {table} SET topic = ?, area = ? WHERE pack = ? AND topic = ?",
                                  (new, area, pack, old))
        for old, new in questions.items():
            for table in ("import_card", "import_review"):
                self.conn.execute(f"UPDATE {table} SET question = ? WHERE pack = ? AND question = ?",
                                  (new, pack, old))

    def counts(self) -> dict[str, int]:
        return {section: self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for section, table in _STAGE_TABLE.items()}

    def ready(self) -> None:
        """All rows staged: index them for the merge."""
        for sql in _STAGE_INDEXES:
            self.conn.execute(sql)
        self.conn.execute("COMMIT")

    def drop(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        for table in _STAGE_TABLE.values():
            self.conn.execute(f"DROP TABLE IF EXISTS temp.{table}")

    def __exit__(self, *exc) -> None:
        self.drop()


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


def _stage_records(stage: Staging, data: dict[str, list[dict]]) -> None:
    for section, cols in STAGING.items():
        stage.add(section, [tuple(_opt(v) if isinstance(v, datetime) else v for v in (rec.get(c) for c in cols))
                            for rec in data[section]])


def merge(conn: sqlite3.Connection, data: dict[str, list[dict]], now: datetime) -> dict[str, int]:
    """Merge a validated backup held in memory (records as from ``dump``); see ``merge_staged``."""
    with Staging(conn) as stage:
        _stage_records(stage, data)
        stage.ready()
        return merge_staged(conn, now, stage.review_names)


def merge_staged(conn: sqlite3.Connection, now: datetime, review_names: set[tuple] | None = None,
                 then: Callable[[sqlite3.Connection], None] | None = None,
                 stored: StoredReviews | None = None) -> dict[str, int]:
    """Merge the staged backup into the database without duplicates, all in one transaction.

    Every staged record carries its pack, and every key below includes it. Reviews are identified by (pack,
    question, reviewed_at, rating) and status events by (pack, topic, status, at); a card by its pack and
    question, keeping the one reviewed last; a topic's status by the later change (a reset counts). Where the
    file names a topic (or question) several times, the last record gives its area (or topic, kind). A review
    gets the file's ``uid``, else the one mlpath.core.review_ids derives; a review whose uid is stored already is
    a duplicate too.

    ``then``, when given, is called last inside the same transaction (an import's other choices).

    ``review_names``, when given, holds exactly the (pack, question, topic) of the staged reviews: when the
    database knows all of them, the reviews need not be scanned for unknown topics, questions or cards. With
    them, SQLite's row-by-row foreign-key checks (the costliest part of inserting a long review log) are set aside
    for this one transaction and every key the merge writes is checked set-wise before it commits instead
    (_check_keys: a broken one refuses the whole import).

    ``stored``: what staging left out (StoredReviews); ``Restart`` (nothing written) if that is no longer safe.
    """
    setwise = review_names is not None and conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    if setwise:
        conn.execute("PRAGMA foreign_keys = OFF")  # (a connection setting: takes effect only outside a transaction)
    try:
        return _merge_staged(conn, now, review_names, setwise, then, stored)
    finally:
        if setwise:
            conn.execute("PRAGMA foreign_keys = ON")


def _merge_staged(conn: sqlite3.Connection, now: datetime, review_names: set[tuple] | None,
                  check_keys: bool, then: Callable[[sqlite3.Connection], None] | None,
                  stored: StoredReviews | None) -> dict[str, int]:
    ts = to_db(now)
    added = {"statuses": 0, "status_events": 0, "cards": 0, "reviews": 0, "topics_placeholders": 0,
             "questions_placeholders": 0}
    with transaction(conn):
        if stored is not None:
            stored.check()
        # the reviews name only known topics (and questions): they cannot add placeholders (nor the area of one)
        topics_known = _all_stored(conn, "topic", "id", review_names, 2)
        questions_known = _all_stored(conn, "question", "id", review_names, 1)
        # placeholders for what the database does not know, from the last record naming it (sections in order)
        # (k: a record's place, section by section; the last record's column is read by its k, as a bare column
        # beside two aggregates would come from either row)
        new_topics = conn.execute(
            "SELECT pack, topic, MIN(k), MAX(k) FROM ("
            "SELECT pack, topic, seq AS k FROM import_status UNION ALL "
            "SELECT pack, topic, seq + (1 << 40) FROM import_event UNION ALL "
            "SELECT pack, topic, seq + (2 << 40) FROM import_card"
            + ("" if topics_known else " UNION ALL SELECT pack, topic, seq + (3 << 40) FROM import_review")
            + ") x "
            "WHERE NOT EXISTS (SELECT 1 FROM topic WHERE pack = x.pack AND id = x.topic) GROUP BY pack, topic"
            ).fetchall()
        for pack, topic, _first, area in _in_file_order(conn, new_topics, _TOPIC_SECTIONS, "area"):
            added["topics_placeholders"] += _ensure_topic(conn, pack, topic, area, ts)
        new_questions = conn.execute(
            "SELECT pack, question, MIN(k), MAX(k) FROM ("
            + ("" if questions_known else "SELECT pack, question, seq AS k FROM import_review UNION ALL ")
            + "SELECT pack, question, seq + (1 << 40) AS k FROM import_card) x "
            "WHERE NOT EXISTS (SELECT 1 FROM question WHERE pack = x.pack AND id = x.question) "
            "GROUP BY pack, question").fetchall()
        placed = []  # (pack, topic) of each question placeholder
        for pack, question, _first, topic in _in_file_order(conn, new_questions, _QUESTION_SECTIONS, "topic"):
            placed.append((pack, topic))
            kind = conn.execute("SELECT kind FROM import_card WHERE pack = ? AND question = ? ORDER BY seq DESC "
                                "LIMIT 1", (pack, question)).fetchone()
            added["questions_placeholders"] += _ensure_question(conn, pack, question, topic,
                                                                kind[0] if kind else "unknown")

        # statuses: decide each topic before the backup's events join the log
        topics = conn.execute("SELECT pack, topic FROM import_status UNION SELECT pack, topic FROM import_event "
                              "ORDER BY 1, 2").fetchall()
        for pack, topic in topics:
            rec = conn.execute("SELECT status, started_at, finished_at, updated_at FROM import_status "
                               "WHERE pack = ? AND topic = ? ORDER BY seq DESC LIMIT 1", (pack, topic)).fetchone()
            mine = conn.execute("SELECT status, at FROM import_event WHERE pack = ? AND topic = ? ORDER BY seq",
                                (pack, topic))
            incoming = _latest((rec[0], rec[3]) if rec else None, mine)
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
                tables.upsert_status(conn, pack, topic, *rec)
                changed = 1
            added["statuses"] += changed

        added["status_events"] = conn.execute(
            "INSERT INTO status_event (pack, topic_id, status, at) SELECT pack, topic, status, at FROM import_event e "
            "WHERE e.seq = (SELECT MIN(seq) FROM import_event y WHERE y.pack = e.pack AND y.topic = e.topic "
            "AND y.status = e.status AND y.at = e.at) AND NOT EXISTS (SELECT 1 FROM status_event x "
            "WHERE x.pack = e.pack AND x.topic_id = e.topic AND x.status = e.status AND x.at = e.at) "
            "ORDER BY e.seq").rowcount
        # why a change was made (placement's skips), on the stored event with the same key, unless it has one
        conn.execute(
            "INSERT OR IGNORE INTO status_reason (event_id, reason) SELECT x.id, e.reason FROM import_event e "
            "JOIN status_event x ON x.pack = e.pack AND x.topic_id = e.topic AND x.status = e.status AND x.at = e.at "
            "WHERE e.reason IS NOT NULL AND e.seq = (SELECT MIN(seq) FROM import_event y WHERE y.pack = e.pack "
            "AND y.topic = e.topic AND y.status = e.status AND y.at = e.at)")

        for (pack, question, state, step, stability, difficulty, due, last, created, reps, lapses) in conn.execute(
                "SELECT pack, question, state, step, stability, difficulty, due, last_review, created_at, reps, "
                "lapses FROM import_card ORDER BY seq").fetchall():
            card = CardState(Phase(state), step, stability, difficulty, from_db(due), from_db(last))
            row = conn.execute("SELECT id, last_review, created_at FROM card WHERE pack = ? AND question_id = ?",
                               (pack, question)).fetchone()
            if row is None:
                tables.insert_card(conn, pack, question, card, from_db(created), reps, lapses)
                added["cards"] += 1
            elif (last or "") > (row[1] or ""):
                tables.update_card(conn, row[0], card, reps=reps, lapses=lapses,
                                   created_at=from_db(min(row[2], created)))
                added["cards"] += 1

        orphan = None if _all_stored(conn, "card", "question_id", review_names, 1) else conn.execute(
            "SELECT question FROM import_review r WHERE NOT EXISTS (SELECT 1 FROM card WHERE pack = r.pack "
            "AND question_id = r.question) ORDER BY seq LIMIT 1").fetchone()
        if orphan:
            raise MissingCard(orphan[0])
        added["reviews"] = _merge_reviews(conn)
        if check_keys:
            _check_keys(conn, review_names, placed)
        if then is not None:  # the caller's last step (the backup's learner choices), in the same transaction
            then(conn)
    return added


_TOPIC_SECTIONS = ("import_status", "import_event", "import_card", "import_review")  # k >> 40 -> its table
_QUESTION_SECTIONS = ("import_review", "import_card")


def _in_file_order(conn: sqlite3.Connection, found: list[tuple], sections: tuple[str, ...],
                   column: str) -> list[tuple]:
    """(pack, id, first k, ``column`` of the last record) for each (pack, id, first k, last k) in ``found``, in the
    order the file first names them (k: section index << 40 | seq in that section's table)."""
    out = []
    for pack, name, first, last in sorted(found, key=itemgetter(2)):
        value = conn.execute(f"SELECT {column} FROM {sections[last >> 40]} WHERE seq = ?",
                             (last & ((1 << 40) - 1),)).fetchone()[0]
        out.append((pack, name, first, value))
    return out


def _check_keys(conn: sqlite3.Connection, review_names: set[tuple], placed: list[tuple[str, str]]) -> None:
    """The foreign keys of every row a merge wrote, checked set-wise: the topic of each question placeholder,
    status, status change, card and review, the question of each card and review, the card of each review (the
    insert joins it). Raises ``sqlite3.IntegrityError`` (the transaction rolls back) if one is missing."""
    missing = conn.execute(
        "SELECT 1 FROM (SELECT pack, topic FROM import_status UNION ALL SELECT pack, topic FROM import_event "
        "UNION ALL SELECT pack, topic FROM import_card) x "
        "WHERE NOT EXISTS (SELECT 1 FROM topic WHERE pack = x.pack AND id = x.topic) LIMIT 1").fetchone() \
        or conn.execute("SELECT 1 FROM import_card c WHERE NOT EXISTS (SELECT 1 FROM question WHERE pack = c.pack "
                        "AND id = c.question) LIMIT 1").fetchone() \
        or not all(conn.execute("SELECT 1 FROM topic WHERE pack = ? AND id = ?", key).fetchone() for key in placed) \
        or not (_all_stored(conn, "topic", "id", review_names, 2)
                and _all_stored(conn, "question", "id", review_names, 1)
                and _all_stored(conn, "card", "question_id", review_names, 1))
    if missing:
        raise sqlite3.IntegrityError("FOREIGN KEY constraint failed (import)")


def _all_stored(conn: sqlite3.Connection, table: str, column: str, names: set[tuple] | None, at: int) -> bool:
    """Whether ``table`` holds a row for the pack and the id at ``at`` of each of ``names`` (False if None)."""
    if names is None:
        return False
    sql = f"SELECT 1 FROM {table} WHERE pack = ? AND {column} = ?"
    return all(conn.execute(sql, key).fetchone() for key in {(name[0], name[at]) for name in names})


# A review is new unless the database holds one with the same key (pack, question, time, rating) or the same uid,
# or an earlier record of the file has the same key or uid (its first copy counts).
_NOT_STORED = ("NOT EXISTS (SELECT 1 FROM review x WHERE x.pack = r.pack AND x.question_id = r.question "
               "AND x.reviewed_at = r.reviewed_at AND x.rating = r.rating)")
_REVIEW_COLUMNS = ("c.id, r.pack, r.question, r.topic, r.reviewed_at, r.rating, r.correct, r.answer, r.response_ms, "
                   "r.seed, r.flag")


def _merge_reviews(conn: sqlite3.Connection) -> int:
    """Insert the staged reviews that are new (see merge_staged); returns how many.

    A review without a uid in the file gets the one mlpath.core.review_ids derives from its question, time and
    rating, so two such reviews share a uid exactly when they share those three. When the file gives no uid at all
    (as `export` writes it), the unique index on ``review.uid`` therefore finds every duplicate but one kind: a
    stored review with the same key whose uid came from elsewhere (another device, an earlier twin); the key is
    looked up for those. The uid is derived only for a review not stored already, as it is inserted, in the file's
    order (so the first copy wins). When the file gives some uids, each review's uid is filled in first and both
    rules are checked against the file's earlier records and the database."""
    conn.create_function("mlpath_review_uid", 3, review_uid_of_utc_text, deterministic=True)
    empty = conn.execute("SELECT 1 FROM review LIMIT 1").fetchone() is None
    given = conn.execute("SELECT 1 FROM import_review WHERE uid IS NOT NULL LIMIT 1").fetchone() is not None
    insert = tables.REVIEW_INSERT_UID_SQL.split(" VALUES")[0]
    # Into an empty log (a restore) the indexes are built once at the end instead of row by row.
    if not given:
        with aggregates.bulk_insert(conn, rebuild_indexes=empty):
            return conn.execute(
                f"{insert.replace('INSERT INTO', 'INSERT OR IGNORE INTO')} SELECT {_REVIEW_COLUMNS}, "
                "mlpath_review_uid(r.question, r.reviewed_at, r.rating) FROM import_review r "
                "JOIN card c ON c.pack = r.pack AND c.question_id = r.question "
                + ("" if empty else f"WHERE {_NOT_STORED} ") + "ORDER BY r.seq").rowcount
    conn.execute("UPDATE import_review SET uid = mlpath_review_uid(question, reviewed_at, rating) WHERE uid IS NULL")
    for sql in _STAGE_REVIEW_INDEXES:
        conn.execute(sql)
    with aggregates.bulk_insert(conn, rebuild_indexes=empty):
        return conn.execute(
            f"{insert} SELECT {_REVIEW_COLUMNS}, r.uid FROM import_review r "
            "JOIN card c ON c.pack = r.pack AND c.question_id = r.question "
            "WHERE NOT EXISTS (SELECT 1 FROM import_review y WHERE y.pack = r.pack AND y.question = r.question "
            "AND y.reviewed_at = r.reviewed_at AND y.rating = r.rating AND y.seq < r.seq) "
            "AND NOT EXISTS (SELECT 1 FROM import_review y WHERE y.uid = r.uid AND y.seq < r.seq) "
            + ("" if empty else f"AND {_NOT_STORED} AND NOT EXISTS (SELECT 1 FROM review x WHERE x.uid = r.uid) ")
            + "ORDER BY r.seq").rowcount


class MissingCard(Exception):
    """A review whose question has no card in the backup nor in the database."""

    def __init__(self, question_id: str):
        self.question_id = question_id
        super().__init__(question_id)
