"""Issue #21: the daily loop. `mlpath today`, the daily budget, in-session learning steps (fixed clock), the kinder
quiz in a pipe (letters, ?, typos, bytes, caps, --seed), honest numbers and help texts, the Anki export options."""

import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlpath import settings
from mlpath.app import quiz as quizzing
from mlpath.app import today as daily
from mlpath.app.quiz import EndOfInput, Response
from mlpath.app.session import open_session
from mlpath.cli.prompts import parse_line, when
from mlpath.core import grading
from mlpath.core.questions import present
from mlpath.errors import UserError

T0 = datetime(2026, 7, 1, 7, 0, tzinfo=timezone.utc)
NOW = "2026-07-01T07:00:00+00:00"


@pytest.fixture
def fixed_now(monkeypatch):
    monkeypatch.setenv("MLPATH_NOW", NOW)
    monkeypatch.setenv("TZ", "UTC")


def db(home):
    return sqlite3.connect(home / "mlpath.db")


# --- settings ------------------------------------------------------------------------------------------------------

def test_budget_and_steps_settings_are_declared_and_validated(home):
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "config.toml"
    assert settings.load(cfg) == settings.Settings()
    assert (settings.Settings().daily_minutes, settings.Settings().new_cards_per_day) == (20, 10)
    cfg.write_text("daily_minutes = 30\nnew_cards_per_day = 0\nlearning_steps = [2, 20, 60]\n"
                   "relearning_steps = []\nrequeue_after = 5\n")
    got = settings.load(cfg)
    assert (got.daily_minutes, got.new_cards_per_day, got.learning_steps, got.relearning_steps,
            got.requeue_after) == (30, 0, (2, 20, 60), (), 5)
    for bad, key in [("daily_minutes = 0", "daily_minutes"), ("daily_minutes = 2.5", "daily_minutes"),
                     ("new_cards_per_day = -1", "new_cards_per_day"), ("new_cards_per_day = true", "new_cards_per_day"),
                     ("learning_steps = 10", "learning_steps"), ("learning_steps = [0]", "learning_steps"),
                     ("learning_steps = [1, 2, 3, 4, 5, 6, 7, 8, 9]", "learning_steps"),
                     ("relearning_steps = [1.5]", "relearning_steps"), ("requeue_after = 0", "requeue_after")]:
        cfg.write_text(bad + "\n")
        with pytest.raises(UserError, match=key):
            settings.load(cfg)


def test_a_bad_setting_is_one_line_exit_2(home, mini, cli):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("daily_minutes = 'lots'\n")
    code, out, err = cli("today")
    assert code == 2 and err.count("\n") == 1 and "daily_minutes must be a whole number from 1 to 600" in err


# --- the budget's arithmetic -------------------------------------------------------------------------------------

def test_pace_and_cards_per_day():
    assert daily.seconds_per_card(None) == 15.0
    assert daily.seconds_per_card(9000) == 9.0
    assert daily.seconds_per_card(10) == 3.0  # bounded below: a pipe answers in milliseconds
    assert daily.seconds_per_card(10_000_000) == 120.0
    assert daily.cards_per_day(20, 15.0) == 80
    assert daily.cards_per_day(1, 120.0) == 1  # at least one


def test_spread_carries_what_does_not_fit():
    assert daily.spread([10, 0, 3, 0], 4) == [4, 4, 4, 1]
    assert daily.spread([1, 2, 3], 5) == [1, 2, 3]
    assert daily.spread([9, 0], 4) == [4, 5]  # the last day keeps what still waits
    assert daily.spread([], 4) == []


@given(st.lists(st.integers(0, 50), max_size=40), st.integers(1, 30))
def test_spread_keeps_every_card_and_respects_the_budget(days, per_day):
    out = daily.spread(days, per_day)
    assert sum(out) == sum(days) and len(out) == len(days)
    assert all(n <= per_day for n in out[:-1])
    for i in range(len(days)):  # never earlier than due
        assert sum(out[:i + 1]) <= sum(days[:i + 1])


# --- today --------------------------------------------------------------------------------------------------------

def test_bare_mlpath_prints_help_without_data_and_today_with_data(home, mini, cli, fixed_now):
    code, out, _ = cli()
    assert code == 0 and out.startswith("Usage: mlpath")
    cli("start", "vectors")
    code, out, _ = cli()
    assert code == 0 and out.startswith("Today\n")
    assert "In progress: vectors - Vectors" in out and "quiz it: mlpath quiz vectors" in out


def test_today_counts_due_minutes_streak_and_encourages_with_a_number(home, mini, cli, fixed_now, monkeypatch):
    cli("start", "vectors")
    # three days in a row, one right answer each (the numeric question), each answer timed at 12 s
    for day in (3, 2, 1):
        monkeypatch.setenv("MLPATH_NOW", (T0 - timedelta(days=day)).isoformat())
        cli("quiz", "matrices", "--new", "0", "-n", "1", input="")
    s = open_session(now=T0)
    items = quizzing.quiz_queue(s, ["vectors"], 20, 6)
    for k, (t, item) in enumerate(zip((3, 2, 1), items[:3])):
        quizzing.answer_question(s, item, present(item.question, 1), correct=False, rating=1, answer="x",
                                 response_ms=12_000, now=T0 - timedelta(days=t), retention=0.9)
    s.close()
    monkeypatch.setenv("MLPATH_NOW", NOW)
    code, out, _ = cli("today", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["due"] == 3 and data["due_today"] == 3 and data["held_back"] == 0
    assert data["budget"]["seconds_per_card"] == 12.0 and data["budget"]["cards_per_day"] == 100
    assert data["minutes"] == 1  # 3 cards x 12 s = 36 s, shown as about a minute
    assert data["streak"] == 3 and data["studied_today"] is False
    assert data["encouragement"] == "3 days in a row: keep the chain going."
    assert [t["id"] for t in data["in_progress"]] == ["vectors"]
    code, out, _ = cli("today")
    assert "3 reviews due, about 1 minute: run `mlpath review`" in out
    assert "Streak: 3 days in a row (answer one card today to keep it)." in out


def test_review_respects_the_budget_and_says_what_it_holds_back(home, mini, cli, fixed_now):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("daily_minutes = 1\n")  # 60 s at 15 s a card: 4 cards
    s = open_session(now=T0 - timedelta(days=10))
    for item in quizzing.quiz_queue(s, ["vectors", "matrices"], 20, 20)[:6]:
        quizzing.answer_question(s, item, present(item.question, 1), correct=False, rating=1, answer="x",
                                 response_ms=None, now=T0 - timedelta(days=10), retention=0.9)
    s.close()
    code, out, _ = cli("review", input="")
    assert code == 0
    assert "holds back 2 due reviews: they wait for tomorrow; `mlpath review -n N` takes more today." in out
    assert "[1/4]" in out
    code, out, _ = cli("review", "-n", "1", input="")
    assert "6 more reviews due now: run `mlpath review` again." in out
    assert "holds back" not in out  # an explicit -n is not the budget


def test_quiz_new_cards_respect_new_cards_per_day(home, mini, cli, fixed_now):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("new_cards_per_day = 2\n")
    code, out, _ = cli("quiz", "vectors", input="?\n?\n")
    assert code == 0
    assert "holds back 4 new questions: they wait for tomorrow; --limit N or --new N takes more today." in out
    rows = db(home).execute("SELECT COUNT(DISTINCT question_id) FROM review").fetchone()[0]
    assert rows == 2
    code, out, _ = cli("quiz", "vectors", "--new", "3", input="")
    assert "[1/3]" in out and "holds back" not in out


def test_stats_forecast_uses_the_budget(home, mini, cli, fixed_now):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("daily_minutes = 1\n")  # 4 cards a day
    s = open_session(now=T0 - timedelta(days=10))
    for item in quizzing.quiz_queue(s, ["vectors", "matrices"], 20, 20)[:6]:
        quizzing.answer_question(s, item, present(item.question, 1), correct=False, rating=1, answer="x",
                                 response_ms=None, now=T0 - timedelta(days=10), retention=0.9)
    s.close()
    code, out, _ = cli("stats", "--json", "--tz", "UTC")
    budget = json.loads(out)["forecast"]["budget"]
    assert budget["cards_per_day"] == 4 and budget["days"][:3] == [4, 2, 0] and budget["backlog_days"] == 2
    code, out, _ = cli("stats", "--tz", "UTC")
    assert "with your daily budget (4 cards a day from daily_minutes), what does not fit waits:" in out
    assert "the cards due now take 2 days at that pace" in out


# --- learning steps within the quiz (fixed clock) ------------------------------------------------------------------

class Scripted:
    def __init__(self, lines):
        self.lines = list(lines)
        self.shown, self.feedbacks, self.flags = [], [], []

    def _next(self):
        if not self.lines:
            raise EndOfInput
        return self.lines.pop(0)

    def question(self, number, total, p, title):
        self.shown.append((number, total, p.id))

    def answer(self, p):
        raw = self._next()
        if raw == "?":
            return Response(None, raw, dont_know=True)
        if raw == "RIGHT":
            letters = ",".join("abc"[p.options.index(o)] for o in p.correct_options)
            raw = {"choice": letters, "multi": letters, "true_false": "y", "numeric": "11",
                   "text": "unit vector"}[p.answer_kind]
        return Response(parse_line(p, raw), raw)

    def reveal(self, p):
        return int(self._next())

    def self_grade(self):
        return 3

    def invalid(self, p, raw):
        pass

    def graded(self, p, how):
        self.flags.append((p.id, how))

    def feedback(self, p, correct, rating, due, saved):
        self.feedbacks.append((p.id, correct, rating, due))


def test_a_missed_card_comes_back_after_requeue_after_other_cards(mini):
    s = open_session(now=T0)
    items = [i for i in quizzing.quiz_queue(s, ["vectors"], 20, 20) if i.question["kind"] != "flashcard"]
    ids = [i.question["id"] for i in items]  # choice, multi, tf, numeric, text
    ui = Scripted(["?"] + ["RIGHT"] * 20)
    result = quizzing.run_quiz(s, items, ui, clock=lambda: T0)
    order = [x[2] for x in ui.shown]
    c, m, t, n, x = ids
    # each card goes back behind 3 others (requeue_after) while in its learning steps (1 and 10 min): the missed
    # choice question is asked three times (Again -> step 1 min, Good -> step 10 min, Good -> graduated), the others
    # twice; the last card, with nothing left behind it, comes straight back
    assert order == [c, m, t, n, c, m, t, n, c, x, x]
    assert ui.feedbacks[0][3] is None  # "later in this quiz", not "in 1 min"
    assert all(due - T0 >= timedelta(days=1) for due in result.returns.values())
    assert result.dont_know == 1 and result.wrong == 1
    row = s.conn.execute("SELECT answer, correct, rating, flag FROM review ORDER BY id").fetchone()
    assert row == (None, 0, 1, "dont_know")


def test_steps_are_configurable_and_empty_steps_graduate_at_once(mini, home):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("learning_steps = []\nrelearning_steps = []\n")
    s = open_session(now=T0)
    items = [i for i in quizzing.quiz_queue(s, ["vectors"], 20, 20) if i.question["kind"] != "flashcard"]
    ui = Scripted(["RIGHT"] * 5)
    result = quizzing.run_quiz(s, items, ui, clock=lambda: T0)
    assert len(ui.shown) == 5 and result.repeated == 0
    assert all(due - T0 >= timedelta(days=1) for due in result.returns.values())


def test_requeue_after_setting_places_the_card(mini, home):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("requeue_after = 1\n")
    s = open_session(now=T0)
    items = [i for i in quizzing.quiz_queue(s, ["vectors"], 20, 20) if i.question["kind"] != "flashcard"]
    ids = [i.question["id"] for i in items]
    ui = Scripted(["RIGHT"] * 20)
    quizzing.run_quiz(s, items, ui, clock=lambda: T0)
    order = [x[2] for x in ui.shown]
    c, m, t, n, x = ids  # right answers: each card once new (-> the 10-min step), once more (-> graduated)
    assert order == [c, m, c, m, t, n, t, n, x, x]


def test_when_says_tomorrow_and_days(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    import time

    time.tzset()
    assert when(None, T0) == "later in this quiz"
    assert when(T0 + timedelta(minutes=10), T0) == "in 10 min"
    assert when(T0 + timedelta(days=1), T0) == "tomorrow"
    assert when(T0 + timedelta(days=4, hours=3), T0) == "in 4 days"


def test_summary_says_when_each_card_returns(home, mini, cli, fixed_now, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    code, out, _ = cli("quiz", "vectors", "--new", "1", input="5\n5\n")
    assert code == 0 and "correct. saved; next review later in this quiz" in out
    from mlpath.store.db import from_db

    due = from_db(db(home).execute("SELECT due FROM card").fetchone()[0])
    label = when(due, T0)
    assert label == "tomorrow" or label.startswith("in ") and label.endswith(" days")
    assert f"Next reviews: 1 {label}.\n  vectors-choice: {label}\n" in out


# --- the kinder quiz, in a pipe --------------------------------------------------------------------------------------

def presented(kind_id="vectors-choice", seed=0):
    from mlpath.app.session import open_session as o

    s = o(now=T0)
    q = json.loads(s.conn.execute("SELECT data FROM question WHERE id = ?", (kind_id,)).fetchone()[0])
    s.close()
    return present(q, seed)


def test_options_are_letters_and_numbers_never_read_as_positions_when_options_are_numbers(mini):
    p = presented("vectors-choice")  # options "5", "7", "25"
    assert parse_line(p, "a") == p.options[0] and parse_line(p, "C") == p.options[2]
    assert parse_line(p, "5") == "5" and parse_line(p, "25") == "25"  # the exact text, not option 5 or 25
    assert parse_line(p, "1") is None and parse_line(p, "3") is None  # no option "1": never "option number 1"
    m = presented("vectors-multi")  # non-numeric options: numbers still work
    assert parse_line(m, "1, 3") == [m.options[0], m.options[2]]
    assert parse_line(m, "a,c") == [m.options[0], m.options[2]]


def test_pipe_shows_letters_and_seed_replays_the_same_order(home, mini, cli, fixed_now):
    code1, out1, _ = cli("quiz", "vectors", "--seed", "7", "-n", "2", input="")
    code2, out2, _ = cli("quiz", "vectors", "--seed", "7", "-n", "2", input="")
    assert code1 == code2 == 0 and out1 == out2
    assert "  a) " in out1 and "  b) " in out1 and "  1) " not in out1
    p = present(json.loads(db(home).execute("SELECT data FROM question WHERE id='vectors-choice'").fetchone()[0]),
                quizzing.question_seed(7, "vectors-choice", 1))
    assert f"  a) {p.options[0]}\n  b) {p.options[1]}\n  c) {p.options[2]}\n" in out1


def test_exact_option_text_is_accepted(home, mini, cli, fixed_now):
    code, out, _ = cli("quiz", "vectors", "-n", "1", "--new", "1", input="5\n")
    assert code == 0 and "correct." in out
    assert db(home).execute("SELECT answer, correct FROM review").fetchone() == ("5", 1)


def test_question_mark_is_i_dont_know(home, mini, cli, fixed_now):
    code, out, _ = cli("quiz", "vectors", "-n", "1", "--new", "1", input="?\n")
    assert "no guess (counted as Again). The answer: 5" in out
    assert '1 "I don\'t know"' in out
    assert db(home).execute("SELECT answer, correct, rating, flag FROM review").fetchone() == (None, 0, 1, "dont_know")


def test_a_non_utf8_line_is_an_invalid_answer_and_the_quiz_goes_on(home, mini, run_mlpath, fixed_now):
    import subprocess

    from conftest import mlpath_exe
    import os

    proc = subprocess.run([*mlpath_exe(), "quiz", "vectors", "--new", "2", "-n", "2"], input=b"\xff\xfe\n?\n",
                          capture_output=True, env={**os.environ}, timeout=60)
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr
    assert "not a valid answer" in out and "1 invalid answer counted as wrong" in out
    assert db(home).execute("SELECT COUNT(*) FROM review").fetchone()[0] == 2


def _text_last(home):
    """Missed cards go to the end of the quiz, so the text question (5th of vectors) is the 5th asked."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("requeue_after = 50\n")


def test_answers_are_capped_at_1000_characters(home, mini, cli, fixed_now):
    _text_last(home)
    long = "unit vector" + " x" * 2000
    code, out, _ = cli("quiz", "vectors", "--new", "5", "-n", "5", input="?\n?\n?\n?\n" + long + "\n")
    assert code == 0 and "not a valid answer ('unit vector x x" in out
    (answer,) = db(home).execute("SELECT answer FROM review WHERE question_id = 'vectors-text'").fetchone()
    assert len(answer) == grading.MAX_ANSWER


def test_typo_tolerance_on_long_words_only():
    assert grading.text_match("unit vectro", ["unit vector"]) == "typo"  # swap, 10 letters
    assert grading.text_match("supervized learning", ["supervised learning"]) == "typo"
    assert grading.text_match("unit vector", ["unit vector"]) == "exact"
    assert grading.text_match("unti", ["unit"]) is None  # short: never
    assert grading.text_match("softmaxx", ["softmax"]) is None  # 7 letters: never
    assert grading.text_match("overfiting", ["overfitting"]) == "typo"  # 11 letters, one missing
    assert grading.text_match("overfittin", ["overfitting"]) == "typo"
    assert grading.text_match("ovrfiting", ["overfitting"]) is None  # two edits
    assert grading.text_match("relu 12345678", ["relu 12345679"]) is None  # digits: never


def _osa(a, b):
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


@given(st.text("abcd", max_size=9), st.text("abcd", max_size=9))
def test_one_edit_apart_is_distance_one(a, b):
    assert grading.one_edit_apart(a, b) == (_osa(a, b) == 1)


def test_a_typo_is_graded_hard_and_said_so(home, mini, cli, fixed_now):
    _text_last(home)
    code, out, _ = cli("quiz", "vectors", "--new", "5", "-n", "5", input="?\n?\n?\n?\nunit vectro\n")
    assert "accepted with a small typo (the spelling: unit vector); graded Hard" in out
    assert db(home).execute("SELECT rating, correct, flag FROM review WHERE question_id = 'vectors-text'"
                            ).fetchone() == (2, 1, "typo")


def test_i_was_right_is_recorded_and_rated_good(mini):
    s = open_session(now=T0)
    items = [i for i in quizzing.quiz_queue(s, ["vectors"], 20, 20) if i.question["kind"] == "numeric"]

    class Override(Scripted):
        def override(self, p):
            return True

    result = quizzing.run_quiz(s, items, Override(["12"]), clock=lambda: T0, learning_steps=False)
    assert result.overridden == 1 and result.right == 1 and result.wrong == 0
    assert s.conn.execute("SELECT answer, correct, rating, flag FROM review").fetchall() == [("12", 1, 3, "overridden")]
    from mlpath.core import scheduling

    expected = scheduling.review(scheduling.new_card(T0), 3, T0, 0)
    state, step = s.conn.execute("SELECT state, step FROM card").fetchone()
    assert (state, step) == (int(expected.state), expected.step)
    dump = __import__("mlpath.store.history", fromlist=["dump"]).dump(s.conn, None)
    assert dump["reviews"][0]["flag"] == "overridden"  # visible in the history (and in backups)


def test_locked_topic_notes_missing_prerequisites_once(home, mini, cli, fixed_now):
    code, out, _ = cli("quiz", "matrices", "-n", "1", input="")
    assert out.count("Note: matrices is locked: vectors is not done yet.") == 1


# --- honest numbers -------------------------------------------------------------------------------------------------

def test_show_recall_is_zero_right_after_misses(home, mini, cli, fixed_now):
    cli("quiz", "vectors", "--new", "2", "-n", "2", input="?\n?\n")
    code, out, _ = cli("show", "vectors", "--json")
    cards = json.loads(out)["cards"]
    assert cards["seen"] == 2 and cards["recall"] == 0.0 and cards["last_wrong"] == 2
    code, out, _ = cli("show", "vectors")
    assert "recall now 0% on average, lowest 0%, last answer wrong on 2" in out


def test_show_recall_right_after_right_answers_is_fsrs_recall(home, mini, cli, fixed_now, monkeypatch):
    cli("quiz", "vectors", "--new", "1", "-n", "1", input="5\n5\n5\n")
    monkeypatch.setenv("MLPATH_NOW", "2026-07-04T07:00:00+00:00")
    code, out, _ = cli("show", "vectors", "--json")
    cards = json.loads(out)["cards"]
    from mlpath.core import scheduling
    from mlpath.store import tables

    row = db(home).execute(f"SELECT {', '.join(tables.CARD_STATE)} FROM card").fetchone()
    r = scheduling.retrievability(tables.card_state_from(row), datetime(2026, 7, 4, 7, tzinfo=timezone.utc))
    assert cards["recall"] == round(r, 3) and 0.5 < r < 1


def test_unlocks_agree_between_next_and_show(home, cli):
    code, out, _ = cli("next", "--json", "--limit", "50")
    for t in json.loads(out)["topics"]:
        code, shown, _ = cli("show", t["id"], "--json")
        assert json.loads(shown)["unlocks_when_done"] == t["unlocks"], t["id"]
        if t["unlocks"]:
            n = len(t["unlocks"])
            assert f"unlocks {n} topic{'s' if n != 1 else ''}" in t["reason"]


def test_next_says_in_progress_once(home, mini, cli):
    cli("start", "vectors")
    code, out, _ = cli("next")
    entry = out.split("\n2.")[0]
    assert entry.count("in progress") == 1


def _commands():
    from typer.main import get_command

    from mlpath.cli.app import register_all

    app = register_all()

    root = get_command(app)
    out = []

    def walk(cmd, path):
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, path + [name])
        if path:
            out.append(path)

    walk(root, [])
    return out


@pytest.mark.parametrize("path", _commands(), ids=lambda p: " ".join(p))
def test_every_help_starts_with_one_complete_line(path, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = cli(*path, "--help")
    assert code == 0
    first = out.split("\n\n")[1].strip()
    assert "\n" not in first, f"{path}: first help paragraph wraps: {first!r}"
    assert first.endswith(".") and first[0].isupper(), first
    code, top, _ = cli(*path[:-1], "--help")
    listed = [line for line in top.splitlines() if line.strip().startswith(path[-1] + " ")]
    assert listed and listed[0].rstrip().endswith(first), f"{path}: listed as {listed!r}"


def test_no_plural_slips(home, mini, cli, fixed_now):
    s = open_session(now=T0 - timedelta(days=10))
    item = quizzing.quiz_queue(s, ["vectors"], 1, 1)[0]
    quizzing.answer_question(s, item, present(item.question, 1), correct=False, rating=1, answer="x",
                             response_ms=None, now=T0 - timedelta(days=10), retention=0.9)
    s.close()
    code, out, _ = cli("next")
    assert "1 review due: run `mlpath review`" in out and "(s)" not in out
    code, out, _ = cli("review", input="zz\n")
    assert "1 invalid answer counted as wrong" in out and "(s)" not in out


# --- Anki -----------------------------------------------------------------------------------------------------------

def test_anki_studied_and_area_filters(home, mini, cli, fixed_now, tmp_path):
    cli("quiz", "vectors", "--new", "2", "-n", "2", input="?\n?\n")
    code, out, _ = cli("export", "--anki", str(tmp_path / "a.apkg"), "--studied", "--json")
    data = json.loads(out)
    assert code == 0 and data["questions"] == 2 and data["studied_only"] is True
    code, out, _ = cli("export", "--anki", str(tmp_path / "b.apkg"), "--area", "ml", "--json")
    assert json.loads(out)["questions"] == 0
    code, out, err = cli("export", str(tmp_path / "c.json"), "--studied")
    assert code == 2 and "--studied chooses questions for an Anki deck" in err


def test_anki_keeps_code_indentation_in_pre():
    from mlpath.app.anki import DECK_DESCRIPTION, _html

    text = "What does this print?\n\n    def add(a, b):\n        return a + b\n    print(add(1, 2))\n\nDone."
    assert _html(text) == ("What does this print?<br><br><pre class=\"code\"><code>def add(a, b):\n"
                           "    return a + b\nprint(add(1, 2))</code></pre><br>Done.")
    assert _html("```\nx = 1\n  y = 2\n```") == '<pre class="code"><code>x = 1\n  y = 2</code></pre>'
    assert _html("a < b\nc") == "a &lt; b<br>c"
    assert "do not come back to mlpath" in DECK_DESCRIPTION
