"""The roadmap as plain data: areas, topics, resources. Built from validated content.

Value types are NamedTuples: immutable, and cheap to define at start-up (every command imports them).
"""

from dataclasses import dataclass, field
from typing import NamedTuple

STATUSES = ("not_started", "in_progress", "done", "skipped")
FINISHED = frozenset({"done", "skipped"})


class Resource(NamedTuple):
    title: str
    url: str
    kind: str
    free: bool = True


class Area(NamedTuple):
    id: str
    title: str
    order: int
    summary: str = ""
    maths: bool = False  # a mathematics area: build-first takes its topics only when a practical topic needs them


class Topic(NamedTuple):
    id: str
    title: str
    area: str
    summary: str
    hours: float
    prerequisites: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    covers: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()
    resources: tuple[Resource, ...] = ()
    questions: int = 0
    elective: bool = False  # never a prerequisite of a core topic; offered only when asked or on the goal's path
    # How much studying this topic exercises each listed prerequisite, in (0, 1], for implicit review credit
    # (mlpath.core.credit); a prerequisite not listed gets the default weight.
    prerequisite_weights: tuple[tuple[str, float], ...] = ()


class Track(NamedTuple):
    """A named goal: a set of topics to reach (with everything they need)."""

    id: str
    title: str
    summary: str
    goals: tuple[str, ...]


@dataclass
class Roadmap:
    """Areas and topics in roadmap order, with lookups and the reverse edges precomputed."""

    areas: list[Area]
    topics: list[Topic]
    tracks: list[Track] = field(default_factory=list)
    # Practical landmarks, in order, that both study orders head for one after another (see core/goals.py).
    milestones: tuple[str, ...] = ()
    by_id: dict[str, Topic] = field(init=False, repr=False)
    area_by_id: dict[str, Area] = field(init=False, repr=False)
    track_by_id: dict[str, Track] = field(init=False, repr=False)
    dependents: dict[str, list[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id = {t.id: t for t in self.topics}
        self.area_by_id = {a.id: a for a in self.areas}
        self.track_by_id = {t.id: t for t in self.tracks}
        self.dependents = {t.id: [] for t in self.topics}
        for t in self.topics:
            for p in t.prerequisites:
                if p in self.dependents:
                    self.dependents[p].append(t.id)

    def is_maths(self, topic_id: str) -> bool:
        area = self.area_by_id.get(self.by_id[topic_id].area)
        return bool(area and area.maths)

    def in_area(self, area_id: str) -> list[Topic]:
        return [t for t in self.topics if t.area == area_id]

    def to_dict(self) -> dict:
        topics = []
        for t in self.topics:
            d = t._asdict()
            d["resources"] = [r._asdict() for r in t.resources]
            topics.append(d)
        return {"areas": [a._asdict() for a in self.areas], "topics": topics,
                "tracks": [t._asdict() for t in self.tracks], "milestones": list(self.milestones)}

    @classmethod
    def from_dict(cls, data: dict) -> "Roadmap":
        areas = [Area(**a) for a in data["areas"]]
        topics = []
        for t in data["topics"]:
            t = dict(t)
            t["resources"] = tuple(Resource(**r) for r in t["resources"])
            for key in ("prerequisites", "aliases", "covers", "replaces"):
                t[key] = tuple(t[key])
            t["prerequisite_weights"] = tuple((p, float(w)) for p, w in t.get("prerequisite_weights", ()))
            topics.append(Topic(**t))
        tracks = [Track(t["id"], t["title"], t["summary"], tuple(t["goals"])) for t in data.get("tracks", [])]
        return cls(areas, topics, tracks, tuple(data.get("milestones", ())))
