"""The layering is a checked rule: import-linter's contracts in pyproject.toml hold, and they would break."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _lint(package_parent: Path, config: Path) -> subprocess.CompletedProcess:
    """Run import-linter on the ``mlpath`` package found in ``package_parent`` (not the installed one)."""
    lint = Path(sys.executable).with_name("lint-imports")
    env = {"PYTHONPATH": str(package_parent), "PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "250"}
    return subprocess.run([str(lint), "--config", str(config), "--no-cache"], cwd=package_parent, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def copy(tmp_path):
    shutil.copytree(ROOT / "mlpath", tmp_path / "mlpath", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_hold(copy):
    result = _lint(copy, copy / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize("module, line, contract", [
    ("core/model.py", "from mlpath.store import queries", "Layers"),
    ("core/graph.py", "import rich", "The core is pure"),
    ("store/db.py", "from mlpath.app import session", "Layers"),
    ("app/anki.py", "from mlpath.app import backup", "No import cycles"),  # backup imports anki already
])
def test_a_wrong_import_breaks_a_contract(copy, module, line, contract):
    path = copy / "mlpath" / module
    path.write_text(path.read_text() + f"\n\ndef _late():\n    {line}\n")  # even a function-level import counts
    result = _lint(copy, copy / "pyproject.toml")
    assert result.returncode != 0
    broken = [ln for ln in result.stdout.splitlines() if ln.rstrip().endswith("BROKEN")]
    assert any(contract in ln for ln in broken), result.stdout
