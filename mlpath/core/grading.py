"""Answer parsing and grading: a learner's answer -> correct or not -> an FSRS rating (1-4)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal
from enum import Enum
from fractions import Fraction

from mlpath.core.srs import Rating

AGAIN, HARD, GOOD, EASY = Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY
RATING_NAMES = {r: r.label for r in Rating}

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
MAX_ANSWER = 1000  # characters of an answer that are graded and stored; the rest is cut off
MAX_EXPONENT = 1000  # 1e999999999 would take Fraction minutes to expand: beyond this it is only too big or 0


def cap(answer: str | None) -> str | None:
    """An answer as graded and stored: at most ``MAX_ANSWER`` characters (None, no answer given, stays None)."""
    return None if answer is None else answer[:MAX_ANSWER]


def _fraction(token: str) -> Fraction:
    exponent = _NUMBER.fullmatch(token).group(3)  # type: ignore[union-attr]
    if exponent is not None:
        e = int(exponent[1:])
        if e > MAX_EXPONENT:
            raise OverflowError(token)
        if e < -MAX_EXPONENT:
            return Fraction(0)
    return Fraction(token)
_TRUE = {"y", "yes", "t", "true", "1"}
_FALSE = {"n", "no", "f", "false", "0"}


def parse_number(text: str) -> float | None:
    """Parse '0.5', '1/2', '5e-1', '-3', '50%', ' 2 ' and unicode minus; None when it is not a number."""
    if len(text) > MAX_ANSWER:
        return None
    s = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-").replace(" ", "")
    if not s:
        return None
    percent = s.endswith("%")
    if percent:
        s = s[:-1]
    try:
        if "/" in s:
            num, _, den = s.partition("/")
            if not (_NUMBER.fullmatch(num) and _NUMBER.fullmatch(den)):
                return None
            d = _fraction(den)
            if d == 0:
                return None
            value = _fraction(num) / d
        elif _NUMBER.fullmatch(s):
            value = _fraction(s)
        else:
            return None
        result = float(value / 100 if percent else value)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return result if math.isfinite(result) else None


def parse_vector(text: str) -> tuple[float, ...] | None:
    """Parse '3, -2', '[3 -2]', '(3; -2)' into numbers; None if any part is not a number."""
    s = cap(text).strip().strip("[]()")
    parts = [p for p in re.split(r"[,;\s]+", s) if p]
    if not parts:
        return None
    values = [parse_number(p) for p in parts]
    if any(v is None for v in values):
        return None
    return tuple(values)  # type: ignore[arg-type]


def parse_bool(text: str) -> bool | None:
    s = cap(text).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    return None


def normalise_text(text: str) -> str:
    """Fold case, accents-compatible forms, punctuation and white space, for comparing typed answers."""
    s = unicodedata.normalize("NFKC", cap(text)).casefold()
    s = "".join(ch if ch.isalnum() else " " for ch in s)
    return " ".join(s.split())


def within(value: float, expected: float, tolerance: float = 0.0, rel_tolerance: float = 0.0) -> bool:
    tol = max(tolerance, rel_tolerance * abs(expected), 1e-9)
    return abs(value - expected) <= tol


def grade_numeric(text: str, expected: float, tolerance: float = 0.0, rel_tolerance: float = 0.0) -> bool | None:
    """True/False, or None when the text is not a number at all."""
    value = parse_number(text)
    if value is None:
        return None
    return within(value, expected, tolerance, rel_tolerance)


class Rounding(Enum):
    EXACT = "exact"
    DECIMALS = "decimals"
    SIG_FIGS = "sig_figs"


@dataclass(frozen=True)
class Precision:
    """How a numeric answer is asked for and graded: exactly, to n decimal places, or to n significant figures.

    The one rounding policy: the prompt states the precision, and a typed answer is right exactly when it rounds
    to the same value as the true answer at that precision (a tie may round either way).
    """

    rounding: Rounding = Rounding.EXACT
    digits: int = 0

    def instruction(self) -> str:
        if self.rounding is Rounding.DECIMALS:
            return f"Give it to {self.digits} decimal place{'s' if self.digits != 1 else ''}."
        if self.rounding is Rounding.SIG_FIGS:
            return f"Give it to {self.digits} significant figure{'s' if self.digits != 1 else ''}."
        return ""

    def round(self, x: float | Fraction | Decimal, half_down: bool = False) -> Decimal:
        """``x`` rounded at this precision (half up, or half down when asked); exact precision returns x."""
        d = x if isinstance(x, Decimal) else (Decimal(x.numerator) / Decimal(x.denominator) if isinstance(x, Fraction)
                                              else Decimal(x))
        if self.rounding is Rounding.EXACT:
            return d
        if self.rounding is Rounding.DECIMALS:
            exponent = -self.digits
        else:
            exponent = (d.adjusted() if d else 0) - self.digits + 1
        return d.quantize(Decimal(1).scaleb(exponent), ROUND_HALF_DOWN if half_down else ROUND_HALF_UP)

    def _roundings(self, x: float) -> set[Decimal]:
        eps = abs(x) * 1e-12 + 1e-300  # float noise: a value within 1e-12 (relative) of a tie may round either way
        return {self.round(x - eps), self.round(x + eps), self.round(x, half_down=True), self.round(x)}

    def accepts(self, value: float, expected: float) -> bool:
        """Does ``value`` round to the same value as ``expected`` at this precision?"""
        if not (math.isfinite(value) and math.isfinite(expected)):
            return False
        if self.rounding is Rounding.EXACT:
            return abs(value - expected) <= 1e-9 * max(1.0, abs(expected))
        return bool(self._roundings(value) & self._roundings(expected))

    def show(self, x: float) -> str:
        """The correctly rounded answer as a learner would write it."""
        if self.rounding is Rounding.EXACT:
            return str(int(x)) if float(x).is_integer() else f"{x:.10g}"
        d = self.round(x)
        if self.rounding is Rounding.SIG_FIGS and d and d.adjusted() < -4:
            mantissa = d.scaleb(-d.adjusted())
            return f"{mantissa}e{d.adjusted()}"
        text = f"{d:f}"
        return "0" + text[2:] if text.startswith("-0") and not any(c in "123456789" for c in text) else text

    def half_unit(self, x: float) -> float:
        """Half a unit in the last asked digit at ``x`` (a tolerance for displays; grading uses ``accepts``)."""
        if self.rounding is Rounding.EXACT:
            return 0.0
        exponent = -self.digits if self.rounding is Rounding.DECIMALS else (
            (Decimal(x).adjusted() if x else 0) - self.digits + 1)
        return 0.5 * 10.0 ** exponent


EXACT = Precision()


def decimals(n: int) -> Precision:
    return Precision(Rounding.DECIMALS, n)


def sig_figs(n: int) -> Precision:
    return Precision(Rounding.SIG_FIGS, n)


def grade_rounded(text: str, expected: float, precision: Precision) -> bool | None:
    """True when the typed number rounds to the expected value at ``precision``; None when it is not a number."""
    value = parse_number(text)
    if value is None:
        return None
    return precision.accepts(value, expected)


def grade_vector(text: str, expected: Iterable[float], tolerance: float = 0.0,
                 precision: Precision | None = None) -> bool | None:
    values = parse_vector(text)
    if values is None:
        return None
    expected = tuple(expected)
    if len(values) != len(expected):
        return False
    if precision is not None:
        return all(precision.accepts(v, e) for v, e in zip(values, expected))
    return all(within(v, e, tolerance) for v, e in zip(values, expected))


def grade_text(text: str, accepted: Iterable[str]) -> bool:
    given = normalise_text(text)
    return bool(given) and any(given == normalise_text(a) for a in accepted)


TYPO_MIN_LETTERS = 8  # a typo is forgiven only in answers at least this long, with no digits
MAX_ANSWER = 1000  # characters of an answer that are graded and stored; a longer one is not a valid answer


def one_edit_apart(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance (optimal string alignment) exactly 1: one letter added, removed, changed, or two
    neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):  # one letter inserted in b at i
        return a[i:] == b[i + 1:]
    if a[i + 1:] == b[i + 1:]:  # one letter changed
        return True
    return i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]  # a swap


def text_match(text: str, accepted: Iterable[str]) -> str | None:
    """"exact" when the answer matches an accepted one, "typo" when it is one edit away from an accepted answer of
    at least TYPO_MIN_LETTERS letters with no digits, else None (wrong)."""
    given = normalise_text(text)
    if not given:
        return None
    wanted = [normalise_text(a) for a in accepted]
    if given in wanted:
        return "exact"
    for w in wanted:
        if (sum(ch.isalpha() for ch in w) >= TYPO_MIN_LETTERS and not any(ch.isdigit() for ch in w + given)
                and one_edit_apart(given, w)):
            return "typo"
    return None


def grade_multi(chosen: Iterable[str], correct: Iterable[str]) -> bool:
    return set(chosen) == set(correct)


def rating_for(correct: bool, self_grade: int | None = None) -> int:
    """Auto-graded: wrong -> Again, right -> Good, unless the learner graded a right answer themself."""
    if not correct:
        return AGAIN
    if self_grade is not None:
        if self_grade not in RATING_NAMES:
            raise ValueError(f"a self-grade is 1-4, not {self_grade}")
        return self_grade
    return GOOD
