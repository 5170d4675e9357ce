"""The use case behind `mlpath stats`: reviews by day and week, streaks, retention and the forecast."""

from __future__ import annotations

import calendar
import os
import time
from dataclasses import dataclass
from collections import Counter
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any

from mlpath.app.session import Session
from mlpath.core import stats
from mlpath.core.model import Area
from mlpath.errors import InvalidValue, UserError
from mlpath.store import aggregates, history

RECENT_DAYS = 14
RECENT_WEEKS = 8
MAX_DAYS = 3660
MAX_WEEKS = 520


# --- time zones ---------------------------------------------------------------------------------------------------

def _zone(name: str) -> tzinfo | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


class SystemLocal(tzinfo):
    """The system's local time as the C library sees it (honours a POSIX $TZ such as ``JST-9`` and DST), for
    when the zone has no IANA name to give to zoneinfo."""

    def fromutc(self, dt: datetime) -> datetime:
        ts = calendar.timegm(dt.replace(tzinfo=None).timetuple())
        return dt + timedelta(seconds=time.localtime(ts).tm_gmtoff)

    def utcoffset(self, dt: datetime | None) -> timedelta:
        ts = time.time() if dt is None else time.mktime(dt.replace(tzinfo=None).timetuple())
        return timedelta(seconds=time.localtime(ts).tm_gmtoff)

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str:
        return time.strftime("%Z", time.localtime())


def system_zone() -> tuple[tzinfo, str]:
    """The system's local zone: $TZ if set (an IANA name, else the C library's reading of it), else the
    zone /etc/localtime links to, else the C library's local time."""
    tz_env = os.environ.get("TZ")
    if tz_env is not None:
        name = tz_env.lstrip(":")
        if name and (zone := _zone(name)) is not None:
            return zone, name
        return SystemLocal(), f"local ({tz_env or 'UTC'})"
    try:
        link = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in link:
            key = link.split("zoneinfo/", 1)[1]
            if (zone := _zone(key)) is not None:
                return zone, key
    except OSError:
        pass
    return SystemLocal(), f"local ({time.strftime('%Z')})"


def resolve_zone(name: str | None) -> tuple[tzinfo, str]:
    """An IANA zone name (``Europe/Paris``) -> (tzinfo, name); None -> the system's local zone."""
    if name is None:
        return system_zone()
    zone = _zone(name.strip()) if name.strip() else None
    if zone is None:
        raise UserError(f"unknown time zone {name!r}; give an IANA name such as Europe/Paris, America/New_York or UTC")
    return zone, name.strip()


# --- stats -----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AreaRetention:
    id: str
    title: str
    retention: stats.Retention


@dataclass(frozen=True)
class DueDay:
    date: date
    due: int


@dataclass(frozen=True)
class StatsReport:
    """Everything `mlpath stats` shows (see the command's help for the JSON fields)."""

    tz: str
    today: date
    total_reviews: int
    days_studied: int
    heatmap: stats.Heatmap
    streak: stats.Streaks
    daily: list[stats.Tally]
    weekly: list[stats.Tally]
    retention: stats.Retention
    areas: list[AreaRetention]
    overdue: int
    forecast: list[DueDay]
    pack: str | None = None  # the pack covered; None: every pack

    def to_dict(self) -> dict[str, Any]:
        h = self.heatmap

        def tally(t: stats.Tally, key: str) -> dict[str, Any]:
            return {key: t.start.isoformat(), "answers": t.answers, "correct": t.correct, "accuracy": t.accuracy}

        def retention(r: stats.Retention) -> dict[str, Any]:
            return {"reviews": r.reviews, "passed": r.passed, "retention": r.rate}

        return {
            "tz": self.tz,
            "today": self.today.isoformat(),
            "total_reviews": self.total_reviews,
            "days_studied": self.days_studied,
            "heatmap": {"start": h.start.isoformat(), "end": h.end.isoformat(), "weeks": len(h.grid),
                        "total": h.total, "max": h.max, "days": {d.isoformat(): c for d, c in h.counts.items()}},
            "streak": {"current": self.streak.current, "longest": self.streak.longest,
                       "last_day": self.streak.last_day.isoformat() if self.streak.last_day else None},
            "daily": [tally(t, "date") for t in self.daily],
            "weekly": [tally(t, "week_start") for t in self.weekly],
            "retention": {**retention(self.retention),
                          "areas": [{"id": a.id, "title": a.title, **retention(a.retention)} for a in self.areas]},
            "forecast": {"overdue": self.overdue, "total": sum(d.due for d in self.forecast),
                         "days": [{"date": d.date.isoformat(), "due": d.due} for d in self.forecast]},
            "pack": self.pack, "all_packs": self.pack is None,
        }


def stats_report(s: Session, tz: str | None = None, days: int = RECENT_DAYS, weeks: int = RECENT_WEEKS,
                 all_packs: bool = False) -> StatsReport:
    """Everything `mlpath stats` shows, as typed values: of the session's pack, or of every pack."""
    pack = None if all_packs else s.pack
    if not 1 <= days <= MAX_DAYS:
        raise InvalidValue("days", f"takes 1 to {MAX_DAYS}")
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidValue("weeks", f"takes 1 to {MAX_WEEKS}")
    zone, zone_name = resolve_zone(tz)
    today = stats.today(s.now, zone)
    conn = s.conn
    conn.execute("BEGIN")  # one snapshot: a quiz answering meanwhile cannot make the numbers disagree
    try:
        total, right = day_tallies(conn, zone, pack)
        overall, per_area = stats.retention_from(aggregates.retention_by_area(conn, pack))
        total_reviews = aggregates.total_reviews(conn, pack)
        dues = history.due_times(conn, pack)
    finally:
        conn.execute("COMMIT")
    counts = {d: n for d, n in total.items() if n > 0}
    roadmap = s.roadmap_or_none() if pack is not None else None  # stats never need a readable roadmap
    known = [a.id for a in roadmap.areas] if roadmap is not None else []
    areas = []
    for area_id in known + sorted(set(per_area) - set(known)):
        area = roadmap.area_by_id.get(area_id) if roadmap is not None else None
        areas.append(AreaRetention(area_id, area.title if isinstance(area, Area) else area_id,
                                   per_area.get(area_id, stats.Retention(0, 0))))
    buckets = stats.forecast(dues, zone, s.now)
    return StatsReport(
        tz=zone_name, today=today, total_reviews=total_reviews, days_studied=len(counts),
        heatmap=stats.heatmap(counts, today), streak=stats.streaks(counts, today),
        daily=stats.tallies_by_day(total, right, today, days), weekly=stats.tallies_by_week(total, right, today, weeks),
        retention=overall, areas=areas, overdue=stats.overdue(dues, s.now),
        forecast=[DueDay(today + timedelta(days=i), n) for i, n in enumerate(buckets)], pack=pack)


def day_tallies(conn, zone: tzinfo, pack: str | None = None) -> tuple[Counter, Counter]:
    """Answers and right answers per local day in ``zone``, over the whole history of one pack (None: every
    pack), from the hourly summary.

    An hour holding a local midnight (zones half an hour off UTC, offset changes) is counted per minute, and a
    minute holding one (old local mean times) answer by answer."""
    parse = datetime.fromisoformat
    utc = timezone.utc

    def readable(rows):  # a damaged time (written by an old version) is left out of the days, not fatal
        try:
            return [(parse(key).replace(tzinfo=utc), n, r) for key, n, r in rows], rows
        except ValueError:
            rows = [row for row in rows if _parses(row[0])]
            return [(parse(key).replace(tzinfo=utc), n, r) for key, n, r in rows], rows

    total, right, split = stats.fold_hour_keys(aggregates.hours(conn, pack), zone)
    for hour in split:
        minutes, minute_rows = readable(aggregates.minutes_in_hour(conn, hour, pack))
        more_total, more_right, split_minutes = stats.fold_hours(minutes, zone, timedelta(minutes=1))
        total.update(more_total)
        right.update(more_right)
        minute_names = {start: m for (start, _, _), (m, _, _) in zip(minutes, minute_rows)}
        for minute in split_minutes:
            for at, good in aggregates.answers_in_minute(conn, minute_names[minute], pack):
                day = stats.local_day(at, zone)
                total[day] += 1
                right[day] += good
    return total, right


def _parses(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
        return True
    except ValueError:
        return False
