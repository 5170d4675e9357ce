"""benchmarks/bench_history.py keeps working (one run on a small history; timings are printed, never asserted), and
the history make_history.py writes in chunks (summaries updated set-wise) has summaries equal to a recount."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from conftest import ROOT
from mlpath.store import aggregates

pytestmark = pytest.mark.slow


def test_bench_history_runs_and_its_history_is_consistent(tmp_path):
    result = subprocess.run([sys.executable, "benchmarks/bench_history.py", "--keep", str(tmp_path), "--sizes",
                             "3000", "--runs", "1", "--markdown"], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[4].startswith("| command | 3k s | 3k / python | 3k peak MB |")
    labels = [line.split(" | ")[0].lstrip("| ") for line in lines[6:]]
    assert labels == ["stats", "stats --json", "export backup.json", "export backup.json.gz",
                      "import into a fresh folder", "import again (nothing new)", "import backup.json.gz again",
                      "review: first question (all due)", "quiz linear-algebra: first question"]
    conn = sqlite3.connect(tmp_path / "history-3000" / "mlpath.db")
    try:
        assert conn.execute("SELECT COUNT(*) FROM review").fetchone()[0] == 3000
        assert aggregates.stored(conn) == aggregates.recount(conn)
        assert conn.execute("SELECT COUNT(*) FROM card WHERE reps = 0").fetchone()[0] == 0  # unreached: removed
    finally:
        conn.close()
