"""Learner simulator: does implicit credit through the prerequisite graph save explicit reviews? (issue 11)

    python benchmarks/learner_sim.py [--quick] [--json] [--seeds 20] [--graphs 5] [--roadmap-seeds 5]
                                     [--transfers none,moderate] [--oracle] [--rows FILE] [--table-from FILE]

Simulated learners study a prerequisite graph for a year: a new topic every few days (in prerequisite order), then
a daily review session of at most BUDGET explicit reviews. Two schedulers, both the real code of mlpath.core over
the `fsrs` package:

- ``fsrs``:  every card scheduled on its own (mlpath.core.scheduling), most overdue first.
- ``graph``: the same, plus implicit credit (mlpath.core.credit): a passed review credits the prerequisites' cards
  that are due within the credit window, deeper topics are reviewed first so credit can knock out prerequisite
  reviews, a failed review probes the weakest prerequisite (when its predicted recall is below the target), and
  the transfer strength is recalibrated weekly from the learner's record so far (credited and held-out cards' next
  reviews).
- ``oracle`` (with ``--oracle``, instead of ``graph``): a bound, not a scheduler. It is told every true transfer
  event and counts it as a Good review of that card; no credit rule, no probes, deeper topics still first. No
  credit rule knows more than this about transfer, so what it saves is about the most any could.

The learner's *true* memory is not FSRS's and not the credit rule:

- forgetting is exponential, p = 2^(-t / h) (FSRS's curve is a power law), with a per-card half-life h;
- a retrieval at recall p multiplies h by 1 + GAIN (1 - p) when it succeeds, halves it when it fails;
- transfer reaches only *direct* prerequisites, is not split across cards, and is all-or-nothing: a passed
  review of a card in T fully exercises each card of a prerequisite P with probability TRANSFER x w(T, P)
  (the credit rule is deterministic, fractional, split, and reaches up to three edges).

The scheduler sees edge weights perturbed from the true ones (log-normal noise) on random graphs, and only the
default weight on the shipped roadmap (which gives none). Every card's recall is probed weekly from its true
memory; true retention is the mean over probes and cards introduced so far.

Both arms sweep desired retention. Each learner (graph x seed: its own cards on each graph) is compared with itself
under both arms (the same cards, each with its own random stream) at equal true retention, three ways: (a) the
graph arm's sweep interpolated to the true retention per-card FSRS reaches at desired retention 0.9, (b) per-card
FSRS's sweep interpolated to the one the graph arm reaches at 0.9, (c) the two arms' efficient frontiers (the
undominated sweep points and their lower convex hull) averaged over the true retentions both reach. Reviews against
desired retention are not smooth: with fuzzing off every card that keeps passing follows the same FSRS schedule,
whose number of reviews in a year jumps between sweep points, and below about 0.85 lapses make a lower target cost
more reviews, not fewer. So (a) and (b) each put one arm's own sweep point (a kink) against the other's
interpolation and lean towards that arm; (c) leans towards neither. Means with 95% normal intervals over learners. Explicit reviews count every
answered card after its first study (relearning steps and probes included; the first study is the same for both).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlpath.core import credit as cr  # noqa: E402
from mlpath.core.scheduling import CardState, new_card, retrievability, review  # noqa: E402

START = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
DAYS = 365
BUDGET = 30  # explicit reviews a day at most
GAIN = 12.0  # true half-life growth on a successful retrieval at recall p: x (1 + GAIN (1 - p))
H0 = 3.0  # median true half-life after the first study, days
TRANSFER = {"none": 0.0, "weak": 0.1, "moderate": 0.25, "strong": 0.5}
WEIGHT_NOISE = 0.35  # sd of the log-normal perturbation of the scheduler's edge weights
RETENTIONS = (0.8, 0.85, 0.875, 0.9, 0.925, 0.95)
CALIBRATE_EVERY = 7  # days


class Graph(NamedTuple):
    name: str
    order: list[str]  # prerequisite order
    prerequisites: dict[str, list[str]]
    true_weights: dict[tuple[str, str], float]
    cards_per_topic: dict[str, int]
    intro_every: float  # days between new topics


def random_graph(rng: random.Random, name: str, n: int = 20, cards: int = 3) -> Graph:
    order = [f"t{i}" for i in range(n)]
    prereqs: dict[str, list[str]] = {order[0]: []}
    for i in range(1, n):
        k = min(i, rng.choice((1, 1, 2, 2, 3)))
        window = order[max(0, i - 6):i]
        picks = set(rng.sample(window, min(k, len(window))))
        prereqs[order[i]] = sorted(picks)
    weights = {(t, p): rng.uniform(0.4, 1.0) for t, ps in prereqs.items() for p in ps}
    return Graph(name, order, prereqs, weights, {t: cards for t in order}, 4.0)


def roadmap_graph(rng: random.Random, cards: int = 2) -> Graph | None:
    from mlpath.packs.loader import load

    if not (ROOT / "content").is_dir():
        return None  # the benchmark runs without content too
    roadmap = load(ROOT / "content").roadmap
    if roadmap is None:
        raise SystemExit("learner_sim: the shipped content does not load (mlpath validate content)")
    order = [t.id for t in roadmap.topics]
    ids = set(order)
    depth = cr.topic_depths({t.id: [p for p in t.prerequisites if p in ids] for t in roadmap.topics})
    order.sort(key=lambda t: depth[t])  # prerequisites first
    prereqs = {t.id: [p for p in t.prerequisites if p in ids] for t in roadmap.topics}
    weights = {(t, p): rng.uniform(0.4, 1.0) for t, ps in prereqs.items() for p in ps}
    return Graph("roadmap", order, prereqs, weights,
                 {t.id: max(1, min(cards, t.questions)) for t in roadmap.topics}, 300 / len(order))


@dataclass
class Card:
    topic: str
    key: int
    h: float  # true half-life, days
    t_last: float = 0.0  # true time of last exercise, days
    state: CardState | None = None  # the scheduler's
    shadow: CardState | None = None  # the scheduler's state without credit since the last explicit review
    credited: bool = False
    rng: random.Random | None = None  # this card's own outcomes (common random numbers across arms)
    credit_strength: float = 0.0  # the strength its latest credit was given at
    held: bool = False  # credit reached it but was held out, since its last explicit review

    def p(self, t: float) -> float:
        return 2.0 ** (-(t - self.t_last) / self.h)

    def exercise(self, t: float, success: bool) -> None:
        if success:
            self.h *= 1 + GAIN * (1 - self.p(t))
        else:
            self.h = max(0.3, self.h * 0.5)
        self.t_last = t


class RunResult(NamedTuple):
    explicit_reviews: int
    true_retention: float
    credits: int
    final_strength: float


@dataclass
class Run:
    graph: Graph
    transfer: float
    retention: float
    graph_aware: bool
    seed: int
    sched_weights: dict[tuple[str, str], float] | None
    oracle: bool = False  # the graph arm told every true transfer event instead of the credit rule (a bound)
    cards: list[Card] = field(default_factory=list)

    def at(self, t: float) -> datetime:
        return START + timedelta(days=t)

    def simulate(self) -> RunResult:
        g = self.graph
        rng = random.Random(self.seed)  # the learner's cards' difficulty
        by_topic: dict[str, list[Card]] = {t: [] for t in g.order}
        base = {t: [rng.lognormvariate(math.log(H0), 0.5) for _ in range(g.cards_per_topic[t])] for t in g.order}
        depths = cr.topic_depths(g.prerequisites)
        strength = cr.INITIAL_STRENGTH
        observations: list[cr.Observation] = []
        reviews = credits = 0
        probe_sum = 0.0
        probe_n = 0
        introduced = 0
        r = self.retention
        for day in range(DAYS):
            t = day + 0.0
            now = self.at(t)
            # new topics due today
            while introduced < len(g.order) and introduced * g.intro_every <= day:
                topic = g.order[introduced]
                introduced += 1
                for h0 in base[topic]:
                    c = Card(topic, len(self.cards), h0, t, rng=random.Random(self.seed * 100003 + len(self.cards)))
                    c.state = review(review(new_card(now), 3, now, desired_retention=r, fuzzing=False), 3,
                                     now + timedelta(minutes=10), desired_retention=r, fuzzing=False)
                    c.shadow = c.state
                    self.cards.append(c)
                    by_topic[topic].append(c)
            # the session
            session = now + timedelta(hours=1)
            due = [c for c in self.cards if c.state.due <= session + timedelta(hours=12)]
            due.sort(key=lambda c: c.state.due)
            if self.graph_aware:
                order = cr.deeper_first([(c.key, c.topic) for c in due], depths)
                due = [self.cards[k] for k in order]
            done_today = 0
            probed: list[Card] = []
            queue = list(due)
            while queue and done_today < BUDGET:
                c = queue.pop(0)
                if c.state.due > session + timedelta(hours=12) and c not in probed:
                    continue  # knocked out by credit earlier in the session
                tt = t + 1 / 24 + done_today / (24 * 60)
                when = self.at(tt)
                p = c.p(tt)
                success = c.rng.random() < p
                if c.credited:
                    observations.append(cr.Observation(retrievability(c.state, when), retrievability(c.shadow, when),
                                                       success, c.credit_strength))
                elif c.held:
                    p0 = retrievability(c.state, when)
                    observations.append(cr.Observation(p0, p0, success, held_out=True))
                c.exercise(tt, success)
                c.state = review(c.state, 3 if success else 1, when, desired_retention=r, fuzzing=False)
                reviews += 1
                done_today += 1
                if not success:  # relearning step ten minutes later: the answer was just shown
                    t2 = tt + 10 / (24 * 60)
                    c.exercise(t2, c.rng.random() < c.p(t2))
                    c.state = review(c.state, 3, self.at(t2), desired_retention=r, fuzzing=False)
                    reviews += 1
                    done_today += 1
                c.shadow = c.state
                c.credited = c.held = False
                # true transfer: direct prerequisites, whole cards, all or nothing
                if success and self.transfer > 0:
                    for pt in g.prerequisites[c.topic]:
                        q = self.transfer * g.true_weights[(c.topic, pt)]
                        for pc in by_topic[pt]:
                            if pc.rng.random() < q and pc.rng.random() < pc.p(tt):  # retrieved along the way
                                pc.exercise(tt, True)
                                if (self.oracle and pc.state.state == 2  # in review: a Good review, as if seen
                                        and when - pc.state.last_review >= cr.MIN_ELAPSED):
                                    pc.state = pc.shadow = review(pc.state, 3, when, desired_retention=r,
                                                                  fuzzing=False)
                if not self.graph_aware or self.oracle:
                    continue
                states = {tp: [cr.CreditTarget(x.key, x.state, x.shadow.stability) for x in cs] for tp, cs in by_topic.items() if cs}
                if success:
                    for row in cr.implicit_credit(c.topic, c.state, states, g.prerequisites, when, strength,
                                                  self.sched_weights, desired_retention=r):
                        target = self.cards[row.card_id]
                        if row.held_out:
                            target.held = True
                            continue
                        target.state = row.card_after
                        target.credited = True
                        target.credit_strength = strength
                        credits += 1
                else:
                    for probe in cr.weakest_prerequisites(c.topic, states, g.prerequisites, when, limit=1):
                        target = self.cards[probe.card_id]
                        if probe.recall < r and target not in queue and target not in probed:
                            probed.append(target)
                            queue.insert(0, target)
            if self.graph_aware and day % CALIBRATE_EVERY == CALIBRATE_EVERY - 1 and observations:
                strength = cr.calibrate(strength, observations)  # the whole record so far
            if day % 7 == 6 and self.cards:
                te = t + 23 / 24
                probe_sum += sum(c.p(te) for c in self.cards)
                probe_n += len(self.cards)
        return RunResult(reviews, probe_sum / probe_n, credits, strength)


def perturbed(rng: random.Random, weights: dict[tuple[str, str], float]) -> dict[tuple[str, str], float]:
    return {e: min(1.0, max(0.05, w * math.exp(rng.gauss(0, WEIGHT_NOISE)))) for e, w in weights.items()}


def interpolate(x: float, xs: Sequence[float], ys: Sequence[float]) -> float:
    """y at x on the piecewise-linear curve through the sweep's points (xs, ys), taken in sweep order (desired
    retention rising): the first segment whose ends bracket x, else the line through the two points nearest x."""
    pts = list(zip(xs, ys))
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        if min(x0, x1) <= x <= max(x0, x1) and x0 != x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    (x0, y0), (x1, y1) = sorted(sorted(pts, key=lambda p: abs(p[0] - x))[:2])
    return y0 if x0 == x1 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def interval95(values: Sequence[float]) -> tuple[float, float, float]:
    m = statistics.fmean(values)
    if len(values) < 2:
        return m, m, m
    half = 1.96 * statistics.stdev(values) / math.sqrt(len(values))
    return m, m - half, m + half


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a small run (2 graphs x 2 seeds, 5 retentions, 240 days)")
    ap.add_argument("--json", action="store_true", help="print one JSON row per run instead of the table")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--graphs", type=int, default=5)
    ap.add_argument("--roadmap-seeds", type=int, default=5, help="learners on the shipped roadmap (0: none)")
    ap.add_argument("--rows", type=Path, help="also append each run's JSON row to this file as it finishes")
    ap.add_argument("--table-from", type=Path, help="print the table from rows saved with --rows, run nothing")
    ap.add_argument("--transfers", default=",".join(TRANSFER),
                    help=f"comma-separated true transfer levels to run (of {', '.join(TRANSFER)})")
    ap.add_argument("--oracle", action="store_true",
                    help="a bound instead of the graph arm: arm 'oracle' is told every true transfer event and "
                         "counts it as a Good review (no credit rule, no probes; deeper topics still first)")
    args = ap.parse_args(argv)
    transfers = {k: TRANSFER[k] for k in args.transfers.split(",") if k}
    if args.table_from:
        rows = [json.loads(line) for line in args.table_from.read_text().splitlines() if line.strip()]
        retentions = sorted({r["desired_retention"] for r in rows})
        cases = {(r["graph"], r["seed"]) for r in rows}
        print_table(rows, retentions, cases, float("nan"))
        return 0
    global DAYS
    retentions: Sequence[float] = RETENTIONS
    if args.quick:
        args.seeds, args.graphs, args.roadmap_seeds = 2, 2, 0
        retentions = (0.85, 0.875, 0.9, 0.925, 0.95)
        DAYS = 240

    graph_rng = random.Random(2026)
    graphs = [random_graph(graph_rng, f"random-{i}") for i in range(args.graphs)]
    cases: list[tuple[Graph, int]] = [(g, s) for g in graphs for s in range(args.seeds)]
    if args.roadmap_seeds:
        rg = roadmap_graph(random.Random(7))
        if rg is not None:
            cases += [(rg, s) for s in range(args.roadmap_seeds)]

    t0 = time.perf_counter()
    rows = []
    other = "oracle" if args.oracle else "graph"
    graph_index = {name: i for i, name in enumerate(dict.fromkeys(g.name for g, _ in cases))}
    for g, seed in cases:
        weights = None if g.name == "roadmap" else perturbed(random.Random(seed * 7919 + 1), g.true_weights)
        # each learner its own cards: the same seed on another graph is another learner (without true transfer the
        # per-card arm does not depend on the graph, and shared seeds would repeat its runs across graphs)
        learner = (graph_index[g.name] * 1009 + seed) * 1000 + 17
        for tname, tau in transfers.items():
            for r in retentions:
                for arm in ("fsrs", other):
                    res = Run(g, tau, r, arm != "fsrs", learner, weights, oracle=arm == "oracle").simulate()
                    rows.append({"graph": g.name, "seed": seed, "transfer": tname, "arm": arm,
                                 "desired_retention": r, "explicit_reviews": res.explicit_reviews,
                                 "true_retention": round(res.true_retention, 5), "credits": res.credits,
                                 "strength": round(res.final_strength, 4)})
                    if args.rows:
                        with args.rows.open("a") as f:
                            f.write(json.dumps(rows[-1]) + "\n")
    elapsed = time.perf_counter() - t0
    if args.json:
        for row in rows:
            print(json.dumps(row))
        return 0
    print_table(rows, retentions, cases, elapsed)
    return 0


class Paired(NamedTuple):
    """Per learner (graph x seed), in percent: the graph arm against per-card FSRS."""

    at_fsrs_level: float  # graph reviews interpolated to per-card FSRS's true retention at desired r_ref
    at_graph_level: float  # graph reviews at r_ref against per-card reviews interpolated to the graph's retention
    same_reviews: float  # both at desired r_ref: change in reviews
    same_retention: float  # both at desired r_ref: change in true retention, in points
    frontier: float  # the two arms' efficient frontiers compared over the true retention both reach (nan: none)


def efficient_frontier(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The sweep's (true retention, reviews) points a scheduler would choose between: those no other point beats on
    both (more retention for no more reviews), then their lower convex hull, rising in retention. Mixing two
    settings (some cards at one, some at the other) reaches any point on a segment, so the hull is reachable."""
    pts = sorted(set(points))
    kept = [p for p in pts if not any(q != p and q[0] >= p[0] and q[1] <= p[1] for q in pts)]
    hull: list[tuple[float, float]] = []
    for p in kept:
        while len(hull) >= 2 and ((hull[-1][1] - hull[-2][1]) * (p[0] - hull[-2][0])
                                  >= (p[1] - hull[-2][1]) * (hull[-1][0] - hull[-2][0])):
            hull.pop()
        hull.append(p)
    return hull


def on_frontier(x: float, hull: Sequence[tuple[float, float]]) -> float:
    """Reviews at true retention ``x`` on a frontier (x within its range)."""
    if len(hull) == 1 or x <= hull[0][0]:
        return hull[0][1]
    for (x0, y0), (x1, y1) in zip(hull, hull[1:]):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return hull[-1][1]


def frontier_change(fsrs: Sequence[tuple[float, float]], other: Sequence[tuple[float, float]],
                    levels: int = 11) -> float:
    """Percent change in reviews from the per-card arm's frontier to the other's, averaged over ``levels`` evenly
    spaced true retentions across the range both frontiers cover (nan when they do not overlap). Unlike (a) and
    (b) it does not put one arm's own sweep point against the other's interpolation: each of FSRS's deterministic
    schedules makes a kink in the curve at its sweep points, which favours whichever arm supplies the point."""
    hf, ho = efficient_frontier(fsrs), efficient_frontier(other)
    lo, hi = max(hf[0][0], ho[0][0]), min(hf[-1][0], ho[-1][0])
    if hi < lo or (hi == lo and levels > 1 and (len(hf) > 1 or len(ho) > 1)):
        return float("nan")
    xs = [lo + (hi - lo) * i / max(levels - 1, 1) for i in range(levels)]
    return statistics.fmean(100 * (on_frontier(x, ho) / on_frontier(x, hf) - 1) for x in xs)


def paired(rows: list[dict], r_ref: float) -> list[Paired]:
    by: dict[tuple[str, int], list[dict]] = {}
    for row in rows:
        by.setdefault((row["graph"], row["seed"]), []).append(row)
    out = []
    for case_rows in by.values():
        other = next((x["arm"] for x in case_rows if x["arm"] != "fsrs"), "graph")
        arm = {a: sorted((x for x in case_rows if x["arm"] == a), key=lambda x: x["desired_retention"])
               for a in ("fsrs", other)}
        arm["graph"] = arm[other]
        f = next(x for x in arm["fsrs"] if x["desired_retention"] == r_ref)
        g = next(x for x in arm["graph"] if x["desired_retention"] == r_ref)

        def curve(a: str, level: float) -> float:
            return interpolate(level, [x["true_retention"] for x in arm[a]], [x["explicit_reviews"] for x in arm[a]])

        out.append(Paired(100 * (curve("graph", f["true_retention"]) / f["explicit_reviews"] - 1),
                          100 * (g["explicit_reviews"] / curve("fsrs", g["true_retention"]) - 1),
                          100 * (g["explicit_reviews"] / f["explicit_reviews"] - 1),
                          100 * (g["true_retention"] - f["true_retention"]),
                          frontier_change([(x["true_retention"], x["explicit_reviews"]) for x in arm["fsrs"]],
                                          [(x["true_retention"], x["explicit_reviews"]) for x in arm["graph"]])))
    return out


def print_table(rows, retentions, cases, elapsed) -> None:
    r_ref = 0.9
    print(f"Learner simulator: {len(cases)} learners (graph x seed), {DAYS} days, budget {BUDGET}/day, "
          f"desired retention swept over {', '.join(map(str, retentions))}"
          + (f"; {elapsed:.0f} s.\n" if elapsed == elapsed else ".\n"))
    print("Graph-aware against per-card FSRS, change in explicit reviews (negative = fewer) at equal true "
          "retention: (a) at the true retention per-card FSRS reaches with desired retention 0.9 (the graph arm's "
          "sweep interpolated there), (b) at the one the graph arm reaches with 0.9 (per-card FSRS's sweep "
          "interpolated there); (c) averaged over the true retentions both arms' efficient frontiers cover (each "
          "arm's undominated sweep points and their lower convex hull); then both at desired retention 0.9. Means "
          "with 95% intervals over learners"
          + ("; the graph arm here is the oracle bound (told every true transfer event).\n"
             if any(x["arm"] == "oracle" for x in rows) else ".\n"))
    print("| graphs | true transfer | per-card reviews | per-card true retention | (a) reviews, equal retention "
          "| (b) reviews, equal retention | (c) reviews, frontiers | same setting: reviews "
          "| same setting: retention (points) | final strength |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    fmt = lambda v, u="%": f"{v[0]:+.1f}{u} [{v[1]:+.1f}, {v[2]:+.1f}]"  # noqa: E731
    for gname, gf in (("random", lambda x: x["graph"] != "roadmap"), ("roadmap", lambda x: x["graph"] == "roadmap")):
        for tname in TRANSFER:
            sel = [x for x in rows if gf(x) and x["transfer"] == tname]
            if not sel:
                continue
            ps = paired(sel, r_ref)
            base = [x for x in sel if x["arm"] == "fsrs" and x["desired_retention"] == r_ref]
            strengths = [x["strength"] for x in sel if x["arm"] != "fsrs" and x["desired_retention"] == r_ref]
            cols = [fmt(interval95([v for p in ps if (v := getattr(p, k)) == v]))
                    for k in ("at_fsrs_level", "at_graph_level", "frontier", "same_reviews")]
            print(f"| {gname} | {tname} | {statistics.fmean(x['explicit_reviews'] for x in base):.0f} "
                  f"| {100 * statistics.fmean(x['true_retention'] for x in base):.1f}% "
                  f"| {' | '.join(cols)} | {fmt(interval95([p.same_retention for p in ps]), '')} "
                  f"| {statistics.fmean(strengths):.2f} |")


if __name__ == "__main__":
    sys.exit(main())
