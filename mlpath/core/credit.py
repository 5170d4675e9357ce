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

Credit reaches a card only when it is about to matter: in FSRS's review state, last reviewed at least a day ago,
and due within CREDIT_WINDOW (or overdue). A dependent passed just before a prerequisite falls due postpones, or
"knocks out", that prerequisite's review; credit earlier in an interval is not given at all. In the learner
simulator (benchmarks/learner_sim.py) credit given all through an interval piled up into longer intervals for every
card whose dependents were reviewed, transfer or not: a learner without transfer lost about a point of true recall
for it, and at equal true recall learners with transfer saved little or nothing. Near the due date, where a pass is
evidence against a review about to be spent, credit saved more with transfer and cost a learner without transfer
almost nothing.

How a fraction f of a review is applied (``apply_credit``), for such a card, with stability S now:

- stability moves f of the way towards what a full Good review now would give it, computed by fsrs, so FSRS's
  own shape applies: the gain is smaller the higher recall still is (credit early in the window is worth less)
  and largest when the card is due or overdue:             S' = S + f (S_good - S)
- S' is capped by the reviewed card's own stability after its review (credit cannot make a prerequisite more
  durable than the evidence it came from) and by CREDIT_CEILING times the stability the card's own explicit
  reviews gave it; it is never lowered below S;
- last_review stays where it is (the time since the learner last actually answered the card keeps counting); the
  due date follows from S' and the desired retention as FSRS computes intervals; difficulty is unchanged.

Why not also move last_review ("the memory was refreshed now")? A card whose prerequisite-users are reviewed often
would then never fall due again, and a learner with no real transfer would never be found out: the ceiling and
the fixed last_review guarantee every card still comes back for an explicit review within about CREDIT_CEILING
times its own interval, and those reviews are what calibration learns from.

The credit is a row of its own (``ImplicitCredit``: time, fraction, cap): replaying the explicit reviews and the
credits in time order rebuilds every card (``replay_with_credits``), and the explicit review log that fits FSRS
parameters never sees them.

A *failed* review gives no credit; instead ``weakest_prerequisites`` names the direct prerequisites whose cards
are weakest, to probe in the next quiz.

Pure: no clock, no database; ``now`` is passed in (aware UTC).
"""

import math
import zlib
from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple, TypeVar

from mlpath.core.scheduling import DEFAULT_RETENTION, CardState, Parameters, retrievability, review, scheduler

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

# Credit may raise a card's stability to at most this multiple of what its own explicit reviews gave it: beyond
# that only an explicit review can tell whether the memory is really there.
CREDIT_CEILING = 2.0

# Credits below this fraction of a review are not worth a row.
MIN_FRACTION = 0.005

# FSRS's long-term model does not grow stability within a day of the last review: no credit inside that window.
MIN_ELAPSED = timedelta(days=1)

# Credit reaches only a card due within this long (or overdue): a knock-out of a review about to be spent, not a
# lengthening of every interval (see the module's docstring). In the learner simulator 2 to 4 days did about
# equally well, 1 day and half a day saved less with transfer, a week or a share of the interval cost a learner
# without transfer more recall.
CREDIT_WINDOW = timedelta(days=3)

# Calibration: how many observations weigh as much as the current strength (a prior of this many pseudo-
# observations), so a handful of reviews cannot swing the strength, and many can move it all the way.
CALIBRATION_PRIOR = 20.0

# Calibration needs a comparison group. Of the cards credit reaches, this share is *held out*: a row is written
# but the card is left as it was, for the rest of its current review interval. Comparing all uncredited cards
# with credited ones would be fooled by which cards tend to get credit (older, well-practised prerequisites,
# which FSRS's default parameters may underpredict whatever the credit); held-out cards are chosen by chance
# from the same cards. The choice hashes (card, its last review), so it is deterministic and replayable.
HOLDOUT_SHARE = 0.2

# The held-out cards give the learner's offset from FSRS's predictions (in log-odds); this ridge weight pulls it
# towards 0 (FSRS as it is) while held-out reviews are few: about as strong as two observations.
OFFSET_PRIOR = 2.0

# How many weak prerequisites a failed review flags for a probe.
PROBE_LIMIT = 2

_REVIEW = 2  # fsrs State.Review

K = TypeVar("K", bound=Hashable)


class ImplicitCredit(NamedTuple):
    """One credited card: a row of its own, enough to replay it (``apply_credit(card, fraction, cap, at)``)."""

    card_id: Hashable
    topic: str
    source_topic: str
    distance: int  # edges from the reviewed topic down to this one
    at: datetime
    fraction: float  # of a full review, before FSRS's own early discount
    cap: float  # the bound on the credited stability: the reviewed card's, and the ceiling
    stability_before: float
    stability_after: float
    recall_before: float  # FSRS's predicted recall at ``at``
    recall_after: float
    card_after: CardState
    held_out: bool = False  # a comparison row: the card was left as it was (see HOLDOUT_SHARE)
    strength: float = INITIAL_STRENGTH  # the transfer strength it was given at (for Observation.strength)


class Probe(NamedTuple):
    topic: str
    card_id: Hashable
    recall: float  # predicted recall of that card now


class Observation(NamedTuple):
    """The next explicit review of a card that credit reached since its previous one: what FSRS predicted with
    and without the credit (equal for a held-out card), and the outcome."""

    predicted_with_credit: float
    predicted_without_credit: float
    recalled: bool
    strength: float = INITIAL_STRENGTH  # the strength the card's credit was given at (unused without credit)
    held_out: bool = False  # the card's credit was held out (a comparison card)


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

def _interval_days(stability: float, desired_retention: float, parameters: Parameters | None = None) -> int:
    """FSRS's interval for a stability (whole days, at least one), from the scheduler's own parameters (the
    learner's fitted ones when given: the forgetting curve's decay is one of them)."""
    s = scheduler(desired_retention, False, parameters=parameters)
    decay = -s.parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    days = round(stability / factor * (desired_retention ** (1 / decay) - 1))
    return min(max(days, 1), s.maximum_interval)


def held_out(card_id: Hashable, last_review: datetime) -> bool:
    """Whether credit to this card is held out until its next explicit review (about HOLDOUT_SHARE of cards)."""
    return zlib.crc32(f"{card_id}|{last_review.isoformat()}".encode()) % 1000 < HOLDOUT_SHARE * 1000


def creditable(card: CardState, now: datetime) -> bool:
    """Whether credit may reach the card now: in review, last reviewed at least MIN_ELAPSED ago, and due within
    CREDIT_WINDOW (or overdue)."""
    return (card.state == _REVIEW and card.stability is not None and card.last_review is not None
            and now - card.last_review >= MIN_ELAPSED and card.due - now <= CREDIT_WINDOW)


def apply_credit(card: CardState, fraction: float, cap: float, now: datetime,
                 desired_retention: float = DEFAULT_RETENTION, parameters: Parameters | None = None) -> CardState:
    """The card after a ``fraction`` of a Good review at ``now``, its stability capped by ``cap``; the Good review
    and the interval are the memory model's in use (``parameters``; None: FSRS's defaults)."""
    if fraction <= 0 or not creditable(card, now):
        return card
    f = min(fraction, 1.0)
    s = card.stability
    s_good = review(card, 3, now, desired_retention=desired_retention, fuzzing=False, parameters=parameters).stability
    s_new = min(s + f * (s_good - s), max(s, cap))
    if s_new <= s:
        return card
    due = card.last_review + timedelta(days=_interval_days(s_new, desired_retention, parameters))
    return CardState(card.state, card.step, s_new, card.difficulty, due, card.last_review)


class CreditTarget(NamedTuple):
    """A card that credit may reach."""

    card_id: Hashable
    state: CardState
    explicit_stability: float | None  # its stability right after its last explicit review (None: no ceiling)


def implicit_credit(source_topic: str, source_after: CardState,
                    cards_by_topic: Mapping[str, Sequence[CreditTarget]],
                    prerequisites: Mapping[str, Sequence[str]], now: datetime, strength: float,
                    weights: Mapping[tuple[str, str], float] | None = None,
                    desired_retention: float = DEFAULT_RETENTION,
                    parameters: Parameters | None = None) -> list[ImplicitCredit]:
    """The credits a *passed* explicit review of a card in ``source_topic`` gives (``source_after`` is that card
    after its review). Cards not yet in review, reviewed within a day, or not due within CREDIT_WINDOW get none. Rows with ``held_out`` leave
    their card as it was: store them (calibration needs them) but do not apply them."""
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
        for card_id, card, explicit in cards:
            if not creditable(card, now):
                continue
            card_cap = cap if explicit is None else min(cap, CREDIT_CEILING * explicit)
            after = apply_credit(card, fraction, card_cap, now, desired_retention, parameters)
            if after is card:
                continue
            recall = retrievability(card, now, desired_retention, parameters)
            if held_out(card_id, card.last_review):
                rows.append(ImplicitCredit(card_id, topic, source_topic, distance, now, fraction, card_cap,
                                           card.stability, card.stability, recall, recall, card, True, strength))
            else:
                rows.append(ImplicitCredit(card_id, topic, source_topic, distance, now, fraction, card_cap,
                                           card.stability, after.stability, recall,
                                           retrievability(after, now, desired_retention, parameters), after, False,
                                           strength))
    return rows


def refreshed_topics(rows: Sequence[ImplicitCredit]) -> list[str]:
    """The topics a review refreshed ("also refreshed: chain-rule, matrices"), nearest first, held-out rows left
    out (the learner is not told about a comparison card)."""
    best: dict[str, int] = {}
    for r in rows:
        if not r.held_out:
            best[r.topic] = min(r.distance, best.get(r.topic, r.distance))
    return sorted(best, key=lambda t: (best[t], t))


def replay_with_credits(reviews: Sequence[tuple[int, datetime, int | None]],
                        credits: Sequence[tuple[datetime, float, float]], created: datetime,
                        desired_retention: float = DEFAULT_RETENTION,
                        parameters: Parameters | None = None) -> CardState:
    """Rebuild a card from its explicit reviews (rating, time, duration) and its applied (not held-out) credits
    (time, fraction, cap), in time order (an explicit review first when both share a time)."""
    from mlpath.core.scheduling import new_card

    events = sorted([(at, 0, i) for i, (_, at, _) in enumerate(reviews)]
                    + [(at, 1, i) for i, (at, _, _) in enumerate(credits)])
    card = new_card(created)
    for at, kind, i in events:
        if kind == 0:
            rating, _, duration = reviews[i]
            card = review(card, rating, at, duration, desired_retention, fuzzing=False, parameters=parameters)
        else:
            _, fraction, cap = credits[i]
            card = apply_credit(card, fraction, cap, at, desired_retention, parameters)
    return card


# --- a failed review --------------------------------------------------------------------------------------------

def weakest_prerequisites(topic: str, cards_by_topic: Mapping[str, Sequence[CreditTarget]],
                          prerequisites: Mapping[str, Sequence[str]], now: datetime,
                          limit: int = PROBE_LIMIT) -> list[Probe]:
    """After a failed review in ``topic``: its direct prerequisites' weakest seen cards, weakest first."""
    probes: list[Probe] = []
    for p in prerequisites.get(topic, ()):
        seen = [(cid, retrievability(c, now)) for cid, c, _ in cards_by_topic.get(p, ())
                if c.stability is not None]
        if seen:
            cid, r = min(seen, key=lambda x: x[1])
            probes.append(Probe(p, cid, r))
    probes.sort(key=lambda pr: pr.recall)
    return probes[:limit]


# --- calibration ------------------------------------------------------------------------------------------------

_EPS = 1e-6
_MAX_OFFSET = 10.0  # log-odds


def _logit(p: float) -> float:
    p = min(max(p, _EPS), 1 - _EPS)
    return math.log(p / (1 - p))


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z > -700 else 0.0


def _newton(slopes, lo: float, hi: float) -> float:
    """The minimum on [lo, hi] of a convex function given its first and second derivatives ``slopes(x)``: the
    zero of the increasing first derivative, by Newton steps kept inside a shrinking bracket (bisection when a
    step leaves it)."""
    if slopes(lo)[0] >= 0:
        return lo
    if slopes(hi)[0] <= 0:
        return hi
    x = (lo + hi) / 2
    for _ in range(200):
        d1, d2 = slopes(x)
        if abs(d1) < 1e-12 or hi - lo < 1e-12:
            return x
        if d1 > 0:
            hi = x
        else:
            lo = x
        step = x - d1 / d2 if d2 > 0 else (lo + hi) / 2
        x = step if lo < step < hi else (lo + hi) / 2
    return x


def _fit_strength(points: Sequence[tuple[float, float, bool]]) -> float:
    """The s in [0, MAX_STRENGTH] that maximises the likelihood of outcomes y under recall predictions
    sigmoid(a + s g), for points (a, g, y): a logistic regression with one slope and fixed offsets, whose negative
    log-likelihood is convex in s."""

    def slopes(s: float) -> tuple[float, float]:
        d1 = d2 = 0.0
        for a, g, y in points:
            p = _sigmoid(a + s * g)
            d1 += g * (p - y)
            d2 += g * g * p * (1 - p)
        return d1, d2

    return _newton(slopes, 0.0, MAX_STRENGTH)


def base_offset(observations: Sequence[Observation]) -> float:
    """The learner's offset from FSRS's predictions, in log-odds, from the held-out cards' outcomes: the d that
    minimises  sum of -log P(outcome | logit p = logit(p0) + d)  +  OFFSET_PRIOR d^2 / 2  (0 without them).

    Credited cards are judged against FSRS shifted by this, so a learner who simply remembers better (or worse)
    than FSRS predicts does not read as transfer."""
    points = [(_logit(o.predicted_without_credit), o.recalled) for o in observations if o.held_out]
    if not points:
        return 0.0

    def slopes(d: float) -> tuple[float, float]:
        d1, d2 = OFFSET_PRIOR * d, OFFSET_PRIOR
        for a, y in points:
            p = _sigmoid(a + d)
            d1 += p - y
            d2 += p * (1 - p)
        return d1, d2

    return _newton(slopes, -_MAX_OFFSET, _MAX_OFFSET)


def best_strength(observations: Sequence[Observation]) -> float | None:
    """The strength in [0, MAX_STRENGTH] that best predicts the credited cards' outcomes (maximum likelihood), or
    None when no observation is of a credited card.

    Model: without credit, a credited card would be recalled as FSRS predicts (p0) shifted by the learner's
    ``base_offset``; the credit adds to the log-odds what FSRS says it adds, scaled linearly with strength:
        logit(prediction) = logit(p0) + offset + (s / o.strength) (logit(p_credit) - logit(p0)).
    Log-odds keep every prediction a probability, so no single outcome can veto a strength."""
    credited = [o for o in observations
                if not o.held_out and o.strength > 0 and o.predicted_with_credit != o.predicted_without_credit]
    if not credited:
        return None
    offset = base_offset(observations)
    points = [(_logit(o.predicted_without_credit) + offset,
               (_logit(o.predicted_with_credit) - _logit(o.predicted_without_credit)) / o.strength,
               o.recalled) for o in credited]
    return _fit_strength(points)


def calibrate(strength: float, observations: Sequence[Observation]) -> float:
    """The new transfer strength, from ``strength`` and ``observations`` (explicit reviews, credited or not; the
    learner's record, not only the latest ones: the uncredited reviews are the comparison).

    Moves from the current strength towards the best-fitting one, by n / (n + CALIBRATION_PRIOR) of the way for n
    credited observations: towards 0 when credited cards are recalled no better than uncredited ones of the same
    prediction, up
    (to at most MAX_STRENGTH) when the credit predicts them well."""
    best = best_strength(observations)
    if best is None:
        return strength
    n = sum(1 for o in observations
            if not o.held_out and o.strength > 0 and o.predicted_with_credit != o.predicted_without_credit)
    return strength + (best - strength) * n / (n + CALIBRATION_PRIOR)
