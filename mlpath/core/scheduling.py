"""The thin seam over the `fsrs` package: card state in, card state out. Time is always passed in (UTC)."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from typing import NamedTuple

from mlpath.core.srs import Phase

DEFAULT_RETENTION = 0.9


class CardState(NamedTuple):
    state: Phase
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None


def _require_utc(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() != timezone.utc.utcoffset(now):
        raise ValueError("time must be timezone-aware UTC")


@lru_cache(maxsize=8)
def scheduler(desired_retention: float = DEFAULT_RETENTION, fuzzing: bool = True, maximum_interval: int = 36500):
    from fsrs import Scheduler

    return Scheduler(desired_retention=desired_retention, enable_fuzzing=fuzzing, maximum_interval=maximum_interval)


def new_card(now: datetime) -> CardState:
    _require_utc(now)
    return CardState(state=Phase.LEARNING, step=0, stability=None, difficulty=None, due=now, last_review=None)


def _to_fsrs(card_id: int, c: CardState):
    from fsrs import Card, State

    return Card(card_id=card_id, state=State(c.state), step=c.step, stability=c.stability,
                difficulty=c.difficulty, due=c.due, last_review=c.last_review)


def _from_fsrs(card) -> CardState:
    return CardState(Phase(int(card.state)), card.step, card.stability, card.difficulty, card.due, card.last_review)


def review(card: CardState, rating: int, now: datetime, duration_ms: int | None = None,
           desired_retention: float = DEFAULT_RETENTION, fuzzing: bool = True) -> CardState:
    """The card after a review with ``rating`` (1 Again, 2 Hard, 3 Good, 4 Easy) at ``now``."""
    from fsrs import Rating

    _require_utc(now)
    new, _log = scheduler(desired_retention, fuzzing).review_card(_to_fsrs(1, card), Rating(rating), now, duration_ms)
    return _from_fsrs(new)


def retrievability(card: CardState, now: datetime, desired_retention: float = DEFAULT_RETENTION) -> float:
    """The predicted probability of recalling the card at ``now`` (0 for a card never reviewed)."""
    _require_utc(now)
    return float(scheduler(desired_retention, False).get_card_retrievability(_to_fsrs(1, card), now))


def replay(reviews: list[tuple[int, datetime, int | None]], created: datetime,
           desired_retention: float = DEFAULT_RETENTION) -> CardState:
    """Recompute a card's state from its review log (rating, time, duration), e.g. after changing parameters."""
    card = new_card(created)
    for rating, at, duration in reviews:
        card = review(card, rating, at, duration, desired_retention, fuzzing=False)
    return card
