"""`mlpath map`: the page's escaping and size, the data behind it, writing the file, and the command."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from mlpath.web import MapArea, MapData, MapProgress, MapResource, MapTopic, Status, render_map
from mlpath.web.model import is_web_url
from mlpath.web.render import script_json

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
HOSTILE = '</script><script>window.__pwned=1;alert(1)</script><!--'
HOSTILE_IMG = '<img src=x onerror="window.__pwned=1">&amp; \u2028 \u2029'


# --- reading a page back, independently of how it was written ----------------------------------------------------

class Page(HTMLParser):
    """Every element and attribute, the text of each <script>, and the CSP, as a browser's tokenizer sees them."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None
        self._buffer: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "script":
            self._in_script, self._buffer = attrs, []

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script is not None:
            self.scripts.append((self._in_script, "".join(self._buffer)))
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self._buffer.append(data)

    def csp(self) -> str:
        return next(a["content"] for t, a in self.tags
                    if t == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy")

    def data(self) -> dict:
        return json.loads(next(text for a, text in self.scripts if a.get("type") == "application/json"))


def topic(tid: str, **kw) -> MapTopic:
    base = dict(id=tid, title=tid.title(), area="a", summary=f"About {tid}.", hours=2.0, status=Status.NOT_STARTED,
                quiz_command=f"mlpath quiz {tid}")
    return MapTopic(**{**base, **kw})


def data_of(*topics: MapTopic, areas=(MapArea("a", "Area A"),), focus=None) -> MapData:
    return MapData(areas=tuple(areas), topics=tuple(topics),
                   progress=MapProgress(done=0, total=len(topics), hours_done=0, hours_total=2.0 * len(topics)),
                   generated_at=NOW, focus=focus)


def hostile_data() -> MapData:
    evil = topic("evil", title=HOSTILE, summary=HOSTILE_IMG, area="bad",
                 resources=(MapResource(HOSTILE, "javascript:window.__pwned=1", "course"),
                            MapResource("data", "data:text/html,<script>window.__pwned=1</script>", "book"),
                            MapResource("fine", "https://example.org/ok?a=1&b=<2>", "docs")))
    return data_of(topic("plain"), evil, areas=(MapArea("a", "Area A"), MapArea("bad", HOSTILE_IMG)))


# --- escaping ----------------------------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.text())
def test_script_json_round_trips_and_cannot_close_its_element(text):
    out = script_json({"t": text, "list": [text]})
    assert json.loads(out) == {"t": text, "list": [text]}
    assert not set(out) & {"<", ">", "&", "\u2028", "\u2029"}


def test_hostile_content_is_only_text():
    html = render_map(hostile_data())
    page = Page(html)
    # exactly the page's own scripts: the data block, dagre and the page script; nothing else opened a <script>
    assert [a.get("type") for a, _ in page.scripts] == ["application/json", None, None]
    assert html.count("<script") == 3
    assert HOSTILE not in html and "<img src=x" not in html
    assert not [(t, k) for t, a in page.tags for k in a if k.startswith("on")]  # no event handler attributes
    assert not [a for t, a in page.tags if t == "a"]  # links are made by the page script, never in the HTML
    # the text comes back unchanged from the JSON block
    data = page.data()
    evil = data["topics"][1]
    assert evil["title"] == HOSTILE and evil["summary"] == HOSTILE_IMG
    assert data["areas"][1]["title"] == HOSTILE_IMG
    assert [r["link"] for r in evil["resources"]] == [False, False, True]
    assert evil["resources"][2]["url"] == "https://example.org/ok?a=1&b=<2>"


def _structure(html: str) -> list[tuple[str, list[str]]]:
    return [(t, sorted(a)) for t, a in Page(html).tags]


@settings(max_examples=60, deadline=None)
@given(title=st.text(), summary=st.text(), area=st.text(), url=st.text(), focus=st.booleans())
def test_content_text_never_changes_the_page_structure(title, summary, area, url, focus):
    """Whatever the text, the page has the same elements and attributes as with plain words, and the text comes
    back unchanged from the data block."""
    def page(t, s, a, u):
        d = data_of(topic("x", title=t, summary=s, area="a", resources=(MapResource(t, u, "docs"),)),
                    areas=(MapArea("a", a),), focus="x" if focus else None)
        return render_map(d)

    html = page(title, summary, area, url)
    assert _structure(html) == _structure(page("plain", "plain", "plain", "https://example.org"))
    back = Page(html).data()
    assert back["topics"][0]["title"] == title and back["topics"][0]["summary"] == summary
    assert back["areas"][0]["title"] == area and back["topics"][0]["resources"][0]["url"] == url


def test_noscript_fallback_and_title_are_escaped():
    page = Page(render_map(hostile_data()))
    assert not [t for t, _ in page.tags if t in ("img", "iframe", "object", "embed")]
    html = render_map(hostile_data())
    fallback = html[html.index("<noscript>"):html.index("</noscript>")]
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=1" in fallback


def test_csp_allows_only_the_pages_own_scripts_and_no_network():
    page = Page(render_map(hostile_data()))
    csp = dict((part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in page.csp().split(";")))
    assert csp["default-src"] == "'none'"
    executable = [text for a, text in page.scripts if a.get("type") is None]
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(t.encode()).digest()).decode() + "'" for t in executable}
    assert set(csp["script-src"].split()) == hashes
    assert "unsafe" not in page.csp() and "http" not in page.csp()


def test_page_needs_no_network():
    html = render_map(hostile_data())
    page = Page(html)
    assert not [a for t, a in page.tags if t in ("script", "img", "iframe") and a.get("src")]
    assert not [a for t, a in page.tags if t == "link"]
    assert not re.search(r"@import|url\((?!#)", html.split("</style>")[0])  # no stylesheet fetches anything


@pytest.mark.parametrize("url, ok", [
    ("https://example.org/a", True), ("http://example.org", True), ("HTTPS://EXAMPLE.ORG/", True),
    ("javascript:alert(1)", False), (" javascript:alert(1)", False), ("JaVaScRiPt:alert(1)", False),
    ("data:text/html,hi", False), ("vbscript:x", False), ("//example.org/a", False), ("https:///nohost", False),
    ("https://exa mple.org", False), ("https://example.org/\nx", False), ("ftp://example.org", False), ("", False),
])
def test_only_absolute_http_urls_are_links(url, ok):
    assert is_web_url(url) is ok
    assert MapResource("t", url, "docs").linkable is ok


@pytest.mark.parametrize("stored, unlocked, expected", [
    ("not_started", True, Status.NOT_STARTED), ("not_started", False, Status.LOCKED),
    ("in_progress", False, Status.IN_PROGRESS), ("done", False, Status.DONE), ("skipped", True, Status.SKIPPED),
])
def test_status_on_the_map(stored, unlocked, expected):
    assert Status.of(stored, unlocked) is expected


def test_unlocks_are_the_reverse_edges_within_the_page():
    d = data_of(topic("x"), topic("y", prerequisites=("x",)), topic("z", prerequisites=("x", "y", "gone")))
    topics = {t["id"]: t for t in Page(render_map(d)).data()["topics"]}
    assert topics["x"]["unlocks"] == ["y", "z"] and topics["y"]["unlocks"] == ["z"] and topics["z"]["unlocks"] == []
    assert topics["z"]["prerequisites"] == ["x", "y", "gone"]  # shown as text in the panel, no edge


def test_mastery_is_optional():
    d = data_of(topic("x"), topic("y", mastery=0.5, mastery_state="learning"))
    x, y = Page(render_map(d)).data()["topics"]
    assert (x["mastery"], x["masteryState"]) == (None, None)
    assert (y["mastery"], y["masteryState"]) == (0.5, "learning")


def test_assets_cannot_end_their_own_elements():
    web = ROOT / "mlpath" / "web"
    for name, closing in [("map.js", "</script"), ("vendor/dagre.min.js", "</script"), ("map.css", "</style")]:
        text = (web / name).read_text(encoding="utf-8").lower()
        assert closing not in text and "<!--" not in text, name


# --- the shipped roadmap -----------------------------------------------------------------------------------------

def shipped_topic_ids() -> list[str]:
    """Read straight from the YAML, not through mlpath's loader."""
    ids = []
    for f in sorted((ROOT / "content" / "topics").glob("*.yaml")):
        ids += [t["id"] for t in yaml.safe_load(f.read_text(encoding="utf-8"))["topics"]]
    return ids


@pytest.fixture
def shipped_page(home):
    from mlpath.app.map import map_data
    from mlpath.app.session import open_session

    s = open_session(NOW)
    try:
        return render_map(map_data(s))
    finally:
        s.close()


def test_shipped_page_has_every_topic_and_fits_in_one_megabyte(shipped_page):
    assert len(shipped_page.encode("utf-8")) <= 1_000_000
    page = Page(shipped_page)
    ids = [t["id"] for t in page.data()["topics"]]
    expected = shipped_topic_ids()
    assert sorted(ids) == sorted(expected) and len(ids) == len(set(ids)) >= 100
    fallback_ids = [a["id"] for t, a in page.tags if t == "li" and (a.get("id") or "").startswith("fallback-")]
    assert fallback_ids == ["fallback-" + i for i in ids]


def test_vendored_layout_library_ships_with_its_licence():
    vendor = ROOT / "mlpath" / "web" / "vendor"
    assert "Permission is hereby granted" in (vendor / "LICENSE-dagre").read_text()
    assert "Permission is hereby granted" in (vendor / "LICENSE-graphlib").read_text()
    last = (vendor / "dagre.min.js").read_text().rstrip().splitlines()[-1]
    assert "MIT" in last and "LICENSE-dagre" in last and "LICENSE-graphlib" in last


# --- map_data on the small roadmap -------------------------------------------------------------------------------

@pytest.fixture
def mini_session(mini, home):
    from mlpath.app.session import open_session

    s = open_session(NOW)
    yield s
    s.close()


def test_map_data_of_the_whole_roadmap(mini_session):
    from mlpath.app.map import map_data
    from mlpath.store import queries

    queries.set_status(mini_session.conn, mini_session.pack, "vectors", "done", NOW)
    queries.set_status(mini_session.conn, mini_session.pack, "derivatives", "in_progress", NOW)
    d = map_data(mini_session)
    status = {t.id: t.status for t in d.topics}
    assert status == {"vectors": Status.DONE, "matrices": Status.NOT_STARTED, "derivatives": Status.IN_PROGRESS,
                      "gradient-descent": Status.LOCKED, "linear-regression": Status.LOCKED, "pca": Status.LOCKED}
    assert d.progress == MapProgress(done=1, total=6, hours_done=4, hours_total=4 + 6 + 5 + 3 + 6 + 5, due=0)
    assert [a.id for a in d.areas] == ["maths", "ml"] and d.focus is None and d.generated_at == NOW
    lr = next(t for t in d.topics if t.id == "linear-regression")
    assert lr.prerequisites == ("matrices", "gradient-descent") and lr.quiz_command == "mlpath quiz linear-regression"
    assert lr.resources == (MapResource("LR docs", "https://example.org/lr", "docs"),)


def test_map_data_of_a_focus_topic_holds_it_and_its_ancestors_only(mini_session):
    from mlpath.app.map import map_data

    d = map_data(mini_session, "OLS")  # an alias of linear-regression
    assert d.focus == "linear-regression"
    assert [t.id for t in d.topics] == ["vectors", "matrices", "derivatives", "gradient-descent", "linear-regression"]
    d = map_data(mini_session, "pca")
    assert [t.id for t in d.topics] == ["vectors", "matrices", "pca"]
    assert [a.id for a in d.areas] == ["maths", "ml"]
    d = map_data(mini_session, "vectors")
    assert [t.id for t in d.topics] == ["vectors"] and [a.id for a in d.areas] == ["maths"]
    assert d.progress.total == 1 and d.progress.hours_total == 4


def test_due_reviews_are_counted_per_topic(mini_session):
    from mlpath.app.map import map_data
    from mlpath.core.scheduling import CardState
    from mlpath.store import queries

    qids = [r[0] for r in mini_session.conn.execute(
        "SELECT id FROM question WHERE topic_id = 'vectors' AND active ORDER BY id LIMIT 2")]
    assert len(qids) == 2
    past = datetime(2026, 2, 1, tzinfo=timezone.utc)
    future = datetime(2026, 4, 1, tzinfo=timezone.utc)
    for qid, due in zip(qids, (past, future)):
        queries.record_review(mini_session.conn, mini_session.pack, question_id=qid, topic_id="vectors", before=None,
                              after=CardState(2, None, 3.0, 5.0, due, past), now=past, rating=3, correct=True,
                              answer=None, response_ms=None, seed=None)
    d = map_data(mini_session)
    assert {t.id: t.due for t in d.topics if t.due} == {"vectors": 1}
    assert d.progress.due == 1


def test_unknown_focus_is_a_user_error_with_suggestions(mini_session):
    from mlpath.app.map import map_data
    from mlpath.errors import NotFound, UserError

    with pytest.raises(NotFound) as e:
        map_data(mini_session, "linear-regresion")
    assert e.value.exit_code == 2 and "linear-regression" in e.value.suggestions
    with pytest.raises(UserError, match="area"):
        map_data(mini_session, "maths")  # an area is not a topic: exit 2, pointing at its topics


# --- writing the file --------------------------------------------------------------------------------------------

def test_write_map_writes_once_and_refuses_to_overwrite(tmp_path):
    from mlpath.app.map import write_map
    from mlpath.errors import UserError

    target = tmp_path / "out.html"
    assert write_map("<p>one</p>", target) == target
    assert target.read_text() == "<p>one</p>"
    with pytest.raises(UserError, match="--force"):
        write_map("<p>two</p>", target)
    assert target.read_text() == "<p>one</p>"
    write_map("<p>two</p>", target, force=True)
    assert target.read_text() == "<p>two</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.html"]  # no temporary file left behind


def test_write_map_replaces_its_own_default_file(home):
    from mlpath.app.map import default_output, write_map

    assert default_output() == home / "map.html"
    write_map("one", default_output())  # creates MLPATH_HOME if needed
    write_map("two", default_output())
    assert (home / "map.html").read_text() == "two"


@pytest.mark.parametrize("name", ["mlpath.db", "mlpath.db-wal", "mlpath.db-shm"])
def test_write_map_never_touches_the_database(home, name):
    from mlpath.app.map import write_map
    from mlpath.errors import UserError

    home.mkdir(parents=True, exist_ok=True)
    db = home / name
    db.write_bytes(b"SQLite format 3\x00precious")
    for target in (db, home / "." / name, Path(os.path.relpath(db))):
        with pytest.raises(UserError, match="database"):
            write_map("<html>", target, force=True)
    link = home / "innocent.html"
    link.symlink_to(db)
    with pytest.raises(UserError, match="database"):
        write_map("<html>", link, force=True)
    assert db.read_bytes() == b"SQLite format 3\x00precious"


def test_write_map_refuses_the_database_name_even_before_it_exists(home):
    from mlpath.app.map import write_map
    from mlpath.errors import UserError

    home.mkdir(parents=True, exist_ok=True)
    with pytest.raises(UserError, match="database"):
        write_map("<html>", home / "mlpath.db-wal", force=True)
    assert not (home / "mlpath.db-wal").exists()


def test_write_map_explains_a_missing_folder_and_a_folder_target(tmp_path):
    from mlpath.app.map import write_map
    from mlpath.errors import UserError

    with pytest.raises(UserError, match="does not exist"):
        write_map("x", tmp_path / "nope" / "map.html")
    with pytest.raises(UserError, match="folder"):
        write_map("x", tmp_path, force=True)


# --- the command -------------------------------------------------------------------------------------------------

@pytest.fixture
def opened(monkeypatch):
    """Record what the command would open in a browser (and open nothing)."""
    import webbrowser

    calls: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: calls.append(url) or True)
    return calls


def test_cli_map_writes_the_default_file_and_opens_it(cli, mini, home, opened):
    code, out, err = cli("map")
    assert code == 0, err
    target = home / "map.html"
    assert out.strip() == str(target) and target.is_file()
    assert opened == [target.as_uri()]
    assert [t["id"] for t in Page(target.read_text(encoding="utf-8")).data()["topics"]] == [
        "vectors", "matrices", "derivatives", "gradient-descent", "linear-regression", "pca"]
    assert cli("map")[0] == 0  # its own default file is replaced without --force
    assert len(opened) == 2


def test_cli_map_no_open_and_json(cli, mini, home, opened):
    code, out, _ = cli("map", "--no-open", "--json")
    assert code == 0 and json.loads(out) == {"path": str(home / "map.html"), "topics": 6}
    code, out, _ = cli("map", "pca", "--no-open", "--json")
    assert code == 0 and json.loads(out) == {"path": str(home / "map.html"), "topics": 3}
    assert opened == []


def test_cli_map_output_does_not_open_and_refuses_to_overwrite(cli, mini, tmp_path, opened):
    target = tmp_path / "roadmap.html"
    code, out, _ = cli("map", "--output", str(target))
    assert code == 0 and out.strip() == str(target) and target.is_file() and opened == []
    first = target.read_bytes()
    code, out, err = cli("map", "linear-regression", "--output", str(target))
    assert code == 2 and "--force" in err and err.count("\n") == 1 and target.read_bytes() == first
    code, _, _ = cli("map", "linear-regression", "--output", str(target), "--force")
    assert code == 0
    data = Page(target.read_text(encoding="utf-8")).data()
    assert data["focus"] == "linear-regression" and len(data["topics"]) == 5


def test_cli_map_refuses_the_database_even_with_force(cli, mini, home, opened):
    assert cli("progress")[0] == 0  # creates the database
    db = home / "mlpath.db"
    before = db.read_bytes()
    code, _, err = cli("map", "--output", str(db), "--force")
    assert code == 2 and "database" in err
    assert db.read_bytes() == before


def test_cli_map_unknown_topic_suggests(cli, mini, opened):
    code, out, err = cli("map", "linear-regresion", "--no-open")
    assert code == 2 and out == ""
    assert err.startswith("mlpath: error: unknown topic 'linear-regresion'; did you mean linear-regression")


def test_web_package_imports_neither_the_store_nor_the_cli():
    import ast

    found = set()
    for f in (ROOT / "mlpath" / "web").glob("*.py"):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
    mlpath_modules = {m for m in found if m.split(".")[0] == "mlpath"}
    assert mlpath_modules and all(m.startswith("mlpath.web") for m in mlpath_modules), mlpath_modules
