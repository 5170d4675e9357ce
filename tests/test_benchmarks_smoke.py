"""The benchmark scripts keep working: make_history.py builds a small history through the real store code, and
bench.py measures it (one run, the small history only). Timings are printed, never asserted."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow  # subprocess-heavy: CI runs it, the inner loop (-m 'not slow') skips it

REVIEWS = 2000


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    keep = tmp_path_factory.mktemp("bench")
    home = keep / f"small-{REVIEWS}"  # where bench.py --keep looks for its small history
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLPATH_")}
    result = subprocess.run([sys.executable, "benchmarks/make_history.py", "--home", str(home), "--reviews",
                             str(REVIEWS), "--years", "0.5", "--seed", "3"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"{REVIEWS:,} reviews" in result.stdout
    return keep, home, result.stdout


def test_make_history_builds_what_it_says(history):
    _, home, out = history
    info = json.loads((home / "history.json").read_text())
    conn = sqlite3.connect(home / "mlpath.db")
    try:
        count = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        assert count("SELECT COUNT(*) FROM review") == REVIEWS == info["reviews"]
        assert count("SELECT COUNT(*) FROM card") == info["cards"] > 0
        assert count("SELECT SUM(reps) FROM card") == REVIEWS  # every review counted on its card
        assert count("SELECT COUNT(*) FROM review LEFT JOIN card ON card.id = review.card_id "
                     "WHERE card.id IS NULL") == 0
        assert count("SELECT COUNT(*) FROM question WHERE active") == info["questions"] >= info["cards"]
        assert count("SELECT COUNT(*) FROM topic_status") == info["statuses"] > 0
        assert count("SELECT COUNT(*) FROM status_event") == info["status_events"]
        assert count("SELECT MIN(reviewed_at) FROM review") >= info["start"][:10]
        assert count("SELECT MAX(reviewed_at) FROM review") <= info["end"].replace("T", " ")
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    # mlpath itself reads it: same counts, no re-sync of the content needed
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLPATH_")}
    env.update(MLPATH_HOME=str(home), MLPATH_NOW=info["end"])
    result = subprocess.run([sys.executable, "-m", "mlpath", "progress", "--json"], env=env, capture_output=True,
                            text=True, timeout=60, cwd=home)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["reviews"] == REVIEWS


def test_make_history_refuses_to_overwrite(history):
    _, home, _ = history
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLPATH_")}
    result = subprocess.run([sys.executable, "benchmarks/make_history.py", "--home", str(home), "--reviews", "10"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "--force" in result.stderr


def test_bench_runs_on_the_small_history(history):
    keep, _, _ = history
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLPATH_")}
    result = subprocess.run([sys.executable, "benchmarks/bench.py", "--runs", "1", "--small-only", "--keep",
                             str(keep), "--small-reviews", str(REVIEWS), "--markdown"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "building a history" not in result.stderr  # it reused the one in --keep
    table = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    labels = [line.split("|")[1].strip() for line in table[1:]]
    assert labels == ["python -c pass", "next", "progress", "show linear-regression", "topics --json",
                      "quiz linear-algebra: first question", "review --limit 1 (stdin at EOF)", "completion: show lin<TAB>",
                      "first run: progress in a new folder", "map --output (whole page)"]
