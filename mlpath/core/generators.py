"""Generators of fresh numeric problems.

A `generated` question names a generator and its parameters (never code). Each call draws fresh numbers from the
seeded ``random.Random`` it is given and returns the problem with its exact answer, so a card teaches the method
rather than a memorised number. Every generator here is recomputed independently in tests/test_generators.py.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class Problem:
    prompt: str
    answer: float | tuple[float, ...]
    tolerance: float
    explanation: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Param:
    choices: tuple[Any, ...]
    default: Any


@dataclass(frozen=True)
class Generator:
    name: str
    params: dict[str, Param]
    make: Callable[..., Problem]


GENERATORS: dict[str, Generator] = {}


def generator(name: str, **params: Param) -> Callable[[Callable[..., Problem]], Callable[..., Problem]]:
    def register(fn: Callable[..., Problem]) -> Callable[..., Problem]:
        GENERATORS[name] = Generator(name, params, fn)
        return fn

    return register


def param_problems(name: str, params: Any) -> list[str]:
    """What is wrong with a generator name and its params (empty when fine)."""
    if name not in GENERATORS:
        return [f"unknown generator {name!r} (known: {', '.join(sorted(GENERATORS))})"]
    if params is None:
        return []
    if not isinstance(params, dict):
        return ["params must be a mapping"]
    spec = GENERATORS[name].params
    out = []
    for key, value in params.items():
        if key not in spec:
            out.append(f"generator {name!r} has no parameter {key!r} (it takes: {', '.join(spec) or 'none'})")
        elif value not in spec[key].choices or isinstance(value, bool) != isinstance(spec[key].default, bool):
            out.append(f"generator {name!r}: {key} must be one of {list(spec[key].choices)}, not {value!r}")
    return out


def make_problem(name: str, params: dict[str, Any] | None, seed: int) -> Problem:
    gen = GENERATORS[name]
    kwargs = {k: p.default for k, p in gen.params.items()}
    kwargs.update(params or {})
    return gen.make(random.Random(seed), **kwargs)


def _fmt(x: float) -> str:
    if isinstance(x, Fraction):
        x = float(x)
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.6g}"


def _matrix(rows: list[list[int]]) -> str:
    width = max(len(str(v)) for r in rows for v in r)
    return "\n".join("  [ " + "  ".join(str(v).rjust(width) for v in r) + " ]" for r in rows)


def _nonzero(rng: random.Random, lo: int, hi: int) -> int:
    while True:
        v = rng.randint(lo, hi)
        if v:
            return v


def _det(m: list[list[int]]) -> int:
    if len(m) == 2:
        return m[0][0] * m[1][1] - m[0][1] * m[1][0]
    return sum((-1) ** j * m[0][j] * _det([row[:j] + row[j + 1:] for row in m[1:]]) for j in range(len(m)))


@generator("determinant", size=Param((2, 3), 2))
def determinant(rng: random.Random, size: int) -> Problem:
    m = [[rng.randint(-5, 5) for _ in range(size)] for _ in range(size)]
    d = _det(m)
    how = ("ad - bc" if size == 2 else "cofactor expansion along the first row: a(ei - fh) - b(di - fg) + c(dh - eg)")
    return Problem(
        f"What is the determinant of this matrix?\n{_matrix(m)}",
        float(d), 0.0,
        f"Using {how}, the determinant is {d}.",
        {"matrix": m},
    )


@generator("matrix_vector_product", size=Param((2, 3), 2))
def matrix_vector_product(rng: random.Random, size: int) -> Problem:
    m = [[rng.randint(-4, 4) for _ in range(size)] for _ in range(size)]
    v = [rng.randint(-4, 4) for _ in range(size)]
    out = tuple(float(sum(a * b for a, b in zip(row, v))) for row in m)
    return Problem(
        f"Compute A·v, giving the {size} components separated by commas.\nA =\n{_matrix(m)}\nv = {v}",
        out, 0.0,
        "Each component is the dot product of one row of A with v: " + ", ".join(_fmt(x) for x in out) + ".",
        {"matrix": m, "vector": v},
    )


@generator("dot_product", length=Param((2, 3, 4, 5), 3))
def dot_product(rng: random.Random, length: int) -> Problem:
    a = [rng.randint(-6, 6) for _ in range(length)]
    b = [rng.randint(-6, 6) for _ in range(length)]
    d = sum(x * y for x, y in zip(a, b))
    terms = " + ".join(f"({x})({y})" for x, y in zip(a, b))
    return Problem(f"What is the dot product of a = {a} and b = {b}?", float(d), 0.0,
                   f"Multiply matching components and add: {terms} = {d}.", {"a": a, "b": b})


@generator("cosine_similarity", length=Param((2, 3, 4), 2))
def cosine_similarity(rng: random.Random, length: int) -> Problem:
    while True:
        a = [rng.randint(-5, 5) for _ in range(length)]
        b = [rng.randint(-5, 5) for _ in range(length)]
        if any(a) and any(b):
            break
    dot = sum(x * y for x, y in zip(a, b))
    na, nb = math.sqrt(sum(x * x for x in a)), math.sqrt(sum(y * y for y in b))
    cos = dot / (na * nb)
    return Problem(
        f"What is the cosine similarity of a = {a} and b = {b}? Give it to 3 decimal places.",
        cos, 0.0015,
        f"cos = a·b / (|a||b|) = {dot} / ({na:.4f} × {nb:.4f}) = {cos:.4f}.",
        {"a": a, "b": b},
    )


@generator("polynomial_derivative", degree=Param((1, 2, 3, 4), 3))
def polynomial_derivative(rng: random.Random, degree: int) -> Problem:
    coeffs = [rng.randint(-5, 5) for _ in range(degree)] + [_nonzero(rng, -5, 5)]  # c0..cn, cn != 0
    x = rng.randint(-3, 3)
    value = sum(k * c * x ** (k - 1) for k, c in enumerate(coeffs) if k)
    terms = [f"{c}x^{k}" if k > 1 else (f"{c}x" if k == 1 else f"{c}") for k, c in enumerate(coeffs) if c]
    poly = " + ".join(reversed(terms)).replace("+ -", "- ")
    deriv = [f"{k * c}x^{k - 1}" if k > 2 else (f"{k * c}x" if k == 2 else f"{c}") for k, c in enumerate(coeffs) if k and c]
    dpoly = " + ".join(reversed(deriv)).replace("+ -", "- ") or "0"
    return Problem(
        f"Let f(x) = {poly}. What is f'({x})?",
        float(value), 0.0,
        f"By the power rule f'(x) = {dpoly}; at x = {x} this is {value}.",
        {"coefficients": coeffs, "x": x},
    )


@generator("bayes_from_counts")
def bayes_from_counts(rng: random.Random) -> Problem:
    sick = rng.randint(5, 60)
    healthy = rng.randint(100, 900)
    tp = rng.randint(1, sick)
    fp = rng.randint(1, healthy // 4)
    post = tp / (tp + fp)
    return Problem(
        f"In a group, {sick} people have a condition and {healthy} do not. A test is positive for {tp} of those "
        f"with the condition and for {fp} of those without. If a person tests positive, what is the probability "
        "that they have the condition? Give it to 3 decimal places.",
        post, 0.0015,
        f"P(condition | positive) = positives with the condition / all positives = {tp} / ({tp} + {fp}) = {post:.4f}. "
        "Bayes' rule gives the same number: P(+|C)P(C) / P(+).",
        {"sick": sick, "healthy": healthy, "tp": tp, "fp": fp},
    )


@generator("sample_statistic", statistic=Param(("mean", "median", "variance", "std"), "mean"),
           sample=Param((True, False), False), size=Param(tuple(range(3, 10)), 5))
def sample_statistic(rng: random.Random, statistic: str, sample: bool, size: int) -> Problem:
    xs = [rng.randint(0, 20) for _ in range(size)]
    n = len(xs)
    mean = Fraction(sum(xs), n)
    s = sorted(xs)
    median = Fraction(s[n // 2]) if n % 2 else Fraction(s[n // 2 - 1] + s[n // 2], 2)
    ss = sum((x - mean) ** 2 for x in xs)
    denom = n - 1 if sample else n
    var = ss / denom
    form = "sample (divide by n - 1)" if sample else "population (divide by n)"
    if statistic == "mean":
        ans, how = float(mean), f"sum / n = {sum(xs)} / {n}"
    elif statistic == "median":
        ans, how = float(median), f"the middle of the sorted values {s}"
    elif statistic == "variance":
        ans, how = float(var), f"sum of squared deviations from the mean ({_fmt(mean)}) / {denom} = {_fmt(ss)} / {denom}"
    else:
        ans, how = math.sqrt(var), f"sqrt of the variance {_fmt(ss)} / {denom}"
    label = statistic if statistic in ("mean", "median") else f"{form} {'variance' if statistic == 'variance' else 'standard deviation'}"
    return Problem(
        f"What is the {label} of {xs}? Give it to 2 decimal places if it is not whole.",
        ans, 0.006,
        f"The {statistic} is {how} = {ans:.4g}.",
        {"values": xs},
    )


@generator("classification_metric", metric=Param(("accuracy", "precision", "recall", "f1", "specificity"), "f1"))
def classification_metric(rng: random.Random, metric: str) -> Problem:
    tp, fp, fn, tn = rng.randint(5, 80), rng.randint(1, 40), rng.randint(1, 40), rng.randint(5, 120)
    values = {
        "accuracy": ((tp + tn) / (tp + fp + fn + tn), "(TP + TN) / all"),
        "precision": (tp / (tp + fp), "TP / (TP + FP)"),
        "recall": (tp / (tp + fn), "TP / (TP + FN)"),
        "f1": (2 * tp / (2 * tp + fp + fn), "2TP / (2TP + FP + FN), the harmonic mean of precision and recall"),
        "specificity": (tn / (tn + fp), "TN / (TN + FP)"),
    }
    ans, how = values[metric]
    return Problem(
        "A classifier's confusion matrix on a test set:\n"
        f"                 predicted +   predicted -\n"
        f"  actual +       TP = {tp:<8}  FN = {fn}\n"
        f"  actual -       FP = {fp:<8}  TN = {tn}\n"
        f"What is its {metric}? Give it to 3 decimal places.",
        ans, 0.0015,
        f"{metric} = {how} = {ans:.4f}.",
        {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
    )


@generator("conv_output_size", pooling=Param((True, False), False))
def conv_output_size(rng: random.Random, pooling: bool) -> Problem:
    while True:
        if pooling:
            k = rng.choice([2, 3])
            s = rng.choice([2, k])
            p = 0
        else:
            k = rng.choice([1, 3, 5, 7])
            s = rng.choice([1, 1, 2])
            p = rng.choice([0, 1, 2, (k - 1) // 2])
        n = rng.randint(max(k, 8), 64)
        if (n + 2 * p - k) % s == 0:
            break
    out = (n + 2 * p - k) // s + 1
    layer = (f"a {k}x{k} max-pooling layer with stride {s}" if pooling
             else f"a convolution with a {k}x{k} kernel, padding {p} and stride {s}")
    return Problem(
        f"An input feature map is {n}x{n}. What is the output width after {layer}?",
        float(out), 0.0,
        f"Output = floor((n + 2p - k) / s) + 1 = ({n} + {2 * p} - {k}) / {s} + 1 = {out}.",
        {"n": n, "k": k, "p": p, "s": s},
    )


@generator("softmax_probability", length=Param((2, 3, 4), 3))
def softmax_probability(rng: random.Random, length: int) -> Problem:
    z = [rng.randint(-2, 3) for _ in range(length)]
    i = rng.randrange(length)
    exps = [math.exp(v) for v in z]
    p = exps[i] / sum(exps)
    return Problem(
        f"The logits of a {length}-class model are z = {z}. What probability does softmax give class {i + 1} "
        "(counting from 1)? Give it to 3 decimal places.",
        p, 0.0015,
        f"softmax_i = e^z_i / sum_j e^z_j = e^{z[i]} / ({' + '.join(f'e^{v}' for v in z)}) = {p:.4f}.",
        {"z": z, "index": i},
    )


@generator("entropy", outcomes=Param((2, 3, 4), 3), unit=Param(("bits", "nats"), "bits"))
def entropy(rng: random.Random, outcomes: int, unit: str) -> Problem:
    cuts = sorted(rng.sample(range(1, 20), outcomes - 1))
    parts = [b - a for a, b in zip([0] + cuts, cuts + [20])]
    probs = [Fraction(x, 20) for x in parts]
    log = math.log2 if unit == "bits" else math.log
    h = -sum(float(p) * log(float(p)) for p in probs)
    shown = ", ".join(_fmt(float(p)) for p in probs)
    return Problem(
        f"A random variable takes {outcomes} values with probabilities {shown}. What is its entropy in {unit}? "
        "Give it to 3 decimal places.",
        h, 0.0015,
        f"H = -sum p log{'2' if unit == 'bits' else ''}(p) = {h:.4f} {unit}.",
        {"probabilities": [float(p) for p in probs]},
    )


@generator("gradient_descent_step")
def gradient_descent_step(rng: random.Random) -> Problem:
    a = rng.randint(1, 4)
    b = rng.randint(-6, 6)
    x0 = rng.randint(-4, 4)
    lr = rng.choice([0.01, 0.05, 0.1, 0.2, 0.25])
    grad = 2 * a * x0 + b
    x1 = x0 - lr * grad
    return Problem(
        f"You minimise f(x) = {a if a != 1 else ''}x^2 {'+' if b >= 0 else '-'} {abs(b)}x by gradient descent with learning rate {lr}, "
        f"starting at x = {x0}. What is x after one step?",
        x1, 1e-9,
        f"f'(x) = {2 * a}x {'+' if b >= 0 else '-'} {abs(b)}, so f'({x0}) = {grad}; x_new = {x0} - {lr} × {grad} = {_fmt(x1)}.",
        {"a": a, "b": b, "x0": x0, "lr": lr},
    )


@generator("dense_layer_params")
def dense_layer_params(rng: random.Random) -> Problem:
    n_in = rng.choice([3, 10, 16, 32, 64, 100, 128, 256, 784])
    n_out = rng.choice([1, 2, 8, 10, 32, 64, 128])
    bias = rng.random() < 0.75
    count = n_in * n_out + (n_out if bias else 0)
    return Problem(
        f"A fully connected (dense) layer maps {n_in} inputs to {n_out} output{'s' if n_out != 1 else ''}"
        f"{'' if bias else ' and has no bias terms'}. How many trainable parameters does it have?",
        float(count), 0.0,
        f"One weight per input-output pair ({n_in} × {n_out}){f' plus one bias per output ({n_out})' if bias else ''} = {count}.",
        {"inputs": n_in, "outputs": n_out, "bias": bias},
    )


@generator("conv_layer_params")
def conv_layer_params(rng: random.Random) -> Problem:
    c_in = rng.choice([1, 3, 16, 32, 64])
    c_out = rng.choice([8, 16, 32, 64, 128])
    k = rng.choice([1, 3, 5])
    count = (k * k * c_in + 1) * c_out
    return Problem(
        f"A 2-D convolution layer takes {c_in} input channel{'s' if c_in != 1 else ''} and produces {c_out} output channels with {k}x{k} "
        "kernels and a bias per output channel. How many trainable parameters does it have?",
        float(count), 0.0,
        f"Each output channel has a {k}x{k}x{c_in} kernel plus one bias: ({k}·{k}·{c_in} + 1) × {c_out} = {count}. "
        "The input's height and width do not matter.",
        {"in_channels": c_in, "out_channels": c_out, "kernel": k},
    )


@generator("kfold_sizes", ask=Param(("validation", "training"), "validation"))
def kfold_sizes(rng: random.Random, ask: str) -> Problem:
    k = rng.choice([3, 4, 5, 8, 10])
    n = k * rng.randint(10, 200)
    fold = n // k
    ans = fold if ask == "validation" else n - fold
    return Problem(
        f"You run {k}-fold cross-validation on {n} examples. How many examples are in the "
        f"{'validation fold' if ask == 'validation' else 'training part'} of each split?",
        float(ans), 0.0,
        f"Each fold holds n / k = {n} / {k} = {fold} examples; "
        f"{'that fold validates' if ask == 'validation' else f'the other k - 1 folds train: {n} - {fold} = {n - fold}'}.",
        {"n": n, "k": k},
    )


@generator("sigmoid")
def sigmoid(rng: random.Random) -> Problem:
    z = rng.choice([-3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3])
    s = 1 / (1 + math.exp(-z))
    return Problem(
        f"What is the logistic sigmoid σ(z) = 1 / (1 + e^-z) at z = {z}? Give it to 3 decimal places.",
        s, 0.0015,
        f"σ({z}) = 1 / (1 + e^{-z}) = {s:.4f}.",
        {"z": z},
    )


@generator("regression_metric", metric=Param(("mse", "mae", "rmse"), "mse"))
def regression_metric(rng: random.Random, metric: str) -> Problem:
    n = rng.randint(3, 5)
    y = [rng.randint(0, 10) for _ in range(n)]
    yhat = [v + rng.randint(-3, 3) for v in y]
    errs = [a - b for a, b in zip(y, yhat)]
    mse = sum(e * e for e in errs) / n
    value = {"mse": mse, "mae": sum(abs(e) for e in errs) / n, "rmse": math.sqrt(mse)}[metric]
    return Problem(
        f"True values y = {y}, predictions ŷ = {yhat}. What is the {metric.upper()}? Give it to 3 decimal places.",
        value, 0.0015,
        f"The errors are {errs}; {metric.upper()} = {value:.4f}.",
        {"y": y, "yhat": yhat},
    )


@generator("expected_value", outcomes=Param((2, 3, 4), 3))
def expected_value(rng: random.Random, outcomes: int) -> Problem:
    values = rng.sample(range(-5, 11), outcomes)
    cuts = sorted(rng.sample(range(1, 10), outcomes - 1))
    probs = [Fraction(b - a, 10) for a, b in zip([0] + cuts, cuts + [10])]
    ev = sum(v * p for v, p in zip(values, probs))
    table = ", ".join(f"P(X={v}) = {_fmt(float(p))}" for v, p in zip(values, probs))
    return Problem(
        f"A random variable X has {table}. What is E[X]?",
        float(ev), 1e-9,
        f"E[X] = sum of value × probability = {' + '.join(f'{v}×{_fmt(float(p))}' for v, p in zip(values, probs))} = {_fmt(float(ev))}.",
        {"values": values, "probabilities": [float(p) for p in probs]},
    )


@generator("binomial_probability")
def binomial_probability(rng: random.Random) -> Problem:
    n = rng.randint(3, 10)
    k = rng.randint(0, n)
    p = rng.choice([0.1, 0.2, 0.25, 0.3, 0.5, 0.6, 0.75, 0.8])
    prob = math.comb(n, k) * p**k * (1 - p) ** (n - k)
    return Problem(
        f"X counts successes in {n} independent trials, each succeeding with probability {p}. "
        f"What is P(X = {k})? Give it to 4 decimal places.",
        prob, 0.00015,
        f"P(X = k) = C(n, k) p^k (1 - p)^(n - k) = {math.comb(n, k)} × {p}^{k} × {_fmt(1 - p)}^{n - k} = {prob:.5f}.",
        {"n": n, "k": k, "p": p},
    )


@generator("bernoulli_variance")
def bernoulli_variance(rng: random.Random) -> Problem:
    p = rng.choice([0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9])
    var = p * (1 - p)
    return Problem(
        f"X is a Bernoulli variable with P(X = 1) = {p}. What is Var(X)? Give it to 4 decimal places.",
        var, 0.00005,
        f"Var(X) = p(1 - p) = {p} × {_fmt(1 - p)} = {var:.4f}.",
        {"p": p},
    )
