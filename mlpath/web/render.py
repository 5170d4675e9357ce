"""MapData -> one self-contained HTML page: the template with its style, the vendored layout library, the page
script and the data inlined. Pure: no file writes, no clock, no database.

Safety: content text reaches the page only (1) as JSON inside ``<script type="application/json">`` with ``<``,
``>``, ``&``, U+2028 and U+2029 escaped, which the page script reads and puts in the DOM with ``textContent``, and
(2) in the ``<noscript>`` fallback and ``<title>``, through ``html.escape``. A Content-Security-Policy allows only
the page's own two scripts (by hash) and no network at all, so even a slip in escaping would run nothing.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from functools import cache
from pathlib import Path

from mlpath.web.model import MapData, MapTopic, Status

HERE = Path(__file__).resolve().parent
DAGRE_VERSION = "3.1.3"

STATUS_LABEL = {
    Status.DONE: "Done", Status.IN_PROGRESS: "In progress", Status.NOT_STARTED: "Not started",
    Status.SKIPPED: "Skipped", Status.LOCKED: "Locked",
}

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_UNSAFE = re.compile("[<>&\u2028\u2029]")
_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")


def script_json(value: object) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``</script>``, ``<!--`` or line separators can form."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m.group()], text)


@cache
def _asset(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _hours(value: float) -> str:
    return f"{value:g}"


def _topic_payload(t: MapTopic, unlocks: list[str]) -> dict:
    return {
        "id": t.id, "title": t.title, "area": t.area, "summary": t.summary, "hours": t.hours,
        "status": t.status.value, "prerequisites": list(t.prerequisites), "unlocks": unlocks,
        "resources": [{"title": r.title, "url": r.url, "kind": r.kind, "link": r.linkable} for r in t.resources],
        "questions": t.questions, "due": t.due, "quiz": t.quiz_command,
        "mastery": t.mastery, "masteryState": t.mastery_state,
    }


def payload(data: MapData) -> dict:
    """The JSON the page script reads: everything it shows, with the reverse edges (unlocks) precomputed."""
    present = {t.id for t in data.topics}
    unlocks: dict[str, list[str]] = {t.id: [] for t in data.topics}
    for t in data.topics:
        for p in t.prerequisites:
            if p in present and t.id not in unlocks[p]:
                unlocks[p].append(t.id)
    p = data.progress
    return {
        "title": data.title,
        "focus": data.focus,
        "generatedAt": data.generated_at.isoformat(),
        "generatedText": data.generated_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
        "statusLabels": {s.value: label for s, label in STATUS_LABEL.items()},
        "progress": {"done": p.done, "total": p.total, "hoursDone": p.hours_done, "hoursTotal": p.hours_total,
                     "due": p.due},
        "areas": [{"id": a.id, "title": a.title} for a in data.areas],
        "topics": [_topic_payload(t, unlocks[t.id]) for t in data.topics],
    }


def _noscript(data: MapData) -> str:
    """A plain list of the topics by area for a browser without JavaScript."""
    e = html.escape
    titles = {a.id: a.title for a in data.areas}
    parts = ["<noscript><div class=\"fallback\"><p>This map draws itself with JavaScript; here is the plain list.</p>"]
    current = None
    for t in data.topics:
        if t.area != current:
            if current is not None:
                parts.append("</ul>")
            current = t.area
            parts.append(f"<h2>{e(titles.get(t.area, t.area))}</h2><ul>")
        parts.append(f"<li id=\"fallback-{e(t.id)}\">{e(t.title)} ({e(t.id)}): {e(STATUS_LABEL[t.status])}, "
                     f"~{_hours(t.hours)} h</li>")
    if current is not None:
        parts.append("</ul>")
    parts.append("</div></noscript>")
    return "".join(parts)


def render_map(data: MapData) -> str:
    """The whole page as one string of HTML. Needs no network to display."""
    style = _asset("map.css")
    dagre = _asset("vendor/dagre.min.js")
    script = _asset("map.js")
    csp = (f"default-src 'none'; script-src {_csp_hash(dagre)} {_csp_hash(script)}; "
           f"style-src {_csp_hash(style)}; img-src data:; base-uri 'none'; form-action 'none'")
    title = data.title if data.focus is None else f"{data.title}: the path to {data.focus}"
    values = {
        "CSP": html.escape(csp),
        "TITLE": html.escape(title),
        "STYLE": style,
        "DATA": script_json(payload(data)),
        "NOSCRIPT": _noscript(data),
        "DAGRE": dagre,
        "SCRIPT": script,
    }
    # One pass over the template: text put in is never scanned again for placeholders.
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], _asset("map.html"))
