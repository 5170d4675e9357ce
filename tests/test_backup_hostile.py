"""Backups are untrusted input (issue 13): every field of every record is checked against the rules the app writes
by, and a bad file - one bad value, broken JSON, random bytes - is refused whole: exit 2, one line naming the
entry without echoing the value at length, no traceback, and the learner's data exactly as it was."""

from __future__ import annotations

import gzip
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learning_history import install
from mlpath.store import aggregates, history


@pytest.fixture
def backup(cli, mini, monkeypatch, tmp_path):
    """The fixed history exported; returns the document (the database keeps the history)."""
    install(mini, monkeypatch)
    file = tmp_path / "good.json"
    code, out, err = cli("export", str(file))
    assert code == 0, err
    return json.loads(file.read_text())


def _state() -> dict:
    from mlpath.app.session import open_session

    s = open_session()
    try:
        data = history.dump(s.conn, None)
        for table in ("topic", "question", "card", "review", "topic_status", "status_event", "review_hour",
                      "review_tally"):
            data[table] = s.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
        return data
    finally:
        s.close()


def _refused(cli, file, before, *fragments):
    code, out, err = cli("import", str(file))
    assert code == 2, (code, err)
    assert err.count("\n") == 1 and "Traceback" not in err and len(err) < 400, err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert _state() == before
    return err


LONG = "x" * 5000

# (section, field, value, what the message says): one per class of bad value
BAD_FIELDS = [
    ("reviews", "reviewed_at", "0999-06-01T10:00:00+00:00", "out of range"),  # stored unpadded, broke stats
    ("reviews", "reviewed_at", "9999-12-31T23:30:00-05:00", "expected an ISO 8601 time"),  # overflows to UTC
    ("reviews", "reviewed_at", "1969-12-31T23:59:59+00:00", "out of range"),
    ("reviews", "reviewed_at", "2025-02-30T10:00:00+00:00", "expected an ISO 8601 time"),
    ("reviews", "reviewed_at", 1735725600, "expected an ISO 8601 time"),
    ("cards", "due", "2025-01-02T10:00:00", "expected an ISO 8601 time"),
    ("cards", "last_review", "0001-01-01T00:00:00+00:00", "out of range"),
    ("cards", "state", 0, "expected one of 1, 2, 3"),
    ("cards", "state", 2.0, "expected one of 1, 2, 3"),
    ("cards", "stability", None, "expected a number"),
    ("cards", "stability", -1.5, "expected a finite number from 0"),
    ("cards", "stability", float("nan"), "expected a finite number"),
    ("cards", "stability", float("inf"), "expected a finite number"),
    ("cards", "difficulty", 0.5, "from 1 to 10"),
    ("cards", "difficulty", 11, "from 1 to 10"),
    ("cards", "reps", 2**63, "expected a whole number >= 0"),
    ("cards", "lapses", -1, "expected a whole number >= 0"),
    ("cards", "step", 10**6, "expected a whole number from 0"),
    ("cards", "kind", "weird", "expected one of choice"),
    ("reviews", "seed", 2**64, "expected a whole number"),
    ("reviews", "seed", 1.5, "expected a whole number"),
    ("reviews", "response_ms", -1, "expected a whole number >= 0"),
    ("reviews", "rating", 0, "expected a whole number from 1 to 4"),
    ("reviews", "correct", "yes", "expected true, false or null"),
    ("reviews", "answer", "a" * 1001, "longer than 1000 characters"),
    ("reviews", "answer", ["a"], "expected a string or null"),
    ("reviews", "question", "Not Kebab", "expected an id"),
    ("reviews", "question", "a" * 500, "expected an id"),
    ("reviews", "topic", "../etc", "expected an id"),
    ("reviews", "area", "\x1b]52;c;aGVsbG8=\x07", "expected an id"),  # OSC 52: never echoed raw
    ("statuses", "status", "not_started", "expected one of"),
    ("statuses", "updated_at", LONG, "expected an ISO 8601 time"),
    ("status_events", "topic", {"id": "vectors"}, "expected a non-empty string"),
]


@pytest.mark.parametrize("section, field, value, message", BAD_FIELDS,
                         ids=[f"{s}.{f}={str(v)[:20]!r}" for s, f, v, _ in BAD_FIELDS])
def test_each_bad_value_refuses_the_whole_file(cli, backup, tmp_path, section, field, value, message):
    doc = json.loads(json.dumps(backup))
    index = len(doc[section]) - 1
    doc[section][index][field] = value
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(doc))  # NaN and Infinity as Python's json writes them
    before = _state()
    err = _refused(cli, file, before, f"{section}[{index}].{field}", message)
    assert "\x1b" not in err and LONG not in err and "a" * 100 not in err


@pytest.mark.parametrize("content, message", [
    (b'{"format": "mlpath-backup", "version": 1, "statuses": [], "statuses": []}', "statuses: appears twice"),
    (b'{"format": "mlpath-backup", "version": 1, "statuses": [], "status_events": [], "cards": []}',
     "reviews: expected a list"),
    (b'{"format": "mlpath-backup", "version": 1, "statuses": [], "status_events": [], "cards": [], '
     b'"reviews": []} trailing', "Extra data"),
    (b'{"format": "mlpath-backup", "version": 1, "statuses": [1]', "statuses[0]: expected an object"),
    (b'{"format": "mlpath-backup", "version": 1, "statuses": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}",
     "too deeply nested"),
    (b'{"format": "mlpath-backup", "version": 1, "reviews": [{"rating": ' + b"9" * 5000 + b"}]}", "line 1"),
    (b'{"format": "mlpath-backup", "version": 1, "reviews": [{"answer": "' + b"a" * (2**20 + 10) + b'"}]}',
     "reviews[0]: a record longer than"),
    (b'{"format": "mlpath-backup", "version": 1,\n "reviews": [\n  {"b": 2,,}]}', "line 3, column 11"),
    (b"\xef\xbb\xbf" + b'{"format": "mlpath-backup", "version": 1, "cards": [{"x": 1}]}', "cards[0]: missing"),
    (b'{"format": "mlpath-backup", "version": 1, "x": "\xff"}', "not UTF-8 at byte 48"),
    (b"", "not valid JSON"),
    (b"   \n", "not valid JSON"),
])
def test_broken_files_are_refused_with_one_line(cli, backup, tmp_path, content, message):
    file = tmp_path / "bad.json"
    file.write_bytes(content)
    _refused(cli, file, _state(), message, str(file))


def test_damaged_gzip_is_refused(cli, backup, tmp_path):
    good = gzip.compress(json.dumps(backup).encode())
    before = _state()
    for name, data in [("cut.json.gz", good[: len(good) // 2]), ("plain.json.gz", b"not gzip at all"),
                       ("flipped.json.gz", good[:40] + bytes([good[40] ^ 0xFF]) + good[41:])]:
        file = tmp_path / name
        file.write_bytes(data)
        code, out, err = cli("import", str(file))
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, (name, err)
        assert _state() == before


# --- property: whatever the bytes, exit 0 or 2, and on 2 nothing changed -------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70) | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20)
_FIELDS = sorted({f for cols in history.STAGING.values() for f in cols})


@st.composite
def _mutated(draw, doc):
    """A valid backup with a few fields set to random JSON, deleted, or records replaced."""
    doc = json.loads(json.dumps(doc))
    for _ in range(draw(st.integers(1, 3))):
        section = draw(st.sampled_from(["statuses", "status_events", "cards", "reviews"]))
        if not doc[section]:
            continue
        i = draw(st.integers(0, len(doc[section]) - 1))
        action = draw(st.sampled_from(["set", "delete", "replace"]))
        if action == "replace" or not isinstance(doc[section][i], dict):
            doc[section][i] = draw(_json)
        elif action == "delete":
            doc[section][i].pop(draw(st.sampled_from(_FIELDS)), None)
        else:
            doc[section][i][draw(st.sampled_from(_FIELDS))] = draw(_json)
    return json.dumps(doc).encode()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_input_exits_0_or_2_and_2_changes_nothing(cli, backup, tmp_path, data):
    kind = data.draw(st.sampled_from(["bytes", "json", "mutated", "mutated", "truncated"]))
    if kind == "bytes":
        content = data.draw(st.binary(max_size=200))
    elif kind == "json":
        content = json.dumps(data.draw(_json)).encode()
    elif kind == "truncated":
        good = json.dumps(backup).encode()
        content = good[: data.draw(st.integers(0, len(good) - 1))]
    else:
        content = data.draw(_mutated(backup))
    file = tmp_path / "random.json"
    file.write_bytes(content)
    before = _state()
    code, out, err = cli("import", str(file))
    assert code in (0, 2), err
    assert "Traceback" not in err
    if code == 2:
        assert err.count("\n") == 1 and len(err) < 400
        assert _state() == before
    from mlpath.app.session import open_session

    s = open_session()
    try:
        assert aggregates.stored(s.conn) == aggregates.recount(s.conn)
        assert s.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        s.close()
