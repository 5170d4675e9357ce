"""Checks for the question bank content/questions/11-advanced-mlops-career.yaml.

Every computed answer is recomputed here independently in plain Python, and the generic rules of the bank
(counts per topic, ids, options and answers) are checked. The YAML is loaded directly; mlpath is not imported.
"""

import collections
import math
import pathlib
from fractions import Fraction

import yaml
from bank_format import KIND_FIELDS, COMMON_FIELDS as COMMON, GENERATOR_PARAMS as GENERATORS

ROOT = pathlib.Path(__file__).resolve().parents[1]
QUESTION_LIST = yaml.safe_load((ROOT / "content/questions/11-advanced-mlops-career.yaml").read_text())["questions"]
QUESTIONS = {q["id"]: q for q in QUESTION_LIST}

TOPICS = [
    "text-preprocessing", "text-representation", "word-embeddings", "large-language-models", "explainable-ai",
    "responsible-ml", "recommender-systems", "rl-basics", "q-learning", "deep-q-networks", "policy-gradients",
    "actor-critic",
    "mlops-lifecycle", "model-serving", "docker", "experiment-tracking", "ml-pipelines", "ci-cd-for-ml",
    "model-monitoring", "cloud-ml", "distributed-computing", "spark", "nosql-databases",
    "reading-research-papers", "kaggle-and-datasets", "ml-projects", "portfolio", "open-source", "ml-community",
]
BIG_TOPICS = {"text-preprocessing", "word-embeddings", "rl-basics", "q-learning", "model-monitoring", "docker"}
KINDS = {"choice", "multi", "true_false", "numeric", "text", "flashcard", "generated"}


def check(qid, expected):
    q = QUESTIONS[qid]
    assert q["kind"] == "numeric"
    assert math.isclose(q["answer"], expected, abs_tol=q.get("tolerance", 1e-9)), (qid, q["answer"], expected)


def cosine(u, v):
    dot = sum(a * b for a, b in zip(u, v))
    return dot / (math.sqrt(sum(a * a for a in u)) * math.sqrt(sum(b * b for b in v)))


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


# ---------------------------------------------------------------- generic rules

def test_generic_rules():
    ids = [q["id"] for q in QUESTION_LIST]
    assert len(ids) == len(set(ids)), "duplicate ids"
    counts = collections.Counter(q["topic"] for q in QUESTION_LIST)
    assert set(counts) == set(TOPICS), set(counts) ^ set(TOPICS)
    for topic in TOPICS:
        low, high = (10, 12) if topic in BIG_TOPICS else (8, 10)
        assert low <= counts[topic] <= high, (topic, counts[topic])
    # grouped by topic in skeleton order
    order = [q["topic"] for q in QUESTION_LIST]
    firsts = sorted(set(order), key=order.index)
    assert firsts == TOPICS
    assert order == sorted(order, key=TOPICS.index)
    for q in QUESTION_LIST:
        qid, kind = q["id"], q["kind"]
        prefix, _, number = qid.rpartition("-")
        assert prefix == q["topic"] and len(number) == 2 and number.isdigit(), qid
        assert kind in KINDS, qid
        assert set(q) <= COMMON | KIND_FIELDS[kind], (qid, set(q) - COMMON - KIND_FIELDS[kind])
        if kind == "generated":
            assert q["generator"] in GENERATORS, qid
            continue
        assert isinstance(q.get("prompt"), str) and q["prompt"].strip(), qid
        assert isinstance(q.get("explanation"), str) and q["explanation"].strip(), qid
        if kind in ("choice", "multi"):
            options = q["options"]
            assert all(isinstance(o, str) and o.strip() for o in options), qid
            assert len(options) == len(set(options)), f"{qid}: duplicate options"
            assert 3 <= len(options) <= (5 if kind == "choice" else 6), qid
            for o in options:
                low = o.lower()
                assert "all of the above" not in low and "none of the above" not in low, qid
        if kind == "choice":
            assert options.count(q["answer"]) == 1, qid
        elif kind == "multi":
            answers = q["answers"]
            assert answers and len(answers) == len(set(answers)), qid
            assert set(answers) <= set(options), qid
            assert "select all" in q["prompt"].lower(), qid
        elif kind == "true_false":
            assert isinstance(q["answer"], bool), qid
        elif kind == "numeric":
            assert isinstance(q["answer"], (int, float)) and not isinstance(q["answer"], bool), qid
            if isinstance(q["answer"], float) and not float(q["answer"]).is_integer():
                assert "tolerance" in q or "rel_tolerance" in q, qid
        elif kind == "text":
            assert q["answers"] and all(isinstance(a, str) and a.strip() for a in q["answers"]), qid
        elif kind == "flashcard":
            assert isinstance(q["answer"], str) and q["answer"].strip(), qid


def test_true_false_balance():
    answers = [q["answer"] for q in QUESTION_LIST if q["kind"] == "true_false"]
    assert abs(answers.count(True) - answers.count(False)) <= 3


# ---------------------------------------------------------------- text-preprocessing

def test_text_preprocessing_02_types():
    tokens = "The cat saw the other cat".lower().split()
    check("text-preprocessing-02", len(set(tokens)))


def test_text_preprocessing_03_stop_words():
    stop = {"the", "is", "at", "a"}
    check("text-preprocessing-03", len([t for t in "the model is not good at the task".split() if t not in stop]))


# ---------------------------------------------------------------- text-representation

def test_text_representation_01_idf_of_ubiquitous_word():
    q = QUESTIONS["text-representation-01"]
    n = 1000
    assert math.log(n / n) == 0
    assert q["answer"] == "0"


def test_text_representation_02_tfidf():
    check("text-representation-02", (3 / 100) * math.log10(1000 / 10))


def test_text_representation_03_bigrams():
    tokens = list(range(7))
    check("text-representation-03", len(list(zip(tokens, tokens[1:]))))


def test_text_representation_04_bag_of_words_ignores_order():
    a = collections.Counter("dog bites man".split())
    b = collections.Counter("man bites dog".split())
    assert a == b
    assert QUESTIONS["text-representation-04"]["answer"] == "They are identical"


def test_text_representation_07_cosine_of_counts():
    vocab = ["apple", "car", "red"]
    d1 = collections.Counter("red apple red".split())
    d2 = collections.Counter("red car".split())
    check("text-representation-07", cosine([d1[w] for w in vocab], [d2[w] for w in vocab]))


# ---------------------------------------------------------------- word-embeddings

def test_word_embeddings_03_cosine():
    check("word-embeddings-03", cosine((1, 2, 2), (2, 1, 2)))


def test_word_embeddings_04_one_hot():
    u = [0] * 10
    v = [0] * 10
    u[3] = 1
    v[7] = 1
    check("word-embeddings-04", cosine(u, v))


def test_word_embeddings_05_embedding_params():
    check("word-embeddings-05", 10_000 * 300)


def test_word_embeddings_06_analogy():
    man, woman, king = (1, 0), (1, 2), (4, 1)
    target = tuple(k - m + w for k, m, w in zip(king, man, woman))
    candidates = {
        "queen = (4, 3.2)": (4, 3.2),
        "prince = (5, 0.8)": (5, 0.8),
        "princess = (2, 3)": (2, 3),
        "woman = (1, 2)": woman,
    }
    q = QUESTIONS["word-embeddings-06"]
    assert set(candidates) == set(q["options"])
    best = max(candidates, key=lambda name: cosine(target, candidates[name]))
    assert best == q["answer"]


def test_word_embeddings_10_cosine_is_scale_invariant():
    u, v = (1, 2, 2), (2, 1, 2)
    assert math.isclose(cosine(u, v), cosine([2 * x for x in u], v))
    assert QUESTIONS["word-embeddings-10"]["answer"] is False


# ---------------------------------------------------------------- large-language-models

def test_large_language_models_04_temperature():
    logits, t = (2, 0), 2
    exps = [math.exp(z / t) for z in logits]
    check("large-language-models-04", exps[0] / sum(exps))


def test_large_language_models_09_lora_params():
    d, r = 4096, 8
    check("large-language-models-09", d * r + r * d)


# ---------------------------------------------------------------- explainable-ai

def test_explainable_ai_02_shap_additivity():
    check("explainable-ai-02", 0.30 + 0.15 - 0.05 + 0.10)


def test_explainable_ai_04_permutation_importance():
    check("explainable-ai-04", 0.92 - 0.85)


def test_explainable_ai_10_odds_ratio():
    check("explainable-ai-10", math.exp(0.7))


# ---------------------------------------------------------------- responsible-ml

def test_responsible_ml_01_disparate_impact():
    check("responsible-ml-01", Fraction(45, 150) / Fraction(60, 100))


def test_responsible_ml_02_tpr_gap():
    check("responsible-ml-02", Fraction(40, 40 + 10) - Fraction(30, 30 + 30))


# ---------------------------------------------------------------- recommender-systems

def test_recommender_systems_03_matrix_factorisation():
    mu, bu, bi = 3.5, 0.2, -0.3
    pu, qi = (0.5, -0.4), (1.2, 0.5)
    check("recommender-systems-03", mu + bu + bi + sum(a * b for a, b in zip(pu, qi)))


def test_recommender_systems_04_user_cosine():
    check("recommender-systems-04", cosine((5, 3, 4), (4, 3, 5)))


def test_recommender_systems_05_precision_at_k():
    recommended = [1, 0, 0, 1, 0]  # 1 = relevant
    check("recommender-systems-05", sum(recommended) / len(recommended))


def test_recommender_systems_06_recall_at_k():
    check("recommender-systems-06", Fraction(2, 4))


def test_recommender_systems_07_factor_params():
    check("recommender-systems-07", (1000 + 500) * 20)


# ---------------------------------------------------------------- rl-basics

def discounted_return(rewards, gamma):
    return sum(r * gamma ** t for t, r in enumerate(rewards))


def test_rl_basics_03_return():
    check("rl-basics-03", discounted_return([1, 1, 1], 0.9))


def test_rl_basics_04_infinite_return():
    # the partial sums converge to the closed form 1 / (1 - gamma)
    assert math.isclose(discounted_return([1] * 2000, 0.9), 1 / (1 - 0.9))
    check("rl-basics-04", discounted_return([1] * 2000, 0.9))


def test_rl_basics_05_bellman_expectation():
    gamma = 0.9
    branches = [(0.5, 2, 10), (0.5, 0, 4)]  # (probability, reward, value of next state)
    check("rl-basics-05", sum(p * (r + gamma * v) for p, r, v in branches))


# ---------------------------------------------------------------- q-learning

def q_update(q, alpha, target):
    return q + alpha * (target - q)


def test_q_learning_01_update():
    check("q-learning-01", q_update(2, 0.5, 1 + 0.9 * 4))


def test_q_learning_02_td_error():
    check("q-learning-02", -1 + 0.8 * 5 - 5)


def test_q_learning_03_terminal_update():
    check("q-learning-03", q_update(0.5, 0.1, 10))


def test_q_learning_04_epsilon_greedy():
    eps, n_actions = 0.1, 4
    check("q-learning-04", (1 - eps) + eps / n_actions)


def test_q_learning_06_sarsa_update():
    check("q-learning-06", q_update(2, 0.5, 1 + 0.9 * 1))
    # the explanation's comparison with Q-learning
    assert math.isclose(q_update(2, 0.5, 1 + 0.9 * 4), 3.3)


def test_q_learning_08_td0_update():
    check("q-learning-08", q_update(3, 0.1, 2 + 1 * 5))


# ---------------------------------------------------------------- deep-q-networks

def test_deep_q_networks_03_target():
    check("deep-q-networks-03", 1 + 0.99 * max([2.0, 3.0, 1.5]))


def test_deep_q_networks_05_double_dqn_target():
    online, target = [2.5, 2.0, 1.0], [1.8, 2.6, 0.9]
    a = max(range(3), key=lambda i: online[i])
    check("deep-q-networks-05", 0 + 0.9 * target[a])
    assert math.isclose(0.9 * max(target), 2.34)  # plain DQN, as in the explanation


# ---------------------------------------------------------------- policy-gradients

def test_policy_gradients_03_reinforce_step():
    theta, alpha, g = 0.0, 0.1, 2
    grad_log_pi = 1 - sigmoid(theta)
    # check the stated derivative numerically
    h = 1e-6
    numeric = (math.log(sigmoid(theta + h)) - math.log(sigmoid(theta - h))) / (2 * h)
    assert math.isclose(grad_log_pi, numeric, rel_tol=1e-6)
    check("policy-gradients-03", theta + alpha * g * grad_log_pi)


def test_policy_gradients_06_return_to_go():
    check("policy-gradients-06", discounted_return([0, 0, 1], 0.9))


def test_policy_gradients_09_ppo_clip():
    r, adv, eps = 1.5, 2, 0.2
    clipped = min(max(r, 1 - eps), 1 + eps)
    check("policy-gradients-09", min(r * adv, clipped * adv))


# ---------------------------------------------------------------- actor-critic

def test_actor_critic_02_td_error():
    check("actor-critic-02", 1 + 0.9 * 5 - 4)


def test_actor_critic_03_critic_update():
    check("actor-critic-03", 4 + 0.1 * (1 + 0.9 * 5 - 4))


# ---------------------------------------------------------------- mlops

def test_model_serving_07_throughput():
    check("model-serving-07", 4 * (1 / 0.050))


def test_ml_pipelines_02_critical_path():
    duration = {"A": 10, "B": 20, "C": 5, "D": 10}
    needs = {"A": [], "B": ["A"], "C": ["A"], "D": ["B", "C"]}
    finish = {}
    for step in ["A", "B", "C", "D"]:  # topological order
        finish[step] = duration[step] + max((finish[n] for n in needs[step]), default=0)
    check("ml-pipelines-02", max(finish.values()))


def test_model_monitoring_03_psi():
    expected, actual = [0.5, 0.5], [0.3, 0.7]
    check("model-monitoring-03", sum((a - e) * math.log(a / e) for a, e in zip(actual, expected)))


def test_model_monitoring_04_ks_statistic():
    a, b = [1, 2, 3, 4], [3, 4, 5, 6]

    def ecdf(sample, x):
        return sum(v <= x for v in sample) / len(sample)

    points = sorted(set(a) | set(b))
    check("model-monitoring-04", max(abs(ecdf(a, x) - ecdf(b, x)) for x in points))


def test_cloud_ml_02_spot_cost():
    check("cloud-ml-02", 3.00 * (1 - 0.70) * 10)


def test_cloud_ml_04_endpoint_cost():
    check("cloud-ml-04", 2 * 0.50 * 720)


def test_distributed_computing_02_map_pairs():
    lines = ["a b a", "b c"]
    pairs = [(w, 1) for line in lines for w in line.split()]
    check("distributed-computing-02", len(pairs))
    reduced = collections.Counter(w for w, _ in pairs)
    assert reduced == {"a": 2, "b": 2, "c": 1}  # as stated in the explanation


def test_distributed_computing_03_hdfs_replicas():
    check("distributed-computing-03", math.ceil(1024 / 128) * 3)


def amdahl(parallel, workers):
    return 1 / ((1 - parallel) + parallel / workers)


def test_distributed_computing_04_amdahl():
    check("distributed-computing-04", amdahl(0.9, 10))


def test_distributed_computing_05_amdahl_limit():
    assert math.isclose(amdahl(0.95, 10**12), 1 / 0.05, rel_tol=1e-9)
    check("distributed-computing-05", 1 / (1 - 0.95))


def test_spark_09_waves():
    partitions = math.ceil(10240 / 128)
    check("spark-09", math.ceil(partitions / 16))


def test_nosql_databases_04_quorum():
    check("nosql-databases-04", 5 // 2 + 1)


def test_nosql_databases_05_read_write_overlap():
    rf = 3
    w = rf // 2 + 1  # QUORUM
    r = 1  # ONE
    assert QUESTIONS["nosql-databases-05"]["answer"] is (r + w > rf)


# ---------------------------------------------------------------- career

def test_kaggle_and_datasets_03_standard_error():
    check("kaggle-and-datasets-03", math.sqrt(0.8 * 0.2 / 1000))


def test_ml_projects_01_majority_baseline():
    check("ml-projects-01", max(850, 150) / (850 + 150))


def test_every_numeric_question_has_a_test():
    source = pathlib.Path(__file__).read_text()
    for q in QUESTION_LIST:
        if q["kind"] == "numeric":
            assert f'"{q["id"]}"' in source, q["id"]
