"""Ten years of history stay instant (issue 15): `stats` reads summaries kept by triggers, and export / import
stream. The summaries must always equal a recount, `stats` must give what the whole-log computation gives, and a
streamed backup must round-trip a history exactly - plain or gzip-compressed - from one snapshot."""

from __future__ import annotations

import gzip
import json
import os
import stat
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learning_history import NOW, REVIEWS, install
from mlpath.core import stats as core_stats
from mlpath.core.scheduling import CardState
from mlpath.store import aggregates, history, queries

QUESTIONS = [("vectors-choice", "vectors"), ("vectors-tf", "vectors"), ("matrices-half", "matrices"),
             ("matrices-det", "matrices"), ("gd-tf", "gradient-descent")]
ZONES = ["UTC", "Asia/Tokyo", "Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns", "Australia/Lord_Howe",
         "Europe/Paris", "America/New_York", "Pacific/Chatham"]


def session():
    from mlpath.app.session import open_session

    return open_session()


@pytest.fixture
def learner(mini, monkeypatch, tmp_path):
    install(mini, monkeypatch)

    def switch(name: str):
        home = tmp_path / name
        monkeypatch.setenv("MLPATH_HOME", str(home))
        return home

    return switch


def _review(conn, question, topic, at, rating, correct):
    after = CardState(2 if rating > 1 else 3, None, 3.0, 5.0, at + timedelta(days=1), at)
    pack = conn.execute("SELECT pack FROM topic WHERE id = ?", (topic,)).fetchone()[0]
    return queries.record_review(conn, pack, question_id=question, topic_id=topic, before=None, after=after, now=at,
                                 rating=rating, correct=correct, answer="x", response_ms=900, seed=None)


def _old_stats(conn, zone, today, days, weeks):
    """What `stats` computed before the summaries: everything from the whole review log."""
    answers = history.answers(conn, None)  # one pack here: its whole log
    counts = core_stats.daily_counts((a.at for a in answers), zone)
    overall, per_area = core_stats.true_retention(answers)
    return {"total": len(answers), "days": dict(counts), "overall": overall, "areas": per_area,
            "daily": core_stats.accuracy_by_day(answers, zone, today, days),
            "weekly": core_stats.accuracy_by_week(answers, zone, today, weeks),
            "streak": core_stats.streaks(counts, today)}


def _new_stats(s, zone_name, days, weeks):
    from mlpath.app.stats import stats_report

    r = stats_report(s, tz=zone_name, days=days, weeks=weeks)
    return r, {"total": r.total_reviews, "overall": r.retention,
               "areas": {a.id: a.retention for a in r.areas if a.retention.reviews},
               "daily": r.daily, "weekly": r.weekly, "streak": r.streak}


# --- summaries ----------------------------------------------------------------------------------------------------

_times = st.one_of(
    st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2025, 1, 2, 11)),
    # around local midnights of half-hour zones and DST changes, to the minute
    st.builds(lambda d, m, s: datetime(2024, 3, 1) + timedelta(days=d, minutes=m, seconds=s),
              st.integers(0, 300), st.integers(0, 1440), st.integers(0, 59)),
    st.datetimes(min_value=datetime(1880, 1, 1), max_value=datetime(1890, 1, 1)),  # local mean time: odd offsets
)
_history = st.lists(st.tuples(st.sampled_from(QUESTIONS), _times, st.integers(1, 4),
                              st.sampled_from([None, True, False])), max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reviews=_history, zone_name=st.sampled_from(ZONES), days=st.integers(1, 3660), weeks=st.integers(1, 520),
       deletions=st.lists(st.integers(0, 39), max_size=5))
def test_summaries_equal_a_recount_and_stats_equal_the_whole_log(learner, reviews, zone_name, days, weeks,
                                                                  deletions):
    s = session()
    try:
        conn = s.conn
        conn.execute("DELETE FROM review")  # the triggers empty the summaries too
        assert aggregates.stored(conn) == {"review_hour": [], "review_tally": []}
        ids = [_review(conn, q, t, at.replace(tzinfo=timezone.utc), rating, correct)
               for (q, t), at, rating, correct in reviews]
        for i in deletions:
            if i < len(ids):
                conn.execute("DELETE FROM review WHERE id = ?", (ids[i],))
        assert aggregates.stored(conn) == aggregates.recount(conn)

        zone = ZoneInfo(zone_name)
        today = core_stats.today(s.now, zone)
        old = _old_stats(conn, zone, today, days, weeks)
        report, new = _new_stats(s, zone_name, days, weeks)
        assert report.days_studied == len(old["days"])
        assert report.heatmap == core_stats.heatmap(old["days"], today)
        for key in ("total", "overall", "areas", "daily", "weekly", "streak"):
            assert new[key] == old[key], key
    finally:
        s.close()


def test_renames_and_updates_carry_the_summaries(learner):
    s = session()
    try:
        conn = s.conn
        before = aggregates.stored(conn)
        assert before == aggregates.recount(conn) and sum(n for _, _, n, _ in before["review_hour"]) == len(REVIEWS)
        # a content rename cascades into the review rows (ON UPDATE CASCADE): the tallies follow it
        conn.execute("UPDATE question SET id = 'vectors-choice-2' WHERE id = 'vectors-choice'")
        conn.execute("UPDATE topic SET id = 'vectors-2' WHERE id = 'vectors'")
        tally = dict(((q, t), (n, p)) for _pack, q, t, n, p in aggregates.stored(conn)["review_tally"])
        assert tally[("vectors-choice-2", "vectors-2")] == (3, 2)  # Good, Good, Again
        assert not any(q == "vectors-choice" or t == "vectors" for q, t in tally)
        conn.execute("UPDATE review SET rating = 1, correct = NULL")
        conn.execute("UPDATE review SET reviewed_at = '2020-05-05 05:05:05.000000' WHERE rating = 1")
        assert aggregates.stored(conn) == aggregates.recount(conn)
        assert aggregates.stored(conn)["review_hour"] == [(s.pack, "2020-05-05 05", len(REVIEWS), 0)]
        assert queries.review_count(conn, s.pack) == queries.review_count(conn, None) == len(REVIEWS)
    finally:
        s.close()


def test_first_reviews_come_from_the_question_time_index(learner):
    s = session()
    try:
        plan = " ".join(r[3] for r in s.conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM review WHERE pack = ? AND question_id = ? ORDER BY reviewed_at, id "
            "LIMIT 1", (s.pack, "vectors-choice")))
        assert "ix_review_pack_question_at" in plan and "TEMP B-TREE" not in plan
        # from the fixed history: 4 repeats of 8 reviews; vectors-choice 23:30 Good, vectors-tf Good, gd-tf Hard
        # pass, vectors-choice 01-02 Again fails
        assert aggregates.retention_by_area(s.conn) == {"maths": (3, 2), "ml": (1, 1)}
    finally:
        s.close()


# --- export / import ----------------------------------------------------------------------------------------------

def _everything(conn) -> dict:
    data = history.dump(conn, None)
    data["topics"] = conn.execute("SELECT id, title, area, active FROM topic ORDER BY id").fetchall()
    data["questions"] = conn.execute("SELECT id, topic_id, kind, active FROM question ORDER BY id").fetchall()
    data["summaries"] = aggregates.stored(conn)
    data["schema"] = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'review' "
                                  "ORDER BY 1, 2").fetchall()  # indexes and triggers set aside and put back
    return data


def _add_many(conn, n: int, seed: int = 7) -> None:
    import random

    rng = random.Random(seed)
    t = datetime(2023, 1, 1, tzinfo=timezone.utc)
    for _ in range(n):
        t += timedelta(minutes=rng.randint(1, 600), microseconds=rng.choice([0, rng.randint(1, 999_999)]))
        q, topic = rng.choice(QUESTIONS)
        _review(conn, q, topic, t, rng.randint(1, 4), rng.choice([None, True, False]))


@pytest.mark.parametrize("name", ["backup.json", "backup.json.gz", "BACKUP.JSON.GZ"])
def test_streamed_backup_round_trips_a_history_exactly(cli, learner, tmp_path, name):
    s = session()
    try:
        _add_many(s.conn, 300)
        original = _everything(s.conn)
    finally:
        s.close()
    file = tmp_path / name
    code, out, err = cli("export", str(file), "--json")
    assert code == 0, err
    assert json.loads(out)["reviews"] == len(REVIEWS) + 300
    raw = file.read_bytes()
    gzipped = raw[:2] == b"\x1f\x8b"
    assert gzipped == name.lower().endswith(".gz")
    doc = json.loads(gzip.decompress(raw) if gzipped else raw)
    assert doc["format"] == "mlpath-backup" and doc["version"] == 3 and len(doc["reviews"]) == len(REVIEWS) + 300

    learner("fresh")
    code, out, err = cli("import", str(file), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["added"]["reviews"] == len(REVIEWS) + 300 and result["reviews_after"] == len(REVIEWS) + 300
    s = session()
    try:
        assert _everything(s.conn) == original
        assert aggregates.stored(s.conn) == aggregates.recount(s.conn)
    finally:
        s.close()
    code, out, err = cli("import", str(file), "--json")  # again: nothing new, nothing doubled
    assert code == 0 and json.loads(out)["added"]["reviews"] == 0
    s = session()
    try:
        assert _everything(s.conn) == original
    finally:
        s.close()


def test_duplicates_inside_one_file_count_once(cli, learner, tmp_path):
    file = tmp_path / "b.json"
    assert cli("export", str(file))[0] == 0
    doc = json.loads(file.read_text())
    doc["reviews"] = doc["reviews"] + doc["reviews"][:3]
    doc["status_events"] = doc["status_events"] * 2
    file.write_text(json.dumps(doc, indent=3))  # another layout: records over several lines
    learner("fresh")
    code, out, err = cli("import", str(file), "--json")
    assert code == 0, err
    added = json.loads(out)["added"]
    assert added["reviews"] == len(REVIEWS) and added["status_events"] == 3
    assert json.loads(out)["in_file"]["reviews"] == len(REVIEWS) + 3


def test_export_reads_one_snapshot(cli, learner, tmp_path, monkeypatch):
    """A review committed by another process while the export runs is in neither section: the file is one
    moment of the database (before, an export could hold a review whose card it lacked)."""
    import sqlite3

    home = os.environ["MLPATH_HOME"]
    real = history.dump_rows
    other = sqlite3.connect(os.path.join(home, "mlpath.db"), isolation_level=None, timeout=10)
    other.execute("PRAGMA foreign_keys = ON")

    pack = other.execute("SELECT pack FROM topic WHERE id = 'matrices'").fetchone()[0]

    def meanwhile(conn, section, pack_, chunk=2000):
        if section == "cards":  # between the sections: a new card and its review land
            other.execute("BEGIN IMMEDIATE")
            card = other.execute(
                "INSERT INTO card (pack, question_id, state, due, created_at, reps, lapses) VALUES "
                f"('{pack}', 'matrices-det', 2, '2025-01-03 00:00:00.000000', '2025-01-02 10:00:00.000000', 1, 0)").lastrowid
            other.execute("INSERT INTO review (card_id, pack, question_id, topic_id, reviewed_at, rating) VALUES "
                          "(?, ?, 'matrices-det', 'matrices', '2025-01-02 10:00:00.000000', 3)", (card, pack))
            other.execute("COMMIT")
        yield from real(conn, section, pack_, chunk)

    monkeypatch.setattr(history, "dump_rows", meanwhile)
    file = tmp_path / "b.json"
    code, out, err = cli("export", str(file), "--json")
    other.close()
    assert code == 0, err
    doc = json.loads(file.read_text())
    assert len(doc["reviews"]) == len(REVIEWS) and len(doc["cards"]) == 4
    assert all(r["question"] != "matrices-det" for r in doc["reviews"])
    learner("fresh")
    assert cli("import", str(file))[0] == 0


def test_a_killed_exports_temporary_file_is_cleaned_up(cli, learner, tmp_path):
    import fcntl

    file = tmp_path / "b.json"
    old = time.time() - 3600
    stale = tmp_path / ".b.json.k2j4h_9x.tmp"
    busy = tmp_path / ".b.json.abcdefgh.tmp"
    other_name = tmp_path / ".c.json.k2j4h_9x.tmp"
    not_ours = tmp_path / ".b.json.notmine-at-all.tmp"
    for f in (stale, busy, other_name, not_ours):
        f.write_text("{half a backup")
        os.utime(f, (old, old))
    with open(busy, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # an export still writing it
        mask = os.umask(0o027)
        try:
            code, out, err = cli("export", str(file))
        finally:
            os.umask(mask)
    assert code == 0, err
    assert not stale.exists()
    assert busy.exists() and other_name.exists() and not_ours.exists()
    assert stat.S_IMODE(file.stat().st_mode) == 0o640  # the user's umask, like any file they write
    assert sorted(p.name for p in tmp_path.glob(".b.json.*")) == [busy.name, not_ours.name]


def test_import_refuses_what_is_not_a_regular_file_at_once(cli, learner, tmp_path):
    t0 = time.perf_counter()
    code, out, err = cli("import", "/dev/zero")
    assert code == 2 and err.count("\n") == 1 and "not a regular file" in err
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    code, out, err = cli("import", str(fifo))
    assert code == 2 and err.count("\n") == 1 and "not a regular file" in err
    assert time.perf_counter() - t0 < 5


def test_a_backup_bigger_than_the_bound_is_refused(cli, learner, tmp_path, monkeypatch):
    from mlpath.app import backup

    file = tmp_path / "b.json"
    assert cli("export", str(file))[0] == 0
    s = session()
    try:
        before = _everything(s.conn)
    finally:
        s.close()
    monkeypatch.setattr(backup, "MAX_FILE", 1000)
    code, out, err = cli("import", str(file))
    assert code == 2 and err.count("\n") == 1 and "never this big" in err
    gz = tmp_path / "bomb.json.gz"  # small on disk, big once inflated
    gz.write_bytes(gzip.compress(b'{"format": "mlpath-backup", "version": 1, "x": "' + b" " * 5000 + b'"}'))
    assert gz.stat().st_size < 1000
    code, out, err = cli("import", str(gz))
    assert code == 2 and err.count("\n") == 1 and "never this big" in err
    s = session()
    try:
        assert _everything(s.conn) == before
    finally:
        s.close()


# --- an import killed at any moment leaves the database as it was (or fully imported) ---------------------------

def _big_backup(doc: dict, n: int) -> dict:
    """``doc`` with ``n`` more reviews of its cards, at distinct times."""
    cards = doc["cards"]
    extra = []
    t = datetime(2023, 6, 1, tzinfo=timezone.utc)
    for i in range(n):
        card = cards[i % len(cards)]
        t += timedelta(minutes=7, microseconds=i)
        extra.append({"pack": card["pack"], "question": card["question"], "topic": card["topic"], "area": card["area"],
                      "reviewed_at": t.isoformat(), "rating": 1 + i % 4, "correct": None if i % 5 else i % 2 == 0,
                      "answer": f"answer {i}", "response_ms": 1000 + i, "seed": None})
    return {**doc, "reviews": extra + doc["reviews"]}


@pytest.mark.slow
def test_an_import_killed_at_random_moments_changes_nothing_or_everything(cli, learner, tmp_path, mini):
    import random
    import shutil
    import signal
    import sqlite3
    import subprocess

    from conftest import mlpath_exe

    file = tmp_path / "small.json"
    assert cli("export", str(file))[0] == 0
    big = tmp_path / "big.json"
    big.write_text(json.dumps(_big_backup(json.loads(file.read_text()), 60_000)))
    home = tmp_path / "home"
    pristine = tmp_path / "pristine"
    shutil.copytree(home, pristine)

    def state(folder):
        conn = sqlite3.connect(folder / "mlpath.db")
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert aggregates.stored(conn) == aggregates.recount(conn)
            return _everything(conn)
        finally:
            conn.close()

    env = {**os.environ, "MLPATH_CONTENT": str(mini), "MLPATH_NOW": "2025-01-02T12:00:00+00:00"}
    done = tmp_path / "done"
    shutil.copytree(pristine, done)
    t0 = time.perf_counter()
    subprocess.run([*mlpath_exe(), "import", str(big)], env={**env, "MLPATH_HOME": str(done)}, check=True,
                   capture_output=True)
    duration = time.perf_counter() - t0
    before, after = state(pristine), state(done)
    assert len(after["reviews"]) == len(before["reviews"]) + 60_000

    rng = random.Random(15)
    seen = set()
    for round_ in range(8):
        target = tmp_path / f"kill-{round_}"
        shutil.copytree(pristine, target)
        proc = subprocess.Popen([*mlpath_exe(), "import", str(big)], env={**env, "MLPATH_HOME": str(target)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, duration * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = state(target)
        assert now in (before, after), f"round {round_}: the database is neither before nor after the import"
        seen.add("after" if now == after else "before")
    assert "before" in seen  # at least one kill landed mid-way (the import takes a while)


def test_a_damaged_time_from_an_old_version_breaks_neither_stats_nor_export(cli, learner, tmp_path):
    """Before import checked times, a year before 1000 was stored unpadded ('999-...'): stats and export crashed,
    and the learner could no longer take a backup. Now stats leaves the row out of the days and export carries it."""
    s = session()
    try:
        s.conn.execute("UPDATE review SET reviewed_at = '999-06-01 10:00:00.000000' WHERE id = 1")
    finally:
        s.close()
    code, out, err = cli("stats", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["total_reviews"] == len(REVIEWS) and sum(d["answers"] for d in report["daily"]) <= len(REVIEWS) - 1
    file = tmp_path / "b.json"
    code, out, err = cli("export", str(file))
    assert code == 0, err
    assert "999-06-01 10:00:00.000000" in [r["reviewed_at"] for r in json.loads(file.read_text())["reviews"]]
    learner("fresh")
    code, out, err = cli("import", str(file))  # refused, naming the entry: the file holds a damaged time
    assert code == 2 and "reviewed_at" in err and "expected an ISO 8601 time" in err


# --- progress of a long export or import -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["backup.json", "backup.json.gz"])
def test_export_and_import_report_how_far_they_are(cli, learner, tmp_path, monkeypatch, name):
    """The use cases tell a caller how far a long step is: export after each batch of reviews (up to all of them),
    import as it reads the file (bytes of the file on disk, compressed or not, up to its size) and once when it
    merges. The CLI draws them as a bar on a terminal."""
    from mlpath.app import backup

    s = session()
    try:
        _add_many(s.conn, 300)
    finally:
        s.close()
    monkeypatch.setattr(history, "dump_rows", _small_batches(history.dump_rows))
    file = tmp_path / name
    calls: list[tuple] = []
    s = session()
    try:
        backup.export_backup(s, file, progress=lambda *a: calls.append(a))
        total = queries.review_count(s.conn, s.pack)
    finally:
        s.close()
    assert total == len(REVIEWS) + 300
    assert {c[0] for c in calls} == {"write"} and len(calls) > 3
    assert [c[1] for c in calls] == sorted(c[1] for c in calls) and calls[-1][1:] == (total, total)

    monkeypatch.setattr(backup, "CHUNK", 512)
    monkeypatch.setattr(backup, "PROGRESS_CHUNKS", 1)
    learner("fresh")
    calls.clear()
    s = session()
    try:
        result = backup.import_backup(s, file, progress=lambda *a: calls.append(a))
    finally:
        s.close()
    assert result["added"]["reviews"] == total
    reads = [c for c in calls if c[0] == "read"]
    size = file.stat().st_size
    assert len(reads) > 3 and all(c[2] == size for c in reads)
    assert [c[1] for c in reads] == sorted(c[1] for c in reads) and 0 < reads[-1][1] <= size
    assert calls[-1] == ("merge", 0, None) and calls.index(calls[-1]) == len(reads)


def _small_batches(dump_rows):
    def rows(conn, section, pack, chunk=2000):
        yield from dump_rows(conn, section, pack, chunk=50)
    return rows


def test_no_bar_when_stderr_is_not_a_terminal(cli, learner, tmp_path):
    """In a pipe (or under a test runner) export and import print what they always printed, and nothing else."""
    file = tmp_path / "b.json"
    code, out, err = cli("export", str(file))
    assert code == 0 and err == "" and out.startswith("Wrote ")
    learner("fresh")
    code, out, err = cli("import", str(file))
    assert code == 0 and err == "" and out.startswith("Importing into ")
