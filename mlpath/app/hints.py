"""One-time hints shown by the everyday commands (`next`, `review`): cheap to check, shown once."""

from __future__ import annotations

from datetime import timedelta

from mlpath.app.session import Session
from mlpath.store import parameters as stored
from mlpath.store.db import from_db

HINT_KEY = "optimize-hint"
HINT_FIRST = 1000  # reviews before the first fit is suggested (a fit needs several hundred long-term reviews)
HINT_NEW = 1000  # ... and new reviews since the last fit, 30 days on
HINT_DAYS = 30


def optimize_hint(s: Session) -> str | None:
    """A one-time suggestion to run `optimize`: the reviews have doubled since the last fit, or 30 days and 1,000
    new reviews have passed (or, before any fit, 1,000 reviews exist). Marked as shown when returned."""
    latest = s.conn.execute("SELECT max(id) FROM review").fetchone()[0] or 0  # ids only grow: a cheap count
    fit = s.conn.execute("SELECT fitted_at, reviews FROM fsrs_parameters ORDER BY id DESC LIMIT 1").fetchone()
    if fit is None:
        worthwhile = latest >= HINT_FIRST
        since = None
    else:
        fitted_at, fitted_reviews = from_db(fit[0]), fit[1]
        worthwhile = (latest >= 2 * fitted_reviews or
                      (s.now - fitted_at >= timedelta(days=HINT_DAYS) and latest - fitted_reviews >= HINT_NEW))
        since = fitted_at
    if not worthwhile:
        return None
    shown = stored.notice(s.conn, HINT_KEY)
    if shown is not None and (since is None or shown[0] >= since):
        return None
    stored.set_notice(s.conn, HINT_KEY, s.now, str(latest))
    return ("you have enough reviews for mlpath to fit its memory model to you" if fit is None
            else "your reviews have grown since the memory model was fitted") + ": run `mlpath optimize`"
