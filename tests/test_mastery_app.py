"""Mastery and implicit review credit through the app layer (issue 11): the quiz loop with a scripted front-end
and a fixed clock, on the mini roadmap (vectors: 6 questions; matrices: 2, needs vectors; derivatives: none)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from mlpath import settings
from mlpath.app import credit, mastery
from mlpath.app import quiz as quizzing
from mlpath.app import roadmap as services
from mlpath.app.session import open_session
from mlpath.core import credit as cr
from mlpath.core.scheduling import FSRS_DEFAULT_DECAY, CardState, retrievability
from mlpath.core.srs import Phase
from mlpath.errors import UserError
from test_quiz import RightUI, ScriptedUI

T0 = datetime(2026, 7, 1, 7, 0, tzinfo=timezone.utc)


def quiz(topics, at, new=10, ui=None):
    s = open_session(now=at)
    try:
        items = quizzing.quiz_queue(s, topics, 20, new)
        return quizzing.run_quiz(s, items, ui or RightUI([]), clock=lambda: at, learning_steps=False)
    finally:
        s.close()


def masteries(at, topics=None):
    s = open_session(now=at)
    try:
        return mastery.masteries(s, topics)
    finally:
        s.close()


def learn_both(credit_on=False, home=None):
    """vectors and matrices: every question right at T0 and ten minutes later (same day: no gap yet)."""
    if credit_on:
        home.mkdir(parents=True, exist_ok=True)
        (home / "config.toml").write_text("implicit_credit = true\n")
    assert quiz(["vectors", "matrices"], T0).answered == 8
    assert quiz(["vectors", "matrices"], T0 + timedelta(minutes=10)).answered == 8


def rows(sql, at=T0):
    s = open_session(now=at)
    try:
        return s.conn.execute(sql).fetchall()
    finally:
        s.close()


# --- the forgetting curve without the fsrs package -------------------------------------------------------------

def test_default_decay_is_the_packages():
    from fsrs import Scheduler

    DEFAULT_PARAMETERS = tuple(Scheduler().parameters)
    assert FSRS_DEFAULT_DECAY == DEFAULT_PARAMETERS[20]


@hsettings(max_examples=60, deadline=None)
@given(stability=st.floats(0.01, 5000), elapsed=st.floats(0, 4000), fitted=st.booleans())
def test_retrievability_matches_fsrs(stability, elapsed, fitted):
    from fsrs import Card, Scheduler, State

    DEFAULT_PARAMETERS = tuple(Scheduler().parameters)
    params = tuple(DEFAULT_PARAMETERS[:20]) + (0.3,) if fitted else None
    last = T0
    now = T0 + timedelta(days=elapsed)
    card = CardState(Phase.REVIEW, None, stability, 5.0, now, last)
    sched = Scheduler(parameters=params) if fitted else Scheduler()
    expected = sched.get_card_retrievability(Card(state=State.Review, stability=stability, difficulty=5.0,
                                                   last_review=last, due=now), now)
    assert retrievability(card, now, parameters=params) == pytest.approx(expected, rel=1e-12)


def test_retrievability_of_a_card_never_reviewed_is_zero():
    assert retrievability(CardState(Phase.LEARNING, 0, None, None, T0, None), T0) == 0.0


# --- mastery from quizzes ---------------------------------------------------------------------------------------

def test_unseen_then_learning_then_learned(mini):
    m = masteries(T0)
    assert (m["vectors"].state, m["vectors"].seen, m["vectors"].total, m["vectors"].more_questions) == \
        ("unseen", 0, 6, 4)  # ceil(0.6 * 6)
    assert m["vectors"].raise_by == "answer 4 questions, then again on a later day"
    assert (m["derivatives"].state, m["derivatives"].total, m["derivatives"].raise_by) == \
        ("unseen", 0, "no questions yet")
    learn_both()
    m = masteries(T0 + timedelta(minutes=10))
    # same-day passes only: nothing passed after a gap; every card just answered, so recall 1, halved
    assert (m["vectors"].state, m["vectors"].seen, m["vectors"].passed_after_gap, m["vectors"].value) == \
        ("learning", 6, 0, 0.5)
    assert m["vectors"].raise_by.startswith("answer 4 more questions correctly on a later day; ")
    later = T0 + timedelta(days=5)
    assert quiz(["vectors"], later).answered == 6
    m = masteries(later)
    assert (m["vectors"].state, m["vectors"].passed_after_gap, m["vectors"].value, m["vectors"].more_questions) == \
        ("learned", 6, 1.0, 0)
    assert m["matrices"].state == "learning"


def test_evidence_is_recomputed_when_behind(mini):
    learn_both()
    later = T0 + timedelta(days=5)
    quiz(["vectors"], later)
    kept = rows("SELECT card_id, reps, passed_after_gap FROM card_evidence ORDER BY card_id")
    assert len(kept) == 8 and all(r[1] == 3 for r in kept if r[0] <= 6)
    s = open_session(now=later)
    s.conn.execute("DELETE FROM card_evidence")
    s.conn.execute("UPDATE card SET reps = reps")  # nothing else changes
    s.close()
    assert masteries(later)["vectors"].state == "learned"  # recomputed from the review log
    assert rows("SELECT card_id, reps, passed_after_gap FROM card_evidence ORDER BY card_id") == kept


def test_next_offers_a_topic_quizzes_show_learned(mini):
    learn_both()
    later = T0 + timedelta(days=5)
    quiz(["vectors"], later)
    s = open_session(now=later)
    data = services.next_topics(s)
    s.close()
    offers = [(n.kind, n.topic, n.text) for n in data.nudges]
    assert ("mark_done", "vectors", "quiz says you know vectors: `mlpath done vectors`") in offers
    assert [t.mastery.state for t in data.topics if t.id == "vectors"] == ["learned"]


def test_next_nudges_to_refresh_a_fading_prerequisite(mini):
    learn_both()
    assert quiz(["vectors"], T0 + timedelta(days=3)).answered == 6
    s = open_session(now=T0 + timedelta(days=3))
    services.change_status(s, "vectors", "done")
    s.close()
    late = T0 + timedelta(days=300)
    m = masteries(late)["vectors"]
    assert (m.state, m.due) == ("fading", 6)
    s = open_session(now=late)
    data = services.next_topics(s)
    s.close()
    assert "matrices" in [t.id for t in data.topics]
    refresh = [n for n in data.nudges if n.kind == "refresh"]
    assert [(n.topic, n.text, n.command, n.for_topic) for n in refresh] == [
        ("vectors", "refresh vectors first: 6 cards due", "mlpath quiz vectors", "matrices")]


def test_done_without_answers_notes_the_quiz(mini):
    s = open_session(now=T0)
    try:
        first = services.change_status(s, "vectors", "done")
        assert first.changed and first.status == "done"  # the learner's word stands
        assert first.quiz_first == ("vectors has 6 questions and you have answered none; "
                                    "check yourself with `mlpath quiz vectors`")
        assert services.change_status(s, "derivatives", "done").quiz_first is None  # no questions
    finally:
        s.close()
    quiz(["matrices"], T0)
    s = open_session(now=T0)
    try:
        assert services.change_status(s, "matrices", "done", force=True).quiz_first is None
    finally:
        s.close()


def test_progress_counts_learned_and_mastered_per_area(mini):
    learn_both()
    later = T0 + timedelta(days=5)
    quiz(["vectors"], later)
    s = open_session(now=later)
    p = services.progress(s)
    s.close()
    maths = [a for a in p.areas if a.id == "maths"][0].counts
    assert (maths.done, maths.learned, maths.mastered, maths.fading) == (0, 1, 0, 0)
    assert (p.counts.learned, p.counts.mastered) == (1, 0)


# --- settings --------------------------------------------------------------------------------------------------

def test_implicit_credit_setting(home):
    home.mkdir(parents=True, exist_ok=True)
    assert settings.load(home / "config.toml").implicit_credit is True  # on unless switched off (see README)
    (home / "config.toml").write_text("implicit_credit = false\n")
    assert settings.load(home / "config.toml").implicit_credit is False
    (home / "config.toml").write_text("implicit_credit = true\n")
    assert settings.load(home / "config.toml").implicit_credit is True
    (home / "config.toml").write_text('implicit_credit = "yes"\n')
    with pytest.raises(UserError, match="implicit_credit must be true or false"):
        settings.load(home / "config.toml")


# --- implicit credit -------------------------------------------------------------------------------------------

def test_switched_off_no_credit_rows(mini, home):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("implicit_credit = false\n")
    learn_both()
    quiz(["matrices"], T0 + timedelta(days=3))
    assert rows("SELECT COUNT(*) FROM implicit_credit") == [(0,)]
    assert rows("SELECT COUNT(*) FROM credit_probe") == [(0,)]


def test_a_passed_review_credits_the_prerequisites_cards(mini, home):
    learn_both(credit_on=True, home=home)
    before = {r[0]: r[1:] for r in rows("SELECT id, stability, due, last_review FROM card")}
    at = T0 + timedelta(days=3)
    result = quiz(["matrices"], at)
    assert [i["refreshed"] for i in result.items] == [["vectors"], ["vectors"]]
    credited = rows("SELECT card_id, topic_id, source_topic_id, distance, fraction, strength, held_out, "
                    "stability_before, stability_after, cap FROM implicit_credit ORDER BY id")
    assert len(credited) == 12  # two reviews x six vectors cards
    for card_id, topic, source, distance, fraction, strength, held, s_before, s_after, cap in credited:
        assert (topic, source, distance, strength) == ("vectors", "matrices", 1, 0.5)
        assert fraction == pytest.approx(0.5 * 0.5 / 6)  # strength x default edge weight / cards in vectors
        assert cap <= 2 * before[card_id][0] + 1e-12  # the ceiling: twice its own explicit stability
        if held:
            assert s_after == s_before
    # held-out cards are chosen by hashing (card, last review): left unchanged, the rest credited
    held_ids = {r[0] for r in credited if r[6]}
    vectors_ids = {r[0] for r in credited}
    for card_id in vectors_ids:
        stability, due, last = rows(f"SELECT stability, due, last_review FROM card WHERE id = {card_id}")[0]
        assert last == before[card_id][2]  # the time of the last explicit answer is kept
        if card_id in held_ids:
            assert stability == before[card_id][0]
        else:
            assert stability > before[card_id][0]
            assert stability == [r[8] for r in credited if r[0] == card_id][-1]
    # the review log holds only explicit answers
    assert rows("SELECT COUNT(*) FROM review") == [(18,)]
    assert rows("SELECT COUNT(*) FROM review WHERE topic_id = 'vectors'") == [(12,)]


def test_credited_cards_replay_from_reviews_and_credits(mini, home):
    from mlpath.store import queries
    from mlpath.store.db import from_db

    learn_both(credit_on=True, home=home)
    at = T0 + timedelta(days=3)
    quiz(["matrices"], at)
    s = open_session(now=at)
    try:
        for card_id, question_id, created in s.conn.execute(
                "SELECT card.id, card.question_id, card.created_at FROM card JOIN question q "
                "ON q.id = card.question_id WHERE q.topic_id = 'vectors'").fetchall():
            credits = [(from_db(a), f, c) for a, f, c in s.conn.execute(
                "SELECT at, fraction, cap FROM implicit_credit WHERE card_id = ? AND NOT held_out ORDER BY id",
                (card_id,))]
            rebuilt = cr.replay_with_credits(queries.reviews_of(s.conn, s.pack, question_id), credits, from_db(created))
            stored = queries.cards_for_topics(s.conn, s.pack, ["vectors"])[question_id].state
            assert rebuilt.stability == pytest.approx(stored.stability, rel=1e-9)
            assert rebuilt.due == stored.due
    finally:
        s.close()


def test_a_failed_review_flags_a_probe_asked_first(mini, home):
    learn_both(credit_on=True, home=home)
    late = T0 + timedelta(days=40)  # vectors' recall is well below the target by now
    wrong = ScriptedUI(["999", "999"])
    result = quiz(["matrices"], late, ui=wrong)
    assert (result.answered, result.wrong) == (2, 2)
    probes = rows("SELECT card_id, topic_id, source_topic_id, answered_at FROM credit_probe")
    assert len(probes) == 1  # PROBE_LIMIT weakest per direct prerequisite: vectors has one weakest card
    card_id, topic, source, answered = probes[0]
    assert (topic, source, answered) == ("vectors", "matrices", None)
    s = open_session(now=late)
    try:
        queue = quizzing.quiz_queue(s, ["vectors", "matrices"], 20, 0)
    finally:
        s.close()
    assert queue[0].card.id == card_id
    quiz(["vectors"], late + timedelta(minutes=1))
    assert rows("SELECT answered_at IS NOT NULL FROM credit_probe") == [(1,)]


def test_deeper_topics_first_with_credit_on(mini, home):
    learn_both(credit_on=True, home=home)
    late = T0 + timedelta(days=40)
    s = open_session(now=late)
    try:
        topics = [i.question["topic"] for i in quizzing.quiz_queue(s, None, 20, 0)]
    finally:
        s.close()
    assert topics == ["matrices"] * 2 + ["vectors"] * 6


def test_later_reviews_of_credited_cards_calibrate_the_strength(mini, home):
    learn_both(credit_on=True, home=home)
    quiz(["matrices"], T0 + timedelta(days=3))
    later = T0 + timedelta(days=6)
    quiz(["vectors"], later)
    obs = rows("SELECT card_id, predicted_with_credit, predicted_without_credit, recalled, strength, held_out "
               "FROM credit_observation ORDER BY card_id")
    assert len(obs) == 6
    for _, with_credit, without, recalled, strength, held in obs:
        assert recalled == 1
        assert (with_credit == without) if held else (with_credit > without)
    assert rows("SELECT COUNT(*) FROM credit_strength") == [(0,)]  # the first week starts at the first one
    observed = [cr.Observation(w, wo, bool(r), st, bool(h)) for _, w, wo, r, st, h in obs]
    week = later + timedelta(days=7)
    s = open_session(now=week)
    try:
        strength = credit.calibrate(s, week)
        assert strength == pytest.approx(cr.calibrate(cr.INITIAL_STRENGTH, observed))
        assert credit.calibrate(s, week + timedelta(days=6)) == strength  # not again within a week
        assert credit.current_strength(s) == strength
    finally:
        s.close()
    assert rows("SELECT strength, observations FROM credit_strength") == [(strength, 6)]


def test_show_lists_recent_credits(mini, home):
    learn_both(credit_on=True, home=home)
    at = T0 + timedelta(days=3)
    quiz(["matrices"], at)
    s = open_session(now=at)
    try:
        detail = services.show(s, "vectors")
    finally:
        s.close()
    applied = rows("SELECT COUNT(*) FROM implicit_credit WHERE NOT held_out")[0][0]
    assert [(c.source_topic, c.at) for c in detail.credits] == [("matrices", at), ("matrices", at)]
    assert sum(c.cards for c in detail.credits) == applied


# --- content's per-prerequisite weights ---------------------------------------------------------------------------

def _weigh(mini, text):
    path = mini / "topics" / "maths.yaml"
    path.write_text(path.read_text().replace("    prerequisites: [vectors]\n",
                                             "    prerequisites: [vectors]\n" + text, 1))


def test_content_weight_sets_the_credit_fraction(mini, home):
    _weigh(mini, "    prerequisite_weights: {vectors: 0.9}\n")
    learn_both(credit_on=True, home=home)
    quiz(["matrices"], T0 + timedelta(days=3))
    fractions = [r[0] for r in rows("SELECT fraction FROM implicit_credit")]
    assert len(fractions) == 12 and fractions == pytest.approx([0.5 * 0.9 / 6] * 12)


@pytest.mark.parametrize("text, problem", [
    ("    prerequisite_weights: {derivatives: 0.5}\n", "gives a weight for 'derivatives', which is not one of its "
                                                     "prerequisites"),
    ("    prerequisite_weights: {vectors: 0}\n", "the weight of prerequisite 'vectors' must be a number more than 0"),
    ("    prerequisite_weights: {vectors: 1.5}\n", "must be a number more than 0 and at most 1"),
    ("    prerequisite_weights: {vectors: true}\n", "must be a number more than 0 and at most 1"),
    ("    prerequisite_weights: [vectors]\n", "field 'prerequisite_weights' must be"),
])
def test_bad_content_weights_are_reported(mini, cli, text, problem):
    _weigh(mini, text)
    code, out, err = cli("content", "check")
    assert code != 0
    assert problem in out + err
