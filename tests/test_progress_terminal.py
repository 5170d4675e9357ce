"""On a terminal, a long import or export shows a bar on stderr while it runs, and the bar is gone when it ends:
what is left on the screen is the command's usual lines. Driven through a pseudo-terminal with pexpect."""

import os
import re

import pytest

from conftest import mlpath_exe
from learning_history import NOW_TEXT, install

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.slow


def _run(args, home):
    env = {**os.environ, "MLPATH_HOME": str(home), "MLPATH_NOW": NOW_TEXT, "TERM": "xterm", "COLUMNS": "100",
           "LINES": "30"}
    exe = mlpath_exe()
    child = pexpect.spawn(exe[0], [*exe[1:], *args], env=env, encoding="utf-8", timeout=60, dimensions=(30, 100))
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.before


def test_import_and_export_draw_a_bar_that_goes_away(mini, monkeypatch, home, tmp_path):
    install(mini, monkeypatch)
    file = tmp_path / "b.json"
    code, screen = _run(["export", str(file)], home)
    assert code == 0 and "Wrote " in screen
    code, screen = _run(["import", str(file)], tmp_path / "fresh")
    assert code == 0
    assert "Merging" in screen  # the bar was drawn ...
    shown = screen.rsplit("Merging", 1)[1]
    assert "\x1b[2K" in shown or "\x1b[1A" in shown  # ... and erased (Rich's transient bar clears its lines)
    words = " ".join(screen.split())  # (Rich wraps the line at the terminal's width, where the path falls)
    assert "Imported " in words and re.search(r"\d+ new reviews, \d+ cards added", words)
