"""Placement use cases: the adaptive diagnostic (mlpath/core/placement.py) asked through the quiz UI, each answer
committed at once as a review of its card, then the proposed placement recorded on confirmation.

Nothing but the reviews is written before :func:`record_placement`; a learner who stops keeps the answers given.
Imported only by `mlpath placement`.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from mlpath import clock
from mlpath.app.quiz import EndOfInput, QuizItem, QuizUI, Response, answer_question
from mlpath.app.session import Session, resolve_area
from mlpath.errors import InvalidValue, UserError
from mlpath.store import history, queries
from mlpath.store import placement as placement_store

if TYPE_CHECKING:
    from mlpath.core.questions import Presented

DEFAULT_MAX_QUESTIONS = 25
MAX_QUESTIONS = 200  # an upper bound on the budget: more than any placement needs
THRESHOLD = 0.8  # a topic is proposed as known when P(known) >= this (and its prerequisites are)
REASON = placement_store.PLACEMENT
DONT_KNOW_WORDS = ("?", "i don't know", "i dont know", "dont know", "don't know")


class PlacementUI(QuizUI, Protocol):
    def dont_know(self, p: Presented, due: datetime) -> None: ...


@dataclass(frozen=True)
class Asked:
    """One question of the placement: which topic it probed and how it was answered."""

    number: int
    topic: str
    question: str
    outcome: str  # correct, wrong or dont_know
    rating: int


@dataclass(frozen=True)
class PlacedTopic:
    id: str
    title: str
    area: str
    status: str  # the learner's status now
    belief: float  # P(known) after the answers
    known: bool  # proposed as known
    frontier: bool  # not known, every prerequisite known: where to start


@dataclass(frozen=True)
class PlacementResult:
    area: str | None
    max_questions: int
    stopped: bool  # the learner stopped before the end: nothing is proposed for recording
    asked: tuple[Asked, ...]
    topics: tuple[PlacedTopic, ...]  # every topic placed (the area and its prerequisites, or all), roadmap order
    known_by_area: dict[str, tuple[str, ...]]
    frontier: tuple[str, ...]
    to_record: tuple[str, ...]  # known topics that are not done or skipped yet: what recording changes
    recorded: tuple[str, ...] = ()  # the topics recorded as skipped with the reason "placement"

    @property
    def known(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.topics if t.known)

    def count(self, outcome: str) -> int:
        return sum(1 for a in self.asked if a.outcome == outcome)

    def to_dict(self) -> dict[str, Any]:
        return {
            "area": self.area, "max_questions": self.max_questions, "stopped": self.stopped,
            "answered": len(self.asked), "right": self.count("correct"), "wrong": self.count("wrong"),
            "dont_know": self.count("dont_know"),
            "asked": [asdict(a) for a in self.asked],
            "topics": [dict(asdict(t), belief=round(t.belief, 4)) for t in self.topics],
            "known": list(self.known), "known_by_area": {a: list(ts) for a, ts in self.known_by_area.items()},
            "frontier": list(self.frontier), "to_record": list(self.to_record),
            "recorded": bool(self.recorded), "recorded_topics": list(self.recorded),
        }


def presentation_seed(seed: int, question_id: str) -> int:
    """The seed a question is shown with in a placement run with ``seed`` (option order, generated numbers)."""
    digest = hashlib.sha256(f"{seed}:{question_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def _preference(q: Mapping, seen: set[str]) -> tuple[int, int, int]:
    """Lower is better: generated problems first (their answer cannot be remembered), then questions never
    answered, and self-graded flashcards last."""
    return (q["kind"] != "generated", q["id"] in seen, q["kind"] == "flashcard")


def choose_questions(questions: list[Mapping], seen: set[str], rng: random.Random) -> dict[str, Mapping]:
    """One question per topic: the best by :func:`_preference`, ties broken by ``rng``."""
    by_topic: dict[str, list[Mapping]] = {}
    for q in questions:
        by_topic.setdefault(q["topic"], []).append(q)
    chosen = {}
    for topic in sorted(by_topic):
        qs = by_topic[topic]
        best = min(_preference(q, seen) for q in qs)
        chosen[topic] = rng.choice([q for q in qs if _preference(q, seen) == best])
    return chosen


def is_dont_know(response: Response) -> bool:
    """"I don't know": the UI's own flag when it has one, else ``?`` (or the words) typed as the answer."""
    return bool(getattr(response, "dont_know", False)) or response.raw.strip().lower() in DONT_KNOW_WORDS


def run_placement(s: Session, ui: PlacementUI, *, area: str | None = None,
                  max_questions: int = DEFAULT_MAX_QUESTIONS, seed: int | None = None, retries: bool = True,
                  clock: Callable[[], datetime] = clock.utcnow) -> PlacementResult:
    """Ask the diagnostic's questions, committing each answer as a review at once; the proposal at the end.
    ``retries``: ask again after an invalid answer (on a terminal); otherwise it counts as wrong (in a pipe)."""
    import secrets
    import time

    from mlpath.core import grading
    from mlpath.core import placement as core
    from mlpath.core.questions import check, present

    if not 1 <= max_questions <= MAX_QUESTIONS:
        raise InvalidValue("max_questions", f"must be between 1 and {MAX_QUESTIONS}")
    area_id = resolve_area(s, area)
    roadmap = s.roadmap
    wanted = [t.id for t in roadmap.topics if area_id is None or t.area == area_id]
    questions = [q for q in history.active_questions(s.conn, s.pack, wanted) if q["topic"] in roadmap.by_id]
    if not questions:
        where = f"area {area_id}" if area_id else "this roadmap"
        raise UserError(f"{where} has no questions to ask; placement needs a question bank "
                        "(mark what you know with `mlpath skip TOPIC` instead)")
    if seed is None:
        seed = secrets.randbits(31)
    chosen = choose_questions(questions, placement_store.seen_questions(s.conn, s.pack), random.Random(seed))
    guesses = {t: core.guess_probability(q) for t, q in chosen.items()}
    state = core.start(roadmap, area=area_id, max_questions=max_questions, guesses=guesses)
    retention = s.settings.desired_retention
    asked: list[Asked] = []
    stopped = False
    while (topic := core.next_probe(state)) is not None:
        q = chosen.get(topic)
        if q is None:  # the roadmap counts questions the database does not hold: nothing to ask
            break
        p = present(dict(q), presentation_seed(seed, q["id"]))
        number = len(asked) + 1
        try:
            ui.question(number, max_questions, p, roadmap.by_id[topic].title)
            started = time.monotonic()
            outcome, raw = _ask(ui, p, retries, check, grading)
        except EndOfInput:
            stopped = True
            break
        elapsed = int((time.monotonic() - started) * 1000)
        now = clock()
        if outcome is core.Outcome.CORRECT:
            rating, correct = grading.GOOD, True
        elif outcome is core.Outcome.WRONG:
            rating, correct = grading.AGAIN, False
        else:  # "I don't know": Again, and no answer that could count as a wrong guess
            rating, correct, raw = grading.AGAIN, None, None
        card = queries.cards_for_topics(s.conn, s.pack, [topic]).get(p.id)
        after = answer_question(s, QuizItem(dict(q), card), p, correct=correct, rating=rating, answer=raw,
                                response_ms=elapsed, now=now, retention=retention)
        state = core.record(state, topic, outcome, guess=core.guess_probability(q))
        asked.append(Asked(number, topic, p.id, outcome.value, int(rating)))
        if outcome is core.Outcome.DONT_KNOW:
            ui.dont_know(p, after.due)
        else:
            ui.feedback(p, correct, rating, after.due, True)
    return _result(s, state, core.proposal(state, THRESHOLD), area_id, max_questions, stopped, tuple(asked))


def _ask(ui: QuizUI, p: Presented, retries: bool, check, grading):
    """One answer: (outcome, the answer as typed)."""
    from mlpath.core.placement import Outcome

    if p.kind == "flashcard":
        rating = ui.reveal(p)
        return (Outcome.CORRECT if rating > grading.AGAIN else Outcome.WRONG), str(rating)
    while True:
        response = ui.answer(p)
        if is_dont_know(response):
            return Outcome.DONT_KNOW, None
        correct = check(p, response.value) if response.value is not None else None
        if correct is not None:
            return (Outcome.CORRECT if correct else Outcome.WRONG), response.raw
        ui.invalid(p, response.raw)
        if not retries:
            return Outcome.WRONG, response.raw


def _result(s: Session, state, prop, area_id: str | None, max_questions: int, stopped: bool,
            asked: tuple[Asked, ...]) -> PlacementResult:
    statuses = queries.statuses(s.conn, s.pack)
    frontier = set(prop.frontier)
    topics = tuple(
        PlacedTopic(t.id, t.title, t.area, statuses.get(t.id, "not_started"), prop.beliefs[t.id], t.id in prop.known,
                    t.id in frontier)
        for t in s.roadmap.topics if t.id in prop.beliefs)
    to_record = () if stopped else tuple(
        t.id for t in topics if t.known and t.status not in ("done", "skipped"))
    return PlacementResult(area_id, max_questions, stopped, asked, topics, dict(prop.known_by_area),
                           tuple(prop.frontier), to_record)


def record_placement(s: Session, result: PlacementResult, now: datetime | None = None) -> PlacementResult:
    """Record the proposed known topics that are not done or skipped as skipped with the reason "placement", in one
    transaction (at ``now``, default the clock's time)."""
    if result.stopped:
        raise UserError("a stopped placement proposes nothing to record; run `mlpath placement` again")
    recorded = placement_store.skip_with_reason(s.conn, s.pack, result.to_record, REASON, now or clock.utcnow())
    statuses = queries.statuses(s.conn, s.pack)
    topics = tuple(replace(t, status=statuses.get(t.id, "not_started")) for t in result.topics)
    return replace(result, topics=topics, recorded=tuple(recorded))
