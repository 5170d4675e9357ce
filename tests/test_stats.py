"""`mlpath stats`: the numbers behind every chart, on small fixed histories (see tests/learning_history.py)."""

from __future__ import annotations

import json
from datetime import date, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from learning_history import NOW, REVIEWS, install, utc
from mlpath.core import stats
from mlpath.core.stats import Answer

TOKYO = ZoneInfo("Asia/Tokyo")
UTC = timezone.utc


def answers() -> list[Answer]:
    return [Answer(q, "ml" if t == "gradient-descent" else "maths", at, rating, rating > 1)
            for q, t, at, rating, _ in REVIEWS]


# --- pure core ----------------------------------------------------------------------------------------------------

def test_local_day_depends_on_the_zone():
    late = utc(2024, 12, 31, 23, 30)
    assert stats.local_day(late, UTC) == date(2024, 12, 31)
    assert stats.local_day(late, TOKYO) == date(2025, 1, 1)  # 08:30 the next morning, and the next year
    assert stats.local_day(utc(2025, 1, 1, 3), ZoneInfo("America/New_York")) == date(2024, 12, 31)
    with pytest.raises(ValueError):
        stats.local_day(late.replace(tzinfo=None), UTC)


def test_daily_counts_per_zone():
    times = [a.at for a in answers()]
    assert stats.daily_counts(times, UTC) == {date(2024, 12, 30): 2, date(2024, 12, 31): 2,
                                              date(2025, 1, 1): 2, date(2025, 1, 2): 2}
    assert stats.daily_counts(times, TOKYO) == {date(2024, 12, 30): 2, date(2024, 12, 31): 1,
                                                date(2025, 1, 1): 3, date(2025, 1, 2): 2}


def test_heatmap_grid_is_weeks_by_weekdays():
    counts = {date(2024, 12, 30): 2, date(2025, 1, 2): 8, date(2024, 1, 1): 1, date(2023, 12, 31): 5}
    h = stats.heatmap(counts, date(2025, 1, 2))
    assert len(h.grid) == 53 and all(len(col) == 7 for col in h.grid)
    assert h.start == date(2024, 1, 1) and h.start.weekday() == 0  # a Monday, 52 weeks before this week's
    assert h.counts == {date(2024, 1, 1): 1, date(2024, 12, 30): 2, date(2025, 1, 2): 8}  # 2023 is outside
    assert h.grid[0][0] == 1
    assert h.grid[52][0] == 2 and h.grid[52][3] == 8  # Monday and Thursday of this week
    assert h.grid[52][4:] == [None, None, None]  # Friday to Sunday are still to come
    assert h.max == 8 and h.total == 11
    assert h.levels[52][3] == 4 and h.levels[52][0] == 1 and h.levels[52][1] == 0
    assert [stats.level(c, 8) for c in (0, 1, 2, 3, 4, 5, 6, 7, 8)] == [0, 1, 1, 2, 2, 3, 3, 4, 4]


def test_streaks_across_a_month_end():
    days = [date(2025, 1, 30), date(2025, 1, 31), date(2025, 2, 1), date(2025, 2, 3)]
    assert stats.streaks(days, date(2025, 2, 3)) == stats.Streaks(1, 3, date(2025, 2, 3))
    days = days[:3]
    assert stats.streaks(days, date(2025, 2, 1)).current == 3
    assert stats.streaks(days, date(2025, 2, 2)).current == 3  # yesterday still counts
    assert stats.streaks(days, date(2025, 2, 3)).current == 0  # two days ago does not
    assert stats.streaks(days, date(2025, 2, 3)).longest == 3


def test_streaks_across_a_year_end_and_leap_day():
    days = [date(2024, 12, 30), date(2024, 12, 31), date(2025, 1, 1), date(2025, 1, 2)]
    assert stats.streaks(days, date(2025, 1, 2)) == stats.Streaks(4, 4, date(2025, 1, 2))
    leap = [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)]
    assert stats.streaks(leap, date(2024, 3, 2)) == stats.Streaks(3, 3, date(2024, 3, 1))
    assert stats.streaks([], date(2025, 1, 1)) == stats.Streaks(0, 0, None)
    assert stats.streaks([date(2025, 1, 1)] * 3, date(2025, 1, 1)) == stats.Streaks(1, 1, date(2025, 1, 1))


def test_time_zone_can_make_or_break_a_streak():
    # one review late on Dec 31 UTC and one early on Jan 1 UTC... are both on Jan 1 in Tokyo
    times = [utc(2024, 12, 31, 23, 30), utc(2025, 1, 1, 2)]
    assert stats.streaks(stats.daily_counts(times, UTC), date(2025, 1, 1)).longest == 2
    assert stats.streaks(stats.daily_counts(times, TOKYO), date(2025, 1, 1)).longest == 1


def test_accuracy_per_day_and_week():
    days = stats.accuracy_by_day(answers(), UTC, date(2025, 1, 2), 5)
    assert [(t.start.isoformat(), t.answers, t.correct, t.accuracy) for t in days] == [
        ("2024-12-29", 0, 0, None), ("2024-12-30", 2, 2, 1.0), ("2024-12-31", 2, 1, 0.5),
        ("2025-01-01", 2, 2, 1.0), ("2025-01-02", 2, 0, 0.0)]
    tokyo = stats.accuracy_by_day(answers(), TOKYO, date(2025, 1, 2), 3)
    assert [(t.answers, t.correct) for t in tokyo] == [(1, 0), (3, 3), (2, 0)]
    weeks = stats.accuracy_by_week(answers(), UTC, date(2025, 1, 2), 2)
    assert [(t.start.isoformat(), t.answers, t.correct, t.accuracy) for t in weeks] == [
        ("2024-12-23", 0, 0, None), ("2024-12-30", 8, 5, 0.625)]


def test_accuracy_falls_back_to_the_rating():
    a = [Answer("q", "x", NOW, 3, None), Answer("q", "x", NOW, 1, None), Answer("q", "x", NOW, 1, True)]
    [day] = stats.accuracy_by_day(a, UTC, NOW.date(), 1)
    assert (day.answers, day.correct) == (3, 2)


def test_true_retention_skips_first_reviews():
    overall, per_area = stats.true_retention(answers())
    assert (overall.reviews, overall.passed, overall.rate) == (4, 3, 0.75)
    assert per_area["maths"] == stats.Retention(3, 2) and per_area["maths"].rate == 0.667
    assert per_area["ml"] == stats.Retention(1, 1)
    # order of the input does not matter: the first review is the earliest
    overall2, _ = stats.true_retention(list(reversed(answers())))
    assert overall2 == overall


def test_forecast_buckets():
    dues = [r[4] for r in REVIEWS]
    latest = {}
    for q, _, _, _, due in REVIEWS:
        latest[q] = due
    dues = list(latest.values())
    utc_days = stats.forecast(dues, UTC, NOW)
    assert len(utc_days) == 30
    assert utc_days[0] == 2 and utc_days[3] == 1 and sum(utc_days) == 3  # overdue + later today; Jan 5
    tokyo = stats.forecast(dues, TOKYO, NOW)
    assert tokyo[0] == 1 and tokyo[1] == 1 and tokyo[3] == 1 and sum(tokyo) == 3  # 20:00 UTC is tomorrow there
    assert stats.overdue(dues, NOW) == 1
    edge = [NOW - timedelta(days=40), NOW + timedelta(days=29), NOW + timedelta(days=30)]
    assert stats.forecast(edge, UTC, NOW) == [1] + [0] * 28 + [1]


# --- through the command -------------------------------------------------------------------------------------

@pytest.fixture
def history(mini, monkeypatch):
    install(mini, monkeypatch)
    return mini


def run_json(cli, *args):
    code, out, err = cli(*args)
    assert code == 0, err
    return json.loads(out)


def test_stats_json_in_utc(cli, history):
    data = run_json(cli, "stats", "--json", "--tz", "UTC", "--days", "4", "--weeks", "2")
    assert data["tz"] == "UTC" and data["today"] == "2025-01-02"
    assert data["total_reviews"] == 8 and data["days_studied"] == 4
    assert data["heatmap"]["days"] == {"2024-12-30": 2, "2024-12-31": 2, "2025-01-01": 2, "2025-01-02": 2}
    assert data["heatmap"]["start"] == "2024-01-01" and data["heatmap"]["weeks"] == 53
    assert data["heatmap"]["max"] == 2 and data["heatmap"]["total"] == 8
    assert data["streak"] == {"current": 4, "longest": 4, "last_day": "2025-01-02"}
    assert [(d["date"], d["answers"], d["correct"], d["accuracy"]) for d in data["daily"]] == [
        ("2024-12-30", 2, 2, 1.0), ("2024-12-31", 2, 1, 0.5), ("2025-01-01", 2, 2, 1.0), ("2025-01-02", 2, 0, 0.0)]
    assert data["weekly"] == [
        {"week_start": "2024-12-23", "answers": 0, "correct": 0, "accuracy": None},
        {"week_start": "2024-12-30", "answers": 8, "correct": 5, "accuracy": 0.625}]
    ret = data["retention"]
    assert (ret["reviews"], ret["passed"], ret["retention"]) == (4, 3, 0.75)
    areas = {a["id"]: a for a in ret["areas"]}
    assert [a["id"] for a in ret["areas"]] == ["maths", "ml"]
    assert (areas["maths"]["reviews"], areas["maths"]["passed"], areas["maths"]["retention"]) == (3, 2, 0.667)
    assert (areas["ml"]["reviews"], areas["ml"]["passed"], areas["ml"]["title"]) == (1, 1, "Machine learning")
    f = data["forecast"]
    assert f["overdue"] == 1 and f["total"] == 3 and len(f["days"]) == 30
    assert f["days"][0] == {"date": "2025-01-02", "due": 2} and f["days"][3] == {"date": "2025-01-05", "due": 1}
    assert f["days"][29]["date"] == "2025-01-31"


def test_stats_json_in_tokyo(cli, history):
    data = run_json(cli, "stats", "--json", "--tz", "Asia/Tokyo", "--days", "3")
    assert data["tz"] == "Asia/Tokyo" and data["today"] == "2025-01-02"  # 21:00 there
    assert data["heatmap"]["days"] == {"2024-12-30": 2, "2024-12-31": 1, "2025-01-01": 3, "2025-01-02": 2}
    assert [(d["date"], d["answers"]) for d in data["daily"]] == [
        ("2024-12-31", 1), ("2025-01-01", 3), ("2025-01-02", 2)]
    assert [d["due"] for d in data["forecast"]["days"][:4]] == [1, 1, 0, 1]


def test_stats_streak_ends_after_a_missed_day(cli, history, monkeypatch):
    monkeypatch.setenv("MLPATH_NOW", "2025-01-04T12:00:00+00:00")
    data = run_json(cli, "stats", "--json", "--tz", "UTC")
    assert data["streak"] == {"current": 0, "longest": 4, "last_day": "2025-01-02"}
    f = data["forecast"]
    assert f["overdue"] == 2 and [d["due"] for d in f["days"][:3]] == [2, 1, 0]  # Jan 2's cards are overdue now


def test_stats_with_no_history(cli, mini):
    data = run_json(cli, "stats", "--json", "--tz", "Europe/Paris")
    assert data["total_reviews"] == 0 and data["heatmap"]["days"] == {}
    assert data["streak"] == {"current": 0, "longest": 0, "last_day": None}
    assert data["retention"]["retention"] is None
    assert data["forecast"]["total"] == 0
    code, out, err = cli("stats", "--tz", "UTC")
    assert code == 0 and "nothing due" in out


def test_stats_text_and_default_zone(cli, history):
    code, out, err = cli("stats", "--tz", "UTC")
    assert code == 0, err
    assert "Streak: 4 days now, longest 4" in out
    assert "True retention: 75% of 4 repeat reviews passed" in out
    assert "per day: 2 0 0 1 0" in out
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("Mon "))
    rows = lines[first:first + 7]  # Monday to Sunday; 53 week columns after a 4-character label
    assert [len(row) for row in rows] == [4 + 53] * 4 + [4 + 52] * 3  # Friday to Sunday of this week are to come
    assert [row[-1] for row in rows[:4]] == ["#"] * 4  # Mon-Thu of this week: 2 reviews each, the busiest level
    assert set(rows[0][4:-1]) == {"."}  # nothing before
    code, out, err = cli("stats", "--json")
    assert code == 0 and json.loads(out)["total_reviews"] == 8


def test_stats_rich_output(cli, history, monkeypatch):
    from mlpath.cli import render

    monkeypatch.setattr(render, "fancy", lambda: True)
    code, out, err = cli("stats", "--tz", "UTC")
    assert code == 0, err
    assert "■" in out and "Recent days" in out and "True retention" in out


def test_unknown_time_zone_is_a_user_error(cli, mini):
    code, out, err = cli("stats", "--tz", "Mars/Olympus_Mons")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "unknown time zone 'Mars/Olympus_Mons'" in err
    code, _, err = cli("stats", "--tz", "../../etc/passwd")
    assert code == 2 and "unknown time zone" in err


@pytest.mark.parametrize("tz, name, day", [("Asia/Tokyo", "Asia/Tokyo", date(2025, 1, 1)),
                                           ("JST-9", "local (JST-9)", date(2025, 1, 1)),
                                           ("UTC", "UTC", date(2024, 12, 31))])
def test_default_zone_is_the_systems(tz, name, day):
    import os
    import time

    from mlpath.app.stats import resolve_zone

    old = os.environ.get("TZ")
    os.environ["TZ"] = tz
    time.tzset()
    try:
        zone, label = resolve_zone(None)
        assert label == name
        assert stats.local_day(utc(2024, 12, 31, 23, 30), zone) == day
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()
