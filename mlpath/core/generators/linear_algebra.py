"""Linear algebra: products, determinants, norms, projections, rank, 2x2 eigenvalues, small linear systems."""

from __future__ import annotations

import math
import random
from fractions import Fraction

from mlpath.core.generators._base import Param, Problem, generator, problem
from mlpath.core.generators._format import approx, br, matrix, nonzero, num, signed_terms, vec
from mlpath.core.grading import EXACT, decimals


def _det(m: list[list[int]]) -> int:
    if len(m) == 2:
        return m[0][0] * m[1][1] - m[0][1] * m[1][0]
    return sum((-1) ** j * m[0][j] * _det([row[:j] + row[j + 1:] for row in m[1:]]) for j in range(len(m)))


@generator("determinant", "the determinant of a small integer matrix", size=Param((2, 3), 2))
def determinant(rng: random.Random, size: int) -> Problem:
    m = [[rng.randint(-5, 5) for _ in range(size)] for _ in range(size)]
    d = _det(m)
    if size == 2:
        (a, b), (c, e) = m
        steps = [f"For a 2x2 matrix the determinant is ad - bc = {br(a)}·{br(e)} - {br(b)}·{br(c)} = {a * e} - {br(b * c)} = {d}."]
    else:
        minors = [_det([row[:j] + row[j + 1:] for row in m[1:]]) for j in range(3)]
        steps = ["Expand along the first row: det = a·M11 - b·M12 + c·M13, where each M is the 2x2 determinant left "
                 "after deleting that entry's row and column.",
                 f"The minors are M11 = {minors[0]}, M12 = {minors[1]}, M13 = {minors[2]}.",
                 f"det = {br(m[0][0])}·{br(minors[0])} - {br(m[0][1])}·{br(minors[1])} + {br(m[0][2])}·{br(minors[2])} = {d}."]
    return problem(f"What is the determinant of this matrix?\n{matrix(m)}", d, EXACT, steps, {"matrix": m})


@generator("matrix_vector_product", "the product of a matrix and a vector", size=Param((2, 3), 2))
def matrix_vector_product(rng: random.Random, size: int) -> Problem:
    m = [[rng.randint(-4, 4) for _ in range(size)] for _ in range(size)]
    v = [rng.randint(-4, 4) for _ in range(size)]
    out = [sum(a * b for a, b in zip(row, v)) for row in m]
    steps = [f"Component {i + 1} is row {i + 1} of A dotted with v: "
             + " + ".join(f"{br(a)}·{br(b)}" for a, b in zip(row, v)) + f" = {o}."
             for i, (row, o) in enumerate(zip(m, out))]
    return problem(f"Compute A·v, giving the {size} components separated by commas.\nA =\n{matrix(m)}\nv = {vec(v)}",
                   out, EXACT, steps, {"matrix": m, "vector": v})


@generator("dot_product", "the dot product of two integer vectors", length=Param((2, 3, 4, 5), 3))
def dot_product(rng: random.Random, length: int) -> Problem:
    a = [rng.randint(-6, 6) for _ in range(length)]
    b = [rng.randint(-6, 6) for _ in range(length)]
    d = sum(x * y for x, y in zip(a, b))
    steps = ["Multiply matching components and add: " + " + ".join(f"{br(x)}·{br(y)}" for x, y in zip(a, b))
             + " = " + " + ".join(br(x * y) for x, y in zip(a, b)) + f" = {d}."]
    return problem(f"What is the dot product of a = {list(a)} and b = {list(b)}?", d, EXACT, steps, {"a": a, "b": b})


@generator("cosine_similarity", "the cosine similarity of two vectors", length=Param((2, 3, 4), 2))
def cosine_similarity(rng: random.Random, length: int) -> Problem:
    while True:
        a = [rng.randint(-5, 5) for _ in range(length)]
        b = [rng.randint(-5, 5) for _ in range(length)]
        if any(a) and any(b):
            break
    dot = sum(x * y for x, y in zip(a, b))
    sa, sb = sum(x * x for x in a), sum(y * y for y in b)
    cos = dot / math.sqrt(sa * sb)
    prec = decimals(3)
    steps = [f"a·b = {dot}.",
             f"|a| = √{sa} ≈ {approx(math.sqrt(sa), prec)} and |b| = √{sb} ≈ {approx(math.sqrt(sb), prec)}.",
             f"cos θ = a·b / (|a||b|) = {dot} / √({sa}·{sb}) = {dot} / √{sa * sb} ≈ {approx(cos, prec)}."]
    return problem(f"What is the cosine similarity of a = {vec(a)} and b = {vec(b)}?", cos, prec, steps,
                   {"a": a, "b": b})


@generator("vector_norm", "the L1, L2 or max norm of an integer vector",
           norm=Param(("l1", "l2", "max"), "l2"), length=Param((2, 3, 4), 3))
def vector_norm(rng: random.Random, norm: str, length: int) -> Problem:
    while True:
        v = [rng.randint(-9, 9) for _ in range(length)]
        if sum(1 for x in v if x) >= 2:
            break
    name = {"l1": "L1 (Manhattan)", "l2": "L2 (Euclidean)", "max": "max (L∞)"}[norm]
    if norm == "l1":
        value, prec = float(sum(abs(x) for x in v)), EXACT
        steps = ["The L1 norm adds the absolute values: " + " + ".join(num(abs(x)) for x in v) + f" = {num(value)}."]
    elif norm == "max":
        value, prec = float(max(abs(x) for x in v)), EXACT
        steps = ["The max norm is the largest absolute value among " + ", ".join(num(abs(x)) for x in v) + f": {num(value)}."]
    else:
        sq = sum(x * x for x in v)
        value = math.sqrt(sq)
        prec = EXACT if value.is_integer() else decimals(3)
        steps = ["The L2 norm is the square root of the sum of squares: √(" + " + ".join(f"{br(x)}²" for x in v)
                 + f") = √{sq}" + (f" = {num(value)}." if value.is_integer() else f" ≈ {approx(value, prec)}.")]
    return problem(f"What is the {name} norm of v = {vec(v)}?", value, prec, steps, {"v": v})


@generator("vector_projection", "the projection of one vector onto another", length=Param((2, 3), 2))
def vector_projection(rng: random.Random, length: int) -> Problem:
    while True:
        a = [rng.randint(-6, 6) for _ in range(length)]
        b = [rng.randint(-5, 5) for _ in range(length)]
        dot = sum(x * y for x, y in zip(a, b))
        if any(b) and dot and any(x != 0 for x in a):
            break
    bb = sum(y * y for y in b)
    coef = Fraction(dot, bb)
    proj = [float(coef * y) for y in b]
    prec = decimals(2)
    steps = [f"proj_b(a) = (a·b / b·b) b, with a·b = {dot} and b·b = {bb}.",
             f"The factor is {dot}/{bb} ≈ {approx(float(coef), prec)}.",
             "Multiplying each component of b: " + ", ".join(f"{dot}/{bb}·{br(y)} ≈ {approx(p, prec)}"
                                                           for y, p in zip(b, proj)) + "."]
    return problem(f"Project a = {vec(a)} onto b = {vec(b)}. Give the {length} components of the projection "
                   "separated by commas.", proj, prec, steps, {"a": a, "b": b})


def _rank(rows: list[list[Fraction]]) -> tuple[int, list[str]]:
    m = [r[:] for r in rows]
    rank, notes = 0, []
    cols = len(m[0])
    for c in range(cols):
        pivot = next((r for r in range(rank, len(m)) if m[r][c] != 0), None)
        if pivot is None:
            continue
        m[rank], m[pivot] = m[pivot], m[rank]
        for r in range(len(m)):
            if r != rank and m[r][c] != 0:
                f = m[r][c] / m[rank][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[rank])]
        rank += 1
    notes.append("After elimination the rows are " + "; ".join("(" + ", ".join(num(x) for x in r) + ")" for r in m) + ".")
    return rank, notes


@generator("matrix_rank", "the rank of a small integer matrix", size=Param((2, 3), 3))
def matrix_rank(rng: random.Random, size: int) -> Problem:
    target = rng.randint(1, size)
    basis = [[rng.randint(-3, 3) for _ in range(size)] for _ in range(target)]
    while not any(basis[0]):  # never the all-zero matrix
        basis[0] = [rng.randint(-3, 3) for _ in range(size)]
    rows = []
    for i in range(size):
        if i < target:
            rows.append(basis[i])
        else:
            coeffs = [rng.randint(-2, 2) for _ in range(target)]
            rows.append([sum(c * b[j] for c, b in zip(coeffs, basis)) for j in range(size)])
    rng.shuffle(rows)
    rank, notes = _rank([[Fraction(x) for x in r] for r in rows])
    steps = ["Row-reduce: subtract multiples of pivot rows to clear each pivot column.", *notes,
             f"The rank is the number of non-zero rows left: {rank}."]
    return problem(f"What is the rank of this matrix?\n{matrix(rows)}", rank, EXACT, steps, {"matrix": rows})


@generator("eigenvalues_2x2", "the larger eigenvalue, or the larger singular value, of a 2x2 matrix",
           ask=Param(("eigenvalue", "singular_value"), "eigenvalue"))
def eigenvalues_2x2(rng: random.Random, ask: str) -> Problem:
    while True:
        a, b, c, d = (rng.randint(-5, 6) for _ in range(4))
        if ask == "eigenvalue":
            tr, det = a + d, a * d - b * c
        else:  # eigenvalues of AᵀA
            tr, det = a * a + b * b + c * c + d * d, (a * d - b * c) ** 2
        disc = tr * tr - 4 * det
        if disc > 0 and (b or c) and (ask == "eigenvalue" or det):
            break
    lam = (tr + math.sqrt(disc)) / 2
    prec = decimals(3)
    m = [[a, b], [c, d]]
    if ask == "eigenvalue":
        value = lam
        steps = [f"The eigenvalues solve λ² - (trace)λ + det = 0, with trace = {a} + {br(d)} = {tr} and "
                 f"det = {br(a)}·{br(d)} - {br(b)}·{br(c)} = {det}.",
                 f"λ = (trace ± √(trace² - 4·det)) / 2 = ({tr} ± √{disc}) / 2.",
                 f"The larger root is ({tr} + {approx(math.sqrt(disc), prec)}) / 2 ≈ {approx(value, prec)}."]
        q = "What is the larger eigenvalue of this matrix?"
    else:
        value = math.sqrt(lam)
        steps = [f"The singular values are the square roots of the eigenvalues of AᵀA, whose trace is the sum of "
                 f"squared entries ({tr}) and whose determinant is det(A)² = {det}.",
                 f"The larger eigenvalue of AᵀA is ({tr} + √({tr}² - 4·{det})) / 2 = ({tr} + √{disc}) / 2 ≈ {approx(lam, prec)}.",
                 f"σ_max = √{approx(lam, prec)} ≈ {approx(value, prec)}."]
        q = "What is the largest singular value of this matrix?"
    return problem(f"{q}\n{matrix(m)}", value, prec, steps, {"matrix": m})


@generator("linear_system_2x2", "the solution of two linear equations in two unknowns")
def linear_system_2x2(rng: random.Random) -> Problem:
    while True:
        a, b, c, d = (nonzero(rng, -6, 6) for _ in range(4))
        if a * d - b * c:
            break
    x, y = rng.randint(-6, 6), rng.randint(-6, 6)
    e, f = a * x + b * y, c * x + d * y
    det = a * d - b * c
    eq1 = f"{signed_terms([(a, 'x'), (b, 'y')])} = {e}"
    eq2 = f"{signed_terms([(c, 'x'), (d, 'y')])} = {f}"
    steps = [f"The determinant is {br(a)}·{br(d)} - {br(b)}·{br(c)} = {det}, so there is exactly one solution.",
             f"Cramer's rule: x = ({br(e)}·{br(d)} - {br(b)}·{br(f)}) / {br(det)} = {e * d - b * f} / {br(det)} = {x}.",
             f"y = ({br(a)}·{br(f)} - {br(e)}·{br(c)}) / {br(det)} = {a * f - e * c} / {br(det)} = {y}."]
    return problem(f"Solve for x and y, giving x, y separated by a comma:\n  {eq1}\n  {eq2}", [x, y], EXACT, steps,
                   {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f})
