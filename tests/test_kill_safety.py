"""Kill safety: real `mlpath quiz` / `mlpath review` processes fed by a pipe are killed with SIGKILL at random
moments. Every answer a process acknowledged ("saved; next review ...") must be in the database, nothing else may
be there but at most the one answer being committed when the kill came, and the file must pass
`PRAGMA integrity_check`.

The random moments are drawn from a seeded generator (the exact timing of a kill still varies from run to run,
which is the point): after k acknowledgements, a few milliseconds after sending an answer (in the middle of the
commit), at once after sending an answer, after sending every answer in one burst, and during start-up.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import mlpath_exe
from mlpath_process import QuizProcess, env_for

pytestmark = [
    pytest.mark.slow,  # subprocess-heavy: CI runs it, the inner loop (-m 'not slow') skips it
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork-based pipes are POSIX"),
]

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
# FSRS caps intervals at 36,500 days: moving the clock further than that between rounds makes every card due.
STEP = timedelta(days=37_000)
ANSWERS = ["1", "2", "3", "a", "y", "n", "11", "0.5", "unit", "1,2", "4", "", "not an answer", "é"]
ROUNDS = 25


def _check_database(db: Path) -> tuple[int, int]:
    """Integrity, foreign keys, and card/review consistency. Returns (reviews, cards)."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        orphans = conn.execute("SELECT COUNT(*) FROM review LEFT JOIN card ON card.id = review.card_id "
                               "WHERE card.id IS NULL").fetchone()[0]
        assert orphans == 0, "review rows without their card"
        # The card update and the review insert are one transaction: a card's reps always equals its reviews.
        mismatched = conn.execute(
            "SELECT card.question_id, card.reps, COUNT(review.id) FROM card LEFT JOIN review "
            "ON review.card_id = card.id GROUP BY card.id HAVING card.reps != COUNT(review.id)").fetchall()
        assert mismatched == [], f"cards whose reps differ from their review rows: {mismatched}"
        reviews = conn.execute("SELECT COUNT(*) FROM review").fetchone()[0]
        cards = conn.execute("SELECT COUNT(*) FROM card").fetchone()[0]
        return reviews, cards
    finally:
        conn.close()


def _one_round(rng: random.Random, home: Path, content: Path, now: datetime, cwd: Path) -> tuple[str, int]:
    """Start a quiz, kill it at a random moment; returns (what was done, answers acknowledged)."""
    args = rng.choice([["quiz", "vectors"], ["quiz", "maths"], ["quiz", "maths"], ["review"], ["review"],
                       ["quiz", "matrices"], ["quiz", "vectors", "--limit", "3"]])
    mode = rng.choice(["after-k-acks", "mid-write", "right-after-send", "burst", "startup"])
    p = QuizProcess(args, env_for(home, content, now), cwd)
    try:
        if mode == "startup":
            time.sleep(rng.uniform(0.0, 0.6))
        elif mode == "burst":
            p.send("".join(rng.choice(ANSWERS) + "\n" for _ in range(12)))
            time.sleep(rng.uniform(0.2, 0.9))
        else:
            k = rng.randint(0, 5)
            for i in range(k):
                if not p.send(rng.choice(ANSWERS) + "\n") or not p.wait_for_ack(i + 1):
                    break
            else:
                # Kill while the next answer is being handled: the process is up and waiting for it.
                if mode != "after-k-acks" and p.wait_for_question(k + 1):
                    p.send(rng.choice(ANSWERS) + "\n")
                    if mode == "mid-write":
                        time.sleep(rng.uniform(0.0, 0.015))
    finally:
        code, err = p.kill()
    assert code in (-signal.SIGKILL, 0), f"{args} ({mode}) exited with {code}; output: {p.lines!r}; {err}"
    assert "Traceback" not in err, err
    return f"{' '.join(args)} / {mode}", p.acks


def test_sigkill_at_random_moments_never_loses_an_acknowledged_answer(tmp_path, mini):
    home = tmp_path / "home"
    db = home / "mlpath.db"
    rng = random.Random(20260101)

    # A first, complete quiz creates the database (migration and content sync), answers every question once.
    first = QuizProcess(["quiz", "maths"], env_for(home, mini, T0), tmp_path)
    first.send("".join(rng.choice(ANSWERS) + "\n" for _ in range(8)))
    code, err = first.finish()
    assert code == 0 and "Traceback" not in err, err
    acknowledged = first.acks
    assert acknowledged == 8
    assert _check_database(db)[0] == acknowledged

    log = []
    for n in range(1, ROUNDS + 1):
        before, _ = _check_database(db)
        what, acks = _one_round(rng, home, mini, T0 + n * STEP, tmp_path)
        after, cards = _check_database(db)
        log.append(f"round {n}: {what}: {acks} acknowledged, {after - before} stored")
        # Every acknowledged answer is stored; at most the one being committed at the kill is stored unannounced.
        assert acks <= after - before <= acks + 1, "\n".join(log)
        acknowledged += acks
        assert after >= acknowledged

    # The database still works for the next run, and counts every stored answer.
    final = QuizProcess(["progress", "--json"], env_for(home, mini, T0 + (ROUNDS + 1) * STEP), tmp_path)
    code, err = final.finish()
    assert code == 0 and err == "", err

    assert json.loads("".join(final.lines))["reviews"] == _check_database(db)[0] >= acknowledged


_KILL_DURING_MIGRATION = """
import os, signal, sys
from pathlib import Path
from alembic.operations import Operations

target, count = sys.argv[1], int(sys.argv[2])
original = getattr(Operations, target)
calls = [0]

def dying(self, *args, **kwargs):
    result = original(self, *args, **kwargs)
    calls[0] += 1
    if calls[0] == count:
        os.kill(os.getpid(), signal.SIGKILL)  # the power goes out half-way through the migration
    return result

setattr(Operations, target, dying)
from mlpath.store import db
path = Path(os.environ["MLPATH_HOME"]) / "mlpath.db"
path.parent.mkdir(parents=True)
db.migrate(path)  # Alembic, as an upgrade does (a first run creates the schema from the snapshot)
"""

_KILL_DURING_CREATION = """
import os, signal, sys
from pathlib import Path
from mlpath.store import db

count = int(sys.argv[2])
original = db._head_statements

def dying():
    for i, statement in enumerate(original()):
        if i == count:
            os.kill(os.getpid(), signal.SIGKILL)  # the power goes out half-way through creating the schema
        yield statement

db._head_statements = dying
db.connect(Path(os.environ["MLPATH_HOME"]) / "mlpath.db")
"""


@pytest.mark.parametrize("target,count", [("create_table", 1), ("create_index", 3), ("snapshot", 20)])
def test_sigkill_during_first_run_migration_leaves_a_usable_database(tmp_path, mini, target, count):
    """A first run killed half-way through creating the schema (from the snapshot, as a first run does, or by
    Alembic's migrations, as an upgrade does) must not leave a database that every later run refuses: the creation
    must be atomic (or resumable)."""
    home = tmp_path / "home"
    env = env_for(home, mini, T0)
    script = _KILL_DURING_CREATION if target == "snapshot" else _KILL_DURING_MIGRATION
    killed = subprocess.run([sys.executable, "-c", script, target, str(count)], env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    after = subprocess.run([*mlpath_exe(), "next"], env=env, cwd=tmp_path, capture_output=True, text=True,
                           timeout=60)
    assert "Traceback" not in after.stderr
    assert after.returncode == 0, f"the next run fails after a killed first run:\n{after.stderr}"
    assert _check_database(home / "mlpath.db") == (0, 0)
