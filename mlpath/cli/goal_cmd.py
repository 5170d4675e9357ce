"""`mlpath goal`: set what you work towards (a topic or a track) and the study order; show the path there."""

from typing import Annotated

import typer

from mlpath.cli import render as r
from mlpath.cli.common import JsonOpt, complete_topic, session
from mlpath.cli.roadmap import HoursPerWeekOpt, estimate_lines, missing_goal_note


def goal(
    target: Annotated[str | None, typer.Argument(
        help="A topic (id, alias or title) or a track (see --list) to work towards.",
        autocompletion=complete_topic, show_default=False)] = None,
    order: Annotated[str | None, typer.Option(
        "--order", help="math-first (the maths up front) or build-first (a first model early, maths just in "
                        "time).", show_default=False)] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Drop the goal: back to the whole roadmap.")] = False,
    list_: Annotated[bool, typer.Option("--list", "-l", help="List the tracks (named goals).")] = False,
    electives: Annotated[bool, typer.Option("--electives", help="Put every elective on the path too.")] = False,
    hours_per_week: HoursPerWeekOpt = None,
    json: JsonOpt = False,
) -> None:
    """Set or show your goal and the path there.

    A goal is a topic or a track; with no name, the path is shown as an ordered checklist.

    `mlpath goal ml-engineer` sets a goal; `mlpath goal` shows the path with statuses, hours and an estimated
    finish; `--order build-first` chooses the order; `--clear` goes back to the whole roadmap; `--list` shows
    the tracks.
    """
    from mlpath.app import goals as use_case
    from mlpath.errors import UserError

    if list_:
        if target is not None or clear or order is not None:
            raise UserError("--list shows the tracks; use it on its own")
        with session() as s:
            tracks = use_case.tracks(s)
        if json:
            return r.emit_json(tracks)
        if not tracks:
            r.line("This roadmap has no tracks; any topic can be a goal: mlpath goal TOPIC")
            return
        for t in tracks:
            mark = " (your goal)" if t.current else ""
            r.line(f"{t.id}{mark} - {t.title}: {t.topics} topics, {t.hours_left:g} of {t.hours_total:g} hours left")
            r.line(f"    {t.summary}")
        return
    if clear and target is not None:
        raise UserError("--clear drops the goal; do not name one with it")
    with session() as s:
        if target is not None or clear or order is not None:
            use_case.set_goal(s, target, order, clear)
        data = use_case.goal_path(s, electives, hours_per_week)
    g = data.goal
    if g.missing:
        missing_goal_note(f"your goal {g.missing!r} is no longer in the roadmap; showing the whole roadmap")
    if json:
        return r.emit_json(data)
    if g.goal is None:
        r.line(f"No goal set: the whole core roadmap ({g.order}). Set one with `mlpath goal TOPIC|TRACK` "
               "(tracks: `mlpath goal --list`).")
    else:
        what = f"track {g.goal} ({g.title})" if g.kind == "track" else f"{g.goal} ({g.title})"
        r.line(f"Goal: {what}, {g.order}")
    for i, t in enumerate(data.topics, 1):
        tags = [r.status_label(t.status), f"~{t.hours:g} h"]
        if t.goal:
            tags.append("goal")
        if t.elective:
            tags.append("elective")
        r.line(f"{i:>3}. [{r.STATUS_MARK[t.status]}] {t.id} - {t.title} ({', '.join(tags)})")
    estimate_lines(g, data.estimate)


def register(app: typer.Typer) -> None:
    app.command()(goal)
