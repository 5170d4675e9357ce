"""Writing numbers and expressions as a textbook would: no `1x`, no `+ 0x`, negative factors in brackets."""

from __future__ import annotations

import random
from collections.abc import Sequence
from fractions import Fraction

from mlpath.core.grading import Precision, Rounding


def num(x: float | int | Fraction) -> str:
    """A number as given in a prompt: whole numbers without a decimal point, others to at most 6 significant figures."""
    x = float(x)
    if x == 0:
        return "0"
    if x.is_integer():
        return str(int(x))
    return f"{x:.6g}"


def br(x: float | int | Fraction) -> str:
    """A number as a factor: negative numbers in brackets, e.g. `0.1 × (-3)`."""
    s = num(x)
    return f"({s})" if s.startswith("-") else s


def approx(x: float, precision: Precision, extra: int = 2) -> str:
    """An intermediate value, kept to ``extra`` more digits than the final answer so the final rounding is right."""
    if precision.rounding is Rounding.DECIMALS:
        shown = Precision(Rounding.DECIMALS, precision.digits + extra).show(x)
    elif precision.rounding is Rounding.SIG_FIGS:
        shown = Precision(Rounding.SIG_FIGS, precision.digits + extra).show(x)
    else:
        shown = num(x) if float(x).is_integer() else f"{x:.6g}"
    return shown


def vec(xs: Sequence[float | int]) -> str:
    return "(" + ", ".join(num(v) for v in xs) + ")"


def signed_terms(terms: Sequence[tuple[float | int | Fraction, str]]) -> str:
    """Join (coefficient, monomial) pairs: drop zero terms and unit coefficients, write `- 3x` not `+ -3x`."""
    out: list[str] = []
    for coef, mono in terms:
        if coef == 0:
            continue
        mag = abs(coef)
        if isinstance(mag, Fraction) and mag.denominator != 1:  # a textbook writes (2/3)x^3, not 0.666667x^3
            text = f"{mag.numerator}/{mag.denominator}"
            body = f"({text}){mono}" if mono else text
        else:
            body = num(mag) if not mono else (mono if mag == 1 else f"{num(mag)}{mono}")
        if not out:
            out.append(("-" if coef < 0 else "") + body)
        else:
            out.append(("- " if coef < 0 else "+ ") + body)
    return " ".join(out) if out else "0"


def poly(coeffs: Sequence[float | int | Fraction], var: str = "x") -> str:
    """c0 + c1 x + ... written from the highest power down, e.g. `3x^2 - x + 5`."""
    terms = [(c, "" if k == 0 else (var if k == 1 else f"{var}^{k}")) for k, c in enumerate(coeffs)]
    return signed_terms(list(reversed(terms)))


def nonzero(rng: random.Random, lo: int, hi: int) -> int:
    while True:
        v = rng.randint(lo, hi)
        if v:
            return v


def matrix(rows: Sequence[Sequence[float | int]]) -> str:
    cells = [[num(v) for v in r] for r in rows]
    width = max(len(c) for r in cells for c in r)
    return "\n".join("  [ " + "  ".join(c.rjust(width) for c in r) + " ]" for r in cells)
