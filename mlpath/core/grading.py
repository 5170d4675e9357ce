"""Answer parsing and grading: a learner's answer -> correct or not -> an FSRS rating (1-4)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from fractions import Fraction

from mlpath.core.srs import Rating

AGAIN, HARD, GOOD, EASY = Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY
RATING_NAMES = {r: r.label for r in Rating}

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
MAX_ANSWER = 1000  # characters of an answer that are graded and stored; the rest is cut off
MAX_EXPONENT = 1000  # 1e999999999 would take Fraction minutes to expand: beyond this it is only too big or 0


def cap(answer: str) -> str:
    """An answer as graded and stored: at most ``MAX_ANSWER`` characters."""
    return answer[:MAX_ANSWER]


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


def grade_vector(text: str, expected: Iterable[float], tolerance: float = 0.0) -> bool | None:
    values = parse_vector(text)
    if values is None:
        return None
    expected = tuple(expected)
    return len(values) == len(expected) and all(within(v, e, tolerance) for v, e in zip(values, expected))


def grade_text(text: str, accepted: Iterable[str]) -> bool:
    given = normalise_text(text)
    return bool(given) and any(given == normalise_text(a) for a in accepted)


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
