"""Streaming stats, export and import (issue 15) together with packs (issue 14), review flags and review uids:
the summaries are kept per pack, the streamed backup is format version 2 with pack labels, and import reads
versions 1 and 2 (pack labels, flags and uids checked like every other field)."""

from __future__ import annotations

import gzip
import json
import sqlite3
from datetime import datetime, timezone

from test_packs import NOW, as_json, ok, two_packs  # noqa: F401 (two_packs is a fixture)

from mlpath.core.review_ids import review_uid
from mlpath.store import aggregates


def _db(home):
    return sqlite3.connect(home / "mlpath.db")


def _answer_in_both(cli):
    ok(cli, "quiz", "basics", input="y\n")  # alpha: right
    ok(cli, "pack", "use", "beta")
    ok(cli, "quiz", "basics", input="n\n")  # beta: wrong
    ok(cli, "pack", "use", "alpha")


def test_summaries_and_stats_are_per_pack(two_packs, cli, home):
    _answer_in_both(cli)
    conn = _db(home)
    try:
        assert aggregates.stored(conn) == aggregates.recount(conn) == {
            "review_hour": [("alpha", "2026-03-02 10", 1, 1), ("beta", "2026-03-02 10", 1, 0)],
            "review_tally": [("alpha", "basics-tf", "basics", 1, 1), ("beta", "basics-tf", "basics", 1, 0)]}
    finally:
        conn.close()

    def today(report):
        assert report["daily"][-1]["date"] == "2026-03-02"
        return report["total_reviews"], report["daily"][-1]["answers"], report["daily"][-1]["correct"]

    alpha = as_json(cli, "stats", "--tz", "UTC")
    beta = as_json(cli, "stats", "--tz", "UTC", "--pack", "beta")
    both = as_json(cli, "stats", "--tz", "UTC", "--all-packs")
    assert (alpha["pack"], today(alpha)) == ("alpha", (1, 1, 1))
    assert (beta["pack"], today(beta)) == ("beta", (1, 1, 0))
    assert (both["pack"], both["all_packs"], today(both)) == (None, True, (2, 2, 1))
    # the same question id in two packs: over every pack it is one question whose first review (alpha's, the
    # earlier row) is left out, as the whole-log computation does; per pack each answer is a first review
    assert both["retention"]["reviews"] == 1 and both["retention"]["passed"] == 0
    assert alpha["retention"]["reviews"] == beta["retention"]["reviews"] == 0


def test_streamed_backup_is_version_2_with_packs_flags_and_the_same_uids(two_packs, cli, home, tmp_path,
                                                                         monkeypatch):
    _answer_in_both(cli)
    conn = _db(home)
    try:
        conn.execute("UPDATE review SET flag = 'typo' WHERE pack = 'beta'")
        conn.commit()
        uids = sorted(conn.execute("SELECT pack, uid FROM review"))
    finally:
        conn.close()
    assert all(u is not None for _, u in uids)
    file = tmp_path / "all.json.gz"
    result = as_json(cli, "export", str(file), "--all-packs")
    assert (result["version"], result["packs"], result["all_packs"], result["reviews"]) == (3, ["alpha", "beta"],
                                                                                           True, 2)
    doc = json.loads(gzip.decompress(file.read_bytes()))
    assert (doc["version"], doc["packs"]) == (3, ["alpha", "beta"])
    assert sorted((r["pack"], r["flag"]) for r in doc["reviews"]) == [("alpha", None), ("beta", "typo")]
    assert all(rec["pack"] in ("alpha", "beta") for key in ("statuses", "status_events", "cards", "reviews")
               for rec in doc[key])
    only_beta = as_json(cli, "export", str(tmp_path / "beta.json"), "--pack", "beta")
    assert only_beta["packs"] == ["beta"] and only_beta["reviews"] == 1 and only_beta["all_packs"] is False

    second = tmp_path / "second-home"
    monkeypatch.setenv("MLPATH_HOME", str(second))
    ok(cli, "pack", "add", str(two_packs[0]))
    ok(cli, "pack", "add", str(two_packs[1]))
    result = as_json(cli, "import", str(file), "--all-packs")
    assert result["added"]["reviews"] == 2 and result["packs"] == ["alpha", "beta"]
    assert result["left_out"] == {"statuses": 0, "status_events": 0, "cards": 0, "reviews": 0}
    conn = _db(second)
    try:
        # no uid in the file: each is derived from the review, as on the machine that recorded it
        assert sorted(conn.execute("SELECT pack, uid FROM review")) == uids
        assert sorted(conn.execute("SELECT pack, flag FROM review")) == [("alpha", None), ("beta", "typo")]
        assert aggregates.stored(conn) == aggregates.recount(conn)
    finally:
        conn.close()
    assert as_json(cli, "import", str(file), "--all-packs")["added"]["reviews"] == 0


def test_a_uid_in_the_file_is_kept_and_a_bad_one_refuses_the_file(two_packs, cli, tmp_path, monkeypatch):
    ok(cli, "quiz", "basics", input="y\n")
    file = tmp_path / "b.json"
    ok(cli, "export", str(file))
    doc = json.loads(file.read_text())
    given = review_uid("something-else", datetime(2020, 1, 1, tzinfo=timezone.utc), 3)
    doc["reviews"][0]["uid"] = given
    file.write_text(json.dumps(doc))
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("MLPATH_HOME", str(fresh))
    ok(cli, "pack", "add", str(two_packs[0]))
    ok(cli, "pack", "use", "alpha")
    assert as_json(cli, "import", str(file))["added"]["reviews"] == 1
    conn = _db(fresh)
    try:
        assert conn.execute("SELECT uid FROM review").fetchall() == [(given,)]
    finally:
        conn.close()

    for field, value, message in [("uid", "not-a-uid", "reviews[0].uid: expected a review id"),
                                  ("flag", "maybe", "reviews[0].flag: expected one of dont_know, typo, overridden"),
                                  ("pack", "Not A Pack", "reviews[0].pack: expected a pack id"),
                                  ("pack", ["alpha"], "reviews[0].pack: expected a non-empty string")]:
        bad = json.loads(json.dumps(doc))
        bad["reviews"][0][field] = value
        file.write_text(json.dumps(bad))
        code, out, err = cli("import", str(file))
        assert code == 2 and err.count("\n") == 1 and message in err, (field, err)


def test_the_version_may_come_after_the_records(two_packs, cli, tmp_path):
    ok(cli, "pack", "use", "beta")
    status = {"topic": "basics", "area": "core", "status": "done", "started_at": None,
              "finished_at": "2026-03-01T10:00:00+00:00", "updated_at": "2026-03-01T10:00:00+00:00"}
    tail = ', "format": "mlpath-backup", "version": {}}}'
    body = '{{"statuses": [{}], "status_events": [], "cards": [], "reviews": []'
    v2 = tmp_path / "v2.json"
    v2.write_text(body.format(json.dumps(status)) + tail.format(2))  # a version-2 record must name its pack
    code, out, err = cli("import", str(v2))
    assert code == 2 and "statuses[0]: missing 'pack'" in err and err.count("\n") == 1
    assert as_json(cli, "progress")["done"] == 0
    v1 = tmp_path / "v1.json"
    v1.write_text(body.format(json.dumps(status)) + tail.format(1))  # from before packs: into the active pack
    result = as_json(cli, "import", str(v1))
    assert result["packs"] == ["beta"] and result["added"]["statuses"] == 1
    assert as_json(cli, "progress")["done"] == 1 and as_json(cli, "progress", "--pack", "alpha")["done"] == 0
    v2.write_text(body.format(json.dumps({**status, "pack": "alpha"})) + tail.format(2))
    result = as_json(cli, "import", str(v2))
    assert result["packs"] == [] and result["left_out"]["statuses"] == 1 and result["in_file"]["statuses"] == 1
