"""Study orders: a linear, prerequisite-respecting plan through a set of topics, maths-first or build-first.

Both orders head for the roadmap's milestones (practical landmarks such as a first model or a first deployed model)
one after another: stage k holds what is left of milestone k and everything it needs; the last stage holds the rest.
Inside a stage the two orders differ:

* ``math-first`` takes the topic that opens the way to the most of what is left (today's ranking), which puts the
  mathematics of the stage up front;
* ``build-first`` takes practical topics whenever one is unlocked, and a maths topic only when no practical topic can
  go on, choosing then only maths that the next practical topic needs ("just in time").

Iterative and near-linear: a heap per stage, reverse edges precomputed, no recursion.
"""

import heapq
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import NamedTuple

from mlpath.core.graph import descendant_counts
from mlpath.core.model import FINISHED, Roadmap


class Order(str, Enum):
    MATH_FIRST = "math-first"
    BUILD_FIRST = "build-first"


ORDERS = tuple(o.value for o in Order)


def parse_order(value: str | Order) -> Order:
    """``"math-first"`` or ``"build-first"`` (an Order passes through); anything else is a ValueError."""
    if isinstance(value, Order):
        return value
    try:
        return Order(value)
    except ValueError:
        raise ValueError(f"unknown order {value!r} (one of {', '.join(ORDERS)})") from None


class Step(NamedTuple):
    topic_id: str
    heading_for: str | None  # the milestone of this step's stage, or None in the last stage
    needed_for: str | None  # build-first: the practical topic this maths topic is taken for


def study_order(roadmap: Roadmap, statuses: Mapping[str, str], targets: Iterable[str],
                order: Order | str = Order.MATH_FIRST, *, leads: Mapping[str, int] | None = None) -> list[Step]:
    """Every unfinished topic of ``targets``, in the order a learner following ``order`` would study them.

    Prerequisites outside ``targets`` or already finished count as satisfied. The result is a linear extension of
    the prerequisite graph restricted to the unfinished targets. ``leads`` (optional) are the descendant counts
    within the unfinished targets, when the caller has them already.
    """
    order = parse_order(order)
    todo = {t for t in targets if t in roadmap.by_id and statuses.get(t, "not_started") not in FINISHED}
    area_rank = {a.id: a.order for a in roadmap.areas}
    position = {t.id: i for i, t in enumerate(roadmap.topics)}
    rank = {t: (area_rank.get(roadmap.by_id[t].area, 0), position[t]) for t in todo}
    if leads is None:
        leads = descendant_counts(roadmap, within=todo)
    indegree = {t: sum(1 for p in roadmap.by_id[t].prerequisites if p in todo) for t in todo}
    ready = {t for t, n in indegree.items() if n == 0}
    scheduled: set[str] = set()
    out: list[Step] = []

    milestones = [m for m in roadmap.milestones if m in todo]
    stages: list[tuple[str | None, set[str]]] = []
    for m in milestones:
        members = _closure(roadmap, m, todo)
        stages.append((m, members))
    stages.append((None, todo))

    def key(t: str) -> tuple:
        if order is Order.MATH_FIRST:
            return (-leads[t], *rank[t])
        return rank[t]

    for heading_for, members in stages:
        members = members - scheduled
        if not members:
            continue
        practical = [] if order is Order.MATH_FIRST else sorted(
            (t for t in members if not roadmap.is_maths(t)), key=rank.__getitem__)
        next_practical = 0
        heaps: dict[bool, list] = {False: [], True: []}  # build-first: maths apart; math-first uses heaps[False]
        for t in ready & members:
            heapq.heappush(heaps[order is Order.BUILD_FIRST and roadmap.is_maths(t)], (key(t), t))
        while heaps[False] or heaps[True]:
            needed_for = None
            if heaps[False]:
                _, t = heapq.heappop(heaps[False])
            else:
                while next_practical < len(practical) and practical[next_practical] in scheduled:
                    next_practical += 1
                t = None
                if next_practical < len(practical):
                    needed_for = practical[next_practical]
                    needed = _closure(roadmap, needed_for, members - scheduled)
                    options = [item for item in heaps[True] if item[1] in needed]
                    if options:
                        item = min(options)
                        heaps[True].remove(item)
                        heapq.heapify(heaps[True])
                        t = item[1]
                if t is None:
                    needed_for = None
                    _, t = heapq.heappop(heaps[True])
            scheduled.add(t)
            ready.discard(t)
            out.append(Step(t, heading_for, needed_for))
            for d in roadmap.dependents[t]:
                if d in indegree:
                    indegree[d] -= 1
                    if indegree[d] == 0:
                        ready.add(d)
                        if d in members:
                            heapq.heappush(heaps[order is Order.BUILD_FIRST and roadmap.is_maths(d)], (key(d), d))
    return out


def _closure(roadmap: Roadmap, topic_id: str, within: set[str]) -> set[str]:
    """``topic_id`` and its ancestors, walking only through topics in ``within``."""
    seen = {topic_id}
    todo = [topic_id]
    while todo:
        for p in roadmap.by_id[todo.pop()].prerequisites:
            if p in within and p not in seen:
                seen.add(p)
                todo.append(p)
    return seen
