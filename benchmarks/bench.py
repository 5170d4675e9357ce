"""Start-up benchmark: whole `mlpath` processes against bare `python -c pass`, on a small and a heavy history.

    python benchmarks/bench.py [--runs 7] [--keep DIR] [--markdown] [--small-only]
                               [--small-reviews 2000] [--heavy-reviews 300000]

Run from the repository root. It builds the two histories with benchmarks/make_history.py (in a temporary folder,
or in DIR with --keep, where they are reused on the next run), then times each command several times, interleaved
with bare Python so both see the same machine load, and prints the median wall time of each, its ratio to bare
Python, and the heavy/small ratio, next to the targets of issue 6:

  next and progress <= 11x bare Python; the first quiz question <= 40x; shell completion as fast as `next`;
  `map --output` <= 40x (issue 17);
  every command on the heavy history <= 1.5x the small one.

Commands run with stdout piped (plain text, as in a script) and MLPATH_NOW set to the end of the history, with
byte-code cached as after a normal install (a warm-up run writes it if the install has none).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUIZ_TOPIC = "linear-regression"
# An area: at the end of a generated history some of its cards are due, or it has new ones, whatever the seed.
QUIZ_AREA = "linear-algebra"


def mlpath_exe() -> list[str]:
    exe = Path(sys.executable).with_name("mlpath")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("mlpath")
    return [found] if found else [sys.executable, "-m", "mlpath"]


# --- what is measured --------------------------------------------------------------------------------------------

def _run(argv: list[str], env: dict, stdin=subprocess.DEVNULL) -> float:
    t0 = time.perf_counter()
    result = subprocess.run(argv, env=env, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stderr.decode()}")
    return elapsed


def time_to_first_question(argv: list[str], env: dict, reap=lambda proc: proc.wait()) -> tuple[float, object]:
    """From start until the first question's text is on stdout (stdin is a pipe, as in a script); then kill.
    Returns the seconds and what ``reap`` (given the killed process) returns: by default its exit status."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        header = False
        while True:
            line = proc.stdout.readline()
            if not line:
                raise SystemExit(f"{' '.join(argv)} showed no question:\n{proc.stderr.read().decode()}")
            if header and line.strip():
                elapsed = time.perf_counter() - t0  # the question's text (the line after its header)
                break
            header = header or line.startswith(b"[1/")
    finally:
        proc.kill()
        reaped = reap(proc)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            stream.close()
    return elapsed, reaped


def _first_question(argv: list[str], env: dict) -> float:
    return time_to_first_question(argv, env)[0]


def _completion(argv: list[str], env: dict) -> float:
    env = {**env, "_MLPATH_COMPLETE": "complete_bash", "COMP_WORDS": "mlpath show lin", "COMP_CWORD": "2"}
    t0 = time.perf_counter()
    result = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    elapsed = time.perf_counter() - t0
    if b"linear-regression" not in result.stdout:
        raise SystemExit(f"shell completion gave {result.stdout!r} {result.stderr.decode()}")
    return elapsed


def _first_run(argv: list[str], env: dict) -> float:
    """A learner's very first command: MLPATH_HOME is a new, empty folder (the database is created, the roadmap
    read and cached); the folder is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="mlpath-first-run-") as folder:
        return _run(argv, {**env, "MLPATH_HOME": folder})


def measures() -> list[tuple[str, object, str]]:
    """(label, function of env -> seconds, target as 'ratio to bare Python')."""
    m = mlpath_exe()
    return [
        ("python -c pass", lambda env: _run([sys.executable, "-c", "pass"], env), ""),
        ("next", lambda env: _run([*m, "next"], env), "11"),
        ("progress", lambda env: _run([*m, "progress"], env), "11"),
        (f"show {QUIZ_TOPIC}", lambda env: _run([*m, "show", QUIZ_TOPIC], env), ""),
        ("topics --json", lambda env: _run([*m, "topics", "--json"], env), ""),
        (f"quiz {QUIZ_AREA}: first question", lambda env: _first_question([*m, "quiz", QUIZ_AREA], env), "40"),
        ("review --limit 1 (stdin at EOF)", lambda env: _run([*m, "review", "--limit", "1"], env), ""),
        ("completion: show lin<TAB>", lambda env: _completion(m, env), "11"),
        ("first run: progress in a new folder", lambda env: _first_run([*m, "progress"], env), ""),
        ("map --output (whole page)", lambda env: _run([*m, "map", "--force", "--output",
                                                         str(Path(env["MLPATH_HOME"]) / "map-bench.html")], env), "40"),
    ]


# --- histories ---------------------------------------------------------------------------------------------------

def ensure_history(home: Path, reviews: int, years: float) -> dict:
    info_file = home / "history.json"
    if info_file.exists():
        info = json.loads(info_file.read_text())
        if info.get("reviews") == reviews:
            return info
    if home.exists():
        shutil.rmtree(home)
    print(f"building a history of {reviews:,} reviews in {home} ...", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, str(HERE / "make_history.py"), "--home", str(home), "--reviews", str(reviews),
                    "--years", str(years)], check=True, stdout=sys.stderr)
    return json.loads(info_file.read_text())


def env_for(home: Path, info: dict) -> dict:
    """The environment of a timed command. PYTHONDONTWRITEBYTECODE is dropped: a learner's install holds compiled
    byte-code (pip compiles a package when it installs it, and Python caches it otherwise), and a machine that
    forbids writing it would time the compiler on every run instead of mlpath."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLPATH_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(MLPATH_HOME=str(home), MLPATH_NOW=info["end"], NO_COLOR="1")
    return env


def bench(homes: dict[str, tuple[Path, dict]], runs: int) -> dict[str, dict[str, float]]:
    """Median seconds per (history, label). Runs are interleaved (each round times every command once on every
    history, one after the other) so that a busy moment on the machine touches all of them alike. Bare Python
    does not depend on the history: its median is taken over the runs of both."""
    table = measures()
    times: dict[str, dict[str, list[float]]] = {h: {label: [] for label, _, _ in table} for h in homes}
    envs = {h: env_for(home, info) for h, (home, info) in homes.items()}
    for h in homes:  # warm-up: byte-code caches, the OS page cache
        for label, fn, _ in table:
            fn(envs[h])
    for _ in range(runs):
        for label, fn, _ in table:
            for h in homes:
                times[h][label].append(fn(envs[h]))
    medians = {h: {label: statistics.median(v) for label, v in per.items()} for h, per in times.items()}
    bare = statistics.median([t for per in times.values() for t in per["python -c pass"]])
    for h in medians:
        medians[h]["python -c pass"] = bare
    return medians


# --- the report --------------------------------------------------------------------------------------------------

def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def rows(medians: dict[str, dict[str, float]]) -> list[list[str]]:
    bare = {h: medians[h]["python -c pass"] for h in medians}
    heavy = "heavy" in medians
    out = []
    for label, _, target in measures():
        small_s = medians["small"][label]
        row = [label, f"{small_s * 1000:.0f}", f"{small_s / bare['small']:.1f}x"]
        ok = [] if not target else [small_s / bare["small"] <= float(target)]
        if heavy:
            heavy_s = medians["heavy"][label]
            ratio = heavy_s / small_s
            row += [f"{heavy_s * 1000:.0f}", f"{heavy_s / bare['heavy']:.1f}x", f"{ratio:.2f}x"]
            if target:
                ok.append(heavy_s / bare["heavy"] <= float(target))
            if label != "python -c pass":
                ok.append(ratio <= 1.5)
        goal = (f"<= {target}x" if target else "") + (", " if target and heavy else "")
        goal += "heavy <= 1.5x small" if heavy and label != "python -c pass" else ""
        row += [goal or "-", ("yes" if all(ok) else "NO") if ok else "-"]
        out.append(row)
    return out


def render(medians, homes, runs: int, markdown: bool) -> str:
    heavy = "heavy" in medians
    header = ["command", "small ms", "small / python"]
    if heavy:
        header += ["heavy ms", "heavy / python", "heavy / small"]
    header += ["target", "met"]
    body = rows(medians)
    sizes = ", ".join(f"{h}: {info['reviews']:,} reviews of {info['cards']:,} cards" for h, (_, info) in homes.items())
    lines = [f"mlpath start-up, median of {runs} runs, {datetime.now(timezone.utc):%Y-%m-%d}; {machine()}",
             f"histories: {sizes}"]
    if markdown:
        lines.append("")
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
        lines += ["| " + " | ".join(r) + " |" for r in body]
    else:
        widths = [max(len(x) for x in col) for col in zip(header, *body)]
        fmt = lambda r: "  ".join(x.ljust(w) if i == 0 else x.rjust(w) for i, (x, w) in enumerate(zip(r, widths)))
        lines += ["", fmt(header), fmt(["-" * w for w in widths])] + [fmt(r) for r in body]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7, help="timed runs per command (default 7); the median is shown")
    ap.add_argument("--keep", type=Path, default=None, help="build (or reuse) the histories in this folder")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown (for README.md)")
    ap.add_argument("--small-only", action="store_true", help="only the small history (a quick check)")
    ap.add_argument("--small-reviews", type=int, default=2_000, help="reviews in the small history (2000)")
    ap.add_argument("--heavy-reviews", type=int, default=300_000, help="reviews in the heavy history (300000)")
    ap.add_argument("--json", type=Path, default=None, help="also write the medians (seconds) to this file")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")

    tmp = None
    root = args.keep
    if root is None:
        tmp = tempfile.TemporaryDirectory(prefix="mlpath-bench-")
        root = Path(tmp.name)
    try:
        homes = {"small": root / f"small-{args.small_reviews}"}
        plan = {"small": (args.small_reviews, 0.5)}
        if not args.small_only:
            homes["heavy"] = root / f"heavy-{args.heavy_reviews}"
            plan["heavy"] = (args.heavy_reviews, 10.0)
        built = {h: (home, ensure_history(home, *plan[h])) for h, home in homes.items()}
        medians = bench(built, args.runs)
        print(render(medians, built, args.runs, args.markdown))
        if args.json:
            args.json.write_text(json.dumps(medians, indent=2) + "\n")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
