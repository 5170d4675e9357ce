"""The proof of issue 20: benchmarks/path_sim.py on the shipped content meets its targets (hours, not time)."""

import importlib.util
import json

import pytest

from conftest import ROOT

spec = importlib.util.spec_from_file_location("path_sim", ROOT / "benchmarks" / "path_sim.py")
path_sim = importlib.util.module_from_spec(spec)
spec.loader.exec_module(path_sim)


@pytest.fixture(scope="module")
def runs():
    from mlpath.packs.loader import load

    result = load(ROOT / "content")
    assert result.problems == []
    return result.roadmap, path_sim.run_all(result.roadmap)


def test_the_shipped_roadmap_meets_every_target(runs):
    roadmap, got = runs
    assert path_sim.failures(got) == []
    scopes = {r.scope for r in got}
    assert scopes == {"whole roadmap"} | {t.id for t in roadmap.tracks} and len(roadmap.tracks) >= 4
    whole = [r for r in got if r.scope == "whole roadmap"]
    for r in whole:  # every milestone is reached on the whole roadmap, in order of the targets
        assert None not in r.hours.values()
        assert r.hours["first model"] <= r.hours["first NN"] <= r.hours["deployed"]


def test_the_simulated_learner_follows_next(runs):
    roadmap, got = runs
    from mlpath.core.ranking import recommend

    statuses = {}
    for tid in next(r for r in got if r.scope == "whole roadmap" and r.order == "build-first").first_steps[:10]:
        assert recommend(roadmap, statuses, order="build-first")[0].topic.id == tid
        statuses[tid] = "done"


def test_failures_and_the_table():
    run = path_sim.Run("x", "math-first", {"first model": 151.0, "first NN": None, "deployed": 525.0,
                                           "project": 999.0}, 1000.0, [])
    assert path_sim.failures([run]) == ["x / math-first: first model after 151 h (target 150 h)"]
    table = path_sim.markdown([run])
    assert "| x | math-first | 151 h | - | 525 h | 999 h | 1000 h |" in table


def test_json_output(capsys):
    assert path_sim.main(["--quick", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["missed"] == [] and [r["order"] for r in data["runs"]] == ["build-first", "math-first"]
