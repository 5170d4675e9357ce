"""`mlpath placement`: start where you are. An adaptive diagnostic asked through the quiz UI, then the proposed
placement, recorded only on confirmation."""


import contextlib
import sys
from typing import Annotated

import typer

from mlpath.cli import render as r
from mlpath.cli.common import AreaOpt, JsonOpt, session


class _DontKnowUI:
    """The quiz UI, plus what placement shows after "I don't know" (the answer, without calling it wrong)."""

    def __init__(self, ui):
        self._ui = ui

    def __getattr__(self, name):
        return getattr(self._ui, name)

    def dont_know(self, p, due) -> None:
        from mlpath.cli.prompts import when
        from mlpath.clock import utcnow

        r.line(f"not known. The answer: {p.expected}")
        if p.explanation:
            r.line(f"  {p.explanation.strip()}")
        r.line(f"saved; next review {when(due, utcnow())}")
        sys.stdout.flush()


def _ui(terminal: bool):
    from mlpath.cli.prompts import LineUI, TerminalUI

    return _DontKnowUI(TerminalUI() if terminal else LineUI())


def _show(result) -> None:
    if result.stopped:
        r.line(f"\nInput ended after {len(result.asked)} answer(s): placement stopped. Every answer given is saved; "
               "nothing is placed. Run `mlpath placement` again to place yourself.")
        return
    r.line(f"\nPlacement after {len(result.asked)} question(s): {result.count('correct')} right, "
           f"{result.count('wrong')} wrong, {result.count('dont_know')} not known.")
    titles = {t.id: t for t in result.topics}
    if result.known_by_area:
        r.line("You seem to know:")
        for area, ids in result.known_by_area.items():
            r.line(f"  {area}: " + ", ".join(ids))
    else:
        r.line("You seem to know: nothing yet in this part of the roadmap; start at the beginning.")
    if result.frontier:
        r.line("Start here (the frontier): " + ", ".join(
            f"{t} ({titles[t].title})" if t in titles else t for t in result.frontier))


def placement(
    area: AreaOpt = None,
    max_questions: Annotated[int, typer.Option("--max-questions", "-n", help="Ask at most this many questions.")] = 25,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Record the proposed placement without asking.")] = False,
    json: JsonOpt = False,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed the choice and shuffling of questions.")] = None,
) -> None:
    """Start where you are: a short adaptive quiz.

    The topics it finds you know are then skipped (it asks first)."""
    terminal = sys.stdin.isatty() and sys.stdout.isatty()
    from mlpath.app import placement as use_case

    with session() as s:
        # with --json, stdout holds only the JSON: the questions go to stderr
        with contextlib.redirect_stdout(sys.stderr) if json else contextlib.nullcontext():
            result = use_case.run_placement(s, _ui(terminal), area=area, max_questions=max_questions, seed=seed,
                                            retries=terminal)
            _show(result)
            confirmed = False
            if not result.stopped and result.to_record:
                if yes:
                    confirmed = True
                elif terminal:
                    confirmed = typer.confirm(f"Record these {len(result.to_record)} topic(s) as skipped "
                                              "(placement)?", default=True)
                else:
                    r.line("Nothing recorded: run again with --yes to record the placement.")
            elif not result.stopped:
                r.line("Nothing new to record.")
            if confirmed:
                result = use_case.record_placement(s, result)
                r.line(f"Recorded {len(result.recorded)} topic(s) as skipped (placement). "
                       "`mlpath reset TOPIC` undoes any of them; `mlpath next` shows where to go.")
    if json:
        r.emit_json(result)


def register(app: typer.Typer) -> None:
    app.command()(placement)
