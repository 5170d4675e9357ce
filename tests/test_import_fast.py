"""The fast paths of `mlpath import` (issue 15) give exactly what the general ones give: a review record written
as `export` writes it is matched as text, review uids are derived from the stored time text, and a file without
uids is merged through the unique uid index. Each is checked against the general path on varied input."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learning_history import install
from mlpath.app import backup
from mlpath.core.review_ids import review_uid, review_uid_of_utc_text
from mlpath.errors import UserError
from mlpath.store import aggregates, history
from mlpath.store.db import to_db

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@settings(max_examples=300, deadline=None)
@given(question=st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True),
       micros=st.integers(0, (9000 - 1970) * 366 * 86_400 * 10**6), rating=st.integers(1, 4))
def test_a_uid_derived_from_the_stored_text_is_the_uid(question, micros, rating):
    at = EPOCH + timedelta(microseconds=micros)
    if at.year >= 9000:
        return
    assert review_uid_of_utc_text(question, to_db(at), rating) == review_uid(question, at, rating)


def test_a_uid_from_text_in_another_layout_is_still_the_uid():
    at = datetime(2024, 2, 29, 23, 59, 59, tzinfo=timezone.utc)
    assert review_uid_of_utc_text("q-1", "2024-02-29 23:59:59", 2) == review_uid("q-1", at, 2)


class _Collect:
    """A staging that keeps the rows (reading alone, no database)."""

    def __init__(self):
        self.rows: dict[str, list[tuple]] = {}
        self.labels_trusted = False

    def trust_labels(self):
        self.labels_trusted = True

    def add(self, section, rows):
        self.rows.setdefault(section, []).extend(rows)

    def label(self, pack):
        for section, rows in self.rows.items():
            self.rows[section] = [(pack, *row[1:]) for row in rows]

    def unlabelled(self):
        out = {}
        for section, rows in self.rows.items():
            first = next((i for i, row in enumerate(rows) if row[0] is None), None)
            if first is not None:
                out[section] = first
        return out


def _read(path: Path, pattern: bool):
    """(rows staged, counts) or the refusal's message, with the text pattern in use or not."""
    saved = backup._REVIEW_LINE
    if not pattern:
        backup._REVIEW_LINE = re.compile(r"(?!)")  # never matches: every record takes the general path
    try:
        stage = _Collect()
        counts = backup.read_backup_stream(path, stage, "mini")
        return stage.rows, counts
    except UserError as e:
        return str(e)
    finally:
        backup._REVIEW_LINE = saved


_ids = st.one_of(st.sampled_from(["vectors-choice", "a", "x" * 120, "x" * 121, "a--b", "-a", "A", "a_b", "é", "",
                                  "2023-02-29"]),
                 st.from_regex(r"[a-z0-9]{1,5}(-[a-z0-9]{1,5}){0,2}", fullmatch=True))
_times = st.one_of(
    st.sampled_from(["2024-02-29T10:00:00.000001+00:00", "2023-02-29T10:00:00+00:00", "2023-04-31T10:00:00+00:00",
                     "2023-13-01T10:00:00+00:00", "2023-00-10T10:00:00+00:00", "2023-01-01T24:00:00+00:00",
                     "2023-01-01T23:60:00+00:00", "2023-01-01T23:59:60+00:00", "1969-12-31T23:59:59+00:00",
                     "1970-01-01T00:00:00+00:00", "8999-12-31T23:59:59.999999+00:00", "9000-01-01T00:00:00+00:00",
                     "2023-01-01T10:00:00.12+00:00", "2023-01-01T10:00:00+01:00", "2023-01-01 10:00:00+00:00",
                     "2023-01-01T10:00:00Z", "0999-01-01T00:00:00+00:00"]),
    st.integers(0, (9000 - 1970) * 365 * 86_400 * 10**6).map(
        lambda us: (EPOCH + timedelta(microseconds=us)).isoformat()))
_ints = st.one_of(st.integers(-2**63, 2**63 - 1), st.sampled_from([2**63, -2**63 - 1, 10**18, 10**19, 0, -1]))
_answers = st.one_of(st.none(), st.text(max_size=20), st.sampled_from(["x" * 1000, "x" * 1001, 'a "b" \\ c',
                                                                         "tab\there", "é\u2028", "\x00"]),
                     st.integers(0, 3))


_valid = {
    "pack": st.just("mini"),
    "question": st.from_regex(r"[a-z0-9]{1,5}(-[a-z0-9]{1,5}){0,2}", fullmatch=True),
    "topic": st.sampled_from(["vectors", "gd"]), "area": st.just("linear-algebra"),
    "reviewed_at": st.integers(0, (9000 - 1970) * 365 * 86_400 * 10**6).map(
        lambda us: (EPOCH + timedelta(microseconds=us)).isoformat()),
    "rating": st.integers(1, 4), "correct": st.sampled_from([True, False, None]),
    "answer": st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_characters='"\\',
                                                                   blacklist_categories=("Cc", "Cs")), max_size=20)),
    "response_ms": st.one_of(st.none(), st.integers(0, 10**18 - 1)),
    "seed": st.one_of(st.none(), st.integers(-10**18 + 1, 10**18 - 1)),
    "flag": st.sampled_from([None, "dont_know", "typo", "overridden"]),
}
_any = {
    "pack": st.one_of(_ids, st.just("p" * 64), st.just("p" * 65)), "question": _ids, "topic": _ids, "area": _ids,
    "reviewed_at": _times, "rating": st.one_of(st.integers(0, 5), st.just(True), st.just(2.0)),
    "correct": st.sampled_from([True, False, None, 1]), "answer": _answers,
    "response_ms": st.one_of(st.none(), _ints), "seed": st.one_of(st.none(), _ints),
    "flag": st.sampled_from([None, "dont_know", "typo", "overridden", "other", 1]),
}


def _review(draw) -> dict:
    """A record as export writes it, with up to two fields changed to anything (often wrong) or left out."""
    rec = {key: draw(strategy) for key, strategy in _valid.items()}
    for key in draw(st.lists(st.sampled_from(list(rec)), max_size=2)):
        if draw(st.booleans()):
            rec[key] = draw(_any[key])
        else:
            rec.pop(key, None)
    return rec


@st.composite
def _documents(draw):
    reviews = [_review(draw) for _ in range(draw(st.integers(1, 4)))]
    version = draw(st.sampled_from([2, 2, 1]))
    return version, reviews


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=_documents(), layout=st.sampled_from(["export", "compact", "indent"]))
def test_the_text_pattern_stages_what_the_full_check_stages(tmp_path_factory, doc, layout):
    version, reviews = doc
    path = tmp_path_factory.mktemp("b") / "b.json"
    head = {"format": "mlpath-backup", "version": version, "exported_at": "2026-01-01T00:00:00+00:00",
            "packs": ["mini"], "statuses": [], "status_events": [], "cards": []}
    if layout == "export":  # the bytes export writes: one record a line, non-ASCII kept
        lines = ",\n  ".join(json.dumps(r, ensure_ascii=False) for r in reviews)
        text = json.dumps(head, ensure_ascii=False)[:-1] + f', "reviews": [\n  {lines}\n ]\n}}\n'
    else:
        text = json.dumps({**head, "reviews": reviews}, indent=2 if layout == "indent" else None,
                          separators=(",", ":") if layout == "compact" else None)
    path.write_text(text, encoding="utf-8")
    assert _read(path, pattern=True) == _read(path, pattern=False)


def test_the_text_pattern_takes_the_records_export_writes(tmp_path):
    rec = {"pack": "mini", "question": "vectors-choice", "topic": "vectors", "area": "linear-algebra",
           "reviewed_at": "2024-02-29T10:00:00.000001+00:00", "rating": 3, "correct": True, "answer": "b",
           "response_ms": 900, "seed": -5, "flag": "typo"}
    m = backup._REVIEW_LINE.match(json.dumps(rec, ensure_ascii=False) + ",\n  ")
    assert m is not None and m.end() == len(json.dumps(rec)) + 4
    assert backup._REVIEW_LINE.match(json.dumps({**rec, "answer": 'with "quotes"'})) is None  # decoded instead

    # an id already seen that reads like a date does not make that date real
    path = tmp_path / "b.json"
    head = {"format": "mlpath-backup", "version": 2, "packs": ["mini"], "statuses": [], "status_events": [],
            "cards": []}
    records = [dict(rec, question="2023-02-29"), dict(rec, reviewed_at="2023-02-29T10:00:00+00:00")]
    lines = ",\n  ".join(json.dumps(r) for r in records)
    path.write_text(json.dumps(head)[:-1] + f', "reviews": [\n  {lines}\n ]\n}}\n')
    assert "reviews[1].reviewed_at" in _read(path, pattern=True) == _read(path, pattern=False)


# --- merging without uids in the file, through the unique uid index ---------------------------------------------


@pytest.fixture
def learner(mini, monkeypatch, tmp_path):
    install(mini, monkeypatch)

    def switch(name: str):
        monkeypatch.setenv("MLPATH_HOME", str(tmp_path / name))

    return switch


def _session():
    from mlpath.app.session import open_session

    return open_session()


def _reviews(conn) -> list[tuple]:
    return conn.execute("SELECT pack, question_id, topic_id, reviewed_at, rating, correct, answer, uid FROM review "
                        "ORDER BY id").fetchall()


def _dumped() -> tuple[dict, list[tuple]]:
    """The learner's history as a backup holds it, and the stored reviews."""
    s = _session()
    try:
        return history.dump(s.conn, None), _reviews(s.conn)
    finally:
        s.close()


def test_a_file_without_uids_merges_as_the_general_path_does(cli, learner, tmp_path):
    data, before = _dumped()
    assert len(before) > 3
    first = data["reviews"][0]
    twin = dict(first, answer="a later copy")  # the same key later in the file: the first copy counts
    data["reviews"] = data["reviews"] + [twin, data["reviews"][1]]

    # into an empty database (indexes rebuilt at the end), then again (nothing new), then with one review whose
    # stored uid came from elsewhere (found by its key, not its uid)
    learner("fresh")
    s = _session()
    try:
        added = history.merge(s.conn, data, s.now)
        assert added["reviews"] == len(before)
        assert _reviews(s.conn) == before
        assert aggregates.stored(s.conn) == aggregates.recount(s.conn)
        assert history.merge(s.conn, data, s.now)["reviews"] == 0
        other = review_uid(first["question"], first["reviewed_at"], first["rating"], 1)
        s.conn.execute("UPDATE review SET uid = ? WHERE uid = ?", (other, before[0][-1]))
        assert history.merge(s.conn, data, s.now)["reviews"] == 0
        assert len(_reviews(s.conn)) == len(before)
        # a review whose key is new but whose derived uid is stored (its question renamed since) is not added
        s.conn.execute("UPDATE review SET uid = ? WHERE uid = ?", (before[0][-1], other))
        s.conn.execute("UPDATE review SET rating = 1 + rating % 4 WHERE uid = ?", (before[0][-1],))
        assert history.merge(s.conn, data, s.now)["reviews"] == 0
        assert aggregates.stored(s.conn) == aggregates.recount(s.conn)
        assert s.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        s.close()


def test_with_some_uids_in_the_file_both_rules_still_hold(cli, learner, tmp_path):
    data, before = _dumped()
    given_uid = review_uid("elsewhere", datetime(2020, 1, 1, tzinfo=timezone.utc), 3)
    data["reviews"][0] = dict(data["reviews"][0], uid=given_uid)
    # a later record with another key but the same uid: a copy of the first, not added
    data["reviews"].append(dict(data["reviews"][1], rating=1 + data["reviews"][1]["rating"] % 4, uid=given_uid))
    learner("fresh")
    s = _session()
    try:
        assert history.merge(s.conn, data, s.now)["reviews"] == len(before)
        uids = [row[-1] for row in _reviews(s.conn)]
        assert uids[0] == given_uid and uids[1:] == [row[-1] for row in before[1:]]
        assert history.merge(s.conn, data, s.now)["reviews"] == 0
        assert aggregates.stored(s.conn) == aggregates.recount(s.conn)
    finally:
        s.close()


def test_unknown_names_are_found_whether_or_not_staging_collected_them(cli, learner, tmp_path):
    """Placeholders for a topic and a question only the reviews name (and a refusal for a review without a card)
    come out the same with the names collected while staging and without them (too many to keep)."""
    s = _session()
    try:
        data = history.dump(s.conn, None)
    finally:
        s.close()
    card = dict(data["cards"][0], question="only-here", topic="new-topic", area="card-area")
    review = dict(data["reviews"][0], question="only-here", topic="new-topic", area="review-area")
    data["cards"].append(card)
    data["reviews"].append(review)
    results = []
    for limit in (history._NAMES, 0):
        learner(f"fresh-{limit}")
        s = _session()
        saved = history._NAMES
        history._NAMES = limit
        try:
            added = history.merge(s.conn, data, s.now)
            results.append((added, s.conn.execute("SELECT pack, id, area, active FROM topic WHERE id = 'new-topic'")
                            .fetchall(), _reviews(s.conn)))
        finally:
            history._NAMES = saved
            s.close()
    assert results[0] == results[1]
    assert results[0][0]["topics_placeholders"] == 1 and results[0][0]["questions_placeholders"] == 1
    assert results[0][1][0][3] == 0  # inactive

    orphan = dict(data["reviews"][0], question="no-card-anywhere")
    data["reviews"].append(orphan)
    for limit in (history._NAMES, 0):
        learner(f"orphan-{limit}")
        s = _session()
        saved = history._NAMES
        history._NAMES = limit
        try:
            with pytest.raises(history.MissingCard, match="no-card-anywhere"):
                history.merge(s.conn, data, s.now)
            assert _reviews(s.conn) == []
        finally:
            history._NAMES = saved
            s.close()


@pytest.mark.parametrize("count_keys, flush", [(150_000, 50_000), (1, 50_000), (1, 2)])
def test_summaries_of_a_bulk_insert_equal_a_recount_however_they_are_counted(cli, learner, monkeypatch,
                                                                            count_keys, flush):
    """Counted as rows go in (a temporary trigger), or - with more keys than memory is given - read back from the
    table, written a few keys at a time: the same summaries as a recount, into an empty log and a full one."""
    s = _session()
    try:
        data = history.dump(s.conn, None)
    finally:
        s.close()
    monkeypatch.setattr(aggregates, "_COUNT_KEYS", count_keys)
    monkeypatch.setattr(aggregates, "_FLUSH", flush)
    learner(f"fresh-{count_keys}-{flush}")
    s = _session()
    try:
        later = [dict(r, reviewed_at=r["reviewed_at"] + timedelta(days=400)) for r in data["reviews"]]
        assert history.merge(s.conn, dict(data, reviews=data["reviews"][::2]), s.now)["reviews"] > 0
        assert aggregates.stored(s.conn) == aggregates.recount(s.conn)
        assert history.merge(s.conn, dict(data, reviews=data["reviews"] + later), s.now)["reviews"] > 0
        assert aggregates.stored(s.conn) == aggregates.recount(s.conn)
        assert s.conn.execute("SELECT name FROM sqlite_temp_master WHERE type = 'trigger'").fetchall() == []
    finally:
        s.close()


def test_foreign_keys_are_checked_set_wise_and_switched_back_on(cli, learner, tmp_path):
    """With the names the reviews use known, the merge sets SQLite's row-by-row key checks aside for its one
    transaction and checks every key it wrote at the end; the connection has them back on afterwards, whether the
    merge succeeded or failed."""
    import sqlite3

    s = _session()
    try:
        data = history.dump(s.conn, None)
    finally:
        s.close()
    data["cards"].append(dict(data["cards"][0], question="only-here", topic="new-topic", area="new-area"))
    data["reviews"].append(dict(data["reviews"][0], question="only-here", topic="new-topic", area="new-area"))
    learner("fresh")
    s = _session()
    try:
        assert history.merge(s.conn, data, s.now)["questions_placeholders"] == 1
        assert s.conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert s.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        bad = dict(data, reviews=data["reviews"] + [dict(data["reviews"][0], question="no-card-anywhere")])
        with pytest.raises(history.MissingCard):
            history.merge(s.conn, bad, s.now)
        assert s.conn.execute("PRAGMA foreign_keys").fetchone() == (1,)

        with history.Staging(s.conn) as stage:
            stage.ready()
            known = next(iter({(p, q, t) for p, q, t in s.conn.execute(
                "SELECT pack, question_id, topic_id FROM review LIMIT 1")}))
            history._check_keys(s.conn, {known}, [])  # every key there: nothing to say
            for names, placed in [({(known[0], known[1], "no-such-topic")}, []),
                                  ({(known[0], "no-such-question", known[2])}, []),
                                  ({known}, [(known[0], "no-such-topic")])]:
                with pytest.raises(sqlite3.IntegrityError):
                    history._check_keys(s.conn, names, placed)
            s.conn.execute("INSERT INTO import_card (pack, question, topic, area, kind, state, step, stability, "
                           "difficulty, due, last_review, created_at, reps, lapses) "
                           "VALUES (?, 'gone', 'gone-topic', 'a', 'short', 1, 0, 1, 5, '2020', NULL, '2020', 0, 0)",
                           (known[0],))
            with pytest.raises(sqlite3.IntegrityError):
                history._check_keys(s.conn, {known}, [])
    finally:
        s.close()


# --- export: one f-string a row ---------------------------------------------------------------------------------

_stored_value = st.one_of(st.none(), st.text(max_size=12), st.integers(-2**70, 2**70),
                          st.floats(allow_nan=False, allow_infinity=False))
_stored_time = st.one_of(st.none(), st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(
    lambda d: to_db(d.replace(tzinfo=timezone.utc))), st.text(max_size=30))


@settings(max_examples=300, deadline=None)
@given(data=st.data(), section=st.sampled_from(backup.SECTIONS))
def test_a_row_is_written_as_json_dumps_writes_its_record(data, section):
    """Export writes each stored row with a generated f-string; the bytes must be those of json.dumps on the record
    (times as ISO text, ``correct`` as a flag, non-ASCII kept), and a value JSON cannot carry is refused."""
    keys, times, _sql = history.DUMP[section]
    row = tuple(data.draw(_stored_time if k in times else st.one_of(st.none(), st.integers(0, 1)) if k == "correct"
                          else _stored_value, label=k) for k in keys)
    record = {}
    for key, value in zip(keys, row):
        if key in times and value is not None:
            value = backup._iso(value)
        elif key == "correct" and value is not None:
            value = bool(value)
        record[key] = value
    assert backup._row_writer(section)(row) == json.dumps(record, ensure_ascii=False)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), b"bytes", 2.5j])
def test_a_value_json_cannot_carry_is_refused_by_the_row_writer(bad):
    keys = history.DUMP["reviews"][0]
    row = tuple(bad if k == "answer" else None for k in keys)
    with pytest.raises(backup._Unwritable):
        backup._row_writer("reviews")(row)
