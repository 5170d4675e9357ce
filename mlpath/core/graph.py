"""The prerequisite graph: cycles, ancestors, topological order, descendants and the unlocked set."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


def find_cycles(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """One cycle (first id repeated at the end) for every tangle of mutually dependent nodes, in input order.

    Tarjan's strongly connected components, iterative, then a walk inside each component: linear time."""
    nodes = list(edges)
    deps = {n: [d for d in edges[n] if d in edges] for n in nodes}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    for start in nodes:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(deps[node]):
                work.append((node, i + 1))
                nxt = deps[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                if len(comp) > 1 or node in deps[node]:
                    components.append(comp)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    position = {n: i for i, n in enumerate(nodes)}
    cycles = []
    for comp in sorted(components, key=lambda c: min(position[n] for n in c)):
        members = set(comp)
        first = min(comp, key=position.__getitem__)
        path, seen, node = [first], {first: 0}, first
        while True:  # every member has a dependency inside the component: walk until a node repeats
            node = next(d for d in deps[node] if d in members)
            if node in seen:
                cycles.append(path[seen[node]:] + [node])
                break
            seen[node] = len(path)
            path.append(node)
    return cycles
