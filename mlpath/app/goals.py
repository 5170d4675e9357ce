"""Goal use cases: what the learner works towards (a topic or a track), in which order, the path there and when it
will be finished at the learner's pace.

The goal and the order are the learner's state and live in the database (table ``preference``, keyed by pack), next to their
topic statuses: `mlpath goal` writes them in one transaction, and they are never in config.toml, which holds
hand-edited preferences only.
"""

from datetime import date, timedelta
from typing import Any, NamedTuple

from mlpath.app.session import Session
from mlpath.core import goals as core_goals
from mlpath.core import search as searching
from mlpath.core.model import FINISHED, Area, Roadmap, Topic
from mlpath.core.order import ORDERS, Order
from mlpath.errors import InvalidValue, NotFound, UserError
from mlpath.store import queries

GOAL_KEY = "goal"
ORDER_KEY = "order"
DEFAULT_ORDER = Order.MATH_FIRST.value
PACE_WEEKS = 8  # the pace is the hours of the topics done in this many weeks, divided by it
MAX_HOURS_PER_WEEK = 168.0
MAX_NAME = 200


class LearnerGoal(NamedTuple):
    """The goal in use. ``goal`` None means the whole roadmap; ``missing`` is a stored goal that the roadmap no
    longer has (it is ignored until the learner sets another)."""

    goal: str | None
    kind: str | None  # "topic" or "track"
    title: str | None
    order: str
    goals: tuple[str, ...] = ()  # the goal topics (a track's, or the one topic)
    missing: str | None = None


def _describe(roadmap: Roadmap, goal: str | None, order: str, missing: str | None = None) -> LearnerGoal:
    if goal is None:
        return LearnerGoal(None, None, None, order, (), missing)
    if goal in roadmap.track_by_id:
        track = roadmap.track_by_id[goal]
        return LearnerGoal(goal, "track", track.title, order, track.goals, missing)
    return LearnerGoal(goal, "topic", roadmap.by_id[goal].title, order, (goal,), missing)


def learner_goal(s: Session) -> LearnerGoal:
    """The stored goal and order. A goal topic renamed in content (``replaces:``) is followed to its new id."""
    stored = queries.learner_settings(s.conn, s.pack)
    order = stored.get(ORDER_KEY, DEFAULT_ORDER)
    if order not in ORDERS:
        order = DEFAULT_ORDER
    goal = stored.get(GOAL_KEY)
    if goal is None or goal in s.roadmap.track_by_id or goal in s.roadmap.by_id:
        return _describe(s.roadmap, goal, order)
    renamed = next((t.id for t in s.roadmap.topics if goal in t.replaces), None)
    if renamed is not None:
        return _describe(s.roadmap, renamed, order)
    return _describe(s.roadmap, None, order, missing=goal)


def parse_order(order: str) -> str:
    value = order.strip().lower().replace("_", "-").replace(" ", "-")
    if value in ("maths-first", "math"):
        value = "math-first"
    if value == "build":
        value = "build-first"
    if value not in ORDERS:
        raise InvalidValue("order", f"must be one of {', '.join(ORDERS)}, not {order[:40]!r}")
    return value


def resolve_goal(roadmap: Roadmap, name: str) -> str:
    """A track (id or title) or a topic (id, alias or title) -> its id; did-you-mean across both when unknown."""
    name = name.strip()
    if not name:
        raise UserError("name a goal: a topic or a track")
    if len(name) > MAX_NAME:
        raise UserError(f"a goal name is at most {MAX_NAME} characters")
    if name in roadmap.track_by_id:
        return name
    q = searching.normalise(name)
    for track in roadmap.tracks:
        if q in (searching.normalise(track.id), searching.normalise(track.title)):
            return track.id
    found = searching.resolve_exact(roadmap, name)
    if isinstance(found, Topic):
        return found.id
    if isinstance(found, Area):
        raise UserError(f"{name!r} is an area, not a goal; choose one of its topics or a track")
    raise NotFound("topic or track", name, _suggestions(roadmap, name))


def _suggestions(roadmap: Roadmap, name: str) -> list[str]:
    from rapidfuzz import fuzz

    q = searching.normalise(name)
    tracks = []
    for track in roadmap.tracks:
        score = max(fuzz.ratio(q, searching.normalise(track.id)), fuzz.ratio(q, searching.normalise(track.title)))
        if score >= 70:
            tracks.append((score, track.id))
    topics = [t for t in searching.suggestions(roadmap, name) if t in roadmap.by_id]
    return ([t for _, t in sorted(tracks, key=lambda x: -x[0])] + topics)[:3]


def set_goal(s: Session, name: str | None = None, order: str | None = None, clear: bool = False) -> LearnerGoal:
    """Set the goal (a topic or track name), the order, or clear the goal (the order stays). Everything is checked
    before anything is written."""
    if clear and name is not None:
        raise UserError("either set a goal or clear it, not both")
    values: dict[str, str | None] = {}
    if order is not None:
        values[ORDER_KEY] = parse_order(order)
    if name is not None:
        values[GOAL_KEY] = resolve_goal(s.roadmap, name)
    if clear:
        values[GOAL_KEY] = None
    if values:
        queries.set_learner_settings(s.conn, s.pack, values, s.now)
    return learner_goal(s)


# --- pace and estimates -----------------------------------------------------------------------------------------

class Pace(NamedTuple):
    """Hours per week: ``given`` by the learner, or from ``history`` (the hours of the topics done in the last
    ``weeks`` weeks, ``hours_done``, divided by ``weeks``)."""

    hours_per_week: float
    source: str  # "given" or "history"
    weeks: int | None
    hours_done: float | None


def pace(s: Session, hours_per_week: float | None = None) -> Pace:
    if hours_per_week is not None:
        if not 0 < hours_per_week <= MAX_HOURS_PER_WEEK:
            raise InvalidValue("hours_per_week", f"must be more than 0 and at most {MAX_HOURS_PER_WEEK:g}")
        return Pace(float(hours_per_week), "given", None, None)
    done = queries.done_since(s.conn, s.pack, s.now - timedelta(weeks=PACE_WEEKS))
    hours = sum(s.roadmap.by_id[t].hours for t in done if t in s.roadmap.by_id)
    return Pace(round(hours / PACE_WEEKS, 2), "history", PACE_WEEKS, hours)


class GoalEstimate(NamedTuple):
    """Hours on the goal's path (its topics and everything they need) and the finish date at ``pace``. A topic in
    progress counts as left in full. No pace (nothing done lately): no finish date."""

    hours_total: float
    hours_done: float
    hours_left: float
    topics_total: int
    topics_left: int
    pace: Pace
    weeks_left: float | None
    finish: date | None

    def to_dict(self) -> dict[str, Any]:
        return {"hours_total": self.hours_total, "hours_done": self.hours_done, "hours_left": self.hours_left,
                "topics_total": self.topics_total, "topics_left": self.topics_left,
                "hours_per_week": self.pace.hours_per_week, "pace_source": self.pace.source,
                "pace_weeks": self.pace.weeks, "pace_hours_done": self.pace.hours_done,
                "weeks_left": None if self.weeks_left is None else round(self.weeks_left, 1),
                "finish": self.finish}


def estimate(s: Session, goal: str | None, statuses: dict[str, str], the_pace: Pace,
             include_electives: bool = False) -> GoalEstimate:
    e = core_goals.estimate(s.roadmap, statuses, goal, the_pace.hours_per_week or None, s.now,
                            include_electives=include_electives)
    targets = core_goals.goal_topics(s.roadmap, goal, include_electives=include_electives)
    left = sum(1 for t in targets if statuses.get(t, "not_started") not in FINISHED)
    finish = e.finish.date() if e.finish is not None else None
    return GoalEstimate(e.hours_total, e.hours_done, e.hours_left, len(targets), left, the_pace, e.weeks_left, finish)


# --- the path as a checklist, and the tracks --------------------------------------------------------------------

class PathItem(NamedTuple):
    id: str
    title: str
    area: str
    status: str
    hours: float
    elective: bool
    goal: bool  # one of the goal topics themselves
    maths: bool  # in a mathematics area (build-first takes these just in time)


class GoalPath(NamedTuple):
    goal: LearnerGoal
    topics: list[PathItem]
    estimate: GoalEstimate
    electives: bool

    def to_dict(self) -> dict[str, Any]:
        from mlpath.values import to_jsonable

        g = self.goal
        return {"goal": g.goal, "kind": g.kind, "title": g.title, "order": g.order, "goals": list(g.goals),
                "goal_missing": g.missing, "electives": self.electives,
                "topics": to_jsonable(self.topics), "estimate": self.estimate.to_dict()}


def goal_path(s: Session, include_electives: bool = False, hours_per_week: float | None = None) -> GoalPath:
    """The goal's path as an ordered checklist: finished topics first, then the rest in the learner's order."""
    g = learner_goal(s)
    the_pace = pace(s, hours_per_week)
    statuses = queries.statuses(s.conn, s.pack)
    topics = core_goals.path(s.roadmap, statuses, g.goal, g.order, include_electives=include_electives)
    items = [PathItem(t.id, t.title, t.area, statuses.get(t.id, "not_started"), t.hours, t.elective,
                      t.id in g.goals, s.roadmap.is_maths(t.id)) for t in topics]
    return GoalPath(g, items, estimate(s, g.goal, statuses, the_pace, include_electives), include_electives)


class TrackView(NamedTuple):
    id: str
    title: str
    summary: str
    goals: tuple[str, ...]
    topics: int  # on the path (goal topics and everything they need)
    hours_total: float
    hours_left: float
    current: bool  # the learner's goal


def tracks(s: Session) -> list[TrackView]:
    statuses = queries.statuses(s.conn, s.pack)
    current = learner_goal(s).goal
    out = []
    for track in s.roadmap.tracks:
        ids = core_goals.goal_topics(s.roadmap, track.id)
        total = sum(s.roadmap.by_id[t].hours for t in ids)
        left = sum(s.roadmap.by_id[t].hours for t in ids if statuses.get(t, "not_started") not in FINISHED)
        out.append(TrackView(track.id, track.title, track.summary, track.goals, len(ids), total, left,
                             track.id == current))
    return out
