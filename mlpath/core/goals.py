"""Goals: what a learner works towards (a topic or a track), the path there, and how long it will take.

Pure functions for the app layer (`mlpath goal`, `next`, `progress`):

* ``goal_topics(roadmap, goal)`` - the set of topic ids the goal needs;
* ``path(roadmap, statuses, goal, order)`` - the ordered checklist;
* ``estimate(roadmap, statuses, goal, hours_per_week, now)`` - hours done and left and a finish date;
* ``hours_split(roadmap, statuses)`` - core and elective hours apart.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import NamedTuple

from mlpath.core.graph import ancestors
from mlpath.core.model import FINISHED, Roadmap, Topic
from mlpath.core.order import Order, study_order


class UnknownGoal(ValueError):
    """The goal is neither a topic id nor a track id of the roadmap."""


def goal_ids(roadmap: Roadmap, goal: str) -> tuple[str, ...]:
    """The topics a goal names: a track's goal topics, or the one topic. Raises UnknownGoal."""
    if goal in roadmap.track_by_id:
        return roadmap.track_by_id[goal].goals
    if goal in roadmap.by_id:
        return (goal,)
    raise UnknownGoal(f"unknown goal {goal!r}: neither a topic nor a track")


def goal_topics(roadmap: Roadmap, goal: str | None, *, include_electives: bool = False) -> set[str]:
    """The goal's topics and all their ancestors. With no goal: every core topic (and every elective when
    ``include_electives``). Electives are in the set only when they are on the path (a goal or an ancestor of one)
    or asked for."""
    if goal is None:
        return {t.id for t in roadmap.topics if include_electives or not t.elective}
    out: set[str] = set()
    for g in goal_ids(roadmap, goal):
        out.add(g)
        out.update(ancestors(roadmap, g))
    if include_electives:
        out |= {t.id for t in roadmap.topics if t.elective}
    return out


def path(roadmap: Roadmap, statuses: Mapping[str, str], goal: str | None,
         order: Order | str = Order.MATH_FIRST, *, include_electives: bool = False) -> list[Topic]:
    """The goal as an ordered checklist: the finished topics first (roadmap order), then what is left in the order
    the learner would study it (core/order.py); every unfinished topic comes after its unfinished prerequisites."""
    targets = goal_topics(roadmap, goal, include_electives=include_electives)
    finished = [t for t in roadmap.topics if t.id in targets and statuses.get(t.id, "not_started") in FINISHED]
    rest = [roadmap.by_id[s.topic_id] for s in study_order(roadmap, statuses, targets, order)]
    return finished + rest


class Estimate(NamedTuple):
    hours_total: float
    hours_done: float  # done or skipped
    hours_left: float
    hours_per_week: float | None
    weeks_left: float | None  # None without a pace
    finish: datetime | None  # ``now`` plus weeks_left


def estimate(roadmap: Roadmap, statuses: Mapping[str, str], goal: str | None, hours_per_week: float | None,
             now: datetime, *, include_electives: bool = False) -> Estimate:
    """Hours done and left on the goal's path, and when it will be finished at ``hours_per_week``.

    A topic in progress counts as left in full (mlpath does not know how far in it is). ``now`` must be an aware
    datetime; no pace (None or not more than 0) gives no finish date.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    targets = goal_topics(roadmap, goal, include_electives=include_electives)
    total = sum(roadmap.by_id[t].hours for t in targets)
    done = sum(roadmap.by_id[t].hours for t in targets if statuses.get(t, "not_started") in FINISHED)
    left = total - done
    if hours_per_week is None or hours_per_week <= 0:
        return Estimate(total, done, left, hours_per_week, None, None)
    weeks = left / hours_per_week
    return Estimate(total, done, left, hours_per_week, weeks, now + timedelta(weeks=weeks))


class HoursSplit(NamedTuple):
    core_done: float
    core_total: float
    elective_done: float
    elective_total: float


def hours_split(roadmap: Roadmap, statuses: Mapping[str, str]) -> HoursSplit:
    """Core and elective hours apart (done means done or skipped), for `progress`."""
    sums = [0.0, 0.0, 0.0, 0.0]
    for t in roadmap.topics:
        base = 2 if t.elective else 0
        sums[base + 1] += t.hours
        if statuses.get(t.id, "not_started") in FINISHED:
            sums[base] += t.hours
    return HoursSplit(*sums)
