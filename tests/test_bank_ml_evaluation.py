"""Checks for the question bank content/questions/07-ml-evaluation.yaml.

Every computed answer is recomputed here independently in plain Python, and the generic format rules for the
file are checked. The YAML is loaded directly; mlpath itself is not imported.
"""
import math
import pathlib
import re
from fractions import Fraction

import yaml
from bank_format import KIND_FIELDS, COMMON_FIELDS, GENERATOR_PARAMS

ROOT = pathlib.Path(__file__).resolve().parents[1]
BANK = ROOT / "content/questions/07-ml-evaluation.yaml"
QUESTION_LIST = yaml.safe_load(BANK.read_text(encoding="utf-8"))["questions"]
QUESTIONS = {q["id"]: q for q in QUESTION_LIST}

MY_TOPICS = [
    # ml-foundations
    "what-is-ml", "types-of-ml", "ml-workflow", "scikit-learn", "bias-variance", "linear-regression",
    "polynomial-regression", "regularisation", "logistic-regression", "k-nearest-neighbours", "naive-bayes",
    "decision-trees", "support-vector-machines", "ensemble-learning", "random-forests", "gradient-boosting",
    # evaluation
    "confusion-matrix", "classification-metrics", "roc-auc", "log-loss", "regression-metrics",
    "cross-validation", "data-leakage", "hyperparameter-tuning", "model-selection",
]
BIG_TOPICS = {
    "types-of-ml", "ml-workflow", "bias-variance", "linear-regression", "regularisation", "logistic-regression",
    "k-nearest-neighbours", "decision-trees", "confusion-matrix", "classification-metrics", "cross-validation",
    "roc-auc",
}

ENUM_PARAMS = {
    ("classification_metric", "metric"): {"accuracy", "precision", "recall", "f1", "specificity"},
    ("regression_metric", "metric"): {"mse", "mae", "rmse"},
    ("kfold_sizes", "ask"): {"validation", "training"},
    ("entropy", "unit"): {"bits", "nats"},
}


def check(qid, exact, decimals=None):
    """The stored answer equals the exact value (within a fifth of its tolerance), and a learner's answer
    rounded as the prompt asks is accepted."""
    q = QUESTIONS[qid]
    assert q["kind"] == "numeric"
    tol = q.get("tolerance", 1e-9)
    assert abs(q["answer"] - float(exact)) <= max(tol / 5, 1e-9), (qid, q["answer"], float(exact))
    if decimals is not None:
        assert abs(round(float(exact), decimals) - q["answer"]) <= tol, (qid, round(float(exact), decimals))


def option_answer(qid):
    q = QUESTIONS[qid]
    assert q["kind"] == "choice"
    return q["answer"]


def tf_answer(qid):
    q = QUESTIONS[qid]
    assert q["kind"] == "true_false"
    return q["answer"]


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def entropy_bits(counts):
    n = sum(counts)
    return -sum(c / n * math.log2(c / n) for c in counts if c)


def gini(counts):
    n = sum(counts)
    return 1 - sum((c / n) ** 2 for c in counts)


def auc_by_pairs(pos, neg):
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def log_loss(pairs):
    return -sum(y * math.log(p) + (1 - y) * math.log(1 - p) for y, p in pairs) / len(pairs)


def ols_1d(points):
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    b = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    return my - b * mx, b


# --------------------------------------------------------------------------- generic rules


def test_generic_rules():
    topics = {}
    for q in QUESTION_LIST:
        topics.setdefault(q["topic"], []).append(q)
        kind = q["kind"]
        assert kind in KIND_FIELDS, q["id"]
        extra = set(q) - COMMON_FIELDS - KIND_FIELDS[kind]
        assert not extra, (q["id"], extra)
        assert re.fullmatch(re.escape(q["topic"]) + r"-\d\d", q["id"]), q["id"]
        if kind != "generated":
            assert isinstance(q.get("prompt"), str) and q["prompt"].strip(), q["id"]
            assert isinstance(q.get("explanation"), str) and q["explanation"].strip(), q["id"]
        if kind == "choice":
            opts = q["options"]
            assert 3 <= len(opts) <= 5, q["id"]
            assert all(isinstance(o, str) for o in opts), q["id"]
            assert len(set(opts)) == len(opts), q["id"]
            assert opts.count(q["answer"]) == 1, q["id"]
        elif kind == "multi":
            opts = q["options"]
            assert 3 <= len(opts) <= 6, q["id"]
            assert len(set(opts)) == len(opts), q["id"]
            assert q["answers"] and set(q["answers"]) <= set(opts), q["id"]
            assert len(set(q["answers"])) == len(q["answers"]), q["id"]
            assert "select all that apply" in q["prompt"].lower(), q["id"]
        elif kind == "true_false":
            assert isinstance(q["answer"], bool), q["id"]
        elif kind == "numeric":
            assert isinstance(q["answer"], (int, float)) and not isinstance(q["answer"], bool), q["id"]
            if "tolerance" in q:
                assert q["tolerance"] > 0, q["id"]
            if isinstance(q["answer"], float) and not float(q["answer"]).is_integer():
                assert "tolerance" in q or "rel_tolerance" in q, q["id"]
        elif kind == "text":
            assert q["answers"] and all(isinstance(a, str) and a.strip() for a in q["answers"]), q["id"]
        elif kind == "flashcard":
            assert isinstance(q["answer"], str) and q["answer"].strip(), q["id"]
        elif kind == "generated":
            assert q["generator"] in GENERATOR_PARAMS, q["id"]
            params = q.get("params") or {}
            assert set(params) <= set(GENERATOR_PARAMS[q["generator"]]), q["id"]
            for key, value in params.items():
                allowed = ENUM_PARAMS.get((q["generator"], key))
                if allowed is not None:
                    assert value in allowed, q["id"]
            if q["generator"] == "entropy" and "outcomes" in params:
                assert 2 <= params["outcomes"] <= 4, q["id"]
    ids = [q["id"] for q in QUESTION_LIST]
    assert len(ids) == len(set(ids))
    assert set(topics) == set(MY_TOPICS)
    for topic in MY_TOPICS:
        n = len(topics[topic])
        assert n >= 8, (topic, n)
        if topic in BIG_TOPICS:
            assert 10 <= n <= 14, (topic, n)
    # questions are grouped by topic, in skeleton order
    order = [q["topic"] for q in QUESTION_LIST]
    seen = [t for i, t in enumerate(order) if i == 0 or order[i - 1] != t]
    assert seen == MY_TOPICS


def test_flashcards_are_rare():
    for topic in MY_TOPICS:
        cards = [q for q in QUESTION_LIST if q["topic"] == topic and q["kind"] == "flashcard"]
        assert len(cards) <= 2, topic


# --------------------------------------------------------------------------- ml-foundations


def test_ml_workflow_split_sizes():
    check("ml-workflow-02", 2500 * Fraction(20, 100))
    check("ml-workflow-03", 10000 * Fraction(15, 100))


def test_bias_variance_decomposition():
    bias, variance, noise = 0.3, 0.05, 0.02
    check("bias-variance-05", bias ** 2 + variance + noise)


def test_linear_regression_prediction():
    x1, x2 = 4, 5
    check("linear-regression-01", 3 + 2 * x1 - 1 * x2)


POINTS = [(1, 2), (2, 4), (3, 5), (4, 4), (5, 5)]


def test_linear_regression_slope_and_intercept():
    a, b = ols_1d(POINTS)
    check("linear-regression-04", b)
    check("linear-regression-05", a)


def test_linear_regression_parameter_count():
    check("linear-regression-07", 6 + 1)


def test_linear_regression_gradient_step():
    data = [(1, 2), (2, 4)]
    w, lr = 0.0, 0.05
    grad = 2 / len(data) * sum(x * (w * x - y) for x, y in data)
    check("linear-regression-09", w - lr * grad)


def test_linear_regression_residuals_sum_to_zero():
    a, b = ols_1d(POINTS)
    total = sum(y - (a + b * x) for x, y in POINTS)
    assert tf_answer("linear-regression-13") is (abs(total) < 1e-12)


def test_polynomial_counts_and_prediction():
    check("polynomial-regression-01", 3 + 1)
    # monomials of degree <= 2 in two variables, enumerated explicitly
    monomials = [(i, j) for i in range(3) for j in range(3) if i + j <= 2]
    check("polynomial-regression-02", len(monomials))
    monomials3 = [(i, j, k) for i in range(4) for j in range(4) for k in range(4) if i + j + k <= 3]
    check("polynomial-regression-03", len(monomials3))
    assert len(monomials3) == math.comb(3 + 3, 3)
    x = 4
    check("polynomial-regression-04", 1 + 2 * x - 0.5 * x ** 2)


def test_regularisation_norms_and_ridge():
    w = [3, -4, 0, 1]
    check("regularisation-03", sum(abs(v) for v in w))
    check("regularisation-04", 0.5 * sum(v * v for v in w))
    xs, ys, lam = [1, 2, 3], [2, 4, 6], 14
    w_ridge = sum(x * y for x, y in zip(xs, ys)) / (sum(x * x for x in xs) + lam)
    # confirm it is a minimum by comparing with nearby values
    loss = lambda w_: sum((y - w_ * x) ** 2 for x, y in zip(xs, ys)) + lam * w_ ** 2
    assert loss(w_ridge) < loss(w_ridge + 1e-3) and loss(w_ridge) < loss(w_ridge - 1e-3)
    check("regularisation-05", w_ridge)


def test_logistic_regression_numbers():
    w, b, x = (1, 2), -3, (2, 1)
    z = sum(wi * xi for wi, xi in zip(w, x)) + b
    check("logistic-regression-02", sigmoid(z), decimals=2)
    check("logistic-regression-03", Fraction(8, 10) / (1 - Fraction(8, 10)))
    check("logistic-regression-04", math.exp(0.7), decimals=2)
    logit = math.log(0.9 / 0.1)
    assert math.isclose(sigmoid(logit), 0.9)
    check("logistic-regression-05", logit, decimals=2)
    p, y, x = 0.7, 1, (2, -1)
    check("logistic-regression-10", (p - y) * x[0])


NEIGHBOURS = [(0.5, "red"), (0.8, "blue"), (1.0, "blue"), (1.1, "red"), (1.5, "red")]


def knn_vote(k):
    labels = [label for _, label in sorted(NEIGHBOURS)[:k]]
    counts = {label: labels.count(label) for label in set(labels)}
    best = max(counts.values())
    winners = [label for label, c in counts.items() if c == best]
    return winners[0] if len(winners) == 1 else "a tie between red and blue"


def test_knn_votes_and_distances():
    assert option_answer("k-nearest-neighbours-01") == knn_vote(3)
    assert option_answer("k-nearest-neighbours-02") == knn_vote(5)
    pts = sorted([(0.2, 10), (0.4, 14), (0.5, 18), (2.0, 40)])
    check("k-nearest-neighbours-03", sum(t for _, t in pts[:3]) / 3)
    check("k-nearest-neighbours-04", math.dist((1, 2), (4, 6)))
    check("k-nearest-neighbours-05", abs(4 - 1) + abs(6 - 2))


def test_knn_one_neighbour_memorises_training_set():
    train = [((0, 0), "a"), ((1, 0), "b"), ((0, 1), "a"), ((3, 3), "b")]
    correct = 0
    for x, label in train:
        nearest = min(train, key=lambda item: math.dist(item[0], x))
        correct += nearest[1] == label
    assert tf_answer("k-nearest-neighbours-07") is (correct == len(train))


def test_naive_bayes_numbers():
    spam = 0.4 * 0.5 * 0.3
    ham = 0.6 * 0.1 * 0.05
    check("naive-bayes-02", spam / (spam + ham), decimals=2)
    check("naive-bayes-04", Fraction(0 + 1, 100 + 50), decimals=4)


def test_decision_tree_impurities():
    check("decision-trees-03", gini([4, 6]))
    check("decision-trees-04", entropy_bits([4, 6]), decimals=2)
    parent = entropy_bits([5, 5])
    children = 4 / 10 * entropy_bits([4, 0]) + 6 / 10 * entropy_bits([1, 5])
    check("decision-trees-05", parent - children, decimals=2)
    assert tf_answer("decision-trees-06") is (entropy_bits([7, 0]) == 0 and gini([7, 0]) == 0)
    check("decision-trees-11", 2 ** 3)


def test_svm_numbers():
    check("support-vector-machines-06", 2 / math.hypot(3, 4))
    hinge = lambda y, f: max(0.0, 1 - y * f)
    check("support-vector-machines-07", hinge(-1, 0.5))
    assert tf_answer("support-vector-machines-08") is (hinge(1, 0.5) == 0)


def test_ensemble_numbers():
    p = 0.7
    majority = sum(math.comb(3, k) * p ** k * (1 - p) ** (3 - k) for k in (2, 3))
    check("ensemble-learning-03", majority)
    check("ensemble-learning-05", (1 - 1 / 10) ** 10, decimals=2)
    check("ensemble-learning-06", 1 - math.exp(-1), decimals=2)
    probs = [0.9, 0.4, 0.4]
    soft = 1 if sum(probs) / len(probs) >= 0.5 else 0
    votes = [1 if pr >= 0.5 else 0 for pr in probs]
    hard = 1 if sum(votes) > len(votes) / 2 else 0
    assert option_answer("ensemble-learning-07") == f"Soft voting: class {soft}; hard voting: class {hard}"


def test_identical_voters_gain_nothing():
    preds = [1, 0, 1, 1, 0]
    truth = [1, 1, 1, 0, 0]
    voters = [preds] * 5
    vote = [1 if sum(v[i] for v in voters) > 2 else 0 for i in range(len(truth))]
    acc = lambda pr: sum(a == b for a, b in zip(pr, truth)) / len(truth)
    assert tf_answer("ensemble-learning-04") is (acc(vote) == acc(preds))


def test_random_forest_max_features():
    check("random-forests-03", math.isqrt(100))


def test_gradient_boosting_numbers():
    check("gradient-boosting-02", 10 + 0.1 * (16 - 10))
    targets = [3, 5, 10]
    check("gradient-boosting-03", 10 - sum(targets) / len(targets))


# --------------------------------------------------------------------------- evaluation

# rows = actual, columns = predicted, order (negative, positive)
CM = [[50, 10], [5, 35]]
TN, FP, FN, TP = CM[0][0], CM[0][1], CM[1][0], CM[1][1]
CM3 = [[8, 2, 0], [1, 6, 3], [0, 1, 9]]  # order (cat, dog, fox)


def test_confusion_matrix_cells():
    check("confusion-matrix-01", FN)
    check("confusion-matrix-02", sum(CM[1]))
    check("confusion-matrix-03", CM[0][1] + CM[1][1])
    check("confusion-matrix-06", CM3[1][2])
    check("confusion-matrix-07", sum(row[2] for row in CM3))


def test_confusion_matrix_sums_to_n():
    y_true = [0, 0, 1, 1, 1, 2, 2, 0]
    y_pred = [0, 1, 1, 0, 1, 2, 1, 0]
    cm = [[0] * 3 for _ in range(3)]
    for t, p in zip(y_true, y_pred):
        cm[t][p] += 1
    assert tf_answer("confusion-matrix-09") is (sum(map(sum, cm)) == len(y_true))


def test_classification_metrics_from_counts():
    assert (TP, FP, FN, TN) == (35, 10, 5, 50)
    precision = Fraction(TP, TP + FP)
    recall = Fraction(TP, TP + FN)
    check("classification-metrics-05", precision, decimals=2)
    check("classification-metrics-06", recall)
    check("classification-metrics-07", 2 * precision * recall / (precision + recall), decimals=2)
    p, r = 1.0, 0.1
    f1 = 2 * p * r / (p + r)
    check("classification-metrics-08", f1, decimals=2)
    assert tf_answer("classification-metrics-09") is math.isclose(f1, (p + r) / 2)


def test_lowering_threshold_never_lowers_recall():
    scores = [0.95, 0.9, 0.8, 0.7, 0.6, 0.55, 0.4, 0.3, 0.2, 0.1]
    labels = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0]
    thresholds = sorted({0.0, 1.0, *scores}, reverse=True)
    recalls = [sum(1 for s, y in zip(scores, labels) if y and s >= t) / sum(labels) for t in thresholds]
    assert tf_answer("classification-metrics-13") is all(a <= b for a, b in zip(recalls, recalls[1:]))


POS = [0.9, 0.7, 0.4]
NEG = [0.8, 0.3, 0.2]


def test_roc_numbers():
    check("roc-auc-02", Fraction(FP, FP + TN), decimals=2)
    check("roc-auc-03", auc_by_pairs(POS, NEG), decimals=2)
    check("roc-auc-04", Fraction(sum(s >= 0.5 for s in NEG), len(NEG)), decimals=2)


def test_auc_invariant_to_monotone_transform():
    base = auc_by_pairs(POS, NEG)
    scaled = auc_by_pairs([10 * s for s in POS], [10 * s for s in NEG])
    logged = auc_by_pairs([math.log(s) for s in POS], [math.log(s) for s in NEG])
    assert tf_answer("roc-auc-08") is (base == scaled == logged)
    flipped = auc_by_pairs([1 - s for s in POS], [1 - s for s in NEG])
    assert math.isclose(flipped, 1 - base)


def test_log_loss_numbers():
    check("log-loss-01", log_loss([(1, 0.8)]), decimals=2)
    check("log-loss-02", log_loss([(0, 0.8)]), decimals=2)
    check("log-loss-03", log_loss([(1, 0.9), (0, 0.2), (1, 0.6)]), decimals=2)
    check("log-loss-04", log_loss([(1, 0.5), (0, 0.5)]), decimals=2)
    labels = [1] * 2 + [0] * 8
    check("log-loss-05", log_loss([(y, 0.2) for y in labels]), decimals=2)
    pairs = [(1, 0.9), (0, 0.2), (1, 0.6)]
    check("log-loss-07", sum((p - y) ** 2 for y, p in pairs) / len(pairs))


def test_log_loss_is_proper():
    q = 0.3
    expected = lambda p: -(q * math.log(p) + (1 - q) * math.log(1 - p))
    grid = [i / 1000 for i in range(1, 1000)]
    best = min(grid, key=expected)
    assert tf_answer("log-loss-10") is math.isclose(best, q)


Y = [3, 5, 2, 8]
YHAT = [2, 5, 4, 5]


def test_regression_metrics():
    errors = [y - p for y, p in zip(Y, YHAT)]
    mae = sum(abs(e) for e in errors) / len(errors)
    mse = sum(e * e for e in errors) / len(errors)
    mean_y = sum(Y) / len(Y)
    r2 = 1 - sum(e * e for e in errors) / sum((y - mean_y) ** 2 for y in Y)
    check("regression-metrics-04", mae)
    check("regression-metrics-05", mse)
    check("regression-metrics-06", r2, decimals=2)
    assert math.sqrt(mse) >= mae
    assert tf_answer("regression-metrics-10") is (math.sqrt(mse) < mae)


def test_negative_r2_is_possible():
    y = [1, 2, 3]
    pred = [3, 2, 1]
    mean_y = sum(y) / len(y)
    r2 = 1 - sum((a - b) ** 2 for a, b in zip(y, pred)) / sum((a - mean_y) ** 2 for a in y)
    assert tf_answer("regression-metrics-08") is (r2 < 0)


def test_cross_validation_numbers():
    check("cross-validation-03", 4 * 5 + 1)
    check("cross-validation-04", 200)
    check("cross-validation-05", sum([0.80, 0.84, 0.78, 0.82, 0.86]) / 5)
    fractions_trained = [Fraction(k - 1, k) for k in range(2, 21)]
    assert tf_answer("cross-validation-11") is all(a < b for a, b in zip(fractions_trained, fractions_trained[1:]))


def test_hyperparameter_tuning_numbers():
    check("hyperparameter-tuning-01", 5 * 4 * 2 * 5)
    assert tf_answer("hyperparameter-tuning-06") is (10 ** 3 == 1000 and 10 ** 4 == 10000)
    check("hyperparameter-tuning-10", 1 - 0.95 ** 60, decimals=2)


def test_model_selection_numbers():
    check("model-selection-02", 5 * (10 * 3 + 1))
    k, log_l = 5, -100
    check("model-selection-06", 2 * k - 2 * log_l)
