"""The FSRS seam, with fixed UTC times and fuzzing off: same answers as the fsrs package itself."""

from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, Scheduler

from mlpath.core import scheduling

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def test_new_card_good_goes_to_the_second_learning_step():
    card = scheduling.review(scheduling.new_card(T0), 3, T0, fuzzing=False)
    assert card.due == T0 + timedelta(minutes=10)
    assert card.state == 1 and card.last_review == T0


def test_matches_the_fsrs_package_over_a_sequence():
    ratings = [3, 3, 1, 3, 4, 2, 3, 3]
    ours = scheduling.new_card(T0)
    theirs = Card(card_id=1, due=T0)
    sched = Scheduler(enable_fuzzing=False)
    now = T0
    for r in ratings:
        ours = scheduling.review(ours, r, now, fuzzing=False)
        theirs, _ = sched.review_card(theirs, Rating(r), now)
        assert ours.due == theirs.due
        assert ours.stability == pytest.approx(theirs.stability)
        assert ours.difficulty == pytest.approx(theirs.difficulty)
        now = ours.due + timedelta(hours=1)
    assert ours.due - T0 > timedelta(days=10)  # it has graduated to long intervals


def test_retention_setting_changes_intervals():
    def interval(retention):
        c = scheduling.new_card(T0)
        now = T0
        for _ in range(4):
            c = scheduling.review(c, 3, now, desired_retention=retention, fuzzing=False)
            now = c.due
        return c.due - c.last_review

    assert interval(0.8) > interval(0.9) > interval(0.97)


def test_retrievability_falls_with_time_and_is_zero_for_unseen():
    c = scheduling.review(scheduling.new_card(T0), 3, T0, fuzzing=False)
    c = scheduling.review(c, 3, c.due, fuzzing=False)
    later = [scheduling.retrievability(c, c.last_review + timedelta(days=d)) for d in (1, 10, 100)]
    assert later[0] > later[1] > later[2] > 0
    assert scheduling.retrievability(scheduling.new_card(T0), T0) == 0


def test_replay_rebuilds_a_card_from_its_log():
    c = scheduling.new_card(T0)
    log, now = [], T0
    for r in (3, 3, 1, 3):
        c = scheduling.review(c, r, now, fuzzing=False)
        log.append((r, now, 1000))
        now = c.due
    assert scheduling.replay(log, T0) == c


def test_naive_time_is_refused():
    with pytest.raises(ValueError):
        scheduling.new_card(datetime(2026, 1, 1))
