"""Roadmap use cases: next, progress, topics, show, search, resources and status changes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from mlpath import paths
from mlpath.app.session import Session, resolve, resolve_area, resolve_topic
from mlpath.core import graph, ranking
from mlpath.core import search as searching
from mlpath.core.model import FINISHED, STATUSES, Area, Resource, Topic
from mlpath.errors import ConfirmationNeeded, UserError
from mlpath.store import queries
from mlpath.values import to_jsonable


# --- reading the roadmap -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TopicView:
    """A topic with the learner's status, as `topics` lists it."""

    id: str
    title: str
    area: str
    status: str
    unlocked: bool
    summary: str
    hours: float
    prerequisites: tuple[str, ...]
    aliases: tuple[str, ...]
    covers: tuple[str, ...]
    resources: tuple[Resource, ...]
    questions: int


def topic_view(t: Topic, statuses: Mapping[str, str]) -> TopicView:
    return TopicView(t.id, t.title, t.area, statuses.get(t.id, "not_started"), graph.is_unlocked(t, statuses),
                     t.summary, t.hours, t.prerequisites, t.aliases, t.covers, t.resources, t.questions)


@dataclass(frozen=True)
class Suggestion:
    id: str
    title: str
    area: str
    status: str
    reason: str
    unlocks: tuple[str, ...]
    leads_to: int
    hours: float
    resource: Resource | None


@dataclass(frozen=True)
class NextTopics:
    topics: list[Suggestion]
    available: int  # unlocked topics in all (``topics`` holds the first few)
    remaining: int  # topics neither done nor skipped
    due: int  # cards due for review now


def next_topics(s: Session, limit: int = 5, area: str | None = None) -> NextTopics:
    statuses = queries.statuses(s.conn)
    recs = ranking.recommend(s.roadmap, statuses, resolve_area(s, area))
    items = [Suggestion(r.topic.id, r.topic.title, r.topic.area, r.status, r.reason, r.unlocks, r.leads_to,
                        r.topic.hours, r.topic.resources[0] if r.topic.resources else None) for r in recs[:limit]]
    remaining = sum(1 for t in s.roadmap.topics if statuses.get(t.id) not in FINISHED)
    return NextTopics(items, len(recs), remaining, queries.due_count(s.conn, s.now))


@dataclass(frozen=True)
class Counts:
    total: int
    not_started: int
    in_progress: int
    done: int
    skipped: int
    hours: float
    hours_done: float
    percent: float

    @property
    def finished(self) -> int:
        return self.done + self.skipped


def _counts(ts: list[Topic], statuses: Mapping[str, str]) -> Counts:
    c = {st: 0 for st in STATUSES}
    for t in ts:
        c[statuses.get(t.id, "not_started")] += 1
    hours = sum(t.hours for t in ts)
    hours_done = sum(t.hours for t in ts if statuses.get(t.id) in FINISHED)
    percent = round(100 * (c["done"] + c["skipped"]) / len(ts), 1) if ts else 0.0
    return Counts(len(ts), c["not_started"], c["in_progress"], c["done"], c["skipped"], hours, hours_done, percent)


@dataclass(frozen=True)
class AreaProgress:
    id: str
    title: str
    counts: Counts

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, **asdict(self.counts)}


@dataclass(frozen=True)
class Progress:
    counts: Counts
    areas: list[AreaProgress]
    due: int
    reviews: int

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self.counts), "areas": [a.to_dict() for a in self.areas], "due": self.due,
                "reviews": self.reviews}


def progress(s: Session, area: str | None = None) -> Progress:
    statuses = queries.statuses(s.conn)
    area_id = resolve_area(s, area)
    topics = [t for t in s.roadmap.topics if area_id is None or t.area == area_id]
    areas = [AreaProgress(a.id, a.title, _counts(s.roadmap.in_area(a.id), statuses))
             for a in s.roadmap.areas if not area_id or a.id == area_id]
    return Progress(_counts(topics, statuses), areas, queries.due_count(s.conn, s.now), queries.review_count(s.conn))


def topics_list(s: Session, area: str | None = None, status: str | None = None) -> list[TopicView]:
    statuses = queries.statuses(s.conn)
    area_id = resolve_area(s, area)
    wanted = normalise_status(status) if status else None
    out = []
    for t in s.roadmap.topics:
        if area_id and t.area != area_id:
            continue
        v = topic_view(t, statuses)
        if wanted == "available":
            if v.status in FINISHED or not v.unlocked:
                continue
        elif wanted == "locked":
            if v.unlocked or v.status in FINISHED:
                continue
        elif wanted and v.status != wanted:
            continue
        out.append(v)
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


@dataclass(frozen=True)
class CardRecall:
    question: str
    recall: float  # predicted recall now (see CardSummary)
    last_right: bool
    due: datetime


@dataclass(frozen=True)
class CardSummary:
    """The learner's cards of some topics.

    ``recall`` is the mean of each seen card's predicted recall NOW: FSRS's probability that the learner would
    recall the card at this moment, except that a card whose last answer was wrong counts 0 until it is answered
    right again (FSRS alone would say 100% the minute after showing the answer)."""

    cards: int  # questions in the topics
    seen: int  # of which answered at least once
    due: int  # due for review now
    recall: float | None  # mean predicted recall of the seen cards now (None: none seen)
    lowest: float | None = None  # the lowest predicted recall now
    last_wrong: int = 0  # seen cards whose last answer was wrong
    per_card: tuple[CardRecall, ...] = ()  # lowest recall first


def card_summary(s: Session, topic_ids: list[str]) -> CardSummary:
    from mlpath.core import scheduling

    cards = queries.cards_for_topics(s.conn, topic_ids)
    total = sum(s.roadmap.by_id[t].questions for t in topic_ids if t in s.roadmap.by_id)
    due = sum(1 for c in cards.values() if c.state.due <= s.now)
    seen = [c for c in cards.values() if c.state.last_review is not None]
    retention = s.settings.desired_retention
    last = queries.last_answers(s.conn, [c.question_id for c in seen])
    per_card = sorted((CardRecall(c.question_id, round(scheduling.retrievability(c.state, s.now, retention)
                                                       if last.get(c.question_id, True) else 0.0, 3),
                                  last.get(c.question_id, True), c.state.due) for c in seen),
                      key=lambda x: (x.recall, x.question))
    recall = sum(x.recall for x in per_card) / len(per_card) if per_card else None
    return CardSummary(total, len(seen), due, round(recall, 3) if recall is not None else None,
                       per_card[0].recall if per_card else None, sum(1 for x in per_card if not x.last_right),
                       tuple(per_card))


@dataclass(frozen=True)
class AreaTopic:
    id: str
    title: str
    status: str
    unlocked: bool


@dataclass(frozen=True)
class AreaDetail:
    id: str
    title: str
    summary: str
    topics: list[AreaTopic]
    cards: CardSummary
    kind: str = "area"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "title": self.title, "summary": self.summary,
                "topics": [asdict(t) for t in self.topics], "cards": asdict(self.cards)}


@dataclass(frozen=True)
class PrerequisiteStatus:
    id: str
    title: str
    status: str


@dataclass(frozen=True)
class TopicDetail:
    topic: TopicView
    area_title: str
    started_at: datetime | None
    finished_at: datetime | None
    prerequisite_status: list[PrerequisiteStatus]
    unlocks: list[str]  # every topic that has this one as a prerequisite
    unlocks_titles: list[str]
    cards: CardSummary
    kind: str = "topic"
    unlocks_when_done: tuple[str, ...] = ()  # of those, the ones finishing this topic unlocks (as `next` counts)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **to_jsonable(self.topic), "area_title": self.area_title,
                "started_at": self.started_at, "finished_at": self.finished_at,
                "prerequisite_status": [asdict(p) for p in self.prerequisite_status], "unlocks": self.unlocks,
                "unlocks_titles": self.unlocks_titles, "cards": asdict(self.cards),
                "unlocks_when_done": list(self.unlocks_when_done)}


def show(s: Session, name: str) -> TopicDetail | AreaDetail:
    statuses = queries.statuses(s.conn)
    found = resolve(s, name)
    if isinstance(found, Area):
        topics = s.roadmap.in_area(found.id)
        return AreaDetail(found.id, found.title, found.summary,
                          [AreaTopic(t.id, t.title, statuses.get(t.id, "not_started"), graph.is_unlocked(t, statuses))
                           for t in topics],
                          card_summary(s, [t.id for t in topics]))
    t = found
    info = queries.status_info(s.conn, t.id)
    area = s.roadmap.area_by_id.get(t.area)
    return TopicDetail(
        topic_view(t, statuses), area.title if area else t.area, info.started_at, info.finished_at,
        [PrerequisiteStatus(p, s.roadmap.by_id[p].title if p in s.roadmap.by_id else p, statuses.get(p, "not_started"))
         for p in t.prerequisites],
        list(s.roadmap.dependents[t.id]), [s.roadmap.by_id[d].title for d in s.roadmap.dependents[t.id]],
        card_summary(s, [t.id]), unlocks_when_done=unlocks_when_done(s, t, statuses))


def unlocks_when_done(s: Session, t: Topic, statuses: Mapping[str, str]) -> tuple[str, ...]:
    """The topics that finishing ``t`` unlocks: the same count `next` gives ("unlocks N topics")."""
    for rec in ranking.recommend(s.roadmap, statuses):
        if rec.topic.id == t.id:
            return rec.unlocks
    from mlpath.core.goals import goal_topics

    targets = goal_topics(s.roadmap, None)
    return tuple(d for d in s.roadmap.dependents[t.id]
                 if d in targets and statuses.get(d, "not_started") not in FINISHED
                 and all(p == t.id or statuses.get(p, "not_started") in FINISHED for p in s.roadmap.by_id[d].prerequisites))


@dataclass(frozen=True)
class SearchHit:
    id: str
    title: str
    area: str
    score: float
    matched: str


def search(s: Session, text: str, limit: int = 10) -> list[SearchHit]:
    return [SearchHit(h.topic.id, h.topic.title, h.topic.area, h.score, h.matched)
            for h in searching.search(s.roadmap, text, limit=limit)]


@dataclass(frozen=True)
class TopicResources:
    id: str
    title: str
    resources: tuple[Resource, ...]


def resources(s: Session, name: str) -> TopicResources:
    t = resolve_topic(s, name)
    return TopicResources(t.id, t.title, t.resources)


def resource_url(s: Session, name: str, number: int) -> str:
    t = resolve_topic(s, name)
    if not 1 <= number <= len(t.resources):
        raise UserError(f"{t.id} has {len(t.resources)} resources; choose 1 to {len(t.resources)}")
    url = t.resources[number - 1].url
    if not url.startswith(("http://", "https://")):
        raise UserError(f"refusing to open {url!r}: only http and https links are opened")
    return url


# --- status changes -------------------------------------------------------------------------------------------

ACTIONS = {"start": "in_progress", "done": "done", "skip": "skipped", "reset": "not_started"}


@dataclass(frozen=True)
class StatusChange:
    id: str
    title: str
    status: str
    previous: str
    changed: bool
    newly_unlocked: list[str]


def change_status(s: Session, name: str, action: str, force: bool = False,
                  confirm: Callable[[str], bool] | None = None) -> StatusChange:
    """Apply start/done/skip/reset. ``done`` with unfinished prerequisites needs ``force`` or a yes from ``confirm``."""
    t = resolve_topic(s, name)
    statuses = queries.statuses(s.conn)
    old = statuses.get(t.id, "not_started")
    new = ACTIONS[action]
    missing = graph.missing_prerequisites(t, statuses)
    if action == "done" and missing and not force:
        question = f"{t.id} has unfinished prerequisites ({', '.join(missing)}). Mark it done anyway?"
        if confirm is None:
            raise ConfirmationNeeded(f"{t.id} has unfinished prerequisites ({', '.join(missing)})",
                                     action="mark it done anyway")
        if not confirm(question):
            return StatusChange(t.id, t.title, old, old, False, [])
    before = {r.topic.id for r in ranking.recommend(s.roadmap, statuses)}
    if new != old:
        queries.set_status(s.conn, t.id, new, s.now)
    after_statuses = queries.statuses(s.conn)
    after = [r.topic.id for r in ranking.recommend(s.roadmap, after_statuses) if r.topic.id not in before]
    return StatusChange(t.id, t.title, new, old, new != old, [x for x in after if x != t.id])


def check_content(folder: Path | None):
    """Validate a content folder; the result holds every problem, or the roadmap and questions."""
    from mlpath.packs.loader import load

    return load(folder or paths.content_dir())
