"""`mlpath export --anki FILE.apkg [TOPIC|AREA]`: the question bank as an Anki deck (genanki, imported lazily).

One note type per kind of question, readable on a phone:

- basic (front: question; back: answer and explanation): flashcard, text, numeric and generated questions;
- choice (front: question and lettered options; back: the right option and explanation);
- multi (front: question, options, "select all that apply"; back: every right option and explanation);
- true/false (front: the statement; back: True or False and explanation).

A generated question draws fresh numbers on every showing in mlpath; Anki cannot, so each one is exported as
GENERATED_INSTANCES fixed instances (same numbers on every export), each with its worked answer.

Ids are fixed so that re-importing an updated deck updates notes instead of duplicating them: the deck and note
type ids are constants, and each note's GUID comes from its question id (genanki.guid_for).
"""

from __future__ import annotations

import html
import random
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

from mlpath.core.questions import present

DECK_ID = 1_742_605_001
DECK_NAME = "mlpath"
MODEL_IDS = {"basic": 1_742_605_101, "choice": 1_742_605_102, "multi": 1_742_605_103, "true_false": 1_742_605_104}
GENERATED_INSTANCES = 3

CSS = """
.card { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; font-size: 20px;
        line-height: 1.45; text-align: left; color: #1f2328; background: #ffffff; padding: 0 6px; }
.nightMode .card, .night_mode .card { color: #e6edf3; background: #161b22; }
.kind { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; opacity: .6; margin-bottom: .4em; }
ol.options { padding-left: 1.6em; } ol.options li { margin: .35em 0; }
.answer { font-weight: 600; margin-top: .4em; }
.explanation { margin-top: .8em; font-size: 17px; opacity: .85; }
.hint { font-size: 15px; opacity: .7; }
pre.code { white-space: pre; overflow-x: auto; text-align: left; font-family: ui-monospace, Menlo, Consolas,
           monospace; font-size: 16px; padding: .5em .7em; background: rgba(127, 127, 127, .12); border-radius: 4px; }
.problem { white-space: pre-wrap; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 17px; }
"""

_BACK = ('{{FrontSide}}<hr id="answer"><div class="answer">{{Answer}}</div>'
         '{{#Explanation}}<div class="explanation">{{Explanation}}</div>{{/Explanation}}')


def _models():
    import genanki

    fields = [{"name": "Question"}, {"name": "Answer"}, {"name": "Explanation"}, {"name": "MlpathId"}]
    option_fields = [{"name": "Question"}, {"name": "Options"}, {"name": "Answer"}, {"name": "Explanation"},
                     {"name": "MlpathId"}]
    return {
        "basic": genanki.Model(MODEL_IDS["basic"], "mlpath basic", fields=fields, css=CSS, templates=[{
            "name": "Card 1", "qfmt": '<div class="question">{{Question}}</div>', "afmt": _BACK}]),
        "choice": genanki.Model(MODEL_IDS["choice"], "mlpath choice", fields=option_fields, css=CSS, templates=[{
            "name": "Card 1",
            "qfmt": '<div class="kind">choose one</div><div class="question">{{Question}}</div>'
                    '<ol class="options" type="A">{{Options}}</ol>',
            "afmt": _BACK}]),
        "multi": genanki.Model(MODEL_IDS["multi"], "mlpath multi", fields=option_fields, css=CSS, templates=[{
            "name": "Card 1",
            "qfmt": '<div class="kind">select all that apply</div><div class="question">{{Question}}</div>'
                    '<ol class="options" type="A">{{Options}}</ol>',
            "afmt": _BACK}]),
        "true_false": genanki.Model(MODEL_IDS["true_false"], "mlpath true/false", fields=fields, css=CSS,
                                    templates=[{
                                        "name": "Card 1",
                                        "qfmt": '<div class="kind">true or false?</div>'
                                                '<div class="question">{{Question}}</div>',
                                        "afmt": _BACK}]),
    }


def _html(text: Any) -> str:
    """Text as HTML for a card: code (lines indented by 4 spaces or a tab, or fenced with ```) in <pre> with its
    indentation kept; other lines joined with <br>, their leading spaces kept as non-breaking spaces."""
    import textwrap

    out: list[str] = []
    lines = str(text).split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip().startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith("```"):
                j += 1
            out.append(_pre(textwrap.dedent("\n".join(lines[i + 1:j]))))
            i = j + 1
            continue
        if line.startswith(("    ", "\t")) and line.strip():
            j = i
            while j < len(lines) and (lines[j].startswith(("    ", "\t")) or not lines[j].strip()):
                j += 1
            while j > i and not lines[j - 1].strip():
                j -= 1
            out.append(_pre(textwrap.dedent("\n".join(lines[i:j]))))
            i = j
            continue
        stripped = line.lstrip(" ")
        out.append("&nbsp;" * (len(line) - len(stripped)) + html.escape(stripped) + "<br>")
        i += 1
    result = "".join(out)
    return result[:-4] if result.endswith("<br>") else result


def _pre(code: str) -> str:
    return f'<pre class="code"><code>{html.escape(code)}</code></pre>'


def _letter(i: int) -> str:
    return chr(ord("A") + i)


def _seed(*parts: Any) -> int:
    return zlib.crc32("#".join(map(str, parts)).encode()) & 0x7FFFFFFF


def note_specs(q: dict) -> list[dict[str, Any]]:
    """The notes for one question: model, fields (HTML) and a GUID key. Pure; no genanki needed."""
    kind = q["kind"]
    qid = q["id"]
    explanation = _html(q.get("explanation", ""))
    if kind in ("choice", "multi"):
        options = list(q["options"])
        random.Random(_seed(qid)).shuffle(options)  # the same order on every export
        right = {q["answer"]} if kind == "choice" else set(q["answers"])
        answer = "<br>".join(f"{_letter(i)}. {_html(o)}" for i, o in enumerate(options) if o in right)
        items = "".join(f"<li>{_html(o)}</li>" for o in options)
        return [{"model": kind, "key": (qid,), "fields": [_html(q["prompt"]), items, answer, explanation, qid]}]
    if kind == "true_false":
        return [{"model": "true_false", "key": (qid,),
                 "fields": [_html(q["prompt"]), "True" if q["answer"] else "False", explanation, qid]}]
    if kind == "generated":
        specs = []
        for n in range(1, GENERATED_INSTANCES + 1):
            p = present(q, _seed(qid, n))
            problem = f'<div class="problem">{html.escape(p.prompt)}</div>'
            specs.append({"model": "basic", "key": (qid, n), "generated": True,
                          "fields": [problem, _html(p.expected), _html(p.explanation), f"{qid}#{n}"]})
        return specs
    p = present(q, 0)
    answer = _html(p.expected)
    if kind == "text" and len(q["answers"]) > 1:
        answer += f'<div class="hint">also accepted: {_html("; ".join(map(str, q["answers"][1:])))}</div>'
    if kind == "numeric" and (p.tolerance or p.rel_tolerance):
        within = f"± {p.tolerance:g}" if p.tolerance else f"± {p.rel_tolerance:.3g} relative"
        answer += f'<div class="hint">({within})</div>'
    return [{"model": "basic", "key": (qid,), "fields": [_html(p.prompt), answer, explanation, qid]}]


DECK_DESCRIPTION = (
    "Questions from the mlpath roadmap. Reviews you do in Anki stay in Anki: they do not come back to mlpath, "
    "whose own schedule and statistics only know the answers given in mlpath.")


def export_deck(s, path: Path, target: str | None = None, force: bool = False, *, studied: bool = False,
                area: str | None = None) -> dict[str, Any]:
    """Write the active questions (of one topic or area, or all) as an .apkg; returns counts. ``studied``: only the
    questions the learner has answered at least once in mlpath; ``area``: only that area's topics."""
    import genanki

    from mlpath.app.session import topic_ids_of
    from mlpath.files import write_file
    from mlpath.store import history

    from mlpath.app.session import resolve_area

    if target is None:
        label, topic_ids = None, [t.id for t in s.roadmap.topics]
    else:
        label, topic_ids = topic_ids_of(s, target)
    if area is not None:
        area_id = resolve_area(s, area)
        topic_ids = [t for t in topic_ids if s.roadmap.by_id[t].area == area_id]
        label = f"{label} in {area_id}" if label else area_id
    order = {tid: i for i, tid in enumerate(topic_ids)}
    questions = sorted(history.active_questions(s.conn, s.pack, topic_ids), key=lambda q: order[q["topic"]])
    if studied:
        seen = {q for (q,) in s.conn.execute("SELECT question_id FROM card WHERE pack = ? AND reps > 0", (s.pack,))}
        questions = [q for q in questions if q["id"] in seen]
    models = _models()
    deck = genanki.Deck(DECK_ID, DECK_NAME, description=DECK_DESCRIPTION)
    kinds: Counter = Counter()
    generated = 0
    for q in questions:
        topic = s.roadmap.by_id.get(q["topic"])
        area = topic.area if topic else "unknown"
        for spec in note_specs(q):
            tags = [f"mlpath::area::{area}", f"mlpath::topic::{q['topic']}", f"mlpath::kind::{q['kind']}"]
            if spec.get("generated"):
                tags.append("mlpath::generated")
                generated += 1
            deck.add_note(genanki.Note(model=models[spec["model"]], fields=spec["fields"], tags=tags,
                                       guid=genanki.guid_for("mlpath", *spec["key"])))
        kinds[q["kind"]] += 1
    package = genanki.Package(deck)
    write_file(path, force=force, writer=lambda tmp: package.write_to_file(tmp, timestamp=s.now.timestamp()))
    return {"file": str(path), "deck": DECK_NAME, "target": label, "studied_only": studied, "questions": len(questions),
            "notes": len(deck.notes), "generated_instances": generated, "by_kind": dict(sorted(kinds.items()))}
