"""Checks for content/questions/08-unsupervised-deep-learning.yaml.

Every numeric answer, and every choice or true/false answer that is a computed value, is recomputed here
independently in plain Python. A generic test checks the bank's structural rules.
"""

import itertools
import math
import pathlib

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
QUESTIONS_LIST = yaml.safe_load((ROOT / "content/questions/08-unsupervised-deep-learning.yaml").read_text())["questions"]
QUESTIONS = {q["id"]: q for q in QUESTIONS_LIST}

TOPICS = [
    "k-means", "hierarchical-clustering", "density-based-clustering", "gaussian-mixture-models",
    "clustering-evaluation", "pca", "tsne-and-umap", "anomaly-detection",
    "perceptron", "activation-functions", "forward-propagation", "loss-functions", "backpropagation", "optimisers",
    "training-deep-networks", "pytorch", "tensorflow-keras", "convolutional-networks", "cnn-applications",
    "transfer-learning", "recurrent-networks", "lstm-and-gru", "attention", "transformers", "autoencoders", "gans",
    "fastai", "hugging-face",
]
BIG = {"k-means", "pca", "perceptron", "activation-functions", "forward-propagation", "loss-functions",
       "backpropagation", "optimisers", "convolutional-networks", "recurrent-networks", "attention", "transformers"}


def check(qid, value):
    q = QUESTIONS[qid]
    assert q["kind"] == "numeric"
    assert math.isclose(q["answer"], value, abs_tol=q.get("tolerance", 1e-9)), (qid, q["answer"], value)


def check_choice(qid, expected):
    q = QUESTIONS[qid]
    assert q["kind"] == "choice"
    assert q["answer"] == expected, (qid, q["answer"], expected)


def check_tf(qid, value):
    q = QUESTIONS[qid]
    assert q["kind"] == "true_false"
    assert q["answer"] is value


# ------------------------------------------------------------------ helpers

def sq_dist(a, b):
    return sum((x - y) ** 2 for x, y in zip(a, b))


def mean_point(points):
    return tuple(sum(c) / len(points) for c in zip(*points))


def softmax(z):
    m = max(z)
    e = [math.exp(v - m) for v in z]
    s = sum(e)
    return [v / s for v in e]


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def dense_params(sizes):
    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))


def conv_out(w, f, p=0, s=1):
    return (w - f + 2 * p) // s + 1


def agglomerative_heights(points, linkage):
    clusters = [[p] for p in points]
    heights = []
    while len(clusters) > 1:
        best = None
        for i, j in itertools.combinations(range(len(clusters)), 2):
            dists = [abs(a - b) for a in clusters[i] for b in clusters[j]]
            d = min(dists) if linkage == "single" else max(dists)
            if best is None or d < best[0]:
                best = (d, i, j)
        d, i, j = best
        heights.append(d)
        clusters[i] = clusters[i] + clusters[j]
        del clusters[j]
    return heights


def dbscan_1d(points, eps, min_samples):
    """Return the labels of a plain DBSCAN (-1 for noise); the neighbourhood includes the point itself."""
    n = len(points)
    neigh = [[j for j in range(n) if abs(points[i] - points[j]) <= eps] for i in range(n)]
    core = [len(neigh[i]) >= min_samples for i in range(n)]
    labels = [-1] * n
    cluster = 0
    for i in range(n):
        if not core[i] or labels[i] != -1:
            continue
        stack = [i]
        labels[i] = cluster
        while stack:
            k = stack.pop()
            if not core[k]:
                continue
            for j in neigh[k]:
                if labels[j] == -1:
                    labels[j] = cluster
                    stack.append(j)
        cluster += 1
    return labels


def eig_sym_2x2(a, b, d):
    """Eigenvalues of [[a, b], [b, d]], largest first."""
    tr, det = a + d, a * d - b * b
    r = math.sqrt(tr * tr / 4 - det)
    return tr / 2 + r, tr / 2 - r


# ------------------------------------------------------------------ generic rules

def test_generic_rules():
    ids = [q["id"] for q in QUESTIONS_LIST]
    assert len(ids) == len(set(ids)), "duplicate ids"
    allowed = {
        "id", "topic", "kind", "prompt", "explanation", "replaces", "options", "answer", "answers", "tolerance",
        "rel_tolerance", "unit", "generator", "params",
    }
    for q in QUESTIONS_LIST:
        assert set(q) <= allowed, q["id"]
        assert q["topic"] in TOPICS, q["id"]
        prefix, _, number = q["id"].rpartition("-")
        assert prefix == q["topic"] and len(number) == 2 and number.isdigit(), q["id"]
        if q["kind"] == "generated":
            assert "generator" in q
            continue
        assert isinstance(q["prompt"], str) and q["prompt"].strip(), q["id"]
        assert isinstance(q["explanation"], str) and q["explanation"].strip(), q["id"]
        if q["kind"] in ("choice", "multi"):
            opts = q["options"]
            assert all(isinstance(o, str) and o.strip() for o in opts), q["id"]
            assert len(opts) == len(set(opts)), f"duplicate options in {q['id']}"
            assert 3 <= len(opts) <= (5 if q["kind"] == "choice" else 6), q["id"]
            banned = ("all of the above", "none of the above", "both a and b")
            assert not any(b in o.lower() for o in opts for b in banned), q["id"]
        if q["kind"] == "choice":
            assert q["options"].count(q["answer"]) == 1, q["id"]
        elif q["kind"] == "multi":
            assert q["answers"] and set(q["answers"]) <= set(q["options"]), q["id"]
            assert len(q["answers"]) == len(set(q["answers"])), q["id"]
            assert "select all" in q["prompt"].lower(), q["id"]
        elif q["kind"] == "true_false":
            assert isinstance(q["answer"], bool), q["id"]
        elif q["kind"] == "numeric":
            assert isinstance(q["answer"], (int, float)) and not isinstance(q["answer"], bool), q["id"]
        elif q["kind"] == "text":
            assert q["answers"] and all(isinstance(a, str) and a.strip() for a in q["answers"]), q["id"]
    for topic in TOPICS:
        n = sum(q["topic"] == topic for q in QUESTIONS_LIST)
        assert n >= (10 if topic in BIG else 8), (topic, n)
        assert n <= (14 if topic in BIG else 10), (topic, n)
    # grouped by topic in skeleton order
    order = [TOPICS.index(q["topic"]) for q in QUESTIONS_LIST]
    assert order == sorted(order)


def test_true_false_balance():
    answers = [q["answer"] for q in QUESTIONS_LIST if q["kind"] == "true_false"]
    assert abs(answers.count(True) - answers.count(False)) <= len(answers) // 4


# ------------------------------------------------------------------ k-means

def test_k_means_02_centroid():
    check("k-means-02", mean_point([(2, 1), (4, 5), (9, 3)])[0])


def test_k_means_03_assignment():
    p = (3, 3)
    da, db = sq_dist(p, (0, 0)), sq_dist(p, (5, 1))
    assert da != db
    check_choice("k-means-03", "Cluster A" if da < db else "Cluster B")


def test_k_means_04_inertia():
    pts = [(0, 0), (2, 0), (1, 3)]
    c = mean_point(pts)
    check("k-means-04", sum(sq_dist(p, c) for p in pts))


def test_k_means_07_elbow():
    inertia = {1: 1000, 2: 520, 3: 210, 4: 190, 5: 175, 6: 165}
    # the elbow: the k after which the drop shrinks the most
    drops = {k: inertia[k - 1] - inertia[k] for k in range(2, 7)}
    ratio = {k: drops[k] / drops[k + 1] for k in range(2, 6)}
    check_choice("k-means-07", str(max(ratio, key=ratio.get)))


def test_k_means_12_one_step():
    data = [1, 2, 3, 10, 11, 12]
    c = [1, 2]
    groups = [[], []]
    for x in data:
        groups[min(range(2), key=lambda i: abs(x - c[i]))].append(x)
    check("k-means-12", sum(groups[1]) / len(groups[1]))


# ------------------------------------------------------------------ hierarchical clustering

def test_hierarchical_04_single_linkage():
    check("hierarchical-clustering-04", agglomerative_heights([1, 2, 4, 8, 9], "single")[-1])


def test_hierarchical_05_complete_linkage():
    check("hierarchical-clustering-05", agglomerative_heights([1, 2, 4, 8, 9], "complete")[-1])


def test_hierarchical_06_cut():
    heights = agglomerative_heights([1, 2, 4, 8, 9], "single")
    assert heights == [1, 1, 2, 4]
    check_choice("hierarchical-clustering-06", str(5 - sum(h < 3 for h in heights)))


def test_hierarchical_09_pairs():
    assert 1_000_000 * 999_999 // 2 > 4.9e11


# ------------------------------------------------------------------ DBSCAN

def test_dbscan_08_noise():
    labels = dbscan_1d([1, 2, 3, 7, 8, 20], 1.5, 3)
    check("density-based-clustering-08", labels.count(-1))


# ------------------------------------------------------------------ Gaussian mixtures

def test_gmm_04_responsibility():
    check("gaussian-mixture-models-04", 0.3 * 0.4 / (0.3 * 0.4 + 0.7 * 0.1))


def test_gmm_05_mean():
    r, x = [0.9, 0.6, 0.1], [1, 2, 6]
    check("gaussian-mixture-models-05", sum(a * b for a, b in zip(r, x)) / sum(r))


def test_gmm_07_parameters():
    k, d = 3, 2
    check("gaussian-mixture-models-07", k * d + k * d * (d + 1) // 2 + (k - 1))


# ------------------------------------------------------------------ clustering evaluation

def silhouette(a, b):
    return (b - a) / max(a, b)


def test_clustering_evaluation_01():
    check("clustering-evaluation-01", silhouette(2, 5))


def test_clustering_evaluation_02():
    check("clustering-evaluation-02", silhouette(4, 3))


def test_clustering_evaluation_08_rand_index():
    truth, pred = ["A", "A", "B", "B"], [1, 1, 1, 2]
    pairs = list(itertools.combinations(range(4), 2))
    agree = sum((truth[i] == truth[j]) == (pred[i] == pred[j]) for i, j in pairs)
    check("clustering-evaluation-08", agree / len(pairs))


def test_clustering_evaluation_10_purity_of_singletons():
    labels = ["A", "A", "B", "C", "B"]
    clusters = [[lab] for lab in labels]
    purity = sum(max(c.count(x) for x in set(c)) for c in clusters) / len(labels)
    check_tf("clustering-evaluation-10", purity < 1)


# ------------------------------------------------------------------ PCA

def test_pca_03_ratio():
    ev = [6, 3, 1]
    check("pca-03", sum(ev[:2]) / sum(ev))


def test_pca_04_components_for_95():
    ev = [50, 25, 12, 8, 3, 2]
    total, acc = sum(ev), 0
    for k, v in enumerate(ev, 1):
        acc += v
        if acc / total >= 0.95:
            break
    check("pca-04", k)


def test_pca_05_shape():
    n, d, k = 500, 20, 3
    assert d > k
    check_choice("pca-05", f"{n} × {k}")


def test_pca_06_first_ratio():
    l1, l2 = eig_sym_2x2(2, 1, 2)
    check("pca-06", l1 / (l1 + l2))


def test_pca_07_direction():
    l1, _ = eig_sym_2x2(2, 1, 2)
    v = (1, 1)
    av = (2 * v[0] + 1 * v[1], 1 * v[0] + 2 * v[1])
    assert av == (l1 * v[0], l1 * v[1])
    check_choice("pca-07", "(1, 1) / sqrt(2)")


def test_pca_11_reconstruction():
    ev = [5, 2, 0.5, 0.5]
    check("pca-11", sum(ev[2:]))


def test_pca_13_score():
    u = (1 / math.sqrt(2), 1 / math.sqrt(2))
    check("pca-13", 3 * u[0] + 1 * u[1])


# ------------------------------------------------------------------ anomaly detection

def test_anomaly_01_z():
    check("anomaly-detection-01", (62 - 50) / 4)


def test_anomaly_02_flagged():
    flagged = [o for o in QUESTIONS["anomaly-detection-02"]["options"] if abs((float(o) - 100) / 10) > 3]
    assert len(flagged) == 1
    check_choice("anomaly-detection-02", flagged[0])


def test_anomaly_03_fence():
    q1, q3 = 20, 30
    check("anomaly-detection-03", q3 + 1.5 * (q3 - q1))


def test_anomaly_06_accuracy():
    n = 100_000
    anomalies = n * 5 // 1000
    check_tf("anomaly-detection-06", math.isclose((n - anomalies) / n, 0.995))


def test_anomaly_08_contamination():
    check("anomaly-detection-08", 0.02 * 5000)


# ------------------------------------------------------------------ perceptron

def step(w, b, x):
    return 1 if sum(wi * xi for wi, xi in zip(w, x)) + b > 0 else 0


def test_perceptron_01():
    check("perceptron-01", step((2, -1), -1, (0.5, 1)))


def test_perceptron_02_update():
    w, b, eta, x, y = [1, -2], 0, 0.5, (2, 1), 1
    yhat = step(w, b, x)
    assert yhat == 0
    w = [wi + eta * (y - yhat) * xi for wi, xi in zip(w, x)]
    check("perceptron-02", w[1])


def test_perceptron_06_and_bias():
    inputs = list(itertools.product([0, 1], repeat=2))
    good = [o for o in QUESTIONS["perceptron-06"]["options"]
            if all(step((1, 1), float(o), x) == (x[0] and x[1]) for x in inputs)]
    assert len(good) == 1
    check_choice("perceptron-06", good[0])


def test_perceptron_10_mlp_params():
    check("perceptron-10", dense_params([784, 128, 10]))


def test_perceptron_11_intercept():
    check("perceptron-11", 12 / 3)


def test_perceptron_13_separable():
    funcs = {
        "x1 AND x2": lambda a, b: a and b,
        "x1 OR x2": lambda a, b: a or b,
        "NOT x1": lambda a, b: 1 - a,
        "x1 XOR x2": lambda a, b: a ^ b,
        "x1 XNOR x2": lambda a, b: 1 - (a ^ b),
    }
    grid = [v / 2 for v in range(-6, 7)]
    inputs = list(itertools.product([0, 1], repeat=2))

    def representable(f):
        return any(all(step((w1, w2), b, x) == f(*x) for x in inputs)
                   for w1 in grid for w2 in grid for b in grid)

    q = QUESTIONS["perceptron-13"]
    assert set(q["options"]) == set(funcs)
    # XOR and XNOR are impossible for any weights: the four constraints contradict each other,
    # so no grid point can satisfy them either. The grid search confirms the possible ones.
    assert set(q["answers"]) == {name for name, f in funcs.items() if representable(f)}


# ------------------------------------------------------------------ activation functions

def test_activation_02():
    s = sigmoid(0)
    check("activation-functions-02", s * (1 - s))


def test_activation_03():
    check("activation-functions-03", 0.8 * (1 - 0.8))


def test_activation_06_leaky():
    z = -5
    check("activation-functions-06", z if z > 0 else 0.01 * z)


def test_activation_11_tanh_range():
    values = [math.tanh(z) for z in (-3, -1, 0, 1, 3)]
    check_tf("activation-functions-11", all(0 <= v <= 1 for v in values))


def test_activation_12_softmax_shift():
    z = [1.5, -0.3, 2.2]
    same = all(math.isclose(a, b) for a, b in zip(softmax(z), softmax([v + 7 for v in z])))
    check_tf("activation-functions-12", same)


# ------------------------------------------------------------------ forward propagation

def test_forward_01():
    z = sum(w * x for w, x in zip((0.5, -1, 2), (2, 1, 0.5))) + 0.5
    check("forward-propagation-01", max(0, z))


def test_forward_02():
    x = (1, 2)
    w1 = [[1, -1], [2, 0]]
    b1 = (1, -1)
    h = [max(0, sum(wij * xj for wij, xj in zip(row, x)) + bi) for row, bi in zip(w1, b1)]
    check("forward-propagation-02", 3 * h[0] + 2 * h[1] + 0.5)


def test_forward_03_shape():
    (n, d), (d2, m) = (32, 100), (100, 64)
    assert d == d2
    check_choice("forward-propagation-03", f"{n} × {m}")


def test_forward_05_params():
    check("forward-propagation-05", dense_params([20, 50, 30, 5]))


def test_forward_09_softmax():
    check("forward-propagation-09", softmax([2, 1, 0])[0])


def test_forward_11_flatten():
    check_choice("forward-propagation-11", f"16 × {3 * 32 * 32}")


def test_forward_12_sigmoid():
    z = sum(w * h for w, h in zip((0.5, 3, -0.25), (1, 0, 2)))
    check("forward-propagation-12", sigmoid(z))


# ------------------------------------------------------------------ loss functions

def test_loss_01_mse():
    pred, target = (2, 4, 7), (3, 4, 5)
    check("loss-functions-01", sum((p - t) ** 2 for p, t in zip(pred, target)) / 3)


def test_loss_02_ce():
    check("loss-functions-02", -math.log(0.25))


def test_loss_03_bce():
    y, p = 0, 0.9
    check("loss-functions-03", -(y * math.log(p) + (1 - y) * math.log(1 - p)))


def test_loss_06_unbounded():
    k = 10
    check_tf("loss-functions-06", -math.log(1e-6) <= math.log(k))


def test_loss_07_uniform():
    check("loss-functions-07", -math.log(1 / 10))


def test_loss_08_huber():
    e, delta = 3, 1
    value = 0.5 * e * e if abs(e) <= delta else delta * (abs(e) - 0.5 * delta)
    check("loss-functions-08", value)


def test_loss_10_hinge():
    check("loss-functions-10", max(0, 1 - 1 * 0.3))


def test_loss_13_mean_ce():
    check("loss-functions-13", sum(-math.log(p) for p in (0.5, 0.8, 0.1)) / 3)


# ------------------------------------------------------------------ backpropagation

def numeric_derivative(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def test_backprop_01_chain_rule():
    q = QUESTIONS["backpropagation-01"]
    assert math.isclose(q["answer"], numeric_derivative(lambda x: (3 * x + 1) ** 2, 1.0), abs_tol=1e-4)


def test_backprop_02_neuron():
    x, b, y = 2, -1, 1
    loss = lambda w: (sigmoid(w * x + b) - y) ** 2  # noqa: E731
    q = QUESTIONS["backpropagation-02"]
    assert math.isclose(q["answer"], numeric_derivative(loss, 0.5), abs_tol=1e-4)


def test_backprop_03_relu_gate():
    z, upstream = -2, 5
    check("backpropagation-03", upstream * (1 if z > 0 else 0))


def test_backprop_04_multiply_gate():
    x, y, upstream = 3, -2, 2
    check("backpropagation-04", upstream * y)


def test_backprop_09_linear_layer():
    dy, x = (1, -2), (3, 1)
    grad = [[dy[i] * x[j] for j in range(2)] for i in range(2)]
    check("backpropagation-09", grad[1][0])


def test_backprop_10_vanishing():
    factor = 0.25 ** 10
    assert 5e-7 < factor < 2e-6
    check_choice("backpropagation-10", "About 10^-6 of it")


def test_backprop_12_softmax_ce():
    z = [math.log(0.7), math.log(0.2), math.log(0.1)]
    loss = lambda t: -math.log(softmax([z[0], t, z[2]])[1])  # noqa: E731
    q = QUESTIONS["backpropagation-12"]
    assert math.isclose(q["answer"], numeric_derivative(loss, z[1]), abs_tol=1e-4)


# ------------------------------------------------------------------ optimisers

def test_optimisers_02_sgd():
    check("optimisers-02", 2 - 0.1 * 0.5)


def test_optimisers_03_momentum():
    v = 0.9 * 1 + 0.5
    check("optimisers-03", 3 - 0.1 * v)


def test_optimisers_04_adam_first_step():
    g, lr, b1, b2 = 4.0, 0.01, 0.9, 0.999
    m = (1 - b1) * g
    v = (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1), v / (1 - b2)
    check("optimisers-04", abs(lr * m_hat / math.sqrt(v_hat)))


def test_optimisers_07_step_decay():
    check("optimisers-07", 0.1 * 0.5 ** (25 // 10))


def test_optimisers_08_cosine():
    lr_max, lr_min, t, T = 0.1, 0.0, 50, 100
    check("optimisers-08", lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * t / T)))


def test_optimisers_11_steps():
    check("optimisers-11", math.ceil(10_000 / 64))


def test_optimisers_13_momentum_coasts():
    v, w = 1.0, 0.0
    v = 0.9 * v + 0.0  # zero gradient
    w -= 0.1 * v
    check_tf("optimisers-13", w == 0.0)


# ------------------------------------------------------------------ training deep networks

def test_training_02_inverted_dropout():
    check("training-deep-networks-02", 2 / (1 - 0.2))


def test_training_05_he_std():
    check("training-deep-networks-05", math.sqrt(2 / 50))


def test_training_08_batchnorm():
    xs = [2, 4, 6, 8]
    mu = sum(xs) / len(xs)
    var = sum((x - mu) ** 2 for x in xs) / len(xs)
    check("training-deep-networks-08", (8 - mu) / math.sqrt(var))


# ------------------------------------------------------------------ PyTorch and Keras

def test_pytorch_07_autograd():
    q = QUESTIONS["pytorch-07"]
    assert math.isclose(q["answer"], numeric_derivative(lambda x: x ** 2 + 2 * x, 3.0), abs_tol=1e-4)


def test_pytorch_08_conv_shape():
    h = conv_out(32, 3, p=1)
    check_choice("pytorch-08", f"(8, 16, {h}, {h})")


def test_pytorch_09_view():
    check_choice("pytorch-09", f"({4 * 6 // 3}, 3)")


def test_keras_02_dense():
    check("tensorflow-keras-02", dense_params([20, 10]))


def test_keras_06_conv_shape():
    h = conv_out(28, 3)
    check_choice("tensorflow-keras-06", f"(None, {h}, {h}, 32)")


def test_keras_07_conv_params():
    check("tensorflow-keras-07", 3 * 3 * 1 * 32 + 32)


# ------------------------------------------------------------------ convolutional networks

def test_conv_04():
    check("convolutional-networks-04", conv_out(32, 5))


def test_conv_05():
    check("convolutional-networks-05", conv_out(224, 7, p=3, s=2))


def test_conv_06_params():
    check("convolutional-networks-06", 3 * 3 * 64 * 128 + 128)


def test_conv_07_shape():
    h = conv_out(64, 3, p=1)
    h = conv_out(h, 2, s=2)
    check_choice("convolutional-networks-07", f"16 × {h} × {h}")


def test_conv_08_max_pool():
    m = [[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 7, 2], [6, 2, 3, 1]]
    pooled = [max(m[i][j], m[i][j + 1], m[i + 1][j], m[i + 1][j + 1]) for i in (0, 2) for j in (0, 2)]
    check("convolutional-networks-08", sum(pooled))


def test_conv_09_cross_correlation():
    patch = [[1, 2, 0], [0, 1, 3], [2, 1, 1]]
    kernel = [[1, 0, -1]] * 3
    check("convolutional-networks-09", sum(patch[i][j] * kernel[i][j] for i in range(3) for j in range(3)))


def test_conv_10_same_padding():
    sizes = [(w, f) for w in (7, 28, 32) for f in (1, 3, 5, 7)]
    check_tf("convolutional-networks-10", all(conv_out(w, f, p=(f - 1) // 2) == w for w, f in sizes))


def test_conv_12_receptive_field():
    rf = 1
    for _ in range(3):
        rf += 3 - 1
    check("convolutional-networks-12", rf)


# ------------------------------------------------------------------ CNN applications and transfer learning

def test_cnn_applications_03_iou():
    a, b = (0, 0, 4, 4), (2, 2, 6, 6)
    iw = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    area = lambda r: (r[2] - r[0]) * (r[3] - r[1])  # noqa: E731
    check("cnn-applications-03", inter / (area(a) + area(b) - inter))


def test_transfer_04_head():
    check("transfer-learning-04", dense_params([2048, 5]))


# ------------------------------------------------------------------ recurrent networks, LSTM and GRU

def rnn_block(n_in, hidden):
    return hidden * (n_in + hidden) + hidden


def test_rnn_01_params():
    check("recurrent-networks-01", rnn_block(10, 20))


def test_rnn_02_unroll():
    h = 0
    for x in (1, 0, 3):
        h = 0.5 * h + 2 * x
    check("recurrent-networks-02", h)


def test_rnn_04_decay():
    f = 0.9 ** 50
    assert 0.004 < f < 0.006
    check_choice("recurrent-networks-04", "About 0.005")


def test_rnn_10_shape():
    batch, steps, hidden = 4, 10, 16
    check_choice("recurrent-networks-10", f"({batch}, {steps}, {hidden})")


def test_rnn_11_bidirectional():
    check("recurrent-networks-11", 2 * 16)


def test_lstm_03_params():
    check("lstm-and-gru-03", 4 * rnn_block(10, 20))


def test_gru_04_params():
    check("lstm-and-gru-04", 3 * rnn_block(10, 20))


def test_lstm_05_cell():
    check("lstm-and-gru-05", 0.9 * 2 + 0.5 * -0.4)


# ------------------------------------------------------------------ attention and transformers

def test_attention_01_score():
    q, k = (1, 2, 0, 1), (2, 0, 1, 2)
    check("attention-01", sum(a * b for a, b in zip(q, k)) / math.sqrt(len(q)))


def test_attention_02_weight():
    check("attention-02", softmax([2, 0])[0])


def test_attention_03_output():
    w, v1, v2 = (0.75, 0.25), (4, 0), (0, 8)
    check("attention-03", w[0] * v1[1] + w[1] * v2[1])


def test_attention_05_shape():
    n, m, d_k, d_v = 3, 5, 4, 2
    scores_shape = (n, m)
    out_shape = (scores_shape[0], d_v)
    assert out_shape == (n, d_v)
    check_choice("attention-05", "n × d_v")


def test_attention_07_columns():
    scores = [[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]]
    weights = [softmax(row) for row in scores]
    assert all(math.isclose(sum(row), 1) for row in weights)
    columns_sum_to_one = all(math.isclose(sum(row[j] for row in weights), 1) for j in range(3))
    check_tf("attention-07", columns_sum_to_one)


def test_attention_08_entries():
    check("attention-08", 1000 * 1000)


def test_attention_12_doubling():
    n = 512
    assert (2 * n) ** 2 // n ** 2 == 4
    check_choice("attention-12", "It grows 4 times")


def test_transformers_01_head_dim():
    check("transformers-01", 512 // 8)


def test_transformers_02_mha_params():
    check("transformers-02", 4 * dense_params([512, 512]))


def test_transformers_06_ffn_params():
    check("transformers-06", dense_params([512, 2048, 512]))


def test_transformers_09_shape():
    check_choice("transformers-09", "(2, 10, 512)")


def test_transformers_11_heads_params():
    d, h = 512, 8
    single = 4 * d * d
    multi = h * 3 * d * (d // h) + d * d  # per-head Q, K, V projections, then the output projection
    check_tf("transformers-11", multi >= 2 * single)
    assert multi == single


def test_transformers_12_positional_encoding():
    pos, i, d_model = 1, 0, 512
    check("transformers-12", math.sin(pos / 10000 ** (2 * i / d_model)))


def test_transformers_13_causal_mask():
    n = 4
    check("transformers-13", sum(1 for i in range(n) for j in range(n) if j <= i))


# ------------------------------------------------------------------ autoencoders, GANs, Hugging Face

def test_autoencoders_05_mse():
    x, xh = (1, 0, 2, 1), (0.5, 0, 2, 2)
    check("autoencoders-05", sum((a - b) ** 2 for a, b in zip(x, xh)) / 4)


def test_autoencoders_06_params():
    check("autoencoders-06", dense_params([784, 32, 784]))


def test_gans_03_optimal_d():
    check("gans-03", 0.3 / (0.3 + 0.1))


def test_gans_04_equilibrium():
    p = 0.37
    check_tf("gans-04", math.isclose(p / (p + p), 0.5))


def test_gans_06_bce():
    check("gans-06", -math.log(0.8) - math.log(1 - 0.3))


def test_hugging_face_10_special_tokens():
    tokens = ["[CLS]"] + [f"piece{i}" for i in range(7)] + ["[SEP]"]
    check("hugging-face-10", len(tokens))
