"""Every generator, over many seeds: the answer is recomputed independently from the problem's numbers."""

import math
import statistics
from fractions import Fraction

import pytest

from mlpath.core.generators import GENERATORS, make_problem, param_problems
from mlpath.core.questions import check, present

SEEDS = range(200)


def det(m):
    if len(m) == 1:
        return m[0][0]
    return sum((-1) ** j * m[0][j] * det([r[:j] + r[j + 1:] for r in m[1:]]) for j in range(len(m)))


def expected(name, params, d):
    if name == "determinant":
        return det(d["matrix"])
    if name == "matrix_vector_product":
        return tuple(sum(a * b for a, b in zip(row, d["vector"])) for row in d["matrix"])
    if name == "dot_product":
        return sum(a * b for a, b in zip(d["a"], d["b"]))
    if name == "cosine_similarity":
        a, b = d["a"], d["b"]
        return sum(x * y for x, y in zip(a, b)) / (math.hypot(*a) * math.hypot(*b))
    if name == "polynomial_derivative":
        c, x, h = d["coefficients"], d["x"], 1e-6
        f = lambda t: sum(ci * t**i for i, ci in enumerate(c))  # noqa: E731
        return (f(x + h) - f(x - h)) / (2 * h)  # numerical derivative, independent of the power rule
    if name == "bayes_from_counts":
        p_c = d["sick"] / (d["sick"] + d["healthy"])
        p_pos_c = d["tp"] / d["sick"]
        p_pos_h = d["fp"] / d["healthy"]
        return p_pos_c * p_c / (p_pos_c * p_c + p_pos_h * (1 - p_c))
    if name == "sample_statistic":
        xs, stat, sample = d["values"], params.get("statistic", "mean"), params.get("sample", False)
        return {"mean": statistics.mean(xs), "median": statistics.median(xs),
                "variance": statistics.variance(xs) if sample else statistics.pvariance(xs),
                "std": statistics.stdev(xs) if sample else statistics.pstdev(xs)}[stat]
    if name == "classification_metric":
        tp, fp, fn, tn = d["tp"], d["fp"], d["fn"], d["tn"]
        p, r = tp / (tp + fp), tp / (tp + fn)
        return {"accuracy": (tp + tn) / (tp + fp + fn + tn), "precision": p, "recall": r,
                "f1": 2 * p * r / (p + r), "specificity": tn / (tn + fp)}[params.get("metric", "f1")]
    if name == "conv_output_size":
        n, k, p, s = d["n"], d["k"], d["p"], d["s"]
        return len(range(0, n + 2 * p - k + 1, s))  # count the window positions
    if name == "softmax_probability":
        z = d["z"]
        m = max(z)
        return math.exp(z[d["index"]] - m) / sum(math.exp(v - m) for v in z)
    if name == "entropy":
        base = 2 if params.get("unit", "bits") == "bits" else math.e
        return -sum(p * math.log(p, base) for p in d["probabilities"])
    if name == "gradient_descent_step":
        a, b, x0, lr, h = d["a"], d["b"], d["x0"], d["lr"], 1e-6
        f = lambda x: a * x * x + b * x  # noqa: E731
        return x0 - lr * (f(x0 + h) - f(x0 - h)) / (2 * h)
    if name == "dense_layer_params":
        return d["inputs"] * d["outputs"] + (d["outputs"] if d["bias"] else 0)
    if name == "conv_layer_params":
        return d["out_channels"] * (d["kernel"] ** 2 * d["in_channels"]) + d["out_channels"]
    if name == "kfold_sizes":
        folds = [len(range(i, d["n"], d["k"])) for i in range(d["k"])]
        return folds[0] if params.get("ask", "validation") == "validation" else d["n"] - folds[0]
    if name == "sigmoid":
        return math.exp(d["z"]) / (1 + math.exp(d["z"]))
    if name == "regression_metric":
        errs = [a - b for a, b in zip(d["y"], d["yhat"])]
        mse = statistics.fmean(e * e for e in errs)
        return {"mse": mse, "mae": statistics.fmean(abs(e) for e in errs), "rmse": mse ** 0.5}[params.get("metric", "mse")]
    if name == "expected_value":
        return sum(v * p for v, p in zip(d["values"], d["probabilities"]))
    if name == "binomial_probability":
        n, k, p = d["n"], d["k"], Fraction(str(d["p"]))
        return float(math.factorial(n) / (math.factorial(k) * math.factorial(n - k)) * p**k * (1 - p) ** (n - k))
    if name == "bernoulli_variance":
        p = d["p"]
        return p * 1 - p * p  # E[X^2] - E[X]^2
    raise AssertionError(f"no independent check for {name}")


def param_sets(name):
    spec = GENERATORS[name].params
    yield {}
    for key, p in spec.items():
        for choice in p.choices:
            yield {key: choice}


CASES = [(name, params) for name in GENERATORS for params in param_sets(name)]


def test_at_least_ten_generators():
    assert len(GENERATORS) >= 10


@pytest.mark.parametrize("name,params", CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_generator_answers(name, params):
    for seed in SEEDS:
        problem = make_problem(name, params, seed)
        want = expected(name, params, problem.data)
        tol = max(problem.tolerance, 1e-6)
        if isinstance(want, tuple):
            assert problem.answer == pytest.approx(want)
        else:
            assert problem.answer == pytest.approx(want, abs=1e-5)
            # the rounded answer a learner types (as the prompt asks) is accepted
            if problem.tolerance == 0:
                assert abs(want - round(want)) < 1e-4  # exact answers are whole numbers
                typed = str(round(want))
            elif tol >= 0.0015:
                typed = f"{want:.3f}"
            elif tol >= 0.00015:
                typed = f"{want:.4f}"
            else:
                typed = repr(round(want, 8))
            p = present({"id": "x", "topic": "t", "kind": "generated", "generator": name, "params": params}, seed)
            assert check(p, typed) is True, (name, params, seed, typed, p.answer)
        assert problem.prompt and problem.explanation


def test_same_seed_same_problem_different_seed_varies():
    for name in GENERATORS:
        assert make_problem(name, None, 7) == make_problem(name, None, 7)
        assert len({make_problem(name, None, s).prompt for s in range(20)}) > 1, name


def test_param_validation():
    assert param_problems("determinant", {"size": 3}) == []
    assert param_problems("determinant", {"size": 9})
    assert param_problems("determinant", {"colour": 1})
    assert param_problems("sample_statistic", {"sample": 1})  # 1 is not a bool
    assert param_problems("nope", None)
