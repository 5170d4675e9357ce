"""`mlpath export FILE` / `mlpath import FILE`: a versioned JSON backup that round-trips, merges and is atomic."""

from __future__ import annotations

import json
import sqlite3

import pytest

from learning_history import NOW, REVIEWS, add_review, install, utc
from mlpath.store import history, queries


@pytest.fixture
def learner(mini, monkeypatch, tmp_path):
    """The fixed history in one MLPATH_HOME; returns a function that switches to another, fresh home."""
    install(mini, monkeypatch)

    def switch(name: str):
        home = tmp_path / name
        monkeypatch.setenv("MLPATH_HOME", str(home))
        return home

    return switch


def session():
    from mlpath.app.session import open_session

    return open_session()


def snapshot() -> dict:
    """Everything a backup or an import may touch, with placeholders, for before/after comparisons."""
    s = session()
    try:
        dump = history.dump(s.conn, None)
        rows = {t: s.conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("topic", "question")}
        return {**dump, **rows}
    finally:
        s.close()


def run(cli, *args):
    code, out, err = cli(*args)
    assert code == 0, err
    return out


def test_backup_document_shape(cli, learner, tmp_path):
    file = tmp_path / "backup.json"
    out = run(cli, "export", str(file), "--json")
    summary = json.loads(out)
    assert summary["reviews"] == len(REVIEWS) and summary["cards"] == 4 and summary["statuses"] == 3
    doc = json.loads(file.read_text())
    assert list(doc) == ["format", "version", "exported_at", "packs", "statuses", "status_events", "cards", "reviews",
                        "learner"]
    assert doc["format"] == "mlpath-backup" and doc["version"] == 3 and doc["exported_at"] == NOW.isoformat()
    assert summary["packs"] == doc["packs"] == [doc["reviews"][0]["pack"]] and doc["packs"][0].startswith("content-")
    assert {rec["pack"] for key in ("statuses", "status_events", "cards", "reviews") for rec in doc[key]} == set(
        doc["packs"])  # every record says which pack it belongs to
    first = doc["reviews"][0]
    assert first["question"] == "vectors-choice" and first["topic"] == "vectors" and first["area"] == "maths"
    assert first["reviewed_at"] == "2024-12-30T10:00:00+00:00" and first["rating"] == 3
    assert "id" not in first and "card_id" not in first  # content ids, never row ids
    card = next(c for c in doc["cards"] if c["question"] == "gd-tf")
    assert card["kind"] == "true_false" and card["due"] == "2025-02-15T12:00:00+00:00" and card["reps"] == 2
    assert {s["topic"]: s["status"] for s in doc["statuses"]} == {"vectors": "done", "matrices": "in_progress",
                                                                 "derivatives": "skipped"}


def test_export_then_import_reproduces_progress(cli, learner, tmp_path):
    file = tmp_path / "backup.json"
    run(cli, "export", str(file))
    progress = json.loads(run(cli, "progress", "--json"))
    stats = json.loads(run(cli, "stats", "--json", "--tz", "UTC"))
    before = snapshot()
    assert progress["reviews"] == len(REVIEWS)

    learner("fresh")
    assert json.loads(run(cli, "progress", "--json"))["reviews"] == 0
    out = run(cli, "import", str(file), "--json")
    result = json.loads(out)
    assert result["added"]["reviews"] == len(REVIEWS) and result["reviews_after"] == len(REVIEWS)
    assert json.loads(run(cli, "progress", "--json")) == progress
    assert json.loads(run(cli, "stats", "--json", "--tz", "UTC")) == stats
    after = snapshot()
    for key in ("statuses", "status_events", "cards", "reviews"):
        assert after[key] == before[key], key

    again = json.loads(run(cli, "import", str(file), "--json"))  # the same file twice adds nothing
    assert all(n == 0 for n in again["added"].values())
    assert snapshot() == after
    assert json.loads(run(cli, "progress", "--json")) == progress


def test_import_merges_with_existing_history(cli, learner, tmp_path):
    file = tmp_path / "backup.json"
    run(cli, "export", str(file))
    learner("other")
    s = session()
    try:
        # one review also in the backup (same question, time, rating) and one of its own, reviewed later
        add_review(s.conn, *REVIEWS[0])
        add_review(s.conn, "vectors-numeric", "vectors", utc(2025, 1, 1, 7), 4, utc(2025, 1, 9))
        add_review(s.conn, "gd-tf", "gradient-descent", utc(2025, 1, 2, 10), 3, utc(2025, 3, 1))  # newer card
        queries.set_status(s.conn, s.pack, "vectors", "in_progress", utc(2024, 12, 1))  # older than the backup's done
        queries.set_status(s.conn, s.pack, "matrices", "done", utc(2025, 1, 2, 11))  # newer than the backup's
        queries.set_status(s.conn, s.pack, "derivatives", "in_progress", utc(2024, 12, 1))
        queries.set_status(s.conn, s.pack, "derivatives", "not_started", utc(2025, 1, 2, 11))  # a later reset wins
    finally:
        s.close()
    result = json.loads(run(cli, "import", str(file), "--json"))
    assert result["added"]["reviews"] == len(REVIEWS) - 1
    assert result["reviews_after"] == 3 + len(REVIEWS) - 1
    s = session()
    try:
        assert queries.statuses(s.conn, s.pack) == {"vectors": "done", "matrices": "done"}
        cards = {c["question"]: c for c in history.dump(s.conn, None)["cards"]}
        assert cards["gd-tf"]["due"] == utc(2025, 3, 1)  # ours was reviewed later than the backup's
        assert cards["vectors-choice"]["due"] == REVIEWS[-1][4]  # the backup's was reviewed later
        assert cards["vectors-numeric"]["due"] == utc(2025, 1, 9)
        # every review points at the card of its own question
        bad = s.conn.execute("SELECT COUNT(*) FROM review r JOIN card c ON c.id = r.card_id "
                             "WHERE c.question_id != r.question_id").fetchone()[0]
        assert bad == 0
    finally:
        s.close()


def test_unknown_topics_and_questions_become_inactive_placeholders(cli, learner, tmp_path):
    file = tmp_path / "backup.json"
    run(cli, "export", str(file))
    doc = json.loads(file.read_text())
    doc["cards"].append({**doc["cards"][0], "question": "old-question", "topic": "old-topic", "area": "old-area",
                         "kind": "choice"})
    doc["reviews"].append({**doc["reviews"][0], "question": "old-question", "topic": "old-topic",
                           "area": "old-area"})
    doc["statuses"].append({**doc["statuses"][0], "topic": "gone-topic", "area": "old-area"})
    file.write_text(json.dumps(doc))
    learner("fresh")
    progress = json.loads(run(cli, "progress", "--json"))
    result = json.loads(run(cli, "import", str(file), "--json"))
    assert result["added"]["topics_placeholders"] == 2 and result["added"]["questions_placeholders"] == 1
    s = session()
    try:
        assert s.conn.execute("SELECT active, area FROM topic WHERE id = 'old-topic'").fetchone() == (0, "old-area")
        assert s.conn.execute("SELECT active, topic_id FROM question WHERE id = 'old-question'").fetchone() == (
            0, "old-topic")
        assert s.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        s.close()
    after = json.loads(run(cli, "progress", "--json"))
    assert after["total"] == progress["total"] and after["reviews"] == len(REVIEWS) + 1
    stats = json.loads(run(cli, "stats", "--json", "--tz", "UTC"))
    assert stats["total_reviews"] == len(REVIEWS) + 1
    assert stats["forecast"]["total"] == 3  # the inactive question's card is never due
    assert json.loads(run(cli, "import", str(file), "--json"))["added"]["reviews"] == 0


def test_renamed_ids_follow_replaces(cli, learner, tmp_path, mini):
    file = tmp_path / "backup.json"
    run(cli, "export", str(file))
    learner("renamed")
    topics = mini / "topics" / "maths.yaml"
    topics.write_text(topics.read_text().replace("  - id: vectors\n", "  - id: vectors-2\n    replaces: [vectors]\n")
                      .replace("prerequisites: [vectors]", "prerequisites: [vectors-2]"))
    questions = mini / "questions" / "all.yaml"
    questions.write_text(questions.read_text().replace("topic: vectors\n", "topic: vectors-2\n")
                         .replace("  - id: vectors-tf\n", "  - id: vectors-tf-2\n    replaces: [vectors-tf]\n"))
    result = json.loads(run(cli, "import", str(file), "--json"))
    assert result["added"]["topics_placeholders"] == 0 and result["added"]["questions_placeholders"] == 0
    s = session()
    try:
        assert queries.statuses(s.conn, s.pack)["vectors-2"] == "done"
        assert len(queries.reviews_of(s.conn, s.pack, "vectors-tf-2")) == 2
    finally:
        s.close()


@pytest.mark.parametrize("content, message", [
    (b"\x00\xff\xfe binary", "not an mlpath backup file"),
    (b"not json at all", "not valid JSON"),
    (b'{"format": "mlpath-backup", "version": 1, "statuses": [', "not valid JSON"),
    (b'["a", "list"]', "not an mlpath backup file"),
    (b'{"format": "anki", "version": 1}', "its format is 'anki'"),
    (b'{"format": "mlpath-backup", "version": 4, "statuses": []}', "version 4 is not supported"),
    (b'{"format": "mlpath-backup", "version": true, "statuses": []}', "version True is not supported"),
    (b'{"format": "mlpath-backup", "version": "1"}', "version '1' is not supported"),
    (b'{"format": "mlpath-backup", "version": 1, "statuses": {}}', "statuses: expected a list"),
])
def test_bad_files_are_refused_and_change_nothing(cli, learner, tmp_path, content, message):
    before = snapshot()
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    code, out, err = cli("import", str(bad))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and str(bad) in err
    assert snapshot() == before


def test_a_bad_record_anywhere_refuses_the_whole_file(cli, learner, tmp_path):
    file = tmp_path / "backup.json"
    run(cli, "export", str(file))
    doc = json.loads(file.read_text())
    for key, field, value, message in [
        ("reviews", "reviewed_at", "yesterday", ".reviewed_at: expected an ISO 8601 time"),
        ("reviews", "reviewed_at", "2025-01-01T10:00:00", ".reviewed_at: expected an ISO 8601 time"),
        ("reviews", "rating", 5, ".rating: expected a whole number from 1 to 4"),
        ("reviews", "rating", True, ".rating: expected a whole number"),
        ("reviews", "question", "", ".question: expected a non-empty string"),
        ("cards", "reps", -1, ".reps: expected a whole number >= 0"),
        ("cards", "stability", "high", ".stability: expected a number"),
        ("statuses", "status", "finished", ".status: expected one of"),
        ("status_events", "at", None, ".at: expected an ISO 8601 time"),
    ]:
        broken = json.loads(json.dumps(doc))
        broken[key][-1][field] = value
        file.write_text(json.dumps(broken))
        before = snapshot()
        code, out, err = cli("import", str(file))
        where = f"{key}[{len(doc[key]) - 1}]"
        assert code == 2 and err.count("\n") == 1 and where + message in err, (key, field, err)
        assert snapshot() == before
    del doc["cards"][0]["due"]
    file.write_text(json.dumps(doc))
    code, out, err = cli("import", str(file))
    assert code == 2 and "cards[0]: missing 'due'" in err


def test_an_error_mid_merge_rolls_everything_back(cli, learner, tmp_path):
    """A review whose question has no card is only found while writing: the transaction must roll back."""
    file = tmp_path / "backup.json"
    run(cli, "export", str(file))
    doc = json.loads(file.read_text())
    doc["reviews"].append({**doc["reviews"][0], "question": "orphan", "topic": "orphan-topic", "area": "x"})
    file.write_text(json.dumps(doc))
    learner("fresh")
    before = snapshot()
    code, out, err = cli("import", str(file))
    assert code == 2 and err.count("\n") == 1 and "has no card" in err and "nothing was imported" in err
    assert snapshot() == before  # no statuses, cards, reviews or placeholders were left behind


def test_merge_is_one_transaction_at_the_store_level(learner, monkeypatch):
    s = session()
    try:
        data = history.dump(s.conn, None)
    finally:
        s.close()
    learner("fresh")
    s = session()
    try:
        before = history.dump(s.conn, None)
        real = s.conn
        calls = []

        class Failing:
            """Fails when the reviews are written, after placeholders, statuses, events and cards were."""

            def __getattr__(self, name):
                return getattr(real, name)

            def execute(self, sql, *args):
                calls.append(sql.split(" (")[0])
                if sql.startswith(("INSERT INTO review (", "INSERT OR IGNORE INTO review (")):
                    raise sqlite3.OperationalError("disk I/O error")
                return real.execute(sql, *args)

        with pytest.raises(sqlite3.OperationalError):
            history.merge(Failing(), data, NOW)
        assert "INSERT INTO card" in calls and "INSERT INTO topic_status" in calls and "ROLLBACK" in calls
        assert history.dump(s.conn, None) == before
        assert not s.conn.in_transaction
    finally:
        s.close()


def test_export_refuses_to_overwrite(cli, learner, tmp_path):
    file = tmp_path / "backup.json"
    file.write_text("precious")
    code, out, err = cli("export", str(file))
    assert code == 2 and "already exists" in err and "--force" in err and err.count("\n") == 1
    assert file.read_text() == "precious"
    run(cli, "export", str(file), "--force")
    assert json.loads(file.read_text())["format"] == "mlpath-backup"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no temporary file left


def test_export_argument_mistakes(cli, learner, tmp_path):
    code, out, err = cli("export", str(tmp_path / "b.json"), "vectors")
    assert code == 2 and "only to Anki decks" in err
    code, out, err = cli("export", str(tmp_path / "deck.apkg"))
    assert code == 2 and "--anki" in err
    code, out, err = cli("export", str(tmp_path / "missing" / "b.json"))
    assert code == 2 and "does not exist" in err
    code, out, err = cli("import", str(tmp_path / "nope.json"))
    assert code == 2 and "no such file" in err
    code, out, err = cli("import", str(tmp_path))
    assert code == 2 and "folder" in err


def test_text_output(cli, learner, tmp_path):
    file = tmp_path / "backup.json"
    assert "Wrote 8 reviews" in run(cli, "export", str(file))
    learner("fresh")
    assert "8 new reviews" in run(cli, "import", str(file))


# --- version 3: the learner's choices (goal and order per pack, the memory model) travel with the data ----------

WEIGHTS = (0.3, 1.4, 3.5, 14.0, 7.1, 0.55, 1.8, 0.02, 1.5, 0.16, 0.95, 1.9, 0.11, 0.3, 2.3, 0.25, 2.9, 0.5, 0.66,
           0.12, 0.2)


def _adopt(weights, at):
    """What `mlpath optimize` does when it adopts a fit (the fit itself is tested in test_optimize.py)."""
    from mlpath.app.optimize import rescheduled_states
    from mlpath.store import parameters

    s = session()
    try:
        states, _ = rescheduled_states(s, weights)
        parameters.adopt(s.conn, weights, fitted_at=at, reviews=12, trained_on=9, log_loss=0.3, rmse_bins=0.05,
                         previous_log_loss=0.35, previous_rmse_bins=0.07, card_states=states,
                         calibration=[(0.8, 0.9, 5, 0.85, 0.8)])
    finally:
        s.close()


def _model_and_cards():
    s = session()
    try:
        fit = s.conn.execute("SELECT parameters, fitted_at, calibration FROM fsrs_parameters WHERE active").fetchall()
        cards = s.conn.execute("SELECT question_id, state, step, stability, difficulty, due, last_review FROM card "
                               "ORDER BY pack, question_id").fetchall()
        return fit, cards, queries.learner_settings(s.conn, s.pack)
    finally:
        s.close()


def test_goal_order_and_memory_model_survive_a_restore_into_a_new_folder(cli, learner, tmp_path):
    from datetime import timedelta

    run(cli, "goal", "matrices", "--order", "build-first")
    _adopt(WEIGHTS, NOW - timedelta(days=1))
    fit, cards, settings = _model_and_cards()
    assert settings == {"goal": "matrices", "order": "build-first"} and json.loads(fit[0][0]) == list(WEIGHTS)
    file = tmp_path / "backup.json"
    run(cli, "export", str(file))
    assert json.loads(file.read_text())["learner"]["memory_model"]["parameters"] == list(WEIGHTS)

    learner("fresh")
    result = json.loads(run(cli, "import", str(file), "--json"))
    assert result["settings_taken"] == 2 and result["memory_model_taken"] is True
    assert _model_and_cards() == (fit, cards, settings)  # every card rescheduled with the fit, as on the first
    out = run(cli, "stats")
    assert "Memory model: fitted to your 12 reviews" in out and "log loss 0.300" in out
    again = json.loads(run(cli, "import", str(file), "--json"))  # nothing new the second time
    assert again["settings_taken"] == 0 and again["memory_model_taken"] is False


def test_this_devices_own_newer_choices_win_over_a_backups(cli, learner, tmp_path):
    from datetime import timedelta

    run(cli, "goal", "matrices", "--order", "build-first")
    _adopt(WEIGHTS, NOW - timedelta(days=3))
    file = tmp_path / "backup.json"
    run(cli, "export", str(file))

    learner("other")
    run(cli, "goal", "derivatives")  # this device chose a goal, not an order
    newer = tuple(w * 1.01 for w in WEIGHTS)
    run(cli, "import", str(file))  # the history first, so the fit below replays it
    _adopt(newer, NOW - timedelta(days=1))
    fit_before, cards_before, _ = _model_and_cards()
    result = json.loads(run(cli, "import", str(file), "--json"))
    assert result["memory_model_taken"] is False and result["settings_taken"] == 0
    fit, cards, settings = _model_and_cards()
    assert settings == {"goal": "derivatives", "order": "build-first"}  # its own goal kept, the order was taken
    assert (fit, cards) == (fit_before, cards_before) and json.loads(fit[0][0]) == list(newer)

    # a reset chosen later than the backup's fit wins too; a backup whose reset is later resets this device
    code, out, err = cli("optimize", "--reset")
    assert code == 0, err
    assert json.loads(run(cli, "import", str(file), "--json"))["memory_model_taken"] is False
    assert _model_and_cards()[0] == []


@pytest.mark.parametrize("learner_value, message", [
    ('[]', "learner: expected an object"),
    ('{"settings": {"Bad Pack": {"goal": "x"}}}', "learner.settings"),
    ('{"settings": {"p": {"colour": "red"}}}', "unknown setting 'colour'"),
    ('{"settings": {"p": {"goal": "Not An Id"}}}', "learner.settings.p.goal"),
    ('{"memory_model": {"changed_at": "yesterday", "parameters": null}}', "learner.memory_model.changed_at"),
    ('{"memory_model": {"changed_at": "2026-01-01T00:00:00+00:00", "parameters": [1, 2]}}', "21 numbers"),
    ('{"memory_model": {"changed_at": "2026-01-01T00:00:00+00:00", "parameters": [NaN' + ', 1' * 20 + ']}}',
     "parameters[0]"),
    ('{"memory_model": {"changed_at": "2026-01-01T00:00:00+00:00", "parameters": [' + ', '.join(['1'] * 21) +
     '], "fitted_at": "2026-01-01T00:00:00+00:00", "reviews": -1}}', "memory_model.reviews"),
])
def test_a_bad_learner_object_refuses_the_whole_file(cli, learner, tmp_path, learner_value, message):
    file = tmp_path / "backup.json"
    run(cli, "export", str(file))
    learner("fresh")
    run(cli, "next")
    before = snapshot()
    doc = file.read_text()
    start = doc.index('"learner": ') + len('"learner": ')
    bad = tmp_path / "bad.json"
    bad.write_text(doc[:start] + learner_value + "\n}\n")
    code, out, err = cli("import", str(bad))
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err, err
    assert snapshot() == before  # not even the (valid) reviews went in


def test_topics_placed_by_placement_are_still_placed_after_a_restore(cli, learner, tmp_path):
    from mlpath.store import placement

    s = session()
    try:
        assert placement.skip_with_reason(s.conn, s.pack, ["matrices", "pca"], placement.PLACEMENT, NOW) == [
            "matrices", "pca"]
        placed = placement.placed(s.conn, s.pack)
    finally:
        s.close()
    assert placed == {"matrices", "pca"}
    file = tmp_path / "backup.json"
    run(cli, "export", str(file))
    events = json.loads(file.read_text())["status_events"]
    assert sorted(e["topic"] for e in events if e["reason"] == "placement") == ["matrices", "pca"]

    learner("fresh")
    run(cli, "import", str(file))
    s = session()
    try:
        assert placement.placed(s.conn, s.pack) == placed
        assert s.conn.execute("SELECT COUNT(*) FROM status_reason").fetchone()[0] == 2
    finally:
        s.close()
    run(cli, "import", str(file))  # again: nothing doubled
    s = session()
    try:
        assert s.conn.execute("SELECT COUNT(*) FROM status_reason").fetchone()[0] == 2
    finally:
        s.close()


def test_a_status_change_with_a_reason_that_is_not_an_id_refuses_the_file(cli, learner, tmp_path):
    file = tmp_path / "backup.json"
    run(cli, "export", str(file))
    doc = json.loads(file.read_text())
    doc["status_events"][0]["reason"] = "<script>"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    learner("fresh")
    code, out, err = cli("import", str(bad))
    assert code == 2 and err.count("\n") == 1 and "status_events[0].reason" in err


def test_a_placeholder_takes_the_last_record_naming_it(cli, learner, tmp_path):
    """A topic the database does not know gets its area from the last record of the file that names it (sections
    in the file's order), and a question its topic from its card: not from whichever record SQLite picks."""
    file = tmp_path / "backup.json"
    run(cli, "export", str(file))
    doc = json.loads(file.read_text())
    doc["statuses"].append({**doc["statuses"][0], "topic": "old-topic", "area": "first-area"})
    doc["status_events"].append({**doc["status_events"][0], "topic": "old-topic", "area": "middle-area"})
    doc["cards"].append({**doc["cards"][0], "question": "old-question", "topic": "old-topic", "area": "card-area",
                         "kind": "choice"})
    doc["reviews"].append({**doc["reviews"][0], "question": "old-question", "topic": "other-topic",
                           "area": "review-area"})
    doc["reviews"].append({**doc["reviews"][0], "question": "other-question", "topic": "old-topic",
                           "area": "last-area"})
    doc["cards"].append({**doc["cards"][0], "question": "other-question", "topic": "old-topic", "area": "card-area",
                         "kind": "choice"})
    file.write_text(json.dumps(doc))
    learner("fresh")
    result = json.loads(run(cli, "import", str(file), "--json"))
    assert result["added"]["topics_placeholders"] == 2 and result["added"]["questions_placeholders"] == 2
    s = session()
    try:
        assert s.conn.execute("SELECT area FROM topic WHERE id = 'old-topic'").fetchone() == ("last-area",)
        assert s.conn.execute("SELECT area FROM topic WHERE id = 'other-topic'").fetchone() == ("review-area",)
        assert s.conn.execute("SELECT topic_id FROM question WHERE id = 'old-question'").fetchone() == ("old-topic",)
        # placeholders are made in the order the file first names them
        assert [r[0] for r in s.conn.execute("SELECT id FROM topic WHERE active = 0 ORDER BY rowid")] == [
            "old-topic", "other-topic"]
    finally:
        s.close()
