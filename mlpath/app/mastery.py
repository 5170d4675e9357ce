"""Mastery per topic, from the evidence of its cards (mlpath.core.mastery), for `show`, `topics`, `progress`,
`next`, `done` and the map: one grouped query for every topic's cards, never one per topic."""

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import NamedTuple

from mlpath.app.session import Session
from mlpath.core.mastery import Mastery, MasteryState, topic_mastery
from mlpath.core.model import FINISHED
from mlpath.store import mastery as evidence_store

KNOWN = (MasteryState.LEARNED.value, MasteryState.MASTERED.value)


class MasteryView(NamedTuple):  # NamedTuples: cheap to define, and every `next` and `progress` imports them
    """A topic's mastery as the learner sees it. JSON: ``mastery: {value, state, seen, total, ...}``."""

    value: float  # 0..1, three decimals
    state: str  # unseen, learning, learned, mastered, fading
    seen: int  # questions answered at least once
    total: int  # questions in the topic
    passed_after_gap: int  # questions recalled correctly a day or more after the review before
    due: int  # of the topic's cards, due now
    more_questions: int  # still to pass after a gap to reach the next state
    due_in_days: int | None  # days until the next card is due (0: now); None before any answer
    next_due: datetime | None
    raise_by: str  # what would raise it, in words ("answer 4 more questions; due in 3 days")


def raise_by(m: Mastery, due: int) -> str:
    """What would raise a topic's mastery, in the learner's words."""
    if m.total == 0:
        return "no questions yet"
    state = m.state
    if state == MasteryState.UNSEEN:
        return f"answer {_questions(m.more_questions)}, then again on a later day"
    if state == MasteryState.FADING:
        return f"review now: {_cards(due)} due" if due else "review now"
    parts = []
    if m.more_questions:
        more = _questions(m.more_questions).replace("question", "more question", 1)
        parts.append(f"answer {more} correctly on a later day" if state == MasteryState.LEARNING
                     else f"answer {more}")
    if m.due_in_days is not None:
        days = math.ceil(m.due_in_days) if m.due_in_days >= 0.5 else 0
        parts.append(f"{_cards(due)} due now" if days == 0 and due else
                     f"due in {days} day{'s' if days != 1 else ''}" if days else "due today")
    return "; ".join(parts) if parts else "keep reviewing when cards fall due"


def _questions(n: int) -> str:
    return f"{n} question{'s' if n != 1 else ''}"


def _cards(n: int) -> str:
    return f"{n} card{'s' if n != 1 else ''}"


def view(m: Mastery, due: int) -> MasteryView:
    days = None
    if m.due_in_days is not None:
        days = math.ceil(m.due_in_days) if m.due_in_days >= 0.5 else 0
    return MasteryView(round(m.value, 3), m.state.value, m.seen, m.total, m.passed_after_gap, due,
                       m.more_questions, days, m.next_due, raise_by(m, due))


def masteries(s: Session, topic_ids: Iterable[str] | None = None) -> dict[str, MasteryView]:
    """Every topic's mastery (or the given topics'), from one query over the cards."""
    wanted = list(topic_ids) if topic_ids is not None else [t.id for t in s.roadmap.topics]
    few = topic_ids is not None and len(wanted) <= 500  # SQLite bounds the parameters of one statement
    facts = evidence_store.evidence(s.conn, s.pack, wanted if few else None)
    retention = s.settings.desired_retention
    out = {}
    for tid in wanted:
        t = s.roadmap.by_id.get(tid)
        cards = facts.get(tid, [])
        m = topic_mastery(cards, t.questions if t else len(cards), s.now, retention)
        due = sum(1 for c in cards if c.reps and c.card.due <= s.now) if cards else 0
        out[tid] = view(m, due)
    return out


def counts(topic_ids: Iterable[str], found: Mapping[str, MasteryView]) -> dict[str, int]:
    """How many of these topics quizzes show as learned (or mastered), mastered, and fading."""
    c = {"learned": 0, "mastered": 0, "fading": 0}
    for tid in topic_ids:
        m = found.get(tid)
        if m is None:
            continue
        if m.state in KNOWN:
            c["learned"] += 1
        if m.state == MasteryState.MASTERED.value:
            c["mastered"] += 1
        if m.state == MasteryState.FADING.value:
            c["fading"] += 1
    return c


class Nudge(NamedTuple):
    """A hint in `next`: ``refresh`` a fading prerequisite of a suggested topic first, or ``mark_done`` a topic
    quizzes show as learned that is not marked done."""

    kind: str
    topic: str
    text: str
    command: str
    for_topic: str | None = None  # refresh: the suggested topic that needs it
    due: int = 0


def nudges(s: Session, suggested: list[str], statuses: Mapping[str, str],
           found: Mapping[str, MasteryView], limit: int = 3) -> list[Nudge]:
    out: list[Nudge] = []
    seen: set[str] = set()
    for tid in suggested:
        t = s.roadmap.by_id.get(tid)
        for p in t.prerequisites if t else ():
            m = found.get(p)
            if (p not in seen and m is not None and m.state == MasteryState.FADING.value
                    and statuses.get(p) in FINISHED):
                seen.add(p)
                due = f": {_cards(m.due)} due" if m.due else ""
                out.append(Nudge("refresh", p, f"refresh {p} first{due}", f"mlpath quiz {p}", tid, m.due))
    refresh = out[:limit]
    known = [Nudge("mark_done", t.id, f"quiz says you know {t.id}: `mlpath done {t.id}`", f"mlpath done {t.id}")
             for t in s.roadmap.topics
             if statuses.get(t.id) not in FINISHED and t.id in found and found[t.id].state in KNOWN]
    return refresh + known[:limit]


def untested(s: Session, topic_id: str) -> str | None:
    """For `done`: a note when the topic has questions and none has been answered, else None."""
    t = s.roadmap.by_id[topic_id]
    if not t.questions:
        return None
    m = masteries(s, [topic_id])[topic_id]
    if m.seen:
        return None
    return (f"{topic_id} has {_questions(t.questions)} and you have answered none; "
            f"check yourself with `mlpath quiz {topic_id}`")
