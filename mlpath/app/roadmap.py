"""Roadmap use cases: next, progress, topics, show, search, resources and status changes."""

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from mlpath import paths
from mlpath.app import mastery
from mlpath.app.session import Session, resolve, resolve_area, resolve_topic
from mlpath.core import graph, ranking
from mlpath.core import search as searching
from mlpath.core.model import FINISHED, STATUSES, Area, Resource, Topic
from mlpath.errors import ConfirmationNeeded, InvalidValue, NotFound, UserError
from mlpath.store import placement as placement_store
from mlpath.store import queries
from mlpath.values import to_jsonable


# --- reading the roadmap -------------------------------------------------------------------------------------

class TopicView(NamedTuple):
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
    mastery: Any = None  # app.mastery.MasteryView: what quizzes show you know of it


def topic_view(t: Topic, statuses: Mapping[str, str], mastery: Any = None) -> TopicView:
    return TopicView(t.id, t.title, t.area, statuses.get(t.id, "not_started"), graph.is_unlocked(t, statuses),
                     t.summary, t.hours, t.prerequisites, t.aliases, t.covers, t.resources, t.questions, mastery)


class Suggestion(NamedTuple):
    id: str
    title: str
    area: str
    status: str
    reason: str
    unlocks: tuple[str, ...]
    leads_to: int
    hours: float
    resource: Resource | None
    heading_for: str | None = None  # the goal or milestone this topic is on the way to
    needed_for: str | None = None  # build-first: the practical topic this maths topic is taken for now
    elective: bool = False
    mastery: Any = None  # app.mastery.MasteryView


class NextTopics(NamedTuple):
    topics: list[Suggestion]
    available: int  # unlocked topics in all (``topics`` holds the first few)
    remaining: int  # topics neither done nor skipped
    due: int  # cards due for review now
    goal: str | None = None  # the learner's goal (a topic or track id); None: the whole roadmap
    order: str = "math-first"
    electives: bool = False  # electives offered even off the goal's path
    goal_remaining: int | None = None  # topics of the goal's path neither done nor skipped
    goal_missing: str | None = None  # a stored goal the roadmap no longer has (ignored)
    nudges: tuple = ()  # app.mastery.Nudge: refresh a fading prerequisite first; mark done what quizzes show known


def next_topics(s: Session, limit: int = 5, area: str | None = None, electives: bool = False) -> NextTopics:
    from mlpath.app.goals import learner_goal
    from mlpath.core.goals import goal_topics

    statuses = queries.statuses(s.conn, s.pack)
    g = learner_goal(s)
    recs = ranking.recommend(s.roadmap, statuses, resolve_area(s, area), goal=g.goal, order=g.order,
                             include_electives=electives)
    # mastery only where `next` looks: the suggestions, their prerequisites, and topics not yet finished
    shown = [r.topic.id for r in recs[:limit]]
    looked = {p for tid in shown for p in s.roadmap.by_id[tid].prerequisites} | set(shown)
    looked |= {t.id for t in s.roadmap.topics if statuses.get(t.id) not in FINISHED}
    found = mastery.masteries(s, [t.id for t in s.roadmap.topics if t.id in looked])
    items = [Suggestion(r.topic.id, r.topic.title, r.topic.area, r.status, r.reason, r.unlocks, r.leads_to,
                        r.topic.hours, r.topic.resources[0] if r.topic.resources else None, r.heading_for,
                        r.needed_for, r.topic.elective, found.get(r.topic.id)) for r in recs[:limit]]
    remaining = sum(1 for t in s.roadmap.topics if statuses.get(t.id) not in FINISHED)
    goal_remaining = None
    if g.goal is not None:
        goal_remaining = sum(1 for t in goal_topics(s.roadmap, g.goal, include_electives=electives)
                             if statuses.get(t) not in FINISHED)
    return NextTopics(items, len(recs), remaining, queries.due_count(s.conn, s.pack, s.now), g.goal, g.order, electives,
                      goal_remaining, g.missing, tuple(mastery.nudges(s, [i.id for i in items], statuses, found)))


class Counts(NamedTuple):
    total: int
    not_started: int
    in_progress: int
    done: int
    skipped: int
    hours: float
    hours_done: float
    percent: float
    placed: int = 0  # of the skipped topics, those skipped by `mlpath placement` (the rest were studied or skipped)
    learned: int = 0  # topics quizzes show as learned or mastered (issue 11), whatever their status
    mastered: int = 0
    fading: int = 0

    @property
    def finished(self) -> int:
        return self.done + self.skipped


def _counts(ts: list[Topic], statuses: Mapping[str, str], placed: frozenset[str] | set[str] = frozenset(),
            found: Mapping[str, Any] | None = None) -> Counts:
    c = {st: 0 for st in STATUSES}
    for t in ts:
        c[statuses.get(t.id, "not_started")] += 1
    hours = sum(t.hours for t in ts)
    hours_done = sum(t.hours for t in ts if statuses.get(t.id) in FINISHED)
    percent = round(100 * (c["done"] + c["skipped"]) / len(ts), 1) if ts else 0.0
    m = mastery.counts([t.id for t in ts], found or {})
    return Counts(len(ts), c["not_started"], c["in_progress"], c["done"], c["skipped"], hours, hours_done, percent,
                  sum(1 for t in ts if t.id in placed), m["learned"], m["mastered"], m["fading"])


class AreaProgress(NamedTuple):
    id: str
    title: str
    counts: Counts

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, **self.counts._asdict()}


class HoursSplit(NamedTuple):
    """Core and elective hours apart (done means done or skipped)."""

    core_done: float
    core_total: float
    elective_done: float
    elective_total: float


def _split(ts: list[Topic], statuses: Mapping[str, str]) -> HoursSplit:
    sums = [0.0, 0.0, 0.0, 0.0]
    for t in ts:
        base = 2 if t.elective else 0
        sums[base + 1] += t.hours
        if statuses.get(t.id, "not_started") in FINISHED:
            sums[base] += t.hours
    return HoursSplit(*sums)


class Progress(NamedTuple):
    counts: Counts
    areas: list[AreaProgress]
    due: int
    reviews: int
    hours_split: HoursSplit | None = None
    goal: Any = None  # app.goals.LearnerGoal: the learner's goal and order
    estimate: Any = None  # app.goals.GoalEstimate: the goal's (or the core roadmap's) hours and finish date
    pack: str | None = None  # the pack these numbers are of

    def to_dict(self) -> dict[str, Any]:
        g = self.goal
        goal = None
        if g is not None and g.goal is not None:
            goal = {"id": g.goal, "kind": g.kind, "title": g.title, "goals": list(g.goals)}
        return {**self.counts._asdict(), "areas": [a.to_dict() for a in self.areas], "due": self.due,
                "reviews": self.reviews,
                "hours_split": to_jsonable(self.hours_split),
                "order": g.order if g is not None else None,
                "goal": goal,
                "goal_missing": g.missing if g is not None else None,
                "estimate": to_jsonable(self.estimate),
                "pack": self.pack}


def progress(s: Session, area: str | None = None, hours_per_week: float | None = None) -> Progress:
    """Counts overall and per area, core and elective hours apart, and the goal's hours and finish date at the
    learner's pace (the whole core roadmap's when there is no goal)."""
    from mlpath.app import goals

    statuses = queries.statuses(s.conn, s.pack)
    area_id = resolve_area(s, area)
    the_pace = goals.pace(s, hours_per_week)
    placed = placement_store.placed(s.conn, s.pack)
    topics = [t for t in s.roadmap.topics if area_id is None or t.area == area_id]
    found = mastery.masteries(s)
    areas = [AreaProgress(a.id, a.title, _counts(s.roadmap.in_area(a.id), statuses, placed, found))
             for a in s.roadmap.areas if not area_id or a.id == area_id]
    g = goals.learner_goal(s)
    return Progress(_counts(topics, statuses, placed, found), areas, queries.due_count(s.conn, s.pack, s.now),
                    queries.review_count(s.conn, s.pack), _split(topics, statuses), g,
                    goals.estimate(s, g.goal, statuses, the_pace), s.pack)


def topics_list(s: Session, area: str | None = None, status: str | None = None) -> list[TopicView]:
    statuses = queries.statuses(s.conn, s.pack)
    area_id = resolve_area(s, area)
    wanted = normalise_status(status) if status else None
    found = mastery.masteries(s)
    out = []
    for t in s.roadmap.topics:
        if area_id and t.area != area_id:
            continue
        v = topic_view(t, statuses, found.get(t.id))
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


class CardRecall(NamedTuple):
    question: str
    recall: float  # predicted recall now (see CardSummary)
    last_right: bool
    due: datetime


class CardSummary(NamedTuple):
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

    cards = queries.cards_for_topics(s.conn, s.pack, topic_ids)
    total = sum(s.roadmap.by_id[t].questions for t in topic_ids if t in s.roadmap.by_id)
    due = sum(1 for c in cards.values() if c.state.due <= s.now)
    seen = [c for c in cards.values() if c.state.last_review is not None]
    retention = s.settings.desired_retention
    last = queries.last_answers(s.conn, {c.question_id: c.id for c in seen})
    def recall_now(c) -> float:
        if not last.get(c.question_id, True):
            return 0.0  # its last answer was wrong: not recalled, whatever the model predicts
        return round(scheduling.retrievability(c.state, s.now, retention, parameters=s.parameters), 3)

    per_card = sorted((CardRecall(c.question_id, recall_now(c), last.get(c.question_id, True), c.state.due)
                       for c in seen), key=lambda x: (x.recall, x.question))
    recall = sum(x.recall for x in per_card) / len(per_card) if per_card else None
    return CardSummary(total, len(seen), due, round(recall, 3) if recall is not None else None,
                       per_card[0].recall if per_card else None, sum(1 for x in per_card if not x.last_right),
                       tuple(per_card))


class AreaTopic(NamedTuple):
    id: str
    title: str
    status: str
    unlocked: bool
    placed: bool = False  # skipped by `mlpath placement`
    mastery: Any = None  # app.mastery.MasteryView


class AreaDetail(NamedTuple):
    id: str
    title: str
    summary: str
    topics: list[AreaTopic]
    cards: CardSummary
    kind: str = "area"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "title": self.title, "summary": self.summary,
                "topics": [t._asdict() for t in self.topics], "cards": self.cards._asdict()}


class PrerequisiteStatus(NamedTuple):
    id: str
    title: str
    status: str


class TopicDetail(NamedTuple):
    topic: TopicView
    area_title: str
    started_at: datetime | None
    finished_at: datetime | None
    prerequisite_status: list[PrerequisiteStatus]
    unlocks: list[str]  # every topic that has this one as a prerequisite
    unlocks_titles: list[str]
    cards: CardSummary
    kind: str = "topic"
    placed: bool = False  # skipped by `mlpath placement` (not studied)
    unlocks_when_done: tuple[str, ...] = ()  # of those, the ones finishing this topic unlocks (as `next` counts)
    credits: tuple = ()  # app.credit.CreditEvent: recent implicit credits this topic's cards received

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **to_jsonable(self.topic), "placed": self.placed, "area_title": self.area_title,
                "started_at": self.started_at, "finished_at": self.finished_at,
                "prerequisite_status": [p._asdict() for p in self.prerequisite_status], "unlocks": self.unlocks,
                "unlocks_titles": self.unlocks_titles, "cards": self.cards._asdict(),
                "unlocks_when_done": list(self.unlocks_when_done),
                "credits": to_jsonable(self.credits)}


def show(s: Session, name: str) -> TopicDetail | AreaDetail:
    statuses = queries.statuses(s.conn, s.pack)
    found = resolve(s, name)
    placed = placement_store.placed(s.conn, s.pack)
    if isinstance(found, Area):
        topics = s.roadmap.in_area(found.id)
        known = mastery.masteries(s, [t.id for t in topics])
        return AreaDetail(found.id, found.title, found.summary,
                          [AreaTopic(t.id, t.title, statuses.get(t.id, "not_started"), graph.is_unlocked(t, statuses),
                                     t.id in placed, known[t.id]) for t in topics],
                          card_summary(s, [t.id for t in topics]))
    t = found
    info = queries.status_info(s.conn, s.pack, t.id)
    area = s.roadmap.area_by_id.get(t.area)
    from mlpath.app import credit

    return TopicDetail(
        topic_view(t, statuses, mastery.masteries(s, [t.id])[t.id]), area.title if area else t.area, info.started_at, info.finished_at,
        [PrerequisiteStatus(p, s.roadmap.by_id[p].title if p in s.roadmap.by_id else p, statuses.get(p, "not_started"))
         for p in t.prerequisites],
        list(s.roadmap.dependents[t.id]), [s.roadmap.by_id[d].title for d in s.roadmap.dependents[t.id]],
        card_summary(s, [t.id]), placed=t.id in placed, unlocks_when_done=unlocks_when_done(s, t, statuses),
        credits=tuple(credit.recent_credits(s, t.id)))


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


class SearchHit(NamedTuple):
    id: str
    title: str
    area: str
    score: float
    matched: str


def search(s: Session, text: str, limit: int = 10) -> list[SearchHit]:
    return [SearchHit(h.topic.id, h.topic.title, h.topic.area, h.score, h.matched)
            for h in searching.search(s.roadmap, text, limit=limit)]


class TopicResources(NamedTuple):
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


class StatusChange(NamedTuple):
    id: str
    title: str
    status: str
    previous: str
    changed: bool
    newly_unlocked: list[str]
    quiz_first: str | None = None  # done on a topic with questions and no answers: the note offering a quiz


def change_status(s: Session, name: str, action: str, force: bool = False,
                  confirm: Callable[[str], bool] | None = None) -> StatusChange:
    """Apply start/done/skip/reset. ``done`` with unfinished prerequisites needs ``force`` or a yes from ``confirm``."""
    t = resolve_topic(s, name)
    statuses = queries.statuses(s.conn, s.pack)
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
        queries.set_status(s.conn, s.pack, t.id, new, s.now)
    after_statuses = queries.statuses(s.conn, s.pack)
    after = [r.topic.id for r in ranking.recommend(s.roadmap, after_statuses) if r.topic.id not in before]
    untested = mastery.untested(s, t.id) if action == "done" and new != old else None
    return StatusChange(t.id, t.title, new, old, new != old, [x for x in after if x != t.id], untested)


def check_content(folder: Path | None):
    """Validate a content folder; the result holds every problem, or the roadmap and questions."""
    from mlpath.packs.loader import load

    return load(folder or paths.content_dir())


# --- status changes on several topics at once ---------------------------------------------------------------------

class MarkedTopic(NamedTuple):
    id: str
    title: str
    status: str
    previous: str
    changed: bool
    prerequisite: bool  # added by with_prerequisites (needed by a named topic), not named itself


class StatusChanges(NamedTuple):
    action: str
    status: str
    topics: list[MarkedTopic]  # in prerequisite order
    changed: int
    newly_unlocked: list[str]
    cancelled: bool = False  # the learner said no: nothing was written
    quiz_first: tuple[str, ...] = ()  # marked done now, with questions and none answered


_LABEL = {"in_progress": "in progress", "done": "done", "skipped": "skipped", "not_started": "not started"}


def _resolve_topics(s: Session, names: list[str]) -> list[str]:
    """Every name to a topic id, all before anything is written; the first unknown name is the error."""
    ids = []
    for name in names:
        found = searching.resolve_exact(s.roadmap, name)
        if isinstance(found, Topic):
            ids.append(found.id)
        elif isinstance(found, Area):
            raise UserError(f"{name!r} is an area, not a topic; give it as the area to mark all its topics")
        else:
            raise NotFound("topic", name, [x for x in searching.suggestions(s.roadmap, name) if x in s.roadmap.by_id])
    return ids


def change_statuses(s: Session, names: list[str], action: str, *, area: str | None = None,
                    with_prerequisites: bool = False, force: bool = False,
                    confirm: Callable[[str], bool] | None = None) -> StatusChanges:
    """Apply start/done/skip/reset to several topics and/or every topic of an area, in one transaction.

    Every name is resolved before anything is written. ``with_prerequisites`` (done and skip) also marks every
    unfinished topic the named ones need; that, or ``done`` on topics whose prerequisites are unfinished, needs
    ``force`` or one yes from ``confirm`` (asked once, listing the topics).
    """
    if action not in ACTIONS:
        raise InvalidValue("action", f"must be one of {', '.join(ACTIONS)}")
    if with_prerequisites and action not in ("done", "skip"):
        raise InvalidValue("with_prerequisites", "applies to done and skip only")
    named = _resolve_topics(s, names)
    area_id = resolve_area(s, area)
    if not named and area_id is None:
        raise UserError("name one or more topics, or an area")
    targets = list(dict.fromkeys(named + ([t.id for t in s.roadmap.in_area(area_id)] if area_id else [])))
    statuses = queries.statuses(s.conn, s.pack)
    new = ACTIONS[action]
    chosen = set(targets)
    extra: list[str] = []
    if with_prerequisites:
        for tid in targets:
            for a in graph.ancestors(s.roadmap, tid):
                if a not in chosen and statuses.get(a, "not_started") not in FINISHED:
                    chosen.add(a)
                    extra.append(a)
    position = {tid: i for i, tid in enumerate(graph.topological_order(s.roadmap))}
    ordered = sorted(chosen, key=position.__getitem__)
    question = message = action_text = None
    if extra:
        message = (f"{len(extra)} unfinished prerequisite{'s' if len(extra) != 1 else ''} will be marked "
                   f"{_LABEL[new]} too: {', '.join(sorted(extra, key=position.__getitem__))}")
        question = f"Mark these {len(ordered)} topics {_LABEL[new]}: {', '.join(ordered)}?"
        action_text = f"mark them {_LABEL[new]}"
    elif action == "done":
        missing = []
        for tid in targets:
            gaps = [p for p in graph.missing_prerequisites(s.roadmap.by_id[tid], statuses) if p not in chosen]
            if gaps:
                missing.append(f"{tid} ({', '.join(gaps)})")
        if missing:
            message = "unfinished prerequisites: " + "; ".join(missing)
            question = f"Some topics have {message}. Mark them done anyway?"
            action_text = "mark them done anyway"
    if message and not force:
        if confirm is None:
            raise ConfirmationNeeded(message, action=action_text)
        if not confirm(question):
            return StatusChanges(action, new, [
                MarkedTopic(t, s.roadmap.by_id[t].title, statuses.get(t, "not_started"),
                            statuses.get(t, "not_started"), False, t in extra) for t in ordered], 0, [], True)
    before = {r.topic.id for r in ranking.recommend(s.roadmap, statuses)}
    writes = [(t, new) for t in ordered if statuses.get(t, "not_started") != new]
    if writes:
        queries.set_statuses(s.conn, s.pack, writes, s.now)
    after_statuses = queries.statuses(s.conn, s.pack)
    unlocked = [r.topic.id for r in ranking.recommend(s.roadmap, after_statuses)
                if r.topic.id not in before and r.topic.id not in chosen]
    items = [MarkedTopic(t, s.roadmap.by_id[t].title, after_statuses.get(t, "not_started"),
                         statuses.get(t, "not_started"), statuses.get(t, "not_started") != new, t in extra)
             for t in ordered]
    untested: tuple[str, ...] = ()
    if action == "done" and writes:
        found = mastery.masteries(s, [t for t, _ in writes])
        untested = tuple(t for t, _ in writes if found[t].total and not found[t].seen)
    return StatusChanges(action, new, items, len(writes), unlocked, quiz_first=untested)


def check_manifest(folder: Path | None):
    """A content folder's pack.yaml: (manifest, problems); a folder without one gets a derived identity."""
    from mlpath.packs.manifest import read

    root = folder or paths.content_dir()
    if not root.is_dir():
        return None, []  # check_content reports the missing folder
    return read(root)
