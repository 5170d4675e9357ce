"""Checks for the linear-algebra and calculus question bank.

Every computed answer in content/questions/01-maths-la-calculus.yaml is recomputed here
independently, in plain Python, and compared with the YAML.
"""

import math
import pathlib
import re
from collections import Counter
from fractions import Fraction as F

import yaml
from bank_format import KIND_FIELDS, COMMON_FIELDS, GENERATOR_PARAMS

ROOT = pathlib.Path(__file__).resolve().parents[1]
BANK = ROOT / "content/questions/01-maths-la-calculus.yaml"
QUESTIONS_LIST = yaml.safe_load(BANK.read_text())["questions"]
QUESTIONS = {q["id"]: q for q in QUESTIONS_LIST}

TOPICS = [
    "vectors", "dot-product", "matrices", "linear-transformations", "linear-systems",
    "determinants-and-inverses", "vector-spaces", "orthogonality-and-projections",
    "eigenvalues-and-eigenvectors", "svd",
    "functions-and-limits", "derivatives", "chain-rule", "partial-derivatives-and-gradients",
    "jacobian-and-hessian", "integrals", "series", "differential-equations",
    "parametric-and-polar", "convexity-and-optima", "gradient-descent",
]
BIG = {
    "vectors", "dot-product", "matrices", "determinants-and-inverses",
    "eigenvalues-and-eigenvectors", "derivatives", "chain-rule",
    "partial-derivatives-and-gradients", "gradient-descent",
}



# ----------------------------------------------------------------- helpers
def check(qid, value):
    q = QUESTIONS[qid]
    assert q["kind"] == "numeric", qid
    tol = q.get("tolerance", 1e-9)
    assert math.isclose(float(q["answer"]), float(value), abs_tol=tol), (qid, q["answer"], value)


def choice_answer(qid):
    q = QUESTIONS[qid]
    assert q["kind"] == "choice", qid
    return q["answer"]


def matmul(a, b):
    assert len(a[0]) == len(b)
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))]
            for i in range(len(a))]


def matvec(a, v):
    return [sum(a[i][k] * v[k] for k in range(len(v))) for i in range(len(a))]


def det(m):
    n = len(m)
    if n == 1:
        return m[0][0]
    return sum((-1) ** j * m[0][j] * det([row[:j] + row[j + 1:] for row in m[1:]])
               for j in range(n))


def rank(m):
    rows = [[F(x) for x in row] for row in m]
    r = 0
    ncols = len(rows[0])
    for c in range(ncols):
        pivot = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                f = rows[i][c] / rows[r][c]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[r])]
        r += 1
    return r


def solve(a, b):
    """Gauss-Jordan elimination with fractions for a square, non-singular system."""
    n = len(a)
    m = [[F(x) for x in row] + [F(bi)] for row, bi in zip(a, b)]
    for c in range(n):
        p = next(i for i in range(c, n) if m[i][c] != 0)
        m[c], m[p] = m[p], m[c]
        m[c] = [x / m[c][c] for x in m[c]]
        for i in range(n):
            if i != c:
                m[i] = [x - m[i][c] * y for x, y in zip(m[i], m[c])]
    return [row[-1] for row in m]


def dot(u, v):
    return sum(a * b for a, b in zip(u, v))


def norm(v):
    return math.sqrt(dot(v, v))


def deriv(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)


def second_deriv(f, x, h=1e-4):
    return (f(x + h) - 2 * f(x) + f(x - h)) / (h * h)


def integrate(f, a, b, n=2000):
    """Composite Simpson's rule (n even)."""
    h = (b - a) / n
    s = f(a) + f(b)
    s += 4 * sum(f(a + (2 * k - 1) * h) for k in range(1, n // 2 + 1))
    s += 2 * sum(f(a + 2 * k * h) for k in range(1, n // 2))
    return s * h / 3


def eig2(m):
    """Real eigenvalues of a 2 x 2 matrix, sorted ascending (None if complex)."""
    (a, b), (c, d) = m
    tr, dt = a + d, a * d - b * c
    disc = tr * tr - 4 * dt
    if disc < 0:
        return None
    return sorted([(tr - math.sqrt(disc)) / 2, (tr + math.sqrt(disc)) / 2])


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def parse_matrix(text):
    return yaml.safe_load(text)


def only_option_matching(qid, candidates, predicate):
    """The options must be exactly the candidate keys, and only the answer satisfies predicate."""
    q = QUESTIONS[qid]
    assert set(q["options"]) == set(candidates), qid
    good = [opt for opt, obj in candidates.items() if predicate(obj)]
    assert good == [q["answer"]], (qid, good)


# ------------------------------------------------------------ generic rules
def test_generic_rules():
    counts = Counter(q["topic"] for q in QUESTIONS_LIST)
    for topic in TOPICS:
        low, high = (10, 14) if topic in BIG else (8, 10)
        assert low <= counts[topic] <= high, (topic, counts[topic])
    assert set(counts) == set(TOPICS)

    ids = [q["id"] for q in QUESTIONS_LIST]
    assert len(ids) == len(set(ids)), [i for i, c in Counter(ids).items() if c > 1]

    for q in QUESTIONS_LIST:
        qid = q["id"]
        assert re.fullmatch(re.escape(q["topic"]) + r"-\d{2}", qid), qid
        kind = q["kind"]
        assert kind in KIND_FIELDS, qid
        assert set(q) <= COMMON_FIELDS | KIND_FIELDS[kind], (qid, set(q))
        if kind != "generated":
            assert isinstance(q.get("prompt"), str) and q["prompt"].strip(), qid
            assert isinstance(q.get("explanation"), str) and q["explanation"].strip(), qid
        if kind == "choice":
            opts = q["options"]
            assert all(isinstance(o, str) for o in opts), qid
            assert 3 <= len(opts) <= 5, qid
            assert len(opts) == len(set(opts)), qid
            assert opts.count(q["answer"]) == 1, qid
        elif kind == "multi":
            opts = q["options"]
            assert all(isinstance(o, str) for o in opts), qid
            assert 3 <= len(opts) <= 6, qid
            assert len(opts) == len(set(opts)), qid
            assert q["answers"], qid
            assert len(q["answers"]) == len(set(q["answers"])), qid
            assert set(q["answers"]) <= set(opts), qid
            assert "select all" in q["prompt"].lower(), qid
        elif kind == "true_false":
            assert isinstance(q["answer"], bool), qid
        elif kind == "numeric":
            assert isinstance(q["answer"], (int, float)) and not isinstance(q["answer"], bool), qid
            if "tolerance" in q:
                assert q["tolerance"] > 0, qid
        elif kind == "text":
            assert q["answers"] and all(isinstance(a, str) and a.strip() for a in q["answers"]), qid
        elif kind == "flashcard":
            assert isinstance(q["answer"], str) and q["answer"].strip(), qid
        elif kind == "generated":
            allowed = GENERATOR_PARAMS[q["generator"]]
            for key, value in (q.get("params") or {}).items():
                assert key in allowed and value in allowed[key], (qid, key, value)

    # true/false answers should be roughly balanced
    tf = Counter(q["answer"] for q in QUESTIONS_LIST if q["kind"] == "true_false")
    assert abs(tf[True] - tf[False]) <= 4, tf


def test_every_numeric_question_is_checked():
    """Guard: each numeric question must have a test below."""
    source = pathlib.Path(__file__).read_text()
    for q in QUESTIONS_LIST:
        if q["kind"] == "numeric":
            assert f'check("{q["id"]}"' in source, q["id"]


# ------------------------------------------------------------------ vectors
def test_vectors():
    check("vectors-02", math.prod((10, 28, 28)))
    u, v = (2, -1, 3), (1, 4, -2)
    check("vectors-03", [2 * a - b for a, b in zip(u, v)][1])
    p, q = (1, 5), (4, 2)
    check("vectors-10", q[1] - p[1])
    assert choice_answer("vectors-01") == str((32, 64, 64, 3))
    assert choice_answer("vectors-09") == str((500, 8))


# -------------------------------------------------------------- dot-product
def test_dot_product():
    check("dot-product-05", norm((3, 4, 12)))
    check("dot-product-06", sum(abs(x) for x in (3, -4, 1)))
    u, v = (1, 0), (1, 1)
    check("dot-product-08", math.degrees(math.acos(dot(u, v) / (norm(u) * norm(v)))))
    a, b = (1, 2, 3), (2, 4, 6)
    check("dot-product-10", dot(a, b) / (norm(a) * norm(b)))
    check("dot-product-12", 3 * 4)
    check("dot-product-13", dot((0.5, -1, 2), (4, 3, 0.5)) + 1)


def test_dot_product_norm_properties():
    q = QUESTIONS["dot-product-14"]
    u, v = (1.0, -2.0, 3.0), (4.0, 0.5, -1.0)
    facts = {
        "||v|| = sqrt(v · v)": math.isclose(norm(v), math.sqrt(dot(v, v))),
        "||v|| = 0 only when v is the zero vector": True,
        "||2v|| = 4 ||v||": math.isclose(norm([2 * x for x in v]), 4 * norm(v)),
        "||u + v|| ≤ ||u|| + ||v||": norm([a + b for a, b in zip(u, v)]) <= norm(u) + norm(v),
        "||-v|| = -||v||": math.isclose(norm([-x for x in v]), -norm(v)),
    }
    assert set(facts) == set(q["options"])
    assert {k for k, ok in facts.items() if ok} == set(q["answers"])


# ----------------------------------------------------------------- matrices
def test_matrices():
    a, b = [[1, 2], [3, 4]], [[0, 1], [1, 0]]
    check("matrices-05", matmul(a, b)[1][0])
    assert matmul(a, b) != matmul(b, a)  # matrices-06 is false
    assert QUESTIONS["matrices-06"]["answer"] is False
    check("matrices-08", 64 * 10)
    a2, b2 = [[1, 2], [3, 4]], [[2, 0], [1, 3]]
    check("matrices-09", a2[0][0] * b2[0][0])
    check("matrices-12", sum([[2, 7, 1], [0, -3, 5], [4, 4, 6]][i][i] for i in range(3)))


def test_matrix_shapes():
    def product_shape(s1, s2):
        return (s1[0], s2[1]) if s1[1] == s2[0] else None

    assert choice_answer("matrices-01") == "%d × %d" % product_shape((3, 2), (2, 5))
    a, b = (3, 4), (3, 4)
    t = lambda s: (s[1], s[0])  # noqa: E731
    shapes = {
        "A B^T": product_shape(a, t(b)),
        "A B": product_shape(a, b),
        "B A": product_shape(b, a),
        "A^T B^T": product_shape(t(a), t(b)),
    }
    only_option_matching("matrices-02", shapes, lambda s: s is not None)


def test_matrices_transpose_of_product():
    a, b = [[1, 2, 0], [3, -1, 4]], [[2, 1], [0, 5], [-3, 2]]
    tr = lambda m: [list(r) for r in zip(*m)]  # noqa: E731
    assert tr(matmul(a, b)) == matmul(tr(b), tr(a))
    assert QUESTIONS["matrices-07"]["answer"] is True


# --------------------------------------------------- linear-transformations
def test_linear_transformations():
    # rotation by +90 degrees sends (1, 0) to (0, 1) and (0, 1) to (-1, 0)
    theta = math.pi / 2
    rot = [[round(math.cos(theta)), round(-math.sin(theta))],
           [round(math.sin(theta)), round(math.cos(theta))]]
    assert parse_matrix(choice_answer("linear-transformations-01")) == rot
    for opt in QUESTIONS["linear-transformations-01"]["options"]:
        if opt != choice_answer("linear-transformations-01"):
            assert parse_matrix(opt) != rot

    m = [[2, -1], [1, 3]]  # columns are the images of the basis vectors
    check("linear-transformations-02", matvec(m, [3, 2])[1])

    assert abs(det([[2, 0], [0, 2]])) == 4
    assert choice_answer("linear-transformations-04") == "It is multiplied by 4"

    assert matvec([[1, 0], [0, -1]], [3, 5]) == [3, -5]
    assert choice_answer("linear-transformations-05") == "Reflects them in the x-axis"

    assert QUESTIONS["linear-transformations-03"]["answer"] is False  # f(0) = 1 != 0


def test_linear_maps_multi():
    q = QUESTIONS["linear-transformations-08"]
    maps = {
        "(x, y) -> (3x, x - y)": lambda x, y: (3 * x, x - y),
        "(x, y) -> (y, x)": lambda x, y: (y, x),
        "(x, y) -> (x + 1, y)": lambda x, y: (x + 1, y),
        "(x, y) -> (xy, y)": lambda x, y: (x * y, y),
        "(x, y) -> (0, 0)": lambda x, y: (0, 0),
    }
    assert set(maps) == set(q["options"])

    def is_linear(f):
        p, r, c = (1.5, -2.0), (0.5, 3.0), 2.5
        s = f(p[0] + r[0], p[1] + r[1])
        add = all(math.isclose(s[i], f(*p)[i] + f(*r)[i]) for i in range(2))
        scale = all(math.isclose(f(c * p[0], c * p[1])[i], c * f(*p)[i]) for i in range(2))
        return add and scale

    assert {k for k, f in maps.items() if is_linear(f)} == set(q["answers"])


# ------------------------------------------------------------ linear-systems
def test_linear_systems():
    check("linear-systems-01", solve([[1, 1], [1, -1]], [5, 1])[0])
    check("linear-systems-02", solve([[2, 1], [1, 3]], [7, 11])[1])
    check("linear-systems-10", solve([[1, 1, 1], [0, 1, 1], [0, 0, 1]], [6, 5, 3])[0])

    coeff = [[1, 2], [2, 4]]
    # linear-systems-03: consistent (ranks equal) and rank < unknowns -> infinitely many
    assert rank(coeff) == rank([[1, 2, 3], [2, 4, 6]]) == 1
    assert choice_answer("linear-systems-03") == "Infinitely many"
    # linear-systems-04: inconsistent (augmented rank larger) -> no solution
    assert rank([[1, 2, 3], [2, 4, 7]]) > rank(coeff)
    assert QUESTIONS["linear-systems-04"]["answer"] is True


# ------------------------------------------------- determinants-and-inverses
def test_determinants():
    check("determinants-and-inverses-03", det([[3, 8], [4, 6]]))
    check("determinants-and-inverses-04", det([[2, 5, 1], [0, 3, 7], [0, 0, -1]]))

    a = [[1, 2, 0], [0, 1, 1], [1, 0, 2]]
    assert det(a) == 4
    two_a = [[2 * x for x in row] for row in a]
    check("determinants-and-inverses-05", F(det(two_a), det(a)) * 3)

    # det(A^-1) for a concrete A with det 4
    b = [[2, 0], [0, 2]]
    b_inv = [[F(1, 2), 0], [0, F(1, 2)]]
    assert matmul(b, b_inv) == [[1, 0], [0, 1]] and det(b) == 4
    check("determinants-and-inverses-06", det(b_inv))

    k_values = [k for k in range(-20, 21) if det([[2, k], [3, 6]]) == 0]
    assert k_values == [4]
    check("determinants-and-inverses-13", k_values[0])

    assert choice_answer("determinants-and-inverses-11") == str(abs(-3) * 5)

    # swapping rows flips the sign
    m = [[1, 2, 3], [0, 4, 5], [1, 0, 6]]
    assert det([m[1], m[0], m[2]]) == -det(m)
    assert choice_answer("determinants-and-inverses-10") == "It flips its sign"


def test_inverse_choice():
    a = [[2, 1], [5, 3]]
    identity = [[1, 0], [0, 1]]
    candidates = {opt: parse_matrix(opt) for opt in QUESTIONS["determinants-and-inverses-07"]["options"]}
    only_option_matching("determinants-and-inverses-07", candidates,
                         lambda m: matmul(a, m) == identity and matmul(m, a) == identity)


def test_inverse_of_product():
    a, b = [[2, 1], [5, 3]], [[1, 2], [0, 1]]
    a_inv, b_inv = [[3, -1], [-5, 2]], [[1, -2], [0, 1]]
    ab = matmul(a, b)
    identity = [[1, 0], [0, 1]]
    assert matmul(ab, matmul(b_inv, a_inv)) == identity
    assert matmul(ab, matmul(a_inv, b_inv)) != identity
    assert QUESTIONS["determinants-and-inverses-09"]["answer"] is False


def test_singular_multi():
    # counter-examples for the wrong options
    assert det([[-1, -2], [-3, -1]]) != 0  # all entries negative, yet invertible
    assert det([[0, 1], [1, 0]]) != 0  # zeros on the diagonal, yet invertible
    assert det([[1, 1, 2], [3, 3, 4], [5, 5, 0]]) == 0  # equal columns
    q = QUESTIONS["determinants-and-inverses-12"]
    assert "All of its entries are negative" not in q["answers"]
    assert "It has a zero somewhere on its diagonal" not in q["answers"]


# ------------------------------------------------------------ vector-spaces
def test_vector_spaces():
    check("vector-spaces-01", rank([[1, 2, 3], [2, 4, 6], [1, 0, 1]]))
    check("vector-spaces-05", 8 - 3)
    check("vector-spaces-09", 2 * 3)
    # 20 columns, one is the sum of two others: build a generic example and take its rank
    import random
    rng = random.Random(0)
    rows = []
    for _ in range(40):
        r = [rng.randint(-9, 9) for _ in range(19)]
        rows.append(r + [r[0] + r[1]])
    assert rank(rows) == 19
    check("vector-spaces-10", rank(rows))

    sets = {
        "{(1, 2), (2, 1)}": [(1, 2), (2, 1)],
        "{(1, 2), (2, 4)}": [(1, 2), (2, 4)],
        "{(1, 0)}": [(1, 0)],
        "{(1, 0), (0, 1), (1, 1)}": [(1, 0), (0, 1), (1, 1)],
    }
    only_option_matching("vector-spaces-03", sets,
                         lambda vs: len(vs) == 2 and rank([list(v) for v in vs]) == 2)
    assert rank([[1, 2, 3], [4, 5, 6], [7, 8, 10], [1, 1, 1]]) <= 3  # vector-spaces-02


# --------------------------------------------- orthogonality-and-projections
def test_orthogonality():
    v, u = (2, 3), (1, 1)
    proj = [F(dot(v, u), dot(u, u)) * x for x in u]
    check("orthogonality-and-projections-01", proj[0])
    check("orthogonality-and-projections-02", dot((4, 2), (0.6, 0.8)))
    v1, v2 = (1, 1), (1, 0)
    w = [b - F(dot(v2, v1), dot(v1, v1)) * a for a, b in zip(v1, v2)]
    assert dot(w, v1) == 0
    check("orthogonality-and-projections-07", w[1])
    uu, vv = (3, 0), (0, 4)
    check("orthogonality-and-projections-09", norm([a + b for a, b in zip(uu, vv)]))

    # orthogonal but not unit columns: Q^T Q is diagonal, not I
    q = [[2, 0], [0, 3]]
    qtq = matmul([list(r) for r in zip(*q)], q)
    assert qtq == [[4, 0], [0, 9]] != [[1, 0], [0, 1]]
    assert QUESTIONS["orthogonality-and-projections-03"]["answer"] is False


# ---------------------------------------------- eigenvalues-and-eigenvectors
def test_eigenvalues():
    check("eigenvalues-and-eigenvectors-01", max(eig2([[4, 1], [2, 3]])))
    check("eigenvalues-and-eigenvectors-02", min(eig2([[2, 1], [1, 2]])))
    check("eigenvalues-and-eigenvectors-04", 2 * -1 * 4)
    # trace 7, determinant 12
    roots = sorted((7 + s * math.sqrt(49 - 48)) / 2 for s in (-1, 1))
    check("eigenvalues-and-eigenvectors-05", roots[1])
    assert eig2([[0, -1], [1, 0]]) is None
    assert QUESTIONS["eigenvalues-and-eigenvectors-13"]["answer"] is False


def test_eigenvector_choice():
    a = [[3, 1], [0, 2]]
    candidates = {opt: yaml.safe_load("[" + opt[1:-1] + "]")
                  for opt in QUESTIONS["eigenvalues-and-eigenvectors-03"]["options"]}
    only_option_matching("eigenvalues-and-eigenvectors-03", candidates,
                         lambda v: matvec(a, v) == [2 * x for x in v])


def test_triangular_eigenvalues_multi():
    q = QUESTIONS["eigenvalues-and-eigenvectors-14"]
    a = [[2, 7, 1], [0, -3, 4], [0, 0, 5]]

    def char(lam):
        return det([[a[i][j] - (lam if i == j else 0) for j in range(3)] for i in range(3)])

    assert {o for o in q["options"] if char(int(o)) == 0} == set(q["answers"])


def test_non_diagonalisable_example():
    # [[1, 1], [0, 1]]: eigenvalue 1 twice, but A - I has rank 1, so only one eigenvector direction
    assert eig2([[1, 1], [0, 1]]) == [1, 1]
    assert rank([[0, 1], [0, 0]]) == 1
    assert QUESTIONS["eigenvalues-and-eigenvectors-10"]["answer"] is False


# ---------------------------------------------------------------------- svd
def test_svd():
    check("svd-01", 7)
    a = [[3, 0], [0, -4]]
    ata = matmul([list(r) for r in zip(*a)], a)
    check("svd-06", max(math.sqrt(x) for x in eig2(ata)))
    check("svd-07", math.sqrt(2 ** 2 + 1 ** 2))
    check("svd-09", 1000 * 10 + 10 + 500 * 10)


# ------------------------------------------------------ functions-and-limits
def test_limits():
    f1 = lambda x: (x * x - 4) / (x - 2)  # noqa: E731
    check("functions-and-limits-01", round((f1(2 + 1e-7) + f1(2 - 1e-7)) / 2, 5))
    check("functions-and-limits-02", round(math.sin(1e-6) / 1e-6, 6))
    f3 = lambda x: (3 * x * x + 1) / (x * x - 5)  # noqa: E731
    check("functions-and-limits-03", round(f3(1e7), 6))
    f, g = (lambda x: x ** 2), (lambda x: x + 1)
    check("functions-and-limits-10", f(g(2)))
    assert sigmoid(-50) < 1e-20
    assert choice_answer("functions-and-limits-06") == "0"


# -------------------------------------------------------------- derivatives
def test_derivatives():
    check("derivatives-04", deriv(lambda x: x ** 3 - 2 * x, 2))
    check("derivatives-05", deriv(lambda x: x * x * math.exp(x), 1))
    check("derivatives-06", deriv(lambda x: x / (x + 1), 1))
    m = deriv(lambda x: x * x, 1)
    check("derivatives-11", 1 - m * 1)  # c = f(1) - m * 1


def test_derivative_choices():
    x0 = 0.7
    s = sigmoid
    sig_forms = {
        "σ(x)(1 - σ(x))": s(x0) * (1 - s(x0)),
        "σ(x)^2": s(x0) ** 2,
        "1 - σ(x)^2": 1 - s(x0) ** 2,
        "σ(x)(1 + σ(x))": s(x0) * (1 + s(x0)),
    }
    only_option_matching("derivatives-08", sig_forms,
                         lambda v: math.isclose(v, deriv(s, x0), rel_tol=1e-6))

    x1 = 1.3
    exp_forms = {
        "2^x ln(2)": 2 ** x1 * math.log(2),
        "x 2^(x-1)": x1 * 2 ** (x1 - 1),
        "2^x": 2 ** x1,
        "2^x / ln(2)": 2 ** x1 / math.log(2),
    }
    only_option_matching("derivatives-12", exp_forms,
                         lambda v: math.isclose(v, deriv(lambda x: 2 ** x, x1), rel_tol=1e-6))

    x2 = 2.0
    ln_forms = {
        "1/x": 1 / x2,
        "ln(x) / x": math.log(x2) / x2,
        "e^x": math.exp(x2),
        "x ln(x) - x": x2 * math.log(x2) - x2,
    }
    only_option_matching("derivatives-07", ln_forms,
                         lambda v: math.isclose(v, deriv(math.log, x2), rel_tol=1e-6))


# --------------------------------------------------------------- chain-rule
def test_chain_rule():
    check("chain-rule-01", deriv(lambda x: (3 * x + 1) ** 4, 0))
    check("chain-rule-02", deriv(lambda x: math.log(x * x + 1), 1))
    g2, dg2, df = 5, 3, {5: -2, 2: 7}
    check("chain-rule-03", df[g2] * dg2)

    w, b, x, t = 2.0, 1.0, 3.0, 4.0
    check("chain-rule-05", round(deriv(lambda ww: (ww * x + b - t) ** 2, w), 6))

    x = 2.0
    check("chain-rule-06", round(deriv(lambda ww: -math.log(sigmoid(ww * x)), 0.0), 6))
    check("chain-rule-10", round(deriv(lambda x: (x * x + 1) ** 3, 1), 6))
    check("chain-rule-11", deriv(lambda x: math.sin(math.exp(x)), 0))


def test_chain_rule_choices():
    x0 = 0.8
    forms = {
        "-2x e^(-x^2)": -2 * x0 * math.exp(-x0 ** 2),
        "e^(-x^2)": math.exp(-x0 ** 2),
        "-x^2 e^(-x^2 - 1)": -x0 ** 2 * math.exp(-x0 ** 2 - 1),
        "-2x e^(-2x)": -2 * x0 * math.exp(-2 * x0),
    }
    true_value = deriv(lambda x: math.exp(-x * x), x0)
    only_option_matching("chain-rule-04", forms, lambda v: math.isclose(v, true_value, rel_tol=1e-6))

    g, dg = (lambda x: math.sin(x) + 2), math.cos
    x1 = 0.4
    forms2 = {
        "2 g(x) g'(x)": 2 * g(x1) * dg(x1),
        "2 g'(x)": 2 * dg(x1),
        "2 g(x)": 2 * g(x1),
        "(g'(x))^2": dg(x1) ** 2,
    }
    true2 = deriv(lambda x: g(x) ** 2, x1)
    only_option_matching("chain-rule-12", forms2, lambda v: math.isclose(v, true2, rel_tol=1e-6))
    assert 0.25 == sigmoid(0) * (1 - sigmoid(0))  # max of σ' used in chain-rule-08


# ------------------------------------------ partial-derivatives-and-gradients
def test_partial_derivatives():
    f = lambda x, y: x * x * y + 3 * y  # noqa: E731
    check("partial-derivatives-and-gradients-01", round(deriv(lambda x: f(x, 1), 2), 6))
    check("partial-derivatives-and-gradients-02", round(deriv(lambda y: f(2, y), 1), 6))
    grad = (2 * 1, 2 * 2)
    check("partial-derivatives-and-gradients-07", dot(grad, (0.6, 0.8)))
    check("partial-derivatives-and-gradients-08", norm((3, 4)))
    check("partial-derivatives-and-gradients-10",
          round(deriv(lambda t: (t * t) * (3 * t), 1), 6))
    data = [(1, 2), (2, 3)]
    loss = lambda w: 0.5 * sum((w * x - y) ** 2 for x, y in data)  # noqa: E731
    check("partial-derivatives-and-gradients-12", round(deriv(loss, 1), 6))
    assert math.isclose(deriv(lambda x: x * 5.0, 1.0), 5.0)  # ∂(xy)/∂x = y, not 0
    assert QUESTIONS["partial-derivatives-and-gradients-11"]["answer"] is False


def test_gradient_choice():
    f = lambda x, y: x * x + 3 * x * y  # noqa: E731
    x0, y0 = 1.2, -0.7
    true = (deriv(lambda x: f(x, y0), x0), deriv(lambda y: f(x0, y), y0))
    forms = {
        "(2x + 3y, 3x)": (2 * x0 + 3 * y0, 3 * x0),
        "(2x, 3y)": (2 * x0, 3 * y0),
        "(2x + 3y, 3x + 3y)": (2 * x0 + 3 * y0, 3 * x0 + 3 * y0),
        "(2x + 3, 3x)": (2 * x0 + 3, 3 * x0),
    }
    only_option_matching("partial-derivatives-and-gradients-03", forms,
                         lambda g: all(math.isclose(a, b, rel_tol=1e-6) for a, b in zip(g, true)))


# ------------------------------------------------------ jacobian-and-hessian
def test_jacobian_and_hessian():
    f = lambda x, y: x * x * y + y ** 3  # noqa: E731
    fx = lambda x, y: deriv(lambda xx: f(xx, y), x)  # noqa: E731
    check("jacobian-and-hessian-02", round(deriv(lambda y: fx(1, y), 2, h=1e-3), 4))

    r, th = 2.0, 0.7
    jac = [[math.cos(th), -r * math.sin(th)], [math.sin(th), r * math.cos(th)]]
    check("jacobian-and-hessian-06", det(jac))

    x, y = 1, 2
    jac2 = [[2 * x * y, x * x], [1, 3]]
    # cross-check the analytic Jacobian entries by finite differences
    g1 = lambda x, y: x * x * y  # noqa: E731
    assert math.isclose(deriv(lambda t: g1(t, y), x), jac2[0][0], rel_tol=1e-6)
    assert math.isclose(deriv(lambda t: g1(x, t), y), jac2[0][1], rel_tol=1e-6)
    check("jacobian-and-hessian-10", det(jac2))
    assert choice_answer("jacobian-and-hessian-01") == "%d × %d" % (2, 3)


# ---------------------------------------------------------------- integrals
def test_integrals():
    check("integrals-01", integrate(lambda x: x * x, 0, 2))
    check("integrals-02", integrate(lambda x: x - x * x, 0, 1))
    check("integrals-03", integrate(math.sin, 0, math.pi))
    check("integrals-07", integrate(lambda x: x / 4, 0, 4))
    check("integrals-09", integrate(lambda x: 2 * x * math.exp(x * x), 0, 1))
    assert not math.isclose(integrate(lambda x: x * x, 0, 1),
                            integrate(lambda x: x, 0, 1) ** 2)
    assert QUESTIONS["integrals-10"]["answer"] is False


# ------------------------------------------------------------------- series
def test_series():
    check("series-01", sum(0.5 ** n for n in range(200)))
    check("series-02", sum((1 / 3) ** n for n in range(1, 200)))
    check("series-06", 1 + 0.1 + 0.1 ** 2 / 2)
    check("series-07", second_deriv(lambda x: math.log(1 + x), 0) / 2)
    assert sum(1 / n for n in range(1, 100001)) > 12  # harmonic series keeps growing
    assert QUESTIONS["series-03"]["answer"] is False
    # r = -2 satisfies r < 1 but the terms blow up
    assert abs((-2) ** 30) > 1e9


# --------------------------------------------------- differential-equations
def euler(f, y0, t_end, steps):
    h, y, t = t_end / steps, y0, 0.0
    for _ in range(steps):
        y, t = y + h * f(t, y), t + h
    return y


def test_differential_equations():
    check("differential-equations-02", euler(lambda t, y: 0.5 * y, 3.0, 2.0, 200000))
    check("differential-equations-03", euler(lambda t, y: y, 1.0, 1.0, 2))
    y, t, h = 1.0, 0.0, 1e-4
    while y > 0.5:
        y += h * (-0.1 * y)
        t += h
    check("differential-equations-04", t)
    check("differential-equations-10", round(1.0 + integrate(lambda x: 2 * x, 0, 3), 9))

    y_inf = euler(lambda t, y: -2 * (y - 5), 0.0, 20.0, 20000)
    assert math.isclose(y_inf, float(choice_answer("differential-equations-08")), abs_tol=1e-6)

    # dy/dt = 3, y(0) = 1: y = 3t fails the initial condition
    assert euler(lambda t, y: 3.0, 1.0, 2.0, 10) != 3 * 2.0
    assert QUESTIONS["differential-equations-09"]["answer"] is False


# ----------------------------------------------------- parametric-and-polar
def test_parametric_and_polar():
    check("parametric-and-polar-01", 2 * math.cos(math.pi / 3))
    check("parametric-and-polar-02", math.degrees(math.atan2(1, -1)) % 360)
    t = 0.9
    vel = [deriv(math.cos, t), deriv(math.sin, t), deriv(lambda s: s, t)]
    check("parametric-and-polar-03", norm(vel))
    check("parametric-and-polar-04", norm((deriv(lambda s: s * s, 2), deriv(lambda s: 3 * s, 2))))
    check("parametric-and-polar-07",
          deriv(lambda s: s ** 3, 2) / deriv(lambda s: s ** 2, 2))
    check("parametric-and-polar-09", integrate(lambda s: norm((3, 4)), 0, 2))

    tt = 1.7
    x, y = 2 * tt, tt * tt
    forms = {
        "y = x^2 / 4": x * x / 4,
        "y = 2x^2": 2 * x * x,
        "y = x^2 / 2": x * x / 2,
        "y = sqrt(x) / 2": math.sqrt(x) / 2,
    }
    only_option_matching("parametric-and-polar-10", forms, lambda v: math.isclose(v, y))


# ------------------------------------------------------ convexity-and-optima
def test_convexity_and_optima():
    f = lambda x: x * x - 6 * x + 5  # noqa: E731
    xs = [i / 1000 for i in range(-10000, 10001)]
    x_min = min(xs, key=f)
    check("convexity-and-optima-01", x_min)
    check("convexity-and-optima-02", f(x_min))
    g = lambda x: x * (10 - x)  # noqa: E731
    check("convexity-and-optima-08", max(g(x) for x in xs))
    h = lambda x: x * x - 2 * x  # noqa: E731
    grid = [i / 1000 for i in range(0, 4001)]
    assert choice_answer("convexity-and-optima-09") == "x = %g" % max(grid, key=h)


# ---------------------------------------------------------- gradient-descent
def gd(grad, w, lr, steps):
    for _ in range(steps):
        w = w - lr * grad(w)
    return w


def test_gradient_descent():
    check("gradient-descent-02", gd(lambda w: 2 * w, 3.0, 0.1, 1))
    check("gradient-descent-03", gd(lambda w: 2 * (w - 2), 0.0, 0.25, 2))
    check("gradient-descent-05", gd(lambda w: 2 * w, 7.0, 0.5, 1))
    check("gradient-descent-08", 10000 // 100)
    x, y = 2.0, 4.0
    check("gradient-descent-12", gd(lambda w: (w * x - y) * x, 0.0, 0.1, 1))


def test_gradient_descent_divergence_choice():
    q = QUESTIONS["gradient-descent-04"]
    diverging = [opt for opt in q["options"]
                 if abs(gd(lambda w: 2 * w, 1.0, float(opt), 100)) > 1e3]
    assert diverging == [q["answer"]]
