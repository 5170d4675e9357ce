"""The use case behind `mlpath stats`: reviews by day and week, streaks, retention and the forecast."""

from __future__ import annotations

import calendar
import os
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from mlpath.app.session import Session
from mlpath.core import stats
from mlpath.core.model import Area
from mlpath.errors import InvalidValue, UserError
from mlpath.store import history

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
    answers = history.answers(s.conn, pack)
    today = stats.today(s.now, zone)
    counts = stats.daily_counts((a.at for a in answers), zone)
    overall, per_area = stats.true_retention(answers)
    roadmap = s.roadmap_or_none() if pack is not None else None  # stats never need a readable roadmap
    known = [a.id for a in roadmap.areas] if roadmap is not None else []
    areas = []
    for area_id in known + sorted(set(per_area) - set(known)):
        area = roadmap.area_by_id.get(area_id) if roadmap is not None else None
        areas.append(AreaRetention(area_id, area.title if isinstance(area, Area) else area_id,
                                   per_area.get(area_id, stats.Retention(0, 0))))
    dues = history.due_times(s.conn, pack)
    buckets = stats.forecast(dues, zone, s.now)
    return StatsReport(
        tz=zone_name, today=today, total_reviews=len(answers), days_studied=len(counts),
        heatmap=stats.heatmap(counts, today), streak=stats.streaks(counts, today),
        daily=stats.accuracy_by_day(answers, zone, today, days), weekly=stats.accuracy_by_week(answers, zone, today, weeks),
        retention=overall, areas=areas, overdue=stats.overdue(dues, s.now),
        forecast=[DueDay(today + timedelta(days=i), n) for i, n in enumerate(buckets)], pack=pack)
