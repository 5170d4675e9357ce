"""Mastery per topic: exact, hand-computed cases for every state and edge.

Predicted recall is checked against FSRS's forgetting curve written out here, R = (1 + F t / S) ^ -decay with
F = 0.9 ^ (-1 / decay) - 1, so that R = 0.9 exactly when the days elapsed equal the stability.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpath.core.mastery import (FADING_MARGIN, LEARNED_COVERAGE, MASTERED_STABILITY_DAYS, UNCONSOLIDATED_WEIGHT,
                                 CardEvidence, MasteryState, passed_after_gap, topic_mastery)
from mlpath.core.scheduling import CardState

NOW = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
DECAY = 0.1542  # fsrs's default parameters[20]


def curve(days: int, stability: float) -> float:
    factor = 0.9 ** (-1 / DECAY) - 1
    return (1 + factor * days / stability) ** -DECAY


def card(stability: float, days_ago: int, due_in: float = 1.0, state: int = 2, reps: int = 3, lapses: int = 0,
         gap: bool = True) -> CardEvidence:
    c = CardState(state, None if state == 2 else 0, stability, 5.0, NOW + timedelta(days=due_in),
                  NOW - timedelta(days=days_ago))
    return CardEvidence(c, reps, lapses, gap)


def unseen_card() -> CardEvidence:
    return CardEvidence(CardState(1, 0, None, None, NOW, None), 0, 0, False)


def test_constants_are_the_documented_ones():
    # The README's definitions quote these numbers; changing one must change the words too.
    assert (LEARNED_COVERAGE, FADING_MARGIN, MASTERED_STABILITY_DAYS, UNCONSOLIDATED_WEIGHT) == (0.6, 0.10, 21.0, 0.5)


def test_the_curve_here_is_fsrs_curve():
    from mlpath.core.scheduling import retrievability

    for s, days in ((10, 10), (3.2, 7), (40, 1), (10, 40)):
        assert retrievability(card(s, days).card, NOW) == pytest.approx(curve(days, s), abs=1e-4)
    assert curve(10, 10) == pytest.approx(0.9)


def test_no_cards():
    m = topic_mastery([], 5, NOW, 0.9)
    assert m.state is MasteryState.UNSEEN
    assert (m.value, m.seen, m.total, m.passed_after_gap, m.next_due, m.due_in_days) == (0.0, 0, 5, 0, None, None)
    assert m.more_questions == 3  # 60% of 5


def test_cards_never_answered_are_unseen():
    m = topic_mastery([unseen_card(), unseen_card()], 4, NOW, 0.9)
    assert (m.state, m.seen, m.total, m.more_questions) == (MasteryState.UNSEEN, 0, 4, 3)


def test_topic_without_questions():
    m = topic_mastery([], 0, NOW, 0.9)
    assert (m.state, m.value, m.total, m.more_questions) == (MasteryState.UNSEEN, 0.0, 0, 0)


def test_one_pass_the_same_day_is_learning():
    # Answered today, twice in the learning steps: recall 1 now, but no pass after a gap yet.
    m = topic_mastery([card(2.3, 0, due_in=2, state=1, reps=2, gap=False)], 4, NOW, 0.9)
    assert m.state is MasteryState.LEARNING
    assert m.value == pytest.approx(0.5 * 1.0 / 4)
    assert (m.seen, m.total, m.passed_after_gap) == (1, 4, 0)
    assert m.more_questions == 3  # ceil(0.6 * 4) = 3 still to pass after a gap
    assert m.due_in_days == pytest.approx(2.0)
    assert m.next_due == NOW + timedelta(days=2)


def test_pass_after_gap_counts_fully():
    # Two of three questions passed after a gap, each at exactly its stability (recall 0.9): learned.
    cards = [card(10, 10, due_in=0.5), card(10, 10, due_in=3)]
    m = topic_mastery(cards, 3, NOW, 0.9)
    assert m.state is MasteryState.LEARNED
    assert m.value == pytest.approx((0.9 + 0.9) / 3)
    assert (m.seen, m.passed_after_gap, m.more_questions) == (2, 2, 1)
    assert m.due_in_days == pytest.approx(0.5)


def test_one_short_of_the_learned_share_is_learning():
    # 5 questions: learned needs 3 passed after a gap; 2 passed and 1 answered only on the day are not enough.
    cards = [card(10, 10), card(10, 10), card(2, 0, gap=False)]
    m = topic_mastery(cards, 5, NOW, 0.9)
    assert m.state is MasteryState.LEARNING
    assert m.more_questions == 1
    assert m.value == pytest.approx((0.9 + 0.9 + 0.5 * 1.0) / 5)


def test_mastered_needs_every_question_and_three_weeks_of_stability():
    cards = [card(30, 30, due_in=4), card(25, 25, due_in=9)]
    m = topic_mastery(cards, 2, NOW, 0.9)
    assert m.state is MasteryState.MASTERED
    assert m.value == pytest.approx(0.9)
    assert m.more_questions == 0
    # One card below 21 days of stability: learned, and what raises it is time (the next due review).
    m = topic_mastery([card(30, 30, due_in=4), card(20, 20, due_in=9)], 2, NOW, 0.9)
    assert m.state is MasteryState.LEARNED
    assert (m.more_questions, m.due_in_days) == (0, pytest.approx(4.0))
    # A question not yet seen: learned, one more to answer.
    m = topic_mastery(cards, 3, NOW, 0.9)
    assert (m.state, m.more_questions) == (MasteryState.LEARNED, 1)


def test_fading_when_recall_dropped_well_below_the_target():
    # Learned with stability 10, then 40 days without review: recall about 0.78 < 0.9 - 0.1.
    mean = (curve(40, 12) + curve(40, 10)) / 2
    assert mean < 0.8
    cards = [card(12, 40, due_in=-10), card(10, 40, due_in=-30)]
    m = topic_mastery(cards, 2, NOW, 0.9)
    assert (m.state, m.more_questions, m.due_in_days) == (MasteryState.FADING, 0, 0.0)
    assert m.value == pytest.approx(mean, abs=1e-4)
    # The same cards, one of them still strong (stability 30): mean recall above 0.8, still learned.
    assert (curve(40, 30) + curve(40, 10)) / 2 > 0.8
    assert topic_mastery([card(30, 40), card(10, 40)], 2, NOW, 0.9).state is MasteryState.LEARNED
    assert m.next_due == NOW - timedelta(days=30)


def test_fading_depends_on_the_learners_target():
    # Mean recall 0.9 is fine for a 0.9 target, and fading for a 0.99 target (0.9 < 0.99 - 0.1 is false) ...
    cards = [card(10, 10), card(10, 10)]
    assert topic_mastery(cards, 2, NOW, 0.99).state is MasteryState.LEARNED
    # ... while recall 0.78 fades for a 0.9 target but not for a 0.85 one (0.78 > 0.75).
    cards = [card(10, 40), card(10, 40)]
    assert topic_mastery(cards, 2, NOW, 0.9).state is MasteryState.FADING
    assert topic_mastery(cards, 2, NOW, 0.85).state is MasteryState.LEARNED


def test_more_cards_than_questions_counts_the_cards():
    m = topic_mastery([card(10, 10), card(10, 10)], 1, NOW, 0.9)
    assert (m.total, m.seen, m.value) == (2, 2, pytest.approx(0.9))


def test_passed_after_gap_from_the_log():
    t = NOW
    assert not passed_after_gap([])
    assert not passed_after_gap([(t, 3)])
    assert not passed_after_gap([(t, 3), (t + timedelta(minutes=10), 3)])  # learning steps, same day
    assert passed_after_gap([(t, 3), (t + timedelta(days=1), 2)])  # Hard is a pass
    assert not passed_after_gap([(t, 3), (t + timedelta(days=3), 1)])  # Again is not
    assert not passed_after_gap([(t, 3), (t + timedelta(hours=23, minutes=59), 4)])
    # Out of order input is sorted: the pass came 2 days after the first review.
    assert passed_after_gap([(t + timedelta(days=2), 3), (t, 1)])
    # The gap is to the review just before, not to the first one.
    assert not passed_after_gap([(t, 3), (t + timedelta(days=2), 1), (t + timedelta(days=2, hours=1), 3)])


evidence = st.builds(
    lambda s, days, due, gap, seen: card(s, days, due_in=due, gap=gap) if seen else unseen_card(),
    st.floats(0.5, 400), st.integers(0, 400), st.floats(-50, 50), st.booleans(), st.booleans())


@settings(max_examples=150, deadline=None)
@given(st.lists(evidence, max_size=8), st.integers(0, 10), st.floats(0.7, 0.97))
def test_invariants(cards, total, retention):
    m = topic_mastery(cards, total, NOW, retention)
    seen = [e for e in cards if e.reps > 0]
    assert 0.0 <= m.value <= 1.0
    assert m.seen == len(seen) and m.total == max(total, len(seen))
    assert (m.state is MasteryState.UNSEEN) == (m.seen == 0)
    assert m.passed_after_gap == sum(e.passed_after_gap for e in seen)
    if m.state in (MasteryState.LEARNED, MasteryState.MASTERED, MasteryState.FADING):
        assert m.passed_after_gap >= math.ceil(LEARNED_COVERAGE * m.total)
    if m.state is MasteryState.MASTERED:
        assert m.passed_after_gap == m.total and m.more_questions == 0
    if m.seen:
        assert m.due_in_days is not None and m.due_in_days >= 0
