"""The independent check: for every generator and parameter set, 500 seeded problems are read as a learner reads
them — the numbers are parsed from the prompt TEXT with regexes, never from Problem.data — and the answer is
recomputed by another method (numpy, scipy, sympy, fractions). The real grader must accept that answer rounded as
the prompt asks, and refuse a near miss one unit off in the last asked digit."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
import sympy
from scipy import integrate, optimize, special, stats

from mlpath.core.generators import GENERATORS
from mlpath.core.questions import check, present

DRAWS = 500
NUM = r"-?\d+(?:\.\d+)?"


# ------------------------------------------------------------------------------------------------ reading helpers
def nums(text: str) -> list[float]:
    return [float(v) for v in re.findall(NUM, text)]


def one(pattern: str, text: str) -> float:
    m = re.search(pattern, text)
    assert m, (pattern, text)
    return float(m.group(1))


def seq(name: str, text: str) -> list[float]:
    """The numbers of `name = [..]` or `name = (..)` in the text."""
    m = re.search(re.escape(name) + r"(?: =)? [\[(]([^\])]*)[\])]", text)
    assert m, (name, text)
    return nums(m.group(1))


def rows(text: str) -> np.ndarray:
    return np.array([nums(r) for r in re.findall(r"^\s*\[([^\]]*)\]\s*$", text, re.M)])


def terms(text: str) -> dict[tuple[int, int], Fraction]:
    """A polynomial in x and y as the prompts write it (`-3x^2 + 4xy - y + 5`) -> {(power of x, power of y): coef}."""
    out: dict[tuple[int, int], Fraction] = {}
    for term in re.split(r"(?=[+-])", text.replace(" ", "")):
        if not term:
            continue
        m = re.fullmatch(r"([+-]?)(\d+(?:\.\d+)?)?((?:[xy](?:\^\d+)?)*)", term)
        assert m and (m.group(2) or m.group(3)), (term, text)
        powers = {"x": 0, "y": 0}
        for var, power in re.findall(r"([xy])(?:\^(\d+))?", m.group(3)):
            powers[var] += int(power or 1)
        coef = Fraction(m.group(2) or 1) * (-1 if m.group(1) == "-" else 1)
        key = (powers["x"], powers["y"])
        out[key] = out.get(key, Fraction(0)) + coef
    return out


def poly1(text: str) -> np.polynomial.Polynomial:
    """A polynomial in one variable (x or y) -> numpy, coefficients from the lowest power."""
    t = terms(text)
    degree = max(px + py for px, py in t)
    return np.polynomial.Polynomial([float(sum(c for (px, py), c in t.items() if px + py == k)) for k in range(degree + 1)])


def evaluate(t: dict[tuple[int, int], Fraction], x: Fraction, y: Fraction) -> Fraction:
    return sum((c * x**px * y**py for (px, py), c in t.items()), Fraction(0))


def complex_step(f, x0: float) -> float:
    """f'(x0) by the complex-step method: Im f(x0 + ih) / h, exact to rounding for analytic f."""
    h = 1e-30
    return f(complex(x0, h)).imag / h


def precision(prompt: str) -> tuple[str, int]:
    m = re.search(r"Give (?:it|each component) to (\d+) (decimal place|significant figure)s?\.", prompt)
    if not m:
        return "exact", 0
    return ("dp" if m.group(2) == "decimal place" else "sf"), int(m.group(1))


# ------------------------------------------------------------------------------------------------ recomputation
def recompute(name: str, t: str):  # noqa: C901 - one branch per generator, each short
    if name == "determinant":
        return round(np.linalg.det(rows(t)))
    if name == "matrix_vector_product":
        return tuple(rows(t) @ np.array(seq("v", t)))
    if name == "dot_product":
        return float(np.dot(seq("a", t), seq("b", t)))
    if name == "cosine_similarity":
        from scipy.spatial import distance
        return 1 - distance.cosine(seq("a", t), seq("b", t))
    if name == "vector_norm":
        order = 1 if "L1" in t else (np.inf if "max" in t else 2)
        return float(np.linalg.norm(seq("v", t), ord=order))
    if name == "vector_projection":
        a, b = np.array(seq("a", t)), np.array(seq("b", t))
        return tuple(b * (a @ b) / (b @ b))
    if name == "matrix_rank":
        return sympy.Matrix(rows(t).astype(int).tolist()).rank()
    if name == "eigenvalues_2x2":
        m = rows(t)
        return float(np.linalg.svd(m, compute_uv=False).max()) if "singular" in t else float(max(np.linalg.eigvals(m).real))
    if name == "linear_system_2x2":
        eqs = [(terms(lhs), int(rhs)) for lhs, rhs in re.findall(r"^\s+(.+) = (-?\d+)$", t, re.M)]
        a = np.array([[float(e.get((1, 0), 0)), float(e.get((0, 1), 0))] for e, _ in eqs])
        return tuple(np.linalg.solve(a, [rhs for _, rhs in eqs]))
    if name == "polynomial_derivative":
        x0 = one(r"f'\((" + NUM + r")\)", t)
        return float(poly1(re.search(r"f\(x\) = (.+?)\. What", t).group(1)).deriv()(x0))
    if name == "chain_rule":
        x0 = one(r"f'\((" + NUM + r")\)", t)
        body = re.search(r"f\(x\) = (.+?)\. What", t).group(1)
        if m := re.fullmatch(r"\((.+)\)\^(\d+)", body):
            inner, n = poly1(m.group(1)), int(m.group(2))
            return round(complex_step(lambda z: inner(z) ** n, x0))
        if m := re.fullmatch(r"e\^\((.+)\)", body):
            inner = poly1(m.group(1))
            return complex_step(lambda z: np.exp(inner(z)), x0)
        inner = poly1(re.fullmatch(r"ln\((.+)\)", body).group(1))
        return complex_step(lambda z: np.log(inner(z)), x0)
    if name == "gradient_descent_step":
        lr, x0 = one(r"η = (" + NUM + ")", t), one(r"starting at x = (" + NUM + ")", t)
        return x0 - lr * poly1(re.search(r"f\(x\) = (.+?) by", t).group(1)).deriv()(x0)
    if name == "gradient_2d":
        f = terms(re.search(r"f\(x, y\) = (.+?)\. What", t).group(1))
        h = Fraction(1, 1000)  # central differences are exact for a quadratic
        if "Hessian" in t:
            fxx = (evaluate(f, h, 0) - 2 * evaluate(f, 0, 0) + evaluate(f, -h, 0)) / h**2
            fyy = (evaluate(f, 0, h) - 2 * evaluate(f, 0, 0) + evaluate(f, 0, -h)) / h**2
            fxy = (evaluate(f, h, h) - evaluate(f, h, -h) - evaluate(f, -h, h) + evaluate(f, -h, -h)) / (4 * h * h)
            return float(np.linalg.det(np.array([[fxx, fxy], [fxy, fyy]], dtype=float)))
        px, py = (Fraction(v) for v in re.search(r"\(x, y\) = \((-?\d+), (-?\d+)\)", t).groups())
        return (float((evaluate(f, px + h, py) - evaluate(f, px - h, py)) / (2 * h)),
                float((evaluate(f, px, py + h) - evaluate(f, px, py - h)) / (2 * h)))
    if name == "taylor_approximation":
        import mpmath
        order = 1 if "linear" in t else 2
        a = mpmath.mpf(re.search(r"around x = (" + NUM + ")", t).group(1))
        f = {"√x": mpmath.sqrt, "e^x": mpmath.exp, "ln x": mpmath.log}[re.search(r"f\(x\) = (√x|e\^x|ln x)", t).group(1)]
        target = mpmath.mpf(re.search(r"to estimate (?:√|e\^|ln )(" + NUM + ")", t).group(1))
        coeffs = mpmath.taylor(f, a, order)  # numerical derivatives to high precision
        return float(mpmath.polyval(coeffs[::-1], target - a))
    if name == "newton_step":
        f = poly1(re.search(r"f\(x\) = (.+?)\. Starting", t).group(1))
        x0 = one(r"x0 = (" + NUM + ")", t)
        return float(optimize.newton(f, x0, fprime=f.deriv(), maxiter=1, disp=False))
    if name == "polynomial_integral":
        f = poly1(re.search(r"f\(x\) = (.+?) from", t).group(1))
        lo, hi = one(r"from x = (" + NUM + ")", t), one(r"to x = (" + NUM + ")", t)
        return integrate.fixed_quad(f, lo, hi, n=4)[0]  # Gauss-Legendre with 4 nodes is exact up to degree 7
    if name == "geometric_series":
        a, r = one(r"a = (" + NUM + ")", t), one(r"r = (" + NUM + ")", t)
        n = 4000 if "infinite" in t else int(one(r"first (\d+) terms", t))
        return float(np.sum(a * r ** np.arange(n)))
    if name == "euler_step":
        m = re.search(r"dy/dt = (.+?) with y\(0\) = (" + NUM + ")", t)
        rhs = terms(m.group(1))
        a, b = rhs.get((0, 1), Fraction(0)), rhs.get((0, 0), Fraction(0))
        y0, h = Fraction(m.group(2)), Fraction(re.search(r"step size h = (" + NUM + ")", t).group(1))
        n = int(one(r"after (\d+) step", t))
        # closed form of the linear recurrence y_{k+1} = (1 + ha) y_k + hb
        return float((y0 + b / a) * (1 + h * a) ** n - b / a)
    if name == "polar_to_cartesian":
        r, theta = one(r"r = (" + NUM + ")", t), one(r"θ = (" + NUM + ")°", t)
        z = r * np.exp(1j * np.deg2rad(theta))
        return float(z.real if "x-coordinate" in t else z.imag)
    if name == "rational_limit":
        m = re.search(r"limit as x → (∞|-?\d+) of \((.+)\) / \((.+)\)\?", t)
        top, bottom = poly1(m.group(2)), poly1(m.group(3))
        if m.group(1) == "∞":
            return top.coef[-1] / bottom.coef[-1] if top.degree() == bottom.degree() else 0.0
        k = float(m.group(1))
        return float(top.deriv()(k) / bottom.deriv()(k))  # L'Hôpital: both vanish at k
    if name == "quadratic_minimum":
        f = poly1(re.search(r"f\(x\) = (.+?)\. ", t).group(1))
        xs = f.deriv().roots()[0]
        return float(xs if "At what x" in t else f(xs))
    if name == "bayes_from_counts":
        sick, healthy, tp, fp = nums(t)[:4]
        p_c, p_pos_c, p_pos_h = sick / (sick + healthy), tp / sick, fp / healthy
        return p_pos_c * p_c / (p_pos_c * p_c + p_pos_h * (1 - p_c))
    if name == "sample_statistic":
        xs = nums(re.search(r"of \[([^\]]*)\]", t).group(1))
        ddof = 1 if "sample (divide by n - 1)" in t else 0
        if "standard deviation" in t:
            return float(np.std(xs, ddof=ddof))
        if "variance" in t:
            return float(np.var(xs, ddof=ddof))
        return float(np.median(xs) if "median" in t else np.mean(xs))
    if name == "expected_value":
        pairs = re.findall(r"P\(X = (" + NUM + r")\) = (" + NUM + ")", t)
        return float(sum(Fraction(v) * Fraction(p) for v, p in pairs))
    if name == "binomial_probability":
        n, p, k = one(r"in (\d+) independent", t), one(r"probability (" + NUM + ")", t), one(r"P\(X = (\d+)\)", t)
        return float(stats.binom.pmf(int(k), int(n), p))
    if name == "bernoulli_variance":
        return float(stats.bernoulli.var(one(r"P\(X = 1\) = (" + NUM + ")", t)))
    if name == "entropy":
        probs = nums(re.search(r"probabilities ([\d., ]+?)\. What", t).group(1))
        return float(stats.entropy(probs, base=2 if "in bits" in t else None))
    if name == "conditional_probability_table":
        c = np.array(nums(t.split("did not buy")[1].split("What")[0])).reshape(2, 2)  # rows: A, not A; cols: B, not B
        if "P(A | B)" in t:
            return c[0, 0] / c[:, 0].sum()
        if "P(A and B)" in t:
            return c[0, 0] / c.sum()
        if "P(A or B)" in t:
            return 1 - c[1, 1] / c.sum()
        return c[0].sum() / c.sum()
    if name == "normal_probability":
        mu, sd = one(r"mean (" + NUM + ")", t), one(r"deviation (" + NUM + ")", t)
        dist = stats.norm(mu, sd)
        if "z-score" in t:
            x = one(r"x = (" + NUM + r")\?", t)
            return float(stats.norm.ppf(dist.cdf(x)))  # z = Φ⁻¹(F(x))
        if "<" in t and "P(X <" not in t:
            lo, hi = nums(re.search(r"P\((.+?) < X < (.+?)\)", t).group(0))
            return float(dist.cdf(hi) - dist.cdf(lo))
        x = one(r"P\(X [<>] (" + NUM + r")\)", t)
        return float(dist.cdf(x) if "P(X <" in t else dist.sf(x))
    if name == "confidence_interval":
        n, mean, sigma = one(r"n = (\d+)", t), one(r"has mean (" + NUM + ")", t), one(r"σ = (" + NUM + ")", t)
        z, level = one(r"z\* = (" + NUM + ")", t), one(r"for (\d+)% confidence", t)
        assert abs(z - stats.norm.ppf(0.5 + level / 200)) < 0.0005, t  # the stated z* is right
        lo, hi = stats.norm.interval(1 - 2 * stats.norm.sf(z), loc=mean, scale=sigma / math.sqrt(n))
        return {"lower": lo, "upper": hi, "margin": (hi - lo) / 2}[re.search(r"what is the (lower|upper|margin)", t).group(1)]
    if name == "t_statistic":
        n, mean, s, mu0 = (one(p, t) for p in (r"n = (\d+)", r"x̄ = (" + NUM + ")", r"s = (" + NUM + ")", r"μ = (" + NUM + ")"))
        base = np.arange(int(n), dtype=float)
        sample = mean + (base - base.mean()) / base.std(ddof=1) * s  # any sample with this mean and sd
        return float(stats.ttest_1samp(sample, mu0).statistic)
    if name == "covariance_correlation":
        x, y = seq("x", t), seq("y", t)
        return float(np.cov(x, y, ddof=1)[0, 1]) if "covariance" in t else float(stats.pearsonr(x, y)[0])
    if name == "mle_estimate":
        if "successes" in t:
            k, n = one(r"gives (\d+) successes", t), one(r"in (\d+) independent", t)
            nll = lambda p: -stats.binom.logpmf(k, n, p)  # noqa: E731
            return optimize.minimize_scalar(nll, bounds=(1e-9, 1 - 1e-9), method="bounded", options={"xatol": 1e-12}).x
        xs = seq("Counts", t) if t.startswith("Counts") else (seq("Waiting times", t) if "Waiting" in t else seq("Measurements", t))
        if "Poisson" in t:
            nll = lambda lam: -stats.poisson.logpmf(xs, lam).sum()  # noqa: E731
            return optimize.minimize_scalar(nll, bounds=(1e-9, 50), method="bounded", options={"xatol": 1e-12}).x
        if "exponential" in t:
            return 1 / stats.expon.fit(xs, floc=0)[1]
        return stats.norm.fit(xs)[1] ** 2
    if name == "two_proportion_z":
        c1, n1, c2, n2 = (int(v) for v in re.search(r"converts (\d+) of (\d+) visitors and version B converts (\d+) of (\d+)", t).groups())
        chi2 = stats.chi2_contingency([[c1, n1 - c1], [c2, n2 - c2]], correction=False)[0]
        return math.copysign(math.sqrt(chi2), c2 / n2 - c1 / n1)
    if name == "standard_error":
        sigma, n = one(r"standard deviation (?:σ = )?(" + NUM + ")", t), one(r"n = (\d+)", t)
        if "exceeds" in t:
            mu, thr = one(r"has mean (" + NUM + ")", t), one(r"exceeds (" + NUM + r")\?", t)
            return float(stats.norm(mu, sigma / math.sqrt(n)).sf(thr))
        return float(np.sqrt(sigma**2 / n))
    if name == "beta_posterior_mean":
        a, b = one(r"α = (" + NUM + ")", t), one(r"β = (" + NUM + ")", t)
        k, n = one(r"see (\d+) successes", t), one(r"in (\d+) trials", t)
        dens = lambda p: p ** (a - 1 + k) * (1 - p) ** (b - 1 + n - k)  # noqa: E731
        return integrate.quad(lambda p: p * dens(p), 0, 1, epsabs=0, epsrel=1e-12)[0] / integrate.quad(dens, 0, 1, epsabs=0, epsrel=1e-12)[0]
    if name == "histogram_density":
        n, w, c = one(r"histogram of (\d+)", t), Fraction(re.search(r"width (" + NUM + ")", t).group(1)), one(r"holds (\d+)", t)
        return float(Fraction(int(c)) / (int(n) * w))
    if name == "classification_metric":
        tp, fn, fp, tn = (one(p + r" = (\d+)", t) for p in ("TP", "FN", "FP", "TN"))
        p, r = tp / (tp + fp), tp / (tp + fn)
        metric = re.search(r"What is its (\w+)\?", t).group(1)
        return {"accuracy": (tp + tn) / (tp + fp + fn + tn), "precision": p, "recall": r, "f1": stats.hmean([p, r]),
                "specificity": tn / (tn + fp)}[metric]
    if name == "regression_metric":
        e = np.array(seq("y", t)) - np.array(seq("ŷ", t))
        metric = re.search(r"What is the (\w+)\?", t).group(1)
        return {"MSE": np.mean(e**2), "MAE": np.mean(np.abs(e)), "RMSE": np.sqrt(np.mean(e**2))}[metric]
    if name == "kfold_sizes":
        k, n = one(r"(\d+)-fold", t), one(r"on (\d+) examples", t)
        sizes = [len(part) for part in np.array_split(np.arange(int(n)), int(k))]
        return sizes[0] if "validation fold" in t else int(n) - sizes[0]
    if name == "sigmoid":
        return float(special.expit(one(r"at z = (" + NUM + r")\?", t)))
    if name == "softmax_probability":
        z, i = seq("z", t), int(one(r"class (\d+) \(counting", t))
        return float(special.softmax(z)[i - 1])
    if name == "feature_scaling":
        xs, x = np.array(seq("holds", t)), one(r"the value (" + NUM + ")", t)
        if "min-max" in t:
            return float(np.interp(x, [xs.min(), xs.max()], [0, 1]))
        return float(stats.zscore(xs)[list(xs).index(x)])
    if name == "counting":
        k, n = (int(v) for v in re.search(r"(\d+) of (\d+)", t).groups())
        if "different orders" in t:
            return int(special.perm(n, k, exact=True))
        assert "different selections" in t, t
        return int(special.comb(n, k, exact=True))
    if name == "one_hot_size":
        numeric = one(r"has (\d+) numeric", t)
        levels = [int(v) for v in re.findall(r"one with (\d+) categories", t)]
        return int(numeric) + sum(c - ("first category dropped" in t) for c in levels)
    if name == "imputation":
        raw = re.search(r"holds \[([^\]]*)\]", t).group(1).replace("missing", "nan")
        xs = np.array([float(v) for v in raw.split(",")])
        return float(np.nanmean(xs) if "with the mean" in t else np.nanmedian(xs))
    if name == "logistic_prediction":
        return float(special.expit(np.dot(seq("w", t), seq("x", t)) + one(r"bias b = (" + NUM + ")", t)))
    if name == "log_loss":
        p, y = np.array(seq("P(y = 1)", t)), np.array(seq("labels are", t))
        return float(-np.mean(special.xlogy(y, p) + special.xlogy(1 - y, 1 - p)))
    if name == "split_impurity":
        la, lb, ra, rb = (int(v) for v in re.findall(r"(\d+) (?:examples )?of class", t))
        left, right = np.array([la, lb]), np.array([ra, rb])
        n = left.sum() + right.sum()
        if "Gini" in t:
            gini = lambda c: 1 - np.sum((c / c.sum()) ** 2)  # noqa: E731
            return float(left.sum() / n * gini(left) + right.sum() / n * gini(right))
        h = lambda c: stats.entropy(c, base=2)  # noqa: E731
        children = left.sum() / n * h(left) + right.sum() / n * h(right)
        return float(h(left + right) - children if "information gain" in t else children)
    if name == "knn_vote":
        pts = np.array([[float(a), float(b)] for a, b in re.findall(r"x = (\d+): (\d+)", t)])
        k, q = int(one(r"k = (\d+)", t)), one(r"for x = (\d+)\?", t)
        nearest = pts[np.argsort(np.abs(pts[:, 0] - q), kind="stable")[:k], 1]
        return float(np.bincount(nearest.astype(int)).argmax()) if "majority" in t else float(nearest.mean())
    if name == "kmeans_step":
        xs = np.array(seq("points", t))
        c = np.array(nums(re.search(r"centroids (\d+) and (\d+)", t).group(0)))
        labels = np.argmin(np.abs(xs[:, None] - c[None, :]), axis=1)
        return tuple(float(xs[labels == j].mean()) for j in range(2))
    if name == "pca_explained_variance":
        if "eigenvalues" in t:
            ev, keep = np.sort(seq("eigenvalues", t))[::-1], int(one(r"first (\d+) principal", t))
            return float(np.cumsum(ev)[keep - 1] / ev.sum())
        a, d = nums(re.search(r"variances (.+?) and (.+?) and", t).group(0))
        b = one(r"covariance (" + NUM + r")\.", t)
        ev = np.linalg.eigvalsh([[a, b], [b, d]])
        return float(ev.max() / ev.sum())
    if name == "least_squares_line":
        x, y = seq("x", t), seq("y", t)
        (icpt, slope), *_ = np.linalg.lstsq(np.column_stack([np.ones(len(x)), x]), y, rcond=None)
        if "slope" in t:
            return float(slope)
        if "intercept" in t:
            return float(icpt)
        return float(icpt + slope * one(r"prediction at x = (\d+)", t))
    if name == "roc_auc":
        pos, neg = seq("positives", t), seq("negatives", t)
        if "AUC" in t:  # area under the ROC curve from its points, by the trapezoid rule
            thresholds = sorted(set(pos + neg), reverse=True)
            tpr = [0] + [np.mean(np.array(pos) >= th) for th in thresholds]
            fpr = [0] + [np.mean(np.array(neg) >= th) for th in thresholds]
            return float(np.trapezoid(tpr, fpr))
        th = one(r"at least (\d+)", t)
        return float(np.mean(np.array(pos if "true positive" in t else neg) >= th))
    if name == "conv_output_size":
        n, k = int(one(r"map is (\d+)x", t)), int(one(r"(\d+)x\d+ (?:kernel|max-pooling)", t))
        p = 0 if "no padding" in t else int(one(r"padding (\d+)", t))
        s = int(one(r"stride (\d+)", t))
        return len(range(0, n + 2 * p - k + 1, s))  # count the window positions
    if name == "cnn_output_shape":
        fmap = np.zeros((int(one(r"with (\d+) channel", t)),) + (int(one(r"image of (\d+)x", t)),) * 2)
        for layer in re.findall(r"a \d+x\d+ convolution with \d+ filters, padding \d+ and stride \d+|2x2 max-pooling", t):
            if layer.startswith("2x2"):
                k, p, s, c = 2, 0, 2, fmap.shape[0]
            else:
                k, c, p, s = (int(v) for v in re.findall(r"\d+", layer)[1:])
            padded = np.pad(fmap, ((0, 0), (p, p), (p, p)))
            windows = np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(1, 2))[:, ::s, ::s]
            fmap = np.zeros((c,) + windows.shape[1:3])  # the values do not matter, only the shape
        return fmap.shape[1] if "width" in t else fmap.size
    if name == "dense_layer_params":
        n_in, n_out = int(one(r"maps (\d+) inputs", t)), int(one(r"to (\d+) output", t))
        return np.zeros((n_in, n_out)).size + (n_out if "one bias per output" in t else 0)
    if name == "conv_layer_params":
        c_in, c_out, k = int(one(r"takes (\d+) input", t)), int(one(r"produces (\d+) output", t)), int(one(r"with (\d+)x", t))
        return np.zeros((c_out, c_in, k, k)).size + np.zeros(c_out).size
    if name == "recurrent_params":
        d, h = int(one(r"inputs of size (\d+)", t)), int(one(r"hidden state of size (\d+)", t))
        blocks = {"simple RNN": 1, "LSTM": 4, "GRU": 3}[re.search(r"(simple RNN|LSTM|GRU) layer", t).group(1)]
        w_in, w_rec, bias = np.zeros((d, blocks * h)), np.zeros((h, blocks * h)), np.zeros(blocks * h)
        return w_in.size + w_rec.size + bias.size
    if name == "attention_params":
        d = int(one(r"d_model = (\d+)", t))
        return sum(np.zeros((d, d)).size + np.zeros(d).size for _ in "qkvo")
    if name == "receptive_field":
        layers = [(int(k), int(s)) for k, s in re.findall(r"(\d+)x\d+ stride (\d+)", t)]
        r = 1
        for k, s in reversed(layers):  # walk back from one output unit to the input
            r = (r - 1) * s + k
        return r
    if name == "backprop_step":
        w1, b1, w2 = (Fraction(re.search(v + r" = (" + NUM + ")", t).group(1)) for v in ("w1", "b1", "w2"))
        x, y = (Fraction(v) for v in re.search(r"x = (" + NUM + "), y = (" + NUM + ")", t).groups())
        loss = lambda a, b: (b * max(Fraction(0), a * x + b1) - y) ** 2 / 2  # noqa: E731
        h = Fraction(1, 10**9)  # central differences: exact for a quadratic, and ReLU stays on one side
        if "dL/dw2" in t:
            return float((loss(w1, w2 + h) - loss(w1, w2 - h)) / (2 * h))
        g = (loss(w1 + h, w2) - loss(w1 - h, w2)) / (2 * h)
        if "after one gradient-descent step" in t:
            return float(w1 - Fraction(re.search(r"η = (" + NUM + ")", t).group(1)) * g)
        return float(g)
    if name == "lr_schedule":
        lr0 = one(r"learning rate (" + NUM + ") and", t)
        step = one(r"(?:step|epoch) (\d+)", t.split("What is")[1])
        if "step decay" in t:
            gamma, every = one(r"by (" + NUM + ") every", t), one(r"every (\d+) epochs", t)
            return lr0 * gamma ** np.floor(step / every)
        if "exponential" in t:
            return lr0 * np.exp(step * np.log(one(r"by (" + NUM + ") after", t)))
        if "cosine" in t:
            total = one(r"over (\d+) steps", t)
            return lr0 * np.cos(np.pi * step / total / 2) ** 2  # ½(1 + cos 2θ) = cos² θ
        return float(np.interp(step, [0, one(r"first (\d+) steps", t)], [0, lr0]))
    if name == "serving_throughput":
        if "in flight" in t:
            return one(r"receives (\d+) requests", t) * one(r"spends (\d+) ms", t) / 1000
        reps, batch, ms = one(r"runs (\d+) replica", t), one(r"batches of (\d+)", t), one(r"takes (\d+) ms", t)
        return reps * batch / (ms / 1000)
    if name == "batch_size_memory":
        mem, fixed, per = (Fraction(re.search(p, t).group(1)) for p in (r"has (\d+) GB", r"take (" + NUM + ") GB", r"needs (\d+) MB"))
        free = (mem - fixed) * 1024
        return math.floor(free / per)  # exact rational arithmetic
    raise AssertionError(f"no independent check for {name}")


# ------------------------------------------------------------------------------------------------ typed answers
def typed(value: float, kind: str, digits: int) -> str:
    """The answer as a careful learner would type it, rounded as asked (Python's own formatting)."""
    if kind == "exact":
        assert abs(value - round(value)) < 1e-9, value  # exact answers are whole numbers
        return str(round(value))
    return f"{value:.{digits}f}" if kind == "dp" else f"{value:.{digits - 1}e}"


def near_miss(value: float, kind: str, digits: int) -> str:
    """One unit off in the last asked digit, on the side away from the true value."""
    shown = Decimal(typed(value, kind, digits))
    if kind == "exact":
        unit = Decimal(1)
    elif kind == "dp":
        unit = Decimal(1).scaleb(-digits)
    else:
        unit = Decimal(1).scaleb(shown.adjusted() - digits + 1)
    return str(shown + unit if shown >= Decimal(value) else shown - unit)


def param_sets(name):
    yield {}
    for key, p in GENERATORS[name].params.items():
        for choice in p.choices:
            if choice != p.default:
                yield {key: choice}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(GENERATORS))
def test_every_answer_recomputed_from_the_prompt_text(name):
    """At least 500 problems per generator, cycling through its parameter sets (at least 100 for each)."""
    sets = list(param_sets(name))
    for seed in range(max(DRAWS, 100 * len(sets))):
        params = sets[seed % len(sets)]
        shown = present({"id": "x", "topic": "t", "kind": "generated", "generator": name, "params": params}, seed)
        kind, digits = precision(shown.prompt)
        want = recompute(name, shown.prompt)
        if isinstance(want, tuple):
            right = ", ".join(typed(float(v), kind, digits) for v in want)
            wrong = ", ".join([near_miss(float(want[0]), kind, digits)] + [typed(float(v), kind, digits) for v in want[1:]])
        else:
            right, wrong = typed(float(want), kind, digits), near_miss(float(want), kind, digits)
        assert check(shown, right) is True, (params, seed, shown.prompt, right, shown.expected)
        assert check(shown, wrong) is False, (params, seed, shown.prompt, wrong, shown.expected)


def test_reading_helpers():
    assert terms("-x^2 + 4xy - y^2 + 3") == {(2, 0): -1, (1, 1): 4, (0, 2): -1, (0, 0): 3}
    assert list(poly1("3x^2 - x + 5").coef) == [5, -1, 3]
    assert list(poly1("-0.5y + 4").coef) == [4, -0.5]
    assert complex_step(lambda z: z**3, 2.0) == pytest.approx(12.0, abs=1e-12)
    assert precision("What? Give it to 3 significant figures.") == ("sf", 3)
    assert precision("How many?") == ("exact", 0)
    assert typed(0.000381469, "sf", 3) == "3.81e-04" and near_miss(0.000381469, "sf", 3) == "0.000380"
    assert near_miss(0.125, "dp", 2) == "0.11"  # 0.125 shows as 0.12 (a tie), so the miss goes down
