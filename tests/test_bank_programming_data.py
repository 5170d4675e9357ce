"""Checks for content/questions/04-programming-data.yaml.

Python, C and SQL code shown in prompts is actually executed here and its output is compared with the stored
answer; other computed answers are recomputed independently with plain Python. The file is loaded directly, without
importing mlpath.
"""

import contextlib
import fractions
import io
import itertools
import math
import pathlib
import shutil
import sqlite3
import statistics
import subprocess
import textwrap

import pytest
import yaml
from bank_format import KIND_FIELDS, COMMON_FIELDS

ROOT = pathlib.Path(__file__).resolve().parents[1]
QLIST = yaml.safe_load((ROOT / "content/questions/04-programming-data.yaml").read_text(encoding="utf-8"))["questions"]
QUESTIONS = {q["id"]: q for q in QLIST}

MY_TOPICS = [
    "python-basics", "python-control-flow", "python-data-structures", "python-functions", "python-exceptions",
    "python-oop", "python-environments", "algorithms-and-complexity", "discrete-mathematics",
    "computer-fundamentals", "command-line-and-git", "sql", "c-language", "r-language",
    "jupyter", "numpy", "pandas", "matplotlib", "seaborn", "scipy", "sympy",
    "data-collection", "data-formats", "exploratory-data-analysis", "data-cleaning", "feature-engineering",
    "feature-scaling", "feature-selection", "imbalanced-data",
]
BIG_TOPICS = [
    "python-basics", "python-control-flow", "python-data-structures", "python-functions", "python-oop",
    "numpy", "pandas", "data-cleaning", "feature-engineering", "feature-scaling",
]


# ---------------------------------------------------------------------------------------------- helpers

def code_of(q):
    """The code block of a prompt: the lines indented by four spaces (blank lines inside it are kept)."""
    lines = q["prompt"].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("    "))
    end = start
    for i in range(start, len(lines)):
        if lines[i].startswith("    "):
            end = i
        elif lines[i].strip():
            break
    return textwrap.dedent("\n".join(lines[start:end + 1]))


def run_python(code):
    """Run a snippet; return what it printed (stripped), or the name of the exception it raised."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<snippet>", "exec"), {"__name__": "__snippet__"})
    except Exception as exc:  # noqa: BLE001 - the exception is the answer
        assert out.getvalue() == "", "a snippet should not print before it raises"
        return type(exc).__name__
    return out.getvalue().strip()


def expected(q):
    if q["kind"] == "text":
        return q["answers"]
    return q["answer"]


def check_output(q, output):
    if q["kind"] == "numeric":
        assert math.isclose(float(output), q["answer"], abs_tol=q.get("tolerance", 1e-9)), (q["id"], output)
    elif q["kind"] == "text":
        assert output in q["answers"], (q["id"], output)
    else:
        assert output == q["answer"], (q["id"], output)


def close(q, value):
    assert math.isclose(q["answer"], value, abs_tol=q.get("tolerance", 1e-9)), (q["id"], q["answer"], value)


# ---------------------------------------------------------------------------------------------- generic rules

def test_structure_and_generic_rules():
    ids = [q["id"] for q in QLIST]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for q in QLIST:
        assert q["topic"] in MY_TOPICS, q["id"]
        assert q["kind"] in KIND_FIELDS, q["id"]
        suffix = q["id"][len(q["topic"]) + 1:]
        assert q["id"].startswith(q["topic"] + "-") and len(suffix) == 2 and suffix.isdigit(), q["id"]
        allowed = COMMON_FIELDS | KIND_FIELDS[q["kind"]]
        assert set(q) <= allowed, (q["id"], set(q) - allowed)
        if q["kind"] == "generated":
            assert "generator" in q, q["id"]
            continue
        for field in ("prompt", "explanation"):
            assert isinstance(q.get(field), str) and q[field].strip(), (q["id"], field)
        if q["kind"] == "choice":
            opts = q["options"]
            assert 3 <= len(opts) <= 5, q["id"]
            assert all(isinstance(o, str) for o in opts), q["id"]
            assert len(set(opts)) == len(opts), q["id"]
            assert opts.count(q["answer"]) == 1, q["id"]
        elif q["kind"] == "multi":
            opts = q["options"]
            assert 3 <= len(opts) <= 6, q["id"]
            assert len(set(opts)) == len(opts), q["id"]
            assert q["answers"] and len(set(q["answers"])) == len(q["answers"]), q["id"]
            assert set(q["answers"]) <= set(opts), q["id"]
            assert "select all" in q["prompt"].lower(), q["id"]
        elif q["kind"] == "true_false":
            assert isinstance(q["answer"], bool), q["id"]
        elif q["kind"] == "numeric":
            assert isinstance(q["answer"], (int, float)) and not isinstance(q["answer"], bool), q["id"]
        elif q["kind"] == "text":
            assert q["answers"] and all(isinstance(a, str) and a.strip() for a in q["answers"]), q["id"]
        elif q["kind"] == "flashcard":
            assert isinstance(q["answer"], str) and q["answer"].strip(), q["id"]


def test_counts_per_topic_and_order():
    counts = {t: 0 for t in MY_TOPICS}
    for q in QLIST:
        counts[q["topic"]] += 1
    for topic, n in counts.items():
        assert n >= (10 if topic in BIG_TOPICS else 8), (topic, n)
    order = [MY_TOPICS.index(q["topic"]) for q in QLIST]
    assert order == sorted(order), "questions must be grouped by topic in skeleton order"


def test_true_false_balance():
    tf = [q["answer"] for q in QLIST if q["kind"] == "true_false"]
    assert abs(tf.count(True) - tf.count(False)) <= max(3, len(tf) // 4)


# ---------------------------------------------------------------------------------------------- Python snippets

# Questions whose prompt shows pure-Python code whose output (or exception) is the answer.
PYTHON_OUTPUT = [
    "python-basics-01", "python-basics-02", "python-basics-03", "python-basics-04", "python-basics-06",
    "python-basics-07", "python-basics-08", "python-basics-09", "python-basics-10", "python-basics-11",
    "python-control-flow-01", "python-control-flow-02", "python-control-flow-03", "python-control-flow-04",
    "python-control-flow-05", "python-control-flow-06", "python-control-flow-07", "python-control-flow-08",
    "python-control-flow-09", "python-control-flow-11", "python-control-flow-13",
    "python-data-structures-01", "python-data-structures-02", "python-data-structures-03",
    "python-data-structures-04", "python-data-structures-05", "python-data-structures-08",
    "python-data-structures-09", "python-data-structures-10", "python-data-structures-11",
    "python-data-structures-12", "python-data-structures-14",
    "python-functions-01", "python-functions-02", "python-functions-03", "python-functions-04",
    "python-functions-05", "python-functions-06", "python-functions-07", "python-functions-10",
    "python-functions-11", "python-functions-13",
    "python-exceptions-01", "python-exceptions-02", "python-exceptions-03", "python-exceptions-04",
    "python-exceptions-05", "python-exceptions-08", "python-exceptions-09", "python-exceptions-10",
    "python-oop-01", "python-oop-03", "python-oop-04", "python-oop-05", "python-oop-08", "python-oop-09",
    "python-oop-10", "python-oop-13",
]
# Python-topic questions that show code but are checked by a dedicated test below (or need no run).
PYTHON_CODE_OTHER = ["python-basics-12", "python-functions-09"]
PYTHON_TOPICS = {"python-basics", "python-control-flow", "python-data-structures", "python-functions",
                 "python-exceptions", "python-oop"}


@pytest.mark.parametrize("qid", PYTHON_OUTPUT)
def test_python_snippet_output(qid):
    q = QUESTIONS[qid]
    check_output(q, run_python(code_of(q)))


def test_every_python_snippet_is_checked():
    listed = set(PYTHON_OUTPUT) | set(PYTHON_CODE_OTHER)
    for q in QLIST:
        if q["topic"] in PYTHON_TOPICS and "\n    " in q.get("prompt", ""):
            assert q["id"] in listed, q["id"]


def test_python_basics_05_float_sum():
    assert QUESTIONS["python-basics-05"]["answer"] is (not (0.1 + 0.2 == 0.3))


def test_python_basics_12_strings_immutable():
    q = QUESTIONS["python-basics-12"]
    code = code_of(q) + "\nprint(s)"
    assert (run_python(code) == "Data") is q["answer"]


def test_python_control_flow_12_falsy_values():
    q = QUESTIONS["python-control-flow-12"]
    values = {"0.0": 0.0, "[]": [], "None": None, "'False' (a non-empty string)": "False",
              "[0] (a list holding a zero)": [0]}
    assert set(values) == set(q["options"])
    assert {k for k, v in values.items() if not v} == set(q["answers"])


def test_python_control_flow_14_assignment_in_if_is_syntax_error():
    q = QUESTIONS["python-control-flow-14"]
    with pytest.raises(SyntaxError):
        compile("x = 5\nif x = 5:\n    pass\n", "<snippet>", "exec")
    assert q["answer"] is False


def test_python_data_structures_07_hashable_keys():
    q = QUESTIONS["python-data-structures-07"]
    hashable = []
    for opt in q["options"]:
        try:
            hash(eval(opt))
            hashable.append(opt)
        except TypeError:
            pass
    assert hashable == [q["answer"]]


def test_python_data_structures_13_mutable_types():
    q = QUESTIONS["python-data-structures-13"]
    samples = {"list": [1], "tuple": (1,), "dict": {1: 1}, "str": "a", "set": {1}, "frozenset": frozenset({1})}
    mutable = set()
    for name, obj in samples.items():
        try:
            hash(obj)
        except TypeError:
            mutable.add(name)
    assert set(samples) == set(q["options"])
    assert mutable == set(q["answers"])


def test_python_functions_08_import_alias():
    q = QUESTIONS["python-functions-08"]
    working = []
    for opt in q["options"]:
        ns = {}
        exec("import math as m", ns)
        try:
            if eval(opt, ns) == 4.0:
                working.append(opt)
        except (NameError, AttributeError):
            pass
    assert working == [q["answer"]]


def test_python_exceptions_07_raise_statement():
    q = QUESTIONS["python-exceptions-07"]
    raises_value_error = []
    for opt in q["options"]:
        try:
            exec(compile(opt, "<opt>", "exec"), {})
        except ValueError:
            raises_value_error.append(opt)
        except (SyntaxError, TypeError):
            pass
    assert raises_value_error == [q["answer"]]


def test_python_oop_06_len_dunder():
    q = QUESTIONS["python-oop-06"]
    working = []
    for name in q["options"]:
        cls = type("Thing", (), {name: lambda self: 3})
        try:
            len(cls())
            working.append(name)
        except TypeError:
            pass
    assert working == [q["answer"]]


# Python snippets in the other topics.
OTHER_PYTHON_OUTPUT = ["computer-fundamentals-09", "data-formats-10"]


@pytest.mark.parametrize("qid", OTHER_PYTHON_OUTPUT)
def test_other_python_snippet_output(qid):
    q = QUESTIONS[qid]
    check_output(q, run_python(code_of(q)))


# ---------------------------------------------------------------------------------------------- algorithms

def test_algorithms_04_binary_search_comparisons():
    n = 1_000_000
    assert QUESTIONS["algorithms-and-complexity-04"]["answer"] == math.floor(math.log2(n)) + 1 == n.bit_length()

    # Simulate the worst case on a smaller list to confirm the floor(log2 n) + 1 formula.
    def comparisons(xs, target):
        lo, hi, count = 0, len(xs) - 1, 0
        while lo <= hi:
            mid = (lo + hi) // 2
            count += 1
            if xs[mid] == target:
                return count
            if xs[mid] < target:
                lo = mid + 1
            else:
                hi = mid - 1
        return count

    for size in (1, 7, 8, 1000, 1024):
        xs = list(range(0, 2 * size, 2))
        worst = max(comparisons(xs, t) for t in range(-1, 2 * size + 1))
        assert worst == math.floor(math.log2(size)) + 1


def test_algorithms_11_quadratic_scaling():
    close(QUESTIONS["algorithms-and-complexity-11"], 2 * (3000 / 1000) ** 2)


def test_algorithms_03_nested_loop_count():
    calls = 0

    def count_pairs(xs):
        nonlocal calls
        count = 0
        for a in xs:
            for b in xs:
                calls += 1
                if a + b == 0:
                    count += 1
        return count

    count_pairs(list(range(30)))
    assert calls == 30 ** 2 and QUESTIONS["algorithms-and-complexity-03"]["answer"] == "O(n^2)"


# ---------------------------------------------------------------------------------------------- discrete maths

def test_discrete_counting():
    elements = range(5)
    subsets = sum(1 for k in range(6) for _ in itertools.combinations(elements, k))
    close(QUESTIONS["discrete-mathematics-01"], subsets)
    close(QUESTIONS["discrete-mathematics-02"], len(list(itertools.combinations(range(6), 2))))
    close(QUESTIONS["discrete-mathematics-03"], len(list(itertools.permutations(range(4)))))
    python = set(range(10))
    r = set(range(7, 14))  # 3 people (7, 8, 9) use both
    assert len(python & r) == 3
    close(QUESTIONS["discrete-mathematics-06"], len(python | r))
    close(QUESTIONS["discrete-mathematics-09"], 12 + 1)


def test_discrete_graphs():
    edges = [(0, 1), (1, 2), (2, 3), (3, 0), (0, 2), (4, 5), (5, 6), (1, 6)]
    assert len(edges) == 8
    degrees = {}
    for a, b in edges:
        degrees[a] = degrees.get(a, 0) + 1
        degrees[b] = degrees.get(b, 0) + 1
    close(QUESTIONS["discrete-mathematics-07"], sum(degrees.values()))
    # A path is a tree; so is a star. Both have n - 1 edges for n = 12 vertices.
    path = [(i, i + 1) for i in range(11)]
    star = [(0, i) for i in range(1, 12)]
    assert len(path) == len(star) == QUESTIONS["discrete-mathematics-08"]["answer"]


def test_discrete_logic():
    rows = list(itertools.product([False, True], repeat=2))
    implies = {(p, q): (not p) or q for p, q in rows}
    assert ([k for k, v in implies.items() if not v] == [(True, False)]) is QUESTIONS["discrete-mathematics-04"]["answer"]
    q5 = QUESTIONS["discrete-mathematics-05"]
    equivalent = [opt for opt in q5["options"]
                  if all(eval(opt, {"A": a, "B": b}) == (not (a and b)) for a, b in rows)]
    assert equivalent == [q5["answer"]]
    converse_equivalent = all(((not p) or q) == ((not q) or p) for p, q in rows)
    assert converse_equivalent is QUESTIONS["discrete-mathematics-10"]["answer"]


# ---------------------------------------------------------------------------------------------- computer fundamentals

def test_computer_fundamentals_numbers():
    import struct
    close(QUESTIONS["computer-fundamentals-01"], int("1011", 2))
    close(QUESTIONS["computer-fundamentals-02"], len(list(itertools.product("01", repeat=8))))
    close(QUESTIONS["computer-fundamentals-03"], 1_000_000 * struct.calcsize("d") / 1_000_000)
    close(QUESTIONS["computer-fundamentals-04"], int("FF", 16))
    assert (fractions.Fraction(0.1) != fractions.Fraction(1, 10)) is QUESTIONS["computer-fundamentals-06"]["answer"]
    lo, hi = struct.unpack("b", b"\x80")[0], struct.unpack("b", b"\x7f")[0]
    assert QUESTIONS["computer-fundamentals-07"]["answer"] == f"{lo} to {hi}"


# ---------------------------------------------------------------------------------------------- SQL

def orders_db():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, amount INTEGER)")
    db.executemany("INSERT INTO orders VALUES (?, ?, ?)",
                   [(1, "ann", 30), (2, "bob", 20), (3, "ann", 50), (4, "cara", 10)])
    db.execute("CREATE TABLE readings (amount INTEGER)")
    db.executemany("INSERT INTO readings VALUES (?)", [(30,), (None,), (50,), (10,)])
    db.execute("CREATE TABLE customers (name TEXT)")
    db.executemany("INSERT INTO customers VALUES (?)", [("ann",), ("bob",), ("cara",)])
    db.execute("CREATE TABLE orders2 (customer TEXT, amount INTEGER)")
    db.executemany("INSERT INTO orders2 VALUES (?, ?)", [("ann", 30), ("bob", 20), ("ann", 50)])
    return db


def flat(text):
    return " ".join(text.split())


def sql_rows(qid, query, replace=None):
    """Run a query shown in a prompt (checked to appear there) and return all its rows."""
    assert flat(query) in flat(QUESTIONS[qid]["prompt"]), qid
    db = orders_db()
    if replace:
        query = query.replace(*replace)
    return db.execute(query).fetchall()


def test_sql_01_count_where():
    rows = sql_rows("sql-01", "SELECT COUNT(*) FROM orders WHERE amount > 25;")
    close(QUESTIONS["sql-01"], rows[0][0])


def test_sql_02_sum():
    rows = sql_rows("sql-02", "SELECT SUM(amount) FROM orders WHERE customer = 'ann';")
    close(QUESTIONS["sql-02"], rows[0][0])


def test_sql_03_having():
    db = orders_db()
    ok = db.execute("SELECT customer FROM orders GROUP BY customer HAVING SUM(amount) > 60").fetchall()
    assert ok == [("ann",)]
    with pytest.raises(sqlite3.OperationalError):
        db.execute("SELECT customer FROM orders WHERE SUM(amount) > 60 GROUP BY customer").fetchall()
    assert QUESTIONS["sql-03"]["answer"] == "HAVING SUM(amount) > 100"


def test_sql_04_count_star_vs_column():
    a = sql_rows("sql-04", "SELECT COUNT(*) FROM readings;")[0][0]
    b = sql_rows("sql-04", "SELECT COUNT(amount) FROM readings;")[0][0]
    assert QUESTIONS["sql-04"]["answer"] == f"{a} and {b}"


def test_sql_05_left_join():
    query = "SELECT c.name, o.amount FROM customers c LEFT JOIN orders o ON o.customer = c.name;"
    rows = sql_rows("sql-05", query, replace=("JOIN orders o", "JOIN orders2 o"))
    close(QUESTIONS["sql-05"], len(rows))


def test_sql_08_group_by_rows():
    rows = sql_rows("sql-08", "SELECT customer, SUM(amount) FROM orders GROUP BY customer;")
    close(QUESTIONS["sql-08"], len(rows))


def test_sql_09_equals_null_matches_nothing():
    db = orders_db()
    matched = db.execute("SELECT COUNT(*) FROM readings WHERE amount = NULL").fetchone()[0]
    assert db.execute("SELECT COUNT(*) FROM readings WHERE amount IS NULL").fetchone()[0] == 1
    assert (matched == 1) is QUESTIONS["sql-09"]["answer"]


def test_sql_10_avg_ignores_null():
    rows = sql_rows("sql-10", "SELECT AVG(amount) FROM readings;")
    close(QUESTIONS["sql-10"], rows[0][0])


def test_sql_11_order_by_limit():
    rows = sql_rows("sql-11", "SELECT customer FROM orders ORDER BY amount DESC LIMIT 1;")
    assert rows[0][0] in QUESTIONS["sql-11"]["answers"]


# ---------------------------------------------------------------------------------------------- C

C_OUTPUT = ["c-language-01", "c-language-02", "c-language-03", "c-language-04", "c-language-05"]


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
@pytest.mark.parametrize("qid", C_OUTPUT)
def test_c_snippet_output(qid, tmp_path):
    q = QUESTIONS[qid]
    code = code_of(q)
    if "main(" not in code:
        code = "#include <stdio.h>\nint main(void) {\n" + code + "\nreturn 0;\n}\n"
    (tmp_path / "prog.c").write_text(code)
    subprocess.run(["gcc", "-std=c11", "-w", "prog.c", "-o", "prog"], cwd=tmp_path, check=True)
    result = subprocess.run([str(tmp_path / "prog")], capture_output=True, text=True, check=True)
    check_output(q, result.stdout.strip())


# ---------------------------------------------------------------------------------------------- NumPy (pure-Python models)

def broadcast_shape(a, b):
    """NumPy's broadcasting rule; None when the shapes are incompatible."""
    out = []
    for x, y in itertools.zip_longest(reversed(a), reversed(b), fillvalue=1):
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y))
    return tuple(reversed(out))


def matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]


def test_numpy_shapes():
    assert QUESTIONS["numpy-01"]["answer"] == str((3, 4)[1:])  # summing away axis 0 of (3, 4)
    assert QUESTIONS["numpy-02"]["answer"] == str(broadcast_shape((3, 1), (4,)))
    assert broadcast_shape((3, 2), (3,)) is None
    assert QUESTIONS["numpy-03"]["answer"].startswith("A ValueError")
    inferred = 24 // (2 * 4)
    assert QUESTIONS["numpy-09"]["answer"] == str((2, inferred, 4))
    # (100, 5) @ (5,): the 1-D operand's dimension is contracted away.
    assert QUESTIONS["numpy-11"]["answer"] == str((100, 5)[:1])


def test_numpy_05_matmul_entry():
    a = [[1, 2], [3, 4]]
    close(QUESTIONS["numpy-05"], matmul(a, a)[0][1])


def test_numpy_06_view_semantics_model():
    a = [1, 2, 3, 4]
    a[1] = 99  # b = a[1:3] is a view, so b[0] is a[1]
    assert QUESTIONS["numpy-06"]["answer"] == ", ".join(map(str, a))


def test_numpy_07_mask_assignment():
    x = [3, -1, 4, -5]
    x = [0 if v < 0 else v for v in x]
    close(QUESTIONS["numpy-07"], sum(x))


def test_numpy_12_linspace():
    def linspace(start, stop, num):
        return [start + (stop - start) * i / (num - 1) for i in range(num)]

    def arange(start, stop, step):
        n = math.ceil((stop - start) / step)
        return [start + i * step for i in range(max(n, 0))]

    target = [0, 0.25, 0.5, 0.75, 1.0]
    found = []
    for opt in QUESTIONS["numpy-12"]["options"]:
        values = eval(opt, {"np": type("np", (), {"linspace": staticmethod(linspace),
                                                  "arange": staticmethod(arange)})})
        if len(values) == 5 and all(math.isclose(v, t) for v, t in zip(values, target)):
            found.append(opt)
    assert found == [QUESTIONS["numpy-12"]["answer"]]


# ---------------------------------------------------------------------------------------------- pandas (pure-Python models)

def test_pandas_02_loc_vs_iloc():
    index = [10, 20, 30, 40]
    by_label = [i for i in index if 10 <= i <= 30]  # loc: both ends included
    by_position = index[1:3]  # iloc: end excluded
    assert QUESTIONS["pandas-02"]["answer"] == f"{len(by_label)} {len(by_position)}"


def test_pandas_04_groupby_mean():
    teams = ["A", "B", "A", "B", "A"]
    points = [10, 5, 20, 15, 30]
    close(QUESTIONS["pandas-04"], statistics.mean(p for t, p in zip(teams, points) if t == "A"))


def test_pandas_07_left_merge_rows():
    customers = [1, 2, 3]
    orders = [1, 1, 2]
    rows = sum(max(1, orders.count(c)) for c in customers)
    close(QUESTIONS["pandas-07"], rows)


def test_pandas_11_describe_rows():
    stats = ["count", "mean", "std", "min", "25%", "50%", "75%", "max"]
    close(QUESTIONS["pandas-11"], len(stats))


# ---------------------------------------------------------------------------------------------- SciPy and SymPy

def normal_cdf(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def test_scipy_values():
    close(QUESTIONS["scipy-03"], normal_cdf(0))
    close(QUESTIONS["scipy-04"], normal_cdf(1.96))
    n = 30_000  # Simpson's rule for the integral of x^2 from 0 to 3
    h = 3 / n
    simpson = h / 3 * sum((1 if i in (0, n) else 4 if i % 2 else 2) * (i * h) ** 2 for i in range(n + 1))
    close(QUESTIONS["scipy-07"], simpson)
    close(QUESTIONS["scipy-08"], math.comb(4, 2) * 0.5 ** 2 * 0.5 ** 2)


def test_sympy_derivatives_and_expansions():
    xs = [-2.0, -0.5, 0.3, 1.0, 2.5]
    h = 1e-6
    q1 = QUESTIONS["sympy-01"]
    good = [opt for opt in q1["options"]
            if all(math.isclose(eval(opt, {"x": x}), ((x + h) ** 3 - (x - h) ** 3) / (2 * h), rel_tol=1e-5)
                   for x in xs)]
    assert good == [q1["answer"]]
    q8 = QUESTIONS["sympy-08"]
    good = [opt for opt in q8["options"] if all(math.isclose(eval(opt, {"x": x}), (x + 1) ** 2) for x in xs)]
    # "(x + 1)**2" has the same value; the question asks for the expanded form, which must be the answer.
    assert q8["answer"] in good and "(" not in q8["answer"] and q8["answer"] == "x**2 + 2*x + 1"
    q10 = QUESTIONS["sympy-10"]
    good = [opt for opt in q10["options"]
            if all(math.isclose(eval(opt, {"x": x, "y": 1.7}),
                                (x ** 2 * (1.7 + h) - x ** 2 * (1.7 - h)) / (2 * h), rel_tol=1e-5) for x in xs)]
    assert good == [q10["answer"]]


def test_sympy_values():
    close(QUESTIONS["sympy-02"], 3 ** 2 - 0 ** 2)  # antiderivative of 2x is x^2
    roots = sorted(x for x in range(-10, 11) if x ** 2 - 4 == 0)
    assert QUESTIONS["sympy-03"]["answer"] == str(roots)
    assert QUESTIONS["sympy-04"]["answer"] == str(fractions.Fraction(1, 3) + fractions.Fraction(1, 6))
    close(QUESTIONS["sympy-05"], 3 ** 2 + 1)
    assert math.isclose(math.sin(1e-6) / 1e-6, QUESTIONS["sympy-07"]["answer"], rel_tol=1e-9)
    assert math.isclose(2 * math.sqrt(2), math.sqrt(8)) and QUESTIONS["sympy-09"]["answer"] == "2*sqrt(2)"


# ---------------------------------------------------------------------------------------------- data preparation

def test_eda_04_iqr_fence():
    q1, q3 = 10, 18
    close(QUESTIONS["exploratory-data-analysis-04"], q3 + 1.5 * (q3 - q1))


def test_data_cleaning_values():
    close(QUESTIONS["data-cleaning-03"], statistics.median([3, 100, 5, 7]))
    rows = list(zip(["ann", "bob", "ann", "ann"], [1, 2, 1, 3]))
    close(QUESTIONS["data-cleaning-05"], len(dict.fromkeys(rows)))
    close(QUESTIONS["data-cleaning-07"], (68 - 50) / 5)
    age = [25, None, 41, 35, None]
    income = [50000, 62000, None, 58000, None]
    any_missing = sum(1 for a, i in zip(age, income) if a is not None and i is not None)
    not_all_missing = sum(1 for a, i in zip(age, income) if a is not None or i is not None)
    assert QUESTIONS["data-cleaning-10"]["answer"] == f"{any_missing} {not_all_missing}"


def test_feature_engineering_values():
    close(QUESTIONS["feature-engineering-01"], len(set(["red", "green", "blue", "green"])))

    def enc(h):
        return (math.sin(2 * math.pi * h / 24), math.cos(2 * math.pi * h / 24))

    close(QUESTIONS["feature-engineering-05"], math.dist(enc(23), enc(1)))
    monomials = [c for d in range(3) for c in itertools.combinations_with_replacement("abc", d)]
    close(QUESTIONS["feature-engineering-11"], len(monomials))


def test_feature_scaling_values():
    close(QUESTIONS["feature-scaling-01"], (70 - 50) / 10)
    close(QUESTIONS["feature-scaling-02"], (30 - 10) / (60 - 10))
    close(QUESTIONS["feature-scaling-07"], (60 - 0) / (50 - 0))
    close(QUESTIONS["feature-scaling-13"], 20 + -1.5 * 4)
    norm = math.hypot(3, 4)
    assert QUESTIONS["feature-scaling-08"]["answer"] == f"({3 / norm:g}, {4 / norm:g})"
    l1 = QUESTIONS["feature-scaling-08"]["options"]
    assert f"({3 / 7:.2f}, {4 / 7:.2f})" in l1


def test_feature_scaling_shape_is_unchanged():
    xs = [1, 2, 2, 3, 10, 30]

    def skew(v):
        m = statistics.mean(v)
        s = statistics.pstdev(v)
        return statistics.mean(((x - m) / s) ** 3 for x in v)

    z = [(x - statistics.mean(xs)) / statistics.pstdev(xs) for x in xs]
    assert math.isclose(skew(xs), skew(z)) is QUESTIONS["feature-scaling-12"]["answer"]


def test_imbalanced_values():
    tp, fn, tn, fp = 0, 10, 990, 0
    close(QUESTIONS["imbalanced-data-01"], (tp + tn) / (tp + tn + fp + fn))
    close(QUESTIONS["imbalanced-data-02"], tp / (tp + fn))
    close(QUESTIONS["imbalanced-data-05"], 1000 / (2 * 100))
