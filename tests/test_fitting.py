"""Fitting FSRS to a learner's reviews (mlpath.core.fitting), checked against the fsrs package and by hand.

Synthetic learners: cards are scheduled by an fsrs Scheduler holding KNOWN parameters, each review comes some
random time after the card is due, and the answer is drawn with a seeded RNG so that the card is recalled with
exactly the probability those parameters predict (fsrs's get_card_retrievability). A good fit must then predict
recall nearly as the true parameters do, and better than the defaults.
"""

from __future__ import annotations

import math
import random
import sys
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, Scheduler
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpath.core import fitting, scheduling
from mlpath.core.fitting import CardHistory, ReviewEvent

DEFAULT_PARAMETERS = tuple(Scheduler().parameters)  # fsrs's own defaults (its module layout changed in 6.1)

fsrs_rs = pytest.importorskip("fsrs_rs_python")

T0 = datetime(2025, 1, 6, 8, 0, tzinfo=timezone.utc)

# A learner unlike the defaults: slower first memories, faster growth, a flatter forgetting curve (w20).
TRUE = (0.9, 2.5, 5.5, 16.0, 7.2, 0.55, 2.4, 0.02, 1.9, 0.12, 1.1, 1.6, 0.09, 0.35, 1.4, 0.5, 2.2, 0.6, 0.2,
        0.1, 0.35)


def learner(params, cards: int, days: int, seed: int) -> list[ReviewEvent]:
    """Explicit reviews of ``cards`` cards introduced over the first 90 % of ``days`` days, answered as FSRS with
    ``params`` predicts. Reviews fall 0-60 % of the interval after the due time, so recall varies."""
    rng = random.Random(seed)
    sched = Scheduler(parameters=params, enable_fuzzing=False)
    end = T0 + timedelta(days=days)
    events = []
    for k in range(cards):
        now = T0 + timedelta(days=rng.uniform(0, days * 0.9), hours=rng.uniform(0, 12))
        card = Card(card_id=k + 1, due=now)
        first = True
        while now < end:
            if first:
                rating = rng.choices((1, 2, 3, 4), (20, 10, 55, 15))[0]
            else:
                recall = sched.get_card_retrievability(card, now)
                rating = rng.choices((2, 3, 4), (10, 80, 10))[0] if rng.random() < recall else 1
            first = False
            events.append(ReviewEvent(k, now, rating))
            card, _ = sched.review_card(card, Rating(rating), now)
            gap = card.due - now
            now = card.due + gap * rng.uniform(0, 0.6) + timedelta(minutes=rng.uniform(0, 30))
    return events


@pytest.fixture(scope="module")
def synthetic():
    return learner(TRUE, cards=1000, days=365, seed=7)


def recall_rs(params, history):
    """The fsrs package's recall prediction for the last review of ``history`` [(days after first, rating)]."""
    sched = Scheduler(parameters=params, enable_fuzzing=False)
    card = Card(card_id=1, due=T0)
    for d, r in history[:-1]:
        card, _ = sched.review_card(card, Rating(r), T0 + timedelta(days=d))
    return sched.get_card_retrievability(card, T0 + timedelta(days=history[-1][0]))


# --- fitting on synthetic learners -----------------------------------------------------------------------------

def test_fit_recovers_a_known_learner_and_beats_the_defaults(synthetic):
    cutoff = fitting.holdout_cutoff(synthetic, 0.2)
    train = [e for e in synthetic if e.reviewed_at < cutoff]
    fitted = fitting.fit(train)
    assert len(fitted.parameters) == 21
    assert fitted.trained_on == fitted.available == fitting.long_term_reviews(train) >= fitting.MIN_REVIEWS

    truth = fitting.predictions(TRUE, synthetic, cutoff)
    ours = fitting.predictions(fitted.parameters, synthetic, cutoff)
    defaults = fitting.predictions(None, synthetic, cutoff)
    assert len(truth) == len(ours) == len(defaults) > 300
    assert [y for _, y in truth] == [y for _, y in ours]
    # "close": on the held-out reviews the fitted model's recall predictions are on average within 0.03 of the
    # true model's (the individual weights are not all identifiable from 1,000 cards, the predictions are) ...
    gap = sum(abs(p - q) for (p, _), (q, _) in zip(truth, ours)) / len(truth)
    assert gap < 0.03
    # ... its held-out log loss is within 0.01 of the true parameters', and below the defaults'.
    true_score, fit_score, default_score = (fitting.score(x) for x in (truth, ours, defaults))
    assert fit_score.log_loss < true_score.log_loss + 0.01
    assert fit_score.log_loss < default_score.log_loss
    comparison = fitting.compare(None, fitted.parameters, synthetic, cutoff)
    assert comparison.current == default_score and comparison.new == fit_score
    # the stability after a first Good (w2; Good is the commonest first answer) lands nearer the truth than the
    # default is. Weights seen rarely (a first Hard) or hard to separate (w20, the curve's shape, when most reviews
    # happen near R = 0.9) stay near the defaults, which the optimiser prefers when data is thin.
    assert abs(fitted.parameters[2] - TRUE[2]) < abs(DEFAULT_PARAMETERS[2] - TRUE[2])


def test_optimize_adopts_better_parameters_and_keeps_good_ones(synthetic):
    first = fitting.optimize(synthetic)
    assert first.comparison.better and first.adopt is not None
    assert first.candidate.last < first.cutoff <= first.adopt.last
    assert first.adopt.available == fitting.long_term_reviews(synthetic)
    # the true parameters are already as good as a fit can be: a new fit must not replace them
    again = fitting.optimize(synthetic, current=TRUE)
    assert again.comparison.current == fitting.evaluate(TRUE, synthetic, again.cutoff)
    assert not again.comparison.better and again.adopt is None


def test_too_small_a_history_is_refused_with_the_number_still_needed():
    events = []
    for k in range(5):  # per card: first review, a same-day one, then two a few days apart: 2 long-term
        for hours, rating in ((0, 3), (2, 3), (50, 3), (150, 1)):
            events.append(ReviewEvent(k, T0 + timedelta(hours=hours), rating))
    assert fitting.long_term_reviews(events) == 10
    with pytest.raises(fitting.NotEnoughReviews) as err:
        fitting.fit(events)
    assert err.value.needed == fitting.MIN_REVIEWS - 10 and err.value.have == 10
    with pytest.raises(fitting.NotEnoughReviews) as err:
        fitting.optimize(events)
    assert err.value.needed >= fitting.MIN_REVIEWS + fitting.MIN_HELDOUT - 10


def test_reviews_must_be_aware_utc_with_a_valid_rating():
    with pytest.raises(ValueError):
        fitting.long_term_reviews([ReviewEvent(1, datetime(2025, 1, 1), 3)])
    with pytest.raises(ValueError):
        fitting.long_term_reviews([ReviewEvent(1, T0, 5)])


# --- evaluation ------------------------------------------------------------------------------------------------

def test_evaluate_a_tiny_history_by_hand():
    # card a: Good, Good 3 days later (recalled); card b: Good, Again 10 days later (forgotten); card c: only one
    # review, and a same-day second one on card a's first day: neither is a long-term review, neither is scored.
    events = [ReviewEvent("a", T0, 3), ReviewEvent("a", T0 + timedelta(days=3), 3),
              ReviewEvent("b", T0, 3), ReviewEvent("b", T0 + timedelta(days=10, hours=5), 1),
              ReviewEvent("c", T0, 3), ReviewEvent("c", T0 + timedelta(hours=20), 2)]
    p_a = recall_rs(DEFAULT_PARAMETERS, [(0, 3), (3, 3)])
    p_b = recall_rs(DEFAULT_PARAMETERS, [(0, 3), (10.2, 1)])
    # the forgetting curve by hand: S = w2 after a first Good, R(t) = (1 + f t / S)^-w20 with R(S) = 0.9
    w2, w20 = DEFAULT_PARAMETERS[2], DEFAULT_PARAMETERS[20]
    f = 0.9 ** (-1 / w20) - 1
    assert p_a == pytest.approx((1 + f * 3 / w2) ** -w20)
    assert p_b == pytest.approx((1 + f * 10 / w2) ** -w20)

    s = fitting.evaluate(None, events)
    assert s.reviews == 2
    assert s.log_loss == pytest.approx(-(math.log(p_a) + math.log(1 - p_b)) / 2, rel=1e-5)
    assert int(p_a * 20) != int(p_b * 20)  # one review per bin
    assert s.rmse_bins == pytest.approx(math.sqrt(((p_a - 1) ** 2 + p_b ** 2) / 2), rel=1e-5)
    # held out from day 5: only card b's second review is scored, predicted from its whole earlier history
    later = fitting.evaluate(None, events, T0 + timedelta(days=5))
    assert later.reviews == 1 and later.log_loss == pytest.approx(-math.log(1 - p_b), rel=1e-5)


def test_calibration_bins_by_hand():
    pairs = [(0.05, False), (0.95, True), (0.97, False), (1.0, True)]
    table = fitting.calibration_bins(pairs, bins=10)
    assert [(b.low, b.high, b.reviews) for b in table] == [(0.0, 0.1, 1), (0.9, 1.0, 3)]
    assert table[1].predicted == pytest.approx((0.95 + 0.97 + 1.0) / 3)
    assert table[1].actual == pytest.approx(2 / 3)
    rmse = math.sqrt((0.05 ** 2 + 3 * ((0.95 + 0.97 + 1.0) / 3 - 2 / 3) ** 2) / 4)
    assert fitting.score(pairs, bins=10).rmse_bins == pytest.approx(rmse)
    loss = -(math.log(0.95) + math.log(1 - 0.05) + math.log(1 - 0.97) + math.log(1 - 1e-4)) / 4
    assert fitting.score(pairs).log_loss == pytest.approx(loss)


def test_log_loss_agrees_with_fsrs_rs_own_evaluation(synthetic):
    items = []
    for k in {e.card_key for e in synthetic}:
        times = sorted((e.reviewed_at, e.rating) for e in synthetic if e.card_key == k)
        reviews = [fsrs_rs.FSRSReview(times[0][1], 0)]
        for (a, _), (b, r) in zip(times, times[1:]):
            reviews.append(fsrs_rs.FSRSReview(r, (b - a).days))
            if (b - a).days > 0:
                items.append(fsrs_rs.FSRSItem(list(reviews)))
    theirs = fsrs_rs.FSRS(list(TRUE)).evaluate(items)
    assert fitting.evaluate(TRUE, synthetic).log_loss == pytest.approx(theirs.log_loss, abs=2e-3)


def test_calibration_of_the_true_model_is_close(synthetic):
    table = fitting.calibration(TRUE, synthetic, bins=5)
    assert sum(b.reviews for b in table) == fitting.long_term_reviews(synthetic)
    big = [b for b in table if b.reviews >= 300]
    assert big and all(abs(b.predicted - b.actual) < 0.05 for b in big)


# --- parity: fsrs-rs-python and fsrs compute the same memory states --------------------------------------------

history = st.lists(st.tuples(st.floats(0, 40), st.sampled_from([1, 2, 3, 4])), min_size=1, max_size=15)


@settings(max_examples=60, deadline=None)
@given(history, st.sampled_from([tuple(DEFAULT_PARAMETERS), TRUE]))
def test_fsrs_rs_and_fsrs_give_the_same_memory_states(steps, params):
    now, log = T0, []
    for gap_days, rating in steps:
        now += timedelta(days=gap_days)
        log.append((rating, now, None))
    ours = scheduling.replay(log, T0, parameters=params)
    deltas = [0] + [(b[1] - a[1]).days for a, b in zip(log, log[1:])]
    state = fsrs_rs.FSRS(list(params)).memory_state(
        fsrs_rs.FSRSItem([fsrs_rs.FSRSReview(r, d) for (r, _, _), d in zip(log, deltas)]))
    assert state.stability == pytest.approx(ours.stability, rel=1e-4)
    assert state.difficulty == pytest.approx(ours.difficulty, rel=1e-4)


# --- rescheduling ----------------------------------------------------------------------------------------------

def test_reschedule_replays_each_card_with_the_new_parameters():
    logs = {"x": [(3, T0, 900), (3, T0 + timedelta(minutes=12), None), (3, T0 + timedelta(days=3), 1200)],
            "y": [(1, T0, None), (3, T0 + timedelta(hours=1), None), (2, T0 + timedelta(days=9), None)],
            "z": []}
    histories = {k: CardHistory(T0, log) for k, log in logs.items()}
    now = T0 + timedelta(days=20)
    new = fitting.reschedule(histories, TRUE, 0.85, now)
    old = fitting.reschedule(histories, None, 0.85, now)
    sched = Scheduler(parameters=TRUE, desired_retention=0.85, enable_fuzzing=False)
    for key, log in logs.items():
        card = Card(card_id=1, due=T0)
        for rating, at, ms in log:
            card, _ = sched.review_card(card, Rating(rating), at, ms)
        assert (new[key].stability, new[key].difficulty, new[key].due) == (card.stability, card.difficulty, card.due)
    assert new["z"] == scheduling.new_card(T0)
    assert new["x"].due != old["x"].due
    assert old["y"] == scheduling.replay(logs["y"], T0, 0.85)
    with pytest.raises(ValueError):
        fitting.reschedule(histories, TRUE, 0.85, T0 + timedelta(days=1))


def test_scheduling_takes_fitted_parameters_step_by_step():
    sched = Scheduler(parameters=TRUE, enable_fuzzing=False)
    ours, theirs, now = scheduling.new_card(T0), Card(card_id=1, due=T0), T0
    for r in (3, 3, 2, 1, 3, 4):
        ours = scheduling.review(ours, r, now, fuzzing=False, parameters=TRUE)
        theirs, _ = sched.review_card(theirs, Rating(r), now)
        assert (ours.due, ours.stability, ours.difficulty) == (theirs.due, theirs.stability, theirs.difficulty)
        assert scheduling.retrievability(ours, now + timedelta(days=4), parameters=TRUE) == \
            sched.get_card_retrievability(theirs, now + timedelta(days=4))
        now = ours.due + timedelta(hours=3)


# --- what the stats section shows ------------------------------------------------------------------------------

def test_memory_curve_is_the_fsrs_forgetting_curve():
    s = 7.5
    points = fitting.memory_curve(TRUE, s, days=[0, 1, 7, 30, 365])
    sched = Scheduler(parameters=TRUE)
    card = Card(card_id=1, due=T0, state=2, stability=s, difficulty=5.0, last_review=T0)
    for pt in points:
        assert pt.retrievability == pytest.approx(
            sched.get_card_retrievability(card, T0 + timedelta(days=pt.days)), rel=1e-12)
    assert fitting.memory_curve(TRUE, s, days=[s])[0].retrievability == pytest.approx(0.9)
    default = fitting.memory_curve()
    assert default[0].retrievability == 1.0
    assert all(a.retrievability > b.retrievability for a, b in zip(default, default[1:]))
    assert fitting.memory_curve(None, DEFAULT_PARAMETERS[2], [3]) == fitting.memory_curve(days=[3])


def test_retention_advice_simulates_the_range_and_picks_the_least_work_per_card():
    advice = fitting.retention_advice(TRUE, retentions=(0.7, 0.8, 0.9, 0.95), deck_size=500, days=200)
    rows = advice.rows
    assert [r.retention for r in rows] == [0.7, 0.8, 0.9, 0.95]
    assert all(a.reviews_per_day < b.reviews_per_day for a, b in zip(rows, rows[1:]))
    assert all(a.memorized < b.memorized for a, b in zip(rows, rows[1:]))
    assert all(abs(r.true_retention - r.retention) < 0.05 for r in rows)
    best = next(r for r in rows if r.retention == advice.recommended)
    assert all(best.minutes_per_card <= r.minutes_per_card for r in rows)
    assert len(fitting.retention_advice().rows) == 28


def test_available_reports_a_missing_wheel(monkeypatch):
    assert fitting.available()
    monkeypatch.setitem(sys.modules, "fsrs_rs_python", None)  # what a platform without the wheel looks like
    assert not fitting.available()


def test_a_long_history_is_sampled_the_same_way_every_time(synthetic, monkeypatch):
    monkeypatch.setattr(fitting, "MAX_HISTORY_STEPS", 8_000)
    a, b = fitting.fit(synthetic), fitting.fit(synthetic)
    assert a == b
    assert fitting.MIN_REVIEWS // 2 < a.trained_on < a.available == fitting.long_term_reviews(synthetic)
    assert fitting.fit(synthetic, seed=1).parameters != a.parameters  # another sample


def test_optimize_fits_the_candidate_on_the_reviews_before_the_cutoff(synthetic):
    result = fitting.optimize(synthetic)
    before = [e for e in synthetic if e.reviewed_at < result.cutoff]
    assert result.candidate == fitting.fit(before)
    assert result.adopt == fitting.fit(synthetic)
    assert result.comparison == fitting.compare(None, result.candidate.parameters, synthetic, result.cutoff)


@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=50))
def test_one_bin_rmse_is_the_gap_between_mean_prediction_and_recall_rate(pairs):
    n = len(pairs)
    mean_p, rate = sum(p for p, _ in pairs) / n, sum(y for _, y in pairs) / n
    assert fitting.score(pairs, bins=1).rmse_bins == pytest.approx(abs(mean_p - rate), abs=1e-9)
    many = fitting.calibration_bins(pairs, bins=7)
    assert sum(b.reviews for b in many) == n
    assert all(b.low <= b.predicted <= b.high for b in many)


def test_the_module_works_without_the_wheel_until_a_fit_is_asked_for():
    import subprocess

    code = ("import sys; sys.modules['fsrs_rs_python'] = None\n"  # as if no wheel exists for this platform
            "from mlpath.core import fitting\n"
            "assert not fitting.available()\n"
            "assert fitting.memory_curve(days=[0])[0].retrievability == 1.0\n"
            "try:\n    fitting.fit([])\nexcept ImportError:\n    print('no wheel')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "no wheel"
    lazy = subprocess.run([sys.executable, "-c", "import sys; import mlpath.core.fitting; "
                           "print('fsrs_rs_python' in sys.modules, 'fsrs' in sys.modules)"],
                          capture_output=True, text=True, timeout=60)
    assert lazy.stdout.split() == ["False", "False"]
