"""The terminal quiz, driven through a pseudo-terminal with pexpect: number keys, y/n, ? for "I don't know",
"I was right", grades by number, and Ctrl-C printing the summary before exiting 130."""

import json
import os
import sqlite3

import pytest

from conftest import mlpath_exe
from mlpath.app.quiz import question_seed
from mlpath.core.questions import present

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.slow

NOW = "2026-07-01T07:00:00+00:00"


@pytest.fixture
def term(home, mini, monkeypatch):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("requeue_after = 50\n")  # cards that come back do so at the end

    def spawn(*args):
        env = {**os.environ, "MLPATH_NOW": NOW, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "TZ": "UTC",
               "COLUMNS": "120", "LINES": "40"}
        exe = mlpath_exe()
        child = pexpect.spawn(exe[0], [*exe[1:], *args], env=env, encoding="utf-8", timeout=30,
                              dimensions=(40, 120))
        return child

    return spawn


def rows(home):
    conn = sqlite3.connect(home / "mlpath.db")
    try:
        return conn.execute("SELECT question_id, answer, correct, rating, flag FROM review ORDER BY id").fetchall()
    finally:
        conn.close()


def shown(mini, qid, seed=1, showing=1):
    import yaml

    qs = {q["id"]: q for q in yaml.safe_load((mini / "questions" / "all.yaml").read_text())["questions"]}
    q = {**qs[qid], "topic": qs[qid]["topic"]}
    return present(q, question_seed(seed, qid, showing))


def finish(child):
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def test_number_keys_y_n_question_mark_and_a_grade_key(term, home, mini):
    p = shown(mini, "vectors-choice")
    key = str(p.options.index("5") + 1)
    child = term("quiz", "vectors", "--seed", "1", "-n", "6")
    child.expect("Your answer:")
    child.send(key)  # one key answers: no Enter
    child.expect("correct")
    child.expect("space to tick")
    child.send("?")  # I don't know
    child.expect("The answer:")
    child.expect("True or false")
    child.send("y")
    child.expect("correct")
    child.expect("Your answer")  # numeric
    child.sendline("11")
    child.expect("correct")
    child.expect("Your answer")  # text
    child.sendline("?")
    child.expect("The answer:")
    child.expect("press Enter to reveal")  # flashcard
    child.sendline("")
    child.expect("How well did you know it")
    child.send("4")  # Easy, by its number
    child.expect("next review")
    child.expect(r"I don't know \(press \?\)")  # the next question's prompt is up (Ctrl-C at a prompt)
    child.sendcontrol("c")
    child.expect("Done: ")
    assert finish(child) == 130
    got = rows(home)
    assert got[:6] == [("vectors-choice", "5", 1, 3, None), ("vectors-multi", None, 0, 1, "dont_know"),
                       ("vectors-tf", "True", 1, 3, None), ("vectors-numeric", "11", 1, 3, None),
                       ("vectors-text", None, 0, 1, "dont_know"), ("vectors-flash", "4", 1, 4, None)]


def test_i_was_right_after_a_wrong_answer(term, home, mini):
    p = shown(mini, "vectors-choice")
    wrong = str(next(i for i, o in enumerate(p.options) if o != "5") + 1)
    child = term("quiz", "vectors", "--seed", "1", "-n", "1")
    child.expect("Your answer:")
    child.send(wrong)
    child.expect("wrong")
    child.expect("I was right")
    child.send("r")
    child.expect("Counted as right")
    child.sendcontrol("c")
    assert finish(child) in (0, 130)
    assert rows(home)[0] == ("vectors-choice", p.options[int(wrong) - 1], 1, 3, "overridden")
    env = {**os.environ, "MLPATH_NOW": NOW}
    import subprocess

    out = subprocess.run([*mlpath_exe(), "export", str(home / "b.json")], env=env, capture_output=True, text=True)
    assert out.returncode == 0
    reviews = json.loads((home / "b.json").read_text())["reviews"]
    assert reviews[0]["flag"] == "overridden" and reviews[0]["rating"] == 3  # visible in the history


def test_ctrl_c_prints_the_summary_and_exits_130(term, home, mini):
    p = shown(mini, "vectors-choice")
    child = term("quiz", "vectors", "--seed", "1")
    child.expect("Your answer:")
    child.send(str(p.options.index("5") + 1))
    child.expect("correct")
    child.expect("space to tick")
    child.sendcontrol("c")
    child.expect("Interrupted: quiz stopped. Every answer given is saved.")
    child.expect("Done: 1 answered, 1 right, 0 wrong")
    child.expect("interrupted; every answer given so far is saved")
    assert finish(child) == 130
    assert len(rows(home)) == 1
