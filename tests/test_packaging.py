"""Packaging: content/ and migrations/ ship inside the wheel; the installed command works from any folder."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    return next(out.glob("mlpath-*.whl"))


def test_wheel_holds_content_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "mlpath/content/areas.yaml" in names
    assert "mlpath/content/README.md" in names
    assert any(n.startswith("mlpath/content/topics/") for n in names)
    assert any(n.startswith("mlpath/content/questions/") for n in names)
    assert "mlpath/migrations/env.py" in names
    assert "mlpath/migrations/versions/0001_initial.py" in names
    assert not any(n.startswith("tests/") for n in names)


def test_installed_command_runs_from_another_folder(run_mlpath):
    """Through a real subprocess of the installed `mlpath`, started in a temporary folder."""
    result = run_mlpath("next", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["topics"] and data["topics"][0]["resource"]["url"].startswith("http")
    result = run_mlpath("--version")
    assert result.returncode == 0 and result.stdout.startswith("mlpath ")


def test_installed_quiz_through_a_pipe(run_mlpath):
    result = run_mlpath("quiz", "vectors", "--new", "3", input="1\nzzz\n")
    assert result.returncode == 0, result.stderr
    assert "Done: 2 answered" in result.stdout
    assert "counted as wrong" in result.stdout
    progress = json.loads(run_mlpath("progress", "--json").stdout)
    assert progress["reviews"] == 2


def test_installed_errors_are_one_line(run_mlpath):
    result = run_mlpath("show", "linear-regresion")
    assert result.returncode == 2
    assert result.stderr.startswith("mlpath: error: unknown topic or area 'linear-regresion'; did you mean")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_no_color_and_plain_pipe(run_mlpath):
    result = run_mlpath("progress", env={"NO_COLOR": "1"})
    assert result.returncode == 0 and "\x1b[" not in result.stdout


def test_shell_completion_offers_topic_ids(run_mlpath):
    result = run_mlpath(env={"_MLPATH_COMPLETE": "complete_bash", "COMP_WORDS": "mlpath show linear-r",
                             "COMP_CWORD": "2"})
    assert result.returncode == 0
    assert result.stdout.split() == ["linear-regression"]
    result = run_mlpath(env={"_MLPATH_COMPLETE": "complete_bash", "COMP_WORDS": "mlpath quiz prob",
                             "COMP_CWORD": "2"})
    assert "probability-statistics" in result.stdout.split() and "probability-basics" in result.stdout.split()


def test_wheel_holds_the_map_page_assets(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("map.html", "map.css", "map.js", "vendor/dagre.min.js", "vendor/LICENSE-dagre",
                 "vendor/LICENSE-graphlib"):
        assert f"mlpath/web/{name}" in names


def test_installed_map_writes_a_page(run_mlpath, tmp_path):
    target = tmp_path / "map.html"
    result = run_mlpath("map", "--output", str(target), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"path", "topics"} and data["path"] == str(target) and data["topics"] >= 100
    assert "dagre" in target.read_text(encoding="utf-8")
