"""Packaging: content/, migrations/ and the schema snapshot ship inside the wheel; the installed command works from
any folder."""

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import mlpath_exe

pytestmark = pytest.mark.slow

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
    assert "mlpath/store/schema.sql" in names  # new databases are created from it
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


def _run_in_terminal(args: list[str], env: dict[str, str], cwd: str) -> bytes:
    """Run the installed command with a pseudo-terminal as stdout (a real terminal, as a learner has)."""
    import os
    import pty

    main, sub = pty.openpty()
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=sub, stderr=sub, env=env, cwd=cwd)
    os.close(sub)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert proc.wait(timeout=60) == 0
    return b"".join(chunks)


_SGR = re.compile(rb"\x1b\[([0-9;]*)m")


def _colour_codes(output: bytes) -> list[bytes]:
    """The SGR parameters in ``output`` that set a colour (30-49, 90-107), as opposed to bold or dim."""
    found = []
    for params in _SGR.findall(output):
        codes = [int(x) for x in params.split(b";") if x]
        if any(30 <= c <= 49 or 90 <= c <= 107 for c in codes):
            found.append(params)
    return found


def test_colour_on_a_terminal_and_none_with_no_color(home):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(TERM="xterm-256color", COLUMNS="120", MLPATH_HOME=str(home))
    cmd = [*mlpath_exe(), "next"]
    coloured = _run_in_terminal(cmd, env, str(home.parent))
    assert _colour_codes(coloured), "a terminal should get colour"
    plain = _run_in_terminal(cmd, {**env, "NO_COLOR": "1"}, str(home.parent))
    assert b"start with" in plain
    assert _colour_codes(plain) == [], "NO_COLOR must switch colour off on a terminal"


def test_a_pipe_gets_plain_text(run_mlpath):
    result = run_mlpath("next")
    assert result.returncode == 0 and "start with" in result.stdout and "\x1b[" not in result.stdout


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
