"""Implicit review credit through the prerequisite graph (after "fractional implicit repetition").

A passed explicit review of a card in topic T also exercises what T is built on: its prerequisites, theirs, and so
on. Each card of a prerequisite topic P gets a *fraction* of a review:

    fraction = strength * path_weight(T -> P) / cards_in(P)

- ``path_weight`` is the product of the edge weights along the strongest path from T down to P (at most
  MAX_DISTANCE edges), so credit decays with distance; an edge without a weight from content gets
  DEFAULT_EDGE_WEIGHT, a conservative guess.
- dividing by the number of P's cards splits the topic's credit across its cards: practising T refreshes the
  idea of P, not every one of P's questions in full.
- ``strength`` is the learner's own calibrated transfer (see ``calibrate``); it starts at INITIAL_STRENGTH.

How a fraction f of a review is applied (``apply_credit``), for a card in FSRS's review state whose last review was
at least a day ago, with recall R and stability S now:

- recall moves towards 1 by f of the way:            R' = R + f (1 - R)
- stability moves towards what a full Good review would give it (computed by fsrs, so its own shape applies:
  the gain is near zero when R is near 1, i.e. credit that comes early is worth almost nothing):
                                                      S' = S + f (S_good - S)
- S' is capped by the reviewed card's own stability after its review (credit cannot make a prerequisite more
  durable than the evidence it came from), but never lowered below S;
- last_review is moved so that FSRS's forgetting curve with S' gives R' now (never earlier than it was); the due
  date follows from S' and the desired retention as FSRS computes intervals; difficulty is unchanged.

f = 1 reproduces a full Good review; f = 0 leaves the card as it was. The credit is a row of its own
(``ImplicitCredit``): replaying the explicit reviews and the credits in time order rebuilds every card, and the
explicit review log that fits FSRS parameters never sees them.

A *failed* review gives no credit; instead ``weakest_prerequisites`` names the direct prerequisites whose cards
are weakest, to probe in the next quiz.

Pure: no clock, no database; ``now`` is passed in (aware UTC).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple, TypeVar

from mlpath.core.scheduling import DEFAULT_RETENTION, CardState, retrievability, review, scheduler

# --- constants, with the reasoning --------------------------------------------------------------------------------

# How much a topic exercises a prerequisite when content does not say. Conservative: half a review's worth per
# edge before splitting across cards, and a quarter two edges away.
DEFAULT_EDGE_WEIGHT = 0.5

# Credit travels at most this many edges; beyond three steps (weight <= 1/8 by default) it is noise.
MAX_DISTANCE = 3

# The transfer strength before the learner's own data says otherwise, and its bound. Above 1 is allowed because
# the split across a topic's cards may undercount real transfer; the bound keeps one lucky streak from making
# credit replace reviews wholesale.
INITIAL_STRENGTH = 0.5
MAX_STRENGTH = 2.0

# Credits below this fraction of a review are not worth a row.
MIN_FRACTION = 0.005

# FSRS's long-term model does not grow stability within a day of the last review: no credit inside that window.
MIN_ELAPSED = timedelta(days=1)

# Calibration: how many observations weigh as much as the current strength (a prior of this many pseudo-
# observations), so a handful of reviews cannot swing the strength, and many can move it all the way.
CALIBRATION_PRIOR = 20.0

# How many weak prerequisites a failed review flags for a probe.
PROBE_LIMIT = 2

_REVIEW = 2  # fsrs State.Review
_PASS = 2  # ratings Hard, Good and Easy are passes

K = TypeVar("K", bound=Hashable)


class ImplicitCredit(NamedTuple):
    """One credited card: a row of its own, enough to replay it (``apply_credit(card, fraction, cap, at)``)."""

    card_id: Hashable
    topic: str
    source_topic: str
    distance: int  # edges from the reviewed topic down to this one
    at: datetime
    fraction: float  # of a full review, before FSRS's own early discount
    cap: float  # the reviewed card's stability, which bounds the credited stability
    stability_before: float
    stability_after: float
    recall_before: float  # FSRS's predicted recall at ``at``
    recall_after: float
    card_after: CardState


class Probe(NamedTuple):
    topic: str
    card_id: Hashable
    recall: float  # predicted recall of that card now


class Observation(NamedTuple):
    """A credited card's next explicit review: what FSRS predicted with and without the credit, and the outcome."""

    predicted_with_credit: float
    predicted_without_credit: float
    recalled: bool


# --- the graph --------------------------------------------------------------------------------------------------

def exercised(topic: str, prerequisites: Mapping[str, Sequence[str]],
              weights: Mapping[tuple[str, str], float] | None = None,
              max_distance: int = MAX_DISTANCE) -> dict[str, tuple[float, int]]:
    """The topics ``topic`` exercises: {prerequisite: (strongest path weight, its number of edges)}."""
    weights = weights or {}
    best: dict[str, tuple[float, int]] = {}
    frontier = {topic: 1.0}
    for distance in range(1, max_distance + 1):
        nxt: dict[str, float] = {}
        for node, w in frontier.items():
            for p in prerequisites.get(node, ()):
                if p == topic:
                    continue
                pw = w * weights.get((node, p), DEFAULT_EDGE_WEIGHT)
                if pw > nxt.get(p, 0.0):
                    nxt[p] = pw
        frontier = {}
        for p, pw in nxt.items():
            if pw > best.get(p, (0.0, 0))[0]:
                best[p] = (pw, distance)
                frontier[p] = pw
        if not frontier:
            break
    return best


def topic_depths(prerequisites: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Each topic's depth: 0 without prerequisites, else one more than its deepest prerequisite."""
    depth: dict[str, int] = {}
    for start in prerequisites:
        if start in depth:
            continue
        stack = [(start, iter(prerequisites.get(start, ())))]
        on_path = {start}
        while stack:
            node, todo = stack[-1]
            for p in todo:
                if p in prerequisites and p not in depth and p not in on_path:  # a cycle's back edge is ignored
                    stack.append((p, iter(prerequisites.get(p, ()))))
                    on_path.add(p)
                    break
            else:
                depth[node] = 1 + max((depth[p] for p in prerequisites.get(node, ()) if p in depth), default=-1)
                stack.pop()
                on_path.discard(node)
    return depth


def deeper_first(items: Sequence[tuple[K, str]], depths: Mapping[str, int]) -> list[K]:
    """Order due cards (key, topic) so deeper topics come first; ties keep their order.

    A review of a deep topic credits its prerequisites, which may then no longer be due: "knocking out" reviews.
    """
    ranked = sorted(range(len(items)), key=lambda i: -depths.get(items[i][1], 0))
    return [items[i][0] for i in ranked]


# --- applying credit --------------------------------------------------------------------------------------------

def _interval_days(stability: float, desired_retention: float) -> int:
    """FSRS's interval for a stability (whole days, at least one), from the scheduler's own parameters."""
    s = scheduler(desired_retention, False)
    decay = -s.parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    days = round(stability / factor * (desired_retention ** (1 / decay) - 1))
    return min(max(days, 1), s.maximum_interval)


def _elapsed_for(stability: float, recall: float) -> float:
    """Days after which FSRS's forgetting curve with ``stability`` is at ``recall``."""
    decay = -scheduler(DEFAULT_RETENTION, False).parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return stability / factor * (recall ** (1 / decay) - 1)


def creditable(card: CardState, now: datetime) -> bool:
    return (card.state == _REVIEW and card.stability is not None and card.last_review is not None
            and now - card.last_review >= MIN_ELAPSED)


def apply_credit(card: CardState, fraction: float, cap: float, now: datetime,
                 desired_retention: float = DEFAULT_RETENTION) -> CardState:
    """The card after a ``fraction`` of a Good review at ``now``, its stability capped by ``cap``."""
    if fraction <= 0 or not creditable(card, now):
        return card
    f = min(fraction, 1.0)
    r = retrievability(card, now, desired_retention)
    s = card.stability
    s_good = review(card, 3, now, desired_retention=desired_retention, fuzzing=False).stability
    s_new = min(s + f * (s_good - s), max(s, cap))
    r_new = r + f * (1 - r)
    elapsed_now = (now - card.last_review).total_seconds() / 86400
    elapsed = min(_elapsed_for(s_new, r_new), elapsed_now)
    last = now - timedelta(days=elapsed)
    due = last + timedelta(days=_interval_days(s_new, desired_retention))
    return CardState(card.state, card.step, s_new, card.difficulty, due, last)


def implicit_credit(source_topic: str, source_after: CardState,
                    cards_by_topic: Mapping[str, Sequence[tuple[K, CardState]]],
                    prerequisites: Mapping[str, Sequence[str]], now: datetime, strength: float,
                    weights: Mapping[tuple[str, str], float] | None = None,
                    desired_retention: float = DEFAULT_RETENTION) -> list[ImplicitCredit]:
    """The credits a *passed* explicit review of a card in ``source_topic`` gives (``source_after`` is that card
    after its review). Cards not yet in review, or reviewed within a day, get none."""
    if strength <= 0 or source_after.stability is None:
        return []
    cap = source_after.stability
    rows: list[ImplicitCredit] = []
    for topic, (path_weight, distance) in exercised(source_topic, prerequisites, weights).items():
        cards = cards_by_topic.get(topic, ())
        if not cards:
            continue
        fraction = min(1.0, strength * path_weight / len(cards))
        if fraction < MIN_FRACTION:
            continue
        for card_id, card in cards:
            if not creditable(card, now):
                continue
            after = apply_credit(card, fraction, cap, now, desired_retention)
            rows.append(ImplicitCredit(card_id, topic, source_topic, distance, now, fraction, cap,
                                       card.stability, after.stability, retrievability(card, now, desired_retention),
                                       retrievability(after, now, desired_retention), after))
    return rows


def replay_with_credits(reviews: Sequence[tuple[int, datetime, int | None]],
                        credits: Sequence[tuple[datetime, float, float]], created: datetime,
                        desired_retention: float = DEFAULT_RETENTION) -> CardState:
    """Rebuild a card from its explicit reviews (rating, time, duration) and its credits (time, fraction, cap),
    in time order (an explicit review first when both share a time)."""
    from mlpath.core.scheduling import new_card

    events = sorted([(at, 0, i) for i, (_, at, _) in enumerate(reviews)]
                    + [(at, 1, i) for i, (at, _, _) in enumerate(credits)])
    card = new_card(created)
    for at, kind, i in events:
        if kind == 0:
            rating, _, duration = reviews[i]
            card = review(card, rating, at, duration, desired_retention, fuzzing=False)
        else:
            _, fraction, cap = credits[i]
            card = apply_credit(card, fraction, cap, at, desired_retention)
    return card


# --- a failed review --------------------------------------------------------------------------------------------

def weakest_prerequisites(topic: str, cards_by_topic: Mapping[str, Sequence[tuple[K, CardState]]],
                          prerequisites: Mapping[str, Sequence[str]], now: datetime,
                          limit: int = PROBE_LIMIT) -> list[Probe]:
    """After a failed review in ``topic``: its direct prerequisites' weakest seen cards, weakest first."""
    probes: list[Probe] = []
    for p in prerequisites.get(topic, ()):
        seen = [(cid, retrievability(c, now)) for cid, c in cards_by_topic.get(p, ()) if c.stability is not None]
        if seen:
            cid, r = min(seen, key=lambda x: x[1])
            probes.append(Probe(p, cid, r))
    probes.sort(key=lambda pr: pr.recall)
    return probes[:limit]


# --- calibration ------------------------------------------------------------------------------------------------

_EPS = 1e-6


def _log_loss(s: float, strength: float, obs: Sequence[Observation]) -> float:
    loss = 0.0
    for o in obs:
        p = o.predicted_without_credit + (s / strength) * (o.predicted_with_credit - o.predicted_without_credit)
        p = min(max(p, _EPS), 1 - _EPS)
        loss -= math.log(p if o.recalled else 1 - p)
    return loss


def best_strength(strength: float, observations: Sequence[Observation]) -> float | None:
    """The strength in [0, MAX_STRENGTH] that best predicts the outcomes (maximum likelihood), or None when the
    observations carry no information about it.

    Model: a credit's effect on predicted recall scales linearly with strength, so at strength s a card's
    prediction is p0 + (s / strength) (p_credit - p0). The log-loss is convex in s; a ternary search finds it."""
    informative = [o for o in observations if o.predicted_with_credit != o.predicted_without_credit]
    if strength <= 0 or not informative:
        return None
    lo, hi = 0.0, MAX_STRENGTH
    for _ in range(100):
        m1, m2 = lo + (hi - lo) / 3, hi - (hi - lo) / 3
        if _log_loss(m1, strength, informative) <= _log_loss(m2, strength, informative):
            hi = m2
        else:
            lo = m1
    return (lo + hi) / 2


def calibrate(strength: float, observations: Sequence[Observation]) -> float:
    """The new transfer strength after ``observations`` made at ``strength``.

    Moves from the current strength towards the best-fitting one, by n / (n + CALIBRATION_PRIOR) of the way for n
    informative observations: towards 0 when credited cards are recalled no better than without credit, up (to
    at most MAX_STRENGTH) when the credit predicts them well."""
    best = best_strength(strength, observations)
    if best is None:
        return strength
    n = sum(1 for o in observations if o.predicted_with_credit != o.predicted_without_credit)
    return strength + (best - strength) * n / (n + CALIBRATION_PRIOR)
