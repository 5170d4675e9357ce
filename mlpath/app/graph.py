"""The use case behind `mlpath graph`: the roadmap, or the part leading to a topic, as a tree, Mermaid or DOT."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlpath.app.session import Session, resolve
from mlpath.core import diagram
from mlpath.core.model import Area
from mlpath.errors import UserError
from mlpath.files import write_file
from mlpath.store import queries

FORMATS = ("tree", "mermaid", "dot")


@dataclass(frozen=True)
class GraphView:
    scope: str  # roadmap | area | topic
    id: str | None
    title: str
    format: str
    diagram: diagram.Diagram
    text: str  # the plain tree, Mermaid or DOT

    def to_dict(self) -> dict[str, Any]:
        return {"scope": self.scope, "id": self.id, "title": self.title, "format": self.format,
                **self.diagram.to_dict(), "text": self.text}


def graph(s: Session, name: str | None = None, fmt: str = "tree") -> GraphView:
    """The roadmap, the part leading to a topic, or an area (with its outside prerequisites), drawn as ``fmt``.

    Returns scope, id, title, nodes, edges, areas and ``text`` (the plain tree, Mermaid or DOT)."""
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if name is None:
        scope, target, ids = "roadmap", None, [t.id for t in s.roadmap.topics]
        title = "mlpath roadmap"
    else:
        found = resolve(s, name)
        target = found.id
        if isinstance(found, Area):
            scope, ids = "area", diagram.area_scope(s.roadmap, found.id)
            title = f"{found.title} ({found.id}) and its prerequisites from other areas"
        else:
            scope, ids = "topic", diagram.topic_scope(s.roadmap, found.id)
            title = f"The path to {found.title} ({found.id})"
    d = diagram.build(s.roadmap, ids, queries.statuses(s.conn, s.pack))
    if fmt == "mermaid":
        text = diagram.to_mermaid(d)
    elif fmt == "dot":
        text = diagram.to_dot(d)
    else:
        text = diagram.tree_text(d, title)
    return GraphView(scope, target, title, fmt, d, text)


def write_output(path: Path, text: str, force: bool = False) -> None:
    """Write the drawing to ``path``; an existing file only with ``force``, the database never."""
    write_file(path, text, force=force)
