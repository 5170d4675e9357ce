"""Path benchmark (issue 20): a simulated learner who always takes `next`'s first suggestion.

    python benchmarks/path_sim.py [--content DIR] [--json] [--quick]

The learner starts from nothing, finishes the top recommendation at its stated hours, and repeats until nothing is
left. For the whole roadmap (every core topic) and for each shipped track, in both study orders, it reports the
hours until

* first model    - scikit-learn and a first supervised model topic (kNN, linear or logistic regression, a decision
                   tree or naive Bayes) are done;
* first NN       - a neural network trained in a framework (pytorch, tensorflow-keras or fastai) is done;
* deployed       - a model is deployed (model-serving);
* project        - the first portfolio project (ml-projects) is done;

and the total. A milestone the scope does not contain shows as "-". Targets with build-first: 100 h, 250 h,
350 h for the first three; with math-first each within 1.5x of that. ``--quick`` simulates the whole roadmap only.
Nothing is timed; the numbers depend only on the content.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mlpath.packs.loader import load  # noqa: E402
from mlpath.core.goals import goal_topics  # noqa: E402
from mlpath.core.ranking import recommend  # noqa: E402
from mlpath.core.model import Roadmap  # noqa: E402

FIRST_MODELS = ("k-nearest-neighbours", "linear-regression", "logistic-regression", "decision-trees", "naive-bayes")
FRAMEWORKS = ("pytorch", "tensorflow-keras", "fastai")
# milestone name -> (topics that must all be done, topics of which one must be done)
MILESTONES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "first model": (("scikit-learn",), FIRST_MODELS),
    "first NN": ((), FRAMEWORKS),
    "deployed": (("model-serving",), ()),
    "project": (("ml-projects",), ()),
}
BUILD_FIRST_TARGETS = {"first model": 100.0, "first NN": 250.0, "deployed": 350.0}
MATH_FIRST_FACTOR = 1.5
ORDERS = ("build-first", "math-first")


class Run(NamedTuple):
    scope: str  # "whole roadmap" or a track id
    order: str
    hours: dict[str, float | None]  # milestone -> hours when reached; None when not in scope
    total: float
    first_steps: list[str]


def reachable(roadmap: Roadmap, scope: set[str], milestone: str) -> bool:
    every, one = MILESTONES[milestone]
    return all(t in scope for t in every) and (not one or any(t in scope for t in one))


def reached(done: set[str], milestone: str) -> bool:
    every, one = MILESTONES[milestone]
    return all(t in done for t in every) and (not one or any(t in done for t in one))


def simulate(roadmap: Roadmap, goal: str | None, order: str) -> Run:
    scope = goal_topics(roadmap, goal)
    statuses: dict[str, str] = {}
    done: set[str] = set()
    hours = 0.0
    when: dict[str, float | None] = {m: None for m in MILESTONES}
    steps: list[str] = []
    while True:
        recs = recommend(roadmap, statuses, goal=goal, order=order)
        if not recs:
            break
        topic = recs[0].topic
        hours += topic.hours
        statuses[topic.id] = "done"
        done.add(topic.id)
        steps.append(topic.id)
        for m in MILESTONES:
            if when[m] is None and reached(done, m):
                when[m] = hours
    for m in MILESTONES:
        if not reachable(roadmap, scope, m):
            when[m] = None
    return Run(goal or "whole roadmap", order, when, hours, steps[:30])


def run_all(roadmap: Roadmap, quick: bool = False) -> list[Run]:
    goals: list[str | None] = [None] + ([] if quick else [t.id for t in roadmap.tracks])
    return [simulate(roadmap, g, o) for g in goals for o in ORDERS]


def target(order: str, milestone: str) -> float | None:
    base = BUILD_FIRST_TARGETS.get(milestone)
    if base is None:
        return None
    return base if order == "build-first" else base * MATH_FIRST_FACTOR


def failures(runs: list[Run]) -> list[str]:
    """Every (scope, order, milestone) that misses its target, as text; empty when all are met."""
    out = []
    for r in runs:
        for m, h in r.hours.items():
            limit = target(r.order, m)
            if limit is not None and h is not None and h > limit:
                out.append(f"{r.scope} / {r.order}: {m} after {h:g} h (target {limit:g} h)")
    return out


def markdown(runs: list[Run]) -> str:
    cols = list(MILESTONES)
    lines = ["| scope | order | " + " | ".join(cols) + " | total |",
             "| --- | --- | " + " | ".join("---:" for _ in cols) + " | ---: |"]
    for r in runs:
        cells = ["-" if r.hours[m] is None else f"{r.hours[m]:g} h" for m in cols]
        lines.append(f"| {r.scope} | {r.order} | " + " | ".join(cells) + f" | {r.total:g} h |")
    lines.append("")
    lines.append("Targets (build-first / math-first): " + ", ".join(
        f"{m} <= {b:g} h / {b * MATH_FIRST_FACTOR:g} h" for m, b in BUILD_FIRST_TARGETS.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a Markdown table")
    parser.add_argument("--quick", action="store_true", help="the whole roadmap only")
    args = parser.parse_args(argv)
    result = load(args.content)
    if result.problems:
        print("\n".join(result.problems), file=sys.stderr)
        return 2
    runs = run_all(result.roadmap, args.quick)
    missed = failures(runs)
    if args.json:
        print(json.dumps({"runs": [r._asdict() for r in runs], "missed": missed}, indent=2))
    else:
        print(markdown(runs))
        if missed:
            print("\nMissed:\n" + "\n".join(f"- {m}" for m in missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
