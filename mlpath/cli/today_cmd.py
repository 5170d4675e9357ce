"""`mlpath today`: where to start the day (also what a bare `mlpath` shows once there is data)."""


import typer

from mlpath.cli import render as r
from mlpath.cli.common import JsonOpt, session


def today(json: JsonOpt = False) -> None:
    """Show where to start today.

    Due reviews and the minutes they take, your topic in progress, what comes next, and your streak.
    Due reviews are counted against the daily budget (daily_minutes and new_cards_per_day in config.toml); the
    minutes are estimated from your own answer times (15 s a card before there are any).
    """
    with session() as s:
        from mlpath.app import today as use_case

        data = use_case.today(s)
    if json:
        return r.emit_json(data)
    from mlpath.cli.prompts import plural

    b = data.budget
    r.styled("[bold]Today[/]", "Today")
    if data.due_today:
        line = (f"{plural(data.due_today, 'review')} due, about {plural(data.minutes, 'minute')}: "
                "run `mlpath review`")
        r.styled(f"  [bold magenta]{r.esc(line)}[/]", f"  {line}")
        if data.held_back:
            r.line(f"  ({plural(data.held_back, 'more review')} due: over today's budget of "
                   f"{plural(b.daily_minutes, 'minute')}; they wait for the next days)")
    elif data.due:
        r.line(f"  Today's budget of {plural(b.daily_minutes, 'minute')} is used; "
               f"{plural(data.due, 'review')} wait for tomorrow (`mlpath review -n N` takes more now).")
    else:
        r.line("  No reviews due." + (" Today's reviews are done." if data.studied_today else ""))
    for t in data.in_progress[:3]:
        r.styled(f"  In progress: [cyan]{r.esc(t.id)}[/] — {r.esc(t.title)}", f"  In progress: {t.id} - {t.title}")
        if t.resource:
            r.line(f"    next resource: {t.resource.title} <{t.resource.url}>")
        r.line(f"    quiz it: mlpath quiz {t.id}")
    if data.next:
        first = data.next[0]
        r.line(f"  Next up: {first.id} - {first.title} ({first.reason})")
        if len(data.next) > 1:
            r.line("  Then: " + ", ".join(x.id for x in data.next[1:]) + " (see `mlpath next`)")
    if data.new_left and (data.in_progress or data.next):
        r.line(f"  New cards left today: {data.new_left} of {b.new_per_day}.")
    streak = (f"{plural(data.streak, 'day')} in a row" if data.streak else "no streak yet")
    r.line(f"  Streak: {streak}" + ("" if data.studied_today or not data.streak else
                                    " (answer one card today to keep it)") + ".")
    r.styled(f"  [green]{r.esc(data.encouragement)}[/]", f"  {data.encouragement}")


def register(app: typer.Typer) -> None:
    app.command()(today)
