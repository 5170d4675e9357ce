"""Quiz use cases: building the queue of due and new cards, and the answer loop that commits each answer at once.

Imported only by the commands that quiz, so the read commands never load the scheduler or the question kinds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from mlpath import clock
from mlpath.app.session import Session
from mlpath.errors import InvalidValue
from mlpath.store import queries

if TYPE_CHECKING:
    from mlpath.core import scheduling
    from mlpath.core.questions import Presented


MAX_QUEUE = 100_000


@dataclass
class QuizItem:
    question: dict
    card: queries.StoredCard | None


def quiz_queue(s: Session, topic_ids: list[str] | None, limit: int, new: int) -> list[QuizItem]:
    """Due cards first (most overdue first), then up to ``new`` unseen questions; ``limit`` in all."""
    if limit < 1:
        raise InvalidValue("limit", "must be at least 1")
    if new < 0:
        raise InvalidValue("new", "must be at least 0")
    limit, new = min(limit, MAX_QUEUE), min(new, MAX_QUEUE)  # more than any bank holds; keeps SQLite ints in range
    items = [QuizItem(json.loads(data), card) for card, data in queries.due_cards(s.conn, s.now, topic_ids, limit)]
    room = min(new, limit - len(items))
    if room > 0 and topic_ids:
        items += [QuizItem(json.loads(d), None) for d in queries.new_questions(s.conn, topic_ids, room)]
    from mlpath.app import credit  # issue 11: probes first, deeper topics first (with implicit credit on)

    return credit.arrange(s, items, topic_ids, limit, QuizItem)


class EndOfInput(Exception):
    """The learner's input ended (EOF or Ctrl-D): stop the quiz, keeping every answer given."""


@dataclass
class Response:
    value: Any  # option text / list of texts / bool / str; None when the input was not a valid answer
    raw: str
    self_grade: int | None = None


class QuizUI(Protocol):
    def question(self, number: int, total: int, p: Presented, topic_title: str) -> None: ...
    def answer(self, p: Presented) -> Response: ...
    def reveal(self, p: Presented) -> int: ...
    def self_grade(self) -> int: ...
    def invalid(self, p: Presented, raw: str) -> None: ...
    def feedback(self, p: Presented, correct: bool, rating: int, due: datetime, saved: bool) -> None: ...


@dataclass
class QuizResult:
    answered: int = 0
    right: int = 0
    wrong: int = 0
    invalid: int = 0
    stopped: bool = False
    items: list[dict[str, Any]] = field(default_factory=list)


def answer_question(s: Session, item: QuizItem, p: "Presented", *, correct: bool | None, rating: int, answer: str,
                    response_ms: int, now: datetime, retention: float) -> "scheduling.CardState":
    """Schedule the card with FSRS and commit the answer before anything else happens."""
    from mlpath.core import scheduling

    before = item.card.state if item.card else scheduling.new_card(now)
    after = scheduling.review(before, rating, now, response_ms, retention, parameters=s.parameters)
    queries.record_review(s.conn, question_id=p.id, topic_id=p.topic, before=item.card.state if item.card else None,
                          after=after, now=now, rating=rating, correct=correct, answer=answer,
                          response_ms=response_ms, seed=p.seed if p.kind == "generated" else None)
    return after


def run_quiz(s: Session, items: list[QuizItem], ui: QuizUI, *, self_grade: bool = False,
             retries: bool = True, clock: Callable[[], datetime] = clock.utcnow) -> QuizResult:
    """Ask each item; commit each answer the moment it is given. ``retries``: ask again after an invalid answer
    (on a terminal); otherwise an invalid answer counts as wrong (in a pipe)."""
    import secrets
    import time

    from mlpath.core import grading
    from mlpath.core.questions import check, present

    retention = s.settings.desired_retention
    result = QuizResult()
    for number, item in enumerate(items, 1):
        p = present(item.question, secrets.randbits(31))
        title = s.roadmap.by_id[p.topic].title if p.topic in s.roadmap.by_id else p.topic
        try:
            ui.question(number, len(items), p, title)
            started = time.monotonic()
            if p.kind == "flashcard":
                rating = ui.reveal(p)
                correct, raw = rating > grading.AGAIN, str(rating)
            else:
                while True:
                    response = ui.answer(p)
                    correct = check(p, response.value) if response.value is not None else None
                    if correct is not None:
                        break
                    ui.invalid(p, response.raw)
                    if not retries:
                        result.invalid += 1
                        correct = False
                        break
                raw = response.raw
                grade = ui.self_grade() if (self_grade and correct) else None
                rating = grading.rating_for(correct, grade)
        except EndOfInput:
            result.stopped = True
            break
        elapsed = int((time.monotonic() - started) * 1000)
        now = clock()
        after = answer_question(s, item, p, correct=correct, rating=rating, answer=raw, response_ms=elapsed,
                                now=now, retention=retention)
        from mlpath.app import credit  # issue 11: mastery evidence; implicit credit, probes, calibration

        extra = credit.after_answer(s, p.id, p.topic, item.card.state if item.card else None, after, rating, now)
        result.answered += 1
        result.right += bool(correct)
        result.wrong += not correct
        result.items.append({"id": p.id, "topic": p.topic, "correct": bool(correct), "rating": rating,
                             "due": after.due.isoformat(), "refreshed": list(extra.refreshed)})
        ui.feedback(p, bool(correct), rating, after.due, True)
    return result
