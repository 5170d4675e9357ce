"""Mastery and implicit credit as the CLI shows them (issue 11): `show`, `topics`, `progress`, `next`, `done`,
every --json, the quiz summary and the map's data; through CliRunner with MLPATH_NOW."""

from __future__ import annotations

import json

import pytest
from datetime import timedelta

from test_mastery_app import T0, learn_both, quiz

LATER = T0 + timedelta(days=5)


def at(monkeypatch, when):
    monkeypatch.setenv("MLPATH_NOW", when.isoformat())


def test_json_has_a_mastery_object_everywhere(mini, cli, monkeypatch):
    learn_both()
    quiz(["vectors"], LATER)
    at(monkeypatch, LATER)
    code, out, err = cli("topics", "--json")
    assert code == 0, err
    by_id = {t["id"]: t["mastery"] for t in json.loads(out)}
    assert {k: by_id["vectors"][k] for k in ("value", "state", "seen", "total")} == \
        {"value": 1.0, "state": "learned", "seen": 6, "total": 6}
    assert {k: by_id["matrices"][k] for k in ("state", "seen", "total")} == \
        {"state": "learning", "seen": 2, "total": 2}
    assert {k: by_id["derivatives"][k] for k in ("value", "state", "seen", "total")} == \
        {"value": 0.0, "state": "unseen", "seen": 0, "total": 0}
    code, out, _ = cli("show", "vectors", "--json")
    shown = json.loads(out)
    assert shown["mastery"]["state"] == "learned" and shown["credits"] == []
    assert shown["cards"]["seen"] == 6  # the old fields stay
    code, out, _ = cli("next", "--json")
    data = json.loads(out)
    assert [t["mastery"]["state"] for t in data["topics"] if t["id"] == "vectors"] == ["learned"]
    assert {"kind": "mark_done", "topic": "vectors", "command": "mlpath done vectors",
            "text": "quiz says you know vectors: `mlpath done vectors`", "for_topic": None, "due": 0} \
        in data["nudges"]
    code, out, _ = cli("progress", "--json")
    p = json.loads(out)
    assert (p["learned"], p["mastered"], p["fading"], p["done"]) == (1, 0, 0, 0)
    assert [(a["id"], a["learned"], a["mastered"]) for a in p["areas"]] == [("maths", 1, 0), ("ml", 0, 0)]


def test_text_output_shows_mastery_and_what_raises_it(mini, cli, monkeypatch):
    learn_both()
    quiz(["vectors"], LATER)
    at(monkeypatch, LATER)
    code, out, err = cli("show", "matrices")
    assert code == 0, err
    shown = json.loads(cli("show", "matrices", "--json")[1])["mastery"]
    percent = round(shown["value"] * 100)
    assert 0 < percent < 50  # unconsolidated cards count half their recall, which has dropped since
    assert (f"Mastery: learning, {percent}% (2 of 2 questions seen, 0 passed after a gap); to raise it: answer 2 "
            "more questions correctly on a later day; 2 cards due now") in out.splitlines()
    code, out, _ = cli("topics", "--area", "maths")
    assert "  [ ] vectors - Vectors (not started)  [learned 100%]" in out.splitlines()
    assert "  [ ] derivatives - Derivatives (not started)" in out.splitlines()  # no questions: no column
    code, out, _ = cli("next")
    assert "quiz says you know vectors: `mlpath done vectors`" in out.splitlines()
    code, out, _ = cli("progress")
    assert "Mastery (from quizzes): 1 topic(s) learned, 0 mastered, 0 fading; 0 marked done." in out.splitlines()
    assert "quizzes: 1 learned, 0 mastered" in [l for l in out.splitlines() if l.lstrip().startswith("maths")][0]


def test_next_nudges_a_fading_prerequisite(mini, cli, monkeypatch):
    learn_both()
    quiz(["vectors"], T0 + timedelta(days=3))
    at(monkeypatch, T0 + timedelta(days=3))
    assert cli("done", "vectors")[0] == 0
    at(monkeypatch, T0 + timedelta(days=300))
    code, out, _ = cli("next")
    assert "refresh vectors first: 6 cards due (mlpath quiz vectors)" in out.splitlines()


def test_done_without_answers_is_recorded_with_a_note(mini, cli, monkeypatch):
    at(monkeypatch, T0)
    code, out, err = cli("done", "vectors")
    assert code == 0
    assert "vectors: not started -> done" in out
    assert err == "mlpath: vectors has 6 questions and you have answered none; check yourself with `mlpath quiz vectors`\n"
    code, out, err = cli("done", "derivatives")
    assert code == 0 and err == ""  # no questions: no note
    code, out, err = cli("show", "vectors", "--json")
    assert json.loads(out)["status"] == "done"
    code, out, err = cli("reset", "vectors")
    code, out, err = cli("done", "vectors", "--json")
    assert json.loads(out)["quiz_first"].startswith("vectors has 6 questions")
    assert err.startswith("mlpath: vectors has 6 questions")


def test_show_lists_recent_credits_and_quiz_says_what_was_refreshed(mini, cli, monkeypatch, home, capsys):
    learn_both(credit_on=True, home=home)
    result = quiz(["matrices"], T0 + timedelta(days=3))
    from mlpath.cli.quiz import _summary

    _summary(result)
    assert "Also refreshed: vectors." in capsys.readouterr().out.splitlines()
    at(monkeypatch, T0 + timedelta(days=3))
    code, out, _ = cli("show", "vectors")
    line = [l for l in out.splitlines() if l.startswith("Recent implicit credit: ")]
    assert line and line[0].startswith("Recent implicit credit: 2026-07-04 from matrices (")
    code, out, _ = cli("show", "vectors", "--json")
    credits = json.loads(out)["credits"]
    assert [c["source_topic"] for c in credits] == ["matrices", "matrices"]


def test_bad_setting_is_one_line(mini, cli, home):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("implicit_credit = 1\n")
    code, out, err = cli("next")
    assert code == 2
    assert err.strip().endswith("implicit_credit must be true or false") and len(err.strip().splitlines()) == 1


def test_map_carries_mastery(mini, monkeypatch):
    learn_both()
    from mlpath.app.map import map_data
    from mlpath.app.session import open_session

    s = open_session(now=T0 + timedelta(minutes=10))
    try:
        topics = {t.id: t for t in map_data(s).topics}
    finally:
        s.close()
    assert (topics["vectors"].mastery, topics["vectors"].mastery_state) == (0.5, "learning")
    assert (topics["derivatives"].mastery, topics["derivatives"].mastery_state) == (None, None)


def test_done_on_several_topics_notes_the_untested_ones(mini, cli, monkeypatch):
    quiz(["matrices"], T0)
    at(monkeypatch, T0)
    code, out, err = cli("done", "vectors", "matrices", "derivatives", "--json")
    assert code == 0
    assert json.loads(out)["quiz_first"] == ["vectors"]  # matrices has answers, derivatives no questions
    assert err == "mlpath: no answers yet for vectors; check yourself with `mlpath quiz TOPIC`\n"


@pytest.mark.slow
def test_done_on_a_terminal_offers_the_quiz_and_records_the_status(home, mini, run_mlpath):
    import os

    from test_goal_cli import _in_terminal

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(TERM="dumb", COLUMNS="200", MLPATH_HOME=str(home), MLPATH_CONTENT=str(mini))
    code, out = _in_terminal(["done", "vectors"], env, str(home.parent), b"n\r")
    assert code == 0, out
    assert out.count("[y/N]") == 1
    assert ("vectors has 6 questions and you have answered none; check yourself with `mlpath quiz vectors`. "
            "Quiz yourself on vectors now?") in " ".join(out.split())
    done = {t["id"] for t in json.loads(run_mlpath("topics", "--status", "done", "--json").stdout)}
    assert done == {"vectors"}


def test_show_area_has_each_topics_mastery(mini, cli, monkeypatch):
    learn_both()
    quiz(["vectors"], LATER)
    at(monkeypatch, LATER)
    data = json.loads(cli("show", "maths", "--json")[1])
    assert [(t["id"], t["mastery"]["state"], t["mastery"]["seen"], t["mastery"]["total"]) for t in data["topics"]] == [
        ("vectors", "learned", 6, 6), ("matrices", "learning", 2, 2), ("derivatives", "unseen", 0, 0)]
    assert "  [ ] vectors - Vectors (not started)  [learned 100%]" in cli("show", "maths")[1].splitlines()
