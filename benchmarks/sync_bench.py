"""Sync and class benchmarks against a real PostgreSQL server (a throwaway database, dropped afterwards).

    python benchmarks/sync_bench.py [--admin postgresql://postgres@127.0.0.1:5432/postgres] [--learners 200]
        [--reviews 5000] [--heavy DIR] [--markdown]

1. A class of --learners learners with --reviews reviews each (and a few status changes) on the server.
2. A device's daily sync: 100 new local reviews pushed, another device's 100 pulled (`mlpath sync`, the whole
   process, start-up included). Target: at most 1 s.
3. `mlpath class report --json` as the teacher. Target: at most 2 s.
4. With --heavy DIR (an MLPATH_HOME made by benchmarks/make_history.py, e.g. 300k reviews): the first sync of that
   history (push everything, replay every card), then the first sync of a fresh device that pulls it all.
   Target: at most 60 s each, with bounded memory (peak RSS reported).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MLPATH = [str(Path(sys.executable).with_name("mlpath"))]
NOW = datetime(2026, 11, 20, 8, tzinfo=timezone.utc)


def _run(args, env, stdin=None):
    """(wall seconds, stdout, peak RSS in KiB, CPU seconds) of one `mlpath` process (its own rusage, by wait4)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        p = subprocess.Popen([*MLPATH, *args], env={**os.environ, **env}, stdout=out, stderr=err,
                             stdin=subprocess.DEVNULL, text=True)
        _pid, status, usage = os.wait4(p.pid, 0)
        took = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if p.returncode != 0:
            raise SystemExit(f"mlpath {' '.join(args)} failed: {err.read().strip()}")
        return took, out.read(), usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def _fill_class(admin_url: str, learners: int, reviews: int, questions: list[tuple[str, str, str]]):
    """Learners (real roles, through mlpath.server.schema) and their logs, written by COPY as the admin."""
    import psycopg

    from mlpath.server import connection, schema
    from mlpath.core.review_ids import review_uid

    server = connection.parse_url(admin_url)
    schema.init(server)
    urls = {}
    for i in range(learners):
        urls[f"l{i:03d}"] = schema.add_learner(server, f"l{i:03d}").url
    urls["teacher"] = schema.add_learner(server, "teacher", teacher=True).url
    rng = random.Random(1)
    with psycopg.connect(admin_url) as conn:
        roles = dict(conn.execute("SELECT learner, role FROM mlpath.member"))
        with conn.cursor().copy("COPY mlpath.review (learner, pack, uid, question, topic, area, reviewed_at, "
                                "rating, correct, pos) FROM STDIN") as copy:
            for i in range(learners):
                role = roles[f"l{i:03d}"]
                start = NOW - timedelta(days=365)
                for n in range(reviews):
                    q, topic, area = questions[rng.randrange(len(questions))]
                    at = start + timedelta(seconds=n * 365 * 86400 // reviews + rng.randrange(60))
                    rating = rng.choice((1, 2, 3, 3, 3, 4))
                    copy.write_row((role, "mlpath-roadmap", review_uid(q, at, rating, n), q, topic, area, at, rating,
                                    rating > 1, n + 1))
        with conn.cursor().copy("COPY mlpath.status_event (learner, pack, topic, area, status, at, pos) "
                                "FROM STDIN") as copy:
            topics = sorted({(t, a) for _, t, a in questions})
            for i in range(learners):
                for n, (topic, area) in enumerate(topics[:20]):
                    copy.write_row((roles[f"l{i:03d}"], "mlpath-roadmap", topic, area, "done",
                                    NOW - timedelta(days=300 - n), n + 1))
        conn.execute("INSERT INTO mlpath.head (learner, review_pos, event_pos) SELECT role, %s, 20 FROM mlpath.member",
                     (reviews,))
        conn.execute("INSERT INTO mlpath.tally (learner, pack, reviews) SELECT role, 'mlpath-roadmap', %s "
                     "FROM mlpath.member WHERE NOT teacher", (reviews,))
        conn.commit()
        conn.execute("ANALYZE mlpath.review")
        conn.commit()
    return urls


def _questions() -> list[tuple[str, str, str]]:
    from mlpath.app.session import open_session

    with tempfile.TemporaryDirectory() as home:
        os.environ["MLPATH_HOME"] = home
        s = open_session(now=NOW)
        rows = s.conn.execute("SELECT q.id, q.topic_id, t.area FROM question q "
                              "JOIN topic t ON t.pack = q.pack AND t.id = q.topic_id "
                              "WHERE q.pack = ? AND q.active ORDER BY q.rowid", (s.pack,)).fetchall()
        s.close()
    return rows


def _other_device_pushes(url: str, questions, n: int, day: datetime, seed: int) -> None:
    import psycopg

    from mlpath.core.review_ids import review_uid
    from mlpath.server import sync as remote

    rng = random.Random(seed)
    rows = []
    for i in range(n):
        q, topic, area = questions[rng.randrange(len(questions))]
        at = day + timedelta(seconds=i * 7)
        rows.append((review_uid(q, at, 3, 0), q, topic, area, at, 3, True, None, 900, None))
    with psycopg.connect(url) as conn:
        remote.push(conn, "review", "mlpath-roadmap", rows)


def _local_answers(home: Path, n: int, day: datetime) -> None:
    """n answers given on this device (as `mlpath quiz` stores them)."""
    os.environ["MLPATH_HOME"] = str(home)
    from mlpath.app.session import open_session
    from mlpath.core.scheduling import new_card, review
    from mlpath.store import queries

    s = open_session(now=day)
    qs = s.conn.execute("SELECT id, topic_id FROM question WHERE pack = ? AND active ORDER BY rowid LIMIT ?",
                        (s.pack, n)).fetchall()
    for i, (q, topic) in enumerate(qs):
        at = day + timedelta(seconds=i * 5)
        before = new_card(at)
        queries.record_review(s.conn, s.pack, question_id=q, topic_id=topic, before=None, after=review(before, 3, at),
                              now=at, rating=3, correct=True, answer="x", response_ms=800, seed=None)
    s.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--learners", type=int, default=200)
    ap.add_argument("--reviews", type=int, default=5000)
    ap.add_argument("--heavy", type=Path, default=None, help="an MLPATH_HOME from benchmarks/make_history.py")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)

    import psycopg

    name = f"mlpath_bench_{uuid.uuid4().hex[:8]}"
    base = args.admin.rsplit("/", 1)[0]
    admin_url = f"{base}/{name}"
    with psycopg.connect(args.admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    work = Path(tempfile.mkdtemp(prefix="mlpath-sync-bench-"))
    results = []
    try:
        t = time.perf_counter()
        questions = _questions()
        urls = _fill_class(admin_url, args.learners, args.reviews, questions)
        print(f"class: {args.learners} learners x {args.reviews} reviews in {time.perf_counter() - t:.1f} s",
              file=sys.stderr)

        device = work / "device"
        env = {"MLPATH_HOME": str(device), "MLPATH_SYNC_URL": urls["l000"], "MLPATH_NOW": NOW.isoformat()}
        took, _, _, _ = _run(["sync"], env)
        print(f"setup: the device's first sync of {args.reviews} reviews took {took:.2f} s", file=sys.stderr)
        daily = []
        for run in range(args.runs):
            day = NOW + timedelta(days=run + 1)
            _local_answers(device, 100, day)
            _other_device_pushes(urls["l000"], questions, 100, day + timedelta(hours=1), seed=run)
            env["MLPATH_NOW"] = (day + timedelta(hours=2)).isoformat()
            took, out, peak, cpu = _run(["sync", "--json"], env)
            done = json.loads(out)
            assert done["pushed_reviews"] == 100 and done["pulled_reviews"] == 100, done
            daily.append((took, cpu))
        daily.sort()
        results.append(("daily sync (push 100, pull 100)", *daily[len(daily) // 2], 1.0, peak))

        tenv = {"MLPATH_HOME": str(work / "teacher"), "MLPATH_SYNC_URL": urls["teacher"],
                "MLPATH_NOW": NOW.isoformat()}
        _run(["progress"], tenv)  # the teacher's own database, made once
        reports = []
        for _ in range(args.runs):
            took, out, peak, cpu = _run(["class", "report", "--json"], tenv)
            reports.append((took, cpu))
        assert len(json.loads(out)["learners"]) == args.learners + 1
        reports.sort()
        results.append((f"class report ({args.learners} learners)", *reports[len(reports) // 2], 2.0, peak))

        if args.heavy:
            heavy = work / "heavy"
            shutil.copytree(args.heavy, heavy)
            count = json.loads((heavy / "history.json").read_text())["reviews"]
            hurl = urls["l001"]
            # a learner with nothing on the server yet: remove the generated log first
            with psycopg.connect(admin_url, autocommit=True) as conn:
                role = conn.execute("SELECT role FROM mlpath.member WHERE learner = 'l001'").fetchone()[0]
                conn.execute("DELETE FROM mlpath.review WHERE learner = %s", (role,))
                conn.execute("DELETE FROM mlpath.status_event WHERE learner = %s", (role,))
                conn.execute("UPDATE mlpath.head SET review_pos = 0, event_pos = 0 WHERE learner = %s", (role,))
                conn.execute("DELETE FROM mlpath.tally WHERE learner = %s", (role,))
            henv = {"MLPATH_HOME": str(heavy), "MLPATH_SYNC_URL": hurl, "MLPATH_NOW": NOW.isoformat()}
            took, out, peak, cpu = _run(["sync", "--json"], henv)
            results.append((f"first sync, push {count:,} reviews", took, cpu, 60.0, peak))
            fresh = work / "fresh"
            took, out, peak, cpu = _run(["sync", "--json"], {**henv, "MLPATH_HOME": str(fresh)})
            assert json.loads(out)["reviews"] == count, out
            results.append((f"first sync of a new device, pull {count:,} reviews", took, cpu, 60.0, peak))
    finally:
        with psycopg.connect(args.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            tag = hashlib.md5(name.encode()).hexdigest()[:10]
            roles = [r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s",
                                                 (f"mlpath\\_{tag}\\_%",))]
            for role in sorted(roles, key=lambda r: r.endswith(("_learners", "_teachers"))):
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')
        shutil.rmtree(work, ignore_errors=True)

    if args.markdown:
        print("| measurement | wall s | CPU s | target s | met (wall) | peak RSS |")
        print("|---|---:|---:|---:|:---:|---:|")
    for label, took, cpu, target, peak in results:
        rss = f"{peak / 1024:.0f} MiB" if peak else "-"
        if args.markdown:
            print(f"| {label} | {took:.2f} | {cpu:.2f} | <= {target:g} | {'yes' if took <= target else 'no'} | {rss} |")
        else:
            print(f"{label:<50} {took:7.2f} s wall, {cpu:6.2f} s CPU (target <= {target:g} s)  peak RSS {rss}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
