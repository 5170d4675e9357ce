"""Fitting benchmark (issue 12): fit FSRS parameters to a large review log, and reschedule every card after.

    python benchmarks/fit_bench.py [--home DIR] [--reviews 300000] [--runs 3] [--quick] [--json]

Run from the repository root. Without --home it builds the history with benchmarks/make_history.py in a temporary
folder under /tmp (about 10-25 s; removed afterwards); with --home it uses (and, if empty, builds) DIR. --quick uses
30,000 reviews. Each measurement runs in a fresh Python process, so its peak memory (ru_maxrss) is its own:

  fit          read the review log with sqlite3 (table `review`: card_id, reviewed_at UTC text, rating), then
               mlpath.core.fitting.fit                      target: <= 3 s wall, <= 300 MB peak RSS
  optimize     the whole `optimize` path: fit on the first 80 % of the time span, score current and new
               parameters on the last 20 %, refit on everything when better (not a target, for information)
  reschedule   read every card's history (card.created_at, its reviews with response_ms), then replay all cards
               with the fitted parameters through the fsrs Scheduler, split over the cores as `mlpath optimize` does
               (app.optimize.reschedule_all)   target: <= 2 s

Each step runs --runs times (default 3) and the fastest run is reported. It prints a Markdown table (or JSON with
--json). Timings are of this machine under its current load; CPU time (all threads) is the steadier number on a
busy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGETS = {"fit": (3.0, 300.0), "optimize": (None, None), "reschedule": (2.0, None)}


def _read_reviews(db: Path):
    import sqlite3
    from datetime import datetime

    from mlpath.core.fitting import ReviewEvent

    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT card_id, reviewed_at, rating FROM review").fetchall()
    finally:
        conn.close()
    parse = datetime.fromisoformat  # the times are UTC without an offset; appending one is the fastest parse
    return [ReviewEvent(card, parse(at + "+00:00"), rating) for card, at, rating in rows]


def _read_histories(db: Path):
    import sqlite3
    from collections import defaultdict
    from datetime import datetime

    from mlpath.core.fitting import CardHistory

    parse = datetime.fromisoformat  # UTC without an offset, as in _read_reviews
    conn = sqlite3.connect(db)
    try:
        created = {card: parse(at + "+00:00")
                   for card, at in conn.execute("SELECT id, created_at FROM card")}
        logs: dict[int, list] = defaultdict(list)
        for card, at, rating, ms in conn.execute(
                "SELECT card_id, reviewed_at, rating, response_ms FROM review ORDER BY id"):
            logs[card].append((rating, parse(at + "+00:00"), ms))
        for log in logs.values():  # oldest first; the id breaks ties (sorting in SQL by card and time is slower)
            log.sort(key=lambda r: r[1])
    finally:
        conn.close()
    return {card: CardHistory(at, logs.get(card, [])) for card, at in created.items()}


def worker(task: str, db: Path, params_file: Path) -> dict:
    """One measurement, in this (fresh) process."""
    sys.path.insert(0, str(ROOT))
    from mlpath.core import fitting

    t0, c0 = time.perf_counter(), time.process_time()
    out: dict = {"task": task}
    if task in ("fit", "optimize"):
        reviews = _read_reviews(db)
        t_read = time.perf_counter() - t0
        if task == "fit":
            result = fitting.fit(reviews)
            params_file.write_text(json.dumps(list(result.parameters)))
            out.update(reviews=len(reviews), trained_on=result.trained_on, available=result.available)
        else:
            opt = fitting.optimize(reviews)
            c = opt.comparison
            out.update(reviews=len(reviews), better=c.better,
                       current=[round(c.current.log_loss, 4), round(c.current.rmse_bins, 4)],
                       new=[round(c.new.log_loss, 4), round(c.new.rmse_bins, 4)], held_out=c.new.reviews)
        out["read_s"] = t_read
    else:
        params = tuple(json.loads(params_file.read_text()))
        histories = _read_histories(db)
        t_read = time.perf_counter() - t0
        from mlpath.app.optimize import reschedule_all  # what `mlpath optimize` runs: the cards split over the cores

        states = reschedule_all(histories, params, 0.9)
        out.update(cards=len(states), reviews=sum(len(h.reviews) for h in histories.values()), read_s=t_read)
    out["wall_s"] = time.perf_counter() - t0
    out["cpu_s"] = time.process_time() - c0  # all threads; less sensitive than wall time to a busy machine
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    return out


def measure(task: str, db: Path, params_file: Path) -> dict:
    result = subprocess.run([sys.executable, __file__, "--worker", task, "--db", str(db), "--params", str(params_file)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"{task} failed:\n{result.stderr}")
    return json.loads(result.stdout)


def ensure_history(home: Path, reviews: int) -> None:
    if (home / "mlpath.db").exists():
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLPATH_")}
    subprocess.run([sys.executable, str(HERE / "make_history.py"), "--home", str(home), "--reviews", str(reviews),
                    "--end", "2026-11-01T00:00:00+00:00"], cwd=ROOT, env=env, check=True, timeout=900,
                   stdout=subprocess.DEVNULL)


def table(rows: list[dict]) -> str:
    lines = ["| step | reviews | wall time (s) | of which reading (s) | CPU time (s) | peak RSS (MB) | target | result |",
             "|---|---:|---:|---:|---:|---:|---|---|"]
    for r in rows:
        wall_t, mem_t = TARGETS[r["task"]]
        target = " / ".join(x for x in (wall_t and f"<= {wall_t:g} s", mem_t and f"<= {mem_t:g} MB") if x) or "-"
        ok = (wall_t is None or r["wall_s"] <= wall_t) and (mem_t is None or r["peak_mb"] <= mem_t)
        note = "ok" if ok else "MISSED"
        if r["task"] == "fit":
            note += f"; trained on {r['trained_on']:,} of {r['available']:,} long-term reviews"
        elif r["task"] == "optimize":
            note += (f"; held-out log loss / RMSE(bins): defaults {r['current'][0]} / {r['current'][1]}, "
                     f"fitted {r['new'][0]} / {r['new'][1]} on {r['held_out']:,}; better: {r['better']}")
        else:
            note += f"; {r['cards']:,} cards"
        lines.append(f"| {r['task']} | {r['reviews']:,} | {r['wall_s']:.2f} | {r['read_s']:.2f} | {r['cpu_s']:.2f} | "
                     f"{r['peak_mb']:.0f} | {target} | {note} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", type=Path, help="MLPATH_HOME with the history (built there if missing)")
    ap.add_argument("--reviews", type=int, default=300_000)
    ap.add_argument("--runs", type=int, default=3, help="runs of each step; the fastest is reported (default 3)")
    ap.add_argument("--quick", action="store_true", help="30,000 reviews, one run")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a Markdown table")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--params", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.db, args.params)))
        return 0
    reviews = 30_000 if args.quick else args.reviews
    runs = 1 if args.quick else max(1, args.runs)
    tmp = Path(tempfile.mkdtemp(prefix="mlpath-fit-bench-", dir="/tmp" if Path("/tmp").is_dir() else None))
    try:
        home = args.home or tmp / f"history-{reviews}"
        ensure_history(home, reviews)
        db, params_file = home / "mlpath.db", tmp / "params.json"
        rows = [min((measure(task, db, params_file) for _ in range(runs)), key=lambda r: r["wall_s"])
                for task in ("fit", "optimize", "reschedule")]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps({"machine": platform.platform(), "python": platform.python_version(),
                          "cpus": os.cpu_count(), "rows": rows}, indent=2))
    else:
        print(f"Fitting benchmark on {platform.platform()}, Python {platform.python_version()}, "
              f"{os.cpu_count()} CPUs; history {home}\n")
        print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
