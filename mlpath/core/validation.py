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
from mlpath.core.graph import find_cycle
from mlpath.core.model import Area, Resource, Roadmap, Topic, Track

ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
RESOURCE_KINDS = ("course", "book", "docs", "article", "video", "paper", "tutorial")
QUESTION_KINDS = ("choice", "multi", "true_false", "numeric", "text", "flashcard", "generated")

AREA_FIELDS = {"id": str, "title": str, "order": int, "summary": str, "maths": bool}
AREA_REQUIRED = ("id", "title", "order")
TOPIC_FIELDS = {"id": str, "title": str, "area": str, "summary": str, "hours": (int, float),
                "prerequisites": list, "aliases": list, "covers": list, "replaces": list, "resources": list,
                "elective": bool, "prerequisite_weights": dict}
TRACK_FIELDS = {"id": str, "title": str, "summary": str, "goals": list}
TRACK_REQUIRED = ("id", "title", "summary", "goals")
TOPIC_REQUIRED = ("id", "title", "area", "summary", "hours", "resources")
RESOURCE_FIELDS = {"title": str, "url": str, "kind": str, "free": bool}
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


def _check_fields(item: Any, fields: dict[str, Any], required: tuple[str, ...], what: str, where: str) -> list[str]:
    if not isinstance(item, dict):
        return [f"{where}: each {what} must be a mapping, not {type(item).__name__}"]
    out = []
    for key in required:
        if key not in item or item[key] is None or item[key] == "":
            out.append(f"{where}: {what} {item.get('id', '')!s} is missing required field {key!r}".replace("  ", " "))
    for key, value in item.items():
        if key not in fields:
            out.append(f"{where}: {what} has unknown field {key!r} (allowed: {', '.join(fields)})")
        elif value is not None and not _is(value, fields[key]):
            out.append(f"{where}: field {key!r} must be {_type_name(fields[key])}, not {type(value).__name__}")
    return out


def _str_list(item: dict, key: str, where: str) -> list[str]:
    value = item.get(key) or []
    if isinstance(value, list) and not all(isinstance(v, str) and v for v in value):
        return [f"{where}: every entry of {key!r} must be non-empty text"]
    return []


def check_url(url: str) -> str | None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in url:
        return f"bad URL {url!r} (only http and https links are allowed)"
    return None


def _items(doc: Document, key: str, problems: list[str]) -> list[Any]:
    data = doc.data
    if data is None:
        problems.append(f"{doc.file}: file is empty")
        return []
    if not isinstance(data, dict) or key not in data:
        problems.append(f"{doc.file}: expected a mapping with a {key!r} list at the top")
        return []
    extra = [k for k in data if k != key]
    if extra:
        problems.append(f"{_where(doc.file, data)}: unknown top-level field(s) {', '.join(map(str, extra))}")
    items = data[key]
    if items is None:
        return []
    if not isinstance(items, list):
        problems.append(f"{doc.file}: {key!r} must be a list")
        return []
    return items


def validate(documents: list[Document]) -> Result:
    """Validate a whole content folder; every problem is collected, none stops the others."""
    problems: list[str] = []
    areas: list[Area] = []
    area_seen: dict[str, str] = {}
    raw_topics: list[tuple[str, dict]] = []
    raw_questions: list[tuple[str, dict]] = []
    raw_tracks: list[tuple[str, dict]] = []
    raw_milestones: list[tuple[str, Any]] = []

    if not any(d.kind == "areas" for d in documents):
        problems.append("areas.yaml: file is missing")
    for doc in documents:
        key = doc.kind
        if key == "tracks":
            raw_tracks, raw_milestones = _tracks_document(doc, problems)
            continue
        for item in _items(doc, key, problems):
            where = _where(doc.file, item)
            if key == "areas":
                errs = _check_fields(item, AREA_FIELDS, AREA_REQUIRED, "area", where)
                problems += errs
                if errs:
                    continue
                if not ID.match(item["id"]):
                    problems.append(f"{where}: area id {item['id']!r} is not kebab-case")
                if item["id"] in area_seen:
                    problems.append(f"{where}: duplicate area id {item['id']!r} (first in {area_seen[item['id']]})")
                    continue
                area_seen[item["id"]] = where
                areas.append(Area(item["id"], item["title"], item["order"], item.get("summary") or "",
                                  bool(item.get("maths"))))
            elif key == "topics":
                raw_topics.append((where, item))
            else:
                raw_questions.append((where, item))

    topics = _validate_topics(raw_topics, set(area_seen), problems)
    areas.sort(key=lambda a: a.order)
    order = {a.id: a.order for a in areas}
    topics.sort(key=lambda t: order.get(t.area, 0))  # stable: keeps file order inside an area
    questions = _validate_questions(raw_questions, {t.id for t in topics}, problems)
    tracks, milestones = _validate_tracks(raw_tracks, raw_milestones, {t.id for t in topics}, problems)

    counts: dict[str, int] = {}
    for q in questions:
        counts[q["topic"]] = counts.get(q["topic"], 0) + 1
    topics = [t._replace(questions=counts.get(t.id, 0)) for t in topics]
    if problems:
        return Result(problems=problems)
    return Result(Roadmap(areas, topics, tracks, milestones), questions, [])


def _validate_topics(raw: list[tuple[str, dict]], area_ids: set[str], problems: list[str]) -> list[Topic]:
    seen: dict[str, str] = {}
    good: list[tuple[str, dict]] = []
    for where, item in raw:
        errs = _check_fields(item, TOPIC_FIELDS, TOPIC_REQUIRED, "topic", where)
        if isinstance(item, dict):
            for key in ("prerequisites", "aliases", "covers", "replaces"):
                errs += _str_list(item, key, where)
        problems += errs
        if errs:
            continue
        tid = item["id"]
        if not ID.match(tid):
            problems.append(f"{where}: topic id {tid!r} is not kebab-case (lower-case words joined by '-')")
        if tid in seen:
            problems.append(f"{where}: duplicate topic id {tid!r} (first in {seen[tid]})")
            continue
        seen[tid] = where
        if item["area"] not in area_ids:
            problems.append(f"{where}: topic {tid!r} has unknown area {item['area']!r}")
        if not item["hours"] > 0:
            problems.append(f"{where}: topic {tid!r}: hours must be more than 0")
        resources = item.get("resources") or []
        if not resources:
            problems.append(f"{where}: topic {tid!r} needs at least one resource")
        resources_ok = True
        for r in resources:
            rwhere = _where(where.split(":")[0], r)
            errs = _check_fields(r, RESOURCE_FIELDS, ("title", "url", "kind", "free"), "resource", rwhere)
            problems += errs
            if errs:
                resources_ok = False
                continue
            bad = check_url(r["url"])
            if bad:
                problems.append(f"{rwhere}: topic {tid!r}: {bad}")
            if r["kind"] not in RESOURCE_KINDS:
                problems.append(f"{rwhere}: topic {tid!r}: resource kind {r['kind']!r} is not one of {', '.join(RESOURCE_KINDS)}")
        if resources_ok:
            good.append((where, item))

    ids = set(seen)
    for where, item in good:
        for p in item.get("prerequisites") or []:
            if p not in ids:
                problems.append(f"{where}: topic {item['id']!r} has unknown prerequisite {p!r}")
            elif p == item["id"]:
                problems.append(f"{where}: topic {item['id']!r} lists itself as a prerequisite")
        for p, w in (item.get("prerequisite_weights") or {}).items():  # implicit review credit (issue 11)
            if p not in (item.get("prerequisites") or []):
                problems.append(f"{where}: topic {item['id']!r} gives a weight for {str(p)[:80]!r}, "
                                "which is not one of its prerequisites")
            elif isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 < w <= 1:
                problems.append(f"{where}: topic {item['id']!r}: the weight of prerequisite {p!r} must be a "
                                "number more than 0 and at most 1")
        for old in item.get("replaces") or []:
            if old in ids:
                problems.append(f"{where}: topic {item['id']!r} replaces {old!r}, which is still a topic")
    electives = {item["id"] for _, item in good if item.get("elective")}
    for where, item in good:
        if item.get("elective"):
            continue
        for p in item.get("prerequisites") or []:
            if p in electives:
                problems.append(f"{where}: core topic {item['id']!r} lists elective {p!r} as a prerequisite "
                                f"(an elective must never block a core topic: drop the edge or mark "
                                f"{item['id']!r} elective too)")
    cycle = find_cycle({item["id"]: [p for p in item.get("prerequisites") or [] if p != item["id"]] for _, item in good})
    if cycle:
        problems.append(f"{seen[cycle[0]]}: prerequisite cycle: {' -> '.join(reversed(cycle))}")

    return [
        Topic(
            id=item["id"], title=item["title"], area=item["area"], summary=item["summary"].strip(),
            hours=float(item["hours"]),
            prerequisites=tuple(item.get("prerequisites") or ()), aliases=tuple(item.get("aliases") or ()),
            covers=tuple(item.get("covers") or ()), replaces=tuple(item.get("replaces") or ()),
            resources=tuple(Resource(r["title"], r["url"], r["kind"], r["free"]) for r in item.get("resources") or ()),
            elective=bool(item.get("elective")),
            prerequisite_weights=tuple((p, float(w)) for p, w in (item.get("prerequisite_weights") or {}).items()),
        )
        for _, item in good
    ]


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


def _validate_tracks(raw: list[tuple[str, dict]], raw_milestones: list[tuple[str, Any]], topic_ids: set[str],
                     problems: list[str]) -> tuple[list[Track], tuple[str, ...]]:
    seen: dict[str, str] = {}
    tracks: list[Track] = []
    for where, item in raw:
        errs = _check_fields(item, TRACK_FIELDS, TRACK_REQUIRED, "track", where)
        if isinstance(item, dict) and not errs:
            errs += _str_list(item, "goals", where)
        problems += errs
        if errs:
            continue
        tid = item["id"]
        if not ID.match(tid):
            problems.append(f"{where}: track id {tid!r} is not kebab-case")
        if tid in topic_ids:
            problems.append(f"{where}: track id {tid!r} is also a topic id (a goal name must say which it is)")
        if tid in seen:
            problems.append(f"{where}: duplicate track id {tid!r} (first in {seen[tid]})")
            continue
        seen[tid] = where
        if not item["goals"]:
            problems.append(f"{where}: track {tid!r} has no goal topics")
        unknown = [g for g in item["goals"] if g not in topic_ids]
        if unknown:
            problems.append(f"{where}: track {tid!r} has unknown goal topic(s) {', '.join(map(repr, unknown))}")
        if len(set(item["goals"])) != len(item["goals"]):
            problems.append(f"{where}: track {tid!r} lists a goal topic twice")
        tracks.append(Track(tid, item["title"], item["summary"].strip(), tuple(item["goals"])))
    milestones: list[str] = []
    for where, m in raw_milestones:
        if not isinstance(m, str) or m not in topic_ids:
            problems.append(f"{where}: milestone {m!r} is not a topic id")
        elif m in milestones:
            problems.append(f"{where}: milestone {m!r} is listed twice")
        else:
            milestones.append(m)
    return tracks, tuple(milestones)


def _validate_questions(raw: list[tuple[str, dict]], topic_ids: set[str], problems: list[str]) -> list[dict]:
    seen: dict[str, str] = {}
    out = []
    for where, item in raw:
        if not isinstance(item, dict):
            problems.append(f"{where}: each question must be a mapping, not {type(item).__name__}")
            continue
        kind = item.get("kind")
        if not isinstance(kind, str) or kind not in KIND_FIELDS:
            problems.append(f"{where}: question {item.get('id', '?')!s} has unknown kind {kind!r} "
                            f"(one of {', '.join(QUESTION_KINDS)})")
            continue
        required = ("id", "topic", "kind") + (() if kind == "generated" else ("prompt", "explanation"))
        errs = _check_fields(item, {**COMMON_Q, **KIND_FIELDS[kind]}, required + KIND_REQUIRED[kind], "question", where)
        errs += _str_list(item, "replaces", where)
        if not errs:
            errs += [f"{where}: question {item['id']!r}: {e}" for e in _kind_problems(kind, item)]
        problems += errs
        if errs:
            continue
        qid = item["id"]
        if not ID.match(qid):
            problems.append(f"{where}: question id {qid!r} is not kebab-case")
        if qid in seen:
            problems.append(f"{where}: duplicate question id {qid!r} (first in {seen[qid]})")
            continue
        seen[qid] = where
        if item["topic"] not in topic_ids:
            problems.append(f"{where}: question {qid!r} is for unknown topic {item['topic']!r}")
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
            out.append(f"answer {q['answer']!r} must be exactly one of the options")
        if kind == "multi":
            answers = q["answers"]
            if not answers:
                out.append("needs at least one correct answer")
            missing = [a for a in answers if a not in options]
            if missing:
                out.append(f"answers {missing!r} are not among the options")
    elif kind == "numeric":
        for key in ("tolerance", "rel_tolerance"):
            if q.get(key) is not None and q[key] < 0:
                out.append(f"{key} must not be negative")
    elif kind == "text":
        if not q["answers"] or not all(isinstance(a, (str, int, float)) and str(a).strip() for a in q["answers"]):
            out.append("answers must be a non-empty list of text")
    elif kind == "generated":
        out += param_problems(q["generator"], q.get("params"))
    return out
