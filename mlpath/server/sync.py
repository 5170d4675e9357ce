"""A learner's side of the server: identify, read positions, push and pull log rows.

Positions: each learner has one ``head`` row with the last position given to a review and to a status event. A
push locks that row (SELECT ... FOR UPDATE), numbers its rows after it, inserts them (a row already there, by its
key, is skipped) and moves the head, all in one transaction. Pushes of one learner are therefore serialised and
commit in position order, so a device that has pulled up to position P has seen every row at or below P: it never
misses a row pushed concurrently by another device.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple

from mlpath.errors import UserError
from mlpath.server.connection import SCHEMA, ServerUrl, check_schema, connect

REVIEW_COLUMNS = ("uid", "question", "topic", "area", "reviewed_at", "rating", "correct", "answer", "response_ms",
                  "seed")
EVENT_COLUMNS = ("topic", "area", "status", "at")
_KIND = {"review": ("review_pos", REVIEW_COLUMNS), "status_event": ("event_pos", EVENT_COLUMNS)}


class Identity(NamedTuple):
    learner: str
    teacher: bool
    instance: str  # the server's id: positions are only meaningful on the server that gave them
    schema: str  # the server's schema revision (an older one than this mlpath's lacks some parts)


def open_learner(server: ServerUrl):
    """(connection, identity) for the learner whose role the URL names; refuses other roles in one line."""
    conn = connect(server)
    try:
        schema = check_schema(conn, server, older_ok=True)
        row = conn.execute(f"SELECT learner, teacher FROM {SCHEMA}.member WHERE role = current_user").fetchone()
        if row is None:
            raise UserError(f"{server.shown} is not a learner's sync URL for this class (the user is not a member; "
                            "`mlpath class add-learner` prints one)")
        instance = conn.execute(f"SELECT instance FROM {SCHEMA}.meta WHERE id = 1").fetchone()[0]
        conn.commit()
        return conn, Identity(row[0], bool(row[1]), instance, schema)
    except BaseException:
        conn.close()
        raise


def heads(conn) -> tuple[int, int]:
    """(review position, status event position) of the connected learner: everything at or below is committed."""
    row = conn.execute(f"SELECT review_pos, event_pos FROM {SCHEMA}.head WHERE learner = current_user").fetchone()
    conn.commit()
    return (row[0], row[1]) if row else (0, 0)


def push(conn, kind: str, pack: str, rows: list[tuple]) -> tuple[int, int, int]:
    """Add ``rows`` (values of REVIEW_COLUMNS or EVENT_COLUMNS) of ``pack`` in one transaction.

    Returns (head before, head after, rows new to the server). Rows whose key is already there are skipped, so
    pushing a batch twice changes nothing."""
    pos_col, columns = _KIND[kind]
    try:
        conn.execute(f"INSERT INTO {SCHEMA}.head (learner) VALUES (current_user) ON CONFLICT DO NOTHING")
        before = conn.execute(f"SELECT {pos_col} FROM {SCHEMA}.head WHERE learner = current_user FOR UPDATE"
                              ).fetchone()[0]
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS incoming_{kind} (LIKE {SCHEMA}.{kind} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
        cols = ("pack", *columns, "pos")
        with conn.cursor().copy(f"COPY incoming_{kind} ({', '.join(cols)}) FROM STDIN") as copy:
            for i, row in enumerate(rows, start=1):
                copy.write_row((pack, *row, before + i))
        added = conn.execute(
            f"INSERT INTO {SCHEMA}.{kind} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM incoming_{kind} "
            "ON CONFLICT DO NOTHING").rowcount
        after = before + len(rows)
        conn.execute(f"UPDATE {SCHEMA}.head SET {pos_col} = %s WHERE learner = current_user", (after,))
        if kind == "review" and added:  # the class report's totals, without counting the whole log
            conn.execute(f"INSERT INTO {SCHEMA}.tally (pack, reviews) VALUES (%s, %s) ON CONFLICT (learner, pack) "
                         "DO UPDATE SET reviews = tally.reviews + excluded.reviews", (pack, added))
        conn.commit()
    except BaseException:
        _rollback(conn)
        raise
    return before, after, added


def pull(conn, kind: str, pack: str, after: int, upto: int, batch: int = 5000) -> Iterator[tuple[int, list[tuple]]]:
    """Rows of ``pack`` at positions after ``after`` up to ``upto``, in position order, as (last position of the
    batch, rows); keyset paging, so memory stays bounded whatever the history's size."""
    _pos_col, columns = _KIND[kind]
    while after < upto:
        rows = conn.execute(
            f"SELECT pos, {', '.join(columns)} FROM {SCHEMA}.{kind} WHERE learner = current_user AND pos > %s "
            "AND pos <= %s AND pack = %s ORDER BY pos LIMIT %s", (after, upto, pack, batch)).fetchall()
        conn.commit()
        if not rows:
            return
        after = rows[-1][0]
        yield after, [r[1:] for r in rows]


MODEL_COLUMNS = ("changed_at", "parameters", "fitted_at", "reviews", "trained_on", "log_loss", "rmse_bins",
                 "previous_log_loss", "previous_rmse_bins", "calibration")


def memory_model(conn) -> tuple | None:
    """The connected learner's memory model row (values of MODEL_COLUMNS), or None if no device offered one."""
    row = conn.execute(f"SELECT {', '.join(MODEL_COLUMNS)} FROM {SCHEMA}.memory_model "
                       "WHERE learner = current_user").fetchone()
    conn.commit()
    return row


def offer_memory_model(conn, values: tuple) -> bool:
    """Store this device's memory model (values of MODEL_COLUMNS) unless the server holds one chosen at the same
    time or later (another device's newer choice wins). Returns whether it was stored."""
    cols = ", ".join(MODEL_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in MODEL_COLUMNS)
    try:
        stored = conn.execute(
            f"INSERT INTO {SCHEMA}.memory_model AS m ({cols}) VALUES ({', '.join(['%s'] * len(MODEL_COLUMNS))}) "
            f"ON CONFLICT (learner) DO UPDATE SET {updates} WHERE m.changed_at < excluded.changed_at",
            values).rowcount
        conn.commit()
    except BaseException:
        _rollback(conn)
        raise
    return stored == 1


def _rollback(conn) -> None:
    try:
        conn.rollback()
    except Exception:
        pass


def utc(dt: datetime) -> datetime:
    from datetime import timezone

    return dt.astimezone(timezone.utc)
