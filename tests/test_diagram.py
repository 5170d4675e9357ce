"""`mlpath graph`: which topics are drawn, and Mermaid / DOT / tree text that is well formed and styled."""

from __future__ import annotations

import json
import re

import pydot
import pytest

from mlpath.core import diagram
from mlpath.core.graph import ancestors
from mlpath.core.model import Area, Roadmap, Topic

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot's parser on newer pyparsing

TRICKY = 'Vectors "arrows" #1 <b>bold</b> `x` \\ back; end'


def roadmap() -> Roadmap:
    def t(id_, area, *pre, title=None):
        return Topic(id=id_, title=title or id_.title(), area=area, summary="s", hours=1.0, prerequisites=pre)

    return Roadmap([Area("maths", "Maths & \"more\"", 1), Area("ml", "Machine learning", 2)], [
        t("vectors", "maths", title=TRICKY), t("matrices", "maths", "vectors"), t("derivatives", "maths"),
        t("end", "maths", title="end"),  # a Mermaid keyword as an id and a title
        t("gradient-descent", "ml", "derivatives"), t("linear-regression", "ml", "matrices", "gradient-descent"),
        t("pca", "ml", "matrices"), t("graph", "ml", "pca", "end"),
    ])


STATUSES = {"vectors": "done", "matrices": "in_progress", "derivatives": "skipped", "end": "done"}
EXPECTED = {"vectors": "done", "matrices": "in_progress", "derivatives": "skipped", "end": "done",
            "gradient-descent": "not_started", "linear-regression": "locked", "pca": "locked", "graph": "locked"}


def full() -> diagram.Diagram:
    rm = roadmap()
    return diagram.build(rm, [t.id for t in rm.topics], STATUSES)


def test_drawn_status_includes_locked():
    assert {n.id: n.status for n in full().nodes} == EXPECTED


def test_topic_scope_is_its_ancestors_and_itself():
    rm = roadmap()
    for t in rm.topics:
        assert set(diagram.topic_scope(rm, t.id)) == set(ancestors(rm, t.id)) | {t.id}
    assert diagram.topic_scope(rm, "linear-regression") == [
        "vectors", "matrices", "derivatives", "gradient-descent", "linear-regression"]
    assert diagram.topic_scope(rm, "vectors") == ["vectors"]


def test_area_scope_adds_direct_outside_prerequisites_only():
    rm = roadmap()
    assert diagram.area_scope(rm, "ml") == ["matrices", "derivatives", "end", "gradient-descent",
                                            "linear-regression", "pca", "graph"]  # not vectors (two steps away)
    assert diagram.area_scope(rm, "maths") == ["vectors", "matrices", "derivatives", "end"]


def parse_mermaid(text: str) -> dict:
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    nodes, edges, classes, classdefs, subgraphs = {}, [], {}, set(), []
    depth = 0
    for line in lines[1:]:
        s = line.strip()
        if m := re.fullmatch(r"classDef (\w+) (\S.*)", s):
            classdefs.add(m[1])
        elif m := re.fullmatch(r'subgraph (\w+)\["([^"]*)"\]', s):
            subgraphs.append(m[1])
            depth += 1
        elif s == "end":
            depth -= 1
        elif m := re.fullmatch(r'(\w+)\["([^"]*)"\]', s):
            assert m[1] not in nodes, f"node {m[1]} declared twice"
            nodes[m[1]] = m[2]
        elif m := re.fullmatch(r"(\w+) --> (\w+)", s):
            edges.append((m[1], m[2]))
        elif m := re.fullmatch(r"class ([\w,]+) (\w+)", s):
            for n in m[1].split(","):
                assert n not in classes, f"{n} has two classes"
                classes[n] = m[2]
        else:
            raise AssertionError(f"unexpected Mermaid line: {line!r}")
    assert depth == 0
    return {"nodes": nodes, "edges": edges, "classes": classes, "classdefs": classdefs, "subgraphs": subgraphs}


def test_mermaid_is_well_formed():
    d = full()
    text = diagram.to_mermaid(d)
    m = parse_mermaid(text)
    ids = diagram.mermaid_ids(d)
    assert len(m["nodes"]) == len(d.nodes) == len(set(ids.values()))  # one node per topic
    assert set(m["nodes"]) == set(ids.values())
    assert all(a in m["nodes"] and b in m["nodes"] for a, b in m["edges"])  # every endpoint declared
    assert sorted(m["edges"]) == sorted((ids[a], ids[b]) for a, b in d.edges)
    assert m["classdefs"] == set(diagram.DRAWN_STATUSES)
    assert {n: c for n, c in m["classes"].items()} == {ids[t]: s for t, s in EXPECTED.items()}  # classes applied
    assert not set(m["nodes"]) & set(m["subgraphs"])
    assert ids["end"] != "end" and ids["gradient-descent"] == "t_gradient_descent"
    label = m["nodes"][ids["vectors"]]
    assert '"' not in label and "<" not in label and "`" not in label
    assert "#quot;arrows#quot;" in label and "#35;1" in label and "#lt;b#gt;" in label


def test_mermaid_ids_never_collide():
    rm = Roadmap([Area("a", "A", 1)], [Topic(i, i, "a", "s", 1.0) for i in ("a-b", "a_b", "a.b")])
    ids = diagram.mermaid_ids(diagram.build(rm, ["a-b", "a_b", "a.b"], {}))
    assert len(set(ids.values())) == 3 and all(re.fullmatch(r"\w+", v) for v in ids.values())


def unquote(v):
    return v[1:-1] if isinstance(v, str) and len(v) >= 2 and v[0] == v[-1] == '"' else v


def dot_nodes(graph) -> dict:
    out = {}
    for g in [graph, *graph.get_subgraphs()]:
        for n in g.get_nodes():
            raw = n.get_name()
            if raw in ("node", "edge", "graph"):  # default-attribute statements (a topic's id is always quoted)
                continue
            out[unquote(raw)] = {k: unquote(v) for k, v in n.get_attributes().items()}
    return out


def test_dot_parses_with_pydot():
    d = full()
    text = diagram.to_dot(d)
    [graph] = pydot.graph_from_dot_data(text)
    nodes = dot_nodes(graph)
    assert set(nodes) == {n.id for n in d.nodes}
    assert {k: v["class"] for k, v in nodes.items()} == EXPECTED
    for status in diagram.DRAWN_STATUSES:
        fills = {v["fillcolor"] for k, v in nodes.items() if EXPECTED[k] == status}
        assert fills <= {diagram.PALETTE[status][0]}
    assert nodes["vectors"]["label"] == diagram.dot_quote(TRICKY)[1:-1]
    edges = {(unquote(e.get_source()), unquote(e.get_destination())) for e in graph.get_edges()}
    assert edges == set(d.edges)
    assert len(graph.get_subgraphs()) == 2
    assert [unquote(s.get_label()) for s in graph.get_subgraphs()] == ['Maths & \\"more\\"', "Machine learning"]


def test_tree_shows_every_topic_once_then_refers_back():
    text = diagram.tree_text(full(), "roadmap")
    lines = text.splitlines()
    assert lines[0] == "roadmap"
    for n in full().nodes:
        plain = [line for line in lines if f"] {n.id} - " in line]
        assert len([line for line in plain if "(see above)" not in line]) == 1, n.id
    assert any("linear-regression" in line and "(see above)" in line for line in lines)
    assert "├── [x] vectors - " in text


# --- through the command -------------------------------------------------------------------------------------

def graph_json(cli, *args) -> dict:
    code, out, err = cli("graph", *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_graph_of_a_topic_is_its_ancestors_and_itself(cli, mini):
    assert cli("done", "vectors")[0] == 0
    data = graph_json(cli, "linear-regression")
    assert data["scope"] == "topic" and data["id"] == "linear-regression"
    assert {n["id"] for n in data["nodes"]} == {"vectors", "matrices", "derivatives", "gradient-descent",
                                                "linear-regression"}
    assert {n["id"]: n["status"] for n in data["nodes"]}["matrices"] == "not_started"  # unlocked by vectors
    assert {n["id"]: n["status"] for n in data["nodes"]}["linear-regression"] == "locked"
    assert sorted(map(tuple, data["edges"])) == sorted([("vectors", "matrices"), ("derivatives", "gradient-descent"),
                                                        ("matrices", "linear-regression"),
                                                        ("gradient-descent", "linear-regression")])
    alias = graph_json(cli, "OLS")  # names resolve like everywhere else
    assert alias["id"] == "linear-regression"


def test_graph_of_an_area_and_of_everything(cli, mini):
    data = graph_json(cli, "ml")
    assert data["scope"] == "area"
    assert [n["id"] for n in data["nodes"]] == ["matrices", "derivatives", "gradient-descent", "linear-regression",
                                                "pca"]
    everything = graph_json(cli)
    assert everything["scope"] == "roadmap" and len(everything["nodes"]) == 6


@pytest.mark.parametrize("fmt", ["mermaid", "dot", "tree"])
def test_graph_formats_and_output_file(cli, mini, tmp_path, fmt):
    code, out, err = cli("graph", "pca", "--format", fmt)
    assert code == 0, err
    target = tmp_path / f"pca.{fmt}"
    code, out2, err = cli("graph", "pca", "-f", fmt, "--output", str(target))
    assert code == 0 and out2 == "" and "wrote 3 topics" in err
    assert target.read_text() == out
    if fmt == "dot":
        assert pydot.graph_from_dot_data(out)
    elif fmt == "mermaid":
        assert len(parse_mermaid(out)["nodes"]) == 3
    else:
        assert out.splitlines()[0].startswith("The path to Principal component analysis")


def test_graph_rich_tree(cli, mini, monkeypatch):
    from mlpath.cli import render

    monkeypatch.setattr(render, "fancy", lambda: True)
    code, out, err = cli("graph")
    assert code == 0, err
    assert "linear-regression" in out and "(see above)" in out


def test_graph_errors(cli, mini):
    code, out, err = cli("graph", "no-such-topic")
    assert code == 2 and "unknown topic or area" in err
    code, out, err = cli("graph", "--format", "png")
    assert code == 2 and "unknown format 'png'" in err and err.count("\n") == 1
