"""The learner simulator's parts: its true memory law, its interpolation and intervals, one short run per arm.

Not a timed test and not the benchmark itself (benchmarks/learner_sim.py --quick runs that).
"""

from __future__ import annotations

import importlib.util
import json
import math
import random
import statistics
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load():
    spec = importlib.util.spec_from_file_location("learner_sim", ROOT / "benchmarks" / "learner_sim.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["learner_sim"] = mod
    spec.loader.exec_module(mod)
    return mod


sim = _load()


def test_true_memory_is_exponential_with_a_half_life():
    c = sim.Card("t", 0, h=4.0, t_last=10.0)
    assert c.p(10.0) == 1.0
    assert c.p(14.0) == pytest.approx(0.5)
    assert c.p(18.0) == pytest.approx(0.25)
    # A success at recall 0.5 multiplies the half-life by 1 + GAIN * 0.5; a failure halves it.
    c.exercise(14.0, True)
    assert (c.h, c.t_last) == (pytest.approx(4.0 * (1 + sim.GAIN * 0.5)), 14.0)
    c.exercise(15.0, False)
    assert c.h == pytest.approx(4.0 * (1 + sim.GAIN * 0.5) / 2)


def test_interpolation_through_the_sweep():
    # A straight line through three points: exact anywhere between them and beyond.
    xs, ys = [0.90, 0.92, 0.95], [500, 600, 750]
    assert sim.interpolate(0.91, xs, ys) == pytest.approx(550)
    assert sim.interpolate(0.935, xs, ys) == pytest.approx(675)
    assert sim.interpolate(0.96, xs, ys) == pytest.approx(800)  # extrapolated from the two nearest
    assert sim.interpolate(0.88, xs, ys) == pytest.approx(400)
    # Sweep order is kept: a segment that bends back is still found by bracketing.
    assert sim.interpolate(0.93, [0.90, 0.94, 0.92], [500, 700, 900]) == pytest.approx(650)  # first bracket


def test_interval95_is_a_t_style_normal_interval():
    values = [1.0, 2.0, 3.0, 4.0]
    m, lo, hi = sim.interval95(values)
    half = 1.96 * statistics.stdev(values) / math.sqrt(4)
    assert (m, lo, hi) == (2.5, pytest.approx(2.5 - half), pytest.approx(2.5 + half))
    assert sim.interval95([7.0]) == (7.0, 7.0, 7.0)


def test_random_graphs_are_acyclic_and_point_backwards():
    g = sim.random_graph(random.Random(3), "g", n=12)
    index = {t: i for i, t in enumerate(g.order)}
    for t, ps in g.prerequisites.items():
        assert all(index[p] < index[t] for p in ps)
        assert all(0.4 <= g.true_weights[(t, p)] <= 1.0 for p in ps)
    assert all(ps for t, ps in g.prerequisites.items() if t != g.order[0])


def test_perturbed_weights_stay_in_range():
    w = {("a", "b"): 0.9, ("b", "c"): 0.05}
    out = sim.perturbed(random.Random(1), w)
    assert set(out) == set(w) and all(0.05 <= v <= 1.0 for v in out.values())


@pytest.mark.slow
def test_short_runs_of_both_arms(monkeypatch):
    monkeypatch.setattr(sim, "DAYS", 60)
    g = sim.random_graph(random.Random(1), "g", n=8)
    weights = sim.perturbed(random.Random(2), g.true_weights)
    plain = sim.Run(g, 0.25, 0.9, False, 5, weights).simulate()
    aware = sim.Run(g, 0.25, 0.9, True, 5, weights).simulate()
    assert plain.credits == 0 and plain.final_strength == pytest.approx(0.5)
    assert aware.credits > 0
    for r in (plain, aware):
        assert r.explicit_reviews > 0 and 0 < r.true_retention <= 1


@pytest.mark.slow
def test_json_rows(monkeypatch, capsys):
    monkeypatch.setattr(sim, "DAYS", 30)
    monkeypatch.setattr(sim, "TRANSFER", {"none": 0.0, "moderate": 0.25})
    assert sim.main(["--json", "--seeds", "1", "--graphs", "1", "--roadmap-seeds", "0"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["transfer"] for r in rows} == {"none", "moderate"} and {r["arm"] for r in rows} == {"fsrs", "graph"}
    assert all({"transfer", "arm", "explicit_reviews", "true_retention"} <= set(r) for r in rows)
    assert len(rows) == 2 * 2 * len(sim.RETENTIONS)


def test_efficient_frontier_drops_dominated_points_and_keeps_the_lower_hull():
    pts = [(0.90, 1100), (0.91, 800), (0.93, 850), (0.94, 1000), (0.95, 1050), (0.96, 1300)]
    # (0.90, 1100) costs more than (0.91, 800) for less; (0.94, 1000) lies above the chord from 0.93 to 0.95 (950
    # there), so mixing those two settings beats it.
    hull = sim.efficient_frontier(pts)
    assert hull == [(0.91, 800), (0.93, 850), (0.95, 1050), (0.96, 1300)]
    assert sim.on_frontier(0.94, hull) == pytest.approx(950)
    assert sim.on_frontier(0.92, hull) == pytest.approx(825)
    assert sim.efficient_frontier([(0.9, 700)]) == [(0.9, 700)]


def test_frontier_change_over_the_common_range():
    fsrs = [(0.90, 1000), (0.95, 2000)]
    other = [(0.90, 800), (0.95, 1600), (0.97, 2000)]  # 20% fewer reviews wherever both reach
    assert sim.frontier_change(fsrs, other) == pytest.approx(-20.0)
    assert sim.frontier_change(other, fsrs) == pytest.approx(25.0)
    assert math.isnan(sim.frontier_change([(0.90, 1000), (0.92, 1200)], [(0.93, 900), (0.95, 1100)]))


def test_the_shipped_roadmap_loads_as_a_graph():
    g = sim.roadmap_graph(random.Random(7))
    assert g is not None and len(g.order) > 50
    index = {t: i for i, t in enumerate(g.order)}
    assert all(index[p] < index[t] for t, ps in g.prerequisites.items() for p in ps)


@pytest.mark.slow
def test_the_oracle_arm_is_told_true_transfer(monkeypatch):
    monkeypatch.setattr(sim, "DAYS", 60)
    g = sim.random_graph(random.Random(1), "g", n=8)
    weights = sim.perturbed(random.Random(2), g.true_weights)
    plain = sim.Run(g, 0.5, 0.9, False, 5, weights).simulate()
    oracle = sim.Run(g, 0.5, 0.9, True, 5, weights, oracle=True).simulate()
    assert oracle.credits == 0 and oracle.final_strength == sim.cr.INITIAL_STRENGTH
    # Told of transfer events, it postpones reviews: fewer of them in the same 60 days.
    assert oracle.explicit_reviews < plain.explicit_reviews


@pytest.mark.slow
def test_oracle_and_transfers_flags(monkeypatch, capsys):
    monkeypatch.setattr(sim, "DAYS", 20)
    assert sim.main(["--json", "--seeds", "1", "--graphs", "1", "--roadmap-seeds", "0", "--oracle",
                     "--transfers", "moderate"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["transfer"] for r in rows} == {"moderate"} and {r["arm"] for r in rows} == {"fsrs", "oracle"}
