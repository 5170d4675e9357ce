"""The prerequisite graph: cycles, the unlocked set, and the ranking behind `mlpath next`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from mlpath.core.model import FINISHED, Roadmap, Topic


def find_cycle(edges: Mapping[str, Iterable[str]]) -> list[str] | None:
    """Return one cycle as a list of ids (first id repeated at the end), or None.

    ``edges`` maps a node to the nodes it depends on; unknown targets are ignored.
    """
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {node: WHITE for node in edges}
    for start in edges:
        if colour[start] != WHITE:
            continue
        stack: list[tuple[str, list[str]]] = [(start, [d for d in edges[start] if d in colour])]
        path = [start]
        colour[start] = GREY
        while stack:
            node, todo = stack[-1]
            if not todo:
                colour[node] = BLACK
                stack.pop()
                path.pop()
                continue
            nxt = todo.pop()
            if colour[nxt] == GREY:
                return path[path.index(nxt):] + [nxt]
            if colour[nxt] == WHITE:
                colour[nxt] = GREY
                path.append(nxt)
                stack.append((nxt, [d for d in edges[nxt] if d in colour]))
    return None


def ancestors(roadmap: Roadmap, topic_id: str) -> list[str]:
    """Every topic that leads to ``topic_id`` (its prerequisites, theirs, ...), in roadmap order."""
    seen: set[str] = set()
    todo = list(roadmap.by_id[topic_id].prerequisites)
    while todo:
        t = todo.pop()
        if t in seen or t not in roadmap.by_id:
            continue
        seen.add(t)
        todo.extend(roadmap.by_id[t].prerequisites)
    return [t.id for t in roadmap.topics if t.id in seen]


def topological_order(roadmap: Roadmap) -> list[str]:
    """Every topic id, each after all its prerequisites (Kahn's algorithm; ties keep roadmap order)."""
    indegree = {t.id: sum(1 for p in t.prerequisites if p in roadmap.by_id) for t in roadmap.topics}
    ready = [t.id for t in roadmap.topics if indegree[t.id] == 0]
    out: list[str] = []
    while ready:
        tid = ready.pop()
        out.append(tid)
        for d in roadmap.dependents[tid]:
            indegree[d] -= 1
            if indegree[d] == 0:
                ready.append(d)
    if len(out) != len(roadmap.topics):
        raise ValueError("the prerequisite graph has a cycle")
    return out


def descendant_counts(roadmap: Roadmap, exclude: Iterable[str] = frozenset(),
                      within: Iterable[str] | None = None) -> dict[str, int]:
    """For each topic, how many topics (not in ``exclude``; only those in ``within`` when given) lie downstream.

    Downstream sets are kept as integer bit masks and filled in reverse topological order: no recursion, and
    n^2/64 machine words of work at worst, so a 10,000-topic chain takes a moment.
    """
    index = {t.id: i for i, t in enumerate(roadmap.topics)}
    keep = (1 << len(roadmap.topics)) - 1
    if within is not None:
        keep = 0
        for tid in within:
            if tid in index:
                keep |= 1 << index[tid]
    for tid in exclude:
        if tid in index:
            keep &= ~(1 << index[tid])
    down: dict[str, int] = {}
    for tid in reversed(topological_order(roadmap)):
        mask = 0
        for d in roadmap.dependents[tid]:
            mask |= down[d] | (1 << index[d])
        down[tid] = mask
    return {tid: (down[tid] & keep).bit_count() for tid in index}


def is_unlocked(topic: Topic, statuses: Mapping[str, str]) -> bool:
    return all(statuses.get(p, "not_started") in FINISHED for p in topic.prerequisites)


def missing_prerequisites(topic: Topic, statuses: Mapping[str, str]) -> list[str]:
    return [p for p in topic.prerequisites if statuses.get(p, "not_started") not in FINISHED]


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
    from mlpath.core.goals import goal_topics
    from mlpath.core.order import study_order

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
