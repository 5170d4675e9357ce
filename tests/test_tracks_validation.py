"""Validation of electives, maths areas, tracks and milestones (core/validation.py), and their cache round trip."""

from mlpath.core.model import Roadmap
from mlpath.core.validation import Document, validate

RES = [{"title": "r", "url": "https://example.org/", "kind": "docs", "free": True}]


def docs(topics, tracks=None):
    out = [Document("areas.yaml", {"areas": [{"id": "a", "title": "A", "order": 1, "maths": True}]}, "areas"),
           Document("topics/t.yaml", {"topics": topics}, "topics")]
    if tracks is not None:
        out.append(Document("tracks.yaml", tracks, "tracks"))
    return out


def topic(tid, prereqs=(), elective=None):
    t = {"id": tid, "title": tid, "area": "a", "summary": "s.", "hours": 1, "prerequisites": list(prereqs),
         "resources": RES}
    if elective is not None:
        t["elective"] = elective
    return t


def test_a_pack_without_tracks_is_valid():
    result = validate(docs([topic("x")]))
    assert result.problems == []
    assert result.roadmap.tracks == [] and result.roadmap.milestones == ()
    assert result.roadmap.is_maths("x")


def test_tracks_and_milestones_load():
    tracks = {"milestones": ["y"], "tracks": [{"id": "t", "title": "T", "summary": "S", "goals": ["y"]}]}
    result = validate(docs([topic("x"), topic("y", ["x"], elective=True)], tracks))
    assert result.problems == []
    rm = result.roadmap
    assert rm.milestones == ("y",) and rm.track_by_id["t"].goals == ("y",) and rm.by_id["y"].elective
    again = Roadmap.from_dict(rm.to_dict())
    assert again.tracks == rm.tracks and again.milestones == rm.milestones and again.areas == rm.areas
    assert again.by_id["y"].elective


def test_every_unknown_goal_is_reported_at_once():
    tracks = {"tracks": [{"id": "t", "title": "T", "summary": "S", "goals": ["nope", "x", "gone"]},
                         {"id": "u", "title": "U", "summary": "S", "goals": ["also-nope"]}],
              "milestones": ["missing"]}
    problems = validate(docs([topic("x")], tracks)).problems
    assert len(problems) == 3
    assert "'nope'" in problems[0] and "'gone'" in problems[0] and "'also-nope'" in problems[1]
    assert "'missing'" in problems[2]


def test_a_core_topic_may_not_need_an_elective():
    problems = validate(docs([topic("e", elective=True), topic("c", ["e"]), topic("f", ["e"], elective=True)])).problems
    assert len(problems) == 1 and "'c'" in problems[0] and "'e'" in problems[0]


def test_track_shape_problems():
    tracks = {"tracks": [{"id": "x", "title": "T", "summary": "S", "goals": ["x"]},
                         {"id": "t", "title": "T", "goals": ["x"]},
                         {"id": "d", "title": "T", "summary": "S", "goals": ["x", "x"]},
                         {"id": "e", "title": "T", "summary": "S", "goals": []}],
              "extra": 1}
    problems = validate(docs([topic("x")], tracks)).problems
    assert any("unknown top-level" in p for p in problems)
    assert any("also a topic id" in p for p in problems)
    assert any("'summary'" in p for p in problems)
    assert any("twice" in p for p in problems)
    assert any("no goal topics" in p for p in problems)
    assert len(problems) == 5
