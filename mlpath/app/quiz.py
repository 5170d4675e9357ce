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
    if limit is None or limit < 1:
        raise InvalidValue("limit", "must be at least 1")
    if new < 0:
        raise InvalidValue("new", "must be at least 0")
    limit, new = min(limit, MAX_QUEUE), min(new, MAX_QUEUE)  # more than any bank holds; keeps SQLite ints in range
    due = queries.due_cards(s.conn, s.pack, s.now, topic_ids, limit)
    items = [QuizItem(json.loads(data), card) for card, data in due]
    room = min(new, limit - len(items))
    if room > 0 and topic_ids:
        items += [QuizItem(json.loads(d), None) for d in queries.new_questions(s.conn, s.pack, topic_ids, room)]
    from mlpath.app import credit  # issue 11: probes first, deeper topics first (with implicit credit on)

    return credit.arrange(s, items, topic_ids, limit, QuizItem)


DEFAULT_QUIZ, DEFAULT_REVIEW, DEFAULT_NEW = 20, 100, 10


@dataclass(frozen=True)
class QuizPlan:
    """The cards of one quiz, and what the daily budget (or ``limit``) left out."""

    items: list[QuizItem]
    due: int  # cards due now in the quiz's scope
    held_due: int  # due cards not in this quiz
    held_new: int  # new questions the daily budget held back
    budget_limited: bool  # the budget, not an explicit limit, decided the size
    cards_left: int  # cards today's budget still allows (before this quiz)
    new_left: int  # new cards today's budget still allows (before this quiz)


def plan_quiz(s: Session, topic_ids: list[str] | None, limit: int | None, new: int | None,
              default_limit: int = DEFAULT_QUIZ, default_new: int = DEFAULT_NEW) -> QuizPlan:
    """The queue under the daily budget: ``limit``/``new`` given explicitly win; left out (None), the budget's
    cards left today (``daily_minutes`` at the learner's pace) and new cards left (``new_cards_per_day``) cap
    ``default_limit``/``default_new``."""
    from mlpath.app.today import budget

    b = budget(s)
    eff_limit = limit if limit is not None else min(default_limit, b.left)
    eff_new = new if new is not None else min(default_new, b.new_left)
    due = queries.due_count_in(s.conn, s.pack, s.now, topic_ids)
    items = quiz_queue(s, topic_ids, eff_limit, eff_new) if eff_limit > 0 else []
    shown_due = sum(1 for i in items if i.card is not None)
    held_new = 0
    if topic_ids and new is None and eff_new < default_new:
        room = max(0, min(default_new, eff_limit if limit is not None else default_limit) - shown_due)
        available = len(queries.new_questions(s.conn, s.pack, topic_ids, room)) if room else 0
        held_new = max(0, available - (len(items) - shown_due))
    held_due = due - shown_due
    limited = (limit is None and b.left < default_limit and held_due > 0) or held_new > 0
    return QuizPlan(items, due, held_due, held_new, limited,
                    b.left, b.new_left)


class EndOfInput(Exception):
    """The learner's input ended (EOF or Ctrl-D): stop the quiz, keeping every answer given."""


@dataclass
class Response:
    value: Any  # option text / list of texts / bool / str; None when the input was not a valid answer
    raw: str
    self_grade: int | None = None
    dont_know: bool = False  # "I don't know": show the answer, count it as Again, record no guess


class QuizUI(Protocol):
    def question(self, number: int, total: int, p: Presented, topic_title: str) -> None: ...
    def answer(self, p: Presented) -> Response: ...
    def reveal(self, p: Presented) -> int: ...
    def self_grade(self) -> int: ...
    def invalid(self, p: Presented, raw: str) -> None: ...
    def feedback(self, p: Presented, correct: bool, rating: int, due: datetime, saved: bool) -> None: ...
    # Optional: ``graded(p, how)`` is told "typo" or "dont_know" before the feedback; ``override(p)`` is asked after
    # a wrong answer and returns True for "I was right"; ``overridden(p, due)`` confirms it.


# Flags stored with a review (review.flag): how the answer was given.
DONT_KNOW, TYPO, OVERRIDDEN = "dont_know", "typo", "overridden"
MAX_SHOWINGS = 6  # a card is shown at most this often in one quiz, however often it is missed


@dataclass
class QuizResult:
    answered: int = 0
    right: int = 0
    wrong: int = 0
    invalid: int = 0
    dont_know: int = 0
    typos: int = 0
    overridden: int = 0
    repeated: int = 0  # showings of a card that came back within the quiz (learning steps)
    stopped: bool = False  # the input ended
    interrupted: bool = False  # Ctrl-C
    items: list[dict[str, Any]] = field(default_factory=list)
    returns: dict[str, datetime] = field(default_factory=dict)  # question id -> when it comes back (after the quiz)


def answer_question(s: Session, item: QuizItem, p: "Presented", *, correct: bool | None, rating: int, answer: str | None,
                    response_ms: int, now: datetime, retention: float,
                    flag: str | None = None) -> "scheduling.CardState":
    """Schedule the card with FSRS and commit the answer before anything else happens."""
    after, _review_id = _commit(s, item, p, correct=correct, rating=rating, answer=answer, response_ms=response_ms,
                                now=now, flag=flag)
    return after


def _steps(s: Session) -> dict[str, Any]:
    st = s.settings
    return {"desired_retention": st.desired_retention, "learning_steps": tuple(st.learning_steps),
            "relearning_steps": tuple(st.relearning_steps), "parameters": s.parameters}


def _commit(s: Session, item: QuizItem, p: "Presented", *, correct: bool | None, rating: int, answer: str | None,
            response_ms: int, now: datetime, flag: str | None) -> "tuple[scheduling.CardState, int]":
    from mlpath.core import scheduling

    import sqlite3

    from mlpath.core.grading import cap
    from mlpath.store.db import explain

    before = item.card.state if item.card else scheduling.new_card(now)
    after = scheduling.review(before, rating, now, response_ms, **_steps(s))
    try:
        review_id = queries.record_review(
            s.conn, s.pack, question_id=p.id, topic_id=p.topic, before=item.card.state if item.card else None,
            after=after, now=now, rating=rating, correct=correct, answer=cap(answer), response_ms=response_ms,
            seed=p.seed if p.kind == "generated" else None, flag=flag)
    except sqlite3.Error as e:
        raise explain(None, e, f"your answer to {p.id} was NOT saved") from None
    return after, review_id


def comes_back_in_session(after: "scheduling.CardState", now: datetime) -> bool:
    """A card still in its (re)learning steps, due again within a day, is asked again later in the same quiz
    (as Anki's learning steps do) instead of "in 10 min" after the quiz has ended."""
    from datetime import timedelta

    from mlpath.core.srs import Phase

    return after.state != Phase.REVIEW and after.due - now < timedelta(days=1)


def question_seed(seed: int | None, question_id: str, showing: int) -> int:
    """The seed of one showing: random, or, with a quiz ``seed``, the same on every run (replayable pipes)."""
    if seed is None:
        import secrets

        return secrets.randbits(31)
    import zlib

    return zlib.crc32(f"{seed}#{question_id}#{showing}".encode()) & 0x7FFFFFFF


def run_quiz(s: Session, items: list[QuizItem], ui: QuizUI, *, self_grade: bool = False,
             retries: bool = True, clock: Callable[[], datetime] = clock.utcnow, seed: int | None = None,
             learning_steps: bool = True) -> QuizResult:
    """Ask each item; commit each answer the moment it is given. ``retries``: ask again after an invalid answer
    (on a terminal); otherwise an invalid answer counts as wrong (in a pipe). A card left in its learning steps
    comes back after ``settings.requeue_after`` other cards (``learning_steps=False``: never). Ctrl-C ends the quiz
    (``interrupted``) with every answer given so far saved."""
    import time

    from mlpath.core import grading
    from mlpath.core.questions import check, present

    result = QuizResult()
    queue = list(items)
    showings: dict[str, int] = {}
    number = 0
    while queue:
        item = queue.pop(0)
        number += 1
        qid = item.question["id"]
        showings[qid] = showings.get(qid, 0) + 1
        flag: str | None = None
        answer: str | None
        try:
            p = present(item.question, question_seed(seed, qid, showings[qid]))  # (a generator may take a moment)
            title = s.roadmap.by_id[p.topic].title if p.topic in s.roadmap.by_id else p.topic
            if showings[qid] > 1:
                result.repeated += 1
            ui.question(number, number + len(queue), p, title)
            started = time.monotonic()
            if p.kind == "flashcard":
                rating = ui.reveal(p)
                correct, answer = rating > grading.AGAIN, str(rating)
            else:
                while True:
                    response = ui.answer(p)
                    if len(response.raw) > grading.MAX_ANSWER:
                        response = Response(None, response.raw[:grading.MAX_ANSWER])
                    if response.dont_know:
                        correct = False
                        break
                    correct = check(p, response.value) if response.value is not None else None
                    if correct is False and p.answer_kind == "text" \
                            and grading.text_match(str(response.value), p.answer) == "typo":
                        correct, flag = True, TYPO
                    if correct is not None:
                        break
                    ui.invalid(p, response.raw)
                    if not retries:
                        result.invalid += 1
                        correct = False
                        break
                if response.dont_know:
                    answer, flag, rating = None, DONT_KNOW, grading.AGAIN
                else:
                    answer = response.raw
                    if flag == TYPO:
                        rating = grading.HARD
                    else:
                        grade = ui.self_grade() if (self_grade and correct) else None
                        rating = grading.rating_for(correct, grade)
        except EndOfInput:
            result.stopped = True
            break
        except KeyboardInterrupt:
            result.interrupted = True
            break
        elapsed = int((time.monotonic() - started) * 1000)
        now = clock()
        after, review_id = _commit(s, item, p, correct=correct, rating=rating, answer=answer, response_ms=elapsed,
                                   now=now, flag=flag)
        # counted as soon as it is saved, so that a Ctrl-C from here on still reports it
        result.answered += 1
        result.right += bool(correct)
        result.wrong += not correct
        result.dont_know += flag == DONT_KNOW
        result.typos += flag == TYPO
        entry = {"id": p.id, "topic": p.topic, "correct": bool(correct), "rating": rating, "due": after.due.isoformat(),
                 "flag": flag, "refreshed": []}
        result.items.append(entry)
        from mlpath.app import credit  # issue 11: mastery evidence; implicit credit, probes, calibration

        try:
            extra = credit.after_answer(s, p.id, p.topic, item.card.state if item.card else None, after, rating, now)
        except KeyboardInterrupt:  # its own transaction rolled back; the answer is saved
            result.interrupted = True
            break
        entry["refreshed"] = list(extra.refreshed)
        def again(state) -> bool:
            return learning_steps and showings[qid] < MAX_SHOWINGS and comes_back_in_session(state, now)

        try:
            if flag and hasattr(ui, "graded"):
                ui.graded(p, flag)
            ui.feedback(p, bool(correct), rating, None if again(after) else after.due, True)  # None: in this quiz
            if not correct and flag is None and p.kind != "flashcard" and hasattr(ui, "override") and ui.override(p):
                after = _override(s, item, review_id, now, elapsed)
                result.right, result.wrong, result.overridden = result.right + 1, result.wrong - 1, \
                    result.overridden + 1
                entry.update(correct=True, rating=int(grading.GOOD), due=after.due.isoformat(), flag=OVERRIDDEN)
                if hasattr(ui, "overridden"):
                    ui.overridden(p, None if again(after) else after.due)
        except EndOfInput:
            result.stopped = True
        except KeyboardInterrupt:
            result.interrupted = True
        result.returns[qid] = after.due
        if result.stopped or result.interrupted:
            break
        if again(after):
            state = queries.StoredCard(item.card.id if item.card else 0, qid, after, 0, 0)
            queue.insert(min(s.settings.requeue_after, len(queue)), QuizItem(item.question, state))
    return result


def _override(s: Session, item: QuizItem, review_id: int, now: datetime, elapsed: int) -> "scheduling.CardState":
    """"I was right": the answer just saved becomes Good (flag "overridden"), rescheduled from the card's state
    before it."""
    from mlpath.core import grading, scheduling

    before = item.card.state if item.card else scheduling.new_card(now)
    after = scheduling.review(before, grading.GOOD, now, elapsed, **_steps(s))
    queries.override_review(s.conn, review_id, item.card.state if item.card else None, after, grading.GOOD)
    return after
