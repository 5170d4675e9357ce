"""`mlpath today`: where to start the day (due reviews and the minutes they take, the topic in progress, what comes
next, the streak), and the daily budget that `review`, `quiz` and the forecast in `stats` respect.

The budget (config.toml): ``daily_minutes`` of reviews a day, turned into cards with the learner's own pace (the
median response time of their last answers, DEFAULT_SECONDS_PER_CARD before there are any), and at most
``new_cards_per_day`` new cards. A "day" is the learner's local calendar day (as in `stats`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from mlpath.app.session import Session
from mlpath.core.model import Resource
from mlpath.store import queries

DEFAULT_SECONDS_PER_CARD = 15.0
PACE = (3.0, 120.0)  # seconds per card taken into account, at least and at most
STREAK_DAYS = 400  # how far back the streak is counted


def seconds_per_card(median_ms: int | None) -> float:
    """The learner's pace: the median response time of recent answers, bounded; the default before any."""
    if median_ms is None:
        return DEFAULT_SECONDS_PER_CARD
    lo, hi = PACE
    return min(hi, max(lo, median_ms / 1000))


def cards_per_day(daily_minutes: int, per_card: float) -> int:
    """How many cards fit in ``daily_minutes`` at ``per_card`` seconds each (at least 1)."""
    return max(1, int(daily_minutes * 60 // per_card))


def spread(due_by_day: list[int], per_day: int) -> list[int]:
    """The cards done each day when at most ``per_day`` are done a day and the rest waits for the next day
    (``due_by_day[0]`` includes the overdue cards). The last day keeps whatever is still waiting."""
    out, waiting = [], 0
    for n in due_by_day:
        waiting += n
        done = min(waiting, per_day)
        out.append(done)
        waiting -= done
    if out:
        out[-1] += waiting
    return out


def day_start(now: datetime, tz=None) -> datetime:
    """The start (UTC) of the learner's local day holding ``now``."""
    if tz is None:
        from mlpath.app.stats import system_zone

        tz = system_zone()[0]
    local = now.astimezone(tz)
    midnight = datetime(local.year, local.month, local.day, tzinfo=tz)
    return midnight.astimezone(timezone.utc)


@dataclass(frozen=True)
class Budget:
    daily_minutes: int
    seconds_per_card: float  # the learner's pace
    cards_per_day: int  # cards that fit in daily_minutes
    done_today: int  # answers given today
    left: int  # cards that still fit today
    new_per_day: int
    new_today: int  # cards first answered today
    new_left: int


def budget(s: Session) -> Budget:
    per_card = seconds_per_card(queries.median_response_ms(s.conn))
    per_day = cards_per_day(s.settings.daily_minutes, per_card)
    day = queries.day_counts(s.conn, day_start(s.now))
    return Budget(s.settings.daily_minutes, round(per_card, 1), per_day, day.reviews, max(0, per_day - day.reviews),
                  s.settings.new_cards_per_day, day.new, max(0, s.settings.new_cards_per_day - day.new))


@dataclass(frozen=True)
class BudgetForecast:
    """The `stats` forecast as the budget lets it happen: cards done per day, the rest carried to the next day."""

    cards_per_day: int
    days: list[int]
    backlog_days: int  # days until the cards due now are done at the budget's pace (0: nothing due)


def budget_forecast(s: Session, due_by_day: list[int]) -> BudgetForecast:
    """The hook `stats` uses: its per-day forecast (day 0 with the overdue cards) spread over the daily budget."""
    per_day = budget(s).cards_per_day
    first = due_by_day[0] if due_by_day else 0
    return BudgetForecast(per_day, spread(due_by_day, per_day), -(-first // per_day) if first else 0)


# --- today ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class InProgress:
    id: str
    title: str
    resource: Resource | None


@dataclass(frozen=True)
class Suggested:
    id: str
    title: str
    reason: str


@dataclass(frozen=True)
class Today:
    due: int  # cards due now
    due_today: int  # of which fit in today's budget
    held_back: int  # due cards the budget leaves for later days
    minutes: int  # estimated minutes for due_today, at the learner's pace
    new_left: int  # new cards the budget still allows today
    budget: Budget
    in_progress: list[InProgress]
    next: list[Suggested]
    streak: int  # days in a row with at least one answer, ending today (or yesterday, if not studied yet today)
    studied_today: bool
    reviews: int  # answers in all
    topics_done: int
    encouragement: str


def _streak(s: Session) -> tuple[int, bool]:
    from mlpath.app.stats import system_zone
    from mlpath.store.db import from_db, to_db

    tz = system_zone()[0]
    since = to_db(s.now - timedelta(days=STREAK_DAYS))
    days = {from_db(t).astimezone(tz).date() for (t,) in s.conn.execute(
        "SELECT reviewed_at FROM review WHERE reviewed_at >= ?", (since,))}
    today = s.now.astimezone(tz).date()
    studied = today in days
    day = today if studied else today - timedelta(days=1)
    n = 0
    while day in days:
        n += 1
        day -= timedelta(days=1)
    return n, studied


def _encouragement(t_reviews: int, done: int, streak: int, studied: bool, right_week: tuple[int, int]) -> str:
    right, answered = right_week
    if streak >= 2:
        return f"{streak} days in a row: keep the chain going." if not studied else \
            f"{streak} days in a row, today included. Nice."
    if answered:
        return f"{right} of your {answered} answers in the last 7 days were right ({round(100 * right / answered)}%)."
    if done:
        return f"{done} topic{'s' if done != 1 else ''} done so far; each review keeps them yours."
    if t_reviews:
        return f"{t_reviews} answer{'s' if t_reviews != 1 else ''} saved so far; a few minutes today keep them fresh."
    return "A first topic and a first quiz today: ten minutes is enough to begin."


def today(s: Session) -> Today:
    from mlpath.app import roadmap
    from mlpath.core.model import FINISHED
    from mlpath.store.db import to_db

    b = budget(s)
    due = queries.due_count(s.conn, s.pack, s.now)
    due_today = min(due, b.left)
    minutes = round(due_today * b.seconds_per_card / 60)
    statuses = queries.statuses(s.conn, s.pack)
    in_progress = [InProgress(t.id, t.title, t.resources[0] if t.resources else None)
                   for t in s.roadmap.topics if statuses.get(t.id) == "in_progress"]
    nxt = roadmap.next_topics(s, limit=3)
    suggested = [Suggested(x.id, x.title, x.reason) for x in nxt.topics if x.status != "in_progress"]
    streak, studied = _streak(s)
    right, answered = s.conn.execute(
        "SELECT COALESCE(SUM(correct), 0), COUNT(*) FROM review WHERE reviewed_at >= ?",
        (to_db(s.now - timedelta(days=7)),)).fetchone()
    total = queries.review_count(s.conn, None)
    done = sum(1 for st in statuses.values() if st in FINISHED)
    return Today(due, due_today, due - due_today, max(1, minutes) if due_today else 0, b.new_left, b, in_progress,
                 suggested, streak, studied, total, done,
                 _encouragement(total, done, streak, studied, (int(right), answered)))


def has_data(path) -> bool:
    """Does the database at ``path`` hold anything of the learner's (an answer or a topic status)? Read-only."""
    import sqlite3

    if not path.is_file():
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            return bool(conn.execute("SELECT EXISTS(SELECT 1 FROM review) OR EXISTS(SELECT 1 FROM topic_status)")
                        .fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return False
