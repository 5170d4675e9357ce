"""The project's own promises about itself: lowest versions are tested, the README's commands are the CI's."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project["dependencies"] + project["optional-dependencies"]["test"]


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[; ]", req, maxsplit=1)[0].lower().replace("_", "-")


def test_every_dependency_is_pinned_at_its_lower_bound_for_the_lowest_run():
    pins = {}
    for line in (ROOT / "tests" / "constraints-lowest.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[_name(name)] = version
    for req in _requirements():
        lower = re.search(r">=\s*([0-9][0-9.a-z]*)", req)
        assert lower, f"{req}: every dependency needs a lower bound"
        name = _name(req)
        assert name in pins, f"{name} is missing from tests/constraints-lowest.txt"
        assert _release(pins[name]) == _release(lower.group(1)), f"{name}: pinned {pins[name]}, lower bound {lower.group(1)}"


def _release(version: str) -> tuple[int, ...]:
    parts = [int(x) for x in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    blocks = re.findall(r"```\n(.*?)\n```", readme, flags=re.S)
    install, test = blocks[0].strip(), blocks[1].strip()
    assert "mlpath next" in install and "pytest" in test
    assert test in ci.splitlines(), "the README's test command must be a line of .ci/run"


def test_modules_that_define_named_tuples_evaluate_their_annotations_eagerly():
    """typing.NamedTuple turns every string annotation into a ForwardRef, compiling it, when the class is made; with
    ``from __future__ import annotations`` every field is a string, and the dozens of tuples on `next`'s path cost
    start-up time (issue 10). Such modules write annotations that can be evaluated (quoting a forward reference)."""
    offenders = []
    for path in sorted((ROOT / "mlpath").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"^class \w+\((typing\.)?NamedTuple\)", text, re.M) and "from __future__ import annotations" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
