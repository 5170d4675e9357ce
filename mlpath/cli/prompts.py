"""Quiz front-ends: questionary on a terminal, one answer per line when stdin is not a terminal."""

from __future__ import annotations

import string
import sys
from datetime import datetime

from mlpath.cli import render as r
from mlpath.core.grading import RATING_NAMES, parse_bool
from mlpath.core.questions import Presented
from mlpath.app.quiz import EndOfInput, Response

LETTERS = string.ascii_lowercase


def when(due: datetime, now: datetime) -> str:
    delta = due - now
    minutes = delta.total_seconds() / 60
    if minutes < 60:
        return f"in {max(1, round(minutes))} min"
    if minutes < 60 * 24:
        return f"in {round(minutes / 60)} h"
    days = round(minutes / 60 / 24)
    return f"in {days} day{'s' if days != 1 else ''} ({due.date().isoformat()})"


def _option_index(token: str, options: list[str]) -> int | None:
    t = token.strip().lower().rstrip(").")
    if t.isdigit() and 1 <= int(t) <= len(options):
        return int(t) - 1
    if len(t) == 1 and t in LETTERS[: len(options)]:
        return LETTERS.index(t)
    for i, o in enumerate(options):
        if o.strip().lower() == token.strip().lower():
            return i
    return None


def parse_line(p: Presented, line: str):
    """A typed line -> the response value for ``p``'s kind, or None when it is not a valid answer."""
    kind = p.answer_kind
    text = line.strip()
    if not text:
        return None
    if kind == "choice":
        i = _option_index(text, p.options)
        return None if i is None else p.options[i]
    if kind == "multi":
        picks = [_option_index(tok, p.options) for tok in text.replace(";", ",").split(",") if tok.strip()]
        if not picks or any(i is None for i in picks):
            return None
        return sorted({p.options[i] for i in picks}, key=p.options.index)
    if kind == "true_false":
        return parse_bool(text)
    return text


def hint(p: Presented) -> str:
    return {
        "choice": "type the option's number or letter",
        "multi": "type every correct option's number or letter, separated by commas",
        "true_false": "type y or n",
        "numeric": "type a number (0.5, 1/2 and 5e-1 all work)",
        "vector": "type the numbers separated by commas",
        "text": "type a word or short phrase",
    }.get(p.answer_kind, "")


class LineUI:
    """Plain text; reads one answer per line from a stream. An invalid line counts as wrong (said in the output)."""

    def __init__(self, stream=None, now=None):
        self.stream = stream or sys.stdin
        self.now = now

    def _read(self) -> str:
        line = self.stream.readline()
        if not line:
            raise EndOfInput
        return line.rstrip("\n")

    def question(self, number: int, total: int, p: Presented, topic_title: str) -> None:
        r.line(f"\n[{number}/{total}] {topic_title} ({p.id})")
        r.line(p.prompt.rstrip())
        for i, o in enumerate(p.options):
            r.line(f"  {i + 1}) {o}")
        if p.kind == "true_false":
            r.line("  (true or false? y/n)")
        if p.unit:
            r.line(f"  (unit: {p.unit})")
        sys.stdout.flush()

    def answer(self, p: Presented) -> Response:
        raw = self._read()
        return Response(parse_line(p, raw), raw)

    def reveal(self, p: Presented) -> int:
        r.line(f"Answer: {p.expected}")
        return self.self_grade(allow_again=True)

    def self_grade(self, allow_again: bool = False) -> int:
        lo = 1 if allow_again else 2
        r.line("How well did you know it? " + ", ".join(f"{k}={RATING_NAMES[k]}" for k in range(lo, 5)))
        sys.stdout.flush()
        raw = self._read().strip()
        if raw.isdigit() and lo <= int(raw) <= 4:
            return int(raw)
        r.line(f"not a grade ({raw!r}): counted as {RATING_NAMES[lo if lo == 1 else 3]}")
        return 1 if lo == 1 else 3

    def invalid(self, p: Presented, raw: str) -> None:
        r.line(f"not a valid answer ({raw!r}; {hint(p)}): counted as wrong")

    def feedback(self, p: Presented, correct: bool, rating: int, due: datetime, saved: bool) -> None:
        from mlpath.clock import utcnow

        nxt = when(due, self.now or utcnow())
        if correct:
            r.line(f"correct. saved; next review {nxt}")
        else:
            r.line(f"wrong. The answer: {p.expected}")
            if p.explanation:
                r.line(f"  {p.explanation.strip()}")
            r.line(f"saved; next review {nxt}")
        sys.stdout.flush()


class TerminalUI(LineUI):
    """questionary prompts: select lists for choices, text input otherwise. An invalid answer is asked again."""

    def question(self, number: int, total: int, p: Presented, topic_title: str) -> None:
        r.out().print(f"\n[dim][{number}/{total}] {r.esc(topic_title)} ({p.id})[/]")
        r.out().print(f"[bold]{r.esc(p.prompt.rstrip())}[/]")

    def _ask(self, question):
        try:
            value = question.unsafe_ask()
        except EOFError:
            raise EndOfInput from None
        if value is None:
            raise EndOfInput
        return value

    def answer(self, p: Presented) -> Response:
        import questionary

        kind = p.answer_kind
        if kind == "choice":
            value = self._ask(questionary.select("Your answer:", choices=p.options))
            return Response(value, value)
        if kind == "multi":
            value = self._ask(questionary.checkbox("Select all that apply (space to tick, enter to confirm):",
                                                   choices=p.options))
            return Response(value or None, ", ".join(value))
        if kind == "true_false":
            value = self._ask(questionary.select("True or false?", choices=["True", "False"]))
            return Response(value == "True", value)
        raw = self._ask(questionary.text(f"Your answer ({hint(p)}):"))
        return Response(parse_line(p, raw), raw)

    def reveal(self, p: Presented) -> int:
        import questionary

        self._ask(questionary.text("Think of the answer, then press Enter to reveal it."))
        r.out().print(f"[bold green]Answer:[/] {r.esc(p.expected)}")
        return self._grade([1, 2, 3, 4])

    def self_grade(self, allow_again: bool = False) -> int:
        return self._grade([1, 2, 3, 4] if allow_again else [2, 3, 4])

    def _grade(self, allowed: list[int]) -> int:
        import questionary

        choices = [questionary.Choice(f"{k} {RATING_NAMES[k]}", value=k) for k in allowed]
        return self._ask(questionary.select("How well did you know it?", choices=choices,
                                            default=next(c for c in choices if c.value == 3)))

    def invalid(self, p: Presented, raw: str) -> None:
        r.out().print(f"[yellow]That is not a valid answer ({hint(p)}). Try again.[/]")

    def feedback(self, p: Presented, correct: bool, rating: int, due: datetime, saved: bool) -> None:
        from mlpath.clock import utcnow

        nxt = when(due, self.now or utcnow())
        if correct:
            r.out().print(f"[green]✓ correct[/] [dim]saved · next review {nxt}[/]")
        else:
            r.out().print(f"[red]✗ wrong.[/] The answer: [bold]{r.esc(p.expected)}[/]")
            if p.explanation:
                r.out().print(f"  {r.esc(p.explanation.strip())}")
            r.out().print(f"[dim]saved · next review {nxt}[/]")
