"""The thin seam over the `fsrs` package: card state in, card state out. Time is always passed in (UTC)."""

from datetime import datetime, timezone
from functools import lru_cache
from typing import NamedTuple

from mlpath.core.srs import Phase

DEFAULT_RETENTION = 0.9
FSRS_DEFAULT_DECAY = 0.1542  # the `fsrs` package's default w[20] (tests check it against the package)


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


Parameters = tuple[float, ...]  # FSRS-6's 21 weights; None everywhere below means the fsrs package's defaults


Steps = tuple[int, ...]  # learning or relearning steps in whole minutes; None means the fsrs package's defaults


@lru_cache(maxsize=8)
def scheduler(desired_retention: float = DEFAULT_RETENTION, fuzzing: bool = True, maximum_interval: int = 36500,
              parameters: Parameters | None = None, learning_steps: Steps | None = None,
              relearning_steps: Steps | None = None):
    from datetime import timedelta

    from fsrs import Scheduler

    extra: dict = {} if parameters is None else {"parameters": tuple(float(w) for w in parameters)}
    if learning_steps is not None:
        extra["learning_steps"] = tuple(timedelta(minutes=m) for m in learning_steps)
    if relearning_steps is not None:
        extra["relearning_steps"] = tuple(timedelta(minutes=m) for m in relearning_steps)
    return Scheduler(desired_retention=desired_retention, enable_fuzzing=fuzzing, maximum_interval=maximum_interval,
                     **extra)


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
           desired_retention: float = DEFAULT_RETENTION, fuzzing: bool = True,
           parameters: Parameters | None = None, learning_steps: Steps | None = None,
           relearning_steps: Steps | None = None) -> CardState:
    """The card after a review with ``rating`` (1 Again, 2 Hard, 3 Good, 4 Easy) at ``now``; ``learning_steps`` and
    ``relearning_steps`` (minutes) replace the fsrs defaults (1 and 10 min; 10 min)."""
    from fsrs import Rating

    _require_utc(now)
    sched = scheduler(desired_retention, fuzzing, parameters=parameters, learning_steps=learning_steps,
                      relearning_steps=relearning_steps)
    new, _log = sched.review_card(_to_fsrs(1, card), Rating(rating), now, duration_ms)
    return _from_fsrs(new)


def retrievability(card: CardState, now: datetime, desired_retention: float = DEFAULT_RETENTION,
                   parameters: Parameters | None = None) -> float:
    """The predicted probability of recalling the card at ``now`` (0 for a card never reviewed).

    FSRS's forgetting curve computed here, exactly as ``fsrs.Scheduler.get_card_retrievability`` does (whole days
    elapsed), so read commands that show mastery need not import the fsrs package (tests compare the two)."""
    _require_utc(now)
    if card.last_review is None or card.stability is None:
        return 0.0
    decay = -(parameters[20] if parameters is not None else FSRS_DEFAULT_DECAY)
    factor = 0.9 ** (1 / decay) - 1
    elapsed_days = max(0, (now - card.last_review).days)
    return float((1 + factor * elapsed_days / card.stability) ** decay)


@lru_cache(maxsize=1)
def _replay_card():
    """fsrs.Card with a fast shallow copy: `Scheduler.review_card` copies the card first, and `copy.copy` through
    ``__reduce_ex__`` is most of the cost of replaying a long history."""
    from fsrs import Card

    class ReplayCard(Card):
        __slots__ = ()

        def __copy__(self):
            twin = object.__new__(type(self))
            twin.__dict__.update(self.__dict__)
            return twin

    return ReplayCard


def replay(reviews: list[tuple[int, datetime, int | None]], created: datetime,
           desired_retention: float = DEFAULT_RETENTION, parameters: Parameters | None = None) -> CardState:
    """Recompute a card's state from its review log (rating, time, duration), e.g. after changing parameters.

    The same steps as calling `review` once per row with fuzzing off (the fsrs Scheduler refuses a time that is not
    UTC), without converting the card in between."""
    from fsrs import Rating, State

    _require_utc(created)
    review_card = scheduler(desired_retention, False, parameters=parameters).review_card
    ratings = {int(r): r for r in Rating}
    start = new_card(created)
    card = _replay_card()(card_id=1, state=State(start.state), step=start.step, due=start.due)
    for rating, at, duration in reviews:
        if rating not in ratings:
            raise ValueError(f"rating must be 1-4, not {rating!r}")
        card, _log = review_card(card, ratings[rating], at, duration)
    return _from_fsrs(card)


def replay_counted(reviews: list[tuple[int, datetime, int | None]], created: datetime,
                   desired_retention: float = DEFAULT_RETENTION,
                   parameters: Parameters | None = None) -> tuple[CardState, int, int]:
    """`replay`, also counting the reviews and the lapses (an Again given to a card in the review phase), as
    mlpath records them when answers are given one by one: (state, reps, lapses)."""
    from fsrs import Rating, State

    _require_utc(created)
    review_card = scheduler(desired_retention, False, parameters=parameters).review_card
    ratings = {int(r): r for r in Rating}
    start = new_card(created)
    card = _replay_card()(card_id=1, state=State(start.state), step=start.step, due=start.due)
    lapses = 0
    for rating, at, duration in reviews:
        if rating not in ratings:
            raise ValueError(f"rating must be 1-4, not {rating!r}")
        if rating == 1 and int(card.state) == int(Phase.REVIEW):
            lapses += 1
        card, _log = review_card(card, ratings[rating], at, duration)
    return _from_fsrs(card), len(reviews), lapses
