"""The numbers behind `mlpath stats`: review heatmap, streaks, accuracy, true retention and the due forecast.

Pure: timestamps come in as UTC-aware datetimes, the learner's time zone as a ``tzinfo`` and the present as ``now``.
A "day" is always a local calendar day in that zone; weeks start on Monday (ISO weeks).
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import NamedTuple

from mlpath.core.srs import Rating

HEATMAP_WEEKS = 53
FORECAST_DAYS = 30


class Answer(NamedTuple):
    """One review as the statistics see it."""

    question_id: str
    area: str
    at: datetime  # UTC-aware
    rating: int  # 1 Again, 2 Hard, 3 Good, 4 Easy
    correct: bool | None = None  # None (e.g. old rows): right means rating > 1

    @property
    def right(self) -> bool:
        return self.correct if self.correct is not None else self.rating > Rating.AGAIN


def local_day(at: datetime, tz: tzinfo) -> date:
    """The learner's calendar day of a UTC instant."""
    if at.tzinfo is None:
        raise ValueError("naive datetime")
    return at.astimezone(tz).date()


def today(now: datetime, tz: tzinfo) -> date:
    return local_day(now, tz)


def week_start(day: date) -> date:
    """The Monday of the week holding ``day``."""
    return day - timedelta(days=day.weekday())


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


# --- heatmap --------------------------------------------------------------------------------------------------

def daily_counts(times: Iterable[datetime], tz: tzinfo) -> Counter[date]:
    """How many reviews fell on each local day."""
    return Counter(local_day(t, tz) for t in times)


@dataclass(frozen=True)
class Heatmap:
    """A contribution calendar: ``weeks`` columns (Monday first) ending with the week of ``end``.

    ``grid[w][d]`` is the count on weekday ``d`` (0 Monday) of week ``w``, or None for days after ``end``;
    ``levels`` is the same grid shaded 0 (none) to 4 (busiest).
    """

    start: date
    end: date
    counts: dict[date, int]  # only days inside the window with at least one review
    grid: list[list[int | None]]
    levels: list[list[int | None]]
    max: int
    total: int


def level(count: int, top: int) -> int:
    """Shade 0 for no reviews, else 1..4 in proportion to the busiest day."""
    if count <= 0 or top <= 0:
        return 0
    return min(4, max(1, -(-4 * count // top)))  # ceil(4 * count / top)


def heatmap(counts: Mapping[date, int], end: date, weeks: int = HEATMAP_WEEKS) -> Heatmap:
    start = week_start(end) - timedelta(weeks=weeks - 1)
    window = {d: c for d, c in counts.items() if start <= d <= end and c > 0}
    top = max(window.values(), default=0)
    grid: list[list[int | None]] = []
    for w in range(weeks):
        column: list[int | None] = []
        for d in range(7):
            day = start + timedelta(days=7 * w + d)
            column.append(None if day > end else window.get(day, 0))
        grid.append(column)
    levels = [[None if c is None else level(c, top) for c in col] for col in grid]
    return Heatmap(start, end, dict(sorted(window.items())), grid, levels, top, sum(window.values()))


# --- streaks --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Streaks:
    current: int
    longest: int
    last_day: date | None


def streaks(days: Iterable[date], today_: date) -> Streaks:
    """Runs of consecutive days with at least one review.

    The current streak is the run ending on the last review day, if that day is today or yesterday; else 0.
    """
    ordered = sorted(set(days))
    if not ordered:
        return Streaks(0, 0, None)
    longest = run = 1
    for prev, day in zip(ordered, ordered[1:]):
        run = run + 1 if (day - prev).days == 1 else 1
        longest = max(longest, run)
    last = ordered[-1]
    current = run if (today_ - last).days in (0, 1) else 0
    return Streaks(current, longest, last)


# --- accuracy ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tally:
    start: date  # the day, or the Monday of the week
    answers: int
    correct: int

    @property
    def accuracy(self) -> float | None:
        return ratio(self.correct, self.answers)


def _tally(answers: Iterable[Answer], tz: tzinfo, key, first: date) -> tuple[Counter, Counter]:
    # Only answers from ``first`` on matter: skip older ones before the (costly) zone conversion. No zone is
    # more than a day away from UTC, so two days of margin keep every local day from ``first`` on.
    cutoff = datetime.combine(first - timedelta(days=2), time(), timezone.utc)
    total: Counter = Counter()
    right: Counter = Counter()
    for a in answers:
        if a.at < cutoff:
            continue
        k = key(local_day(a.at, tz))
        total[k] += 1
        right[k] += a.right
    return total, right


def accuracy_by_day(answers: Iterable[Answer], tz: tzinfo, today_: date, days: int) -> list[Tally]:
    """Answers and right answers on each of the last ``days`` local days (oldest first, empty days included)."""
    first = today_ - timedelta(days=days - 1)
    total, right = _tally(answers, tz, lambda d: d, first)
    return tallies_by_day(total, right, today_, days)


def accuracy_by_week(answers: Iterable[Answer], tz: tzinfo, today_: date, weeks: int) -> list[Tally]:
    """The same per week (Monday to Sunday) for the last ``weeks`` weeks, this one last."""
    first = week_start(today_) - timedelta(weeks=weeks - 1)
    total, right = _tally(answers, tz, week_start, first)
    return [Tally(w, total[w], right[w]) for w in (first + timedelta(weeks=i) for i in range(weeks))]


def tallies_by_day(total: Mapping[date, int], right: Mapping[date, int], today_: date, days: int) -> list[Tally]:
    """``accuracy_by_day`` from answers and right answers already counted per local day."""
    first = today_ - timedelta(days=days - 1)
    return [Tally(d, total.get(d, 0), right.get(d, 0)) for d in (first + timedelta(days=i) for i in range(days))]


def tallies_by_week(total: Mapping[date, int], right: Mapping[date, int], today_: date, weeks: int) -> list[Tally]:
    """``accuracy_by_week`` from answers and right answers already counted per local day."""
    first = week_start(today_) - timedelta(weeks=weeks - 1)
    week_total: Counter = Counter()
    week_right: Counter = Counter()
    for d, n in total.items():
        if d >= first:
            week_total[week_start(d)] += n
            week_right[week_start(d)] += right.get(d, 0)
    return [Tally(w, week_total[w], week_right[w]) for w in (first + timedelta(weeks=i) for i in range(weeks))]


# --- counts per UTC hour folded into local days --------------------------------------------------------------------

_HOUR = timedelta(hours=1)
_TICK = timedelta(microseconds=1)


def _offset(at: datetime, tz: tzinfo) -> timedelta:
    """How far local clock time in ``tz`` is from UTC at the instant ``at`` (as ``astimezone`` sees it)."""
    return at.astimezone(tz).replace(tzinfo=None) - at.replace(tzinfo=None)


def fold_hours(hours: Iterable[tuple[datetime, int, int]], tz: tzinfo,
               span: timedelta = _HOUR) -> tuple[Counter, Counter, list[datetime]]:
    """Answers and right answers per local day, from counts per UTC hour (start, answers, right).

    An hour lies within one local day unless a local midnight falls inside it (zones whose offset is not a whole
    number of hours, or a change of offset within the hour): those hours are returned in the third list, for the
    caller to count in smaller buckets (``span``: their length, e.g. a minute) or answer by answer.
    """
    total: Counter = Counter()
    right: Counter = Counter()
    split: list[datetime] = []
    steady: dict[date, timedelta | None] = {}  # UTC date -> the zone's offset if it holds all that day
    for start, answers, good in hours:
        day = start.date()
        if day not in steady:
            midnight = datetime.combine(day, time(), timezone.utc)
            offset = _offset(midnight, tz)
            steady[day] = offset if _offset(midnight + timedelta(days=1) - _TICK, tz) == offset else None
        offset = steady[day]
        if offset is None:
            first, last = _offset(start, tz), _offset(start + span - _TICK, tz)
            offset = first if first == last else None
        if offset is not None:
            local = (start + offset).date()
            if local == (start + span - _TICK + offset).date():
                total[local] += answers
                right[local] += good
                continue
        split.append(start)
    return total, right, split


# --- retention ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Retention:
    reviews: int  # reviews of cards seen before (not a card's first review)
    passed: int  # ... of which rated Hard, Good or Easy (rating > 1)

    @property
    def rate(self) -> float | None:
        return ratio(self.passed, self.reviews)


def true_retention(answers: Iterable[Answer]) -> tuple[Retention, dict[str, Retention]]:
    """(overall, per area): the share of passed reviews among reviews of cards that had been reviewed before.

    A card's first review (its first answer ever) is left out: it measures learning, not remembering.
    """
    ordered = sorted(answers, key=lambda a: a.at)  # stable: equal times keep their given order
    seen: set[str] = set()
    reviews: Counter = Counter()
    passed: Counter = Counter()
    for a in ordered:
        if a.question_id not in seen:
            seen.add(a.question_id)
            continue
        reviews[a.area] += 1
        passed[a.area] += a.rating > Rating.AGAIN
    per_area = {area: Retention(reviews[area], passed[area]) for area in reviews}
    return Retention(sum(reviews.values()), sum(passed.values())), per_area


def fold_hour_keys(hours: Iterable[tuple[str, int, int]], tz: tzinfo) -> tuple[Counter, Counter, list[str]]:
    """``fold_hours`` for hours given as stored keys (``YYYY-MM-DD HH``, UTC): the local day of each of a UTC
    date's 24 hours is worked out once per date, so a long history costs a lookup per hour. Keys that do not parse
    (damaged rows) are left out; the third list holds the keys of hours that hold a local midnight."""
    total: Counter = Counter()
    right: Counter = Counter()
    split: list[str] = []
    tables: dict[str, list[date | None] | None] = {}
    for key, answers, good in hours:
        day_key = key[:10]
        table = tables.get(day_key, False)
        if table is False:
            table = tables[day_key] = _hour_days(day_key, tz)
        if table is None:
            continue
        try:
            local = table[int(key[11:13])]
        except (ValueError, IndexError):
            continue
        if local is None:
            split.append(key)
            continue
        total[local] += answers
        right[local] += good
    return total, right, split


_DAY_US = 86_400_000_000
_HOUR_US = 3_600_000_000


def _hour_days(day_key: str, tz: tzinfo) -> list[date | None] | None:
    """The local day of each UTC hour of the date ``day_key`` (None for an hour holding a local midnight);
    None if the date does not parse."""
    try:
        day = date.fromisoformat(day_key)
    except ValueError:
        return None
    midnight = datetime.combine(day, time(), timezone.utc)
    offset = _offset(midnight, tz)
    if _offset(midnight + timedelta(days=1) - _TICK, tz) != offset:  # the offset changes that day: hour by hour
        return [_hour_day(midnight + timedelta(hours=h), tz) for h in range(24)]
    off = offset // _TICK  # microseconds
    base = day.toordinal()
    days: dict[int, date] = {}
    out: list[date | None] = []
    for h in range(24):
        start = h * _HOUR_US + off
        first, last = start // _DAY_US, (start + _HOUR_US - 1) // _DAY_US
        if first != last:
            out.append(None)
            continue
        if first not in days:
            days[first] = date.fromordinal(base + first)
        out.append(days[first])
    return out


def _hour_day(start: datetime, tz: tzinfo) -> date | None:
    first, last = _offset(start, tz), _offset(start + _HOUR - _TICK, tz)
    if first != last:
        return None
    local = (start + first).date()
    return local if local == (start + _HOUR - _TICK + first).date() else None


def retention_from(per_area: Mapping[str, tuple[int, int]]) -> tuple[Retention, dict[str, Retention]]:
    """``true_retention``'s result from (reviews, passed) already counted per area (areas with reviews only)."""
    out = {area: Retention(n, p) for area, (n, p) in per_area.items() if n > 0}
    return Retention(sum(r.reviews for r in out.values()), sum(r.passed for r in out.values())), out


# --- forecast -------------------------------------------------------------------------------------------------------

def forecast(dues: Iterable[datetime], tz: tzinfo, now: datetime, days: int = FORECAST_DAYS) -> list[int]:
    """Cards falling due on each of the next ``days`` local days; day 0 (today) also holds every overdue card."""
    first = today(now, tz)
    buckets = [0] * days
    for due in dues:
        offset = max(0, (local_day(due, tz) - first).days)
        if offset < days:
            buckets[offset] += 1
    return buckets


def overdue(dues: Iterable[datetime], now: datetime) -> int:
    return sum(1 for d in dues if d <= now)

