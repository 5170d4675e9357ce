"""Quiz front-ends: questionary on a terminal, one answer per line when stdin is not a terminal."""

from __future__ import annotations

import string
import sys
from datetime import datetime, timedelta

from mlpath.cli import render as r
from mlpath.core.grading import MAX_ANSWER, RATING_NAMES, parse_bool, parse_number
from mlpath.core.questions import Presented
from mlpath.app.quiz import EndOfInput, Response

LETTERS = string.ascii_lowercase
DONT_KNOW = "?"  # typed (or pressed) for "I don't know"
SHOWN = 60  # characters of an invalid answer echoed back


def _local_date(t: datetime):
    try:
        return t.astimezone().date()
    except (OverflowError, ValueError, OSError):
        return t.date()


def when(due: datetime | None, now: datetime) -> str:
    """When a card comes back, in plain words: "later in this quiz", "in 10 min", "tomorrow", "in 4 days"."""
    if due is None:
        return "later in this quiz"
    minutes = (due - now).total_seconds() / 60
    days = (_local_date(due) - _local_date(now)).days
    if days <= 0:
        if minutes < 60:
            return f"in {max(1, round(minutes))} min"
        return f"in {round(minutes / 60)} h" if minutes < 60 * 3 else "later today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 review``, ``2 reviews``."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def _is_number(text: str) -> bool:
    return parse_number(text) is not None


def _option_index(token: str, options: list[str]) -> int | None:
    """An option's letter (a, b, ...), its exact text, or its number where no option is itself a number."""
    t = token.strip().lower().rstrip(").")
    if len(t) == 1 and t in LETTERS[: len(options)]:
        return LETTERS.index(t)
    for i, o in enumerate(options):
        if o.strip().lower() == token.strip().lower():
            return i
    if t.isdigit() and 1 <= int(t) <= len(options) and not any(_is_number(o) for o in options):
        return int(t) - 1
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
        "choice": "type the option's letter or its text",
        "multi": "type every correct option's letter, separated by commas",
        "true_false": "type y or n",
        "numeric": "type a number (0.5, 1/2 and 5e-1 all work)",
        "vector": "type the numbers separated by commas",
        "text": "type a word or short phrase",
    }.get(p.answer_kind, "")



def _shown(raw: str) -> str:
    """An answer echoed back: bounded, and with no control characters."""
    text = "".join(ch if ch.isprintable() else "?" for ch in raw[:SHOWN])
    return repr(text + ("..." if len(raw) > SHOWN else ""))


class LineUI:
    """Plain text; reads one answer per line from a stream. An invalid line counts as wrong (said in the output).

    Lines are read as bytes and decoded as UTF-8 with replacement, so a line that is not UTF-8 is an invalid answer
    and the quiz goes on; a line longer than MAX_ANSWER characters is invalid too (and never held whole)."""

    def __init__(self, stream=None, now=None):
        self.stream = stream if stream is not None else sys.stdin
        self.now = now

    def _read(self) -> str:
        stream = getattr(self.stream, "buffer", self.stream)
        if stream is None:  # no stdin at all (`mlpath quiz <&-`)
            raise EndOfInput
        try:
            line = stream.readline(4 * MAX_ANSWER + 8)
        except (OSError, ValueError):  # a closed or unreadable stdin ends the quiz
            raise EndOfInput from None
        if not line:
            raise EndOfInput
        too_long = not line.endswith(b"\n" if isinstance(line, bytes) else "\n")
        while too_long:  # skip the rest of an overlong line
            more = stream.readline(4 * MAX_ANSWER + 8)
            if not more or more.endswith(b"\n" if isinstance(more, bytes) else "\n"):
                break
        if isinstance(line, bytes):
            line = line.decode("utf-8", errors="replace")
        line = line.rstrip("\r\n")
        if too_long and len(line) <= MAX_ANSWER:
            line += "…" * (MAX_ANSWER + 1 - len(line))  # only its length matters now: it is refused
        return line

    def question(self, number: int, total: int, p: Presented, topic_title: str) -> None:
        r.line(f"\n[{number}/{total}] {topic_title} ({p.id})")
        r.line(p.prompt.rstrip())
        for i, o in enumerate(p.options):
            r.line(f"  {LETTERS[i]}) {o}")
        if p.kind == "true_false":
            r.line("  (true or false? y/n)")
        if p.unit:
            r.line(f"  (unit: {p.unit})")
        sys.stdout.flush()

    def answer(self, p: Presented) -> Response:
        raw = self._read()
        if raw.strip() == DONT_KNOW:
            return Response(None, raw, dont_know=True)
        if "\ufffd" in raw:  # not UTF-8: never a valid answer
            return Response(None, raw)
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
        r.line(f"not a grade ({_shown(raw)}): counted as {RATING_NAMES[lo if lo == 1 else 3]}")
        return 1 if lo == 1 else 3

    def invalid(self, p: Presented, raw: str) -> None:
        r.line(f"not a valid answer ({_shown(raw)}; {hint(p)}, or ? if you don't know): counted as wrong")

    def graded(self, p: Presented, how: str) -> None:
        if how == "typo":
            r.line(f"accepted with a small typo (the spelling: {p.expected}); graded Hard")
        elif how == "dont_know":
            self._no_guess = True

    def feedback(self, p: Presented, correct: bool, rating: int, due: datetime | None, saved: bool) -> None:
        from mlpath.clock import utcnow

        nxt = when(due, self.now or utcnow())
        if correct:
            r.line(f"correct. saved; next review {nxt}")
        else:
            no_guess, self._no_guess = getattr(self, "_no_guess", False), False
            r.line(f"no guess (counted as Again). The answer: {p.expected}" if no_guess
                   else f"wrong. The answer: {p.expected}")
            if p.explanation:
                r.line(f"  {p.explanation.strip()}")
            r.line(f"saved; next review {nxt}")
        sys.stdout.flush()


class TerminalUI(LineUI):
    """questionary prompts: keys for choices (a letter or number per option, y/n, ? for "I don't know", 1-4 for
    grades), text input otherwise. An invalid answer is asked again."""

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

    def _keys(self, message: str, choices: list, default=None, extra: dict | None = None):
        """A select list where each choice's shortcut key answers at once (Enter takes the highlighted one);
        ``extra`` maps more keys (such as ?) to answers."""
        import questionary

        q = questionary.select(message, choices=choices, default=default, use_shortcuts=True, use_jk_keys=False,
                               instruction="(press a key, or use the arrows and Enter)")
        bindings = q.application.key_bindings
        keys = {c.shortcut_key: c.value for c in choices if isinstance(c, questionary.Choice) and c.shortcut_key}
        for key, value in {**keys, **(extra or {})}.items():
            bindings.add(key, eager=True)(lambda event, v=value: event.app.exit(result=v))
        return self._ask(q)

    def answer(self, p: Presented) -> Response:
        import questionary

        kind = p.answer_kind
        unsure = questionary.Choice("I don't know (press ?)", value=DONT_KNOW, shortcut_key=False)
        dont_know = {DONT_KNOW: DONT_KNOW}
        if kind == "choice":
            keys = [str(i + 1) for i in range(len(p.options))] if len(p.options) <= 9 else list(LETTERS)
            choices = [questionary.Choice(o, value=o, shortcut_key=k) for o, k in zip(p.options, keys)]
            value = self._keys("Your answer:", choices + [unsure], extra=dont_know)
            if value == DONT_KNOW:
                return Response(None, DONT_KNOW, dont_know=True)
            return Response(value, value)
        if kind == "multi":
            q = questionary.checkbox("Select all that apply (space to tick, enter to confirm, ? if you don't know):",
                                     choices=p.options)
            q.application.key_bindings.add("?", eager=True)(lambda event: event.app.exit(result=DONT_KNOW))
            value = self._ask(q)
            if value == DONT_KNOW:
                return Response(None, DONT_KNOW, dont_know=True)
            return Response(value or None, ", ".join(value))
        if kind == "true_false":
            value = self._keys("True or false?", [questionary.Choice("True", value="True", shortcut_key="y"),
                                                  questionary.Choice("False", value="False", shortcut_key="n"),
                                                  unsure], extra=dont_know)
            if value == DONT_KNOW:
                return Response(None, DONT_KNOW, dont_know=True)
            return Response(value == "True", value)
        raw = self._ask(questionary.text(f"Your answer ({hint(p)}; ? if you don't know):"))
        if raw.strip() == DONT_KNOW:
            return Response(None, raw, dont_know=True)
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

        choices = [questionary.Choice(RATING_NAMES[k], value=k, shortcut_key=str(k)) for k in allowed]
        return self._keys("How well did you know it?", choices, default=next(c for c in choices if c.value == 3))

    def override(self, p: Presented) -> bool:
        import questionary

        choices = [questionary.Choice("Go on", value=False, shortcut_key="g"),
                   questionary.Choice("I was right (count it as Good)", value=True, shortcut_key="r")]
        return bool(self._keys("", choices))

    def overridden(self, p: Presented, due: datetime) -> None:
        from mlpath.clock import utcnow

        r.out().print(f"[green]Counted as right (Good).[/] [dim]saved · next review {when(due, self.now or utcnow())}[/]")

    def invalid(self, p: Presented, raw: str) -> None:
        r.out().print(f"[yellow]That is not a valid answer ({hint(p)}). Try again.[/]")

    def graded(self, p: Presented, how: str) -> None:
        if how == "dont_know":
            self._no_guess = True
        if how == "typo":
            r.out().print(f"[yellow]Accepted with a small typo[/] (spelled: [bold]{r.esc(p.expected)}[/]); graded Hard.")

    def feedback(self, p: Presented, correct: bool, rating: int, due: datetime | None, saved: bool) -> None:
        from mlpath.clock import utcnow

        nxt = when(due, self.now or utcnow())
        if correct:
            r.out().print(f"[green]✓ correct[/] [dim]saved · next review {nxt}[/]")
        elif p.kind == "flashcard":
            r.out().print(f"[dim]saved as {RATING_NAMES[rating]} · next review {nxt}[/]")
        else:
            no_guess, self._no_guess = getattr(self, "_no_guess", False), False
            r.out().print(("[yellow]No guess[/] (counted as Again)." if no_guess else "[red]✗ wrong.[/]")
                          + f" The answer: [bold]{r.esc(p.expected)}[/]")
            if p.explanation:
                r.out().print(f"  {r.esc(p.explanation.strip())}")
            r.out().print(f"[dim]saved · next review {nxt}[/]")
