"""Machine learning foundations, data preparation and evaluation."""

from __future__ import annotations

import math
import random
from fractions import Fraction

from mlpath.core.generators._base import Param, Problem, generator, problem
from mlpath.core.generators._format import approx, br, num
from mlpath.core.grading import EXACT, decimals


def _values(xs) -> str:
    return "[" + ", ".join(num(x) for x in xs) + "]"


@generator("classification_metric", "a metric from a confusion matrix",
           metric=Param(("accuracy", "precision", "recall", "f1", "specificity"), "f1"))
def classification_metric(rng: random.Random, metric: str) -> Problem:
    tp, fp, fn, tn = rng.randint(5, 80), rng.randint(1, 40), rng.randint(1, 40), rng.randint(5, 120)
    prec = decimals(3)
    formulas = {
        "accuracy": ((tp + tn) / (tp + fp + fn + tn), f"(TP + TN) / all = ({tp} + {tn}) / {tp + fp + fn + tn}"),
        "precision": (tp / (tp + fp), f"TP / (TP + FP) = {tp} / ({tp} + {fp})"),
        "recall": (tp / (tp + fn), f"TP / (TP + FN) = {tp} / ({tp} + {fn})"),
        "f1": (2 * tp / (2 * tp + fp + fn), f"2TP / (2TP + FP + FN) = {2 * tp} / ({2 * tp} + {fp} + {fn}) (the harmonic "
               "mean of precision and recall)"),
        "specificity": (tn / (tn + fp), f"TN / (TN + FP) = {tn} / ({tn} + {fp})"),
    }
    ans, how = formulas[metric]
    return problem("A classifier's confusion matrix on a test set:\n"
                   "                 predicted +   predicted -\n"
                   f"  actual +       TP = {tp:<8}  FN = {fn}\n"
                   f"  actual -       FP = {fp:<8}  TN = {tn}\n"
                   f"What is its {metric}?", ans, prec, [f"{metric} = {how} ≈ {approx(ans, prec)}."],
                   {"tp": tp, "fp": fp, "fn": fn, "tn": tn})


@generator("regression_metric", "an error metric of a few predictions", metric=Param(("mse", "mae", "rmse"), "mse"))
def regression_metric(rng: random.Random, metric: str) -> Problem:
    n = rng.randint(3, 6)
    while True:
        y = [rng.randint(0, 12) for _ in range(n)]
        yhat = [v + rng.randint(-4, 4) for v in y]
        if y != yhat:
            break
    errs = [a - b for a, b in zip(y, yhat)]
    prec = decimals(3)
    sq = sum(e * e for e in errs)
    steps = [f"The errors y - ŷ are {_values(errs)}."]
    if metric == "mae":
        value = sum(abs(e) for e in errs) / n
        steps.append(f"MAE = mean of |error| = {sum(abs(e) for e in errs)}/{n} ≈ {approx(value, prec)}.")
    else:
        value = sq / n
        steps.append(f"MSE = mean of error² = ({' + '.join(f'{br(e)}²' for e in errs)})/{n} = {sq}/{n} ≈ {approx(value, prec)}.")
        if metric == "rmse":
            value = math.sqrt(value)
            steps.append(f"RMSE = √MSE ≈ {approx(value, prec)}.")
    return problem(f"True values y = {_values(y)}, predictions ŷ = {_values(yhat)}. What is the {metric.upper()}?",
                   value, prec, steps, {"y": y, "yhat": yhat})


@generator("kfold_sizes", "fold sizes in k-fold cross-validation", ask=Param(("validation", "training"), "validation"))
def kfold_sizes(rng: random.Random, ask: str) -> Problem:
    k = rng.choice([3, 4, 5, 8, 10])
    n = k * rng.randint(10, 200)
    fold = n // k
    steps = [f"Each fold holds n / k = {n} / {k} = {fold} examples."]
    if ask == "validation":
        ans = fold
        steps.append("One fold validates in each split.")
    else:
        ans = n - fold
        steps.append(f"The other k - 1 folds train: {n} - {fold} = {ans}.")
    return problem(f"You run {k}-fold cross-validation on {n} examples. How many examples are in the "
                   f"{'validation fold' if ask == 'validation' else 'training part'} of each split?", ans, EXACT, steps,
                   {"n": n, "k": k})


@generator("sigmoid", "the logistic sigmoid of a number")
def sigmoid(rng: random.Random) -> Problem:
    z = rng.randint(-500, 500) / 100
    s = 1 / (1 + math.exp(-z))
    prec = decimals(3)
    steps = [f"e^(-z) = e^{br(-z)} ≈ {approx(math.exp(-z), prec)}.",
             f"σ({num(z)}) = 1 / (1 + {approx(math.exp(-z), prec)}) ≈ {approx(s, prec)}."]
    return problem(f"What is the logistic sigmoid σ(z) = 1 / (1 + e^(-z)) at z = {num(z)}?", s, prec, steps, {"z": z})


@generator("softmax_probability", "one probability of the softmax of a vector", length=Param((2, 3, 4), 3))
def softmax_probability(rng: random.Random, length: int) -> Problem:
    while True:
        z = [rng.randint(-20, 30) / 10 for _ in range(length)]
        if len(set(z)) > 1:
            break
    i = rng.randrange(length)
    exps = [math.exp(v) for v in z]
    p = exps[i] / sum(exps)
    prec = decimals(3)
    steps = ["Exponentiate each logit: " + ", ".join(f"e^{br(v)} ≈ {approx(e, prec)}" for v, e in zip(z, exps)) + ".",
             f"Their sum is ≈ {approx(sum(exps), prec)}.",
             f"softmax_{i + 1} = {approx(exps[i], prec)} / {approx(sum(exps), prec)} ≈ {approx(p, prec)}."]
    return problem(f"The logits of a {length}-class model are z = {_values(z)}. What probability does softmax give class "
                   f"{i + 1} (counting from 1)?", p, prec, steps, {"z": z, "index": i})


@generator("feature_scaling", "a value after standardisation or min-max scaling",
           method=Param(("standardise", "min_max"), "standardise"))
def feature_scaling(rng: random.Random, method: str) -> Problem:
    n = rng.randint(4, 7)
    while True:
        xs = [rng.randint(0, 50) for _ in range(n)]
        if len(set(xs)) > 2:
            break
    inner = [v for v in xs if min(xs) < v < max(xs)]
    x = rng.choice(inner) if method == "min_max" else rng.choice(xs)
    prec = decimals(3)
    if method == "min_max":
        lo, hi = min(xs), max(xs)
        value = Fraction(x - lo, hi - lo)
        steps = [f"min = {lo}, max = {hi}.", f"(x - min)/(max - min) = ({x} - {lo})/({hi} - {lo}) ≈ {approx(float(value), prec)}."]
        q = "min-max scaled to [0, 1]"
        return problem(f"A feature column holds {_values(xs)}. What is the value {x} after it is {q}?", float(value), prec,
                       steps, {"values": xs, "x": x})
    mean = Fraction(sum(xs), n)
    sd = math.sqrt(float(sum((v - mean) ** 2 for v in xs) / n))
    value = float(x - mean) / sd
    steps = [f"The mean is {sum(xs)}/{n} ≈ {approx(float(mean), prec)}.",
             f"The population standard deviation (divide by n) is ≈ {approx(sd, prec)}.",
             f"z = ({x} - {approx(float(mean), prec)})/{approx(sd, prec)} ≈ {approx(value, prec)}."]
    return problem(f"A feature column holds {_values(xs)}. What is the value {x} after standardisation (subtract the mean, "
                   "divide by the population standard deviation)?", value, prec, steps, {"values": xs, "x": x})


@generator("one_hot_size", "the number of columns after one-hot encoding", drop_first=Param((True, False), False))
def one_hot_size(rng: random.Random, drop_first: bool) -> Problem:
    k = rng.randint(1, 4)
    levels = [rng.randint(2, 30) for _ in range(k)]
    numeric = rng.randint(0, 20)
    per = [c - 1 if drop_first else c for c in levels]
    total = numeric + sum(per)
    cats = ", ".join(f"one with {c} categories" for c in levels)
    steps = [f"Each categorical column becomes {'one column per category but one (the dropped reference)' if drop_first else 'one column per category'}: "
             + " + ".join(map(str, per)) + f" = {sum(per)}.",
             f"Add the {numeric} numeric columns, which stay as they are: {sum(per)} + {numeric} = {total}."]
    return problem(f"A table has {numeric} numeric column{'s' if numeric != 1 else ''} and {k} categorical column"
                   f"{'s' if k != 1 else ''} ({cats}). After one-hot encoding every categorical column"
                   f"{' with the first category dropped' if drop_first else ' (no category dropped)'}, how many columns "
                   "does the table have?", total, EXACT, steps, {"levels": levels, "numeric": numeric})


@generator("imputation", "the fill value for missing entries, by mean or median", method=Param(("mean", "median"), "mean"))
def imputation(rng: random.Random, method: str) -> Problem:
    n = rng.randint(4, 8)
    xs = [rng.randint(0, 40) for _ in range(n)]
    holes = sorted(rng.sample(range(n + 2), 2))
    shown = [num(v) for v in xs]
    for h in holes:
        shown.insert(h, "missing")
    prec = decimals(2)
    if method == "mean":
        value = Fraction(sum(xs), n)
        steps = [f"Ignore the missing entries: the {n} observed values sum to {sum(xs)}.",
                 f"mean = {sum(xs)}/{n} ≈ {approx(float(value), prec)}; both gaps get this value."]
    else:
        s = sorted(xs)
        value = Fraction(s[n // 2]) if n % 2 else Fraction(s[n // 2 - 1] + s[n // 2], 2)
        steps = [f"Ignore the missing entries and sort the {n} observed values: {_values(s)}.",
                 f"The median is {num(value)}; both gaps get this value."]
    return problem(f"A column holds [{', '.join(shown)}]. You fill the missing entries with the {method} of the observed "
                   "values. What value goes into the gaps?", float(value), prec, steps, {"values": xs})


@generator("logistic_prediction", "the probability a logistic regression model predicts")
def logistic_prediction(rng: random.Random) -> Problem:
    k = rng.randint(1, 3)
    w = [rng.randint(-20, 20) / 10 for _ in range(k)]
    x = [rng.randint(-5, 5) for _ in range(k)]
    b = rng.randint(-20, 20) / 10
    z = sum(wi * xi for wi, xi in zip(w, x)) + b
    p = 1 / (1 + math.exp(-z))
    prec = decimals(3)
    steps = ["z = w·x + b = " + " + ".join(f"{br(wi)}·{br(xi)}" for wi, xi in zip(w, x)) + f" + {br(b)} = {num(round(z, 6))}.",
             f"p = σ(z) = 1/(1 + e^{br(-round(z, 6))}) ≈ {approx(p, prec)}."]
    return problem(f"A logistic regression model has weights w = {_values(w)} and bias b = {num(b)}. For the input "
                   f"x = {_values(x)}, what probability of the positive class does it predict?", p, prec, steps,
                   {"w": w, "b": b, "x": x})


@generator("log_loss", "the mean binary cross-entropy of a few predictions")
def log_loss(rng: random.Random) -> Problem:
    n = rng.randint(2, 5)
    y = [rng.randint(0, 1) for _ in range(n)]
    p = [rng.randint(1, 99) / 100 for _ in range(n)]
    terms = [-math.log(pi if yi else 1 - pi) for yi, pi in zip(y, p)]
    value = sum(terms) / n
    prec = decimals(3)
    steps = ["Each example costs -ln(p) if its label is 1 and -ln(1 - p) if it is 0:",
             *(f"y = {yi}, p = {num(pi)}: -ln({num(pi if yi else 1 - pi)}) ≈ {approx(t, prec)}" for yi, pi, t in zip(y, p, terms)),
             f"The mean is {approx(sum(terms), prec)}/{n} ≈ {approx(value, prec)}."]
    return problem(f"A binary classifier predicts P(y = 1) = {_values(p)} for examples whose true labels are {_values(y)}. "
                   "What is the mean log loss (natural logarithm)?", value, prec, steps, {"y": y, "p": p})


def _gini(counts: list[int]) -> float:
    n = sum(counts)
    return 1 - sum((c / n) ** 2 for c in counts)


def _entropy(counts: list[int]) -> float:
    n = sum(counts)
    return -sum(c / n * math.log2(c / n) for c in counts if c)


@generator("split_impurity", "the weighted Gini or entropy of a split, or its information gain",
           measure=Param(("gini", "entropy", "information_gain"), "gini"))
def split_impurity(rng: random.Random, measure: str) -> Problem:
    while True:
        left = [rng.randint(0, 30), rng.randint(0, 30)]
        right = [rng.randint(0, 30), rng.randint(0, 30)]
        if not (sum(left) and sum(right) and left[0] + right[0] and left[1] + right[1]):
            continue
        parent = [left[0] + right[0], left[1] + right[1]]
        n = sum(parent)
        gain = _entropy(parent) - sum(left) / n * _entropy(left) - sum(right) / n * _entropy(right)
        if measure != "information_gain" or gain >= 0.01:  # no split that barely changes anything
            break
    parent = [left[0] + right[0], left[1] + right[1]]
    n, nl, nr = sum(parent), sum(left), sum(right)
    f = _gini if measure == "gini" else _entropy
    name = "Gini impurity" if measure == "gini" else "entropy (bits)"
    form = "1 - Σp²" if measure == "gini" else "-Σp·log2(p)"
    il, ir = f(left), f(right)
    weighted = nl / n * il + nr / n * ir
    prec = decimals(3)
    steps = [f"{name} = {form}. Left child ({left[0]} A, {left[1]} B): ≈ {approx(il, prec)}; right child "
             f"({right[0]} A, {right[1]} B): ≈ {approx(ir, prec)}.",
             f"Weighted by size: {nl}/{n}·{approx(il, prec)} + {nr}/{n}·{approx(ir, prec)} ≈ {approx(weighted, prec)}."]
    if measure == "information_gain":
        ip = f(parent)
        value = ip - weighted
        steps.insert(0, f"The parent ({parent[0]} A, {parent[1]} B) has entropy ≈ {approx(ip, prec)} bits.")
        steps.append(f"Information gain = parent - weighted children ≈ {approx(ip, prec)} - {approx(weighted, prec)} ≈ {approx(value, prec)}.")
        q = "What is the information gain of the split, in bits?"
    else:
        value = weighted
        q = f"What is the weighted {name} of the two children?"
    return problem(f"A decision-tree split sends {left[0]} examples of class A and {left[1]} of class B to the left child, "
                   f"and {right[0]} of class A and {right[1]} of class B to the right child. {q}", value, prec, steps,
                   {"left": left, "right": right})


@generator("knn_vote", "the k-nearest-neighbour prediction for a point on a line", k=Param((1, 3, 5), 3),
           task=Param(("classify", "regress"), "classify"))
def knn_vote(rng: random.Random, k: int, task: str) -> Problem:
    while True:
        xs = rng.sample(range(0, 41), 7)
        q = rng.randint(0, 40)
        d = sorted(abs(x - q) for x in xs)
        if d[k - 1] != d[k]:  # no tie at the k-th neighbour
            break
    labels = [rng.randint(0, 1) if task == "classify" else rng.randint(0, 50) for _ in xs]
    near = sorted(zip(xs, labels), key=lambda t: abs(t[0] - q))[:k]
    points = ", ".join(f"x = {x}: {lab}" for x, lab in zip(xs, labels))
    steps = [f"Distances to {q}: " + ", ".join(f"|{x} - {q}| = {abs(x - q)}" for x in xs) + ".",
             f"The {k} nearest are " + ", ".join(f"x = {x} (label {lab})" for x, lab in near) + "."]
    if task == "classify":
        ones = sum(lab for _, lab in near)
        value = 1 if ones * 2 > k else 0
        steps.append(f"{ones} of {k} vote for class 1, so the prediction is class {value}.")
        return problem(f"Training points on a line with their classes (0 or 1): {points}. With k = {k} nearest "
                       f"neighbours and a majority vote, which class is predicted for x = {q}?", value, EXACT, steps,
                       {"xs": xs, "labels": labels, "q": q})
    value = Fraction(sum(lab for _, lab in near), k)
    steps.append(f"The prediction is their mean target: {sum(lab for _, lab in near)}/{k} ≈ {approx(float(value), decimals(2))}.")
    return problem(f"Training points on a line with their targets: {points}. With k = {k} nearest neighbours averaged, "
                   f"what is the prediction for x = {q}?", float(value), decimals(2), steps,
                   {"xs": xs, "labels": labels, "q": q})


@generator("kmeans_step", "the centroids after one k-means step on a line")
def kmeans_step(rng: random.Random) -> Problem:
    while True:
        xs = sorted(rng.sample(range(0, 50), rng.randint(5, 8)))
        c1, c2 = sorted(rng.sample(range(0, 50), 2))
        if any(2 * x == c1 + c2 for x in xs):
            continue  # a point equally far from both centroids
        g1 = [x for x in xs if abs(x - c1) < abs(x - c2)]
        g2 = [x for x in xs if abs(x - c1) > abs(x - c2)]
        if g1 and g2:
            break
    m1, m2 = Fraction(sum(g1), len(g1)), Fraction(sum(g2), len(g2))
    prec = decimals(2)
    steps = [f"Assign each point to its nearer centroid: {_values(g1)} go to {c1}, {_values(g2)} go to {c2}.",
             f"New centroid 1 = {sum(g1)}/{len(g1)} ≈ {approx(float(m1), prec)}; new centroid 2 = {sum(g2)}/{len(g2)} ≈ "
             f"{approx(float(m2), prec)}."]
    return problem(f"k-means with k = 2 on the points {_values(xs)} starts from centroids {c1} and {c2}. After one "
                   "assignment step and one update step, where are the two centroids? Give them separated by a comma, "
                   "the one that started lower first.", [float(m1), float(m2)], prec, steps, {"xs": xs, "c": [c1, c2]})


@generator("pca_explained_variance", "the share of variance the first principal components explain",
           source=Param(("eigenvalues", "covariance"), "eigenvalues"))
def pca_explained_variance(rng: random.Random, source: str) -> Problem:
    prec = decimals(3)
    if source == "eigenvalues":
        m = rng.randint(3, 6)
        ev = sorted((rng.randint(1, 200) / 10 for _ in range(m)), reverse=True)
        keep = rng.randint(1, m - 1)
        value = sum(ev[:keep]) / sum(ev)
        steps = [f"The total variance is the sum of all eigenvalues: {num(round(sum(ev), 6))}.",
                 f"The first {keep} add up to {num(round(sum(ev[:keep]), 6))}; their share is ≈ {approx(value, prec)}."]
        return problem(f"The covariance matrix of a data set has eigenvalues {_values(ev)}. What fraction of the total "
                       f"variance do the first {keep} principal component{'s' if keep > 1 else ''} explain?", value, prec,
                       steps, {"eigenvalues": ev, "keep": keep})
    while True:
        a, d = rng.randint(1, 20), rng.randint(1, 20)
        b = rng.randint(-9, 9)
        if a * d - b * b > 0 and b:
            break
    tr = a + d
    disc = math.sqrt((a - d) ** 2 + 4 * b * b)
    lam = (tr + disc) / 2
    value = lam / tr
    steps = [f"The eigenvalues of [[a, b], [b, d]] are (a + d ± √((a - d)² + 4b²))/2 = ({tr} ± √{(a - d) ** 2 + 4 * b * b})/2.",
             f"The larger is ≈ {approx(lam, prec)}; the total variance is the trace {tr}.",
             f"Share of the first component ≈ {approx(lam, prec)}/{tr} ≈ {approx(value, prec)}."]
    return problem(f"Two features have variances {a} and {d} and covariance {b}. What fraction of the total variance does "
                   "the first principal component explain?", value, prec, steps, {"a": a, "b": b, "d": d})


@generator("least_squares_line", "the slope, intercept or a prediction of a least-squares line fitted by hand",
           ask=Param(("slope", "intercept", "prediction"), "slope"))
def least_squares_line(rng: random.Random, ask: str) -> Problem:
    n = rng.randint(3, 6)
    while True:
        xs = sorted(rng.sample(range(0, 12), n))
        ys = [rng.randint(-5, 20) for _ in range(n)]
        if len(set(ys)) > 1:
            break
    mx, my = Fraction(sum(xs), n), Fraction(sum(ys), n)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sxy / sxx
    icpt = my - slope * mx
    prec = decimals(3)
    steps = [f"x̄ = {approx(float(mx), prec)}, ȳ = {approx(float(my), prec)}.",
             f"Σ(x - x̄)(y - ȳ) = {approx(float(sxy), prec)} and Σ(x - x̄)² = {approx(float(sxx), prec)}.",
             f"slope = {approx(float(sxy), prec)}/{approx(float(sxx), prec)} ≈ {approx(float(slope), prec)}."]
    data = {"x": xs, "y": ys}
    if ask == "slope":
        value = slope
    else:
        steps.append(f"intercept = ȳ - slope·x̄ ≈ {approx(float(icpt), prec)}.")
        value = icpt
        if ask == "prediction":
            x0 = rng.randint(0, 15)
            value = icpt + slope * x0
            steps.append(f"At x = {x0}: ŷ = intercept + slope·{x0} ≈ {approx(float(value), prec)}.")
            data["x0"] = x0
    what = {"slope": "its slope", "intercept": "its intercept",
            "prediction": f"its prediction at x = {data.get('x0')}"}[ask]
    return problem(f"Fit a straight line y = a + bx by ordinary least squares to the points x = {_values(xs)}, "
                   f"y = {_values(ys)}. What is {what}?", float(value), prec, steps, data)


@generator("roc_auc", "a point on the ROC curve, or the AUC, of a few scored examples",
           ask=Param(("auc", "tpr", "fpr"), "auc"))
def roc_auc(rng: random.Random, ask: str) -> Problem:
    npos, nneg = rng.randint(2, 5), rng.randint(2, 5)
    scores = rng.sample(range(1, 100), npos + nneg)
    pos, neg = sorted(scores[:npos], reverse=True), sorted(scores[npos:], reverse=True)
    prec = decimals(3)
    data = {"pos": pos, "neg": neg}
    if ask == "auc":
        wins = sum(1 for p in pos for q in neg if p > q)
        value = Fraction(wins, npos * nneg)
        steps = ["The AUC is the share of (positive, negative) pairs in which the positive scores higher.",
                 f"There are {npos}·{nneg} = {npos * nneg} pairs and the positive wins {wins}: AUC = {wins}/{npos * nneg} "
                 f"≈ {approx(float(value), prec)}."]
        q = "What is the ROC AUC?"
    else:
        t = rng.choice(scores)
        data["t"] = t
        if ask == "tpr":
            hit = sum(1 for p in pos if p >= t)
            value = Fraction(hit, npos)
            steps = [f"At threshold {t}, {hit} of the {npos} positives score {t} or more: TPR = {hit}/{npos} ≈ {approx(float(value), prec)}."]
        else:
            hit = sum(1 for q_ in neg if q_ >= t)
            value = Fraction(hit, nneg)
            steps = [f"At threshold {t}, {hit} of the {nneg} negatives score {t} or more: FPR = {hit}/{nneg} ≈ {approx(float(value), prec)}."]
        q = f"Predicting positive when the score is at least {t}, what is the {'true' if ask == 'tpr' else 'false'} positive rate?"
    return problem(f"A model scores positives {_values(pos)} and negatives {_values(neg)}. {q}", float(value), prec, steps, data)
