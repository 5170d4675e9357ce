"""The roadmap as a picture: which topics to draw, and the drawing as a tree, Mermaid or Graphviz DOT text.

Pure: the roadmap and the learner's statuses come in, text comes out. A topic is drawn with its status, or as
``locked`` when it is not started and some prerequisite is not finished yet.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from mlpath.core.graph import ancestors, is_unlocked
from mlpath.core.model import Roadmap, Topic

LOCKED = "locked"
DRAWN_STATUSES = ("done", "in_progress", "skipped", "not_started", LOCKED)
PLAIN_MARK = {"done": "x", "in_progress": "~", "skipped": "-", "not_started": " ", LOCKED: "#"}

# fill, border, text, dashed border
PALETTE = {
    "done": ("#c8e6c9", "#2e7d32", "#1b5e20", False),
    "in_progress": ("#fff3c4", "#b58900", "#5c4400", False),
    "skipped": ("#eeeeee", "#9e9e9e", "#616161", True),
    "not_started": ("#ffffff", "#546e7a", "#263238", False),
    LOCKED: ("#f5f5f5", "#bdbdbd", "#9e9e9e", True),
}


@dataclass(frozen=True)
class Node:
    id: str
    title: str
    area: str
    status: str  # one of DRAWN_STATUSES


@dataclass(frozen=True)
class Diagram:
    nodes: tuple[Node, ...]
    edges: tuple[tuple[str, str], ...]  # (prerequisite, topic)
    areas: tuple[tuple[str, str], ...]  # (area id, title) of the drawn topics, in roadmap order

    def to_dict(self) -> dict:
        return {"nodes": [vars(n).copy() for n in self.nodes], "edges": [list(e) for e in self.edges],
                "areas": [{"id": a, "title": t} for a, t in self.areas]}

    @classmethod
    def from_dict(cls, data: dict) -> Diagram:
        return cls(tuple(Node(**n) for n in data["nodes"]), tuple((a, b) for a, b in data["edges"]),
                   tuple((a["id"], a["title"]) for a in data["areas"]))


# --- what to draw ------------------------------------------------------------------------------------------------

def topic_scope(roadmap: Roadmap, topic_id: str) -> list[str]:
    """The part of the roadmap that leads to a topic: its ancestors and itself, in roadmap order."""
    wanted = set(ancestors(roadmap, topic_id)) | {topic_id}
    return [t.id for t in roadmap.topics if t.id in wanted]


def area_scope(roadmap: Roadmap, area_id: str) -> list[str]:
    """An area's topics plus their direct prerequisites from other areas, in roadmap order."""
    own = [t for t in roadmap.in_area(area_id)]
    wanted = {t.id for t in own} | {p for t in own for p in t.prerequisites if p in roadmap.by_id}
    return [t.id for t in roadmap.topics if t.id in wanted]


def drawn_status(topic: Topic, statuses: Mapping[str, str]) -> str:
    status = statuses.get(topic.id, "not_started")
    if status == "not_started" and not is_unlocked(topic, statuses):
        return LOCKED
    return status


def build(roadmap: Roadmap, topic_ids: list[str], statuses: Mapping[str, str]) -> Diagram:
    wanted = set(topic_ids)
    topics = [t for t in roadmap.topics if t.id in wanted]
    nodes = tuple(Node(t.id, t.title, t.area, drawn_status(t, statuses)) for t in topics)
    edges = tuple((p, t.id) for t in topics for p in t.prerequisites if p in wanted)
    used = {t.area for t in topics}
    areas = [(a.id, a.title) for a in roadmap.areas if a.id in used]
    areas += [(a, a) for a in sorted(used - {a for a, _ in areas})]
    return Diagram(nodes, edges, tuple(areas))


# --- Mermaid ------------------------------------------------------------------------------------------------------

def _mermaid_label(text: str) -> str:
    """Text safe inside a quoted Mermaid label: entity codes for the characters Mermaid would interpret."""
    text = " ".join(str(text).split())
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("`", "#96;")):
        text = text.replace(char, code)
    return text


class _Names(dict):
    """raw id -> identifier, with the identifiers given so far in a set (a linear-time lookup, not a scan)."""

    def __init__(self) -> None:
        super().__init__()
        self.used: set[str] = set()


def _ident(raw: str, prefix: str, taken: _Names) -> str:
    base = prefix + re.sub(r"[^A-Za-z0-9]", "_", raw)
    name, n = base, 1
    while name in taken.used:
        n += 1
        name = f"{base}_{n}"
    taken[raw] = name
    taken.used.add(name)
    return name


def mermaid_ids(d: Diagram) -> dict[str, str]:
    """Topic id -> a Mermaid node id (letters, digits and underscores only, never a keyword, unique)."""
    taken = _Names()
    for n in d.nodes:
        _ident(n.id, "t_", taken)
    return taken


def _mermaid_style(status: str) -> str:
    fill, stroke, text, dashed = PALETTE[status]
    style = f"fill:{fill},stroke:{stroke},color:{text}"
    return style + (",stroke-dasharray:4 3" if dashed else "")


def to_mermaid(d: Diagram, direction: str = "TD") -> str:
    ids = mermaid_ids(d)
    area_ids = _Names()
    by_area: dict[str, list[Node]] = {}
    for n in d.nodes:
        by_area.setdefault(n.area, []).append(n)
    lines = [f"flowchart {direction}"]
    for status in DRAWN_STATUSES:
        lines.append(f"    classDef {status} {_mermaid_style(status)}")
    for area, title in d.areas:
        lines.append(f'    subgraph {_ident(area, "a_", area_ids)}["{_mermaid_label(title)}"]')
        for n in by_area.get(area, ()):
            lines.append(f'        {ids[n.id]}["{_mermaid_label(n.title)}"]')
        lines.append("    end")
    for a, b in d.edges:
        lines.append(f"    {ids[a]} --> {ids[b]}")
    for status in DRAWN_STATUSES:
        members = [ids[n.id] for n in d.nodes if n.status == status]
        if members:
            lines.append(f"    class {','.join(members)} {status}")
    return "\n".join(lines) + "\n"


# --- Graphviz DOT -------------------------------------------------------------------------------------------------

def dot_quote(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, line breaks folded."""
    text = " ".join(str(text).split())
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(d: Diagram, name: str = "mlpath") -> str:
    lines = [f"digraph {dot_quote(name)} {{", "    rankdir=TB;",
             '    node [shape=box, style="rounded,filled", fontname="Helvetica"];',
             '    edge [color="#78909c"];']
    by_area: dict[str, list[Node]] = {}
    for n in d.nodes:
        by_area.setdefault(n.area, []).append(n)
    for i, (area, title) in enumerate(d.areas):
        lines.append(f"    subgraph {dot_quote(f'cluster_{i}')} {{")
        lines.append(f"        label={dot_quote(title)};")
        lines.append('        style="rounded"; color="#b0bec5";')
        for n in by_area.get(area, ()):
            fill, stroke, text, dashed = PALETTE[n.status]
            style = "rounded,filled,dashed" if dashed else "rounded,filled"
            lines.append(f"        {dot_quote(n.id)} [label={dot_quote(n.title)}, class={dot_quote(n.status)}, "
                         f"tooltip={dot_quote(n.status.replace('_', ' '))}, style={dot_quote(style)}, "
                         f"fillcolor={dot_quote(fill)}, color={dot_quote(stroke)}, fontcolor={dot_quote(text)}];")
        lines.append("    }")
    for a, b in d.edges:
        lines.append(f"    {dot_quote(a)} -> {dot_quote(b)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- tree -----------------------------------------------------------------------------------------------------------

@dataclass
class TreeNode:
    node: Node
    repeat: bool = False  # already drawn above: its subtree is not repeated
    children: list[TreeNode] = field(default_factory=list)


MAX_TREE_DEPTH = 40  # deeper topics continue at this depth, so a long chain never indents without bound


def forest(d: Diagram) -> list[TreeNode]:
    """The diagram as trees read downwards: roots are topics with no drawn prerequisite, children are the topics
    each one unlocks. A topic reached again is shown once more as a ``repeat`` leaf.

    Iterative (a depth-first walk with an explicit stack), so a chain of any length works; below
    ``MAX_TREE_DEPTH`` levels a topic's children follow it at its own level instead of indenting further."""
    by_id = {n.id: n for n in d.nodes}
    children: dict[str, list[str]] = {n.id: [] for n in d.nodes}
    has_parent: set[str] = set()
    for a, b in d.edges:
        children[a].append(b)
        has_parent.add(b)
    drawn: set[str] = set()
    roots: list[TreeNode] = []
    stack: list[tuple[str, list[TreeNode], int]] = [(n.id, roots, 1) for n in reversed(d.nodes)
                                                    if n.id not in has_parent]
    while stack:
        tid, siblings, depth = stack.pop()
        if tid in drawn:
            siblings.append(TreeNode(by_id[tid], repeat=True))
            continue
        drawn.add(tid)
        item = TreeNode(by_id[tid])
        siblings.append(item)
        if depth < MAX_TREE_DEPTH:
            stack.extend((c, item.children, depth + 1) for c in reversed(children[tid]))
        else:
            stack.extend((c, siblings, depth) for c in reversed(children[tid]))
    return roots


def node_label(n: Node, repeat: bool = False) -> str:
    extra = " (see above)" if repeat else ""
    return f"[{PLAIN_MARK[n.status]}] {n.id} - {n.title} ({n.status.replace('_', ' ')}){extra}"


def tree_text(d: Diagram, title: str) -> str:
    lines = [title]
    stack: list[tuple[list[TreeNode], int, str]] = [(forest(d), 0, "")]
    while stack:  # iterative: (siblings, index of the next one, indent)
        items, i, indent = stack.pop()
        if i >= len(items):
            continue
        item, last = items[i], i == len(items) - 1
        lines.append(f"{indent}{'└── ' if last else '├── '}{node_label(item.node, item.repeat)}")
        stack.append((items, i + 1, indent))
        stack.append((item.children, 0, indent + ("    " if last else "│   ")))
    return "\n".join(lines) + "\n"
