"""Implicit review credit: exact, hand-computed cases.

The stability a full Good review would give is computed here from FSRS-6's published formula with its default
parameters, S' = S (1 + e^w8 (11 - D) S^-w9 (e^((1 - R) w10) - 1)), not through the code under test.
"""

from __future__ import annotations

import math
import zlib
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpath.core import credit as cr
from mlpath.core.credit import CreditTarget, Observation
from mlpath.core.scheduling import CardState, new_card, review

NOW = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
W = (0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835, 0.0614, 0.2629,
     1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542)  # FSRS-6 defaults


def curve(days: float, s: float) -> float:
    factor = 0.9 ** (-1 / W[20]) - 1
    return (1 + factor * days / s) ** -W[20]


def good_stability(s: float, d: float, r: float) -> float:
    return s * (1 + math.exp(W[8]) * (11 - d) * s ** -W[9] * (math.exp((1 - r) * W[10]) - 1))


def card(s: float, days_ago: int, d: float = 5.0, state: int = 2) -> CardState:
    last = NOW - timedelta(days=days_ago)
    return CardState(state, None if state == 2 else 0, s, d, last + timedelta(days=round(s)), last)


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def logit(p: float) -> float:
    return math.log(p / (1 - p))


# --- the graph --------------------------------------------------------------------------------------------------

def test_credit_decays_with_distance_and_stops_after_three_edges():
    chain = {"t": ["a"], "a": ["b"], "b": ["c"], "c": ["d"], "d": []}
    assert cr.exercised("t", chain) == {"a": (0.5, 1), "b": (0.25, 2), "c": (0.125, 3)}


def test_the_strongest_path_wins():
    prereqs = {"t": ["a", "b"], "a": ["b"], "b": []}
    weights = {("t", "a"): 0.9, ("a", "b"): 0.9, ("t", "b"): 0.3}
    assert cr.exercised("t", prereqs, weights) == {"a": (0.9, 1), "b": (pytest.approx(0.81), 2)}
    # With the default weight on the direct edge (0.5 > 0.81? no: 0.81 still wins) and a weak detour, direct wins.
    weights = {("t", "a"): 0.4, ("a", "b"): 0.4}
    assert cr.exercised("t", prereqs, weights) == {"a": (0.4, 1), "b": (0.5, 1)}


def test_depths_and_deeper_first():
    prereqs = {"a": [], "b": ["a"], "c": ["b", "a"], "d": ["c", "missing"], "e": []}
    assert cr.topic_depths(prereqs) == {"a": 0, "b": 1, "c": 2, "d": 3, "e": 0}
    due = [(1, "a"), (2, "d"), (3, "b"), (4, "e"), (5, "d")]
    assert cr.deeper_first(due, cr.topic_depths(prereqs)) == [2, 5, 3, 1, 4]


def test_depths_survive_a_cycle():
    depths = cr.topic_depths({"a": ["b"], "b": ["a"], "c": ["a"]})
    assert set(depths) == {"a", "b", "c"} and depths["c"] > depths["a"]


# --- applying credit --------------------------------------------------------------------------------------------

def test_a_pass_moves_stability_part_of_the_way_to_a_good_review():
    c = card(10, 10)  # recall exactly 0.9
    full = good_stability(10, 5.0, 0.9)
    after = cr.apply_credit(c, 0.5, cap=100, now=NOW)
    assert after.stability == pytest.approx(10 + 0.5 * (full - 10), rel=1e-6)
    # Difficulty and the last review stay; at desired retention 0.9 the interval in days is the stability, rounded.
    assert (after.difficulty, after.last_review, after.state) == (5.0, c.last_review, 2)
    assert after.due == c.last_review + timedelta(days=round(after.stability))
    # A whole review's worth gives what fsrs's own Good review gives.
    assert cr.apply_credit(c, 1.0, 100, NOW).stability == pytest.approx(review(c, 3, NOW, fuzzing=False).stability)


def test_early_credit_is_discounted():
    early, due = card(10, 7), card(10, 10)  # due in 3 days (the window's edge), recall about 0.925; due now, 0.9
    gain_early = cr.apply_credit(early, 0.5, 100, NOW).stability - 10
    gain_due = cr.apply_credit(due, 0.5, 100, NOW).stability - 10
    assert gain_early == pytest.approx(0.5 * (good_stability(10, 5.0, curve(7, 10)) - 10), rel=1e-6)
    assert gain_due == pytest.approx(0.5 * (good_stability(10, 5.0, 0.9) - 10), rel=1e-6)
    assert 0 < gain_early < gain_due


def test_credit_only_near_the_due_date():
    assert cr.CREDIT_WINDOW == timedelta(days=3)
    # Due in 4 days (and in 9): no credit at all; due in 3 days, now, or 5 days ago: credit.
    for days_ago in (6, 1):
        assert not cr.creditable(card(10, days_ago), NOW)
        assert cr.apply_credit(card(10, days_ago), 1.0, 100, NOW) == card(10, days_ago)
    for days_ago in (7, 10, 15):
        assert cr.creditable(card(10, days_ago), NOW)
        after = cr.apply_credit(card(10, days_ago), 1.0, 100, NOW)
        assert after.stability == pytest.approx(good_stability(10, 5.0, curve(days_ago, 10)), rel=1e-6)
    # implicit_credit writes no row for a card outside the window, held out or not.
    cards = {"p": [CreditTarget(k, card(10, 6), None) for k in range(10)]
             + [CreditTarget(10, card(10, 7), None)]}
    rows = cr.implicit_credit("t", card(30, 0), cards, {"t": ["p"], "p": []}, NOW, strength=1.0)
    assert [r.card_id for r in rows] == [10]


def test_credit_is_capped_and_never_lowers_stability():
    c = card(10, 10)
    assert cr.apply_credit(c, 0.5, cap=11, now=NOW).stability == 11
    assert cr.apply_credit(c, 0.5, cap=5, now=NOW) == c  # a weaker source leaves it as it was


def test_no_credit_for_cards_not_in_review_or_reviewed_today():
    assert cr.apply_credit(card(10, 10, state=1), 0.5, 100, NOW) == card(10, 10, state=1)
    assert cr.apply_credit(card(10, 0), 0.5, 100, NOW) == card(10, 0)
    fresh = new_card(NOW - timedelta(days=3))
    assert cr.apply_credit(fresh, 0.5, 100, NOW) == fresh
    assert cr.apply_credit(card(10, 10), 0.0, 100, NOW) == card(10, 10)


def test_held_out_share_and_determinism():
    last = NOW - timedelta(days=10)
    chosen = [k for k in range(2000) if cr.held_out(k, last)]
    assert chosen == [k for k in range(2000) if zlib.crc32(f"{k}|{last.isoformat()}".encode()) % 1000 < 200]
    assert 0.17 < len(chosen) / 2000 < 0.23


def _ids(n: int, held: bool, last: datetime) -> list[int]:
    return [k for k in range(100) if cr.held_out(k, last) == held][:n]


def test_a_pass_splits_credit_across_the_topics_cards():
    last = NOW - timedelta(days=10)
    p1, p2, q1 = _ids(3, False, last)
    prereqs = {"t": ["p"], "p": ["q"], "q": []}
    cards = {"p": [CreditTarget(p1, card(10, 10), None), CreditTarget(p2, card(10, 10), None)],
             "q": [CreditTarget(q1, card(10, 10), None)]}
    source = card(30, 0)
    rows = cr.implicit_credit("t", source, cards, prereqs, NOW, strength=1.0)
    by_id = {r.card_id: r for r in rows}
    assert set(by_id) == {p1, p2, q1}
    full = good_stability(10, 5.0, 0.9)
    # p: weight 0.5, split over two cards; q: 0.25 two edges away, one card.
    for cid, fraction, distance in ((p1, 0.25, 1), (p2, 0.25, 1), (q1, 0.25, 2)):
        r = by_id[cid]
        assert (r.fraction, r.distance, r.cap, r.held_out, r.strength) == (pytest.approx(fraction), distance, 30,
                                                                           False, 1.0)
        assert r.stability_after == pytest.approx(10 + fraction * (full - 10), rel=1e-6)
        assert r.recall_before == pytest.approx(0.9, abs=1e-4) and r.recall_after > r.recall_before
        assert r.card_after.stability == r.stability_after
    # Half the strength, half the fraction.
    rows = cr.implicit_credit("t", source, cards, prereqs, NOW, strength=0.5)
    assert {r.card_id: r.fraction for r in rows}[p1] == pytest.approx(0.125)


def test_refreshed_topics_nearest_first_without_held_out_rows():
    def row(topic: str, distance: int, held: bool = False) -> cr.ImplicitCredit:
        c = card(10, 10)
        return cr.ImplicitCredit(1, topic, "t", distance, NOW, 0.1, 30, 10, 11, 0.9, 0.91, c, held)

    rows = [row("matrices", 2), row("chain-rule", 1), row("matrices", 2), row("vectors", 3, held=True),
            row("algebra", 2)]
    assert cr.refreshed_topics(rows) == ["chain-rule", "algebra", "matrices"]
    assert cr.refreshed_topics([]) == []


def test_credit_capped_by_the_reviewed_card_and_the_ceiling():
    last = NOW - timedelta(days=10)
    (p1,) = _ids(1, False, last)
    prereqs = {"t": ["p"], "p": []}
    cards = {"p": [CreditTarget(p1, card(10, 10), None)]}
    (row,) = cr.implicit_credit("t", card(10.5, 0), cards, prereqs, NOW, strength=2.0)
    assert row.stability_after == 10.5 and row.cap == 10.5
    cards = {"p": [CreditTarget(p1, card(10, 10), 5.2)]}  # its own reviews gave it 5.2: ceiling 10.4
    (row,) = cr.implicit_credit("t", card(30, 0), cards, prereqs, NOW, strength=2.0)
    assert row.stability_after == pytest.approx(10.4) and row.cap == pytest.approx(10.4)


def test_held_out_cards_get_a_row_and_no_change():
    last = NOW - timedelta(days=10)
    (h,) = _ids(1, True, last)
    cards = {"p": [CreditTarget(h, card(10, 10), None)]}
    (row,) = cr.implicit_credit("t", card(30, 0), cards, {"t": ["p"], "p": []}, NOW, strength=1.0)
    assert row.held_out and row.card_after == card(10, 10) and row.stability_after == row.stability_before == 10


def test_no_credit_at_zero_strength_or_from_an_unreviewed_source():
    cards = {"p": [CreditTarget(1, card(10, 10), None)]}
    prereqs = {"t": ["p"], "p": []}
    assert cr.implicit_credit("t", card(30, 0), cards, prereqs, NOW, strength=0.0) == []
    assert cr.implicit_credit("t", new_card(NOW), cards, prereqs, NOW, strength=1.0) == []


def test_replay_rebuilds_a_card_from_reviews_and_credits():
    t0 = NOW - timedelta(days=20)
    reviews = [(3, t0, None), (3, t0 + timedelta(minutes=10), None), (3, t0 + timedelta(days=3), None)]
    c = new_card(t0)
    c = review(c, 3, t0, fuzzing=False)
    c = review(c, 3, t0 + timedelta(minutes=10), fuzzing=False)
    c = review(c, 3, t0 + timedelta(days=3), fuzzing=False)
    assert c.due == t0 + timedelta(days=14)  # stability about 11 after the review on day 3
    # A credit on day 8 (due in 6 days) is outside the window and changes nothing; one on day 12 counts.
    assert cr.apply_credit(c, 0.3, 50.0, t0 + timedelta(days=8)) == c
    credits = [(t0 + timedelta(days=8), 0.3, 50.0), (t0 + timedelta(days=12), 0.3, 50.0)]
    c = cr.apply_credit(c, 0.3, 50.0, t0 + timedelta(days=12))
    assert cr.replay_with_credits(reviews, credits, t0) == c
    assert cr.replay_with_credits(reviews, [], t0).stability < c.stability


@settings(max_examples=100, deadline=None)
@given(st.floats(0.5, 300), st.integers(1, 400), st.floats(1, 10), st.floats(0, 1), st.floats(0, 1),
       st.floats(0.1, 500))
def test_credit_is_bounded_and_monotone(s, days, d, f1, f2, cap):
    c = card(s, days, d)
    lo, hi = sorted((f1, f2))
    a, b = cr.apply_credit(c, lo, cap, NOW), cr.apply_credit(c, hi, cap, NOW)
    assert s <= a.stability <= b.stability <= max(s, cap) + 1e-9
    assert b.stability <= review(c, 3, NOW, fuzzing=False).stability + 1e-9
    assert a.last_review == c.last_review


# --- a failed review --------------------------------------------------------------------------------------------

def test_a_failure_names_the_weakest_prerequisites():
    prereqs = {"t": ["a", "b", "c"], "a": [], "b": [], "c": []}
    cards = {"a": [CreditTarget(1, card(10, 10), None), CreditTarget(2, card(10, 40), None)],  # 0.9 and 0.78
             "b": [CreditTarget(3, card(10, 20), None)],  # about 0.84
             "c": [CreditTarget(4, new_card(NOW), None)]}  # never reviewed: nothing to probe
    probes = cr.weakest_prerequisites("t", cards, prereqs, NOW)
    assert [(p.topic, p.card_id) for p in probes] == [("a", 2), ("b", 3)]
    assert probes[0].recall == pytest.approx(curve(40, 10), abs=1e-4)
    assert probes[1].recall == pytest.approx(curve(20, 10), abs=1e-4)
    assert [p.topic for p in cr.weakest_prerequisites("t", cards, prereqs, NOW, limit=1)] == ["a"]
    assert cr.weakest_prerequisites("a", cards, prereqs, NOW) == []


# --- calibration ------------------------------------------------------------------------------------------------

def credited(recalled: bool, strength: float = 1.0) -> Observation:
    # FSRS predicts 0.5 without the credit and sigmoid(1) with it: one unit of log-odds at this strength.
    return Observation(sigmoid(1.0), 0.5, recalled, strength)


def test_best_strength_is_the_maximum_likelihood_one():
    # Two of three credited cards recalled: the best prediction is 2/3, i.e. log-odds ln 2 = s * 1.
    assert cr.best_strength([credited(True), credited(True), credited(False)]) == pytest.approx(math.log(2))
    # Observations made at strength 0.5 carry twice the log-odds per unit of strength.
    obs = [credited(True, 0.5), credited(True, 0.5), credited(False, 0.5)]
    assert cr.best_strength(obs) == pytest.approx(math.log(2) / 2)


def test_calibration_shrinks_towards_zero_without_transfer():
    # Credited cards recalled half the time, as if there were no credit (FSRS says 0.5 without it).
    obs = [credited(True), credited(False)] * 5
    assert cr.best_strength(obs) == pytest.approx(0.0, abs=1e-9)
    assert cr.calibrate(1.0, obs) == pytest.approx(1.0 * 20 / (10 + 20))
    # More of the same evidence takes it further towards zero.
    s = 1.0
    for _ in range(10):
        s = cr.calibrate(s, obs)
    assert s == pytest.approx((20 / 30) ** 10)
    assert cr.calibrate(1.0, [credited(False)] * 3) == pytest.approx(20 / 23)


def test_calibration_grows_but_stays_bounded():
    obs = [credited(True)] * 50
    assert cr.best_strength(obs) == cr.MAX_STRENGTH
    assert cr.calibrate(0.5, obs) == pytest.approx(0.5 + (2.0 - 0.5) * 50 / 70)


def test_calibration_needs_credited_observations():
    held = [Observation(0.8, 0.8, True, held_out=True)] * 4
    assert cr.best_strength(held) is None
    assert cr.calibrate(0.7, held) == 0.7
    assert cr.calibrate(0.7, []) == 0.7


def test_held_out_cards_correct_for_a_learner_who_beats_fsrs():
    # Held-out cards predicted at 0.5 are recalled 3 times in 4: the offset d solves the ridge-penalised
    # likelihood's first-order condition 4 sigmoid(d) - 3 + 2 d = 0 (found here by bisection).
    held = [Observation(0.5, 0.5, y, held_out=True) for y in (True, True, True, False)]
    lo, hi = -5.0, 5.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if 4 * sigmoid(mid) - 3 + cr.OFFSET_PRIOR * mid > 0:
            hi = mid
        else:
            lo = mid
    assert cr.base_offset(held) == pytest.approx(lo, abs=1e-9)
    assert 0 < lo < logit(0.75)
    # Credited cards recalled at exactly that shifted rate: no transfer left to explain.
    rate = sigmoid(lo)
    assert cr.best_strength(held + [credited(True)] * 3 + [credited(False)] * 1) > 0  # 0.75 > rate
    n_true = 1000
    obs = held + [credited(True)] * round(n_true * rate) + [credited(False)] * round(n_true * (1 - rate))
    assert cr.best_strength(obs) == pytest.approx(0.0, abs=2e-3)


def test_credit_uses_the_learners_own_memory_model():
    """With fitted parameters, a credit is a fraction of the Good review *those* parameters give, and the card's
    next interval comes from their forgetting curve (its decay is w20), not FSRS's defaults. Computed here from
    the formulas with the fitted weights."""
    p = list(W)
    p[8], p[9], p[10], p[20] = 1.6, 0.2, 1.0, 0.3
    p = tuple(p)
    c = card(10, 10)  # reviewed 10 days ago with stability 10: recall exactly 0.9 under any decay
    good = 10 * (1 + math.exp(p[8]) * (11 - 5.0) * 10 ** -p[9] * (math.exp((1 - 0.9) * p[10]) - 1))
    s_new = 10 + 0.5 * (good - 10)
    factor = 0.9 ** (-1 / p[20]) - 1
    days = round(s_new / factor * (0.85 ** (-1 / p[20]) - 1))  # FSRS's interval at desired retention 0.85
    after = cr.apply_credit(c, 0.5, cap=100, now=NOW, desired_retention=0.85, parameters=p)
    assert after.stability == pytest.approx(s_new, rel=1e-6)
    assert after.due == c.last_review + timedelta(days=days)
    defaults = cr.apply_credit(c, 0.5, cap=100, now=NOW, desired_retention=0.85)
    assert abs(defaults.stability - after.stability) > 0.5 and defaults.due != after.due
    # and the same through implicit_credit (card "c3" is not one of the held-out ones)
    assert not cr.held_out("c3", c.last_review)
    cards = {"p": [CreditTarget("c3", c, None)]}
    (row,) = cr.implicit_credit("t", card(40, 0), cards, {"t": ["p"], "p": []}, NOW, strength=0.5,
                                desired_retention=0.85, parameters=p)
    assert row.card_after == cr.apply_credit(c, row.fraction, row.cap, NOW, 0.85, p) != c
    assert row.stability_after == row.card_after.stability
