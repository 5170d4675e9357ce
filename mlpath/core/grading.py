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
_TRUE = {"y", "yes", "t", "true", "1"}
_FALSE = {"n", "no", "f", "false", "0"}


def parse_number(text: str) -> float | None:
    """Parse '0.5', '1/2', '5e-1', '-3', '50%', ' 2 ' and unicode minus; None when it is not a number."""
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
            d = Fraction(den)
            if d == 0:
                return None
            value = Fraction(num) / d
        elif _NUMBER.fullmatch(s):
            value = Fraction(s)
        else:
            return None
        result = float(value / 100 if percent else value)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return result if math.isfinite(result) else None


def parse_vector(text: str) -> tuple[float, ...] | None:
    """Parse '3, -2', '[3 -2]', '(3; -2)' into numbers; None if any part is not a number."""
    s = text.strip().strip("[]()")
    parts = [p for p in re.split(r"[,;\s]+", s) if p]
    if not parts:
        return None
    values = [parse_number(p) for p in parts]
    if any(v is None for v in values):
        return None
    return tuple(values)  # type: ignore[arg-type]


def parse_bool(text: str) -> bool | None:
    s = text.strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    return None


def normalise_text(text: str) -> str:
    """Fold case, accents-compatible forms, punctuation and white space, for comparing typed answers."""
    s = unicodedata.normalize("NFKC", text).casefold()
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
