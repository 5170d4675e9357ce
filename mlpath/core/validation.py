"""Content validation: parsed YAML documents -> a Roadmap and questions, or every problem at once.

Pure: the caller reads the files and hands in (file name, parsed data). Mappings carry a ``line`` attribute when
the loader can give one, so problems say where they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from mlpath.core.generators import param_problems
from mlpath.core.graph import find_cycles
from mlpath.core.model import Area, Resource, Roadmap, Topic, Track

ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
RESOURCE_KINDS = ("course", "book", "docs", "article", "video", "paper", "tutorial", "project", "repository")
QUESTION_KINDS = ("choice", "multi", "true_false", "numeric", "text", "flashcard", "generated")
MAX_NUMBER = 10**15  # larger numbers in content are mistakes (and some do not fit a float)

AREA_FIELDS = {"id": str, "title": str, "order": int, "summary": str, "maths": bool}
AREA_REQUIRED = ("id", "title", "order")
TOPIC_FIELDS = {"id": str, "title": str, "area": str, "summary": str, "hours": (int, float),
                "prerequisites": list, "aliases": list, "covers": list, "replaces": list, "resources": list,
                "elective": bool, "prerequisite_weights": dict}
TRACK_FIELDS = {"id": str, "title": str, "summary": str, "goals": list}
TRACK_REQUIRED = ("id", "title", "summary", "goals")
TOPIC_REQUIRED = ("id", "title", "area", "hours", "resources")  # a missing summary is shown as "no summary yet"
RESOURCE_FIELDS = {"title": str, "url": str, "kind": str, "free": bool}
RESOURCE_REQUIRED = ("title", "url", "kind")  # `free` omitted: not known
COMMON_Q = {"id": str, "topic": str, "kind": str, "prompt": str, "explanation": str, "replaces": list}
KIND_FIELDS: dict[str, dict[str, Any]] = {
    "choice": {"options": list, "answer": str},
    "multi": {"options": list, "answers": list},
    "true_false": {"answer": bool},
    "numeric": {"answer": (int, float), "tolerance": (int, float), "rel_tolerance": (int, float), "unit": str},
    "text": {"answers": list},
    "flashcard": {"answer": str},
    "generated": {"generator": str, "params": dict},
}
KIND_REQUIRED = {"choice": ("options", "answer"), "multi": ("options", "answers"), "true_false": ("answer",),
                 "numeric": ("answer",), "text": ("answers",), "flashcard": ("answer",), "generated": ("generator",)}
TEXT_CONTROLS_ALLOWED = frozenset("\n\t")
# the control characters text may not hold (C0 but those allowed, DEL, C1), searched for in one pass
_CONTROL = re.compile("[" + "".join(f"\\x{c:02x}" for c in [*range(32), *range(0x7F, 0xA0)]
                                    if chr(c) not in TEXT_CONTROLS_ALLOWED) + "]")


@dataclass
class Document:
    file: str
    data: Any
    kind: str  # "areas" | "topics" | "questions" | "tracks"


@dataclass
class Result:
    roadmap: Roadmap | None = None
    questions: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def show(value: Any, limit: int = 60) -> str:
    """A value as a message may show it: its repr, cut to ``limit`` characters; containers by size only."""
    if isinstance(value, (dict, list, tuple, set)):
        text = f"<{'mapping' if isinstance(value, dict) else 'list'} of {len(value)}>"
    elif isinstance(value, str):
        text = repr(value[: limit * 2])
    else:
        text = repr(value) if not isinstance(value, int) or abs(value) < 10**40 else "<a huge number>"
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _where(file: str, node: Any) -> str:
    line = getattr(node, "line", None)
    return f"{file}:{line}" if line else file


def _type_name(t: Any) -> str:
    names = {str: "text", int: "a whole number", list: "a list", bool: "true or false", dict: "a mapping"}
    if isinstance(t, tuple):
        return "a number"
    return names.get(t, t.__name__)


def _is(value: Any, t: Any) -> bool:
    if isinstance(value, bool) and t is not bool and not (isinstance(t, tuple) and bool in t):
        return False
    return isinstance(value, t)


def _label(what: str, item: Any) -> str:
    tid = item.get("id") if isinstance(item, dict) else None
    return f"{what} {show(tid)}" if isinstance(tid, str) and tid else what


def _check_fields(item: Any, fields: dict[str, Any], required: tuple[str, ...], what: str, where: str) -> list[str]:
    """Missing, unknown and wrongly typed fields; also control characters in text and numbers that are not finite
    or not sensible, anywhere inside the item."""
    if not isinstance(item, dict):
        return [f"{where}: each {what} must be a mapping, not {_type_name(type(item))}"]
    out = []
    label = _label(what, item)
    for key in required:
        if key not in item or item[key] is None or item[key] == "":
            out.append(f"{where}: {label} is missing required field {key!r}")
    for key, value in item.items():
        if key not in fields:
            out.append(f"{where}: {label} has unknown field {show(key)} (allowed: {', '.join(fields)})")
        elif value is not None and not _is(value, fields[key]):
            out.append(f"{where}: {label}: field {key!r} must be {_type_name(fields[key])}, "
                       f"not {_type_name(type(value))}")
    out += [f"{where}: {label}: {p}" for p in value_problems(item)]
    return out


def value_problems(item: Any) -> list[str]:
    """Control characters in any text and numbers that are infinite, not a number or absurdly large, anywhere
    inside ``item`` (iterative: nesting depth does not matter). One problem per field."""
    out: list[str] = []
    todo: list[tuple[str, Any]] = [(str(k), v) for k, v in item.items()] if isinstance(item, dict) else [("", item)]
    reported: set[str] = set()
    while todo:
        key, value = todo.pop()
        if key in reported:
            continue
        problem = None
        if isinstance(value, str):
            found = _CONTROL.search(value)
            bad = found[0] if found else None
            if bad is not None:
                problem = f"field {show(key)} contains the control character U+{ord(bad):04X}; remove it"
        elif isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                problem = f"field {show(key)} must be a finite number, not {value}"
            elif abs(value) > MAX_NUMBER:
                problem = f"field {show(key)} holds a number too large ({value:.3g})"
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
            problem = f"field {show(key)} holds a number too large"
        elif isinstance(value, dict):
            todo.extend((key, v) for v in value.values())
            todo.extend((key, k) for k in value if isinstance(k, (str, float, int)))
        elif isinstance(value, list):
            todo.extend((key, v) for v in value)
        if problem:
            reported.add(key)
            out.append(problem)
    return sorted(out)


def _str_list(item: dict, key: str, where: str) -> list[str]:
    value = item.get(key) or []
    if isinstance(value, list) and not all(isinstance(v, str) and v for v in value):
        return [f"{where}: {_label('entry', item)}: every entry of {key!r} must be non-empty text"]
    return []


def check_url(url: str) -> str | None:
    try:
        parsed = urlparse(url)
    except ValueError:
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc or " " in url:
        return f"bad URL {show(url, 100)} (only http and https links are allowed)"
    return None


def _items(doc: Document, key: str, problems: list[str]) -> list[tuple[str, Any]]:
    """The entries of a document's top-level list, each with where it is (file:line)."""
    data = doc.data
    if data is None:
        problems.append(f"{doc.file}: file is empty")
        return []
    if not isinstance(data, dict) or key not in data:
        problems.append(f"{_where(doc.file, data)}: expected a mapping with a {key!r} list at the top")
        return []
    extra = [show(k, 30) for k in data if k != key]
    if extra:
        problems.append(f"{_where(doc.file, data)}: unknown top-level field(s) {', '.join(extra[:10])}")
    items = data[key]
    if items is None:
        return []
    if not isinstance(items, list):
        problems.append(f"{_where(doc.file, data)}: {key!r} must be a list")
        return []
    lines = getattr(items, "item_lines", None) or []
    out = []
    for i, item in enumerate(items):
        line = getattr(item, "line", None) or (lines[i] if i < len(lines) else None)
        out.append((f"{doc.file}:{line}" if line else doc.file, item))
    return out


def validate(documents: list[Document], unreadable: frozenset[str] | set[str] = frozenset()) -> Result:
    """Validate a whole content folder; every problem is collected, none stops the others.

    ``unreadable`` names the kinds of file ("areas", "topics", ...) of which some could not be parsed: what they
    declare is unknown, so references into them are not reported (that would be a knock-on of the parse error)."""
    problems: list[str] = []
    areas: list[Area] = []
    area_seen: dict[str, str] = {}
    raw_topics: list[tuple[str, Any]] = []
    raw_questions: list[tuple[str, Any]] = []
    raw_tracks: list[tuple[str, dict]] = []
    raw_milestones: list[tuple[str, Any]] = []

    if not any(d.kind == "areas" for d in documents) and "areas" not in unreadable:
        problems.append("areas.yaml: file is missing")
    for doc in documents:
        key = doc.kind
        if key == "tracks":
            raw_tracks, raw_milestones = _tracks_document(doc, problems)
            continue
        for where, item in _items(doc, key, problems):
            if key == "areas":
                errs = _check_fields(item, AREA_FIELDS, AREA_REQUIRED, "area", where)
                problems += errs
                aid = item.get("id") if isinstance(item, dict) else None
                if not isinstance(aid, str) or not aid:
                    continue
                if not ID.match(aid):
                    problems.append(f"{where}: area id {show(aid)} is not kebab-case")
                if aid in area_seen:
                    problems.append(f"{where}: duplicate area id {show(aid)} (first in {area_seen[aid]})")
                    continue
                area_seen[aid] = where
                if not errs:
                    areas.append(Area(aid, item["title"], item["order"], item.get("summary") or "",
                                      bool(item.get("maths"))))
            elif key == "topics":
                raw_topics.append((where, item))
            else:
                raw_questions.append((where, item))

    has_areas = any(d.kind == "areas" for d in documents) and "areas" not in unreadable
    known_areas = set(area_seen) if has_areas else None  # no areas file: "file is missing" says it all
    topics, declared = _validate_topics(raw_topics, known_areas, area_seen, problems,
                                        complete="topics" not in unreadable)
    areas.sort(key=lambda a: a.order)
    order = {a.id: a.order for a in areas}
    topics.sort(key=lambda t: order.get(t.area, 0))  # stable: keeps file order inside an area
    known_topics = None if "topics" in unreadable else set(declared)
    questions = _validate_questions(raw_questions, known_topics, problems)
    tracks, milestones = _validate_tracks(raw_tracks, raw_milestones, known_topics, set(declared), problems)

    counts: dict[str, int] = {}
    for q in questions:
        counts[q["topic"]] = counts.get(q["topic"], 0) + 1
    topics = [t._replace(questions=counts.get(t.id, 0)) for t in topics]
    if problems or unreadable:
        return Result(problems=[p if len(p) <= 500 else p[:497] + "..." for p in problems])
    return Result(Roadmap(areas, topics, tracks, milestones), questions, [])


def _validate_topics(raw: list[tuple[str, Any]], area_ids: set[str] | None, area_seen: dict[str, str],
                     problems: list[str], complete: bool = True) -> tuple[list[Topic], dict[str, str]]:
    """Every topic is checked in full, whatever else is wrong with it; references are checked against every
    topic declared (so a topic with a problem of its own is still a known prerequisite)."""
    declared: dict[str, str] = {}
    good: list[tuple[str, dict]] = []
    prereq_edges: dict[str, list[str]] = {}
    replaced_by: dict[str, tuple[str, str]] = {}
    for where, item in raw:
        errs = _check_fields(item, TOPIC_FIELDS, TOPIC_REQUIRED, "topic", where)
        if not isinstance(item, dict):
            problems += errs
            continue
        for key in ("prerequisites", "aliases", "covers", "replaces"):
            errs += _str_list(item, key, where)
        tid = item.get("id")
        if isinstance(tid, str) and tid:
            if not ID.match(tid):
                errs.append(f"{where}: topic id {show(tid)} is not kebab-case (lower-case words joined by '-')")
            if tid in declared:
                problems += errs
                problems.append(f"{where}: duplicate topic id {show(tid)} (first in {declared[tid]})")
                continue
            declared[tid] = where
            if tid in area_seen:
                errs.append(f"{where}: topic id {show(tid)} is also an area id (in {area_seen[tid]}); "
                            "rename one of them")
        label = _label("topic", item)
        area = item.get("area")
        if isinstance(area, str) and area and area_ids is not None and area not in area_ids:
            errs.append(f"{where}: {label} has unknown area {show(area)}")
        hours = item.get("hours")
        if _is(hours, (int, float)) and hours == hours and not hours > 0:
            errs.append(f"{where}: {label}: hours must be more than 0")
        resources = item.get("resources")
        if isinstance(resources, list):
            if not resources:
                errs.append(f"{where}: {label} needs at least one resource")
            lines = getattr(resources, "item_lines", None) or []
            for i, r in enumerate(resources):
                line = getattr(r, "line", None) or (lines[i] if i < len(lines) else None)
                rwhere = f"{where.split(':')[0]}:{line}" if line else where
                rerrs = _check_fields(r, RESOURCE_FIELDS, RESOURCE_REQUIRED, "resource", rwhere)
                errs += [e.replace(f"{rwhere}: resource", f"{rwhere}: {label}: resource", 1) for e in rerrs]
                if not isinstance(r, dict):
                    continue
                if isinstance(r.get("url"), str) and r["url"]:
                    bad = check_url(r["url"])
                    if bad:
                        errs.append(f"{rwhere}: {label}: {bad}")
                if isinstance(r.get("kind"), str) and r["kind"] and r["kind"] not in RESOURCE_KINDS:
                    errs.append(f"{rwhere}: {label}: resource kind {show(r['kind'])} is not one of "
                                f"{', '.join(RESOURCE_KINDS)}")
        prereqs = item.get("prerequisites")
        if isinstance(tid, str) and isinstance(prereqs, list):
            prereq_edges[tid] = [p for p in prereqs if isinstance(p, str) and p != tid]
        replaces = item.get("replaces")
        if isinstance(tid, str) and isinstance(replaces, list):
            for old in replaces:
                if isinstance(old, str) and old:
                    if old in replaced_by and replaced_by[old][0] != tid:
                        errs.append(f"{where}: {label} replaces {show(old)}, which topic "
                                    f"{show(replaced_by[old][0])} ({replaced_by[old][1]}) replaces too")
                    replaced_by.setdefault(old, (tid, where))
        problems += errs
        if not errs:
            good.append((where, item))

    for where, item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or declared.get(item["id"]) != where:
            continue
        tid = item["id"]
        prereqs = item.get("prerequisites")
        if isinstance(prereqs, list):
            for p in prereqs:
                if not isinstance(p, str) or not p:
                    continue
                if p == tid:
                    problems.append(f"{where}: topic {show(tid)} lists itself as a prerequisite")
                elif p not in declared and complete:
                    problems.append(f"{where}: topic {show(tid)} has unknown prerequisite {show(p)}")
        replaces = item.get("replaces")
        if isinstance(replaces, list):
            for old in replaces:
                if isinstance(old, str) and old in declared:
                    problems.append(f"{where}: topic {show(tid)} replaces {show(old)}, which is still a topic")
        weights = item.get("prerequisite_weights")
        if isinstance(weights, dict):  # implicit review credit (issue 11)
            for p, w in weights.items():
                if not isinstance(prereqs, list) or p not in prereqs:
                    problems.append(f"{where}: topic {show(tid)} gives a weight for {show(p)}, "
                                    "which is not one of its prerequisites")
                elif isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 < w <= 1:
                    problems.append(f"{where}: topic {show(tid)}: the weight of prerequisite {show(p)} must be a "
                                    "number more than 0 and at most 1")
    electives = {item["id"] for _, item in good if item.get("elective")}
    for where, item in good:
        if item.get("elective"):
            continue
        for p in item.get("prerequisites") or []:
            if p in electives:
                problems.append(f"{where}: core topic {show(item['id'])} lists elective {show(p)} as a "
                                f"prerequisite (an elective must never block a core topic: drop the edge or mark "
                                f"{show(item['id'])} elective too)")
    for cycle in find_cycles(prereq_edges):
        problems.append(f"{declared[cycle[0]]}: prerequisite cycle: {' -> '.join(reversed(cycle))}")

    return [
        Topic(
            id=item["id"], title=item["title"], area=item["area"], summary=(item.get("summary") or "").strip(),
            hours=float(item["hours"]),
            prerequisites=tuple(item.get("prerequisites") or ()), aliases=tuple(item.get("aliases") or ()),
            covers=tuple(item.get("covers") or ()), replaces=tuple(item.get("replaces") or ()),
            resources=tuple(Resource(r["title"], r["url"], r["kind"], r.get("free"))
                            for r in item.get("resources") or ()),
            elective=bool(item.get("elective")),
            prerequisite_weights=tuple((p, float(w)) for p, w in (item.get("prerequisite_weights") or {}).items()),
        )
        for _, item in good
    ], declared


def _tracks_document(doc: Document, problems: list[str]) -> tuple[list[tuple[str, dict]], list[tuple[str, Any]]]:
    """tracks.yaml: an optional ``tracks:`` list and an optional ``milestones:`` list of topic ids."""
    data = doc.data
    if data is None:
        return [], []
    if not isinstance(data, dict):
        problems.append(f"{doc.file}: expected a mapping with 'tracks' and/or 'milestones' at the top")
        return [], []
    extra = [k for k in data if k not in ("tracks", "milestones")]
    if extra:
        problems.append(f"{_where(doc.file, data)}: unknown top-level field(s) {', '.join(map(str, extra))} "
                        "(allowed: tracks, milestones)")
    tracks, milestones = data.get("tracks") or [], data.get("milestones") or []
    out_tracks: list[tuple[str, dict]] = []
    if not isinstance(tracks, list):
        problems.append(f"{doc.file}: 'tracks' must be a list")
    else:
        out_tracks = [(_where(doc.file, t), t) for t in tracks]
    if not isinstance(milestones, list):
        problems.append(f"{doc.file}: 'milestones' must be a list of topic ids")
        milestones = []
    return out_tracks, [(_where(doc.file, data), m) for m in milestones]


def _validate_tracks(raw: list[tuple[str, dict]], raw_milestones: list[tuple[str, Any]],
                     known_topics: set[str] | None, declared: set[str],
                     problems: list[str]) -> tuple[list[Track], tuple[str, ...]]:
    seen: dict[str, str] = {}
    tracks: list[Track] = []
    for where, item in raw:
        errs = _check_fields(item, TRACK_FIELDS, TRACK_REQUIRED, "track", where)
        if isinstance(item, dict):
            errs += _str_list(item, "goals", where)
        problems += errs
        if errs:
            continue
        tid = item["id"]
        if not ID.match(tid):
            problems.append(f"{where}: track id {show(tid)} is not kebab-case")
        if tid in declared:
            problems.append(f"{where}: track id {show(tid)} is also a topic id (a goal name must say which it is)")
        if tid in seen:
            problems.append(f"{where}: duplicate track id {show(tid)} (first in {seen[tid]})")
            continue
        seen[tid] = where
        if not item["goals"]:
            problems.append(f"{where}: track {show(tid)} has no goal topics")
        unknown = [g for g in item["goals"] if known_topics is not None and g not in known_topics]
        if unknown:
            problems.append(f"{where}: track {show(tid)} has unknown goal topic(s) "
                            f"{', '.join(map(show, unknown[:10]))}")
        if len(set(item["goals"])) != len(item["goals"]):
            problems.append(f"{where}: track {show(tid)} lists a goal topic twice")
        tracks.append(Track(tid, item["title"], item["summary"].strip(), tuple(item["goals"])))
    milestones: list[str] = []
    for where, m in raw_milestones:
        if not isinstance(m, str) or (known_topics is not None and m not in known_topics):
            if known_topics is not None or not isinstance(m, str):
                problems.append(f"{where}: milestone {show(m)} is not a topic id")
        elif m in milestones:
            problems.append(f"{where}: milestone {show(m)} is listed twice")
        else:
            milestones.append(m)
    return tracks, tuple(milestones)


def _validate_questions(raw: list[tuple[str, Any]], topic_ids: set[str] | None, problems: list[str]) -> list[dict]:
    """Every question checked in full; ``topic_ids`` None when some topics file could not be read."""
    seen: dict[str, str] = {}
    replaced_by: dict[str, tuple[str, str]] = {}
    out = []
    checked: list[tuple[str, dict]] = []
    for where, item in raw:
        if not isinstance(item, dict):
            problems.append(f"{where}: each question must be a mapping, not {_type_name(type(item))}")
            continue
        label = _label("question", item)
        kind = item.get("kind")
        errs: list[str] = []
        if not isinstance(kind, str) or kind not in KIND_FIELDS:
            errs.append(f"{where}: {label} has unknown kind {show(kind)} (one of {', '.join(QUESTION_KINDS)})")
            errs += _check_fields(item, {**COMMON_Q, **{k: object for f in KIND_FIELDS.values() for k in f}},
                                  ("id", "topic", "kind"), "question", where)
            errs = [e for e in errs if "field 'kind'" not in e]
        else:
            required = ("id", "topic", "kind") + (() if kind == "generated" else ("prompt", "explanation"))
            fields = {**COMMON_Q, **KIND_FIELDS[kind]}
            errs += _check_fields(item, fields, required + KIND_REQUIRED[kind], "question", where)
            kind_fields_ok = all(item.get(k) is not None and _is(item[k], t)
                                 for k, t in KIND_FIELDS[kind].items() if k in KIND_REQUIRED[kind])
            if kind_fields_ok:
                errs += [f"{where}: {label}: {e}" for e in _kind_problems(kind, item)]
        errs += _str_list(item, "replaces", where)
        qid = item.get("id")
        if isinstance(qid, str) and qid:
            if not ID.match(qid):
                errs.append(f"{where}: question id {show(qid)} is not kebab-case")
            if qid in seen:
                problems += errs
                problems.append(f"{where}: duplicate question id {show(qid)} (first in {seen[qid]})")
                continue
            seen[qid] = where
            replaces = item.get("replaces")
            if isinstance(replaces, list):
                for old in replaces:
                    if isinstance(old, str) and old:
                        if old in replaced_by and replaced_by[old][0] != qid:
                            errs.append(f"{where}: {label} replaces {show(old)}, which question "
                                        f"{show(replaced_by[old][0])} ({replaced_by[old][1]}) replaces too")
                        replaced_by.setdefault(old, (qid, where))
        topic = item.get("topic")
        if isinstance(topic, str) and topic and topic_ids is not None and topic not in topic_ids:
            errs.append(f"{where}: {label} is for unknown topic {show(topic)}")
        problems += errs
        if not errs:
            checked.append((where, item))
    for old, (qid, where) in replaced_by.items():
        if old in seen:
            problems.append(f"{where}: question {show(qid)} replaces {show(old)}, which is still a question "
                            f"(in {seen[old]}); its card and history would move")
    bad_replacers = {qid for old, (qid, _) in replaced_by.items() if old in seen}
    for where, item in checked:
        if item["id"] not in bad_replacers:
            out.append({k: v for k, v in item.items() if v is not None})  # an explicit null means "not given"
    return out


def _kind_problems(kind: str, q: dict) -> list[str]:
    out = []
    if kind in ("choice", "multi"):
        options = q["options"]
        if not all(isinstance(o, str) and o.strip() for o in options):
            return ["every option must be non-empty text (quote numbers and yes/no)"]
        if not 2 <= len(options) <= 8:
            out.append("needs 2 to 8 options")
        if len(set(options)) != len(options):
            out.append("has duplicate options")
        if kind == "choice" and options.count(q["answer"]) != 1:
            out.append(f"answer {show(q['answer'])} must be exactly one of the options")
        if kind == "multi":
            answers = q["answers"]
            if not answers:
                out.append("needs at least one correct answer")
            missing = [a for a in answers if a not in options]
            if missing:
                out.append(f"answers {', '.join(map(show, missing[:10]))} are not among the options")
    elif kind == "numeric":
        for key in ("tolerance", "rel_tolerance"):
            if _is(q.get(key), (int, float)) and float("-inf") < q[key] < 0:
                out.append(f"{key} must not be negative")
    elif kind == "text":
        if not q["answers"] or not all(isinstance(a, (str, int, float)) and str(a).strip() for a in q["answers"]):
            out.append("answers must be a non-empty list of text")
    elif kind == "generated":
        out += param_problems(q["generator"], q.get("params"))
    return out
