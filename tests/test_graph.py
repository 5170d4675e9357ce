"""The prerequisite graph: cycles, the unlocked set, ranking with reasons."""

from hypothesis import given, settings
from hypothesis import strategies as st

from mlpath.core.graph import ancestors, find_cycle
from mlpath.core.ranking import recommend
from mlpath.core.model import Area, Roadmap, Topic


def roadmap(edges: dict[str, list[str]], areas=("a",)) -> Roadmap:
    topics = [Topic(id=t, title=t.title(), area=areas[0], summary="s", hours=1.0, prerequisites=tuple(ps))
              for t, ps in edges.items()]
    return Roadmap([Area(a, a, i) for i, a in enumerate(areas)], topics)


def test_find_cycle_none_on_dag():
    assert find_cycle({"a": [], "b": ["a"], "c": ["a", "b"]}) is None


def test_find_cycle_reports_the_cycle():
    cycle = find_cycle({"a": ["c"], "b": ["a"], "c": ["b"], "d": []})
    assert cycle is not None and cycle[0] == cycle[-1]
    assert set(cycle) == {"a", "b", "c"}


def test_self_loop_is_a_cycle():
    assert find_cycle({"a": ["a"]}) == ["a", "a"]


def test_unlocked_set_and_order():
    rm = roadmap({"v": [], "m": ["v"], "d": [], "g": ["d"], "lr": ["m", "g"]})
    ids = [r.topic.id for r in recommend(rm, {})]
    assert set(ids) == {"v", "d"}
    ids = [r.topic.id for r in recommend(rm, {"v": "done", "d": "skipped"})]
    assert set(ids) == {"m", "g"}
    ids = [r.topic.id for r in recommend(rm, {"v": "done", "d": "done", "m": "done", "g": "in_progress"})]
    assert ids == ["g"]  # lr needs g finished


def test_in_progress_first_then_reach():
    rm = roadmap({"a": [], "b": [], "c": ["b"], "d": ["c"], "e": []})
    recs = recommend(rm, {"e": "in_progress"})
    assert [r.topic.id for r in recs] == ["e", "b", "a"]
    assert recs[1].reason == "no prerequisites · unlocks 1 topic"
    assert recs[0].reason.startswith("in progress")


def test_reason_names_prerequisites_and_unlocks():
    rm = roadmap({"v": [], "m": [], "x": ["v", "m"], "y": ["x"], "z": ["x"]})
    rec = next(r for r in recommend(rm, {"v": "done", "m": "done"}) if r.topic.id == "x")
    assert rec.reason == "prerequisites done: v, m · unlocks 2 topics"


def test_ancestors():
    rm = roadmap({"a": [], "b": ["a"], "c": ["b"], "d": []})
    assert ancestors(rm, "c") == ["a", "b"]


@st.composite
def dags(draw):
    n = draw(st.integers(1, 12))
    names = [f"t{i}" for i in range(n)]
    edges = {}
    for i, name in enumerate(names):
        edges[name] = draw(st.lists(st.sampled_from(names[:i]), unique=True, max_size=3)) if i else []
    statuses = draw(st.dictionaries(st.sampled_from(names), st.sampled_from(["in_progress", "done", "skipped"])))
    return edges, statuses


@settings(max_examples=150, deadline=None)
@given(dags())
def test_recommend_is_exactly_the_unlocked_set(data):
    edges, statuses = data
    rm = roadmap(edges)
    got = [r.topic.id for r in recommend(rm, statuses)]
    finished = {t for t, s in statuses.items() if s in ("done", "skipped")}
    expected = {t for t, ps in edges.items() if t not in finished and all(p in finished for p in ps)}
    assert set(got) == expected and len(got) == len(expected)
    in_progress = [t for t in got if statuses.get(t) == "in_progress"]
    assert got[: len(in_progress)] == in_progress
    assert find_cycle(edges) is None
