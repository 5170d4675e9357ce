"""Whole-history benchmark (issue 15): `stats`, `export`, `import`, and the first question of `review` and
`quiz AREA`, on a 300,000- and a 3,000,000-review history: wall time (median), peak RSS, and ratios to bare
`python -c pass`.

    python benchmarks/bench_history.py [--keep DIR] [--runs 3] [--io-runs 1] [--sizes 300000,3000000] [--markdown]

Run from the repository root. Histories are built with benchmarks/make_history.py (reused from DIR with --keep).
Each command is a real `mlpath` process with MLPATH_NOW at the end of the history; `review` runs a year later, so
that every card is due. Targets (issue 15): `stats` <= 25x bare Python on 300k and <= 1.5x that on 3M; `export` and
`import` <= 3 s on 300k, peak memory <= 150 MB at any size, growing linearly; the first question of `review` and
`quiz AREA` <= 40x bare Python on 3M.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import ensure_history, env_for, machine, mlpath_exe, time_to_first_question  # noqa: E402

QUIZ_AREA = "linear-algebra"


def _wait(proc: subprocess.Popen) -> tuple[int, int]:
    """Wait for ``proc``; (exit status, its own peak RSS in KB) from wait4."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss


def run(argv: list[str], env: dict) -> tuple[float, int]:
    """(seconds, peak RSS in KB) of one process run to its end."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    err = proc.stderr.read()
    code, rss = _wait(proc)
    elapsed = time.perf_counter() - t0
    proc.stderr.close()
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({code}):\n{err.decode()}")
    return elapsed, rss


def first_question(argv: list[str], env: dict) -> tuple[float, int]:
    """(seconds until the first question's text is on stdout, peak RSS in KB); see bench.time_to_first_question."""
    elapsed, (_code, rss) = time_to_first_question(argv, env, reap=_wait)
    return elapsed, rss


def measures(home: Path, info: dict, work: Path):
    """(label, function () -> (seconds, KB), target text, check (seconds, KB, bare seconds) -> bool)."""
    m = mlpath_exe()
    env = env_for(home, info)
    later = {**env, "MLPATH_NOW": (datetime.fromisoformat(info["end"]) + timedelta(days=365)).isoformat()}
    backup, gz = work / "backup.json", work / "backup.json.gz"
    counter = iter(range(10**6))

    def fresh_import():
        target = work / f"fresh-{next(counter)}"
        try:
            return run([*m, "import", str(backup)], {**env, "MLPATH_HOME": str(target)})
        finally:
            shutil.rmtree(target, ignore_errors=True)

    mb = 150 * 1024
    return [
        ("stats", lambda: run([*m, "stats"], env), "<= 25x (300k)", lambda s, kb, bare: True),
        ("stats --json", lambda: run([*m, "stats", "--json"], env), "", lambda s, kb, bare: True),
        ("export backup.json", lambda: run([*m, "export", "--force", str(backup)], env), "<= 3 s (300k), <= 150 MB",
         lambda s, kb, bare: kb <= mb),
        ("export backup.json.gz", lambda: run([*m, "export", "--force", str(gz)], env), "<= 150 MB",
         lambda s, kb, bare: kb <= mb),
        ("import into a fresh folder", fresh_import, "<= 3 s (300k), <= 150 MB", lambda s, kb, bare: kb <= mb),
        ("import again (nothing new)", lambda: run([*m, "import", str(backup)], env), "<= 3 s (300k), <= 150 MB",
         lambda s, kb, bare: kb <= mb),
        ("import backup.json.gz again", lambda: run([*m, "import", str(gz)], env), "<= 150 MB",
         lambda s, kb, bare: kb <= mb),
        ("review: first question (all due)", lambda: first_question([*m, "review"], later), "<= 40x",
         lambda s, kb, bare: s <= 40 * bare),
        (f"quiz {QUIZ_AREA}: first question", lambda: first_question([*m, "quiz", QUIZ_AREA], env), "<= 40x",
         lambda s, kb, bare: s <= 40 * bare),
    ]


def bench(size: int, root: Path, runs: int, io_runs: int) -> dict:
    home = root / f"history-{size}"
    info = ensure_history(home, size, 10.0)
    work = root / f"work-{size}"
    work.mkdir(exist_ok=True)
    env = env_for(home, info)
    bare_times = []
    out: dict = {"reviews": info["reviews"], "cards": info["cards"], "database_mb": info["database_bytes"] / 2**20,
                 "rows": {}}
    table = measures(home, info, work)
    for label, fn, _target, _check in table:  # warm-up (and the export the imports read)
        if label.startswith(("stats", "export backup.json")):
            fn()
    for label, fn, _target, _check in table:
        n = io_runs if label.startswith(("export", "import")) else runs
        samples = []
        for _ in range(n):
            bare_times.append(run([sys.executable, "-c", "pass"], env)[0])
            samples.append(fn())
        out["rows"][label] = (statistics.median(s for s, _ in samples), max(kb for _, kb in samples))
    out["bare"] = statistics.median(bare_times)
    out["load"] = os.getloadavg()
    return out


def render(results: dict[int, dict], markdown: bool) -> str:
    sizes = sorted(results)
    labels = list(results[sizes[0]]["rows"])
    header = ["command"]
    for size in sizes:
        k = f"{size // 1000}k" if size < 10**6 else f"{size / 10**6:g}M"
        header += [f"{k} s", f"{k} / python", f"{k} peak MB"]
    if len(sizes) == 2:
        header.append(f"{sizes[1] // sizes[0]}x reviews: time")
    body = []
    for label in labels:
        row = [label]
        for size in sizes:
            s, kb = results[size]["rows"][label]
            row += [f"{s:.2f}", f"{s / results[size]['bare']:.1f}x", f"{kb / 1024:.0f}"]
        if len(sizes) == 2:
            row.append(f"{results[sizes[1]]['rows'][label][0] / results[sizes[0]]['rows'][label][0]:.2f}x")
        body.append(row)
    bare = ", ".join(f"{results[s]['bare'] * 1000:.0f} ms (load {results[s]['load'][0]:.1f})" for s in sizes)
    lines = [f"mlpath whole-history commands, {datetime.now():%Y-%m-%d}; {machine()}",
             "histories: " + ", ".join(f"{results[s]['reviews']:,} reviews of {results[s]['cards']:,} cards "
                                       f"({results[s]['database_mb']:.0f} MiB)" for s in sizes),
             f"bare `python -c pass`: {bare}", ""]
    if markdown:
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
        lines += ["| " + " | ".join(r) + " |" for r in body]
    else:
        widths = [max(len(x) for x in col) for col in zip(header, *body)]
        fmt = lambda r: "  ".join(x.ljust(w) if i == 0 else x.rjust(w) for i, (x, w) in enumerate(zip(r, widths)))
        lines += [fmt(header), fmt(["-" * w for w in widths])] + [fmt(r) for r in body]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keep", type=Path, default=None, help="build (or reuse) the histories in this folder")
    ap.add_argument("--runs", type=int, default=3, help="timed runs of stats and the first questions (median)")
    ap.add_argument("--io-runs", type=int, default=1, help="timed runs of export and import (median)")
    ap.add_argument("--sizes", default="300000,3000000", help="review counts, comma-separated")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown (for README.md)")
    ap.add_argument("--json", type=Path, default=None, help="also write the results to this file")
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    tmp = None
    root = args.keep
    if root is None:
        tmp = tempfile.TemporaryDirectory(prefix="mlpath-bench-history-")
        root = Path(tmp.name)
    try:
        results = {size: bench(size, root, args.runs, args.io_runs) for size in sizes}
        print(render(results, args.markdown))
        if args.json:
            args.json.write_text(json.dumps({str(k): v for k, v in results.items()}, indent=2) + "\n")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
