"""Quiz commands: `quiz TOPIC|AREA` and `review`."""


import sys
from typing import Annotated

import typer

from mlpath.app.session import topic_ids_of
from mlpath.cli import render as r
from mlpath.cli.common import TargetArg, session

SelfGrade = Annotated[bool, typer.Option("--self-grade", help="After a right answer, grade yourself Hard/Good/Easy.")]


def _ui():
    from mlpath.cli.prompts import LineUI, TerminalUI

    if sys.stdin.isatty() and sys.stdout.isatty():
        return TerminalUI(), True
    return LineUI(), False


def _run(s, items, self_grade: bool, empty_message: str) -> None:
    if not items:
        r.line(empty_message)
        return
    ui, terminal = _ui()
    from mlpath.app import quiz as quizzing

    result = quizzing.run_quiz(s, items, ui, self_grade=self_grade, retries=terminal)
    _summary(result)


def _summary(result) -> None:
    from mlpath.cli.prompts import when
    from mlpath.clock import utcnow

    if result.stopped:
        r.line("\nInput ended: quiz stopped. Every answer given is saved.")
    r.line(f"\nDone: {result.answered} answered, {result.right} right, {result.wrong} wrong"
           + (f" ({result.invalid} invalid answers counted as wrong)" if result.invalid else "") + ".")
    if result.items:
        from collections import Counter
        from datetime import datetime

        now = utcnow()
        buckets = Counter(when(datetime.fromisoformat(i["due"]), now).split(" (")[0] for i in
                          sorted(result.items, key=lambda i: i["due"]))
        r.line("Next reviews: " + ", ".join(f"{n} {label}" for label, n in buckets.items()) + ".")
        refreshed = list(dict.fromkeys(t for i in result.items for t in i.get("refreshed", ())))
        if refreshed:
            r.line("Also refreshed: " + ", ".join(refreshed) + ".")


def quiz(
    target: TargetArg,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many questions.")] = 20,
    new: Annotated[int, typer.Option("--new", min=0, help="At most this many new (unseen) questions.")] = 10,
    self_grade: SelfGrade = False,
) -> None:
    """Quiz yourself on a topic or a whole area: due cards first, then new ones."""
    with session() as s:
        label, topic_ids = topic_ids_of(s, target)
        from mlpath.app import quiz as quizzing

        items = quizzing.quiz_queue(s, topic_ids, limit, new)
        total = sum(s.roadmap.by_id[t].questions for t in topic_ids)
        msg = (f"Nothing due and no new questions for {label}." if total
               else f"{label} has no questions yet.") + " Come back later, or try `mlpath review`."
        _run(s, items, self_grade, msg)


def review(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many reviews.")] = 100,
    self_grade: SelfGrade = False,
) -> None:
    """Every card due now across the roadmap, most overdue first: the daily habit."""
    with session() as s:
        from mlpath.app import quiz as quizzing

        items = quizzing.quiz_queue(s, None, limit, 0)
        from mlpath.app.hints import optimize_hint

        hint = optimize_hint(s)
        if hint:
            r.note(hint)
        _run(s, items, self_grade, "No reviews due. Learn something new with `mlpath next` and `mlpath quiz TOPIC`.")


def register(app: typer.Typer) -> None:
    app.command()(quiz)
    app.command()(review)
