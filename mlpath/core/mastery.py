"""Mastery of a topic, from the evidence of its cards' memory states (FSRS) at a given moment.

The states, in a learner's words:

- ``unseen``: you have not answered any of this topic's questions yet.
- ``learning``: you have started, but fewer than LEARNED_COVERAGE of the questions have been answered correctly
  on a later day than you first met them (a correct answer on the same day shows short-term memory only).
- ``learned``: most of the questions have been recalled correctly at least a day later, and the memory is holding.
- ``mastered``: every question has been recalled correctly after a gap, and each one is expected to last at least
  MASTERED_STABILITY_DAYS before you would start to forget it.
- ``fading``: it was learned, but you have not refreshed it for long enough that your predicted recall of those
  questions has fallen well below your target; a short review brings it back.

Pure: no clock, no database. ``now`` is passed in (aware UTC).
"""

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import Enum
from typing import NamedTuple

from mlpath.core.scheduling import CardState, retrievability

# --- every threshold, in one place ------------------------------------------------------------------------------

# A correct answer only counts as "passed after a gap" when at least this long has gone by since the previous
# review of that card. Within a day FSRS itself treats reviews as short-term (it does not grow long-term
# stability from them), so a same-day pass is evidence of short-term memory only.
GAP = timedelta(days=1)

# The share of a topic's questions that must be passed after a gap before the topic counts as learned. Most, but
# not all: requiring every question would let one stubborn card hold a whole topic back, while a bare half
# would call a topic learned when the learner still misses as much as they know.
LEARNED_COVERAGE = 0.6

# A learned topic is fading when the mean predicted recall of its passed cards is this far below the learner's
# desired retention. At the desired retention a card is merely due (that is normal and not a warning); with
# FSRS's default forgetting curve, recall falls from 0.9 to 0.8 only after about 3.3x the card's stability,
# i.e. when the learner has skipped more than two review intervals. That is the point worth a nudge.
FADING_MARGIN = 0.10

# Mastered needs every question's stability (days until predicted recall falls to 90%) to be at least this.
# 21 days is the "mature" threshold Anki uses: a memory that has survived three weeks without review.
MASTERED_STABILITY_DAYS = 21.0

# In the mastery value, a card seen but not yet passed after a gap counts this fraction of its recall: it shows
# progress without letting a topic look known from one sitting.
UNCONSOLIDATED_WEIGHT = 0.5

# FSRS state codes (see mlpath.core.scheduling.CardState.state).
_REVIEW = 2


class MasteryState(str, Enum):
    UNSEEN = "unseen"
    LEARNING = "learning"
    LEARNED = "learned"
    MASTERED = "mastered"
    FADING = "fading"


class CardEvidence(NamedTuple):
    """What mastery needs to know about one card of the topic."""

    card: CardState
    reps: int  # explicit reviews so far (0: never answered)
    lapses: int  # times forgotten after being learned
    passed_after_gap: bool  # some review rated Hard/Good/Easy came >= GAP after the review before it


class Mastery(NamedTuple):
    value: float  # in [0, 1]: the share of the topic's questions you would recall now, unconsolidated ones halved
    state: MasteryState
    seen: int  # questions answered at least once
    total: int  # questions in the topic (or the cards held, if more)
    passed_after_gap: int  # questions recalled correctly after a gap of at least a day
    next_due: datetime | None  # the earliest due date among the seen cards
    # What would raise it:
    more_questions: int  # questions still to pass after a gap to reach the next state (0: none needed)
    due_in_days: float | None  # days until the next card is due (0: due now), None with no cards seen


def passed_after_gap(reviews: Sequence[tuple[datetime, int]]) -> bool:
    """Whether a log of (time, rating) has a pass (rating >= 2) at least GAP after the review before it."""
    ordered = sorted(reviews, key=lambda r: r[0])
    return any(rating >= 2 and at - prev_at >= GAP
               for (prev_at, _), (at, rating) in zip(ordered, ordered[1:]))


def _seen(e: CardEvidence) -> bool:
    return e.reps > 0 and e.card.last_review is not None and e.card.stability is not None


def topic_mastery(cards: Sequence[CardEvidence], total_questions: int, now: datetime,
                  retention: float) -> Mastery:
    """The mastery of one topic at ``now``, for a learner whose desired retention is ``retention``."""
    seen = [e for e in cards if _seen(e)]
    total = max(total_questions, len(seen))
    if not seen:
        needed = math.ceil(LEARNED_COVERAGE * total) if total else 0
        return Mastery(0.0, MasteryState.UNSEEN, 0, total, 0, None, needed, None)

    recall = [retrievability(e.card, now) for e in seen]
    passed = [r for e, r in zip(seen, recall) if e.passed_after_gap]
    value = (sum(passed) + UNCONSOLIDATED_WEIGHT * (sum(recall) - sum(passed))) / total
    next_due = min(e.card.due for e in seen)
    due_in_days = max(0.0, (next_due - now).total_seconds() / 86400)

    needed_learned = math.ceil(LEARNED_COVERAGE * total)
    if len(passed) < needed_learned:
        state = MasteryState.LEARNING
        more = needed_learned - len(passed)
    elif sum(passed) / len(passed) < retention - FADING_MARGIN:
        state = MasteryState.FADING
        more = 0
        due_in_days = 0.0
    elif (len(passed) == total and
          all(e.card.state == _REVIEW and e.card.stability >= MASTERED_STABILITY_DAYS
              for e in seen if e.passed_after_gap)):
        state = MasteryState.MASTERED
        more = 0
    else:
        state = MasteryState.LEARNED
        more = total - len(passed)
    return Mastery(min(1.0, max(0.0, value)), state, len(seen), total, len(passed), next_due, more, due_in_days)
