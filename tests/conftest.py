"""Shared fixtures. Every test runs with MLPATH_HOME in a temporary folder: no test can touch real data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
MINI = DATA / "mini"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("MLPATH_HOME", str(home))
    for var in ("MLPATH_CONTENT", "MLPATH_NOW", "MLPATH_DEBUG", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def home(_isolated_home):
    return _isolated_home


@pytest.fixture
def mini(tmp_path, monkeypatch):
    """A small roadmap (tests/data/mini), copied so tests may edit it."""
    folder = tmp_path / "content"
    shutil.copytree(MINI, folder)
    monkeypatch.setenv("MLPATH_CONTENT", str(folder))
    return folder


@pytest.fixture
def cli():
    """Run mlpath in-process with Typer's CliRunner, through the same error boundary as the real command.

    Returns (exit code, stdout, stderr).
    """
    from typer.testing import CliRunner

    from mlpath.cli import render
    from mlpath.cli.app import run

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        render.out.cache_clear()
        render.err.cache_clear()
        with runner.isolation(input=input) as (out, err, _):
            code = run(list(args))
            sys.stdout.flush()
            sys.stderr.flush()
            stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
        render.out.cache_clear()
        render.err.cache_clear()
        return code, stdout, stderr

    return invoke


def mlpath_exe() -> list[str]:
    """The installed `mlpath` console script (next to this Python), else `python -m mlpath`."""
    exe = Path(sys.executable).with_name("mlpath")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("mlpath")
    return [found] if found else [sys.executable, "-m", "mlpath"]


@pytest.fixture
def run_mlpath():
    """Run the installed `mlpath` as a real subprocess."""

    def run(*args: str, input: str | None = None, env: dict | None = None, timeout: float = 60):
        full_env = {**os.environ, **(env or {})}
        return subprocess.run([*mlpath_exe(), *args], input=input, capture_output=True, text=True,
                              env=full_env, timeout=timeout, cwd=str(Path(full_env["MLPATH_HOME"]).parent))

    return run
