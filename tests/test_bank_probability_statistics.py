"""Checks for the probability-statistics question bank.

Every computed answer is recomputed here independently in plain Python.
"""
import collections
import math
import pathlib
import statistics
from fractions import Fraction as F

import yaml
from bank_format import KIND_FIELDS, COMMON_FIELDS as COMMON, GENERATOR_PARAMS as GENERATORS

ROOT = pathlib.Path(__file__).resolve().parents[1]
QUESTIONS = {
    q["id"]: q
    for q in yaml.safe_load((ROOT / "content/questions/03-probability-statistics.yaml").read_text())["questions"]
}
RAW = yaml.safe_load((ROOT / "content/questions/03-probability-statistics.yaml").read_text())["questions"]

TOPICS = [
    "probability-basics", "conditional-probability", "bayes-theorem", "random-variables",
    "expectation-and-variance", "probability-distributions", "information-theory", "limit-theorems",
    "descriptive-statistics", "statistical-graphs", "sampling-and-bias", "maximum-likelihood",
    "confidence-intervals", "hypothesis-testing", "ab-testing", "correlation-and-causation",
    "bayesian-statistics",
]
BIG = {
    "probability-basics", "conditional-probability", "bayes-theorem", "random-variables",
    "expectation-and-variance", "probability-distributions", "descriptive-statistics", "hypothesis-testing",
}


def close(qid, value):
    q = QUESTIONS[qid]
    assert q["kind"] == "numeric"
    assert math.isclose(q["answer"], value, abs_tol=q.get("tolerance", 1e-9)), (qid, q["answer"], value)
    # the stored answer should be far more precise than the tolerance allows
    assert abs(q["answer"] - value) < 1e-6, (qid, q["answer"], value)


def choice_value(qid):
    q = QUESTIONS[qid]
    assert q["kind"] == "choice"
    assert q["answer"] in q["options"]
    return q["answer"]


def phi(z):
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


# ---------------------------------------------------------------- generic rules

def test_generic_rules():
    ids = [q["id"] for q in RAW]
    assert len(ids) == len(set(ids)), "duplicate ids"
    per_topic = collections.Counter(q["topic"] for q in RAW)
    assert set(per_topic) == set(TOPICS)
    for topic in TOPICS:
        low, high = (10, 14) if topic in BIG else (8, 10)
        assert low <= per_topic[topic] <= high, (topic, per_topic[topic])
    # grouped by topic in skeleton order
    order = [q["topic"] for q in RAW]
    assert sorted(order, key=TOPICS.index) == order
    tf = collections.Counter()
    for q in RAW:
        qid, kind = q["id"], q["kind"]
        assert qid.startswith(q["topic"] + "-"), qid
        suffix = qid[len(q["topic"]) + 1:]
        assert len(suffix) == 2 and suffix.isdigit(), qid
        assert kind in KIND_FIELDS, qid
        assert set(q) <= COMMON | KIND_FIELDS[kind], (qid, set(q) - COMMON - KIND_FIELDS[kind])
        if kind == "generated":
            assert q["generator"] in GENERATORS, qid
            for key, value in (q.get("params") or {}).items():
                assert key in GENERATORS[q["generator"]], (qid, key)
                assert value in GENERATORS[q["generator"]][key], (qid, key, value)
            continue
        assert isinstance(q["prompt"], str) and q["prompt"].strip(), qid
        assert isinstance(q["explanation"], str) and q["explanation"].strip(), qid
        if kind in ("choice", "multi"):
            opts = q["options"]
            assert all(isinstance(o, str) and o.strip() for o in opts), qid
            assert len(opts) == len(set(opts)), (qid, "duplicate options")
            assert 3 <= len(opts) <= 6 if kind == "multi" else 3 <= len(opts) <= 5, qid
            for o in opts:
                low = o.lower()
                assert "all of the above" not in low and "none of the above" not in low, qid
        if kind == "choice":
            assert isinstance(q["answer"], str)
            assert q["options"].count(q["answer"]) == 1, qid
        elif kind == "multi":
            assert q["answers"], qid
            assert len(q["answers"]) == len(set(q["answers"])), qid
            assert set(q["answers"]) <= set(q["options"]), qid
            assert "select all that apply" in q["prompt"].lower(), qid
        elif kind == "true_false":
            assert q["answer"] is True or q["answer"] is False, qid
            tf[q["answer"]] += 1
        elif kind == "numeric":
            assert isinstance(q["answer"], (int, float)) and not isinstance(q["answer"], bool), qid
            if q["answer"] != int(q["answer"]):
                assert "tolerance" in q or "rel_tolerance" in q, qid
        elif kind == "text":
            assert q["answers"] and all(isinstance(a, str) and a.strip() for a in q["answers"]), qid
    # true/false statements roughly balanced
    assert abs(tf[True] - tf[False]) <= 6, tf


# ---------------------------------------------------------------- probability-basics

def test_probability_basics():
    dice = [(a, b) for a in range(1, 7) for b in range(1, 7)]
    close("probability-basics-01", sum(a + b == 7 for a, b in dice) / len(dice))
    assert F(choice_value("probability-basics-02")) == F("0.5") + F("0.4") - F("0.2")
    close("probability-basics-04", math.comb(10, 3))
    assert int(choice_value("probability-basics-05")) == math.perm(10, 3)
    close("probability-basics-06", 1 - 0.5 ** 4)
    assert int(choice_value("probability-basics-08")) == 10 ** 4
    assert F(choice_value("probability-basics-11")) == F(4, 52) * F(3, 51)
    assert F(choice_value("probability-basics-12")) == 1 - F(5, 6) ** 3
    import itertools
    n_arrangements = len(set(itertools.permutations("LEVEL")))
    assert QUESTIONS["probability-basics-13"]["answer"] is (n_arrangements == 30)


# ---------------------------------------------------------------- conditional-probability

JOINT = {("rain", "umb"): 0.24, ("rain", "no"): 0.06, ("dry", "umb"): 0.14, ("dry", "no"): 0.56}


def test_conditional_probability():
    close("conditional-probability-01", 12 / 51)
    assert math.isclose(sum(JOINT.values()), 1.0)
    p_rain = JOINT["rain", "umb"] + JOINT["rain", "no"]
    p_umb = JOINT["rain", "umb"] + JOINT["dry", "umb"]
    assert math.isclose(float(choice_value("conditional-probability-02")), p_rain)
    close("conditional-probability-03", JOINT["rain", "umb"] / p_rain)
    close("conditional-probability-04", JOINT["rain", "umb"] / p_umb)
    outcomes = [(a, b) for a in "HT" for b in "HT"]
    given = [o for o in outcomes if "H" in o]
    assert F(choice_value("conditional-probability-07")) == F(sum(o == ("H", "H") for o in given), len(given))
    close("conditional-probability-09", float(F(5, 8) * F(4, 7) * F(3, 6)))
    assert math.isclose(float(choice_value("conditional-probability-10")), 0.6 * 0.02 + 0.4 * 0.05)


# ---------------------------------------------------------------- bayes-theorem

def posterior(prior, p_e_h, p_e_not_h):
    return p_e_h * prior / (p_e_h * prior + p_e_not_h * (1 - prior))


def test_bayes_theorem():
    first = posterior(0.01, 0.9, 0.09)
    close("bayes-theorem-01", first)
    close("bayes-theorem-06", posterior(0.2, 0.4, 0.05))
    assert F(choice_value("bayes-theorem-08")) == (F(3, 4) * F(1, 2)) / (F(3, 4) * F(1, 2) + F(1, 4) * F(1, 2))
    close("bayes-theorem-09", posterior(first, 0.9, 0.09))
    close("bayes-theorem-09", 100 / 199)
    num, den = choice_value("bayes-theorem-11").split(":")
    assert F(int(num), int(den)) == F(1, 4) * 6
    close("bayes-theorem-13", 40 / (40 + 30))


# ---------------------------------------------------------------- random-variables

def integrate(f, a, b, n=20000):
    h = (b - a) / n
    return h * sum(f(a + (i + 0.5) * h) for i in range(n))


def test_random_variables():
    c = QUESTIONS["random-variables-04"]["answer"]
    assert math.isclose(integrate(lambda x: c * x, 0, 2), 1.0, abs_tol=1e-6)
    close("random-variables-05", integrate(lambda x: x / 2, 0, 1))
    close("random-variables-07", 1 - 0.2 - 0.5)
    assert math.isclose(float(choice_value("random-variables-08")), (5 - 3) / 10)
    cdf = lambda x: 1 - math.exp(-x)
    close("random-variables-09", cdf(2) - cdf(1))
    q = QUESTIONS["random-variables-11"]
    for option in q["options"]:
        probs = [F(part.split("=")[1].strip().replace("−", "-")) for part in option.split(",")]
        valid = all(0 <= p <= 1 for p in probs) and sum(probs) == 1
        assert (option in q["answers"]) is valid, option
    xs = [-1, 0, 1]
    assert F(choice_value("random-variables-12")) == F(sum(x * x == 1 for x in xs), len(xs))


# ---------------------------------------------------------------- expectation-and-variance

def test_expectation_and_variance():
    die = range(1, 7)
    mean = F(sum(die), 6)
    close("expectation-and-variance-03", float(mean))
    var = F(sum(x * x for x in die), 6) - mean ** 2
    assert var == F(35, 12)
    close("expectation-and-variance-04", float(var))
    close("expectation-and-variance-04", statistics.pvariance(list(die)))
    assert int(choice_value("expectation-and-variance-05")) == 3 ** 2 * 4
    assert int(choice_value("expectation-and-variance-06")) == 2 * 5 - 3 * 2 + 1
    close("expectation-and-variance-09", 4 + 9 - 2 * 2)
    xs = [-1, 0, 1]
    ex = F(sum(xs), 3)
    ey = F(sum(x * x for x in xs), 3)
    exy = F(sum(x * x * x for x in xs), 3)
    assert F(choice_value("expectation-and-variance-11")) == exy - ex * ey
    close("expectation-and-variance-12", 13 - 3 ** 2)


# ---------------------------------------------------------------- probability-distributions

def poisson(k, lam):
    return math.exp(-lam) * lam ** k / math.factorial(k)


def test_probability_distributions():
    close("probability-distributions-03", 10 * 0.3 * 0.7)
    close("probability-distributions-05", poisson(0, 3))
    close("probability-distributions-06", poisson(2, 2))
    within_two_sd = phi(2) - phi(-2)
    assert abs(within_two_sd - 0.95) < 0.01
    assert choice_value("probability-distributions-08") == "About 95%"
    close("probability-distributions-09", (65 - 50) / 10)
    grid = [i / 100 for i in range(101)]
    best = max(grid, key=lambda p: p * (1 - p))
    assert math.isclose(float(choice_value("probability-distributions-10")), best)
    assert choice_value("probability-distributions-13") == f"N({1 + 2}, {4 + 9})"
    p10 = math.comb(20, 10) / 2 ** 20
    assert QUESTIONS["probability-distributions-14"]["answer"] is math.isclose(p10, 0.5)
    assert abs(p10 - 0.176) < 0.001


# ---------------------------------------------------------------- information-theory

def test_information_theory():
    close("information-theory-03", math.log2(8))
    close("information-theory-06", -math.log(0.25))
    p, q = [0.5, 0.5], [0.25, 0.75]
    close("information-theory-08", sum(pi * math.log2(pi / qi) for pi, qi in zip(p, q)))
    # H(P, Q) = H(P) + KL(P || Q) on a concrete example, and the tempting alternative fails
    h_p = -sum(pi * math.log2(pi) for pi in p)
    h_pq = -sum(pi * math.log2(qi) for pi, qi in zip(p, q))
    kl_pq = sum(pi * math.log2(pi / qi) for pi, qi in zip(p, q))
    kl_qp = sum(qi * math.log2(qi / pi) for pi, qi in zip(p, q))
    h_q = -sum(qi * math.log2(qi) for qi in q)
    assert math.isclose(h_pq, h_p + kl_pq)
    assert not math.isclose(h_pq, h_q + kl_qp)
    assert choice_value("information-theory-07") == "H(P, Q) = H(P) + KL(P || Q)"
    assert not math.isclose(kl_pq, kl_qp)


# ---------------------------------------------------------------- limit-theorems

def test_limit_theorems():
    close("limit-theorems-03", 20 / math.sqrt(100))
    factor = float(choice_value("limit-theorems-04"))
    assert math.isclose(1 / math.sqrt(factor), 0.5)
    se = 10 / math.sqrt(25)
    close("limit-theorems-07", 1 - phi((54 - 50) / se))


# ---------------------------------------------------------------- descriptive-statistics

def test_descriptive_statistics():
    data = [2, 3, 3, 5, 100]
    assert statistics.median(data) == 3 and math.isclose(statistics.mean(data), 22.6)
    close("descriptive-statistics-06", statistics.median([7, 1, 4, 9, 3, 8]))
    sample = [2, 4, 4, 4, 5, 5, 7, 9]
    close("descriptive-statistics-07", statistics.variance(sample))
    assert statistics.pvariance(sample) == 4
    data = [2, 4, 4, 5, 7, 7, 7, 9]
    assert float(choice_value("descriptive-statistics-12")) == statistics.mode(data)
    assert statistics.median(data) == 6 and statistics.mean(data) == 5.625
    scaled = [3 * x for x in data]
    assert QUESTIONS["descriptive-statistics-11"]["answer"] is math.isclose(
        statistics.pvariance(scaled), 3 * statistics.pvariance(data))
    shifted = [x + 10 for x in data]
    assert QUESTIONS["descriptive-statistics-10"]["answer"] is math.isclose(
        statistics.pstdev(shifted), statistics.pstdev(data))


# ---------------------------------------------------------------- statistical-graphs

def test_statistical_graphs():
    q1, q3 = 10, 20
    close("statistical-graphs-05", q3 + 1.5 * (q3 - q1))


# ---------------------------------------------------------------- sampling-and-bias

def test_sampling_and_bias():
    # exact expectation of the divide-by-n variance estimator over all samples of size 5 (with
    # replacement) from a small population equals (n - 1)/n times the population variance
    import itertools
    population = [0, 1, 3]
    n = 5
    sigma2 = statistics.pvariance(population)
    samples = list(itertools.product(population, repeat=n))
    expected = sum(F(statistics.pvariance([F(x) for x in s])) for s in samples) / len(samples)
    close("sampling-and-bias-06", float(expected / F(sigma2)))


# ---------------------------------------------------------------- maximum-likelihood

def argmax(f, lo, hi, steps=100000):
    best = max(range(1, steps), key=lambda i: f(lo + (hi - lo) * i / steps))
    return lo + (hi - lo) * best / steps


def test_maximum_likelihood():
    close("maximum-likelihood-01", 7 / 10)
    assert math.isclose(argmax(lambda p: 7 * math.log(p) + 3 * math.log(1 - p), 0, 1), 0.7, abs_tol=1e-4)
    counts = [2, 4, 3, 5, 1]
    close("maximum-likelihood-04", statistics.mean(counts))
    lam = argmax(lambda l: sum(k * math.log(l) - l for k in counts), 0, 10)
    assert math.isclose(lam, 3, abs_tol=1e-3)
    waits = [2, 3, 5]
    close("maximum-likelihood-08", len(waits) / sum(waits))
    rate = argmax(lambda l: len(waits) * math.log(l) - l * sum(waits), 0, 2)
    assert math.isclose(rate, 0.3, abs_tol=1e-3)
    assert float(choice_value("maximum-likelihood-09")) == 3 / 3


# ---------------------------------------------------------------- confidence-intervals

def test_confidence_intervals():
    close("confidence-intervals-02", 50 + 1.96 * 10 / math.sqrt(100))
    assert math.isclose(math.sqrt(100 / 400), 0.5)
    assert choice_value("confidence-intervals-04") == "It halves"
    close("confidence-intervals-06", 1.96 * math.sqrt(0.4 * 0.6 / 600))


# ---------------------------------------------------------------- hypothesis-testing

def test_hypothesis_testing():
    close("hypothesis-testing-05", (52 - 50) / (8 / math.sqrt(64)))
    close("hypothesis-testing-06", (10.5 - 10) / (2 / math.sqrt(16)))
    assert int(choice_value("hypothesis-testing-07")) == 16 - 1
    assert math.isclose(float(choice_value("hypothesis-testing-09")), 20 * 0.05)
    close("hypothesis-testing-10", 1 - 0.95 ** 20)
    assert math.isclose(float(choice_value("hypothesis-testing-11")), 0.05 / 10)


# ---------------------------------------------------------------- ab-testing

def test_ab_testing():
    pa, pb = 200 / 4000, 240 / 4000
    close("ab-testing-02", (pb - pa) / pa)
    pooled = (200 + 240) / 8000
    se = math.sqrt(pooled * (1 - pooled) * (1 / 4000 + 1 / 4000))
    z = (pb - pa) / se
    assert math.isclose(QUESTIONS["ab-testing-03"]["answer"], z, abs_tol=1e-4)
    assert math.isclose(QUESTIONS["ab-testing-03"]["answer"], z, abs_tol=QUESTIONS["ab-testing-03"]["tolerance"])


# ---------------------------------------------------------------- correlation-and-causation

def test_correlation_and_causation():
    x, y = [1, 2, 3, 4, 5], [2, 4, 5, 4, 5]
    close("correlation-and-causation-02", statistics.correlation(x, y))
    options = QUESTIONS["correlation-and-causation-04"]["options"]
    strongest = max(options, key=lambda o: abs(float(o)))
    assert choice_value("correlation-and-causation-04") == strongest
    heights = [1.6, 1.7, 1.8, 1.75, 1.65]
    weights = [55, 72, 80, 70, 66]
    same = math.isclose(statistics.correlation(heights, weights),
                        statistics.correlation([100 * h for h in heights], weights))
    assert QUESTIONS["correlation-and-causation-05"]["answer"] is same
    close("correlation-and-causation-09", 6 / (2 * 5))
    xs = [-2, -1, 0, 1, 2]
    assert abs(statistics.correlation(xs, [v * v for v in xs])) < 1e-12


# ---------------------------------------------------------------- bayesian-statistics

def test_bayesian_statistics():
    a, b = 2 + 7, 2 + 3
    assert choice_value("bayesian-statistics-01") == f"Beta({a}, {b})"
    close("bayesian-statistics-02", a / (a + b))
    prior_mean, prior_var, x, noise_var = 0, 1, 2, 1
    post_mean = (prior_mean / prior_var + x / noise_var) / (1 / prior_var + 1 / noise_var)
    close("bayesian-statistics-08", post_mean)
