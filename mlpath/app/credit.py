"""Implicit review credit through the prerequisite graph, wired to the learner's data (issue 11).

The quiz loop calls ``after_answer`` once per committed answer. It keeps the mastery evidence current, and, when
``implicit_credit`` is on in config.toml: records how a credited (or held-out) card fared at its next explicit
review, recalibrates the transfer strength at most weekly from all those observations, credits the prerequisite
topics' cards after a pass (rows in ``implicit_credit``, applied to the cards' states; the review log is never
touched), and flags the weakest prerequisites after a failure, for ``arrange`` to ask first in the next quiz.
The rules are mlpath.core.credit's; this module only reads and writes.
"""

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple, TYPE_CHECKING

from mlpath.app.session import Session
from mlpath.store import credit as store

if TYPE_CHECKING:
    from mlpath.core.scheduling import CardState

# The strength is recalibrated from the whole record at most this often (the learner simulator does the same):
# often enough to follow the learner, seldom enough that one session cannot swing it back and forth.
CALIBRATE_EVERY = timedelta(days=7)
RECENT_CREDITS = 5  # shown by `show`


class AfterAnswer(NamedTuple):
    refreshed: tuple[str, ...] = ()  # topics a pass also refreshed, nearest first ("also refreshed: ...")
    probes: tuple[str, ...] = ()  # topics a failure flagged for a probe in the next quiz
    strength: float | None = None  # the transfer strength in use (None: credit is off)


def enabled(s: Session) -> bool:
    return bool(s.settings.implicit_credit)


def prerequisites(s: Session) -> dict[str, tuple[str, ...]]:
    return {t.id: t.prerequisites for t in s.roadmap.topics}


def weights(s: Session) -> dict[tuple[str, str], float]:
    """Content's per-prerequisite weights, {(topic, prerequisite): weight} (others get the default)."""
    return {(t.id, p): w for t in s.roadmap.topics for p, w in t.prerequisite_weights}


def current_strength(s: Session) -> float:
    from mlpath.core.credit import INITIAL_STRENGTH

    found = store.strength(s.conn)
    return found[0] if found else INITIAL_STRENGTH


def _targets(s: Session, topic_ids: Sequence[str]) -> dict[str, list[Any]]:
    """{topic: its cards as credit targets}, each with the stability its own explicit reviews gave it."""
    from mlpath.core.credit import CreditTarget

    cards = store.cards_of_topics(s.conn, s.pack, topic_ids)
    since = {c.id: c.state.last_review for cs in cards.values() for c in cs if c.state.last_review is not None}
    credited = store.credits_since(s.conn, list(since), since)
    out: dict[str, list[Any]] = {}
    for topic, cs in cards.items():
        out[topic] = [CreditTarget(c.id, c.state, credited[c.id][0].stability_before if c.id in credited
                                   else c.state.stability) for c in cs]
    return out


def _observe(s: Session, card_id: int, before: "CardState", recalled: bool, now: datetime) -> None:
    """An explicit review of a card credit reached since its previous one: what FSRS predicted with and without
    the credit, and the outcome."""
    from mlpath.core.scheduling import retrievability

    if before.last_review is None:
        return
    rows = store.credits_since(s.conn, [card_id], {card_id: before.last_review}).get(card_id, [])
    if not rows:
        return
    applied = [r for r in rows if not r.held_out]
    retention, parameters = s.settings.desired_retention, s.parameters  # the learner's memory model, as credit used

    def recall(card: "CardState") -> float:
        return retrievability(card, now, retention, parameters)

    if applied:
        shadow = before._replace(stability=applied[0].stability_before)
        store.record_observation(s.conn, card_id, now, recall(before), recall(shadow), recalled, applied[0].strength,
                                 False)
    else:
        p0 = recall(before)
        store.record_observation(s.conn, card_id, now, p0, p0, recalled, rows[0].strength, True)


def calibrate(s: Session, now: datetime) -> float:
    """The strength in use, recalibrated from every observation so far once the last calibration (or, before
    the first, the first observation) is a week old."""
    from mlpath.core import credit as cr

    found = store.strength(s.conn)
    current = found[0] if found else cr.INITIAL_STRENGTH
    since = found[1] if found else store.first_observation_at(s.conn)  # the first week starts at the first one
    if since is None or now - since < CALIBRATE_EVERY:
        return current
    obs = [cr.Observation(*o) for o in store.observations(s.conn)]
    new = cr.calibrate(current, obs)
    store.record_strength(s.conn, new, now, len(obs))
    return new


def after_answer(s: Session, question_id: str, topic: str, before: "CardState | None", after: "CardState",
                 rating: int, now: datetime) -> AfterAnswer:
    """Everything an answer changes besides its own card and review row (those are committed already)."""
    from mlpath.core.mastery import GAP
    from mlpath.store import mastery as evidence

    found = store.card_of(s.conn, s.pack, question_id)
    if found is None:
        return AfterAnswer()
    card_id, reps = found
    passed = rating >= 2
    gap = before is not None and before.last_review is not None and now - before.last_review >= GAP
    evidence.note_review(s.conn, card_id, reps, passed and gap)
    if not enabled(s):
        return AfterAnswer()
    from mlpath.core import credit as cr

    if before is not None:
        _observe(s, card_id, before, passed, now)
    store.answer_probes(s.conn, card_id, now)
    strength = calibrate(s, now)
    prereqs = prerequisites(s)
    if passed:
        edge_weights = weights(s)
        reach = cr.exercised(topic, prereqs, edge_weights)
        if not reach:
            return AfterAnswer(strength=strength)
        rows = cr.implicit_credit(topic, after, _targets(s, list(reach)), prereqs, now, strength, edge_weights,
                                  desired_retention=s.settings.desired_retention, parameters=s.parameters)
        if rows:
            store.record_credits(s.conn, rows, strength, store.latest_review_id(s.conn, card_id))
        return AfterAnswer(tuple(cr.refreshed_topics(rows)), (), strength)
    direct = list(prereqs.get(topic, ()))
    probes = [p for p in cr.weakest_prerequisites(topic, _targets(s, direct), prereqs, now)
              if p.recall < s.settings.desired_retention]
    store.flag_probes(s.conn, probes, topic, now)
    return AfterAnswer((), tuple(p.topic for p in probes), strength)


def arrange(s: Session, items: list, topic_ids: list[str] | None, limit: int, make: Callable) -> list:
    """The quiz queue with credit on: cards flagged for a probe first, then the due cards deeper topics first (so
    their credit can knock out prerequisite reviews), then the new ones. ``items`` are app.quiz.QuizItem, and
    ``make(question, card)`` makes one."""
    if not enabled(s):
        return items
    import json

    from mlpath.core.credit import deeper_first, topic_depths

    probes = [make(json.loads(data), card) for card, data in store.open_probes(s.conn, s.pack, topic_ids)]
    probe_ids = {i.card.id for i in probes}
    due = [i for i in items if i.card is not None and i.card.id not in probe_ids]
    new = [i for i in items if i.card is None]
    depths = topic_depths(prerequisites(s))
    order = deeper_first([(k, i.question.get("topic", "")) for k, i in enumerate(due)], depths)
    return (probes + [due[k] for k in order] + new)[:limit]


class CreditEvent(NamedTuple):
    """A review of ``source_topic`` that credited ``cards`` of this topic's cards (`show`)."""

    at: datetime
    source_topic: str
    cards: int
    stability_before: float
    stability_after: float


def recent_credits(s: Session, topic_id: str, limit: int = RECENT_CREDITS) -> list[CreditEvent]:
    return [CreditEvent(*r) for r in store.recent_credits(s.conn, topic_id, limit)]
