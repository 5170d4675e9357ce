
/* mlpath map: draws the roadmap from the JSON in #map-data. Layout by dagre (vendored).
   Every text from content goes into the DOM through textContent or an attribute: never as HTML. */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("map-data").textContent);
  const SVGNS = "http://www.w3.org/2000/svg";
  const NODE_W = 210, NODE_H = 64;
  const MARK = { done: "✓", in_progress: "▶", not_started: "○", skipped: "↷", locked: null };
  const STATUS_ORDER = ["in_progress", "not_started", "locked", "done", "skipped"];
  const labels = data.statusLabels;
  const byId = new Map(data.topics.map((t) => [t.id, t]));
  const areaTitle = new Map(data.areas.map((a) => [a.id, a.title]));
  const $ = (id) => document.getElementById(id);

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svgEl(tag, attrs) {
    const e = document.createElementNS(SVGNS, tag);
    for (const k in attrs) e.setAttribute(k, String(attrs[k]));
    return e;
  }
  function lockIcon() {
    const s = svgEl("svg", { viewBox: "0 0 12 14", "aria-hidden": "true", focusable: "false" });
    s.appendChild(svgEl("rect", { x: 1, y: 6, width: 10, height: 7.5, rx: 1.2, fill: "currentColor" }));
    s.appendChild(svgEl("path", { d: "M3.2 6V4.2a2.8 2.8 0 0 1 5.6 0V6", fill: "none", stroke: "currentColor", "stroke-width": 1.6 }));
    return s;
  }
  function markOf(status) {
    const span = el("span", "mark");
    span.setAttribute("aria-hidden", "true");
    if (MARK[status]) span.textContent = MARK[status]; else span.appendChild(lockIcon());
    return span;
  }
  function hours(h) { return (Math.round(h * 10) / 10).toString(); }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function isWebUrl(url) {
    try {
      const u = new URL(url);
      return (u.protocol === "http:" || u.protocol === "https:") && u.host !== "";
    } catch (e) { return false; }
  }

  // ---- header: title, progress, filters ------------------------------------------------------------------
  const focusTopic = data.focus && byId.get(data.focus);
  $("page-title").textContent = focusTopic ? "The path to " + focusTopic.title : data.title;
  document.title = focusTopic ? data.title + ": the path to " + focusTopic.title : data.title;
  const p = data.progress;
  const pct = p.total ? Math.round((100 * p.done) / p.total) : 0;
  $("progress-text").textContent = p.done + " of " + plural(p.total, "topic") + " done or skipped (" + pct + "%) · " +
    hours(p.hoursDone) + " of " + hours(p.hoursTotal) + " hours" + (p.due ? " · " + plural(p.due, "review") + " due" : "");
  $("progress-bar").setAttribute("aria-valuemax", String(p.total));
  $("progress-bar").setAttribute("aria-valuenow", String(p.done));
  $("progress-fill").style.width = pct + "%";
  $("generated").textContent = "Made by mlpath on " + data.generatedText +
    (focusTopic ? " · showing " + focusTopic.title + " and everything that leads to it" : "") +
    " · quiz a topic with the command in its panel.";

  const areaSelect = $("area-filter");
  for (const a of data.areas) {
    if (!data.topics.some((t) => t.area === a.id)) continue;
    const o = el("option", null, a.title);
    o.value = a.id;
    areaSelect.appendChild(o);
  }
  const statusBoxes = {};
  for (const s of STATUS_ORDER) {
    const lab = el("label", "node-legend");
    const box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = s;
    statusBoxes[s] = box;
    const swatch = el("span", "mark s-" + s);
    swatch.setAttribute("aria-hidden", "true");
    if (MARK[s]) swatch.textContent = MARK[s]; else swatch.appendChild(lockIcon());
    lab.append(box, swatch, document.createTextNode(labels[s]));
    $("status-filter").appendChild(lab);
  }

  // ---- layout: dagre lays out each area's topics, then the areas themselves ----------------------------------
  // Two levels keep every area in its own box (dagre's compound clusters can overlap on a graph this connected):
  // inside an area, topics are layered left to right by the prerequisites within it; the area boxes are then
  // layered top to bottom by the prerequisites between areas (a wide screen and a landscape page hold that
  // shape well). Both layouts are dagre's.
  const PAD = 14, LABEL_H = 26;
  const usedAreas = data.areas.filter((a) => data.topics.some((t) => t.area === a.id));
  const orphans = data.topics.filter((t) => !areaTitle.has(t.area));
  if (orphans.length) usedAreas.push({ id: "\u0000none", title: "Other topics" });
  const areaOf = (t) => (areaTitle.has(t.area) ? t.area : "\u0000none");
  const boxes = new Map();
  for (const a of usedAreas) {
    const inner = new dagre.graphlib.Graph();
    inner.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 56, marginx: 0, marginy: 0 });
    inner.setDefaultEdgeLabel(() => ({}));
    const members = data.topics.filter((t) => areaOf(t) === a.id);
    for (const t of members) inner.setNode(t.id, { width: NODE_W, height: NODE_H });
    for (const t of members) {
      for (const pre of t.prerequisites) {
        if (byId.has(pre) && areaOf(byId.get(pre)) === a.id) inner.setEdge(pre, t.id);
      }
    }
    dagre.layout(inner);
    const w = Math.max(inner.graph().width || NODE_W, NODE_W), h = Math.max(inner.graph().height || NODE_H, NODE_H);
    boxes.set(a.id, { area: a, inner: inner, width: w + 2 * PAD, height: h + 2 * PAD + LABEL_H, x: 0, y: 0 });
  }
  const outer = new dagre.graphlib.Graph();
  outer.setGraph({ rankdir: "TB", nodesep: 40, ranksep: 70, marginx: 20, marginy: 20 });
  outer.setDefaultEdgeLabel(() => ({}));
  for (const [id, b] of boxes) outer.setNode(id, { width: b.width, height: b.height });
  for (const t of data.topics) {
    for (const pre of t.prerequisites) {
      if (!byId.has(pre)) continue;
      const from = areaOf(byId.get(pre)), to = areaOf(t);
      if (from !== to) outer.setEdge(from, to);
    }
  }
  dagre.layout(outer);
  const graphW = Math.ceil(outer.graph().width || 400), graphH = Math.ceil(outer.graph().height || 300);
  const place = new Map();  // topic id -> centre in page coordinates
  for (const [id, b] of boxes) {
    const n = outer.node(id);
    b.x = n.x - b.width / 2;
    b.y = n.y - b.height / 2;
    for (const tid of b.inner.nodes()) {
      const m = b.inner.node(tid);
      place.set(tid, { x: b.x + PAD + m.x, y: b.y + PAD + LABEL_H + m.y });
    }
  }

  // ---- drawing -------------------------------------------------------------------------------------------
  const stage = $("stage"), svg = $("edges"), sizer = $("sizer"), viewport = $("viewport");
  stage.style.width = graphW + "px";
  stage.style.height = graphH + "px";
  svg.setAttribute("width", graphW);
  svg.setAttribute("height", graphH);
  const defs = svgEl("defs", {});
  for (const [id, cls] of [["arrow", "arrow"], ["arrow-hot", "arrow-hot"]]) {
    const m = svgEl("marker", { id: id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto" });
    m.appendChild(svgEl("path", { d: "M0,0 L10,5 L0,10 z", class: cls }));
    defs.appendChild(m);
  }
  svg.appendChild(defs);
  for (const [, b] of boxes) {
    const grp = svgEl("g", { class: "cluster" });
    grp.appendChild(svgEl("rect", { x: b.x, y: b.y, width: b.width, height: b.height, rx: 10 }));
    const label = svgEl("text", { x: b.x + PAD, y: b.y + 20 });
    label.textContent = b.area.title;
    grp.appendChild(label);
    svg.appendChild(grp);
  }
  const edgeLayer = svgEl("g", {});
  svg.appendChild(edgeLayer);
  const edgesByTopic = new Map(data.topics.map((t) => [t.id, []]));
  for (const t of data.topics) {
    for (const pre of t.prerequisites) {
      if (!byId.has(pre)) continue;
      const box = boxes.get(areaOf(t));
      const local = areaOf(byId.get(pre)) === areaOf(t);
      let d;
      if (local) {
        const pts = box.inner.edge(pre, t.id).points || [];
        d = pts.map((q, i) => (i ? " L" : "M") + (box.x + PAD + q.x) + "," + (box.y + PAD + LABEL_H + q.y)).join("");
      } else {
        // Between areas: a curve from the prerequisite's bottom (or right) side to the topic's top (or left).
        const a = place.get(pre), z = place.get(t.id);
        if (z.y - a.y > NODE_H) {
          const x1 = a.x, y1 = a.y + NODE_H / 2, x2 = z.x, y2 = z.y - NODE_H / 2, bend = Math.max(30, (y2 - y1) / 2);
          d = "M" + x1 + "," + y1 + " C" + x1 + "," + (y1 + bend) + " " + x2 + "," + (y2 - bend) + " " + x2 + "," + y2;
        } else {
          const x1 = a.x + NODE_W / 2, y1 = a.y, x2 = z.x - NODE_W / 2, y2 = z.y, bend = Math.max(40, Math.abs(x2 - x1) / 2);
          d = "M" + x1 + "," + y1 + " C" + (x1 + bend) + "," + y1 + " " + (x2 - bend) + "," + y2 + " " + x2 + "," + y2;
        }
      }
      const path = svgEl("path", { d: d, class: local ? "edge" : "edge cross", "marker-end": "url(#arrow)" });
      edgeLayer.appendChild(path);
      const rec = { path: path, from: pre, to: t.id };
      edgesByTopic.get(pre).push(rec);
      edgesByTopic.get(t.id).push(rec);
    }
  }

  const nodes = new Map();
  for (const t of data.topics) {
    const n = place.get(t.id);
    const node = el("div", "node s-" + t.status);
    node.id = "topic-" + t.id;
    node.dataset.id = t.id;
    node.tabIndex = 0;
    node.setAttribute("role", "button");
    node.setAttribute("aria-controls", "panel");
    let aria = t.title + ". " + labels[t.status] + ". " + (areaTitle.get(t.area) || t.area) + ".";
    if (t.due) aria += " " + plural(t.due, "review") + " due.";
    if (t.mastery !== null && t.mastery !== undefined) aria += " Mastery " + Math.round(t.mastery * 100) + "%.";
    node.setAttribute("aria-label", aria);
    node.style.left = (n.x - NODE_W / 2) + "px";
    node.style.top = (n.y - NODE_H / 2) + "px";
    node.style.width = NODE_W + "px";
    node.style.height = NODE_H + "px";
    node.appendChild(markOf(t.status));
    if (t.due) {
      const due = el("span", "due", t.due + " due");
      due.setAttribute("aria-hidden", "true");
      node.appendChild(due);
    }
    node.appendChild(el("span", "title", t.title));
    let meta = "~" + hours(t.hours) + " h";
    if (t.questions) meta += " · " + plural(t.questions, "question");
    node.appendChild(el("span", "meta", meta));
    if (t.mastery !== null && t.mastery !== undefined) {
      const bar = el("span", "mastery");
      const fill = el("span");
      fill.style.width = Math.max(0, Math.min(100, t.mastery * 100)) + "%";
      bar.appendChild(fill);
      node.appendChild(bar);
    }
    if (focusTopic && t.id === focusTopic.id) node.classList.add("focus-topic");
    node.title = t.title + " (" + t.id + ")";
    stage.appendChild(node);
    nodes.set(t.id, node);
  }

  // ---- zoom and pan --------------------------------------------------------------------------------------
  let zoom = 1;
  function setZoom(z, cx, cy) {
    const old = zoom;
    zoom = Math.max(0.05, Math.min(2, z));
    const rect = viewport.getBoundingClientRect();
    const px = cx === undefined ? rect.width / 2 : cx, py = cy === undefined ? rect.height / 2 : cy;
    const gx = (viewport.scrollLeft + px) / old, gy = (viewport.scrollTop + py) / old;
    stage.style.transform = "scale(" + zoom + ")";
    sizer.style.width = Math.ceil(graphW * zoom) + "px";
    sizer.style.height = Math.ceil(graphH * zoom) + "px";
    viewport.scrollLeft = gx * zoom - px;
    viewport.scrollTop = gy * zoom - py;
  }
  function fitScale(w, h) { return Math.min(w / graphW, h / graphH); }
  $("zoom-in").addEventListener("click", () => setZoom(zoom * 1.25));
  $("zoom-out").addEventListener("click", () => setZoom(zoom / 1.25));
  $("zoom-fit").addEventListener("click", () => {
    setZoom(fitScale(viewport.clientWidth - 8, viewport.clientHeight - 8));
    viewport.scrollLeft = 0;
    viewport.scrollTop = 0;
  });
  viewport.addEventListener("wheel", (ev) => {
    if (!ev.ctrlKey && !ev.metaKey) return;
    ev.preventDefault();
    const rect = viewport.getBoundingClientRect();
    setZoom(zoom * (ev.deltaY < 0 ? 1.1 : 1 / 1.1), ev.clientX - rect.left, ev.clientY - rect.top);
  }, { passive: false });
  let drag = null;
  viewport.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0 || ev.target.closest(".node")) return;
    drag = { x: ev.clientX, y: ev.clientY, left: viewport.scrollLeft, top: viewport.scrollTop };
    viewport.classList.add("dragging");
  });
  window.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    viewport.scrollLeft = drag.left - (ev.clientX - drag.x);
    viewport.scrollTop = drag.top - (ev.clientY - drag.y);
  });
  window.addEventListener("pointerup", () => { drag = null; viewport.classList.remove("dragging"); });
  const startZoom = Math.max(0.9, Math.min(1, fitScale(viewport.clientWidth - 8, viewport.clientHeight - 8)));
  setZoom(startZoom, 0, 0);

  function reveal(node) {
    const left = parseFloat(node.style.left) * zoom, top = parseFloat(node.style.top) * zoom;
    const w = NODE_W * zoom, h = NODE_H * zoom;
    if (left < viewport.scrollLeft || left + w > viewport.scrollLeft + viewport.clientWidth)
      viewport.scrollLeft = left - (viewport.clientWidth - w) / 2;
    if (top < viewport.scrollTop || top + h > viewport.scrollTop + viewport.clientHeight)
      viewport.scrollTop = top - (viewport.clientHeight - h) / 2;
  }

  // ---- the side panel ------------------------------------------------------------------------------------
  const panel = $("panel"), body = $("panel-body");
  let selected = null;
  function topicList(ids) {
    const ul = el("ul");
    for (const id of ids) {
      const t = byId.get(id);
      const li = el("li");
      if (t) {
        const b = el("button", "link", t.title);
        b.type = "button";
        b.addEventListener("click", () => { select(id, true); nodes.get(id).focus(); });
        li.append(markOf(t.status), b);
      } else {
        li.textContent = id;
      }
      ul.appendChild(li);
    }
    return ul;
  }
  function section(title, content) {
    body.appendChild(el("h3", null, title));
    body.appendChild(content);
  }
  function select(id, keepFocus) {
    const t = byId.get(id);
    if (!t) return;
    if (selected) {
      nodes.get(selected).classList.remove("selected");
      for (const r of edgesByTopic.get(selected)) { r.path.classList.remove("hot"); r.path.setAttribute("marker-end", "url(#arrow)"); }
    }
    selected = id;
    const node = nodes.get(id);
    node.classList.add("selected");
    for (const r of edgesByTopic.get(id)) { r.path.classList.add("hot"); r.path.setAttribute("marker-end", "url(#arrow-hot)"); }
    $("panel-title").textContent = t.title;
    const status = $("panel-status");
    status.textContent = "";
    status.append(markOf(t.status), document.createTextNode(" " + labels[t.status]));
    body.textContent = "";
    body.appendChild(el("p", "summary", t.summary));
    const facts = [areaTitle.get(t.area) || t.area, "~" + hours(t.hours) + " h"];
    facts.push(plural(t.questions, "quiz question"));
    if (t.due) facts.push(plural(t.due, "review") + " due now");
    if (t.mastery !== null && t.mastery !== undefined)
      facts.push("mastery " + Math.round(t.mastery * 100) + "%" + (t.masteryState ? " (" + t.masteryState + ")" : ""));
    body.appendChild(el("p", "facts", facts.join(" · ")));
    if (t.prerequisites.length) section("Prerequisites", topicList(t.prerequisites));
    else section("Prerequisites", el("p", null, "None: you can start here."));
    if (t.unlocks.length) section("Unlocks", topicList(t.unlocks));
    if (t.resources.length) {
      const ul = el("ul");
      for (const r of t.resources) {
        const li = el("li");
        if (r.link === true && isWebUrl(r.url)) {
          const a = el("a", null, r.title);
          a.href = r.url;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          li.appendChild(a);
        } else {
          li.appendChild(el("span", null, r.title + " (" + r.url + ")"));
        }
        if (r.kind) li.append(document.createTextNode(" "), el("span", "kind", r.kind));
        ul.appendChild(li);
      }
      section("Resources", ul);
    }
    if (t.quiz) {
      section("Quiz it", el("code", null, t.quiz));
    }
    body.appendChild(el("p", "id", "Topic id: " + t.id));
    panel.hidden = false;
    reveal(node);
    if (!keepFocus) $("panel-title").focus();
  }
  function closePanel() {
    panel.hidden = true;
    if (selected) {
      const node = nodes.get(selected);
      node.classList.remove("selected");
      for (const r of edgesByTopic.get(selected)) { r.path.classList.remove("hot"); r.path.setAttribute("marker-end", "url(#arrow)"); }
      selected = null;
      node.focus();
    }
  }
  $("panel-close").addEventListener("click", closePanel);
  stage.addEventListener("click", (ev) => {
    const node = ev.target.closest(".node");
    if (node) select(node.dataset.id, false);
  });
  stage.addEventListener("keydown", (ev) => {
    const node = ev.target.closest(".node");
    if (node && (ev.key === "Enter" || ev.key === " ")) {
      ev.preventDefault();
      select(node.dataset.id, false);
    }
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && !panel.hidden) closePanel();
    else if (ev.key === "/" && document.activeElement !== $("search")) { ev.preventDefault(); $("search").focus(); }
  });

  // ---- search and filters --------------------------------------------------------------------------------
  const haystack = new Map(data.topics.map((t) => [t.id,
    [t.id, t.title, areaTitle.get(t.area) || t.area, t.summary].join("\n").toLowerCase()]));
  function applyFilters() {
    const q = $("search").value.trim().toLowerCase();
    const area = areaSelect.value;
    let shown = 0;
    let first = null;
    for (const t of data.topics) {
      const node = nodes.get(t.id);
      const ok = (!q || haystack.get(t.id).includes(q)) && (!area || t.area === area) && statusBoxes[t.status].checked;
      node.classList.toggle("faded", !ok);
      node.classList.toggle("match", ok && q !== "");
      node.tabIndex = ok ? 0 : -1;
      node.setAttribute("aria-hidden", ok ? "false" : "true");
      if (ok) { shown++; if (!first) first = node; }
    }
    for (const [id, recs] of edgesByTopic) {
      for (const r of recs) r.path.classList.toggle("faded", nodes.get(r.from).classList.contains("faded") ||
        nodes.get(r.to).classList.contains("faded"));
    }
    const filtered = q || area || STATUS_ORDER.some((s) => !statusBoxes[s].checked);
    $("count").textContent = filtered ? shown + " of " + plural(data.topics.length, "topic") + " shown"
      : plural(data.topics.length, "topic");
    return first;
  }
  $("search").addEventListener("input", () => {
    const first = applyFilters();
    if (first && $("search").value.trim()) reveal(first);
  });
  $("search").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      const first = applyFilters();
      if (first) { ev.preventDefault(); first.focus(); reveal(first); }
    }
  });
  areaSelect.addEventListener("change", applyFilters);
  for (const s of STATUS_ORDER) statusBoxes[s].addEventListener("change", applyFilters);
  applyFilters();

  // ---- printing: the whole map on one page ---------------------------------------------------------------
  // The print stylesheet reads these: the scale that fits the map on a landscape A4/Letter page (96 dpi, less
  // margins and the heading), and the size the scaled map takes. No print event is needed, so printing to PDF
  // from a headless browser gets the same page.
  const printScale = Math.min(1, fitScale(1000, 600));
  document.documentElement.style.setProperty("--print-scale", String(printScale));
  document.documentElement.style.setProperty("--print-w", Math.ceil(graphW * printScale) + "px");
  document.documentElement.style.setProperty("--print-h", Math.ceil(graphH * printScale) + "px");

  if (focusTopic) select(focusTopic.id, true);
  document.documentElement.dataset.ready = "true";
})();
