"""benchmarks/sync_bench.py keeps working (a tiny class, one run); timings are printed, never asserted."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT
from pg_class import ADMIN_BASE, REASON, server_answers

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_sync_bench_runs_on_a_tiny_class():
    if not server_answers():
        pytest.skip(REASON)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLPATH_")}
    result = subprocess.run([sys.executable, "benchmarks/sync_bench.py", "--admin", ADMIN_BASE, "--learners", "3",
                             "--reviews", "50", "--runs", "1", "--markdown"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("| measurement |")
    assert [line.split(" | ")[0] for line in lines[2:]] == ["| daily sync (push 100, pull 100)",
                                                            "| class report (3 learners)"]
