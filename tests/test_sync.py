"""`mlpath sync` and `mlpath class` against the real PostgreSQL server: two devices of one learner converge, a
second learner sees nothing, the class report shows both, the database walls learners off (plain SQL), and faults
(interrupted, repeated, concurrent, server ahead, wrong credentials, server gone) lose or double nothing."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess

import pytest

from pg_class import pg_class  # noqa: F401  (fixture)

pytestmark = pytest.mark.postgres

T1, T2, T3, T4 = (f"2026-11-0{d}T10:00:00+00:00" for d in (1, 2, 3, 4))


class Device:
    """One data folder, run through the CLI with the given sync URL."""

    def __init__(self, cli, monkeypatch, home, url):
        self.cli, self.mp, self.home, self.url = cli, monkeypatch, home, url

    def __call__(self, *args, now=T4, input=None, ok=True):
        self.mp.setenv("MLPATH_HOME", str(self.home))
        self.mp.setenv("MLPATH_NOW", now)
        self.mp.setenv("MLPATH_SYNC_URL", self.url)
        code, out, err = self.cli(*args, input=input)
        if ok:
            assert code == 0, err
        return code, out, err

    def json(self, *args, now=T4):
        return json.loads(self(*args, "--json", now=now)[1])

    def sql(self, query, args=()):
        conn = sqlite3.connect(self.home / "mlpath.db")
        try:
            return conn.execute(query, args).fetchall()
        finally:
            conn.close()

    def cards(self):
        return self.sql("SELECT question_id, state, step, stability, difficulty, due, last_review, reps, lapses "
                        "FROM card ORDER BY question_id")

    def reviews(self):
        return self.sql("SELECT uid, question_id, topic_id, reviewed_at, rating, correct, answer FROM review "
                        "ORDER BY uid")


def _class(cli, pg, *learners, teacher="tess"):
    code, out, err = cli("class", "init", "--admin-url", pg.url)
    assert code == 0, err
    urls = {}
    for name in (*learners, teacher):
        code, out, err = cli("class", "add-learner", name, "--admin-url", pg.url, "--json",
                             *(["--teacher"] if name == teacher else []))
        assert code == 0, err
        made = json.loads(out)
        assert made["learner"] == name and made["url"].startswith("postgresql://")
        urls[name] = made["url"]
    return urls


def _password(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).password


@pytest.mark.parametrize("order", ["ab", "ba"])
def test_two_devices_converge_a_second_learner_sees_nothing_and_the_report_shows_both(
        cli, monkeypatch, tmp_path, pg_class, order):
    urls = _class(cli, pg_class, "alice", "bob")
    a = Device(cli, monkeypatch, tmp_path / "a", urls["alice"])
    b = Device(cli, monkeypatch, tmp_path / "b", urls["alice"])
    bob = Device(cli, monkeypatch, tmp_path / "bob", urls["bob"])
    teacher = Device(cli, monkeypatch, tmp_path / "t", urls["tess"])

    # offline: each device studies on its own, answering some of the same questions
    a("start", "vectors", now=T1)
    a("quiz", "vectors", now=T1, input="1\n2\n3\n1\n")
    b("done", "vectors", now=T2)
    b("start", "matrices", now=T2)
    b("quiz", "vectors", now=T2, input="2\n2\n2\n")
    b("quiz", "vectors", now=T3, input="1\n1\n")
    before = {d: len(d.reviews()) for d in (a, b)}
    assert before[a] > 0 and before[b] > 0

    first, second = (a, b) if order == "ab" else (b, a)
    for d in (first, second, first):
        d("sync")
    for d in (a, b):
        assert d.json("progress") == a.json("progress")
        assert d.json("stats") == a.json("stats")
    assert a.reviews() == b.reviews()
    assert len(a.reviews()) == before[a] + before[b]  # the union, each exactly once
    assert a.cards() == b.cards()
    status = {t["id"]: t["status"] for t in a.json("topics")}
    assert status["vectors"] == "done" and status["matrices"] == "in_progress"  # latest change wins, by time

    # the cards are the merged log replayed in time order (device order cannot matter)
    from mlpath.core.scheduling import replay_counted
    from mlpath.store.db import from_db

    for question, state, step, stability, difficulty, due, last, reps, lapses in a.cards():
        log = [(r, from_db(at), ms) for r, at, ms in a.sql(
            "SELECT rating, reviewed_at, response_ms FROM review WHERE question_id = ? ORDER BY reviewed_at, uid",
            (question,))]
        expect, n, lost = replay_counted(log, log[0][1])
        assert (state, step, stability, difficulty, due, reps, lapses) == (
            int(expect.state), expect.step, expect.stability, expect.difficulty,
            expect.due.strftime("%Y-%m-%d %H:%M:%S.%f"), n, lost)

    # a second learner on the same server sees none of it
    bob("sync")
    assert bob.reviews() == [] and bob.json("progress")["reviews"] == 0
    bob("quiz", "vectors", now=T3, input="3\n")
    bob("sync")

    report = teacher.json("class", "report")
    people = {p["learner"]: p for p in report["learners"]}
    assert set(people) == {"alice", "bob", "tess"}
    assert people["alice"]["reviews"] == before[a] + before[b] and people["bob"]["reviews"] == 1
    assert people["alice"]["reviews_7d"] == before[a] + before[b]  # all within the week before T4
    assert people["alice"]["topics_done"] == 1 and people["alice"]["topics_in_progress"] == 1
    assert people["bob"]["topics_done"] == 0 and people["tess"]["teacher"] is True
    code, out, err = teacher("class", "report")
    assert "alice" in out and "bob" in out


def test_row_level_security_refuses_another_learners_rows_with_plain_sql(cli, monkeypatch, tmp_path, pg_class):
    import psycopg

    urls = _class(cli, pg_class, "alice", "bob")
    a = Device(cli, monkeypatch, tmp_path / "a", urls["alice"])
    a("quiz", "vectors", now=T1, input="1\n2\n")
    a("start", "vectors", now=T1)
    a("sync")
    alice_role = pg_class.sql("SELECT role FROM mlpath.member WHERE learner = 'alice'")[0][0]
    assert pg_class.sql("SELECT count(*) FROM mlpath.review")[0][0] == 2

    with psycopg.connect(urls["bob"], autocommit=True) as conn:
        for table in ("review", "status_event", "head", "tally"):
            assert conn.execute(f"SELECT count(*) FROM mlpath.{table}").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM mlpath.review WHERE learner = %s", (alice_role,)).fetchone()[0] == 0
        assert conn.execute("SELECT learner FROM mlpath.member").fetchall() == [("bob",)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # writing as alice: refused by the policy
            conn.execute("INSERT INTO mlpath.review (learner, pack, uid, question, topic, area, reviewed_at, rating, "
                         "pos) VALUES (%s, 'mlpath-roadmap', '01900000-0000-7000-8000-000000000000', 'q', 't', 'a', "
                         "now(), 3, 99)", (alice_role,))
        for statement in ("UPDATE mlpath.review SET rating = 1", "DELETE FROM mlpath.review",
                          "DELETE FROM mlpath.status_event", "TRUNCATE mlpath.review",
                          "ALTER TABLE mlpath.review DISABLE ROW LEVEL SECURITY"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # nor may bob make himself a teacher
            conn.execute("INSERT INTO mlpath.member (role, learner, teacher) VALUES (current_user, 'x', true)")
    # alice herself may add but not rewrite her own log
    with psycopg.connect(urls["alice"], autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM mlpath.review").fetchone()[0] == 2
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM mlpath.review")
    assert pg_class.sql("SELECT count(*) FROM mlpath.review")[0][0] == 2
    # the teacher reads the class, and only reads
    with psycopg.connect(urls["tess"], autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM mlpath.review").fetchone()[0] == 2
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE mlpath.review SET rating = 1")
    for table in ("member", "head", "tally", "review", "status_event"):
        assert pg_class.sql("SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = %s::regclass",
                            (f"mlpath.{table}",)) == [(True, True)]


def test_a_teacher_of_another_class_sees_nothing(cli, monkeypatch, tmp_path, pg_class):
    import psycopg

    from pg_class import PgClass

    urls = _class(cli, pg_class, "alice")
    Device(cli, monkeypatch, tmp_path / "a", urls["alice"])("quiz", "vectors", now=T1, input="1\n")
    Device(cli, monkeypatch, tmp_path / "a", urls["alice"])("sync")
    other = PgClass()
    try:
        other_urls = _class(cli, other, "carol", teacher="otto")
        foreign = other_urls["otto"].rsplit("/", 1)[0] + "/" + pg_class.name  # otto's role, alice's class
        with pytest.raises(psycopg.OperationalError):  # may not even connect to another class's database
            psycopg.connect(foreign).close()
        monkeypatch.setenv("MLPATH_SYNC_URL", foreign)
        monkeypatch.setenv("MLPATH_HOME", str(tmp_path / "otto"))
        code, out, err = cli("class", "report")
        assert code == 2 and "not a member of this class" in err and _password(foreign) not in err
    finally:
        other.drop()


def test_interrupted_and_repeated_pushes_and_pulls_lose_and_double_nothing(cli, monkeypatch, tmp_path, pg_class):
    from mlpath.app import sync as use_case
    from mlpath.store import sync_local

    urls = _class(cli, pg_class, "alice")
    a = Device(cli, monkeypatch, tmp_path / "a", urls["alice"])
    b = Device(cli, monkeypatch, tmp_path / "b", urls["alice"])
    a("quiz", "vectors", now=T1, input="1\n2\n3\n1\n")
    a("quiz", "matrices", now=T2, input="1\n2\n3\n")
    monkeypatch.setattr(use_case, "BATCH", 2)

    real = sync_local.pushed
    calls = []

    def crash_after_the_server_committed(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # killed between the server's commit and the local bookkeeping
        return real(*args, **kwargs)

    monkeypatch.setattr(sync_local, "pushed", crash_after_the_server_committed)
    code, out, err = a("sync", ok=False)
    assert code == 130
    monkeypatch.setattr(sync_local, "pushed", real)
    a("sync")  # pushes the batch again: the server skips what it has
    a("sync")
    assert pg_class.sql("SELECT count(*), count(DISTINCT uid) FROM mlpath.review")[0] == (7, 7)

    real_pull = sync_local.pulled_reviews
    pulls = []

    def crash_mid_pull(*args, **kwargs):
        pulls.append(1)
        if len(pulls) == 3:
            raise KeyboardInterrupt
        return real_pull(*args, **kwargs)

    monkeypatch.setattr(sync_local, "pulled_reviews", crash_mid_pull)
    assert b("sync", ok=False)[0] == 130
    monkeypatch.setattr(sync_local, "pulled_reviews", real_pull)
    b("sync")
    b("sync")
    a("sync")
    assert a.reviews() == b.reviews() and len(b.reviews()) == 7
    assert a.cards() == b.cards()
    assert b.sql("SELECT count(*) FROM sync_pending") == [(0,)]
    assert pg_class.sql("SELECT count(*) FROM mlpath.review")[0][0] == 7


def test_the_server_going_away_mid_sync_loses_nothing_and_the_next_sync_completes(cli, monkeypatch, tmp_path,
                                                                                   pg_class):
    from mlpath.server import sync as remote

    urls = _class(cli, pg_class, "alice")
    a = Device(cli, monkeypatch, tmp_path / "a", urls["alice"])
    a("quiz", "vectors", now=T1, input="1\n2\n3\n")
    real = remote.push

    def server_gone(conn, *args, **kwargs):
        conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")  # the server drops the connection
        return real(conn, *args, **kwargs)

    monkeypatch.setattr(remote, "push", server_gone)
    code, out, err = a("sync", ok=False)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "lost the sync server" in err
    assert _password(urls["alice"]) not in err
    monkeypatch.setattr(remote, "push", real)
    a("sync")
    assert pg_class.sql("SELECT count(*) FROM mlpath.review")[0][0] == 3 == len(a.reviews())


@pytest.mark.slow
def test_concurrent_syncs_of_two_devices_and_of_one_device(run_mlpath, tmp_path, cli, pg_class):
    urls = _class(cli, pg_class, "alice")
    homes = [tmp_path / "d1", tmp_path / "d2"]
    for i, home in enumerate(homes):
        env = {"MLPATH_HOME": str(home), "MLPATH_NOW": T1 if i == 0 else T2}
        done = run_mlpath("quiz", "vectors", input="1\n2\n3\n4\n1\n", env=env)
        assert done.returncode == 0, done.stderr
    from conftest import mlpath_exe

    procs = []
    for home in (*homes, homes[0]):  # two devices at once, and the first device twice at once
        env = {**os.environ, "MLPATH_HOME": str(home), "MLPATH_NOW": T3, "MLPATH_SYNC_URL": urls["alice"]}
        procs.append(subprocess.Popen([*mlpath_exe(), "sync"], env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    for home in homes:
        env = {"MLPATH_HOME": str(home), "MLPATH_NOW": T3, "MLPATH_SYNC_URL": urls["alice"]}
        assert run_mlpath("sync", env=env).returncode == 0
    uids = [sorted(r[0] for r in sqlite3.connect(h / "mlpath.db").execute("SELECT uid FROM review")) for h in homes]
    assert uids[0] == uids[1] and len(uids[0]) == 10
    assert pg_class.sql("SELECT count(*), count(DISTINCT uid) FROM mlpath.review")[0] == (10, 10)


def test_a_server_one_schema_version_ahead_asks_to_upgrade_mlpath(cli, monkeypatch, tmp_path, pg_class):
    urls = _class(cli, pg_class, "alice")
    pg_class.sql("UPDATE mlpath.server_version SET version_num = 's0002_future'")
    a = Device(cli, monkeypatch, tmp_path / "a", urls["alice"])
    a("quiz", "vectors", now=T1, input="1\n")
    code, out, err = a("sync", ok=False)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "upgrade mlpath" in err
    code, out, err = cli("class", "init", "--admin-url", pg_class.url)
    assert code == 2 and "upgrade mlpath" in err
    pg_class.sql("UPDATE mlpath.server_version SET version_num = 's0001_class'")
    a("sync")
    assert len(a.reviews()) == 1


def test_wrong_credentials_and_a_non_member_are_one_line_exit_2_without_the_password(cli, monkeypatch, tmp_path,
                                                                                      pg_class):
    urls = _class(cli, pg_class, "alice")
    base = urls["alice"]
    wrong = base.replace("_u_alice:", "_u_mallory:")
    a = Device(cli, monkeypatch, tmp_path / "a", wrong)
    code, out, err = a("sync", ok=False)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "credentials" in err
    assert _password(base) not in err + out and "mallory" in err
    admin_as_learner = Device(cli, monkeypatch, tmp_path / "b", pg_class.url)
    code, out, err = admin_as_learner("sync", ok=False)
    assert code == 2 and "not a learner" in err


def test_the_password_is_never_printed_and_a_readable_config_warns(cli, monkeypatch, tmp_path, pg_class):
    urls = _class(cli, pg_class, "alice")
    home = tmp_path / "a"
    home.mkdir()
    config = home / "config.toml"
    config.write_text(f'sync_url = "{urls["alice"]}"\n')
    config.chmod(0o644)
    monkeypatch.setenv("MLPATH_HOME", str(home))
    monkeypatch.delenv("MLPATH_SYNC_URL", raising=False)
    code, out, err = cli("sync")
    assert code == 0, err
    assert _password(urls["alice"]) not in out + err
    assert "warning" in err and "chmod 600" in err
    config.chmod(0o600)
    code, out2, err = cli("sync", "--json")
    assert code == 0 and err == "" and _password(urls["alice"]) not in out2
    assert json.loads(out2)["server"] == urls["alice"].replace(":" + _password(urls["alice"]), "")


def test_a_pack_only_one_device_has_is_kept_on_the_server_not_pulled_into_another(cli, monkeypatch, tmp_path,
                                                                                   pg_class):
    import psycopg

    urls = _class(cli, pg_class, "alice")
    with psycopg.connect(urls["alice"]) as conn:  # another device's pack
        from mlpath.server import sync as remote
        from datetime import datetime, timezone

        at = datetime(2026, 11, 1, 9, tzinfo=timezone.utc)
        remote.push(conn, "review", "someone-elses-pack", [
            ("01900000-0000-7000-8000-000000000001", "q1", "t1", "area1", at, 3, True, "x", None, None)])
    a = Device(cli, monkeypatch, tmp_path / "a", urls["alice"])
    a("quiz", "vectors", now=T1, input="1\n")
    a("sync")
    a("sync")
    assert len(a.reviews()) == 1
    assert pg_class.sql("SELECT pack, count(*) FROM mlpath.review GROUP BY pack ORDER BY pack") == [
        ("mlpath-roadmap", 1), ("someone-elses-pack", 1)]


def test_each_pack_syncs_apart_even_where_two_packs_share_question_ids(cli, monkeypatch, tmp_path, pg_class):
    from test_packs import make_pack

    urls = _class(cli, pg_class, "alice")
    alpha = make_pack(tmp_path / "src" / "alpha", "alpha", "Alpha")
    beta = make_pack(tmp_path / "src" / "beta", "beta", "Beta")
    a = Device(cli, monkeypatch, tmp_path / "a", urls["alice"])
    b = Device(cli, monkeypatch, tmp_path / "b", urls["alice"])
    for d in (a, b):
        d("pack", "add", str(alpha), now=T1)
        d("pack", "add", str(beta), now=T1)
    # on device a: the same question id answered the same way at the same moment in both packs; basics done in alpha
    a("pack", "use", "beta", now=T1)
    a("quiz", "basics", now=T1, input="y\n")
    a("pack", "use", "alpha", now=T1)
    a("quiz", "basics", now=T1, input="y\n")
    a("done", "basics", now=T2)
    uids = [r[0] for r in a.reviews()]
    assert len(set(uids)) == 2  # two reviews, two ids

    a("sync", now=T3)  # alpha, the active pack, only
    assert pg_class.sql("SELECT pack, count(*) FROM mlpath.review GROUP BY pack ORDER BY pack") == [("alpha", 1)]
    assert pg_class.sql("SELECT pack, topic, status FROM mlpath.status_event") == [("alpha", "basics", "done")]
    a("sync", "--pack", "beta", now=T3)
    assert pg_class.sql("SELECT pack, count(*) FROM mlpath.review GROUP BY pack ORDER BY pack") == [
        ("alpha", 1), ("beta", 1)]

    b("pack", "use", "beta", now=T3)
    result = b.json("sync", now=T4)  # beta only: alpha's review and status stay on the server for now
    assert (result["pack"], result["pulled_reviews"], result["pulled_status_events"]) == ("beta", 1, 0)
    assert b.sql("SELECT pack, count(*) FROM review GROUP BY pack") == [("beta", 1)]
    assert b.json("progress", now=T4)["done"] == 0
    result = b.json("sync", "--pack", "alpha", now=T4)
    assert (result["pack"], result["pulled_reviews"], result["pulled_status_events"]) == ("alpha", 1, 1)
    assert b.json("progress", "--pack", "alpha", now=T4)["done"] == 1
    assert b.json("progress", now=T4)["done"] == 0  # beta's basics is still not started

    cards = "SELECT pack, question_id, state, stability, difficulty, due, last_review, reps FROM card ORDER BY 1, 2"
    statuses = "SELECT pack, topic_id, status, started_at, finished_at, updated_at FROM topic_status ORDER BY 1, 2"
    assert a.reviews() == b.reviews() and a.sql(cards) == b.sql(cards) and len(a.sql(cards)) == 2
    assert a.sql(statuses) == b.sql(statuses) == [("alpha", "basics", "done", a.sql(statuses)[0][3],
                                                   a.sql(statuses)[0][4], a.sql(statuses)[0][5])]
    assert a.sql("SELECT count(*) FROM sync_pending") == b.sql("SELECT count(*) FROM sync_pending") == [(0,)]


def test_a_review_of_a_question_this_device_lacks_is_kept(cli, monkeypatch, tmp_path, pg_class):
    import psycopg

    urls = _class(cli, pg_class, "alice")
    from datetime import datetime, timezone

    from mlpath.server import sync as remote

    with psycopg.connect(urls["alice"]) as conn:  # a device whose roadmap has a question this one lacks
        remote.push(conn, "review", "mlpath-roadmap", [
            ("01900000-0000-7000-8000-000000000002", "new-question", "new-topic", "maths",
             datetime(2026, 11, 1, 9, tzinfo=timezone.utc), 1, False, "?", 1200, None)])
    a = Device(cli, monkeypatch, tmp_path / "a", urls["alice"])
    a("sync")
    assert a.sql("SELECT q.active, t.active, t.area FROM question q JOIN topic t ON t.id = q.topic_id "
                 "WHERE q.id = 'new-question'") == [(0, 0, "maths")]
    assert [r[1] for r in a.reviews()] == ["new-question"]
    assert a.sql("SELECT reps, lapses FROM card WHERE question_id = 'new-question'") == [(1, 0)]
    a("progress")
    a("stats")


def test_class_commands_refuse_bad_input_in_one_line(cli, pg_class):
    code, out, err = cli("class", "init", "--admin-url", pg_class.url)
    assert code == 0
    for args, words in ((["add-learner", "Alice Smith"], "learner's name"), (["add-learner", "x" * 39], "38")):
        code, out, err = cli("class", *args, "--admin-url", pg_class.url)
        assert code == 2 and words in err and len(err.strip().splitlines()) == 1
    assert cli("class", "add-learner", "alice", "--admin-url", pg_class.url)[0] == 0
    code, out, err = cli("class", "add-learner", "alice", "--admin-url", pg_class.url)
    assert code == 2 and "already in the class" in err
    code, out, err = cli("class", "init", "--admin-url", "mysql://root@localhost/x")
    assert code == 2 and "postgresql://" in err


def _history(home, n_questions: int, per_question: int, start: str) -> int:
    """A device's history written straight into its database (as `mlpath quiz` stores it), fast."""
    from datetime import datetime, timedelta

    from mlpath.app.session import open_session
    from mlpath.core.review_ids import review_uid
    from mlpath.core.scheduling import replay
    from mlpath.store import db, tables

    os.environ["MLPATH_HOME"] = str(home)
    t0 = datetime.fromisoformat(start)
    s = open_session(now=t0)
    questions = s.conn.execute("SELECT id, topic_id FROM question WHERE pack = ? AND active ORDER BY rowid LIMIT ?",
                               (s.pack, n_questions)).fetchall()
    with db.transaction(s.conn):
        for i, (q, topic) in enumerate(questions):
            log = [(1 + (i + k) % 4, t0 + timedelta(days=k, minutes=i), None) for k in range(per_question)]
            card = tables.insert_card(s.conn, s.pack, q, replay(log, log[0][1]), log[0][1], len(log), 0)
            s.conn.executemany(tables.REVIEW_INSERT_UID_SQL, [
                (card, s.pack, q, topic, db.to_db(at), rating, rating > 1, None, None, None, None,
                 review_uid(q, at, rating))
                for rating, at, _ in log])
    s.close()
    return len(questions) * per_question


@pytest.mark.slow
def test_a_sync_killed_at_any_moment_is_completed_by_the_next(tmp_path, cli, pg_class):
    import signal
    import time

    from conftest import mlpath_exe

    urls = _class(cli, pg_class, "alice")
    homes = [tmp_path / "a", tmp_path / "b"]
    total = _history(homes[0], 300, 20, "2026-01-01T08:00:00+00:00") + _history(
        homes[1], 200, 10, "2026-03-01T09:00:00+00:00")
    for delay in (0.6, 1.2, 2.0, 3.0):  # killed (SIGKILL: no clean-up at all) at different steps
        for home in homes:
            env = {**os.environ, "MLPATH_HOME": str(home), "MLPATH_NOW": T4, "MLPATH_SYNC_URL": urls["alice"]}
            p = subprocess.Popen([*mlpath_exe(), "sync"], env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            time.sleep(delay)
            p.send_signal(signal.SIGKILL)
            p.wait()
    for home in (*homes, homes[0]):
        env = {**os.environ, "MLPATH_HOME": str(home), "MLPATH_NOW": T4, "MLPATH_SYNC_URL": urls["alice"]}
        done = subprocess.run([*mlpath_exe(), "sync"], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    assert pg_class.sql("SELECT count(*), count(DISTINCT uid) FROM mlpath.review")[0] == (total, total)
    rows = []
    for home in homes:
        conn = sqlite3.connect(home / "mlpath.db")
        rows.append((sorted(conn.execute("SELECT uid, rating FROM review")),
                     sorted(conn.execute("SELECT question_id, state, stability, due, reps FROM card")),
                     conn.execute("SELECT count(*) FROM sync_pending").fetchone()))
        conn.close()
    assert rows[0] == rows[1] and len(rows[0][0]) == total and rows[0][2] == (0,)



def _answer(home, monkeypatch, q_index: int, rating: int, at):
    from mlpath.app.session import open_session
    from mlpath.core import scheduling
    from mlpath.store import queries

    monkeypatch.setenv("MLPATH_HOME", str(home))
    s = open_session(now=at)
    try:
        q, topic = s.conn.execute("SELECT id, topic_id FROM question WHERE pack = ? AND active ORDER BY rowid "
                                  "LIMIT 1 OFFSET ?", (s.pack, q_index)).fetchone()
        card = queries.cards_for_topics(s.conn, s.pack, [topic]).get(q)
        before = card.state if card else scheduling.new_card(at)
        after = scheduling.review(before, rating, at)  # fuzzed, as `mlpath quiz` does
        queries.record_review(s.conn, s.pack, question_id=q, topic_id=topic, before=card.state if card else None,
                              after=after, now=at, rating=rating, correct=rating > 1, answer=None, response_ms=None,
                              seed=None)
    finally:
        s.close()


def _set_status(home, monkeypatch, t_index: int, status: str, at):
    from mlpath.app.session import open_session
    from mlpath.store import queries

    monkeypatch.setenv("MLPATH_HOME", str(home))
    s = open_session(now=at)
    try:
        queries.set_status(s.conn, s.pack, s.roadmap.topics[t_index].id, status, at)
    finally:
        s.close()


@pytest.mark.slow
def test_any_interleaving_of_offline_work_and_syncs_converges(cli, monkeypatch, tmp_path, pg_class):
    from datetime import datetime, timedelta, timezone

    from hypothesis import HealthCheck, given, settings, strategies as st

    code, _, err = cli("class", "init", "--admin-url", pg_class.url)
    assert code == 0, err
    base = datetime(2026, 11, 1, tzinfo=timezone.utc)
    step = st.one_of(
        st.tuples(st.just("answer"), st.sampled_from("ab"), st.integers(0, 3), st.integers(1, 4),
                  st.integers(0, 5000)),
        st.tuples(st.just("status"), st.sampled_from("ab"), st.integers(0, 2),
                  st.sampled_from(["in_progress", "done", "skipped", "not_started"]), st.integers(0, 5000)),
        st.tuples(st.just("sync"), st.sampled_from("ab")))
    runs = []

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(step, min_size=1, max_size=12))
    def check(steps):
        n = len(runs)
        runs.append(1)
        code, out, err = cli("class", "add-learner", f"h{n}", "--admin-url", pg_class.url)
        assert code == 0, err
        url = out.strip()
        homes = {d: tmp_path / f"h{n}{d}" for d in "ab"}
        devices = {d: Device(cli, monkeypatch, homes[d], url) for d in "ab"}
        for s in steps:
            if s[0] == "answer":
                _answer(homes[s[1]], monkeypatch, s[2], s[3], base + timedelta(minutes=s[4]))
            elif s[0] == "status":
                _set_status(homes[s[1]], monkeypatch, s[2], s[3], base + timedelta(minutes=s[4]))
            else:
                devices[s[1]]("sync")
        for d in "aba":
            devices[d]("sync")
        a, b = devices["a"], devices["b"]
        assert a.reviews() == b.reviews()
        assert a.cards() == b.cards()
        assert a.json("progress") == b.json("progress")
        assert a.sql("SELECT topic_id, status, started_at, finished_at, updated_at FROM topic_status ORDER BY 1") == \
            b.sql("SELECT topic_id, status, started_at, finished_at, updated_at FROM topic_status ORDER BY 1")

    check()


def test_the_class_report_counts_by_hand(cli, monkeypatch, tmp_path, pg_class):
    import psycopg
    from datetime import datetime, timedelta, timezone

    from mlpath.core.review_ids import review_uid
    from mlpath.server import sync as remote

    urls = _class(cli, pg_class, "alice", "bob")
    now = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)

    def push(url, rows, events=()):
        with psycopg.connect(url) as conn:
            remote.push(conn, "review", "mlpath-roadmap", [
                (review_uid(q, at, r), q, topic, "maths", at, r, r > 1, None, None, None) for q, topic, at, r in rows])
            if events:
                remote.push(conn, "status_event", "mlpath-roadmap", list(events))

    day = timedelta(days=1)
    # alice: vectors 5 answers (2 Again) within the week; matrices 4 (1 Again) 20 days ago; 1 answer 40 days ago
    push(urls["alice"], [("v1", "vectors", now - k * day / 10, r) for k, r in enumerate((1, 3, 1, 4, 3))]
         + [("m1", "matrices", now - 20 * day + k * day / 10, r) for k, r in enumerate((3, 1, 3, 3))]
         + [("v2", "vectors", now - 40 * day, 1)],
         [("vectors", "maths", "in_progress", now - 30 * day), ("vectors", "maths", "done", now - 2 * day),
          ("matrices", "maths", "skipped", now - 3 * day)])
    # bob: vectors 3 answers, all Again, 2 days ago; matrices 2 good answers
    push(urls["bob"], [("v1", "vectors", now - 2 * day + k * day / 10, 1) for k in range(3)]
         + [("m1", "matrices", now - 2 * day + k * day / 10, 4) for k in range(2)])

    t = Device(cli, monkeypatch, tmp_path / "t", urls["tess"])
    report = t.json("class", "report", now=now.isoformat())
    people = {p["learner"]: p for p in report["learners"]}
    alice, bob = people["alice"], people["bob"]
    assert (alice["reviews"], alice["reviews_7d"], alice["reviews_30d"]) == (10, 5, 9)
    assert alice["mastery"] == round(6 / 9, 4)  # 9 answers in 30 days, 3 of them Again
    assert (alice["topics_done"], alice["topics_skipped"], alice["topics_in_progress"]) == (1, 1, 0)
    assert alice["last_review"] == now.isoformat()
    assert (bob["reviews"], bob["reviews_7d"], bob["mastery"]) == (5, 5, 0.4)
    assert people["tess"]["reviews"] == 0 and people["tess"]["mastery"] is None
    # vectors: 5 + 3 answers in 30 days, 2 + 3 Again; matrices: 4 + 2, 1 Again
    assert [(x["topic"], x["reviews"], x["forgotten"], x["forgotten_share"], x["learners"])
            for x in report["struggles"]] == [("vectors", 8, 5, 0.625, 2), ("matrices", 6, 1, 0.1667, 2)]


# --- the memory model (`mlpath optimize`) shared between a learner's devices -----------------------------------

WEIGHTS = (0.3, 1.4, 3.5, 14.0, 7.1, 0.55, 1.8, 0.02, 1.5, 0.16, 0.95, 1.9, 0.11, 0.3, 2.3, 0.25, 2.9, 0.5, 0.66,
           0.12, 0.2)


def _adopt_a_fit(device, at: str):
    """What `mlpath optimize` does once it adopts a fit (the fit itself is tested in test_optimize.py)."""
    from datetime import datetime

    from mlpath.app.optimize import rescheduled_states
    from mlpath.app.session import open_session
    from mlpath.store import parameters

    device.mp.setenv("MLPATH_HOME", str(device.home))
    s = open_session(now=datetime.fromisoformat(at))
    try:
        states, _ = rescheduled_states(s, WEIGHTS)
        parameters.adopt(s.conn, WEIGHTS, fitted_at=s.now, reviews=40, trained_on=32, log_loss=0.31, rmse_bins=0.04,
                         previous_log_loss=0.35, previous_rmse_bins=0.06, card_states=states,
                         calibration=[(0.8, 0.9, 12, 0.86, 0.83)])
    finally:
        s.close()


def _weights(device):
    rows = device.sql("SELECT parameters, fitted_at FROM fsrs_parameters WHERE active")
    return (tuple(json.loads(rows[0][0])), rows[0][1]) if rows else None


def test_the_newest_memory_model_reaches_every_device_which_reschedules_with_it(cli, monkeypatch, tmp_path, pg_class):
    urls = _class(cli, pg_class, "alice")
    a = Device(cli, monkeypatch, tmp_path / "a", urls["alice"])
    b = Device(cli, monkeypatch, tmp_path / "b", urls["alice"])
    a("quiz", "vectors", now=T1, input="1\n2\n3\n1\n")
    b("quiz", "vectors", now=T1, input="2\n2\n")
    for d in (a, b, a):
        assert d.json("sync", now=T2)["memory_model"] == "unchanged"  # nobody fitted or reset one yet
    assert a.cards() == b.cards()

    _adopt_a_fit(a, T2)
    assert a.cards() != b.cards()  # a schedules with the fit now, b with FSRS's defaults
    assert a.json("sync", now=T3)["memory_model"] == "sent"
    got = b.json("sync", now=T3)
    assert got["memory_model"] == "received"
    assert _weights(b) == _weights(a) and _weights(b)[0] == WEIGHTS
    assert b.cards() == a.cards()  # every card rescheduled with the same parameters as on a
    code, out, err = b("stats")
    assert code == 0
    for d in (a, b):
        assert d.json("sync", now=T3)["memory_model"] == "unchanged"

    # a reset on one device is the newer choice: the other goes back to the defaults too
    code, out, err = b("optimize", "--reset", now=T4)
    assert code == 0 and _weights(b) is None
    code, out, err = b("sync", now=T4)
    assert "shared with your other devices" in out
    code, out, err = a("sync", now=T4)
    assert "used here now" in out
    assert _weights(a) is None and a.cards() == b.cards()
    row = pg_class.sql("SELECT parameters, fitted_at FROM mlpath.memory_model")
    assert row == [(None, None)]


def test_an_older_choice_never_replaces_a_newer_one_on_the_server(cli, monkeypatch, tmp_path, pg_class):
    urls = _class(cli, pg_class, "alice")
    a = Device(cli, monkeypatch, tmp_path / "a", urls["alice"])
    b = Device(cli, monkeypatch, tmp_path / "b", urls["alice"])
    a("quiz", "vectors", now=T1, input="1\n2\n")
    b("quiz", "vectors", now=T1, input="2\n")
    _adopt_a_fit(b, T3)  # b fits later, but syncs first
    _adopt_a_fit(a, T2)
    assert b.json("sync", now=T4)["memory_model"] == "sent"
    assert a.json("sync", now=T4)["memory_model"] == "received"  # a's own fit is older: b's wins
    assert _weights(a)[1] == _weights(b)[1] == "2026-11-03 10:00:00.000000"
    assert b.json("sync", now=T4)["memory_model"] == "unchanged"


def test_an_older_server_syncs_the_logs_and_says_the_model_waits_for_class_init(cli, monkeypatch, tmp_path,
                                                                                 pg_class):
    urls = _class(cli, pg_class, "alice")
    from alembic import command

    from mlpath.server import connection, schema

    command.downgrade(schema.alembic_config(connection.parse_url(pg_class.url, "admin URL")), "s0001_class")
    assert pg_class.sql("SELECT to_regclass('mlpath.memory_model')") == [(None,)]  # as the first release left it
    a = Device(cli, monkeypatch, tmp_path / "a", urls["alice"])
    a("quiz", "vectors", now=T1, input="1\n2\n")
    _adopt_a_fit(a, T2)
    code, out, err = a("sync", "--json", now=T3)
    assert json.loads(out)["memory_model"] == "unavailable" and json.loads(out)["pushed_reviews"] == 2
    assert len(err.strip().splitlines()) == 1 and "mlpath class init" in err
    reviews = pg_class.sql("SELECT count(*) FROM mlpath.review")

    code, out, err = cli("class", "init", "--admin-url", pg_class.url)  # the admin upgrades: every row stays
    assert code == 0, err
    assert pg_class.sql("SELECT version_num FROM mlpath.server_version") == [("s0002_memory_model",)]
    assert pg_class.sql("SELECT count(*) FROM mlpath.review") == reviews
    assert a.json("sync", now=T4)["memory_model"] == "sent"


@pytest.mark.parametrize("bad", [
    "ARRAY['NaN'::float8, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]",
    "ARRAY['Infinity'::float8, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]",
])
def test_a_memory_model_on_the_server_that_mlpath_could_not_have_written_changes_nothing(
        cli, monkeypatch, tmp_path, pg_class, bad):
    urls = _class(cli, pg_class, "alice")
    a = Device(cli, monkeypatch, tmp_path / "a", urls["alice"])
    a("quiz", "vectors", now=T1, input="1\n2\n")
    role = pg_class.sql("SELECT role FROM mlpath.member WHERE learner = 'alice'")[0][0]
    pg_class.sql(f"INSERT INTO mlpath.memory_model (learner, changed_at, parameters, fitted_at, reviews, trained_on, "
                 f"log_loss, rmse_bins, previous_log_loss, previous_rmse_bins) VALUES (%s, now(), {bad}, now(), 1, "
                 "1, 0.1, 0.1, 0.1, 0.1)", (role,))
    cards = a.cards()
    code, out, err = a("sync", ok=False)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "memory model" in err and "Traceback" not in err
    assert _weights(a) is None and a.cards() == cards


def test_a_long_sync_reports_how_far_it_is(cli, monkeypatch, tmp_path, pg_class):
    """The sync use case tells a caller how far it is (the CLI draws a bar on a terminal): reviews pushed out of
    those to push, then on another device rows pulled and cards replayed, each rising to its total."""
    from mlpath.app import sync as use_case
    from mlpath.app.session import open_session

    urls = _class(cli, pg_class, "alice")
    a = Device(cli, monkeypatch, tmp_path / "a", urls["alice"])
    b = Device(cli, monkeypatch, tmp_path / "b", urls["alice"])
    a("progress")
    made = _history(tmp_path / "a", 6, 5, "2026-05-01T08:00:00+00:00")
    monkeypatch.setattr(use_case, "BATCH", 7)

    def synced(device):
        monkeypatch.setenv("MLPATH_HOME", str(device.home))
        monkeypatch.setenv("MLPATH_NOW", T4)
        monkeypatch.setenv("MLPATH_SYNC_URL", device.url)
        calls: list[tuple] = []
        s = open_session()
        try:
            result = use_case.sync(s, progress=lambda *c: calls.append(c))
        finally:
            s.close()
        return result, calls

    result, calls = synced(a)
    assert result.pushed_reviews == made == 30
    pushes = [c for c in calls if c[0] == "push"]
    assert [c[1] for c in pushes] == [7, 14, 21, 28, 30] and {c[2] for c in pushes} == {30}

    result, calls = synced(b)
    assert result.pulled_reviews == 30
    pulls = [c for c in calls if c[0] == "pull"]
    assert len(pulls) == 5 and [c[1] for c in pulls] == sorted(c[1] for c in pulls) and pulls[-1][1] == pulls[-1][2]
    cards = [c for c in calls if c[0] == "cards"]
    assert cards and cards[0][1:] == (0, 6)
    from mlpath.store import aggregates  # pulled reviews update the stats summaries a batch at a time

    conn = sqlite3.connect(b.home / "mlpath.db")
    try:
        assert aggregates.stored(conn) == aggregates.recount(conn) and aggregates.stored(conn)
    finally:
        conn.close()
    assert not [c for c in calls if c[0] == "push"] or all(c[1] <= c[2] for c in calls if c[0] == "push")
