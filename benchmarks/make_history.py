"""Build a realistic heavy learner history into an MLPATH_HOME folder, for the start-up benchmarks.

    python benchmarks/make_history.py --home DIR --reviews 300000 [--seed N] [--years 10] [--cards N] [--end ISO]

Run from the repository root. It uses the roadmap shipped with mlpath (content/) and the project's own store
code: ``mlpath.app.session.open_session`` creates, migrates and syncs the database exactly as a first run does;
``mlpath.core.scheduling.review`` (FSRS) evolves every card through its reviews; topic statuses go through
``mlpath.store.queries.set_status``; reviews are inserted in chunks as they are made (one transaction each, with
the stats summaries updated set-wise by ``mlpath.store.aggregates.bulk_insert``; memory stays flat) with
statements built from the SQLModel tables in ``mlpath.store.models``, so a new required column fails here loudly
instead of making a history the real code could not have written.

The simulated learner studies the roadmap in order, adds its questions as cards over the first 70% of the period,
and answers a steady number of cards a day at one sitting: its new cards, then the due ones, most overdue first (as
`mlpath review` does), then extra practice on cards it has learned (as `mlpath quiz TOPIC` does); it skips about one
day in ten, and the last two days, so the history ends with cards due. It answers right about 85-92% of the time.

It prints what it made and how long it took, and writes DIR/history.json (counts, seed, and the end of the history,
which benchmarks/bench.py uses as MLPATH_NOW).
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import os
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

try:
    import mlpath  # noqa: F401
except ImportError:  # not installed: run from a source checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CHUNK = 50_000
IDLE_DAYS = 2


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", required=True, type=Path, help="the MLPATH_HOME folder to build (must be empty)")
    ap.add_argument("--reviews", type=int, default=300_000, help="review rows to make (default 300000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--years", type=float, default=10.0, help="length of the history in years (default 10)")
    ap.add_argument("--cards", type=int, default=None,
                    help="cards to create (default: every question for a large history, fewer for a small one)")
    ap.add_argument("--end", default=None, help="end of the history, ISO with offset (default: now)")
    ap.add_argument("--force", action="store_true", help="replace an existing database in --home")
    args = ap.parse_args(argv)
    if args.reviews < 1 or args.years <= 0:
        ap.error("--reviews must be at least 1 and --years more than 0")
    return args


def _insert(conn, table, rows: list[tuple], columns: list[str]) -> None:
    """INSERT ``rows`` into ``table`` (a SQLModel table); every required column must be among ``columns``."""
    required = {c.name for c in table.columns
                if not c.nullable and not c.primary_key and c.default is None and c.server_default is None}
    missing = required - set(columns)
    unknown = set(columns) - {c.name for c in table.columns}
    if missing or unknown:
        raise SystemExit(f"make_history.py is out of date with the {table.name} table: "
                         f"missing {sorted(missing)}, unknown {sorted(unknown)}")
    conn.executemany(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                     rows)


def _answer_text(q: dict, correct: bool, rng: random.Random) -> str:
    kind = q["kind"]
    if kind == "choice":
        return q["answer"] if correct else rng.choice([o for o in q["options"] if o != q["answer"]] or ["?"])
    if kind == "multi":
        return ", ".join(q["answers"]) if correct else q["options"][0]
    if kind == "true_false":
        return ("y" if q["answer"] else "n") if correct else ("n" if q["answer"] else "y")
    if kind == "numeric":
        return f"{q['answer']:g}" if correct else f"{q['answer'] * 2 + 1:g}"
    if kind == "text":
        return str(q["answers"][0]) if correct else "not sure"
    return str(rng.randint(-50, 50))  # generated: a number; flashcards store the grade instead


def build(args: argparse.Namespace) -> dict:
    home: Path = args.home.resolve()
    os.environ["MLPATH_HOME"] = str(home)
    os.environ.pop("MLPATH_CONTENT", None)  # the shipped roadmap
    os.environ.pop("MLPATH_NOW", None)
    db_file = home / "mlpath.db"
    if db_file.exists():
        if not args.force:
            raise SystemExit(f"{db_file} exists; use --force to replace it")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)

    from mlpath.app.session import open_session
    from mlpath.core import grading, scheduling
    from mlpath.store import aggregates, db, queries
    from mlpath.store.models import CardRow, ReviewRow
    from mlpath.core.review_ids import review_uid_of_utc_text

    rng = random.Random(args.seed)
    end = datetime.fromisoformat(args.end).astimezone(timezone.utc) if args.end else datetime.now(timezone.utc)
    end = end.replace(second=0, microsecond=0)
    days = max(1, round(args.years * 365.25))
    start = (end - timedelta(days=days)).replace(hour=0, minute=0)

    t0 = time.perf_counter()
    s = open_session(now=start)  # create + migrate + sync the shipped content, as a first run does
    conn = s.conn
    pack = s.pack
    if queries.review_count(conn, None):
        raise SystemExit(f"{db_file} already has reviews")
    order = {t.id: i for i, t in enumerate(s.roadmap.topics)}
    questions = [json.loads(d) for (d,) in conn.execute("SELECT data FROM question WHERE active ORDER BY rowid")]
    questions.sort(key=lambda q: order.get(q["topic"], len(order)))  # the roadmap's order, file order inside
    n_cards = args.cards if args.cards is not None else min(len(questions), max(50, args.reviews // 8))
    n_cards = max(1, min(n_cards, len(questions)))
    learned = questions[:n_cards]
    t_open = time.perf_counter() - t0

    # Cards first (reviews refer to them), in their initial state; their final state is written at the end, and
    # the cards never reached are removed. Reviews are written a chunk at a time as the simulation makes them, so
    # memory stays flat whatever --reviews is.
    t_write = 0.0
    conn.execute("PRAGMA cache_size = -65536")  # 64 MiB: the review indexes' hot pages stay in memory
    placeholder = db.to_db(start)
    with db.transaction(conn):
        _insert(conn, CardRow.__table__, [(i + 1, pack, q["id"], 1, placeholder, placeholder, 0, 0)
                                          for i, q in enumerate(learned)],
                ["id", "pack", "question_id", "state", "due", "created_at", "reps", "lapses"])

    def flush(rows: list[tuple]) -> None:
        nonlocal t_write
        t1 = time.perf_counter()
        # each review gets its id as mlpath gives one (tables.new_review_uid): derived from the review itself; the
        # learner's times only ever increase, so no two reviews share question, time and rating
        rows = [(*row, review_uid_of_utc_text(row[2], row[4], row[5])) for row in rows]
        with db.transaction(conn), aggregates.bulk_insert(conn):
            _insert(conn, ReviewRow.__table__, rows,
                    ["card_id", "pack", "question_id", "topic_id", "reviewed_at", "rating", "correct", "answer",
                     "response_ms", "seed", "uid"])
        t_write += time.perf_counter() - t1

    # --- simulate ----------------------------------------------------------------------------------------------
    t0 = time.perf_counter()
    learn_days = max(1, int(days * 0.7))
    intro_day = [min(days - 1, i * learn_days // n_cards) for i in range(n_cards)]
    states: list = [None] * n_cards
    created: list = [None] * n_cards
    reps = [0] * n_cards
    lapses = [0] * n_cards
    heap: list[tuple[datetime, int]] = []  # (due, card): the review queue, earliest due first
    reviews: list[tuple] = []  # the chunk not written yet
    made = 0
    topic_first: dict[str, datetime] = {}
    topic_last: dict[str, datetime] = {}
    active = max(1, days - IDLE_DAYS)  # the last days have no sitting: the history ends with cards due
    per_day = args.reviews / active
    owed = 0.0
    next_new = 0
    for day in range(active):
        owed += per_day
        last = day == active - 1
        if rng.random() < 0.1 and not last:
            continue  # a day off; the reviews wait for tomorrow
        quota = args.reviews - made if last else min(args.reviews - made, int(owed))
        owed -= quota
        now = start + timedelta(days=day, hours=rng.uniform(7, 22))
        for _ in range(quota):
            while heap and states[heap[0][1]].due != heap[0][0]:
                heapq.heappop(heap)  # stale: the card was answered again since
            if next_new < n_cards and (intro_day[next_new] <= day or next_new == 0):
                i = next_new  # today's new card
                next_new += 1
            elif heap and heap[0][0] <= now:
                _, i = heapq.heappop(heap)  # the most overdue card (`mlpath review`)
            else:
                i = rng.randrange(next_new)  # nothing due: extra practice (`mlpath quiz TOPIC`)
            q = learned[i]
            now += timedelta(seconds=rng.uniform(8, 40))
            before = states[i]
            if before is None:
                before = scheduling.new_card(now)
                created[i] = now
                topic_first.setdefault(q["topic"], now)
                topic_last[q["topic"]] = now
            overdue = before.due <= now
            correct = rng.random() < (0.85 if overdue else 0.92)
            if q["kind"] == "flashcard":
                rating = rng.choices((1, 2, 3, 4), (12, 15, 63, 10))[0]
                correct = rating > grading.AGAIN
            else:
                grade = rng.choices((None, 2, 4), (90, 6, 4))[0] if correct else None
                rating = grading.rating_for(correct, grade)
            response_ms = int(min(300_000, rng.lognormvariate(math.log(8000), 0.6)))
            after = scheduling.review(before, rating, now, response_ms)
            if states[i] is not None and before.state == 2 and rating == grading.AGAIN:
                lapses[i] += 1
            states[i] = after
            reps[i] += 1
            heapq.heappush(heap, (after.due, i))
            reviews.append((i + 1, pack, q["id"], q["topic"], db.to_db(now), rating, correct,
                            str(rating) if q["kind"] == "flashcard" else _answer_text(q, correct, rng),
                            response_ms, rng.getrandbits(31) if q["kind"] == "generated" else None))
            made += 1
            if len(reviews) >= CHUNK:
                flush(reviews)
                reviews = []
        if len(heap) > 4 * n_cards:  # drop stale entries: one per card is enough
            heap = [(states[i].due, i) for i in range(n_cards) if states[i] is not None]
            heapq.heapify(heap)
    if reviews:
        flush(reviews)
    t_sim = time.perf_counter() - t0 - t_write

    # --- write -------------------------------------------------------------------------------------------------
    t0 = time.perf_counter()
    card_rows = []
    for i, st in enumerate(states):
        if st is None:
            continue
        card_rows.append((st.state, st.step, st.stability, st.difficulty, db.to_db(st.due),
                          db.to_db(st.last_review) if st.last_review else None, db.to_db(created[i]), reps[i],
                          lapses[i], i + 1))
    with db.transaction(conn):
        conn.executemany("UPDATE card SET state = ?, step = ?, stability = ?, difficulty = ?, due = ?, "
                         "last_review = ?, created_at = ?, reps = ?, lapses = ? WHERE id = ?", card_rows)
        conn.executemany("DELETE FROM card WHERE id = ?", [(i + 1,) for i, st in enumerate(states) if st is None])

    # Topic statuses, in time order: started with its first card, done a few weeks after its last one; a few
    # topics without questions are skipped (known already), the rest done as the learner passes them.
    events: list[tuple[datetime, str, str]] = []
    finished_until = max(topic_last.values()) if topic_last else start
    for t in s.roadmap.topics:
        if t.id in topic_first:
            events.append((topic_first[t.id], t.id, "in_progress"))
            done_at = topic_last[t.id] + timedelta(days=rng.uniform(7, 40))
            if done_at < end:
                events.append((done_at, t.id, "done"))
        elif t.questions == 0 and order[t.id] <= max((order[x] for x in topic_first), default=-1):
            at = start + (finished_until - start) * (order[t.id] / max(1, len(order)))
            events.append((at, t.id, "skipped" if rng.random() < 0.2 else "done"))
    events.sort()
    for at, topic_id, status in events:
        queries.set_status(conn, pack, topic_id, status, at)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    t_write += time.perf_counter() - t0

    counts = {name: conn.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]
              for name in ("topic", "question", "card", "review", "topic_status", "status_event")}
    s.close()
    info = {"reviews": counts["review"], "cards": counts["card"], "questions": counts["question"],
            "topics": counts["topic"], "statuses": counts["topic_status"], "status_events": counts["status_event"],
            "seed": args.seed, "years": args.years, "start": start.isoformat(), "end": end.isoformat(),
            "seconds": {"open": round(t_open, 2), "simulate": round(t_sim, 2), "write": round(t_write, 2)},
            "database_bytes": db_file.stat().st_size}
    (home / "history.json").write_text(json.dumps(info, indent=2) + "\n")
    return info


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    info = build(args)
    total = time.perf_counter() - t0
    sec = info["seconds"]
    print(f"{args.home}: {info['reviews']:,} reviews of {info['cards']:,} cards ({info['questions']:,} questions, "
          f"{info['topics']} topics), {info['statuses']} topic statuses ({info['status_events']} events), "
          f"{info['start'][:10]} to {info['end'][:10]}; database {info['database_bytes'] / 2**20:.1f} MiB")
    print(f"took {total:.1f} s: open and sync {sec['open']} s, simulate {sec['simulate']} s, "
          f"write {sec['write']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
