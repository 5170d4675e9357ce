"""The learner's fitted FSRS parameters and one-time notices, through sqlite3."""

import json
import math
import sqlite3
from datetime import datetime
from typing import NamedTuple

from mlpath.store.db import from_db, to_db, transaction

N_PARAMETERS = 21


class StoredParameters(NamedTuple):
    id: int
    parameters: tuple[float, ...]
    fitted_at: datetime
    reviews: int
    trained_on: int
    log_loss: float
    rmse_bins: float
    previous_log_loss: float
    previous_rmse_bins: float
    calibration: tuple[tuple[float, float, int, float, float], ...] = ()  # (low, high, reviews, predicted, actual)


def parse_calibration(text: str | None) -> tuple:
    """The stored calibration bins; a row that does not read back is shown as none."""
    if not text:
        return ()
    try:
        rows = json.loads(text)
        return tuple((float(a), float(b), int(n), float(p), float(y)) for a, b, n, p, y in rows)
    except (ValueError, TypeError):
        return ()


def _parse(text: str) -> tuple[float, ...] | None:
    """The stored weights, or None when the row is not 21 finite numbers (then the defaults are used)."""
    try:
        values = json.loads(text)
    except ValueError:
        return None
    if (not isinstance(values, list) or len(values) != N_PARAMETERS
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values)):
        return None
    return tuple(float(v) for v in values)


def active(conn: sqlite3.Connection) -> StoredParameters | None:
    row = conn.execute(
        "SELECT id, parameters, fitted_at, reviews, trained_on, log_loss, rmse_bins, previous_log_loss, "
        "previous_rmse_bins, calibration FROM fsrs_parameters WHERE active ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        return None
    weights = _parse(row[1])
    if weights is None:
        return None
    return StoredParameters(row[0], weights, from_db(row[2]), *row[3:9], parse_calibration(row[9]))


def adopt(conn: sqlite3.Connection, weights: tuple[float, ...], *, fitted_at: datetime, reviews: int,
          trained_on: int, log_loss: float, rmse_bins: float, previous_log_loss: float,
          previous_rmse_bins: float, card_states: list[tuple[int, tuple]] = (),
          calibration: list[tuple] = ()) -> int:
    """Make ``weights`` the active parameters and write the rescheduled card states, in one transaction."""
    with transaction(conn):
        return adopt_in(conn, weights, fitted_at=fitted_at, reviews=reviews, trained_on=trained_on,
                        log_loss=log_loss, rmse_bins=rmse_bins, previous_log_loss=previous_log_loss,
                        previous_rmse_bins=previous_rmse_bins, card_states=card_states, calibration=calibration)


def adopt_in(conn: sqlite3.Connection, weights: tuple[float, ...], *, fitted_at: datetime, reviews: int,
             trained_on: int, log_loss: float, rmse_bins: float, previous_log_loss: float,
             previous_rmse_bins: float, card_states: list[tuple[int, tuple]] = (),
             calibration: list[tuple] = ()) -> int:
    """`adopt` inside a transaction the caller holds (an import's)."""
    from mlpath.store import tables

    conn.execute("UPDATE fsrs_parameters SET active = 0 WHERE active")
    new_id = conn.execute(
        "INSERT INTO fsrs_parameters (parameters, fitted_at, reviews, trained_on, log_loss, rmse_bins, "
        "previous_log_loss, previous_rmse_bins, active, calibration) VALUES (?,?,?,?,?,?,?,?,1,?)",
        (json.dumps(list(weights)), to_db(fitted_at), reviews, trained_on, log_loss, rmse_bins,
         previous_log_loss, previous_rmse_bins, json.dumps([list(b) for b in calibration]))).lastrowid
    for card_id, state in card_states:
        tables.update_card(conn, card_id, state)
    return new_id


RESET_NOTICE = "memory-model-reset"  # the `notice` row that remembers when the defaults were last chosen


def reset(conn: sqlite3.Connection, card_states: list[tuple[int, tuple]] = (), at: datetime | None = None) -> int:
    """Back to FSRS's defaults (fits are kept, inactive), writing the rescheduled card states; ``at`` (when the
    learner chose it) is remembered so that a sync can tell it from an older or newer choice on another device.
    Returns how many fits were active (0 or 1)."""
    with transaction(conn):
        return reset_in(conn, card_states, at)


def reset_in(conn: sqlite3.Connection, card_states: list[tuple[int, tuple]] = (), at: datetime | None = None) -> int:
    """`reset` inside a transaction the caller holds (an import's)."""
    from mlpath.store import tables

    changed = conn.execute("UPDATE fsrs_parameters SET active = 0 WHERE active").rowcount
    for card_id, state in card_states:
        tables.update_card(conn, card_id, state)
    if at is not None:
        conn.execute("INSERT INTO notice (key, at, value) VALUES (?,?,NULL) ON CONFLICT(key) DO UPDATE SET "
                     "at = excluded.at", (RESET_NOTICE, to_db(at)))
    return changed


class Choice(NamedTuple):
    """The memory model this device schedules with, and when it was chosen (a fit adopted, or the defaults)."""

    changed_at: datetime
    fit: StoredParameters | None  # None: FSRS's defaults


def choice(conn: sqlite3.Connection) -> Choice | None:
    """The latest choice of memory model on this device; None if the learner never fitted or reset one."""
    fit = active(conn)
    reset_at = notice(conn, RESET_NOTICE)
    if fit is not None and (reset_at is None or fit.fitted_at >= reset_at[0]):
        return Choice(fit.fitted_at, fit)
    if reset_at is not None:
        return Choice(reset_at[0], None)
    return None


def explicit_reviews(conn: sqlite3.Connection) -> list[tuple[int, datetime, int]]:
    """Every review the learner gave (card, time, rating), oldest first: the data a fit may use."""
    return [(card, from_db(at), rating) for card, at, rating in
            conn.execute("SELECT card_id, reviewed_at, rating FROM review ORDER BY reviewed_at, uid, id")]


def card_histories(conn: sqlite3.Connection) -> dict[int, tuple[datetime, list[tuple[int, datetime, int | None]]]]:
    """Every card's creation time and review log (rating, time, response ms), oldest first."""
    out: dict[int, tuple[datetime, list]] = {}
    for card_id, created in conn.execute("SELECT id, created_at FROM card"):
        out[card_id] = (from_db(created), [])
    for card_id, rating, at, ms in conn.execute(
            "SELECT card_id, rating, reviewed_at, response_ms FROM review ORDER BY card_id, reviewed_at, uid, id"):
        if card_id in out:
            out[card_id][1].append((rating, from_db(at), ms))
    return out


def due_dates(conn: sqlite3.Connection) -> dict[int, str]:
    return dict(conn.execute("SELECT id, due FROM card"))


def notice(conn: sqlite3.Connection, key: str) -> tuple[datetime, str | None] | None:
    row = conn.execute("SELECT at, value FROM notice WHERE key = ?", (key,)).fetchone()
    return (from_db(row[0]), row[1]) if row else None


def set_notice(conn: sqlite3.Connection, key: str, at: datetime, value: str | None) -> None:
    with transaction(conn):
        conn.execute("INSERT INTO notice (key, at, value) VALUES (?,?,?) ON CONFLICT(key) DO UPDATE SET "
                     "at = excluded.at, value = excluded.value", (key, to_db(at), value))
