"""Checks for content/questions/14-new-topics.yaml: every computed answer recomputed independently, plus the
generic rules (8 to 10 questions per new topic, ids, options). The YAML is loaded directly."""

import collections
import math
import pathlib

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
QUESTION_LIST = yaml.safe_load((ROOT / "content/questions/14-new-topics.yaml").read_text())["questions"]
QUESTIONS = {q["id"]: q for q in QUESTION_LIST}
TOPICS = ["time-series-forecasting", "retrieval-augmented-generation", "llm-evaluation"]


def check(qid, expected):
    q = QUESTIONS[qid]
    assert q["kind"] == "numeric"
    assert math.isclose(q["answer"], expected, abs_tol=q.get("tolerance", 1e-9)), (qid, q["answer"], expected)


def test_generic_rules():
    assert len(QUESTIONS) == len(QUESTION_LIST)
    counts = collections.Counter(q["topic"] for q in QUESTION_LIST)
    assert set(counts) == set(TOPICS)
    assert all(8 <= counts[t] <= 10 for t in TOPICS), counts
    for q in QUESTION_LIST:
        assert q["id"].startswith(q["topic"] + "-"), q["id"]
        assert q["explanation"].strip()
        if q["kind"] == "choice":
            assert q["options"].count(q["answer"]) == 1 and len(set(q["options"])) == len(q["options"])
        if q["kind"] == "multi":
            assert set(q["answers"]) < set(q["options"])


def test_seasonal_naive():
    last_year = {"Jan": 120, "Feb": 130, "Mar": 150}
    check("time-series-forecasting-02", last_year["Mar"])


def test_differencing():
    series = [5, 8, 12, 13]
    check("time-series-forecasting-03", [b - a for a, b in zip(series, series[1:])][-1])


def test_mae():
    actual, forecast = [10, 12, 14], [11, 12, 11]
    check("time-series-forecasting-06", sum(abs(a - f) for a, f in zip(actual, forecast)) / len(actual))


def test_exponential_smoothing():
    alpha, level, new = 0.5, 10, 14
    check("time-series-forecasting-08", alpha * new + (1 - alpha) * level)


def test_recall_at_5():
    relevant = {"a", "b", "c", "d"}
    top5 = ["a", "x", "b", "y", "c"]
    check("retrieval-augmented-generation-03", len(relevant & set(top5)) / len(relevant))


def test_cosine():
    u, v = (1, 0), (0.6, 0.8)
    check("retrieval-augmented-generation-06", (u[0] * v[0] + u[1] * v[1]) / (math.hypot(*u) * math.hypot(*v)))


def test_perplexity():
    probs = [0.25] * 4
    check("llm-evaluation-02", math.exp(-sum(math.log(p) for p in probs) / len(probs)))


def test_exact_match_and_win_rate():
    check("llm-evaluation-05", 37 / 50)
    check("llm-evaluation-07", 60 / 100)
