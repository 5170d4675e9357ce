"""Fit FSRS's 21 parameters to a learner's own reviews, check them on held-out reviews, and explain them.

The seam over ``fsrs-rs-python`` (the Rust FSRS optimiser, imported only when a function here needs it, so the rest
of mlpath runs where it has no wheel: ask `available()` first). Scheduling itself stays with the ``fsrs`` package
(`mlpath.core.scheduling`); both compute the same memory states for the same parameters (tests/test_fitting.py).

Everything is a pure function of its arguments; time comes in as aware UTC datetimes.

Days. The ``fsrs`` Scheduler counts the time between two reviews of a card as whole days of elapsed time
(``(t2 - t1).days``: 23 h is 0 days, 25 h is 1 day) and treats a review less than a day after the previous one as a
short-term (same-day) review. The training items here use exactly that count, so the fitted parameters describe
the model that schedules the cards. A same-day review stays in the card's history (it moves stability through
FSRS's short-term formula) but is never a prediction target: only a review at least one day after the card's
previous one ("a long-term review") scores or trains the model, as in FSRS's own optimiser and srs-benchmark.

How `mlpath optimize` uses it: ``optimize(explicit_reviews, current_params)`` fits on the history before a cutoff
(the last 20 % of its time span is held out), scores the current and the new parameters on the held-out long-term
reviews (`Comparison`), and returns ``adopt`` (refitted on everything) only when the new ones are better;
`NotEnoughReviews.needed` says how many more long-term reviews are needed. After adopting (or resetting to None,
the defaults), ``reschedule(histories, params, retention, now)`` replays every card. ``retention_advice(params,
deck_size=..., new_per_day=...)``, ``calibration(params, reviews)`` and ``memory_curve(params)`` feed the output
and `stats`.
"""

import math
import random
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from operator import itemgetter
from typing import NamedTuple

from mlpath.core import scheduling
from mlpath.core.scheduling import DEFAULT_RETENTION, CardState, Parameters

# A fit needs at least this many long-term reviews (reviews of a card one day or more after its previous review).
# Each one is a single yes/no observation and 21 parameters are fitted; the first four (the stability after a
# first Again/Hard/Good/Easy) are each learnt only from cards whose first rating was that one. Below a few hundred
# observations the optimiser mostly fits noise, and its result would rarely beat the defaults on held-out data.
MIN_REVIEWS = 400
# `optimize` also keeps the latest part of the history aside to check the fit; it must hold at least this many.
MIN_HELDOUT = 100
HOLDOUT = 0.2  # the latest 20 % of the history's time span is held out
# The optimiser trains on every long-term review together with the card's whole history before it, so the work
# grows with the square of a card's review count (300k reviews of 1,624 cards make 35 million history steps).
# Above this many steps a seeded random sample of the training reviews is used instead; each review is kept with
# the same probability, so the loss being minimised is an unbiased estimate of the full one.
MAX_HISTORY_STEPS = 3_000_000
RELEARNING_STEPS = 1  # the fsrs Scheduler's default relearning steps (one, 10 minutes), which mlpath uses
CALIBRATION_BINS = 20  # RMSE(bins): predicted recall cut into 20 equal-width bins
LOG_LOSS_CLIP = 1e-4  # predictions are clipped to [1e-4, 1 - 1e-4] before the log loss
RETENTIONS = tuple(round(0.70 + 0.01 * i, 2) for i in range(28))  # 0.70, 0.71, ..., 0.97
CURVE_DAYS = (0, 1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365)


class NotEnoughReviews(ValueError):
    """Too little history to fit or check parameters: ``needed`` more long-term reviews (``have`` so far)."""

    def __init__(self, needed: int, have: int):
        super().__init__(f"{needed} more long-term reviews needed (have {have})")
        self.needed = needed
        self.have = have


class ReviewEvent(NamedTuple):
    """One explicit review: which card, when (aware UTC), and the rating (1 Again, 2 Hard, 3 Good, 4 Easy)."""
    card_key: Hashable
    reviewed_at: datetime
    rating: int


class FitResult(NamedTuple):
    parameters: Parameters  # the 21 FSRS-6 weights
    reviews: int  # review events given
    trained_on: int  # long-term reviews the optimiser saw (fewer than available when sampled)
    available: int  # long-term reviews in the history
    cards: int
    first: datetime
    last: datetime


class Score(NamedTuple):
    """How well parameters predict recall on a set of long-term reviews (lower is better for both)."""
    log_loss: float
    rmse_bins: float
    reviews: int


class Comparison(NamedTuple):
    current: Score
    new: Score
    better: bool  # the new parameters have lower log loss and no higher RMSE(bins)


class Optimization(NamedTuple):
    """What `optimize` found. ``adopt`` is None when the new parameters did not beat the current ones."""
    cutoff: datetime  # reviews before it trained the candidate, long-term reviews from it checked it
    candidate: FitResult  # fitted on the reviews before ``cutoff``
    comparison: Comparison  # current vs candidate on the reviews from ``cutoff``
    adopt: FitResult | None  # refitted on every review, when the candidate was better


class CalibrationBin(NamedTuple):
    low: float  # predicted recall range [low, high)
    high: float
    reviews: int
    predicted: float  # mean predicted recall in the bin
    actual: float  # share of those reviews recalled (rating 2-4)


class CurvePoint(NamedTuple):
    days: float
    retrievability: float


class CardHistory(NamedTuple):
    created: datetime
    reviews: Sequence[tuple[int, datetime, int | None]]  # (rating, reviewed_at, duration_ms), oldest first


class RetentionRow(NamedTuple):
    retention: float  # desired retention simulated
    reviews_per_day: float  # reviews of cards already learnt, on average over the simulated days
    minutes_per_day: float  # all study time (new cards and reviews), on average
    true_retention: float  # share of the simulated reviews answered right
    memorized: float  # cards' summed recall probability at the end: the knowledge the work buys
    minutes_per_card: float  # total minutes / memorized: the workload per unit of knowledge


class RetentionAdvice(NamedTuple):
    rows: tuple[RetentionRow, ...]
    recommended: float  # the retention with the least work per remembered card


def available() -> bool:
    """Whether fsrs-rs-python can be imported here (it ships compiled wheels, not for every platform)."""
    try:
        import fsrs_rs_python  # noqa: F401
    except ImportError:
        return False
    return True


def default_parameters() -> Parameters:
    """The fsrs package's default weights: what mlpath schedules with until parameters are fitted."""
    from fsrs import Scheduler  # a default Scheduler's weights: the same in every fsrs 6.x layout

    return tuple(float(w) for w in Scheduler().parameters)


# --- histories ---------------------------------------------------------------------------------------------------

class _Card(NamedTuple):
    times: list[datetime]
    ratings: list[int]
    deltas: list[int]  # whole days since the previous review (0 for the first)


def _check_time(at: datetime) -> None:
    if at.tzinfo is not timezone.utc and (at.tzinfo is None or at.utcoffset() != timedelta(0)):
        raise ValueError("time must be timezone-aware UTC")


def _cards(reviews: Sequence[ReviewEvent]) -> dict[Hashable, _Card]:
    by_card: dict[Hashable, list[tuple[datetime, int]]] = defaultdict(list)
    for key, at, rating in reviews:
        if rating not in (1, 2, 3, 4):
            raise ValueError(f"rating must be 1-4, not {rating!r}")
        _check_time(at)
        by_card[key].append((at, rating))
    cards = {}
    first = itemgetter(0)
    for key, events in by_card.items():
        events.sort(key=first)  # stable: reviews at the same instant keep their order
        times = [at for at, _ in events]
        deltas = [0] + [(b - a).days for a, b in zip(times, times[1:])]
        cards[key] = _Card(times, [r for _, r in events], deltas)
    return cards


def _long_term(card: _Card, since: datetime | None = None, before: datetime | None = None) -> list[int]:
    """Indexes of the card's long-term reviews (not its first) in [since, before)."""
    return [i for i in range(1, len(card.times))
            if card.deltas[i] > 0 and (since is None or card.times[i] >= since)
            and (before is None or card.times[i] < before)]


def long_term_reviews(reviews: Sequence[ReviewEvent]) -> int:
    """How many of ``reviews`` can train or check a model: reviews one day or more after the card's previous one."""
    return sum(len(_long_term(c)) for c in _cards(reviews).values())


# --- fitting -----------------------------------------------------------------------------------------------------

def fit(reviews: Sequence[ReviewEvent], seed: int = 0) -> FitResult:
    """FSRS parameters fitted to ``reviews`` (explicit reviews only) with fsrs-rs-python's optimiser.

    Raises NotEnoughReviews when the history has fewer than MIN_REVIEWS long-term reviews. Deterministic for a
    given history and ``seed`` (the seed only matters when the history is sampled, see MAX_HISTORY_STEPS)."""
    return _fit(_cards(reviews), seed)


def _fit(cards: Mapping[Hashable, _Card], seed: int, before: datetime | None = None) -> FitResult:
    """`fit` on the reviews before ``before`` (all when None): a review's item holds only earlier reviews, so
    keeping the items whose last review is before ``before`` is fitting on that part of the history."""
    from fsrs_rs_python import FSRS, FSRSItem, FSRSReview

    targets = [(card, i) for card in cards.values() for i in _long_term(card, before=before)]
    available = len(targets)
    if available < MIN_REVIEWS:
        raise NotEnoughReviews(MIN_REVIEWS - available, available)
    steps = sum(i + 1 for _, i in targets)
    if steps > MAX_HISTORY_STEPS:
        rng = random.Random(seed)
        keep = MAX_HISTORY_STEPS / steps
        targets = [t for t in targets if rng.random() < keep]
    targets.sort(key=lambda t: t[0].times[t[1]])  # time order, as the optimiser expects
    sequences: dict[int, list] = {}  # id(card) -> its reviews as FSRSReview, made once per card
    items = []
    for card, i in targets:
        seq = sequences.get(id(card))
        if seq is None:
            seq = sequences[id(card)] = [FSRSReview(r, d) for r, d in zip(card.ratings, card.deltas)]
        items.append(FSRSItem(seq[:i + 1]))
    weights = FSRS(list(default_parameters())).compute_parameters(
        items, enable_short_term=True, num_relearning_steps=RELEARNING_STEPS)
    used = [c.times[:bisect_left(c.times, before)] if before else c.times for c in cards.values()]
    used = [t for t in used if t]
    return FitResult(tuple(float(w) for w in weights), sum(len(t) for t in used), len(items), available,
                     len(used), min(t[0] for t in used), max(t[-1] for t in used))


def holdout_cutoff(reviews: Sequence[ReviewEvent], fraction: float = HOLDOUT) -> datetime:
    """The time splitting off the latest ``fraction`` of the history's time span (first to last review)."""
    if not reviews:
        raise NotEnoughReviews(MIN_REVIEWS + MIN_HELDOUT, 0)
    if not 0 < fraction < 1:
        raise ValueError("fraction must be between 0 and 1")
    first = min(r.reviewed_at for r in reviews)
    last = max(r.reviewed_at for r in reviews)
    return first + (last - first) * (1 - fraction)


def optimize(reviews: Sequence[ReviewEvent], current: Parameters | None = None,
             fraction: float = HOLDOUT, seed: int = 0) -> Optimization:
    """Fit on the history before the held-out part, compare with ``current`` (None: the defaults) on the held-out
    part, and when the candidate is better refit on the whole history (the parameters to adopt).

    Raises NotEnoughReviews when either part is too small; ``needed`` counts long-term reviews still missing (at
    least MIN_REVIEWS + MIN_HELDOUT in all, MIN_HELDOUT of them in the held-out part)."""
    cutoff = holdout_cutoff(reviews, fraction)
    cards = _cards(reviews)
    held = sum(len(_long_term(c, since=cutoff)) for c in cards.values())
    have = sum(len(_long_term(c)) for c in cards.values())
    if have < MIN_REVIEWS + MIN_HELDOUT or held < MIN_HELDOUT:
        raise NotEnoughReviews(max(MIN_REVIEWS + MIN_HELDOUT - have, MIN_HELDOUT - held, 1), have)
    candidate = _fit(cards, seed, before=cutoff)
    comparison = _compare(cards, current, candidate.parameters, cutoff)
    adopt = _fit(cards, seed) if comparison.better else None
    return Optimization(cutoff, candidate, comparison, adopt)


# --- scoring -----------------------------------------------------------------------------------------------------

def _forgetting(parameters: Parameters):
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return lambda days, stability: (1 + factor * days / stability) ** decay


def predictions(parameters: Parameters | None, reviews: Sequence[ReviewEvent],
                since: datetime | None = None) -> list[tuple[float, bool]]:
    """(predicted recall, recalled) for every long-term review at or after ``since`` (all when None), the
    prediction made from the card's memory state after all its earlier reviews."""
    return _predictions(_cards(reviews), parameters, since)


def _predictions(cards: Mapping[Hashable, _Card], parameters: Parameters | None,
                 since: datetime | None) -> list[tuple[float, bool]]:
    from fsrs_rs_python import FSRS, FSRSItem, FSRSReview

    params = default_parameters() if parameters is None else tuple(parameters)
    wanted = [(c, idx) for c in cards.values() if (idx := _long_term(c, since=since))]
    if not wanted:
        return []
    # one item per card, up to the review before its last scored one; its states after each review are replayed
    items = [FSRSItem([FSRSReview(r, d) for r, d in zip(c.ratings[:idx[-1]], c.deltas[:idx[-1]])])
             for c, idx in wanted]
    states = FSRS(list(params)).historical_memory_state_batch(items)
    recall = _forgetting(params)
    out = []
    for (card, idx), history in zip(wanted, states):
        for i in idx:
            out.append((recall(card.deltas[i], history[i - 1].stability), card.ratings[i] > 1))
    return out


def calibration_bins(pairs: Sequence[tuple[float, bool]], bins: int = CALIBRATION_BINS) -> list[CalibrationBin]:
    """Predicted vs actual recall in ``bins`` equal-width bins of predicted recall over [0, 1] (a prediction of
    exactly 1 falls in the last bin); empty bins are left out."""
    if bins < 1:
        raise ValueError("bins must be at least 1")
    count = [0] * bins
    p_sum = [0.0] * bins
    y_sum = [0] * bins
    for p, y in pairs:
        b = min(int(p * bins), bins - 1)
        count[b] += 1
        p_sum[b] += p
        y_sum[b] += y
    return [CalibrationBin(b / bins, (b + 1) / bins, n, p_sum[b] / n, y_sum[b] / n)
            for b, n in enumerate(count) if n]


def score(pairs: Sequence[tuple[float, bool]], bins: int = CALIBRATION_BINS) -> Score:
    """Log loss (predictions clipped to [1e-4, 1 - 1e-4]) and RMSE(bins): the root of the review-weighted mean of
    (mean predicted recall - actual recall rate)^2 over the bins of `calibration_bins`.

    srs-benchmark's RMSE(bins) groups reviews by interval, review number and lapses instead; binning by the
    prediction itself measures calibration directly and needs no per-review metadata. Both weight bins by size."""
    if not pairs:
        raise NotEnoughReviews(1, 0)
    lo, hi = LOG_LOSS_CLIP, 1 - LOG_LOSS_CLIP
    loss = -sum(math.log(min(max(p, lo), hi)) if y else math.log(1 - min(max(p, lo), hi)) for p, y in pairs)
    table = calibration_bins(pairs, bins)
    rmse = math.sqrt(sum(b.reviews * (b.predicted - b.actual) ** 2 for b in table) / len(pairs))
    return Score(loss / len(pairs), rmse, len(pairs))


def evaluate(parameters: Parameters | None, reviews: Sequence[ReviewEvent], split: datetime | None = None) -> Score:
    """How well ``parameters`` (None: the defaults) predict the long-term reviews at or after ``split`` (every one
    when None), each from the card's memory state replayed over all its earlier reviews (before ``split`` too)."""
    return score(predictions(parameters, reviews, split))


def compare(current: Parameters | None, new: Parameters, reviews: Sequence[ReviewEvent],
            split: datetime | None = None) -> Comparison:
    """Both parameter sets scored on the same held-out reviews (see `evaluate`)."""
    return _compare(_cards(reviews), current, new, split)


def _compare(cards: Mapping[Hashable, _Card], current: Parameters | None, new: Parameters,
             split: datetime | None) -> Comparison:
    a, b = score(_predictions(cards, current, split)), score(_predictions(cards, new, split))
    return Comparison(a, b, b.log_loss < a.log_loss and b.rmse_bins <= a.rmse_bins)


def calibration(parameters: Parameters | None, reviews: Sequence[ReviewEvent], bins: int = 10,
                since: datetime | None = None) -> list[CalibrationBin]:
    """Predicted vs actual recall of the long-term reviews (at or after ``since``), in ``bins`` bins."""
    return calibration_bins(predictions(parameters, reviews, since), bins)


def memory_curve(parameters: Parameters | None = None, stability: float | None = None,
                 days: Sequence[float] = CURVE_DAYS) -> list[CurvePoint]:
    """The forgetting curve R(t) = (1 + f t / S)^-w20 of a card with ``stability`` S days (default: a new card
    after its first Good, S = w2); f makes R(S) = 0.9."""
    params = default_parameters() if parameters is None else tuple(parameters)
    s = params[2] if stability is None else stability
    if s <= 0:
        raise ValueError("stability must be positive")
    recall = _forgetting(params)
    return [CurvePoint(float(d), recall(d, s)) for d in days]


# --- rescheduling ------------------------------------------------------------------------------------------------

def reschedule(histories: Mapping[Hashable, CardHistory], parameters: Parameters | None,
               retention: float = DEFAULT_RETENTION, now: datetime | None = None) -> dict[Hashable, CardState]:
    """Every card's state replayed from its review history with ``parameters`` (None: the defaults), through the
    same fsrs Scheduler as normal scheduling (fuzzing off, as in `scheduling.replay`). A card with no review keeps
    a new card's state. Raises ValueError for a review after ``now``."""
    if now is not None:
        _check_time(now)
    params = None if parameters is None else tuple(float(w) for w in parameters)
    out = {}
    for key, (created, log) in histories.items():
        if now is not None and any(at > now for _, at, _ in log):
            raise ValueError(f"card {key!r} has a review after now")
        out[key] = scheduling.replay(list(log), created, retention, parameters=params)
    return out


# --- desired retention ---------------------------------------------------------------------------------------------

def retention_advice(parameters: Parameters | None = None, retentions: Sequence[float] = RETENTIONS,
                     deck_size: int = 2000, new_per_day: int = 10, days: int = 365,
                     seed: int = 0) -> RetentionAdvice:
    """The workload of learning ``deck_size`` cards at ``new_per_day`` over ``days`` at each desired retention,
    simulated with fsrs-rs-python's simulator (its default answer-time and rating statistics, no daily time cap),
    and the retention with the least study time per remembered card (the idea Anki calls CMRR)."""
    from fsrs_rs_python import default_simulator_config, simulate

    if not retentions:
        raise ValueError("no retentions to simulate")
    params = list(default_parameters() if parameters is None else parameters)
    config = default_simulator_config()
    config.deck_size = deck_size
    config.learn_span = days
    config.learn_limit = new_per_day
    config.max_cost_perday = 86_400.0
    rows = []
    for r in retentions:
        if not 0 < r < 1:
            raise ValueError("retention must be between 0 and 1")
        result = simulate(params, r, config, seed)
        reviews = sum(result.review_cnt_per_day)
        minutes = sum(result.cost_per_day) / 60
        memorized = result.memorized_cnt_per_day[-1]
        rows.append(RetentionRow(r, reviews / days, minutes / days,
                                 sum(result.correct_cnt_per_day) / reviews if reviews else 1.0,
                                 memorized, minutes / memorized if memorized else math.inf))
    best = min(rows, key=lambda row: row.minutes_per_card)
    return RetentionAdvice(tuple(rows), best.retention)


__all__ = ["MIN_REVIEWS", "MIN_HELDOUT", "HOLDOUT", "NotEnoughReviews", "ReviewEvent", "FitResult", "Score",
           "Comparison", "Optimization", "CalibrationBin", "CurvePoint", "CardHistory", "RetentionRow",
           "RetentionAdvice", "available", "default_parameters", "long_term_reviews", "fit", "holdout_cutoff",
           "optimize", "predictions", "calibration_bins", "score", "evaluate", "compare", "calibration",
           "memory_curve", "reschedule", "retention_advice"]
