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


def descendant_counts(roadmap: Roadmap, exclude: set[str] = frozenset()) -> dict[str, int]:
    """For each topic, how many topics (not in ``exclude``) lie downstream of it."""
    memo: dict[str, frozenset[str]] = {}

    def down(tid: str) -> frozenset[str]:
        if tid in memo:
            return memo[tid]
        acc: set[str] = set()
        for d in roadmap.dependents[tid]:
            acc.add(d)
            acc |= down(d)
        memo[tid] = frozenset(acc)
        return memo[tid]

    # Iterate in reverse topological-ish order to keep recursion shallow.
    for t in reversed(roadmap.topics):
        down(t.id)
    return {tid: len(ds - exclude) for tid, ds in memo.items()}


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


def recommend(roadmap: Roadmap, statuses: Mapping[str, str], area: str | None = None) -> list[Recommendation]:
    """Topics that are unlocked now, best first.

    A topic is unlocked when every prerequisite is done or skipped and the topic itself is neither.
    In-progress topics come first; then topics that open the way to more of the roadmap; then roadmap order.
    """
    finished = {tid for tid, s in statuses.items() if s in FINISHED}
    counts = descendant_counts(roadmap, exclude=finished)
    area_rank = {a.id: a.order for a in roadmap.areas}
    position = {t.id: i for i, t in enumerate(roadmap.topics)}
    out = []
    for t in roadmap.topics:
        status = statuses.get(t.id, "not_started")
        if status in FINISHED or (area and t.area != area) or not is_unlocked(t, statuses):
            continue
        unlocks = tuple(
            d for d in roadmap.dependents[t.id]
            if statuses.get(d, "not_started") not in FINISHED
            and all(p == t.id or statuses.get(p, "not_started") in FINISHED for p in roadmap.by_id[d].prerequisites)
        )
        out.append(Recommendation(t, status, _reason(roadmap, t, status, unlocks, counts[t.id]), unlocks, counts[t.id]))
    out.sort(key=lambda r: (r.status != "in_progress", -r.leads_to, area_rank.get(r.topic.area, 0), position[r.topic.id]))
    return out


def _reason(roadmap: Roadmap, topic: Topic, status: str, unlocks: tuple[str, ...], leads_to: int) -> str:
    parts = []
    if status == "in_progress":
        parts.append("in progress")
    if topic.prerequisites:
        parts.append("prerequisites done: " + ", ".join(topic.prerequisites))
    else:
        parts.append("no prerequisites")
    if unlocks:
        parts.append(f"unlocks {len(unlocks)} topic{'s' if len(unlocks) != 1 else ''}")
    elif leads_to:
        parts.append(f"leads to {leads_to} topic{'s' if leads_to != 1 else ''}")
    return " · ".join(parts)
