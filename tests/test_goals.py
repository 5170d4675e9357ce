"""Goals, study orders, electives and goal-aware ranking (core/goals.py, core/order.py, core/graph.py)."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpath.core.goals import UnknownGoal, estimate, goal_topics, hours_split, path
from mlpath.core.graph import descendant_counts
from mlpath.core.ranking import recommend
from mlpath.core.model import Area, Roadmap, Topic, Track
from mlpath.core.order import Order, parse_order, study_order

AREAS = [Area("maths", "Maths", 1, maths=True), Area("code", "Code", 2)]


def rm(spec, tracks=(), milestones=()):
    """spec: id -> (area, hours, prerequisites[, elective])."""
    topics = [Topic(t, t, v[0], "s", v[1], tuple(v[2]), elective=bool(v[3]) if len(v) > 3 else False)
              for t, v in spec.items()]
    return Roadmap(AREAS, topics, list(tracks), tuple(milestones))


# A small roadmap: practical p1 needs nothing, p2 needs maths m1, p3 needs m2 (which needs m1); e is an elective.
SMALL = {
    "m1": ("maths", 2, []), "m2": ("maths", 3, ["m1"]), "m3": ("maths", 4, []),
    "p1": ("code", 1, []), "p2": ("code", 5, ["p1", "m1"]), "p3": ("code", 2, ["m2"]),
    "e": ("code", 10, ["p1"], True),
}


def test_build_first_takes_maths_just_in_time():
    r = rm(SMALL)
    steps = study_order(r, {}, goal_topics(r, None), "build-first")
    assert [s.topic_id for s in steps] == ["p1", "m1", "p2", "m2", "p3", "m3"]
    assert [s.needed_for for s in steps] == [None, "p2", None, "p3", None, None]


def test_math_first_takes_what_opens_most_first():
    r = rm(SMALL)
    # m1 leads to m2, p2, p3 (3); m2 to p3 (1); p1 to p2 (1; e is an elective, not counted); the rest to nothing.
    # Ties go to the earlier area (maths), then roadmap order: after p1, m3 comes before p2 and p3.
    assert [s.topic_id for s in study_order(r, {}, goal_topics(r, None), Order.MATH_FIRST)] == \
        ["m1", "m2", "p1", "m3", "p2", "p3"]


def test_milestones_are_reached_in_turn():
    r = rm(SMALL, milestones=("p3", "p1"))
    ids = [s.topic_id for s in study_order(r, {}, goal_topics(r, None), "build-first")]
    assert ids[:3] == ["m1", "m2", "p3"] and ids[3] == "p1"
    steps = study_order(r, {}, goal_topics(r, None), "math-first")
    assert [s.heading_for for s in steps][:4] == ["p3", "p3", "p3", "p1"]


def test_goal_topics_and_electives():
    r = rm(SMALL, tracks=[Track("t", "T", "s", ("p2", "e"))])
    assert goal_topics(r, None) == {"m1", "m2", "m3", "p1", "p2", "p3"}
    assert goal_topics(r, None, include_electives=True) == set(SMALL)
    assert goal_topics(r, "p3") == {"m1", "m2", "p3"}
    assert goal_topics(r, "t") == {"p2", "p1", "m1", "e"}  # the elective is on this track's path
    with pytest.raises(UnknownGoal):
        goal_topics(r, "nope")


def test_recommend_offers_electives_only_when_asked_or_on_the_path():
    r = rm(SMALL, tracks=[Track("t", "T", "s", ("e",))])
    done = {"p1": "done"}
    assert "e" not in [x.topic.id for x in recommend(r, done)]
    assert "e" in [x.topic.id for x in recommend(r, done, include_electives=True)]
    recs = recommend(r, done, goal="t")
    assert [x.topic.id for x in recs] == ["e"]
    assert recs[0].reason.startswith("a goal of t · elective")


def test_recommend_with_a_goal_ranks_only_its_path_and_says_why():
    r = rm(SMALL)
    recs = recommend(r, {"p1": "done"}, goal="p2", order="build-first")
    assert [x.topic.id for x in recs] == ["m1"]
    assert recs[0].reason == "needed now for p2 · no prerequisites · unlocks 1 topic"
    recs = recommend(r, {}, goal="p3", order="math-first")
    assert recs[0].reason == "on your path to p3 · no prerequisites · unlocks 1 topic"
    # the old positional signature still works
    assert {x.topic.id for x in recommend(r, {}, "code")} == {"p1"}


def test_path_is_a_checklist_with_finished_topics_first():
    r = rm(SMALL)
    got = [t.id for t in path(r, {"m2": "skipped"}, "p3", "build-first")]
    assert got == ["m2", "p3", "m1"]  # m2 was skipped, so p3 is open now; m1 stays on the path, after it


def test_estimate_and_hours_split():
    r = rm(SMALL)
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    e = estimate(r, {"m1": "done", "p3": "in_progress"}, "p3", 2.5, now)
    assert (e.hours_total, e.hours_done, e.hours_left) == (7, 2, 5)
    assert e.weeks_left == 2 and e.finish == now + timedelta(days=14)
    assert estimate(r, {}, None, None, now).finish is None
    with pytest.raises(ValueError):
        estimate(r, {}, None, 1, datetime(2026, 1, 1))
    assert tuple(hours_split(r, {"e": "done", "p1": "skipped"})) == (1, 17, 10, 10)


def test_parse_order():
    assert parse_order("build-first") is Order.BUILD_FIRST
    with pytest.raises(ValueError):
        parse_order("random")


def test_descendant_counts_on_a_10000_topic_chain():
    n = 10_000
    topics = [Topic(f"t{i}", "x", "code", "s", 1.0, (f"t{i - 1}",) if i else ()) for i in range(n)]
    r = Roadmap(AREAS, topics)
    counts = descendant_counts(r, exclude={"t9999"})
    assert counts["t0"] == n - 2 and counts["t9998"] == 0 and counts["t5000"] == n - 5002
    steps = study_order(r, {}, [t.id for t in topics], "build-first")
    assert [s.topic_id for s in steps] == [t.id for t in topics]


@st.composite
def dags(draw):
    n = draw(st.integers(1, 14))
    names = [f"t{i}" for i in range(n)]
    spec = {}
    for i, name in enumerate(names):
        ps = draw(st.lists(st.sampled_from(names[:i]), unique=True, max_size=3)) if i else []
        spec[name] = (draw(st.sampled_from(["maths", "code"])), draw(st.integers(1, 9)), ps)
    statuses = draw(st.dictionaries(st.sampled_from(names), st.sampled_from(["in_progress", "done", "skipped"])))
    milestones = draw(st.lists(st.sampled_from(names), unique=True, max_size=3))
    return spec, statuses, milestones


def brute_ancestors(spec, tid):
    return {t for t in spec if tid in brute_descendants(spec, t)}


def brute_descendants(spec, tid):
    out, todo = set(), [tid]
    while todo:
        cur = todo.pop()
        for d, v in spec.items():
            if cur in v[2] and d not in out:
                out.add(d)
                todo.append(d)
    return out


@settings(max_examples=150, deadline=None)
@given(dags(), st.sampled_from(["math-first", "build-first"]))
def test_study_order_is_a_linear_extension_of_what_is_left(data, order):
    spec, statuses, milestones = data
    r = rm(spec, milestones=milestones)
    finished = {t for t, s in statuses.items() if s in ("done", "skipped")}
    ids = [s.topic_id for s in study_order(r, statuses, spec, order)]
    assert sorted(ids) == sorted(set(spec) - finished)
    where = {t: i for i, t in enumerate(ids)}
    for t in ids:
        assert all(where[p] < where[t] for p in spec[t][2] if p not in finished)
    # the first unfinished milestone is preceded only by topics it needs
    first = next((m for m in milestones if m not in finished), None)
    if first is not None:
        needs = brute_ancestors(spec, first)
        assert all(t in needs for t in ids[: where[first]]), (first, ids)
    recs = recommend(r, statuses, order=order)
    assert {x.topic.id for x in recs} == {t for t in ids if all(p in finished for p in spec[t][2])}
    counts = descendant_counts(r, exclude=finished)
    assert counts == {t: len(brute_descendants(spec, t) - finished) for t in spec}


@settings(max_examples=100, deadline=None)
@given(dags())
def test_without_milestones_math_first_is_the_old_ranking(data):
    spec, statuses, _ = data
    r = rm(spec)
    finished = {t for t, s in statuses.items() if s in ("done", "skipped")}
    counts = {t: len(brute_descendants(spec, t) - finished) for t in spec}
    position = {t: i for i, t in enumerate(spec)}
    unlocked = [t for t in spec if t not in finished and all(p in finished for p in spec[t][2])]
    area_rank = {"maths": 1, "code": 2}
    expected = sorted(unlocked, key=lambda t: (statuses.get(t) != "in_progress", -counts[t], area_rank[spec[t][0]],
                                               position[t]))
    assert [x.topic.id for x in recommend(r, statuses)] == expected
