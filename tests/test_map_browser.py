"""The map page in a real headless browser: Debian's Chromium driven by Playwright's Python package.

Never downloads a browser: it uses the system Chromium (`apt-get install chromium`; `.ci/run` installs it). Without
one, every test here skips with one reason. A screenshot of each page is saved under the test's tmp_path.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from conftest import MINI, ROOT

CHROMIUM = "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else shutil.which("chromium")
if not CHROMIUM:
    pytest.skip("no system Chromium (/usr/bin/chromium or `chromium` on PATH): install it with "
                "`apt-get install chromium` to run the browser tests of `mlpath map`", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402  (after the skip: needs no browser to import)

pytestmark = pytest.mark.slow

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Visit:
    """One page in a fresh context, with every console message, page error, dialog and request recorded."""

    def __init__(self, browser, path: Path):
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("html[data-ready=true]", timeout=20_000)

    def problems(self) -> list:
        return [m for m in self.console if m[0] in ("error", "warning")] + self.errors + self.dialogs

    def shown_ids(self) -> set[str]:
        return set(self.page.eval_on_selector_all(".node:not(.faded)", "ns => ns.map(n => n.dataset.id)"))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser):
    opened: list[Visit] = []

    def go(path: Path) -> Visit:
        v = Visit(browser, path)
        opened.append(v)
        return v

    yield go
    for v in opened:
        v.close()


def write_page(cli, target: Path, *args: str) -> Path:
    code, _, err = cli("map", *args, "--output", str(target))
    assert code == 0, err
    return target


def shipped() -> tuple[dict[str, dict], dict[str, str]]:
    """Topics and area titles of the shipped roadmap, read straight from its YAML."""
    topics = {}
    for f in sorted((ROOT / "content" / "topics").glob("*.yaml")):
        for t in yaml.safe_load(f.read_text(encoding="utf-8"))["topics"]:
            topics[t["id"]] = t
    areas = {a["id"]: a["title"] for a in yaml.safe_load((ROOT / "content" / "areas.yaml").read_text())["areas"]}
    return topics, areas


@pytest.fixture
def shipped_page(cli, tmp_path):
    return write_page(cli, tmp_path / "map.html")


def test_shipped_map_loads_cleanly_with_every_topic(visit, shipped_page, tmp_path):
    v = visit(shipped_page)
    topics, _ = shipped()
    ids = v.page.eval_on_selector_all(".node", "ns => ns.map(n => n.dataset.id)")
    assert sorted(ids) == sorted(topics)
    assert v.problems() == []
    assert [u for u in v.requests if not u.startswith("file:")] == []  # nothing from the network
    # every topic is reachable by keyboard and named for a screen reader
    bad = v.page.eval_on_selector_all(
        ".node", "ns => ns.filter(n => n.tabIndex !== 0 || n.getAttribute('role') !== 'button' "
                 "|| !(n.getAttribute('aria-label') || '').includes(n.querySelector('.title').textContent))"
                 ".map(n => n.dataset.id)")
    assert bad == []
    assert v.page.inner_text("#progress-text").startswith(f"0 of {len(topics)} topics")
    shot = tmp_path / "map-shipped.png"
    v.page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    v.page.click("#zoom-fit")
    v.page.screenshot(path=str(tmp_path / "map-shipped-fit.png"))


def test_clicking_a_topic_shows_its_panel(visit, shipped_page, tmp_path):
    v = visit(shipped_page)
    topics, areas = shipped()
    lr = topics["linear-regression"]
    assert v.page.is_hidden("#panel")
    v.page.click("#topic-linear-regression")
    assert v.page.is_visible("#panel")
    assert v.page.inner_text("#panel-title") == lr["title"]
    body = v.page.inner_text("#panel-body")
    assert lr["summary"].split()[0] in body and areas[lr["area"]] in body
    assert v.page.inner_text("#panel-body code") == "mlpath quiz linear-regression"
    links = v.page.eval_on_selector_all("#panel-body a", "as => as.map(a => [a.href, a.target, a.rel, a.textContent])")
    assert [(h, t) for h, t, _, _ in links] == [(r["url"], "_blank") for r in lr["resources"]]
    assert all("noopener" in rel.split() for _, _, rel, _ in links)
    prereq_titles = v.page.eval_on_selector_all("#panel-body h3 + ul", "uls => uls[0].innerText")
    assert all(topics[p]["title"] in prereq_titles for p in lr["prerequisites"])
    v.page.screenshot(path=str(tmp_path / "map-panel.png"))
    v.page.keyboard.press("Escape")
    assert v.page.is_hidden("#panel")
    assert v.page.evaluate("document.activeElement.dataset.id") == "linear-regression"
    assert v.problems() == []


def test_keyboard_reaches_a_topic_and_enter_opens_it(visit, shipped_page):
    v = visit(shipped_page)
    topics, areas = shipped()
    word = "backpropagation"
    expected = {i for i, t in topics.items()
                if word in "\n".join([i, t["title"], areas[t["area"]], t["summary"]]).lower()}
    v.page.focus("#search")
    v.page.keyboard.type(word)
    v.page.keyboard.press("Enter")  # Enter in the search box moves to the first match on the page
    focused = v.page.evaluate("document.activeElement.dataset.id")
    first = v.page.eval_on_selector(".node:not(.faded)", "n => n.dataset.id")
    assert focused == first and focused in expected
    v.page.keyboard.press("Enter")
    assert v.page.inner_text("#panel-title") == topics[focused]["title"]
    # Tab from one topic moves to another topic
    v.page.keyboard.press("Escape")
    v.page.fill("#search", "")
    v.page.focus("#topic-linear-regression")
    v.page.keyboard.press("Tab")
    assert v.page.evaluate("document.activeElement.classList.contains('node')")
    assert v.problems() == []


def test_search_and_filters_show_exactly_the_matching_topics(visit, shipped_page):
    v = visit(shipped_page)
    topics, areas = shipped()
    word = "regression"
    expected = {i for i, t in topics.items()
                if word in "\n".join([i, t["title"], areas[t["area"]], t["summary"]]).lower()}
    assert 1 < len(expected) < len(topics)
    v.page.fill("#search", word)
    assert v.shown_ids() == expected
    assert v.page.inner_text("#count").startswith(f"{len(expected)} of {len(topics)}")
    v.page.fill("#search", "")
    assert v.shown_ids() == set(topics)
    area = "calculus"
    v.page.select_option("#area-filter", area)
    assert v.shown_ids() == {i for i, t in topics.items() if t["area"] == area}
    v.page.select_option("#area-filter", "")
    # nothing is finished yet: a topic is locked exactly when it has a prerequisite
    v.page.uncheck("#status-filter input[value=locked]")
    assert v.shown_ids() == {i for i, t in topics.items() if not t.get("prerequisites")}
    faded_focusable = v.page.eval_on_selector_all(".node.faded", "ns => ns.filter(n => n.tabIndex !== -1).length")
    assert faded_focusable == 0  # hidden topics leave the Tab order
    assert v.problems() == []


def luminance(rgb: str) -> float:
    """WCAG 2.x relative luminance of a CSS ``rgb(...)``/``rgba(...)`` colour."""
    r, g, b = (int(x) / 255 for x in re.findall(r"[\d.]+", rgb)[:3])
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(fg: str, bg: str) -> float:
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_wcag_contrast_of_the_luminance_formula():
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21)
    assert contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)") == pytest.approx(4.54, abs=0.01)  # the known AA grey


def add_due_review(topic: str) -> None:
    from mlpath.core.scheduling import CardState
    from mlpath.app.session import open_session
    from mlpath.store import queries

    s = open_session(NOW)
    try:
        qid = s.conn.execute("SELECT id FROM question WHERE topic_id = ? AND active LIMIT 1", (topic,)).fetchone()[0]
        past = datetime(2026, 2, 1, tzinfo=timezone.utc)
        queries.record_review(s.conn, s.pack, question_id=qid, topic_id=topic, before=None,
                              after=CardState(2, None, 3.0, 5.0, past, past), now=past, rating=3, correct=True,
                              answer=None, response_ms=None, seed=None)
    finally:
        s.close()


def test_status_marks_due_badges_and_contrast(visit, cli, mini, tmp_path):
    assert cli("done", "vectors")[0] == 0
    assert cli("start", "matrices")[0] == 0
    assert cli("skip", "derivatives")[0] == 0
    add_due_review("vectors")
    v = visit(write_page(cli, tmp_path / "map.html"))
    marks = dict(v.page.eval_on_selector_all(
        ".node", "ns => ns.map(n => [n.dataset.id, [n.className, n.querySelector('.mark').textContent, "
                 "!!n.querySelector('.mark svg')]])"))
    assert marks["vectors"][:2] == ["node s-done", "✓"]
    assert marks["matrices"][:2] == ["node s-in_progress", "▶"]
    assert marks["derivatives"][:2] == ["node s-skipped", "↷"]
    assert marks["gradient-descent"][:2] == ["node s-not_started", "○"]
    assert marks["linear-regression"] == ["node s-locked", "", True]  # a padlock icon, not only a colour
    assert v.page.inner_text("#progress-text").startswith("2 of 6 topics done or skipped (33%)")
    assert v.page.eval_on_selector_all(".node .due", "ds => ds.map(d => [d.parentElement.dataset.id, d.textContent])") \
        == [["vectors", "1 due"]]
    assert "1 review due" in v.page.get_attribute("#topic-vectors", "aria-label")
    # WCAG AA: 4.5:1 for every text on a topic (title, details, badge) against what is behind it
    pairs = v.page.eval_on_selector_all(".node .title, .node .meta, .node .due", """es => es.map(e => {
        const bg = e.classList.contains('due') ? e : e.parentElement;
        return [e.parentElement.dataset.id + ' ' + e.className, getComputedStyle(e).color,
                getComputedStyle(bg).backgroundColor, getComputedStyle(e).opacity];
    })""")
    assert len(pairs) == 6 * 2 + 1
    low = [(what, round(contrast(fg, bg), 2)) for what, fg, bg, _ in pairs if contrast(fg, bg) < 4.5]
    assert low == []
    v.page.screenshot(path=str(tmp_path / "map-statuses.png"))
    assert v.problems() == []


def test_focus_map_shows_the_path_and_opens_the_topic(visit, cli, mini, tmp_path):
    v = visit(write_page(cli, tmp_path / "map.html", "linear-regression"))
    ids = set(v.page.eval_on_selector_all(".node", "ns => ns.map(n => n.dataset.id)"))
    assert ids == {"vectors", "matrices", "derivatives", "gradient-descent", "linear-regression"}
    assert v.page.inner_text("#panel-title") == "Linear regression"
    assert v.page.inner_text("h1") == "The path to Linear regression"
    assert v.problems() == []


def test_hostile_pack_shows_text_and_runs_nothing(visit, cli, tmp_path, monkeypatch):
    folder = tmp_path / "evil"
    shutil.copytree(MINI, folder)
    maths = folder / "topics" / "maths.yaml"
    doc = yaml.safe_load(maths.read_text())
    title = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
    summary = '<b>not bold</b> \u2028 & <!-- </noscript><script>window.__pwned=3;alert(3)</script>'
    doc["topics"][0]["title"] = title
    doc["topics"][0]["summary"] = summary
    doc["topics"][0]["resources"][0]["title"] = '<a href="javascript:window.__pwned=4">click</a>'
    maths.write_text(yaml.safe_dump(doc, allow_unicode=True))
    areas = folder / "areas.yaml"
    adoc = yaml.safe_load(areas.read_text())
    adoc["areas"][0]["title"] = '<svg onload="window.__pwned=5;alert(5)">'
    areas.write_text(yaml.safe_dump(adoc, allow_unicode=True))
    monkeypatch.setenv("MLPATH_CONTENT", str(folder))
    assert cli("content", "check", str(folder))[0] == 0  # the pack is valid content: escaping is the page's job

    v = visit(write_page(cli, tmp_path / "map.html"))
    v.page.click("#topic-vectors")
    v.page.click("#topic-matrices")
    v.page.click("#topic-vectors")
    assert v.page.evaluate("typeof window.__pwned") == "undefined"
    assert v.dialogs == [] and v.errors == []
    assert v.page.inner_text("#panel-title") == title
    assert summary.replace("\u2028", "").split()[0] in v.page.inner_text("#panel-body")
    assert v.page.eval_on_selector_all("img, #panel-body b, #panel-body script", "xs => xs.length") == 0
    hrefs = v.page.eval_on_selector_all("a", "as => as.map(a => a.href)")
    assert hrefs and all(re.match(r"https?://", h) for h in hrefs)
    assert v.page.evaluate("document.querySelectorAll('script').length") == 3
    v.page.screenshot(path=str(tmp_path / "map-hostile.png"))


def test_javascript_urls_never_become_links(visit, tmp_path):
    """Content validation refuses such URLs; the page must not trust that, so feed them to render_map directly."""
    from mlpath.web import MapArea, MapData, MapProgress, MapResource, MapTopic, Status, render_map

    resources = (MapResource("js", "javascript:window.__pwned=1", "docs"),
                 MapResource("js spaced", " javascript:window.__pwned=1", "docs"),
                 MapResource("data", "data:text/html,<script>window.__pwned=1</script>", "docs"),
                 MapResource("ok", "https://example.org/a", "docs"))
    t = MapTopic("t", "T", "a", "s", 1.0, Status.NOT_STARTED, resources=resources, quiz_command="mlpath quiz t")
    page = tmp_path / "page.html"
    page.write_text(render_map(MapData((MapArea("a", "A"),), (t,), MapProgress(0, 1, 0, 1), NOW)), encoding="utf-8")
    v = visit(page)
    v.page.click("#topic-t")
    hrefs = v.page.eval_on_selector_all("#panel-body a", "as => as.map(a => a.getAttribute('href'))")
    assert hrefs == ["https://example.org/a"]
    assert "javascript:window.__pwned=1" in v.page.inner_text("#panel-body")  # shown as text
    assert v.page.evaluate("typeof window.__pwned") == "undefined" and v.problems() == []


def test_print_is_one_clean_page(visit, shipped_page, tmp_path):
    v = visit(shipped_page)
    v.page.emulate_media(media="print")
    assert v.page.is_hidden(".controls") and v.page.is_hidden("#panel")
    pdf = v.page.pdf(landscape=True, format="A4", print_background=True)
    (tmp_path / "map.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    assert pages == 1
    v.page.screenshot(path=str(tmp_path / "map-print.png"), full_page=True)
    assert v.problems() == []
