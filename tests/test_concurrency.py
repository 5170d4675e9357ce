"""Concurrency: several real mlpath processes write one database at once. No "database is locked", every
acknowledged answer stored exactly once, and first runs that race to create the database both succeed."""

from __future__ import annotations

import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from mlpath.store import db as store_db
from mlpath_process import ACK, QuizProcess, env_for

pytestmark = [
    pytest.mark.slow,  # subprocess-heavy: CI runs it, the inner loop (-m 'not slow') skips it
    pytest.mark.skipif(sys.platform == "win32", reason="pipes to real processes; POSIX only here"),
]

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
ANSWERS = ["1", "1,2", "y", "11", "unit", "3", "0", "0.5", "2", "n", "7", "1/2"]

# Two more topics with questions, so that four processes can each quiz a topic of their own.
EXTRA_QUESTIONS = """questions:
""" + "".join(f"""  - id: derivatives-tf-{i}
    topic: derivatives
    kind: true_false
    prompt: The derivative of x^{i + 2} is {i + 2}x^{i + 1}.
    answer: true
    explanation: The power rule.
  - id: derivatives-poly-{i}
    topic: derivatives
    kind: generated
    generator: polynomial_derivative
  - id: gd-step-{i}
    topic: gradient-descent
    kind: numeric
    prompt: One step of gradient descent from x = {i + 1} on f(x) = x^2 with learning rate 0.5 gives?
    answer: 0
    explanation: x - 0.5 * 2x = 0.
  - id: gd-generated-{i}
    topic: gradient-descent
    kind: generated
    generator: gradient_descent_step
""" for i in range(4))


def _counts(path: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        reviews = conn.execute("SELECT COUNT(*) FROM review").fetchone()[0]
        cards = conn.execute("SELECT COUNT(*) FROM card").fetchone()[0]
        reps = conn.execute("SELECT COALESCE(SUM(reps), 0) FROM card").fetchone()[0]
        return reviews, cards, reps
    finally:
        conn.close()


def _one_showing_per_card(home: Path) -> None:
    """No learning steps: every card is asked once per quiz, so answers and cards can be counted exactly (a card in
    its learning steps would otherwise come back within the quiz)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("learning_steps = []\nrelearning_steps = []\n")


def _finish_all(procs: list[QuizProcess]) -> list[tuple[int, str, int]]:
    results = []
    for p in procs:
        code, err = p.finish(timeout=120)
        results.append((code, err, p.acks))
    for code, err, _ in results:
        assert "database is locked" not in err
        assert "Traceback" not in err
        assert code == 0 and err == "", err
    return results


def test_four_processes_answer_the_same_area_at_once(tmp_path, mini):
    """Four quizzes on one area, started together on a fresh MLPATH_HOME (so their first runs race as well).
    Each one waits until all four show their first question, then all answer at the same moment."""
    home = tmp_path / "home"
    _one_showing_per_card(home)
    env = env_for(home, mini, T0)
    procs = [QuizProcess(["quiz", "maths"], env, tmp_path) for _ in range(4)]
    try:
        for p in procs:
            assert p.wait_for_question(1), p.lines
        for p in procs:  # every queue is built: now all four write at once
            p.send("".join(a + "\n" for a in ANSWERS[:8]))
    finally:
        results = _finish_all(procs)
    assert [acks for *_, acks in results] == [8, 8, 8, 8]
    reviews, cards, reps = _counts(home / "mlpath.db")
    assert reviews == 32 == reps  # every acknowledged answer once; the same cards were updated in turn
    assert cards == 8


def test_four_processes_each_on_its_own_topic_at_once(tmp_path, mini):
    (mini / "questions" / "extra.yaml").write_text(EXTRA_QUESTIONS)
    home = tmp_path / "home"
    _one_showing_per_card(home)
    env = env_for(home, mini, T0)
    topics = ["vectors", "matrices", "derivatives", "gradient-descent"]
    procs = [QuizProcess(["quiz", t, "--limit", "12", "--new", "12"], env, tmp_path) for t in topics]
    try:
        for p in procs:  # answers are in the pipe from the start; the processes race from their first line
            p.send("".join(a + "\n" for a in ANSWERS))
    finally:
        results = _finish_all(procs)
    acks = [a for *_, a in results]
    assert acks == [6, 2, 8, 8]
    assert sum(p.acks for p in procs) == sum("".join(p.lines).count(ACK) for p in procs)
    reviews, cards, reps = _counts(home / "mlpath.db")
    assert reviews == sum(acks) == reps == cards


def test_two_first_runs_migrate_at_once(tmp_path, mini):
    """Two processes start on a fresh MLPATH_HOME at the same time: both create/upgrade and sync safely."""
    for attempt in range(3):
        home = tmp_path / f"home{attempt}"
        env = env_for(home, mini, T0)
        procs = [QuizProcess(["next", "--json"], env, tmp_path) for _ in range(2)]
        for p in procs:
            code, err = p.finish(timeout=120)
            assert "database is locked" not in err and "Traceback" not in err
            assert code == 0 and err == "", err
            assert '"topics"' in "".join(p.lines)
        conn = sqlite3.connect(home / "mlpath.db")
        try:
            assert store_db.schema_version(conn) == store_db.HEAD
            assert conn.execute("SELECT COUNT(*) FROM alembic_version").fetchone()[0] == 1
            assert conn.execute("SELECT COUNT(*) FROM content_state").fetchone()[0] == 1
            assert conn.execute("SELECT COUNT(*) FROM topic").fetchone()[0] == 6
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            conn.close()
