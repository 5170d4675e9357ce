"""Use cases behind `mlpath stats` and `mlpath graph`: plain dicts over a Session, no terminal."""

from __future__ import annotations

import calendar
import os
import time
from datetime import datetime, timedelta, tzinfo
from typing import Any

from mlpath.core import diagram, stats
from mlpath.core.model import Area
from mlpath.errors import UserError
from mlpath.store import history, queries

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

def _tally(t: stats.Tally, key: str) -> dict[str, Any]:
    return {key: t.start.isoformat(), "answers": t.answers, "correct": t.correct, "accuracy": t.accuracy}


def stats_report(s, tz: str | None = None, days: int = RECENT_DAYS, weeks: int = RECENT_WEEKS) -> dict[str, Any]:
    """Everything `mlpath stats` shows, as numbers (see the command's help for the fields)."""
    if not (1 <= days <= MAX_DAYS and 1 <= weeks <= MAX_WEEKS):
        raise UserError(f"--days takes 1 to {MAX_DAYS} and --weeks 1 to {MAX_WEEKS}")
    zone, zone_name = resolve_zone(tz)
    answers = history.answers(s.conn)
    today = stats.today(s.now, zone)
    counts = stats.daily_counts((a.at for a in answers), zone)
    heat = stats.heatmap(counts, today)
    streak = stats.streaks(counts, today)
    overall, per_area = stats.true_retention(answers)

    areas = []
    known = [a.id for a in s.roadmap.areas]
    for area_id in known + sorted(set(per_area) - set(known)):
        r = per_area.get(area_id, stats.Retention(0, 0))
        area = s.roadmap.area_by_id.get(area_id)
        areas.append({"id": area_id, "title": area.title if isinstance(area, Area) else area_id,
                      "reviews": r.reviews, "passed": r.passed, "retention": r.rate})

    dues = history.due_times(s.conn)
    buckets = stats.forecast(dues, zone, s.now)
    return {
        "tz": zone_name,
        "today": today.isoformat(),
        "total_reviews": len(answers),
        "days_studied": len(counts),
        "heatmap": {"start": heat.start.isoformat(), "end": heat.end.isoformat(), "weeks": len(heat.grid),
                    "total": heat.total, "max": heat.max,
                    "days": {d.isoformat(): c for d, c in heat.counts.items()}},
        "streak": {"current": streak.current, "longest": streak.longest,
                   "last_day": streak.last_day.isoformat() if streak.last_day else None},
        "daily": [_tally(t, "date") for t in stats.accuracy_by_day(answers, zone, today, days)],
        "weekly": [_tally(t, "week_start") for t in stats.accuracy_by_week(answers, zone, today, weeks)],
        "retention": {"reviews": overall.reviews, "passed": overall.passed, "retention": overall.rate,
                      "areas": areas},
        "forecast": {"overdue": stats.overdue(dues, s.now), "total": sum(buckets),
                     "days": [{"date": (today + timedelta(days=i)).isoformat(), "due": n}
                              for i, n in enumerate(buckets)]},
    }


# --- graph ------------------------------------------------------------------------------------------------------------

FORMATS = ("tree", "mermaid", "dot")


def graph(s, name: str | None = None, fmt: str = "tree") -> dict[str, Any]:
    """The roadmap, the part leading to a topic, or an area (with its outside prerequisites), drawn as ``fmt``.

    Returns scope, id, title, nodes, edges, areas and ``text`` (the plain tree, Mermaid or DOT)."""
    from mlpath import services

    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if name is None:
        scope, target, ids = "roadmap", None, [t.id for t in s.roadmap.topics]
        title = "mlpath roadmap"
    else:
        found = services.resolve(s, name)
        target = found.id
        if isinstance(found, Area):
            scope, ids = "area", diagram.area_scope(s.roadmap, found.id)
            title = f"{found.title} ({found.id}) and its prerequisites from other areas"
        else:
            scope, ids = "topic", diagram.topic_scope(s.roadmap, found.id)
            title = f"The path to {found.title} ({found.id})"
    d = diagram.build(s.roadmap, ids, queries.statuses(s.conn))
    if fmt == "mermaid":
        text = diagram.to_mermaid(d)
    elif fmt == "dot":
        text = diagram.to_dot(d)
    else:
        text = diagram.tree_text(d, title)
    return {"scope": scope, "id": target, "title": title, "format": fmt, **d.to_dict(), "text": text}


def write_output(path, text: str) -> None:
    from mlpath.backup import write_file

    write_file(path, text, force=True)
