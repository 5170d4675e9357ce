"""`mlpath placement`: the diagnostic asked through the quiz UI (scripted through the app layer, piped through
CliRunner and through the installed command), each answer a review at once, and the placement recorded as skipped
with the reason "placement" only on confirmation; reset undoes it and progress/show tell placed from studied."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
from datetime import datetime, timezone

import pytest

from mlpath.app import placement as placing
from mlpath.app import roadmap as services
from mlpath.app.quiz import EndOfInput, Response
from mlpath.app.session import open_session
from mlpath.cli.prompts import parse_line
from mlpath.core.questions import present
from mlpath.store import placement as placement_store
from tests.conftest import mlpath_exe

T0 = datetime(2026, 7, 1, 7, 0, tzinfo=timezone.utc)


# --- answering: right, wrong, or "I don't know", from the presented question -----------------------------------

def right_line(p) -> str:
    """The line a learner who knows would type, built from the presented question."""
    kind = p.answer_kind
    if p.kind == "flashcard":
        return "3"
    if kind == "choice":
        return str(p.options.index(p.correct_options[0]) + 1)
    if kind == "multi":
        return ",".join(str(p.options.index(o) + 1) for o in p.correct_options)
    if kind == "true_false":
        return "y" if p.answer else "n"
    if kind == "text":
        return p.answer[0]
    if kind == "numeric" and p.unit:
        return p.expected[: -len(p.unit)].strip()
    return p.expected


def wrong_line(p) -> str:
    kind = p.answer_kind
    if p.kind == "flashcard":
        return "1"
    if kind in ("choice", "multi"):
        return str(next(i + 1 for i, o in enumerate(p.options) if o not in p.correct_options))
    if kind == "true_false":
        return "n" if p.answer else "y"
    if kind == "text":
        return "certainly not this"
    return "-987654.25"


class ScriptedUI:
    """A pipe-like learner: ``mode`` says how every question is answered; ``stop_after`` ends the input."""

    def __init__(self, mode: str, stop_after: int | None = None):
        self.mode, self.stop_after = mode, stop_after
        self.shown, self.feedbacks, self.dont_knows, self.invalids = [], [], [], []

    def question(self, number, total, p, title):
        if self.stop_after is not None and len(self.shown) >= self.stop_after:
            raise EndOfInput
        self.shown.append(p)

    def _line(self, p):
        return {"right": right_line, "wrong": wrong_line}.get(self.mode, lambda p: "?")(p)

    def answer(self, p):
        raw = self._line(p)
        return Response(parse_line(p, raw), raw)

    def reveal(self, p):
        return int(self._line(p)) if self.mode != "?" else 1

    def self_grade(self):
        return 3

    def invalid(self, p, raw):
        self.invalids.append(raw)

    def feedback(self, p, correct, rating, due, saved):
        self.feedbacks.append((p.id, correct, rating))

    def dont_know(self, p, due):
        self.dont_knows.append(p.id)


def _rows(home, sql, args=()):
    conn = sqlite3.connect(home / "mlpath.db")
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def _place(mode, **kw):
    s = open_session(now=T0)
    try:
        ui = ScriptedUI(mode, kw.pop("stop_after", None))
        result = placing.run_placement(s, ui, retries=False, clock=lambda: T0, **kw)
        return s, ui, result
    except BaseException:
        s.close()
        raise


# --- the app layer, on the shipped roadmap ---------------------------------------------------------------------

def test_every_answer_right_places_far_along(home):
    s, ui, result = _place("right", seed=3)
    try:
        total = len(s.roadmap.topics)
        assert result.count("correct") == len(result.asked) >= 3 and not ui.invalids
        assert len(result.known) >= 0.8 * total  # far along: most of the roadmap
        assert result.to_record == result.known  # nothing was done or skipped before
        # every answer is a review at once (rated Good, answer text kept); nothing else is written yet
        reviews = _rows(home, "SELECT question_id, rating, correct, answer IS NOT NULL FROM review ORDER BY id")
        assert [r[0] for r in reviews] == [a.question for a in result.asked]
        assert {r[1:] for r in reviews} == {(3, 1, 1)}
        assert _rows(home, "SELECT COUNT(*) FROM topic_status") == [(0,)]
        recorded = placing.record_placement(s, result, now=T0)
        assert set(recorded.recorded) == set(result.known) and recorded.to_dict()["recorded"] is True
        assert services.progress(s).counts.skipped == len(result.known)
        assert services.progress(s).counts.placed == len(result.known)
        assert services.progress(s).counts.done == 0
    finally:
        s.close()


def test_every_answer_wrong_places_nothing(home):
    s, ui, result = _place("wrong", seed=3)
    try:
        assert result.count("wrong") == len(result.asked) >= 3
        assert result.known == () and result.known_by_area == {} and result.to_record == ()
        # the roots are the frontier: every topic without prerequisites
        roots = {t.id for t in s.roadmap.topics if not t.prerequisites}
        assert set(result.frontier) == roots
        assert {r for r in _rows(home, "SELECT rating, correct FROM review")} == {(1, 0)}
    finally:
        s.close()


def test_dont_know_to_all_places_nothing_and_records_no_wrong_answers(home):
    s, ui, result = _place("?", seed=3)
    try:
        assert result.count("dont_know") == len(result.asked) >= 3
        assert ui.dont_knows == [a.question for a in result.asked] and ui.feedbacks == []
        assert result.known == ()
        # rated Again, with no answer text and no right/wrong: not a guess
        assert _rows(home, "SELECT rating, correct, answer FROM review") == [(1, None, None)] * len(result.asked)
    finally:
        s.close()


def test_never_the_same_question_twice_and_generated_first(home):
    s, ui, result = _place("wrong", seed=11, max_questions=12)
    try:
        ids = [a.question for a in result.asked]
        topics = [a.topic for a in result.asked]
        assert len(set(ids)) == len(ids) and len(set(topics)) == len(topics)
        generated = {q["topic"] for q in placing.history.active_questions(s.conn, s.pack) if q["kind"] == "generated"}
        for p in ui.shown:
            assert (p.kind == "generated") == (p.topic in generated), p.id
    finally:
        s.close()


def test_stopping_keeps_the_answers_and_places_nothing(home):
    s, ui, result = _place("right", seed=3, stop_after=2)
    try:
        assert result.stopped and len(result.asked) == 2 and result.to_record == ()
        assert _rows(home, "SELECT COUNT(*) FROM review") == [(2,)]
        with pytest.raises(placing.UserError):
            placing.record_placement(s, result)
        assert _rows(home, "SELECT COUNT(*) FROM topic_status") == [(0,)]
    finally:
        s.close()


def test_area_asks_only_in_the_area_and_places_its_prerequisites(home):
    s, ui, result = _place("right", seed=5, area="deep-learning")
    try:
        area = {t.id for t in s.roadmap.in_area("deep-learning")}
        assert {a.topic for a in result.asked} <= area
        placed_areas = {t.area for t in result.topics}
        assert "deep-learning" in placed_areas and len(placed_areas) > 1  # its prerequisites elsewhere too
        assert area <= set(result.known)
    finally:
        s.close()


def test_choose_questions_prefers_generated_then_unseen_then_not_flashcards():
    import random

    qs = [{"id": "a-flash", "topic": "a", "kind": "flashcard"}, {"id": "a-seen", "topic": "a", "kind": "choice"},
          {"id": "a-new", "topic": "a", "kind": "numeric"},
          {"id": "b-seen", "topic": "b", "kind": "text"}, {"id": "b-flash", "topic": "b", "kind": "flashcard"},
          {"id": "c-choice", "topic": "c", "kind": "choice"}, {"id": "c-gen", "topic": "c", "kind": "generated"}]
    chosen = placing.choose_questions(qs, {"a-seen", "b-seen"}, random.Random(0))
    assert {t: q["id"] for t, q in chosen.items()} == {"a": "a-new", "b": "b-flash", "c": "c-gen"}


def test_presentation_seed_is_stable_and_differs_by_question():
    assert placing.presentation_seed(1, "q") == placing.presentation_seed(1, "q")
    assert placing.presentation_seed(1, "q") != placing.presentation_seed(2, "q")
    assert placing.presentation_seed(1, "q") != placing.presentation_seed(1, "r")
    assert 0 <= placing.presentation_seed(123, "x") < 2 ** 31


# --- the store: placed while the latest event carries the reason --------------------------------------------------

def test_placed_follows_the_latest_status_event(mini):
    from mlpath.store import queries

    s = open_session(now=T0)
    try:
        queries.set_status(s.conn, s.pack, "matrices", "done", T0)
        recorded = placement_store.skip_with_reason(s.conn, s.pack, ["vectors", "matrices", "derivatives", "vectors"],
                                                    "placement", T0)
        assert recorded == ["vectors", "derivatives"]  # done stays done; each topic once
        assert placement_store.placed(s.conn, s.pack) == {"vectors", "derivatives"}
        assert queries.statuses(s.conn, s.pack) == {"vectors": "skipped", "matrices": "done", "derivatives": "skipped"}
        queries.set_status(s.conn, s.pack, "vectors", "not_started", T0)  # reset
        assert placement_store.placed(s.conn, s.pack) == {"derivatives"}
        queries.set_status(s.conn, s.pack, "vectors", "skipped", T0)  # skipped by hand, at the same instant: not placed
        assert placement_store.placed(s.conn, s.pack) == {"derivatives"}
        queries.set_status(s.conn, s.pack, "derivatives", "done", T0)
        assert placement_store.placed(s.conn, s.pack) == set()
        assert _rows_conn(s.conn, "SELECT reason, COUNT(*) FROM status_reason GROUP BY reason") == [("placement", 2)]
    finally:
        s.close()


def _rows_conn(conn, sql):
    return conn.execute(sql).fetchall()


# --- through the command: CliRunner --------------------------------------------------------------------------------

def _script(mode: str, seed: int, monkeypatch, tmp_path, **kw) -> list[str]:
    """The lines a piped learner types, found by a scripted run of the same seed in a scratch home (the questions
    of a run are fixed by its seed and its answers)."""
    monkeypatch.setenv("MLPATH_HOME", str(tmp_path / "scratch"))
    s = open_session(now=T0)
    try:
        ui = ScriptedUI(mode)
        placing.run_placement(s, ui, retries=False, seed=seed, clock=lambda: T0, **kw)
    finally:
        s.close()
        monkeypatch.setenv("MLPATH_HOME", str(tmp_path / "home"))
    line = {"right": right_line, "wrong": wrong_line}.get(mode, lambda p: "?")
    return [line(p) for p in ui.shown]


@pytest.mark.slow  # the shipped roadmap, twice (a scratch run finds the questions)
def test_pipe_without_yes_records_nothing_and_says_how(home, cli, monkeypatch, tmp_path):
    lines = _script("right", 4, monkeypatch, tmp_path)
    code, out, err = cli("placement", "--seed", "4", input="\n".join(lines) + "\n")
    assert code == 0, err
    assert "You seem to know:" in out and "--yes" in out
    assert _rows(home, "SELECT COUNT(*) FROM topic_status") == [(0,)]
    assert _rows(home, "SELECT COUNT(*), SUM(rating = 3) FROM review") == [(len(lines), len(lines))]


@pytest.mark.slow  # the shipped roadmap, twice (a scratch run finds the questions)
def test_pipe_with_yes_and_json_records_the_placement(home, cli, monkeypatch, tmp_path):
    lines = _script("right", 4, monkeypatch, tmp_path)
    code, out, err = cli("placement", "--seed", "4", "--yes", "--json", input="\n".join(lines) + "\n")
    assert code == 0, err
    data = json.loads(out)  # the questions went to stderr: stdout is the JSON alone
    assert "[1/25]" in err
    assert data["recorded"] is True and data["stopped"] is False
    assert data["answered"] == data["right"] == len(lines) and data["wrong"] == data["dont_know"] == 0
    assert len(data["known"]) > 100 and set(data["recorded_topics"]) == set(data["known"])
    beliefs = {t["id"]: t["belief"] for t in data["topics"]}
    assert all(0.0 <= b <= 1.0 for b in beliefs.values()) and all(beliefs[k] >= 0.8 for k in data["known"])
    assert all(t["status"] == "skipped" for t in data["topics"] if t["known"])
    skipped = {r[0] for r in _rows(home, "SELECT topic_id FROM topic_status WHERE status = 'skipped'")}
    assert skipped == set(data["known"])
    code, out, _ = cli("progress", "--json")
    progress = json.loads(out)
    assert progress["placed"] == progress["skipped"] == len(data["known"]) and progress["done"] == 0
    assert sum(a["placed"] for a in progress["areas"]) == len(data["known"])


def test_dont_know_in_a_pipe(home, cli):
    code, out, err = cli("placement", "--seed", "2", "--yes", "--json", input="?\n" * 40)
    assert code == 0, err
    data = json.loads(out)
    assert data["dont_know"] == data["answered"] > 0 and data["known"] == [] and data["recorded"] is False
    assert "not known. The answer:" in err and "wrong. The answer" not in err
    assert _rows(home, "SELECT DISTINCT rating, correct, answer FROM review") == [(1, None, None)]
    assert _rows(home, "SELECT COUNT(*) FROM topic_status") == [(0,)]


@pytest.mark.slow  # the shipped roadmap, twice (a scratch run finds the questions)
def test_wrong_in_a_pipe_places_nothing(home, cli, monkeypatch, tmp_path):
    lines = _script("wrong", 6, monkeypatch, tmp_path)
    code, out, err = cli("placement", "--seed", "6", "--yes", input="\n".join(lines) + "\n")
    assert code == 0, err
    assert "You seem to know: nothing yet" in out and "Nothing new to record." in out
    assert _rows(home, "SELECT COUNT(*) FROM topic_status") == [(0,)]


@pytest.mark.slow  # the shipped roadmap, twice (a scratch run finds the questions)
def test_input_ending_stops_keeps_answers_places_nothing(home, cli, monkeypatch, tmp_path):
    lines = _script("right", 4, monkeypatch, tmp_path)[:2]
    code, out, err = cli("placement", "--seed", "4", "--yes", input="\n".join(lines) + "\n")
    assert code == 0, err
    assert "placement stopped" in out and "nothing is placed" in out
    assert _rows(home, "SELECT COUNT(*) FROM review") == [(2,)]
    assert _rows(home, "SELECT COUNT(*) FROM topic_status") == [(0,)]


def test_any_pack_the_mini_roadmap(home, mini, cli):
    # mini: questions only for vectors (six kinds) and matrices (a generated one and a numeric one)
    code, out, err = cli("placement", "--seed", "1", "--json", "--yes", input="?\n" * 5)
    assert code == 0, err
    data = json.loads(out)
    assert sorted(a["topic"] for a in data["asked"]) == ["matrices", "vectors"]
    assert {a["question"] for a in data["asked"]} >= {"matrices-det"}  # the generated one, not matrices-half
    assert data["known"] == [] and data["frontier"] == ["vectors", "derivatives"]


def test_any_pack_right_answers_in_a_pipe_record_with_yes(home, mini, cli, monkeypatch, tmp_path):
    lines = _script("right", 1, monkeypatch, tmp_path)
    code, out, err = cli("placement", "--seed", "1", "--json", "--yes", input="\n".join(lines) + "\n")
    assert code == 0, err
    data = json.loads(out)
    assert data["right"] == data["answered"] == len(lines) and data["recorded"] is True
    assert {"vectors", "matrices"} <= set(data["known"]) and set(data["recorded_topics"]) == set(data["known"])
    code, out, _ = cli("progress", "--json")
    assert json.loads(out)["placed"] == len(data["known"])
    code, out, _ = cli("show", "maths")
    assert "vectors - Vectors (skipped, placed)" in out
    code, out, _ = cli("reset", "vectors")
    code, out, _ = cli("show", "vectors", "--json")
    assert json.loads(out)["placed"] is False and json.loads(out)["status"] == "not_started"
    code, out, _ = cli("progress", "--json")
    assert json.loads(out)["placed"] == len(data["known"]) - 1


@pytest.mark.parametrize("args, message", [
    (("--max-questions", "0"), "--max-questions must be between 1 and 200"),
    (("--max-questions", "201"), "--max-questions must be between 1 and 200"),
    (("--area", "deep-lerning"), "did you mean"),
])
def test_bad_options_are_one_line_exit_2(home, cli, args, message):
    code, out, err = cli("placement", *args, input="")
    assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert _rows(home, "SELECT COUNT(*) FROM review") == [(0,)]


def test_a_pack_without_questions_is_a_user_error(home, mini, cli):
    (mini / "questions" / "all.yaml").write_text("questions: []\n")
    code, out, err = cli("placement", input="")
    assert code == 2 and "no questions" in err and err.count("\n") == 1, err


# --- the installed command, driven like a learner at a pipe ---------------------------------------------------------

HEADER = re.compile(r"^\[(\d+)/(\d+)\] .* \(([^()\s]+)\)$")


@pytest.mark.slow
def test_installed_command_right_answers_then_reset_and_progress(home, run_mlpath):
    """Answer each question right from what is shown (its id and the run's seed), record with --yes; then progress
    tells placed from studied, show marks a placed topic, and reset undoes one."""
    from mlpath import paths
    from mlpath.packs.loader import load_or_raise

    bank = {q["id"]: q for q in load_or_raise(paths.content_dir()).questions}
    env = {**os.environ, "MLPATH_NOW": "2026-07-01T07:00:00+00:00"}
    proc = subprocess.Popen([*mlpath_exe(), "placement", "--seed", "9", "--yes", "--max-questions", "10"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=str(home.parent))
    asked, output = [], []
    for line in proc.stdout:
        output.append(line)
        m = HEADER.match(line.rstrip("\n"))
        if m:
            qid = m.group(3)
            asked.append(qid)
            p = present(bank[qid], placing.presentation_seed(9, qid))
            proc.stdin.write(right_line(p) + "\n")
            proc.stdin.flush()
    proc.stdin.close()
    assert proc.wait(timeout=60) == 0, proc.stderr.read()
    text = "".join(output)
    assert asked and "wrong. The answer" not in text and "Recorded" in text
    reviews = _rows(home, "SELECT question_id, rating, correct FROM review ORDER BY id")
    assert reviews == [(q, 3, 1) for q in asked]

    progress = json.loads(run_mlpath("progress", "--json", env=env).stdout)
    placed = progress["placed"]
    assert placed > 100 and progress["skipped"] == placed and progress["done"] == 0
    assert "by placement" in run_mlpath("progress", env=env).stdout

    run_mlpath("done", "vectors", "--force", env=env)  # studied: done, not placed
    shown = run_mlpath("show", "vectors", "--json", env=env)
    assert json.loads(shown.stdout)["placed"] is False and json.loads(shown.stdout)["status"] == "done"
    assert "(placed)" in run_mlpath("show", "matrices", env=env).stdout
    assert json.loads(run_mlpath("show", "matrices", "--json", env=env).stdout)["placed"] is True

    result = run_mlpath("reset", "matrices", env=env)
    assert result.returncode == 0, result.stderr
    after = json.loads(run_mlpath("progress", "--json", env=env).stdout)
    assert after["placed"] == placed - 2 and after["done"] == 1
    shown = json.loads(run_mlpath("show", "matrices", "--json", env=env).stdout)
    assert shown["status"] == "not_started" and shown["placed"] is False


KINDS = ("choice", "multi", "true_false", "numeric", "text", "flashcard", "generated")


def test_choose_questions_any_bank():
    """For any bank: one question per topic, of that topic, and none better by the preference was passed over."""
    import random

    from hypothesis import given, settings
    from hypothesis import strategies as st

    bank = st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from(KINDS), st.booleans()), min_size=1,
                    max_size=30)

    @settings(max_examples=200, deadline=None)
    @given(bank, st.integers(0, 2 ** 31 - 1))
    def check(rows, seed):
        qs = [{"id": f"{t}-{i}", "topic": t, "kind": k} for i, (t, k, _) in enumerate(rows)]
        seen = {f"{t}-{i}" for i, (t, _, was_seen) in enumerate(rows) if was_seen}
        chosen = placing.choose_questions(qs, seen, random.Random(seed))
        assert set(chosen) == {t for t, _, _ in rows}
        for topic, q in chosen.items():
            assert q["topic"] == topic
            rank = (q["kind"] != "generated", q["id"] in seen, q["kind"] == "flashcard")
            for other in qs:
                if other["topic"] == topic:
                    assert rank <= (other["kind"] != "generated", other["id"] in seen, other["kind"] == "flashcard")

    check()


@pytest.mark.parametrize("raw, expected", [("?", True), (" ? ", True), ("I don't know", True), ("idk?", False),
                                           ("1", False), ("", False)])
def test_dont_know_lines(raw, expected):
    assert placing.is_dont_know(Response(None, raw)) is expected
