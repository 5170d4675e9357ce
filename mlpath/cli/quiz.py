"""Quiz commands: `quiz TOPIC|AREA` and `review`."""


import sys
from typing import Annotated

import typer

from mlpath.app.session import topic_ids_of
from mlpath.cli import render as r
from mlpath.cli.common import TargetArg, session

SelfGrade = Annotated[bool, typer.Option("--self-grade", help="After a right answer, grade yourself Hard/Good/Easy.")]
Seed = Annotated[int | None, typer.Option(
    "--seed", min=0, help="Show options (and generated numbers) in the same order on every run, e.g. to replay a "
                          "file of answers.")]


def _ui():
    from mlpath.cli.prompts import LineUI, TerminalUI

    if sys.stdin.isatty() and sys.stdout.isatty():
        return TerminalUI(), True
    return LineUI(), False


def _budget_note(plan, review: bool) -> None:
    from mlpath.cli.prompts import plural

    if not plan.budget_limited:
        return
    parts = []
    if plan.held_due:
        parts.append(plural(plan.held_due, "due review"))
    if plan.held_new:
        parts.append(plural(plan.held_new, "new question"))
    held = " and ".join(parts)
    verb = "waits" if (len(parts) == 1 and (plan.held_due or plan.held_new) == 1) else "wait"
    how = "`mlpath review -n N`" if review else "--limit N or --new N"
    r.line(f"Today's budget (daily_minutes, new_cards_per_day in config.toml) holds back {held}: {'it' if verb == 'waits' else 'they'} "
           f"{verb} for tomorrow; {how} takes more today.")


def _run(s, plan, self_grade: bool, empty_message: str, seed, review: bool) -> None:
    if not plan.items:
        if plan.budget_limited and plan.cards_left == 0:
            r.line("Today's reviews are done: your daily budget is used.")
            _budget_note(plan, review)
        else:
            r.line(empty_message)
            _budget_note(plan, review)
        return
    ui, terminal = _ui()
    from mlpath.app import quiz as quizzing

    result = quizzing.run_quiz(s, plan.items, ui, self_grade=self_grade, retries=terminal, seed=seed)
    _summary(result)
    if review:
        from mlpath.clock import utcnow
        from mlpath.cli.prompts import plural
        from mlpath.store import queries

        left = queries.due_count(s.conn, s.pack, utcnow())
        if left:
            r.line(f"{plural(left, 'more review')} due now: run `mlpath review` again.")
    _budget_note(plan, review)
    if result.interrupted:
        sys.stdout.flush()
        raise typer.Exit(130)  # the CLI boundary says "interrupted" on stderr


def _summary(result) -> None:
    from mlpath.cli.prompts import plural, when
    from mlpath.clock import utcnow

    if result.stopped:
        r.line("\nInput ended: quiz stopped. Every answer given is saved.")
    if result.interrupted:
        r.line("\nInterrupted: quiz stopped. Every answer given is saved.")
    extras = []
    if result.invalid:
        extras.append(f"{plural(result.invalid, 'invalid answer')} counted as wrong")
    if result.dont_know:
        extras.append(f"{result.dont_know} \"I don't know\"")
    if result.typos:
        extras.append(f"{plural(result.typos, 'typo')} accepted as Hard")
    if result.overridden:
        extras.append(f"{result.overridden} \"I was right\"")
    if result.repeated:
        extras.append(f"{plural(result.repeated, 'card')} asked again in this quiz")
    r.line(f"\nDone: {result.answered} answered, {result.right} right, {result.wrong} wrong"
           + (f" ({'; '.join(extras)})" if extras else "") + ".")
    if result.returns:
        from collections import Counter

        now = utcnow()
        order = sorted(result.returns.items(), key=lambda kv: kv[1])
        buckets = Counter(when(due, now) for _, due in order)
        r.line("Next reviews: " + ", ".join(f"{n} {label}" for label, n in buckets.items()) + ".")
        refreshed = list(dict.fromkeys(t for i in result.items for t in i.get("refreshed", ())))
        if refreshed:
            r.line("Also refreshed: " + ", ".join(refreshed) + ".")
        if len(order) <= 10:
            for qid, due in order:
                r.line(f"  {qid}: {when(due, now)}")


def _locked_note(s, topic_ids: list[str]) -> None:
    from mlpath.core import graph
    from mlpath.store import queries

    if len(topic_ids) != 1:
        return
    t = s.roadmap.by_id[topic_ids[0]]
    missing = graph.missing_prerequisites(t, queries.statuses(s.conn, s.pack))
    if missing:
        r.line(f"Note: {t.id} is locked: {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not done yet. "
               "The quiz goes on; `mlpath next` shows where to start.")


def quiz(
    target: TargetArg,
    limit: Annotated[int | None, typer.Option(
        "--limit", "-n", min=1, help="At most this many questions [default: 20, within today's budget].",
        show_default=False)] = None,
    new: Annotated[int | None, typer.Option(
        "--new", min=0, help="At most this many new (unseen) questions [default: 10, within new_cards_per_day].",
        show_default=False)] = None,
    self_grade: SelfGrade = False,
    seed: Seed = None,
) -> None:
    """Quiz yourself on a topic or an area.

    Due cards come first, then new ones. Missed and new cards come back later in the same quiz until they are learned (learning_steps in config.toml).
    Without --limit and --new, the daily budget (daily_minutes, new_cards_per_day) caps the quiz. In a pipe, type
    an option's letter (or its exact text), y/n, a number or a word, and ? for "I don't know".
    """
    with session() as s:
        label, topic_ids = topic_ids_of(s, target)
        from mlpath.app import quiz as quizzing

        _locked_note(s, topic_ids)
        plan = quizzing.plan_quiz(s, topic_ids, limit, new)
        total = sum(s.roadmap.by_id[t].questions for t in topic_ids)
        msg = (f"Nothing due and no new questions for {label}." if total
               else f"{label} has no questions yet.") + " Come back later, or try `mlpath review`."
        _run(s, plan, self_grade, msg, seed, review=False)


def review(
    limit: Annotated[int | None, typer.Option(
        "--limit", "-n", min=1, help="At most this many reviews [default: what fits in today's budget].",
        show_default=False)] = None,
    self_grade: SelfGrade = False,
    seed: Seed = None,
) -> None:
    """Review the cards due now, most overdue first.

    Without --limit, the daily budget (daily_minutes in config.toml) caps the session and says what it holds back.
    """
    with session() as s:
        from mlpath.app import quiz as quizzing

        plan = quizzing.plan_quiz(s, None, limit, 0, default_limit=quizzing.DEFAULT_REVIEW)
        from mlpath.app.hints import optimize_hint

        hint = optimize_hint(s)
        if hint:
            r.note(hint)
        _run(s, plan, self_grade, "No reviews due. Learn something new with `mlpath next` and `mlpath quiz TOPIC`.",
             seed, review=True)


def register(app: typer.Typer) -> None:
    app.command()(quiz)
    app.command()(review)
