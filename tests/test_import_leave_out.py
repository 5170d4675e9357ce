"""Importing a backup again stages only what is new (history.StoredReviews): a review the database holds already
(same pack, question, time and rating) is left out while the file is read. That must never change what an import
does: for any file and any database, leaving out gives exactly the database (row ids and review ids included) and
the result that staging every record gives. The cases where leaving out would not be exact - the file gives review
ids of its own after something was left out, another process changes the database before the merge, a "version"
given twice - start the import over without it."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learning_history import install
from mlpath.app import backup
from mlpath.core.review_ids import review_uid, uid_time_bounds
from mlpath.core.scheduling import CardState
from mlpath.store import history, queries

QUESTIONS = [("vectors-choice", "vectors"), ("vectors-tf", "vectors"), ("matrices-half", "matrices"),
             ("matrices-det", "matrices"), ("gd-tf", "gradient-descent")]


def _session():
    from mlpath.app.session import open_session

    return open_session()


@pytest.fixture
def learner(mini, monkeypatch, tmp_path):
    """switch(folder) points MLPATH_HOME there; switch.base is a folder with a history (the fixed one and 40 more
    reviews, every one with its id)."""
    install(mini, monkeypatch)
    s = _session()
    try:
        _add_reviews(s.conn, 40, seed=3)
    finally:
        s.close()

    def switch(home):
        monkeypatch.setenv("MLPATH_HOME", str(home))

    switch.base = Path(os.environ["MLPATH_HOME"])
    return switch


def _add_reviews(conn, n: int, seed: int) -> None:
    rng = random.Random(seed)
    t = datetime(2023, 1, 1, tzinfo=timezone.utc)
    for _ in range(n):
        t += timedelta(minutes=rng.randint(1, 600), microseconds=rng.choice([0, rng.randint(1, 999_999)]))
        q, topic = rng.choice(QUESTIONS)
        rating = rng.randint(1, 4)
        after = CardState(2 if rating > 1 else 3, None, 3.0, 5.0, t + timedelta(days=1), t)
        pack = conn.execute("SELECT pack FROM topic WHERE id = ?", (topic,)).fetchone()[0]
        queries.record_review(conn, pack, question_id=q, topic_id=topic, before=None, after=after, now=t,
                              rating=rating, correct=rng.choice([None, True, False]), answer="x", response_ms=900,
                              seed=None)


def _state(conn) -> dict:
    return {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("review", "card", "topic", "question", "topic_status", "status_event", "review_hour",
                          "review_tally")}


def _import(home, learner, path, leave_out: bool | None):
    """Import ``path`` into the data folder ``home``: leave_out None is the real use case (`import_backup`),
    True/False one attempt with or without leaving out. Returns (result or refusal, the database afterwards)."""
    learner(home)
    s = _session()
    try:
        try:
            if leave_out is None:
                result = backup.import_backup(s, path)
            else:
                result = backup._import_backup(s, path, False, leave_out=leave_out)
        except history.Restart:
            result = "restart"
        except Exception as e:  # noqa: BLE001 - a refusal must be the same either way
            result = f"{type(e).__name__}: {e}"
        return result, _state(s.conn)
    finally:
        s.close()


_edit = st.fixed_dictionaries({
    "keep": st.lists(st.booleans(), min_size=60, max_size=60),  # which stored reviews the file still has
    "new": st.integers(0, 12),  # reviews the database lacks (a stored one moved in time, or rated otherwise)
    "doubles": st.integers(0, 5),  # records given twice
    "order": st.sampled_from(["export", "reversed", "shuffled"]),
    "uid": st.sampled_from([None, "fresh", "of-a-stored-review", "of-a-left-out-review"]),
    "uid_at": st.floats(0, 1),
    "version": st.sampled_from([2, 3]),
    "batch": st.sampled_from([3, 7, 5000]),
    "slack": st.sampled_from([0, 2, 1000]),
    "seed": st.integers(0, 2**16),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edit=_edit)
def test_leaving_out_stored_reviews_changes_nothing(learner, tmp_path, cli, monkeypatch, edit):
    base = learner.base
    if not (tmp_path / "exported.json").exists():
        learner(base)
        assert cli("export", str(tmp_path / "exported.json"))[0] == 0
    exported = json.loads((tmp_path / "exported.json").read_text())
    rng = random.Random(edit["seed"])
    stored = exported["reviews"]
    reviews = [r for r, keep in zip(stored, edit["keep"]) if keep]
    for _ in range(edit["new"]):
        r = dict(rng.choice(stored))
        if rng.random() < 0.5:
            r["rating"] = r["rating"] % 4 + 1
        else:
            at = datetime.fromisoformat(r["reviewed_at"]) + timedelta(microseconds=rng.randint(1, 10**9))
            r["reviewed_at"] = at.isoformat()
        reviews.append(r)
    for _ in range(edit["doubles"]):
        if reviews:
            reviews.insert(rng.randrange(len(reviews) + 1), dict(rng.choice(reviews)))
    if edit["order"] == "reversed":
        reviews.reverse()
    elif edit["order"] == "shuffled":
        rng.shuffle(reviews)
    if edit["uid"] and reviews:
        at = int(edit["uid_at"] * (len(reviews) - 1))
        r = dict(reviews[at])
        if edit["uid"] == "fresh":
            r["uid"] = review_uid(r["question"], datetime(2030, 1, 1, tzinfo=timezone.utc), 3)
        else:  # the id another record gets (a stored one, or one the file lacks), on a record with another key
            source = rng.choice(stored if edit["uid"] == "of-a-stored-review" else [r for r, k in
                                zip(stored, edit["keep"]) if not k] or stored)
            r["uid"] = review_uid(source["question"], datetime.fromisoformat(source["reviewed_at"]),
                                  source["rating"])
            r["rating"] = r["rating"] % 4 + 1
        reviews.insert(at + 1, r)
    doc = {**exported, "version": edit["version"], "reviews": reviews}
    if edit["version"] == 2:
        doc.pop("learner", None)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(doc))
    monkeypatch.setattr(backup, "STAGE_ROWS", edit["batch"])
    monkeypatch.setattr(history.StoredReviews, "SLACK", edit["slack"])

    outcomes = []
    for leave_out in (None, False):
        home = tmp_path / f"home-{leave_out}"
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(base, home)
        outcomes.append(_import(home, learner, path, leave_out))
    assert outcomes[0] == outcomes[1]
    result = outcomes[0][0]
    assert isinstance(result, dict), result  # (every edit above gives a file mlpath imports)
    assert result["added"]["reviews"] <= edit["new"] + (edit["uid"] is not None)


def _base_and_file(tmp_path, learner, cli):
    base = learner.base
    learner(base)
    path = tmp_path / "b.json"
    assert cli("export", str(path))[0] == 0
    return base, path


def _copy(base, tmp_path, name):
    home = tmp_path / name
    shutil.copytree(base, home)
    return home


def test_importing_again_stages_no_review(learner, tmp_path, cli, monkeypatch):
    base, path = _base_and_file(tmp_path, learner, cli)
    staged = []
    real_add = history.Staging.add

    def add(self, section, rows):
        real_add(self, section, rows)
        if section == "reviews":
            staged.append(self.conn.execute("SELECT COUNT(*) FROM import_review").fetchone()[0])

    monkeypatch.setattr(history.Staging, "add", add)
    monkeypatch.setattr(backup, "STAGE_ROWS", 10)
    learner(base)
    s = _session()
    try:
        before = _state(s.conn)
        result = backup.import_backup(s, path)
        assert result["added"]["reviews"] == 0 and result["in_file"]["reviews"] == len(before["review"]) > 40
        assert _state(s.conn) == before
    finally:
        s.close()
    assert staged in ([], [0] * len(staged))  # every batch left out whole (an empty batch is not staged at all)


def test_a_review_removed_by_another_process_before_the_merge_is_imported(learner, tmp_path, cli, monkeypatch):
    """Another process removes a stored review while the file is being staged (as removing a pack does): the import
    left that review out because it was stored, so it starts over and brings it back from the file, as staging every
    record does."""
    base, path = _base_and_file(tmp_path, learner, cli)
    remove = "DELETE FROM review WHERE id = (SELECT MAX(id) FROM review)"
    reference = _copy(base, tmp_path, "reference")
    other = sqlite3.connect(reference / "mlpath.db", isolation_level=None)
    other.execute(remove)
    other.close()
    expected = _import(reference, learner, path, False)
    assert expected[0]["added"]["reviews"] == 1

    home = _copy(base, tmp_path, "copy")
    real_ready = history.Staging.ready
    attempts = []

    def ready(self):
        real_ready(self)
        attempts.append(self.conn.execute("SELECT COUNT(*) FROM import_review").fetchone()[0])
        if len(attempts) == 1:  # staged, not merged yet: a second connection removes the latest review
            other = sqlite3.connect(home / "mlpath.db", isolation_level=None)
            try:
                other.execute(remove)
            finally:
                other.close()

    monkeypatch.setattr(history.Staging, "ready", ready)
    assert _import(home, learner, path, None) == expected
    assert attempts[0] == 0 and attempts[1] == len(expected[1]["review"])  # left out, then staged whole


def test_a_version_given_twice_ending_in_1_stages_again(learner, tmp_path, cli):
    """A file whose "version" is 3 before its records and 1 after them is a version-1 file (the last key wins):
    its records' pack labels are not theirs, so what was left out by label is staged again."""
    base, path = _base_and_file(tmp_path, learner, cli)
    text = path.read_text()
    head, tail = text.rsplit("}", 1)
    path.write_text(head.rstrip() + ',\n "version": 1\n}' + tail)
    results = [_import(_copy(base, tmp_path, f"h{i}"), learner, path, leave_out)
               for i, leave_out in enumerate((None, False))]
    assert results[0] == results[1]
    assert isinstance(results[0][0], dict) and results[0][0]["added"]["reviews"] == 0


def test_uid_time_bounds_hold_the_ids_of_reviews_in_that_time():
    rng = random.Random(5)
    for _ in range(500):
        a = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=rng.randint(0, 2**62 // 1000))
        if a.year > 9998:
            continue
        b = a + timedelta(microseconds=rng.choice([0, 1, 999, 1000, rng.randint(0, 10**12)]))
        text = [x.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f") for x in (a, b)]
        low, high = uid_time_bounds(*text)
        for at in (a, b, a + (b - a) / 2):
            uid = review_uid("q", at, rng.randint(1, 4))
            assert low <= uid < high
        before = a - timedelta(milliseconds=1)
        if before.year >= 1970:
            assert review_uid("q", before, 3) < low
        after = b + timedelta(milliseconds=1)
        assert review_uid("q", after, 3) >= high
    assert uid_time_bounds("2024-13-01 00:00:00.000000", "2024-12-01 00:00:00.000000") is None
    assert uid_time_bounds("2024-12-01T00:00:00", "2024-12-01 00:00:00.000000") is None
