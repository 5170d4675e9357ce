"""Placement: the adaptive diagnostic's core (mlpath.core.placement).

Hand-computed cases use a flat prior (prior=0.5), where the model is plain arithmetic on log-odds; the level mixture
is checked against Bayes' rule computed directly from its definition; simulated learners check the behaviour."""

from __future__ import annotations

import json
import math
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpath.core import placement as pl
from mlpath.core.model import Area, Roadmap, Topic
from mlpath.core.placement import Noise, Outcome

SLIP, GUESS = 0.1, 0.25
NOISE = Noise(slip=SLIP, default_guess=GUESS)


def roadmap(edges: dict[str, list[str]], areas: dict[str, str] | None = None, questions: dict[str, int] | None = None):
    areas = areas or {}
    questions = questions or {}
    area_ids = sorted(set(areas.values()) | {"a"})
    topics = [Topic(id=t, title=t, area=areas.get(t, "a"), summary="s", hours=1.0, prerequisites=tuple(ps),
                    questions=questions.get(t, 3)) for t, ps in edges.items()]
    return Roadmap([Area(a, a, i) for i, a in enumerate(area_ids)], topics)


def h(p: float) -> float:
    return -(p * math.log(p) + (1 - p) * math.log(1 - p))


# --- the chain a -> b -> c, flat prior 1/2 ---------------------------------------------------------------------

CHAIN = {"a": [], "b": ["a"], "c": ["b"]}
# after a right answer (guess 1/4): odds 1 * 0.9 / 0.25 = 18/5, so P = 18/23; after a wrong one: odds 0.1 / 0.75 = 2/15,
# so P = 2/17; after "I don't know": odds 0.1 / 1, so P = 1/11.
P_RIGHT, P_WRONG, P_DK = 18 / 23, 2 / 17, 1 / 11


def flat(edges=CHAIN, **kw):
    return pl.start(edges, prior=0.5, noise=NOISE, **kw)


def test_first_probe_is_the_largest_hand_computed_gain():
    g_plus = h(0.5) - h(P_RIGHT)  # entropy removed from one topic by a right answer that reaches it
    g_minus = h(0.5) - h(P_WRONG)
    p_right = 0.5 * 0.9 + 0.5 * 0.25  # 0.575
    # a right answer reaches the topic and its ancestors; a wrong one the topic and its descendants
    expected = {"a": p_right * 1 * g_plus + (1 - p_right) * 3 * g_minus,
                "b": p_right * 2 * g_plus + (1 - p_right) * 2 * g_minus,
                "c": p_right * 3 * g_plus + (1 - p_right) * 1 * g_minus}
    state = flat()
    for t, gain in expected.items():
        assert pl.expected_gain(state, t) == pytest.approx(gain)
    assert pl.next_probe(state) == max(expected, key=expected.get) == "a"


def test_pass_raises_the_topic_and_its_prerequisites_only():
    b = pl.beliefs(pl.record(flat(), "b", Outcome.CORRECT, guess=GUESS))
    assert b == pytest.approx({"a": P_RIGHT, "b": P_RIGHT, "c": 0.5})


def test_fail_lowers_the_topic_and_its_dependents_only():
    b = pl.beliefs(pl.record(flat(), "b", Outcome.WRONG, guess=GUESS))
    assert b == pytest.approx({"a": 0.5, "b": P_WRONG, "c": P_WRONG})


def test_dont_know_is_not_a_guess():
    beliefs = [pl.beliefs(pl.record(flat(), "b", Outcome.DONT_KNOW, guess=g)) for g in (0.01, 0.25, 0.5)]
    for b in beliefs:
        assert b == pytest.approx({"a": 0.5, "b": P_DK, "c": P_DK})
    # stronger evidence of not knowing than a wrong answer to a choice question, which could be a guess gone wrong
    assert P_DK < P_WRONG


def test_guess_probability_sets_the_weight_of_a_right_answer():
    right_tf = pl.beliefs(pl.record(flat(), "c", Outcome.CORRECT, guess=0.5))["c"]
    right_free = pl.beliefs(pl.record(flat(), "c", Outcome.CORRECT, guess=0.02))["c"]
    assert right_tf == pytest.approx(0.9 / (0.9 + 0.5))  # prior odds 1 times 0.9 / 0.5
    assert right_free == pytest.approx(0.9 / (0.9 + 0.02))


def test_two_answers_combine_along_the_graph():
    # c right (odds x 18/5 for a, b, c), then a wrong (odds x 2/15 for a, b, c): a, b, c all at 18/5 * 2/15 = 12/25
    s = pl.record(pl.record(flat(), "c", Outcome.CORRECT), "a", Outcome.WRONG)
    assert pl.beliefs(s) == pytest.approx({t: 12 / 37 for t in "abc"})


def test_guess_probabilities_of_question_kinds():
    assert pl.guess_probability({"kind": "choice", "options": ["w", "x", "y", "z"]}) == 0.25
    assert pl.guess_probability({"kind": "true_false", "answer": True}) == 0.5
    assert pl.guess_probability({"kind": "multi", "options": ["x", "y", "z"]}) == pytest.approx(1 / 7)
    assert pl.guess_probability({"kind": "numeric", "answer": 2.0}) < 0.05
    qs = [{"topic": "a", "kind": "true_false"}, {"topic": "a", "kind": "choice", "options": ["x", "y"]},
          {"topic": "b", "kind": "choice", "options": ["x", "y", "z", "w", "v"]}]
    assert pl.topic_guesses(qs) == pytest.approx({"a": 0.5, "b": 0.2})


# --- the level mixture, against Bayes' rule from its definition ----------------------------------------------------

def level_prior(theta: float, n: int, up: int, down: int) -> float:
    return min(max((theta * n - up) / (n - up - down), 0.02), 0.98)


@pytest.mark.parametrize("outcome,ratio", [(Outcome.CORRECT, Fraction(9, 10) / Fraction(1, 4)),
                                           (Outcome.WRONG, Fraction(1, 10) / Fraction(3, 4)),
                                           (Outcome.DONT_KNOW, Fraction(1, 10))])
def test_level_mixture_is_bayes_for_the_answered_topic(outcome, ratio):
    # chain a -> b -> c: b has one topic upstream and one downstream; levels theta = k / (L - 1), equally likely
    levels = pl.LEVELS
    priors = [Fraction(level_prior(k / (levels - 1), 3, 1, 1)) for k in range(levels)]
    known = sum(p * ratio for p in priors)  # P(answer, b known) up to the common factor P(answer | unknown) / 11
    unknown = sum(1 - p for p in priors)
    state = pl.record(pl.start(CHAIN, noise=NOISE), "b", outcome, guess=GUESS)
    assert pl.beliefs(state)["b"] == pytest.approx(float(known / (known + unknown)))
    prior_state = pl.start(CHAIN, noise=NOISE)
    assert pl.beliefs(prior_state)["b"] == pytest.approx(float(sum(priors) / levels))


def test_answers_inform_unrelated_topics_through_the_levels():
    # two separate chains: passing the end of one makes the other's first topic likelier known, failing the first
    # of one makes the other's last topic less likely known
    edges = {"x1": [], "x2": ["x1"], "x3": ["x2"], "y1": [], "y2": ["y1"], "y3": ["y2"]}
    start = pl.beliefs(pl.start(edges, noise=NOISE))
    passed = pl.beliefs(pl.record(pl.start(edges, noise=NOISE), "x3", Outcome.CORRECT))
    failed = pl.beliefs(pl.record(pl.start(edges, noise=NOISE), "x1", Outcome.WRONG))
    assert passed["y1"] > start["y1"]
    assert failed["y3"] < start["y3"]


# --- the proposal -------------------------------------------------------------------------------------------------

def test_proposal_by_area_and_frontier():
    rm = roadmap({"m1": [], "m2": ["m1"], "p1": [], "p2": ["p1", "m1"], "p3": ["p2"]},
                 areas={"m1": "maths", "m2": "maths", "p1": "prog", "p2": "prog", "p3": "prog"})
    s = pl.start(rm, prior=0.5, noise=NOISE)
    s = pl.record(s, "p2", Outcome.CORRECT)
    s = pl.record(s, "p2", Outcome.CORRECT)  # odds (18/5)^2 = 12.96: P = 0.928 for p2, p1, m1
    s = pl.record(s, "m2", Outcome.WRONG)
    prop = pl.proposal(s)
    assert prop.known == {"m1", "p1", "p2"}
    assert prop.known_by_area == {"maths": ("m1",), "prog": ("p1", "p2")}
    assert prop.frontier == ("m2", "p3")
    assert prop.beliefs["p2"] == pytest.approx(12.96 / 13.96)


def test_proposal_threshold():
    s = pl.record(flat(), "b", Outcome.CORRECT)  # a, b at 18/23 = 0.783
    assert pl.proposal(s, 0.8).known == frozenset()
    assert pl.proposal(s, 0.75).known == {"a", "b"}
    assert pl.proposal(s, 0.75).frontier == ("c",)


@st.composite
def dags(draw):
    n = draw(st.integers(1, 14))
    edges = {}
    for i in range(n):
        earlier = [f"t{j}" for j in range(i)]
        edges[f"t{i}"] = draw(st.lists(st.sampled_from(earlier), max_size=3, unique=True)) if earlier else []
    names = list(edges)
    order = draw(st.permutations(names))  # the mapping's order need not be topological
    return {t: edges[t] for t in order}


@settings(max_examples=60, deadline=None)
@given(dags(), st.data(), st.sampled_from([None, 0.5, 0.3]), st.sampled_from([0.5, 0.8, 0.95]))
def test_proposal_is_down_closed_and_frontier_is_exact(edges, data, prior, threshold):
    s = pl.start(edges, prior=prior, noise=NOISE)
    for _ in range(data.draw(st.integers(0, 8))):
        topic = data.draw(st.sampled_from(list(edges)))
        s = pl.record(s, topic, data.draw(st.sampled_from(list(Outcome))), guess=data.draw(st.floats(0.01, 0.6)))
    prop = pl.proposal(s, threshold)
    b = pl.beliefs(s)
    for t in prop.known:
        assert all(p in prop.known for p in edges[t])
    for t in edges:
        in_frontier = t not in prop.known and all(p in prop.known for p in edges[t])
        assert (t in prop.frontier) == in_frontier
    # the known set is the largest down-closed set of topics at or above the threshold (up to rounding at the cut)
    def largest(cut):
        out: set[str] = set()
        changed = True
        while changed:
            changed = False
            for t in edges:
                if t not in out and b[t] >= cut and all(p in out for p in edges[t]):
                    out.add(t)
                    changed = True
        return out

    assert largest(threshold + 1e-9) <= prop.known <= largest(threshold - 1e-9)
    if prior == 0.5:  # with a flat prior the beliefs themselves never increase along an edge
        for t, ps in edges.items():
            for p in ps:
                assert b[p] >= b[t] - 1e-9


# --- the state machine ----------------------------------------------------------------------------------------------

def test_budget_and_one_question_per_topic():
    s = flat(max_questions=2)
    asked = []
    while (t := pl.next_probe(s)) is not None:
        assert t not in asked
        asked.append(t)
        s = pl.record(s, t, Outcome.CORRECT)
    assert len(asked) == 2 and pl.is_done(s)


def test_stops_when_every_topic_is_clear():
    # b right twice makes a and b clear (odds 12.96: 0.93), c is still 0.5: not done
    s = flat()
    s = pl.record(pl.record(s, "b", Outcome.CORRECT), "b", Outcome.CORRECT)
    assert not pl.is_done(s)
    s = pl.record(s, "c", Outcome.WRONG, guess=0.5)  # a true/false question: c's odds 0.1 / 0.5, P = 1/6 > 0.15
    assert not pl.is_done(s)
    s = pl.record(s, "c", Outcome.DONT_KNOW)  # odds 0.2 * 0.1: P = 0.0196
    assert pl.is_done(s) and pl.next_probe(s) is None


def test_only_topics_with_questions_are_probed():
    rm = roadmap({"a": [], "b": ["a"], "c": ["b"]}, questions={"a": 2, "b": 0, "c": 1})
    s = pl.start(rm, max_questions=10)
    asked = set()
    while (t := pl.next_probe(s)) is not None:
        asked.add(t)
        s = pl.record(s, t, Outcome.CORRECT)
    assert asked == {"a", "c"}


def test_area_probes_the_area_and_places_its_prerequisites():
    rm = roadmap({"m1": [], "m2": ["m1"], "d1": ["m2"], "d2": ["d1"], "x": []},
                 areas={"m1": "maths", "m2": "maths", "d1": "dl", "d2": "dl", "x": "other"})
    s = pl.start(rm, area="dl", max_questions=10, noise=NOISE)
    assert set(pl.beliefs(s)) == {"m1", "m2", "d1", "d2"}
    asked = set()
    while (t := pl.next_probe(s)) is not None:
        asked.add(t)
        s = pl.record(s, t, Outcome.CORRECT, guess=0.02)  # free answers: strong evidence
    assert asked == {"d1", "d2"}
    assert pl.proposal(s).known == {"m1", "m2", "d1", "d2"}
    with pytest.raises(ValueError):
        pl.start(rm, area="nope")


def test_state_round_trips_through_plain_data():
    rm = roadmap({"a": [], "b": ["a"], "c": ["b"], "d": ["a"], "e": ["c", "d"]})
    s = pl.start(rm, max_questions=7)
    for outcome in (Outcome.CORRECT, Outcome.WRONG, Outcome.DONT_KNOW):
        s = pl.record(s, pl.next_probe(s), outcome, guess=0.2)
    data = json.loads(json.dumps(s.to_dict()))
    again = pl.resume(rm, data)
    assert pl.beliefs(again) == pytest.approx(pl.beliefs(s))
    assert again.answers == s.answers and again.max_questions == 7
    assert pl.next_probe(again) == pl.next_probe(s)
    assert s.answers != pl.record(s, "a", Outcome.CORRECT).answers  # record returns a new state
    assert len(s.answers) == 3


def test_cycle_is_refused():
    with pytest.raises(ValueError):
        pl.start({"a": ["b"], "b": ["a"]})


def test_deep_chain_needs_no_recursion():
    n = 5000
    edges = {f"t{i}": [f"t{i - 1}"] if i else [] for i in range(n)}
    s = pl.record(pl.start(edges, prior=0.5), f"t{n - 1}", Outcome.CORRECT)
    assert pl.beliefs(s)["t0"] == pytest.approx(18 / 23)  # default noise: slip 0.1, guess 0.25
    assert len(pl.proposal(s, 0.75).known) == n


# --- simulated learners --------------------------------------------------------------------------------------------

def random_pack(rng: random.Random, n: int) -> dict[str, list[str]]:
    edges = {}
    for i in range(n):
        k = rng.choice([0, 1, 1, 2, 2, 3]) if i else 0
        edges[f"t{i}"] = sorted({f"t{rng.randrange(max(0, i - 8), i)}" for _ in range(k)}) if i else []
    return edges


def down_closed(edges: dict[str, list[str]], rng: random.Random) -> set[str]:
    """A random down-closed set, two ways in turn: the first k topics of a random study order (k uniform), or, in
    prerequisite order, each topic whose prerequisites are in joining with one probability drawn per learner."""
    if rng.random() < 0.5:
        done: set[str] = set()
        order = []
        ready = [t for t, ps in edges.items() if not ps]
        while ready:
            t = ready.pop(rng.randrange(len(ready)))
            order.append(t)
            done.add(t)
            ready += [d for d, ps in edges.items() if t in ps and all(p in done for p in ps)]
        return set(order[: rng.randint(0, len(order))])
    share = rng.random()
    known: set[str] = set()
    for t, ps in edges.items():  # random_pack lists prerequisites before their dependents
        if all(p in known for p in ps) and rng.random() < share:
            known.add(t)
    return known


def simulate(edges, answer, max_questions=25, guess=0.25):
    s = pl.start(edges, max_questions=max_questions)
    while (t := pl.next_probe(s)) is not None:
        s = pl.record(s, t, answer(t), guess=guess)
    return s


def test_all_right_places_far_along_all_wrong_and_dont_know_place_nothing():
    edges = random_pack(random.Random(7), 120)
    right = simulate(edges, lambda t: Outcome.CORRECT)
    assert len(pl.proposal(right).known) >= 0.9 * len(edges)
    for outcome in (Outcome.WRONG, Outcome.DONT_KNOW):
        s = simulate(edges, lambda t: outcome)
        assert pl.proposal(s).known == frozenset()
        assert all(a.outcome is outcome for a in s.answers)


def test_noiseless_learner_is_placed_exactly():
    edges = {"a": [], "b": ["a"], "c": ["b"], "d": ["c"], "x": [], "y": ["x"], "z": ["y", "b"]}
    truth = {"a", "b", "c", "x"}
    s = simulate(edges, lambda t: Outcome.CORRECT if t in truth else Outcome.DONT_KNOW, max_questions=len(edges),
                 guess=0.02)
    assert pl.proposal(s).known == truth


def test_seeded_noisy_learners_are_placed_accurately():
    # 16 learners on a 60-topic pack, 20 questions each, slip 0.1 and guess 0.25: the share of topics classified
    # right (belief >= 0.5) is high, and well above what the best constant answer (all known or all unknown, chosen
    # per learner with hindsight) would get
    rng = random.Random(1)
    edges = random_pack(rng, 60)
    correct = constant = total = 0
    for _ in range(16):
        truth = down_closed(edges, rng)

        def answer(t):
            if t in truth:
                return Outcome.WRONG if rng.random() < SLIP else Outcome.CORRECT
            return Outcome.CORRECT if rng.random() < GUESS else Outcome.WRONG

        known = pl.proposal(simulate(edges, answer, max_questions=20), 0.5).known
        correct += sum((t in known) == (t in truth) for t in edges)
        constant += max(len(truth), len(edges) - len(truth))
        total += len(edges)
    assert correct / total >= 0.85
    assert correct / total >= constant / total + 0.08


@pytest.fixture(scope="module")
def shipped():
    from mlpath import paths
    from mlpath.packs import loader as content

    result = content.load(paths.content_dir())
    return result.roadmap, pl.topic_guesses(result.questions)


@pytest.mark.parametrize("outcome", list(Outcome))
def test_shipped_roadmap_uniform_answers(shipped, outcome):
    rm, guesses = shipped
    s = pl.start(rm, guesses=guesses)
    while (t := pl.next_probe(s)) is not None:
        assert rm.by_id[t].questions > 0
        s = pl.record(s, t, outcome, guess=guesses[t])
    prop = pl.proposal(s)
    assert len(s.answers) <= 25
    if outcome is Outcome.CORRECT:
        assert len(prop.known) >= 0.8 * len(rm.topics)
    else:  # nothing placed: the frontier is where a beginner starts, the topics without prerequisites
        assert prop.known == frozenset()
        assert set(prop.frontier) == {t.id for t in rm.topics if not t.prerequisites}
