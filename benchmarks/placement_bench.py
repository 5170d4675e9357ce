"""Placement accuracy: simulated learners on the shipped roadmap.

    python benchmarks/placement_bench.py [--learners 300] [--seed 1] [--quick] [--json]

Each simulated learner has a true known set that is a random down-closed set of the shipped roadmap, drawn half of
the time as a prefix of a random topological order (a uniformly random share of the roadmap) and half of the time
area by area (each area gets its own mastery m ~ U(0, 1); in prerequisite order a topic is known with probability m
when all its prerequisites are known). Neither is the model's own prior (a flat 0.5 per topic).

Each probe asks one random question of the topic. A learner who knows the topic slips (answers wrong) with
probability 0.1; one who does not says "I don't know" with probability 0.3 and otherwise guesses, right with the
question's guess probability (1/options for a choice, 1/2 for true/false, 0.02 for a free answer).

Accuracy is the share of the roadmap's topics classified right: known when the belief is at least 0.5 (the likelier
status), and, in a second column, as the proposal to record would place them (belief >= 0.8, closed downwards:
it errs towards "not known", so a learner is not told to skip what they do not know; the share of the topics it
proposes that the learner truly knows is printed too). Read after 10, 25 and 40
questions of one run (the probe order does not depend on the budget; a run that stops earlier because the picture
is clear is read where it stopped). Target (issue 19): >= 90% at 25 questions.

Also timed: choosing a probe and recording an answer, on the shipped roadmap and on a synthetic pack of 10,000
topics (each with up to 3 prerequisites among the 200 topics before it).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlpath import paths  # noqa: E402
from mlpath.packs import loader as content  # noqa: E402
from mlpath.core import placement as pl  # noqa: E402
from mlpath.core.model import Roadmap  # noqa: E402

BUDGETS = (10, 25, 40)
SLIP = 0.1
SAYS_DONT_KNOW = 0.3
TARGET = 0.90


def topo_order(roadmap: Roadmap, rng: random.Random) -> list[str]:
    """A random topological order (Kahn's algorithm picking a random ready topic)."""
    ids = [t.id for t in roadmap.topics]
    missing = {t.id: len({p for p in t.prerequisites if p in roadmap.by_id}) for t in roadmap.topics}
    ready = [t for t in ids if missing[t] == 0]
    out = []
    while ready:
        t = ready.pop(rng.randrange(len(ready)))
        out.append(t)
        for d in dict.fromkeys(roadmap.dependents[t]):  # ordered: the same learners on every run
            missing[d] -= 1
            if missing[d] == 0:
                ready.append(d)
    return out


def random_learner(roadmap: Roadmap, rng: random.Random) -> set[str]:
    order = topo_order(roadmap, rng)
    if rng.random() < 0.5:
        return set(order[: int(rng.random() * (len(order) + 1))])
    mastery = {a.id: rng.random() for a in roadmap.areas}
    known: set[str] = set()
    for t in order:
        topic = roadmap.by_id[t]
        if all(p in known for p in topic.prerequisites if p in roadmap.by_id) and rng.random() < mastery[topic.area]:
            known.add(t)
    return known


def answer(knows: bool, guess: float, rng: random.Random) -> pl.Outcome:
    if knows:
        return pl.Outcome.WRONG if rng.random() < SLIP else pl.Outcome.CORRECT
    if rng.random() < SAYS_DONT_KNOW:
        return pl.Outcome.DONT_KNOW
    return pl.Outcome.CORRECT if rng.random() < guess else pl.Outcome.WRONG


def accuracy(roadmap: Roadmap, state: pl.PlacementState, truth: set[str]) -> tuple[float, float, int, int]:
    """(classified at belief >= 0.5, classified as the proposal at 0.8, topics proposed, of which truly known)"""
    out = []
    for threshold in (0.5, 0.8):
        known = pl.proposal(state, threshold).known
        out.append(sum((t.id in known) == (t.id in truth) for t in roadmap.topics) / len(roadmap.topics))
    return out[0], out[1], len(known), len(known & truth)


def large_pack_timing(n: int, questions: int, seed: int) -> dict:
    rng = random.Random(seed)
    ids = [f"t{i}" for i in range(n)]
    edges = {t: sorted({ids[rng.randrange(max(0, i - 200), i)] for _ in range(rng.choice((0, 1, 2, 3)))}) if i else []
             for i, t in enumerate(ids)}
    truth = set(ids[: n // 2])
    t0 = time.perf_counter()
    state = pl.start(edges, max_questions=questions)
    start_ms = (time.perf_counter() - t0) * 1000
    steps = []
    while True:
        t0 = time.perf_counter()
        topic = pl.next_probe(state)
        if topic is None:
            break
        state = pl.record(state, topic, answer(topic in truth, 0.25, rng), guess=0.25)
        steps.append((time.perf_counter() - t0) * 1000)
    return {"topics": n, "questions": len(steps), "start_ms": start_ms, "step_ms_mean": statistics.fmean(steps),
            "step_ms_max": max(steps)}


def run(learners: int, seed: int) -> dict:
    result = content.load(paths.content_dir())
    roadmap = result.roadmap
    by_topic: dict[str, list[dict]] = {}
    for q in result.questions:
        by_topic.setdefault(q["topic"], []).append(q)
    guesses = pl.topic_guesses(result.questions)
    rng = random.Random(seed)
    acc: dict[int, list[tuple[float, float, int, int]]] = {b: [] for b in BUDGETS}
    asked, step_ms = [], []
    for _ in range(learners):
        truth = random_learner(roadmap, rng)
        state = pl.start(roadmap, max_questions=max(BUDGETS), guesses=guesses)
        while True:
            n = len(state.answers)
            for b in BUDGETS:
                if n == b:
                    acc[b].append(accuracy(roadmap, state, truth))
            t0 = time.perf_counter()
            topic = pl.next_probe(state)
            if topic is None:
                break
            q = rng.choice(by_topic[topic])
            g = pl.guess_probability(q)
            state = pl.record(state, topic, answer(topic in truth, g, rng), guess=g)
            step_ms.append((time.perf_counter() - t0) * 1000)
        final = accuracy(roadmap, state, truth)
        for b in BUDGETS:
            if len(acc[b]) < len(asked) + 1:  # stopped before this budget: read where it stopped
                acc[b].append(final)
        asked.append(len(state.answers))
    at = lambda b, k: [a[k] for a in acc[b]]  # noqa: E731
    return {
        "topics": len(roadmap.topics),
        "learners": learners,
        "seed": seed,
        "accuracy": {str(b): statistics.fmean(at(b, 0)) for b in BUDGETS},
        "accuracy_p10": {str(b): sorted(at(b, 0))[len(acc[b]) // 10] for b in BUDGETS},
        "proposal_accuracy": {str(b): statistics.fmean(at(b, 1)) for b in BUDGETS},
        # of all topics the proposals would record as known, the share the learners truly knew
        "proposal_precision": {str(b): sum(at(b, 3)) / max(1, sum(at(b, 2))) for b in BUDGETS},
        "mean_questions": statistics.fmean(asked),
        "step_ms_mean": statistics.fmean(step_ms) if step_ms else 0.0,
        "step_ms_max": max(step_ms) if step_ms else 0.0,
        "target_met": statistics.fmean(at(25, 0)) >= TARGET,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--learners", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="30 learners")
    ap.add_argument("--json", action="store_true", help="print JSON instead of the Markdown table")
    args = ap.parse_args(argv)
    out = run(30 if args.quick else args.learners, args.seed)
    out["large_pack"] = large_pack_timing(10_000, 3 if args.quick else 10, args.seed)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"Placement on the shipped roadmap: {out['topics']} topics, {out['learners']} simulated learners "
          f"(seed {out['seed']}), slip {SLIP}, \"I don't know\" {SAYS_DONT_KNOW} when not known\n")
    print("| questions | accuracy (P >= 0.5) | 10th percentile of learners | proposal accuracy (P >= 0.8) "
          "| proposed known that are known | target |")
    print("|---:|---:|---:|---:|---:|---:|")
    for b in BUDGETS:
        target = f">= {TARGET:.0%}" if b == 25 else "-"
        print(f"| {b} | {out['accuracy'][str(b)]:.1%} | {out['accuracy_p10'][str(b)]:.1%} "
              f"| {out['proposal_accuracy'][str(b)]:.1%} | {out['proposal_precision'][str(b)]:.1%} | {target} |")
    big = out["large_pack"]
    print(f"\nTarget met: {'yes' if out['target_met'] else 'no'}. Mean questions asked with a budget of "
          f"{max(BUDGETS)} (it stops early when the picture is clear): {out['mean_questions']:.1f}.")
    print(f"Choose + record one question: shipped roadmap mean {out['step_ms_mean']:.1f} ms, max "
          f"{out['step_ms_max']:.1f} ms; {big['topics']:,} topics mean {big['step_ms_mean']:.0f} ms, max "
          f"{big['step_ms_max']:.0f} ms over {big['questions']} questions (start {big['start_ms']:.0f} ms).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
