"""Use cases: what each command does, as plain functions over a Session. No terminal, no exit codes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from mlpath import paths
from mlpath.core import graph
from mlpath.core import search as searching
from mlpath.core.model import FINISHED, STATUSES, Area, Roadmap, Topic
from mlpath.errors import ConfirmationNeeded, UserError
from mlpath.store import db, queries



@dataclass
class Session:
    conn: sqlite3.Connection
    roadmap: Roadmap
    now: datetime
    content_root: Path

    def close(self) -> None:
        self.conn.close()


def open_session(now: datetime | None = None) -> Session:
    """Open the learner's database (creating or upgrading it) and the current roadmap (cached in it)."""
    from mlpath.content import fingerprint
    from mlpath.store.content_cache import cached_roadmap

    now = now or db.utcnow()
    conn = db.connect(paths.database_file())
    root = paths.content_dir()
    fp = fingerprint(root)
    roadmap = cached_roadmap(conn, fp)
    if roadmap is None:
        from mlpath.content import load_or_raise
        from mlpath.store.content_cache import sync

        result = load_or_raise(root)
        sync(conn, result.roadmap, result.questions, root, fp, now)
        roadmap = result.roadmap
    return Session(conn, roadmap, now, root)


# --- names ---------------------------------------------------------------------------------------------------

def resolve(s: Session, name: str, allow_area: bool = True) -> Topic | Area:
    found = searching.resolve_exact(s.roadmap, name)
    if found is not None and (allow_area or isinstance(found, Topic)):
        return found
    if isinstance(found, Area):
        raise UserError(f"{name!r} is an area; name one of its topics (see `mlpath topics --area {found.id}`)")
    raise _not_found(s.roadmap, name, allow_area)


def _not_found(roadmap: Roadmap, name: str, allow_area: bool):
    from mlpath.errors import NotFound

    suggestions = searching.suggestions(roadmap, name)
    if not allow_area:
        suggestions = [x for x in suggestions if x in roadmap.by_id]
    return NotFound("topic or area" if allow_area else "topic", name, suggestions)


def resolve_topic(s: Session, name: str) -> Topic:
    return resolve(s, name, allow_area=False)  # type: ignore[return-value]


def resolve_area(s: Session, name: str | None) -> str | None:
    if name is None:
        return None
    found = searching.resolve_exact(s.roadmap, name)
    if isinstance(found, Area):
        return found.id
    from mlpath.errors import NotFound

    close = [a for a in searching.suggestions(s.roadmap, name, limit=5) if a in s.roadmap.area_by_id]
    raise NotFound("area", name, close or [a.id for a in s.roadmap.areas[:3]])


def topic_ids_of(s: Session, name: str) -> tuple[str, list[str]]:
    """A topic or an area name -> (label, topic ids)."""
    found = resolve(s, name)
    if isinstance(found, Area):
        return found.id, [t.id for t in s.roadmap.in_area(found.id)]
    return found.id, [found.id]


def completion_ids() -> list[str]:
    """Topic and area ids for shell completion; reads only the cached roadmap."""
    try:
        s = open_session()
    except Exception:
        return []
    try:
        return [t.id for t in s.roadmap.topics] + [a.id for a in s.roadmap.areas]
    finally:
        s.close()


# --- reading the roadmap -------------------------------------------------------------------------------------

def _resources(t: Topic) -> list[dict]:
    return [r._asdict() for r in t.resources]


def topic_dict(s: Session, t: Topic, statuses: dict[str, str]) -> dict[str, Any]:
    return {
        "id": t.id, "title": t.title, "area": t.area, "status": statuses.get(t.id, "not_started"),
        "unlocked": graph.is_unlocked(t, statuses), "summary": t.summary, "hours": t.hours,
        "prerequisites": list(t.prerequisites), "aliases": list(t.aliases), "covers": list(t.covers),
        "resources": _resources(t), "questions": t.questions,
    }


def next_topics(s: Session, limit: int = 5, area: str | None = None) -> dict[str, Any]:
    statuses = queries.statuses(s.conn)
    recs = graph.recommend(s.roadmap, statuses, resolve_area(s, area))
    items = []
    for r in recs[:limit]:
        first = r.topic.resources[0] if r.topic.resources else None
        items.append({
            "id": r.topic.id, "title": r.topic.title, "area": r.topic.area, "status": r.status,
            "reason": r.reason, "unlocks": list(r.unlocks), "leads_to": r.leads_to, "hours": r.topic.hours,
            "resource": first._asdict() if first else None,
        })
    remaining = sum(1 for t in s.roadmap.topics if statuses.get(t.id) not in FINISHED)
    return {"topics": items, "available": len(recs), "remaining": remaining,
            "due": queries.due_count(s.conn, s.now)}


def progress(s: Session, area: str | None = None) -> dict[str, Any]:
    statuses = queries.statuses(s.conn)
    area_id = resolve_area(s, area)
    topics = [t for t in s.roadmap.topics if area_id is None or t.area == area_id]

    def counts(ts: list[Topic]) -> dict[str, Any]:
        c = {st: 0 for st in STATUSES}
        for t in ts:
            c[statuses.get(t.id, "not_started")] += 1
        hours = sum(t.hours for t in ts)
        hours_done = sum(t.hours for t in ts if statuses.get(t.id) in FINISHED)
        return {"total": len(ts), **c, "hours": hours, "hours_done": hours_done,
                "percent": round(100 * (c["done"] + c["skipped"]) / len(ts), 1) if ts else 0.0}

    areas = []
    for a in s.roadmap.areas:
        if area_id and a.id != area_id:
            continue
        areas.append({"id": a.id, "title": a.title, **counts(s.roadmap.in_area(a.id))})
    return {**counts(topics), "areas": areas, "due": queries.due_count(s.conn, s.now),
            "reviews": queries.review_count(s.conn)}


def topics_list(s: Session, area: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
    statuses = queries.statuses(s.conn)
    area_id = resolve_area(s, area)
    wanted = normalise_status(status) if status else None
    out = []
    for t in s.roadmap.topics:
        if area_id and t.area != area_id:
            continue
        d = topic_dict(s, t, statuses)
        if wanted == "available":
            if d["status"] in FINISHED or not d["unlocked"]:
                continue
        elif wanted == "locked":
            if d["unlocked"] or d["status"] in FINISHED:
                continue
        elif wanted and d["status"] != wanted:
            continue
        out.append(d)
    return out


STATUS_FILTERS = STATUSES + ("available", "locked")


def normalise_status(text: str) -> str:
    value = text.strip().lower().replace("-", "_").replace(" ", "_")
    aliases = {"todo": "not_started", "new": "not_started", "started": "in_progress", "doing": "in_progress",
               "finished": "done", "complete": "done", "unlocked": "available"}
    value = aliases.get(value, value)
    if value not in STATUS_FILTERS:
        raise UserError(f"unknown status {text!r}; use one of: {', '.join(s.replace('_', '-') for s in STATUS_FILTERS)}")
    return value


def card_summary(s: Session, topic_ids: list[str]) -> dict[str, Any]:
    from mlpath.core import scheduling

    cards = queries.cards_for_topics(s.conn, topic_ids)
    total = sum(s.roadmap.by_id[t].questions for t in topic_ids if t in s.roadmap.by_id)
    due = sum(1 for c in cards.values() if c.state.due <= s.now)
    seen = [c for c in cards.values() if c.state.last_review is not None]
    from mlpath.quizzing import desired_retention

    retention = desired_retention()
    recall = (sum(scheduling.retrievability(c.state, s.now, retention) for c in seen) / len(seen)) if seen else None
    return {"cards": total, "seen": len(seen), "due": due,
            "recall": round(recall, 3) if recall is not None else None}


def show(s: Session, name: str) -> dict[str, Any]:
    statuses = queries.statuses(s.conn)
    found = resolve(s, name)
    if isinstance(found, Area):
        topics = s.roadmap.in_area(found.id)
        return {"kind": "area", "id": found.id, "title": found.title, "summary": found.summary,
                "topics": [{"id": t.id, "title": t.title, "status": statuses.get(t.id, "not_started"),
                            "unlocked": graph.is_unlocked(t, statuses)} for t in topics],
                "cards": card_summary(s, [t.id for t in topics])}
    t = found
    info = queries.status_info(s.conn, t.id)
    area = s.roadmap.area_by_id.get(t.area)
    return {
        "kind": "topic", **topic_dict(s, t, statuses), "area_title": area.title if area else t.area,
        "started_at": info.started_at.isoformat() if info.started_at else None,
        "finished_at": info.finished_at.isoformat() if info.finished_at else None,
        "prerequisite_status": [{"id": p, "title": s.roadmap.by_id[p].title if p in s.roadmap.by_id else p,
                                 "status": statuses.get(p, "not_started")} for p in t.prerequisites],
        "unlocks": list(s.roadmap.dependents[t.id]),
        "unlocks_titles": [s.roadmap.by_id[d].title for d in s.roadmap.dependents[t.id]],
        "cards": card_summary(s, [t.id]),
    }


def search(s: Session, text: str, limit: int = 10) -> list[dict[str, Any]]:
    return [{"id": h.topic.id, "title": h.topic.title, "area": h.topic.area, "score": h.score, "matched": h.matched}
            for h in searching.search(s.roadmap, text, limit=limit)]


def resources(s: Session, name: str) -> dict[str, Any]:
    t = resolve_topic(s, name)
    return {"id": t.id, "title": t.title, "resources": _resources(t)}


def resource_url(s: Session, name: str, number: int) -> str:
    t = resolve_topic(s, name)
    if not 1 <= number <= len(t.resources):
        raise UserError(f"{t.id} has {len(t.resources)} resources; --open takes 1 to {len(t.resources)}")
    url = t.resources[number - 1].url
    if not url.startswith(("http://", "https://")):
        raise UserError(f"refusing to open {url!r}: only http and https links are opened")
    return url


# --- status changes -------------------------------------------------------------------------------------------

ACTIONS = {"start": "in_progress", "done": "done", "skip": "skipped", "reset": "not_started"}


def change_status(s: Session, name: str, action: str, force: bool = False,
                  confirm: Callable[[str], bool] | None = None) -> dict[str, Any]:
    """Apply start/done/skip/reset. ``done`` with unfinished prerequisites needs ``force`` or a yes from ``confirm``."""
    t = resolve_topic(s, name)
    statuses = queries.statuses(s.conn)
    old = statuses.get(t.id, "not_started")
    new = ACTIONS[action]
    missing = graph.missing_prerequisites(t, statuses)
    if action == "done" and missing and not force:
        question = f"{t.id} has unfinished prerequisites ({', '.join(missing)}). Mark it done anyway?"
        if confirm is None:
            raise ConfirmationNeeded(f"{t.id} has unfinished prerequisites ({', '.join(missing)}); "
                                     "use --force to mark it done anyway")
        if not confirm(question):
            return {"id": t.id, "title": t.title, "status": old, "previous": old, "changed": False, "newly_unlocked": []}
    before = {r.topic.id for r in graph.recommend(s.roadmap, statuses)}
    if new != old:
        queries.set_status(s.conn, t.id, new, s.now)
    after_statuses = queries.statuses(s.conn)
    after = [r.topic.id for r in graph.recommend(s.roadmap, after_statuses) if r.topic.id not in before]
    return {"id": t.id, "title": t.title, "status": new, "previous": old, "changed": new != old,
            "newly_unlocked": [x for x in after if x != t.id]}


def check_content(folder: Path | None):
    """Validate a content folder; the result holds every problem, or the roadmap and questions."""
    from mlpath.content import load

    return load(folder or paths.content_dir())
