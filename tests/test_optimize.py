"""`mlpath optimize`: fit on the learner's own reviews, check before adopting, reschedule from history, reset."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import timedelta

import pytest

from mlpath.core import fitting, scheduling
from mlpath.store import db, tables
from test_fitting import T0, TRUE, learner

pytestmark = pytest.mark.skipif(not fitting.available(), reason="fsrs-rs-python has no wheel for this platform")

NOW = T0 + timedelta(days=366)
NOW_TEXT = NOW.isoformat()


def _build(path) -> None:
    """The shipped roadmap's database with a year of reviews of 300 cards, answered as FSRS with TRUE predicts."""
    from mlpath.app.session import open_session

    s = open_session(now=T0)
    questions = [q for (q,) in s.conn.execute("SELECT id FROM question WHERE active ORDER BY rowid")]
    topics = dict(s.conn.execute("SELECT id, topic_id FROM question"))
    by_card: dict[int, list] = {}
    for e in learner(TRUE, cards=300, days=365, seed=11):
        by_card.setdefault(e.card_key, []).append(e)
    with db.transaction(s.conn):
        for key, events in by_card.items():
            qid = questions[key]
            log = [(e.rating, e.reviewed_at, None) for e in events]
            state = scheduling.replay(log, events[0].reviewed_at)
            card_id = tables.insert_card(s.conn, s.pack, qid, state, events[0].reviewed_at, len(events), 0)
            s.conn.executemany(tables.REVIEW_INSERT_SQL, [
                (card_id, s.pack, qid, topics[qid], db.to_db(e.reviewed_at), e.rating, e.rating > 1, None, None, None, None)
                for e in events])
    s.close()
    shutil.copy(path, path.with_name("built.db"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("history")
    import os

    old = os.environ.get("MLPATH_HOME")
    os.environ["MLPATH_HOME"] = str(folder)
    try:
        _build(folder / "mlpath.db")
    finally:
        if old is None:
            del os.environ["MLPATH_HOME"]
        else:
            os.environ["MLPATH_HOME"] = old
    return folder / "built.db"


@pytest.fixture
def learner_home(built, home, monkeypatch):
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(built, home / "mlpath.db")
    monkeypatch.setenv("MLPATH_NOW", NOW_TEXT)
    return home


def _rows(home, sql):
    conn = sqlite3.connect(home / "mlpath.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _optimize(cli, *args):
    code, out, err = cli("optimize", *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_too_few_reviews_are_refused_with_the_number_still_needed(cli):
    code, out, err = cli("optimize")
    assert code == 2 and err.count("\n") == 1
    assert "500 more reviews" in err and "you have 0" in err


def test_dry_run_compares_and_changes_nothing(cli, learner_home):
    cards = _rows(learner_home, "SELECT * FROM card ORDER BY id")
    result = _optimize(cli, "--dry-run")
    assert result["better"] is True and result["adopted"] is False and result["dry_run"] is True
    assert result["new_check"]["log_loss"] < result["current_check"]["log_loss"]
    assert result["current"]["source"] == "defaults"
    assert _rows(learner_home, "SELECT * FROM card ORDER BY id") == cards
    assert _rows(learner_home, "SELECT COUNT(*) FROM fsrs_parameters") == [(0,)]


def test_adopting_keeps_every_review_and_reschedules_each_card_from_its_history(cli, learner_home):
    reviews = _rows(learner_home, "SELECT * FROM review ORDER BY id")
    before = dict(_rows(learner_home, "SELECT id, due FROM card"))
    result = _optimize(cli)
    assert result["adopted"] is True and len(result["parameters"]) == 21
    assert _rows(learner_home, "SELECT * FROM review ORDER BY id") == reviews
    after = dict(_rows(learner_home, "SELECT id, due FROM card"))
    assert after.keys() == before.keys()
    assert result["rescheduled"] == sum(1 for c in before if before[c] != after[c]) > 0
    # each card is what replaying its own log with the adopted parameters gives (computed here independently)
    params = tuple(result["parameters"])
    for card_id, created in _rows(learner_home, "SELECT id, created_at FROM card ORDER BY id LIMIT 25"):
        log = [(rating, db.from_db(at), ms) for rating, at, ms in _rows(
            learner_home, f"SELECT rating, reviewed_at, response_ms FROM review WHERE card_id = {card_id} ORDER BY id")]
        expected = scheduling.replay(log, db.from_db(created), parameters=params)
        assert after[card_id] == db.to_db(expected.due)
    stored = _rows(learner_home, "SELECT parameters, active, reviews FROM fsrs_parameters")
    assert len(stored) == 1 and stored[0][1] == 1 and stored[0][2] == len(reviews)
    assert tuple(json.loads(stored[0][0])) == params

    # every later review is scheduled with the fitted parameters
    from mlpath.app import quiz
    from mlpath.app.session import open_session
    from mlpath.core.questions import present

    s = open_session()
    assert s.parameters == params
    [item] = quiz.quiz_queue(s, None, 1, 0)
    p = present(item.question, 1)
    got = quiz.answer_question(s, item, p, correct=True, rating=3, answer="x", response_ms=1000, now=s.now,
                               retention=0.9)
    fitted = scheduling.review(item.card.state, 3, s.now, 1000, 0.9, fuzzing=False, parameters=params)
    default = scheduling.review(item.card.state, 3, s.now, 1000, 0.9, fuzzing=False)
    assert (got.stability, got.difficulty) == (fitted.stability, fitted.difficulty)  # the due date is fuzzed
    assert (got.stability, got.difficulty) != (default.stability, default.difficulty)
    s.close()

    # a second run compares against the fitted parameters, not the defaults
    again = _optimize(cli, "--dry-run")
    assert again["current"]["source"] == "fitted" and tuple(again["current"]["parameters"]) == params


def test_reset_goes_back_to_the_defaults_and_keeps_every_review(cli, learner_home):
    _optimize(cli)
    reviews = _rows(learner_home, "SELECT COUNT(*) FROM review")
    done = _optimize(cli, "--reset")
    assert done == {"was_fitted": True, "rescheduled": done["rescheduled"]} and done["rescheduled"] > 0
    assert _rows(learner_home, "SELECT COUNT(*) FROM review") == reviews
    assert _rows(learner_home, "SELECT COUNT(*) FROM fsrs_parameters WHERE active") == [(0,)]
    card_id, created = _rows(learner_home, "SELECT id, created_at FROM card ORDER BY id LIMIT 1")[0]
    log = [(rating, db.from_db(at), ms) for rating, at, ms in _rows(
        learner_home, f"SELECT rating, reviewed_at, response_ms FROM review WHERE card_id = {card_id} ORDER BY id")]
    due = _rows(learner_home, f"SELECT due FROM card WHERE id = {card_id}")[0][0]
    assert due == db.to_db(scheduling.replay(log, db.from_db(created)).due)
    assert _optimize(cli, "--reset") == {"was_fitted": False, "rescheduled": 0}


def test_the_optimize_hint_is_shown_once(cli, learner_home):
    code, out, err = cli("next")
    assert code == 0 and "mlpath optimize" in " ".join(err.split())
    code, out, err = cli("next")
    assert code == 0 and "optimize" not in err


def test_retention_advice_and_apply_keep_the_rest_of_the_config(cli, learner_home):
    config = learner_home / "config.toml"
    config.write_text("# my settings\ndesired_retention = 0.9\n")
    advice = _optimize(cli, "--retention")
    rates = [row["retention"] for row in advice["rows"]]
    assert rates == sorted(rates) and rates[0] == 0.7 and rates[-1] == 0.97
    best = min(advice["rows"], key=lambda row: row["minutes_per_card"])
    assert advice["recommended"] == best["retention"] and advice["applied"] is False
    assert config.read_text() == "# my settings\ndesired_retention = 0.9\n"
    applied = _optimize(cli, "--retention", "--apply")
    assert applied["applied"] is True
    assert config.read_text() == f"# my settings\ndesired_retention = {applied['recommended']:g}\n"


def test_misused_options_are_one_line_errors(cli):
    for args in (["--apply"], ["--reset", "--dry-run"]):
        code, out, err = cli("optimize", *args)
        assert code == 2 and err.count("\n") == 1 and err.startswith("mlpath: error: --")


def test_rescheduling_over_several_processes_gives_the_same_states(learner_home, monkeypatch):
    from mlpath.app import optimize as use_case
    from mlpath.app.session import open_session

    s = open_session()
    try:
        monkeypatch.setattr(use_case, "PARALLEL_REVIEWS", 10**12)
        serial, moved = use_case.rescheduled_states(s, TRUE)
        monkeypatch.setattr(use_case, "PARALLEL_REVIEWS", 0)
        monkeypatch.setattr("os.cpu_count", lambda: 2)
        parallel, moved_too = use_case.rescheduled_states(s, TRUE)
    finally:
        s.close()
    assert dict(parallel) == dict(serial) and moved == moved_too > 0


def test_stats_shows_the_memory_model_before_and_after_a_fit(cli, learner_home):
    code, out, err = cli("stats", "--json", "--tz", "UTC")
    assert code == 0, err
    before = json.loads(out)["memory_model"]
    assert before["provenance"]["source"] == "defaults" and before["calibration"] == []
    recall = [p["recall"] for p in before["curve"]]
    assert recall[0] == pytest.approx(1.0) and recall == sorted(recall, reverse=True)
    fit = _optimize(cli)
    code, out, err = cli("stats", "--json", "--tz", "UTC")
    model = json.loads(out)["memory_model"]
    assert model["provenance"]["source"] == "fitted" and tuple(model["provenance"]["parameters"]) == tuple(fit["parameters"])
    assert model["provenance"]["log_loss"] == pytest.approx(fit["new_check"]["log_loss"])
    # the calibration is over exactly the held-out reviews that checked the fit
    assert sum(b["reviews"] for b in model["calibration"]) == fit["new_check"]["reviews"]
    for b in model["calibration"]:
        assert b["low"] <= b["predicted"] <= b["high"] and 0 <= b["actual"] <= 1
    code, out, err = cli("stats", "--tz", "UTC")
    assert "Memory model: fitted to your" in out and "predicted vs actual recall" in out
