"""Calculus: derivatives, the chain rule, gradients, Taylor approximations, Newton steps, integrals, series,
Euler steps, polar coordinates, limits and minima of quadratics."""

from __future__ import annotations

import math
import random
from fractions import Fraction

from mlpath.core.generators._base import Param, Problem, generator, problem
from mlpath.core.generators._format import approx, br, nonzero, num, poly, signed_terms
from mlpath.core.grading import EXACT, decimals


@generator("polynomial_derivative", "the derivative of a polynomial at a point", degree=Param((1, 2, 3, 4), 3))
def polynomial_derivative(rng: random.Random, degree: int) -> Problem:
    while True:
        coeffs = [rng.randint(-5, 5) for _ in range(degree)] + [nonzero(rng, -5, 5)]  # c0..cn, cn != 0
        if sum(1 for c in coeffs[1:] if c) >= (2 if degree > 1 else 1):
            break
    x = rng.randint(-3, 3)
    dcoeffs = [k * c for k, c in enumerate(coeffs)][1:]
    value = sum(c * x**k for k, c in enumerate(dcoeffs))
    steps = [f"By the power rule, d/dx of c·x^k is k·c·x^(k-1), so f'(x) = {poly(dcoeffs)}.",
             f"At x = {x}: f'({x}) = " + " + ".join(
                 f"{br(c)}·{br(x)}" + (f"^{k}" if k > 1 else "") if k else br(c)
                 for k, c in reversed(list(enumerate(dcoeffs))) if c) + f" = {value}."]
    return problem(f"Let f(x) = {poly(coeffs)}. What is f'({x})?", value, EXACT, steps, {"coefficients": coeffs, "x": x})


@generator("gradient_descent_step", "one step of gradient descent on a quadratic")
def gradient_descent_step(rng: random.Random) -> Problem:
    a = rng.randint(1, 4)
    b = nonzero(rng, -8, 8)
    x0 = rng.randint(-5, 5)
    lr = rng.choice([r for r in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25) if 2 * a * r < 1])  # converging, not overshooting
    grad = 2 * a * x0 + b
    x1 = round(x0 - lr * grad, 10)
    steps = [f"f'(x) = {signed_terms([(2 * a, 'x'), (b, '')])}, so f'({x0}) = {2 * a}·{br(x0)} + {br(b)} = {grad}.",
             f"x_new = x - η·f'(x) = {x0} - {lr}·{br(grad)} = {num(x1)}."]
    return problem(f"You minimise f(x) = {poly([0, b, a])} by gradient descent with learning rate η = {lr}, starting "
                   "at x = " f"{x0}. What is x after one step?", x1, decimals(2), steps,
                   {"a": a, "b": b, "x0": x0, "lr": lr})


@generator("chain_rule", "the derivative of a composite function at a point", outer=Param(("power", "exp", "log"), "power"))
def chain_rule(rng: random.Random, outer: str) -> Problem:
    x0 = rng.randint(-3, 3)
    if outer == "power":
        while True:
            a, b, n = nonzero(rng, -4, 4), rng.randint(-5, 5), rng.randint(2, 5)
            inner = a * x0 + b
            if 0 < abs(inner) <= 6:  # not a trivial 0, not a huge power
                break
            x0 = rng.randint(-3, 3)
        value = n * a * inner ** (n - 1)
        f = f"({signed_terms([(a, 'x'), (b, '')])})^{n}"
        steps = [f"With u = {signed_terms([(a, 'x'), (b, '')])}, f = u^{n}, so f'(x) = {n}u^{n - 1}·u' and u' = {a}.",
                 f"At x = {x0}: u = {inner}, so f'({x0}) = {n}·{br(inner)}^{n - 1}·{br(a)} = {value}."]
        return problem(f"Let f(x) = {f}. What is f'({x0})?", value, EXACT, steps, {"a": a, "b": b, "n": n, "x0": x0})
    prec = decimals(3)
    if outer == "exp":
        a, b = nonzero(rng, -3, 3), rng.randint(-2, 2)
        x0 = rng.randint(-10, 10) / 10
        inner = round(a * x0 + b, 6)
        value = a * math.exp(inner)
        f = f"e^({signed_terms([(a, 'x'), (b, '')])})"
        steps = [f"With u = {signed_terms([(a, 'x'), (b, '')])}, f = e^u, so f'(x) = e^u·u' = {a}·e^u.",
                 f"At x = {num(x0)}: u = {num(inner)}, so f'({num(x0)}) = {a}·e^{br(inner)} ≈ {a}·{approx(math.exp(inner), prec)} "
                 f"≈ {approx(value, prec)}."]
        return problem(f"Let f(x) = {f}. What is f'({num(x0)})?", value, prec, steps, {"a": a, "b": b, "x0": x0})
    a, b = rng.randint(1, 4), rng.randint(1, 9)
    x0 = nonzero(rng, -3, 3)  # f'(0) = 0 would be a giveaway
    inner = a * x0 * x0 + b
    value = 2 * a * x0 / inner
    f = f"ln({signed_terms([(a, 'x^2'), (b, '')])})"
    steps = [f"With u = {signed_terms([(a, 'x^2'), (b, '')])}, f = ln u, so f'(x) = u'/u = {2 * a}x / u.",
             f"At x = {x0}: u = {inner}, so f'({x0}) = {2 * a}·{br(x0)} / {inner} = {2 * a * x0}/{inner} ≈ {approx(value, prec)}."]
    return problem(f"Let f(x) = {f}. What is f'({x0})?", value, prec, steps, {"a": a, "b": b, "x0": x0})


@generator("gradient_2d", "the gradient of a two-variable quadratic at a point, or its Hessian determinant",
           ask=Param(("gradient", "hessian_determinant"), "gradient"))
def gradient_2d(rng: random.Random, ask: str) -> Problem:
    while True:
        a, b, c, d, e = (rng.randint(-5, 5) for _ in range(5))
        if a and c and b:
            break
    f = signed_terms([(a, "x^2"), (b, "xy"), (c, "y^2"), (d, "x"), (e, "y")])
    if ask == "gradient":
        x, y = rng.randint(-3, 3), rng.randint(-3, 3)
        gx, gy = 2 * a * x + b * y + d, b * x + 2 * c * y + e
        steps = [f"∂f/∂x = {signed_terms([(2 * a, 'x'), (b, 'y'), (d, '')])} (treat y as a constant).",
                 f"∂f/∂y = {signed_terms([(b, 'x'), (2 * c, 'y'), (e, '')])} (treat x as a constant).",
                 f"At ({x}, {y}): ∂f/∂x = {br(2 * a)}·{br(x)} + {br(b)}·{br(y)} + {br(d)} = {gx} and "
                 f"∂f/∂y = {br(b)}·{br(x)} + {br(2 * c)}·{br(y)} + {br(e)} = {gy}."]
        return problem(f"Let f(x, y) = {f}. What is the gradient ∇f at (x, y) = ({x}, {y})? Give ∂f/∂x, ∂f/∂y "
                       "separated by a comma.", [gx, gy], EXACT, steps, {"coefficients": [a, b, c, d, e], "point": [x, y]})
    det = 4 * a * c - b * b
    steps = [f"The second derivatives are f_xx = {2 * a}, f_xy = f_yx = {b}, f_yy = {2 * c}.",
             f"det H = f_xx·f_yy - f_xy² = {2 * a}·{br(2 * c)} - {br(b)}² = {det}."]
    return problem(f"Let f(x, y) = {f}. What is the determinant of its Hessian matrix?", det, EXACT, steps,
                   {"coefficients": [a, b, c, d, e]})


@generator("taylor_approximation", "a linear or quadratic Taylor estimate of √x, e^x or ln x",
           order=Param((1, 2), 1))
def taylor_approximation(rng: random.Random, order: int) -> Problem:
    kind = rng.choice(["sqrt", "exp", "ln"])
    prec = decimals(4)
    if kind == "sqrt":
        n = rng.randint(2, 20)
        a, h = n * n, nonzero(rng, -4, 4)
        x = a + h
        terms = [n, Fraction(h, 2 * n), -Fraction(h * h, 8 * n**3)]
        what, base = f"√{x}", f"f(x) = √x around x = {a}"
        derivs = f"f({a}) = {n}, f'({a}) = 1/(2√{a}) = 1/{2 * n}, f''({a}) = -1/(4·{a}^(3/2)) = -1/{4 * n**3}"
    elif kind == "exp":
        a, h = 0, Fraction(nonzero(rng, -30, 30), 100)
        x = h
        terms = [1, h, h * h / 2]
        what, base = f"e^{num(h)}", "f(x) = e^x around x = 0"
        derivs = "f(0) = f'(0) = f''(0) = e^0 = 1"
    else:
        a, h = 1, Fraction(nonzero(rng, -30, 30), 100)
        x = 1 + h
        terms = [0, h, -h * h / 2]
        what, base = f"ln {num(x)}", "f(x) = ln x around x = 1"
        derivs = "f(1) = 0, f'(1) = 1, f''(1) = -1"
    used = terms[: order + 1]
    value = float(sum(used))
    name = "linear (first-order)" if order == 1 else "quadratic (second-order)"
    formula = "f(a) + f'(a)·h" if order == 1 else "f(a) + f'(a)·h + f''(a)·h²/2"
    steps = [f"{derivs}.", f"With h = x - a = {num(h)}, the {name} estimate is {formula}.",
             " + ".join(br(float(t)) for t in used).replace("+ (-", "- (").replace("+ -", "- ") + f" ≈ {approx(value, prec)}."]
    return problem(f"Use the {name} Taylor approximation of {base} to estimate {what}.", value, prec, steps,
                   {"kind": kind, "a": a, "h": float(h)})


@generator("newton_step", "one step of Newton's method for a root")
def newton_step(rng: random.Random) -> Problem:
    while True:
        b, c, x0 = rng.randint(-6, 6), rng.randint(-9, 9), rng.randint(-3, 4)
        fx, dfx = x0**3 + b * x0 + c, 3 * x0 * x0 + b
        if dfx and fx:
            break
    x1 = x0 - Fraction(fx, dfx)
    prec = decimals(4)
    steps = [f"f'(x) = {signed_terms([(3, 'x^2'), (b, '')])}.",
             f"At x0 = {x0}: f({x0}) = {fx} and f'({x0}) = {dfx}.",
             f"x1 = x0 - f(x0)/f'(x0) = {x0} - {br(fx)}/{br(dfx)} ≈ {approx(float(x1), prec)}."]
    return problem(f"Newton's method looks for a root of f(x) = {poly([c, b, 0, 1])}. Starting at x0 = {x0}, what is x1 "
                   "after one step?", float(x1), prec, steps, {"b": b, "c": c, "x0": x0})


@generator("polynomial_integral", "the definite integral of a polynomial", degree=Param((1, 2, 3), 2))
def polynomial_integral(rng: random.Random, degree: int) -> Problem:
    coeffs = [rng.randint(-5, 5) for _ in range(degree)] + [nonzero(rng, -5, 5)]
    lo = rng.randint(-3, 2)
    hi = rng.randint(lo + 1, 4)
    anti = [Fraction(0)] + [Fraction(c, k + 1) for k, c in enumerate(coeffs)]
    F = lambda t: sum(c * t**k for k, c in enumerate(anti))  # noqa: E731
    value = F(hi) - F(lo)
    prec = decimals(3)
    anti_text = signed_terms([(c, "" if k == 0 else ("x" if k == 1 else f"x^{k}")) for k, c in reversed(list(enumerate(anti)))])
    def shown(v: Fraction) -> str:
        text = num(v) if v.denominator == 1 else approx(float(v), prec)
        return f"({text})" if text.startswith("-") else text

    steps = [f"An antiderivative is F(x) = {anti_text} (raise each power by one and divide by the new power).",
             f"F({hi}) {'=' if F(hi).denominator == 1 else '≈'} {shown(F(hi))} and "
             f"F({lo}) {'=' if F(lo).denominator == 1 else '≈'} {shown(F(lo))}.",
             f"The integral is F({hi}) - F({lo}) = {shown(F(hi))} - {shown(F(lo))} ≈ {approx(float(value), prec)}."]
    return problem(f"What is the integral of f(x) = {poly(coeffs)} from x = {lo} to x = {hi}?", float(value), prec, steps,
                   {"coefficients": coeffs, "lo": lo, "hi": hi})


@generator("geometric_series", "the sum of a geometric series, finite or infinite", terms=Param(("finite", "infinite"), "infinite"))
def geometric_series(rng: random.Random, terms: str) -> Problem:
    a = nonzero(rng, -9, 9)
    prec = decimals(3)
    if terms == "infinite":
        r = Fraction(nonzero(rng, -9, 9), 10)
        value = a / (1 - r)
        steps = [f"|r| = {num(abs(r))} < 1, so the series converges to a / (1 - r).",
                 f"{a} / (1 - {br(r)}) = {a} / {num(1 - r)} ≈ {approx(float(value), prec)}."]
        q = f"What is the sum of the infinite geometric series with first term a = {a} and ratio r = {num(r)}?"
    else:
        r = Fraction(rng.choice([-3, -2, 2, 3, 5, -5, 15, -15, 12, -12]), 10)
        n = rng.randint(3, 8)
        value = a * (1 - r**n) / (1 - r)
        steps = [f"The sum of the first n terms is a(1 - r^n) / (1 - r), with r^{n} = {br(r)}^{n} = {num(r**n)}.",
                 f"{a}·(1 - {br(r**n)}) / (1 - {br(r)}) ≈ {approx(float(value), prec)}."]
        q = f"What is the sum of the first {n} terms of the geometric series with first term a = {a} and ratio r = {num(r)}?"
    return problem(q, float(value), prec, steps, {"a": a, "r": float(r)})


@generator("euler_step", "Euler's method for dy/dt = a·y + b, a few steps", steps=Param((1, 2, 3), 2))
def euler_step(rng: random.Random, steps: int) -> Problem:
    a = Fraction(nonzero(rng, -20, 20), 10)
    b = rng.randint(-5, 5)
    y = Fraction(rng.randint(-5, 10))
    h = Fraction(rng.choice([1, 2, 5]), 10)
    prec = decimals(4)
    y0 = y
    lines = [f"Euler's method: y_next = y + h·(a·y + b) with h = {num(h)}."]
    for i in range(steps):
        slope = a * y + b
        new = y + h * slope
        lines.append(f"Step {i + 1}: slope = {num(a)}·{br(float(y))} + {br(b)} = {num(slope)}; "
                     f"y = {num(y)} + {num(h)}·{br(float(slope))} = {num(new)}.")
        y = new
    rhs = signed_terms([(float(a), "y"), (b, "")])
    return problem(f"Solve dy/dt = {rhs} with y(0) = {num(y0)} by Euler's method with step size h = {num(h)}. "
                   f"What is y after {steps} step{'s' if steps > 1 else ''} (at t = {num(h * steps)})?",
                   float(y), prec, lines, {"a": float(a), "b": b, "y0": float(y0), "h": float(h)})


@generator("polar_to_cartesian", "a Cartesian coordinate of a point given in polar form", ask=Param(("x", "y"), "x"))
def polar_to_cartesian(rng: random.Random, ask: str) -> Problem:
    r = rng.randint(1, 20)
    theta = rng.choice([d for d in range(0, 360, 15) if d % 90])
    rad = math.radians(theta)
    value = r * (math.cos(rad) if ask == "x" else math.sin(rad))
    prec = decimals(3)
    fn = "cos" if ask == "x" else "sin"
    steps = [f"{ask} = r·{fn} θ, with θ = {theta}° = {approx(rad, prec)} radians.",
             f"{ask} = {r}·{fn}({theta}°) ≈ {r}·{approx(value / r, prec)} ≈ {approx(value, prec)}."]
    return problem(f"A point has polar coordinates r = {r}, θ = {theta}°. What is its {ask}-coordinate?", value, prec,
                   steps, {"r": r, "theta": theta})


@generator("rational_limit", "the limit of a rational function at infinity or at a removable point",
           at=Param(("infinity", "removable"), "infinity"))
def rational_limit(rng: random.Random, at: str) -> Problem:
    if at == "infinity":
        n = rng.randint(1, 3)
        top = [rng.randint(-9, 9) for _ in range(n)] + [nonzero(rng, -9, 9)]
        bottom = [rng.randint(-9, 9) for _ in range(n)] + [nonzero(rng, -9, 9)]
        value = Fraction(top[-1], bottom[-1])
        steps = [f"Both top and bottom have degree {n}; divide each by x^{n}: every lower power goes to 0.",
                 f"The limit is the ratio of the leading coefficients: {top[-1]}/{br(bottom[-1])} ≈ {approx(float(value), decimals(3))}."]
        return problem(f"What is the limit as x → ∞ of ({poly(top)}) / ({poly(bottom)})?", float(value), decimals(3),
                       steps, {"top": top, "bottom": bottom})
    k, m = nonzero(rng, -9, 9), rng.randint(-9, 9)
    while m == -k:
        m = rng.randint(-9, 9)
    top = [-m * k, m - k, 1]  # (x - k)(x + m)
    steps = [f"At x = {k} top and bottom are both 0; factor the top: {poly(top)} = (x {'-' if k > 0 else '+'} {abs(k)})"
             f"({signed_terms([(1, 'x'), (m, '')])}).",
             f"Cancel the common factor: for x ≠ {k} the function equals {signed_terms([(1, 'x'), (m, '')])}, which is "
             f"{k + m} at x = {k}."]
    return problem(f"What is the limit as x → {k} of ({poly(top)}) / ({poly([-k, 1])})?", k + m, EXACT, steps,
                   {"top": top, "k": k})


@generator("quadratic_minimum", "where a convex quadratic is smallest, or its smallest value",
           ask=Param(("argmin", "minimum"), "argmin"))
def quadratic_minimum(rng: random.Random, ask: str) -> Problem:
    a, b, c = rng.randint(1, 6), nonzero(rng, -12, 12), rng.randint(-10, 10)
    xs = Fraction(-b, 2 * a)
    fmin = a * xs * xs + b * xs + c
    prec = decimals(3)
    steps = [f"f''(x) = {2 * a} > 0, so f is convex and its stationary point is the minimum.",
             f"f'(x) = {signed_terms([(2 * a, 'x'), (b, '')])} = 0 gives x* = {-b}/{2 * a} ≈ {approx(float(xs), prec)}."]
    if ask == "minimum":
        steps.append(f"f(x*) = c - b²/(4a) = {c} - {b * b}/{4 * a} ≈ {approx(float(fmin), prec)}.")
    value = xs if ask == "argmin" else fmin
    q = "At what x is it smallest?" if ask == "argmin" else "What is its smallest value?"
    return problem(f"Let f(x) = {poly([c, b, a])}. {q}", float(value), prec, steps, {"a": a, "b": b, "c": c})
