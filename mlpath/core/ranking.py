"""The ranking behind `mlpath next`: the unlocked topics, best first, each with the reason, for a goal and an order."""

from collections.abc import Mapping
from typing import NamedTuple

from mlpath.core.goals import goal_topics
from mlpath.core.graph import descendant_counts, is_unlocked
from mlpath.core.model import FINISHED, Roadmap, Topic
from mlpath.core.order import study_order


class Recommendation(NamedTuple):
    topic: Topic
    status: str
    reason: str
    unlocks: tuple[str, ...]
    leads_to: int
    heading_for: str | None = None  # the goal or milestone this topic is on the way to
    needed_for: str | None = None  # build-first: the practical topic this (maths) topic is needed for now


def recommend(roadmap: Roadmap, statuses: Mapping[str, str], area: str | None = None, *,
              goal: str | None = None, order: str = "math-first",
              include_electives: bool = False) -> list[Recommendation]:
    """Topics that are unlocked now and lead somewhere, best first.

    A topic is unlocked when every prerequisite is done or skipped and the topic itself is neither. Only topics of
    the goal's path are offered (``goal``: a topic or track id; None means every core topic); electives only when
    on that path or when ``include_electives``. In-progress topics come first, then the order of the study plan
    (core/order.py): towards each milestone in turn, then the rest. Without milestones, goal and electives this is
    the ranking mlpath always had: topics that open the way to more of the roadmap first, then roadmap order.
    """

    targets = goal_topics(roadmap, goal, include_electives=include_electives)
    finished = {tid for tid, s in statuses.items() if s in FINISHED}
    counts = descendant_counts(roadmap, exclude=finished, within=targets)
    plan = study_order(roadmap, statuses, targets, order, leads=counts)
    out = []
    for step in plan:
        t = roadmap.by_id[step.topic_id]
        status = statuses.get(t.id, "not_started")
        if (area and t.area != area) or not is_unlocked(t, statuses):
            continue
        unlocks = tuple(
            d for d in roadmap.dependents[t.id]
            if d in targets and statuses.get(d, "not_started") not in FINISHED
            and all(p == t.id or statuses.get(p, "not_started") in FINISHED for p in roadmap.by_id[d].prerequisites)
        )
        heading_for = step.heading_for or goal
        if heading_for == t.id or (goal and t.id in _goal_ids(roadmap, goal)):
            heading_for = None
        reason = _reason(roadmap, t, status, unlocks, counts[t.id], goal, heading_for, step.needed_for)
        out.append(Recommendation(t, status, reason, unlocks, counts[t.id], heading_for, step.needed_for))
    out.sort(key=lambda r: r.status != "in_progress")  # stable: plan order otherwise
    return out


def _goal_ids(roadmap: Roadmap, goal: str) -> tuple[str, ...]:
    track = roadmap.track_by_id.get(goal)
    return track.goals if track else (goal,)


def _reason(roadmap: Roadmap, topic: Topic, status: str, unlocks: tuple[str, ...], leads_to: int,
            goal: str | None = None, heading_for: str | None = None, needed_for: str | None = None) -> str:
    parts = []
    if status == "in_progress":
        parts.append("in progress")
    if goal and topic.id in _goal_ids(roadmap, goal):
        parts.append(f"a goal of {goal}" if goal in roadmap.track_by_id else "your goal")
    if needed_for:
        parts.append(f"needed now for {needed_for}")
    elif heading_for:
        parts.append(f"on your path to {heading_for}")
    if topic.elective:
        parts.append("elective")
    if topic.prerequisites:
        parts.append("prerequisites done: " + ", ".join(topic.prerequisites))
    else:
        parts.append("no prerequisites")
    if unlocks:
        parts.append(f"unlocks {len(unlocks)} topic{'s' if len(unlocks) != 1 else ''}")
    elif leads_to:
        parts.append(f"leads to {leads_to} topic{'s' if leads_to != 1 else ''}")
    return " · ".join(parts)
