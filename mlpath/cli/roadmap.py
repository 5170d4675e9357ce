"""Roadmap commands: next, progress, topics, show, start/done/skip/reset, resources, search."""


import sys
from typing import Annotated

import typer

from mlpath.app import roadmap as use_case
from mlpath.app.hints import optimize_hint
from mlpath.cli import render as r
from mlpath.cli.common import AllPacksOpt, AreaOpt, JsonOpt, PackOpt, TargetArg, TopicArg, complete_topic, session


def next_(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many topics to show.")] = 5,
    area: AreaOpt = None,
    electives: Annotated[bool, typer.Option(
        "--electives", help="Offer electives too, even off your goal's path.")] = False,
    json: JsonOpt = False,
) -> None:
    """Show what to study next, best first, with the reason.

    Unlocked topics only, on your goal's path if you set one (see `mlpath goal`), topics in progress first.
    """
    with session() as s:
        data = use_case.next_topics(s, limit, area, electives)
        hint = None if json else optimize_hint(s)
    if data.goal_missing:
        missing_goal_note(f"your goal {data.goal_missing!r} is no longer in the roadmap; showing the whole roadmap "
                          "(set a new goal with `mlpath goal`)")
    if json:
        return r.emit_json(data)
    if hint:
        r.note(hint)
    if data.due:
        due = f"{data.due} review{'s' if data.due != 1 else ''} due"
        r.styled(f"[bold magenta]{due}[/] — run [bold]mlpath review[/]", f"{due}: run `mlpath review`")
    if data.goal:
        left = f"{data.goal_remaining} topic{'s' if data.goal_remaining != 1 else ''} left on its path"
        r.styled(f"[dim]Goal: {r.esc(data.goal)} ({data.order}); {left}[/]", f"Goal: {data.goal} ({data.order}); {left}")
    if not data.topics:
        if data.goal and data.goal_remaining == 0:
            r.line(f"Your goal {data.goal} is reached. Set another with `mlpath goal`, or `mlpath goal --clear` "
                   "for the whole roadmap.")
        elif data.remaining == 0:
            r.line("Every topic is done or skipped. Keep your memory fresh with `mlpath review`.")
        else:
            r.line("Nothing is unlocked here yet: finish the prerequisites first (see `mlpath topics --status available`).")
        return
    for i, t in enumerate(data.topics, 1):
        res = t.resource
        mark = " (in progress)" if t.status == "in_progress" and not t.reason.startswith("in progress") else ""
        r.styled(f"[bold]{i}. [cyan]{r.esc(t.id)}[/cyan][/bold] — {r.esc(t.title)}{mark} [dim]\\[{t.area}, ~{t.hours:g} h][/]",
                 f"{i}. {t.id} - {t.title}{mark} [{t.area}, ~{t.hours:g} h]")
        r.styled(f"   [green]{r.esc(t.reason)}[/]", f"   {t.reason}")
        if t.mastery is not None and t.mastery.state != "unseen":
            r.line(f"   mastery: {mastery_text(t.mastery)}")
        if res:
            r.styled(f"   start with: [link={res.url}]{r.esc(res.title)}[/link] [dim]{r.esc(res.url)}[/]",
                     f"   start with: {res.title} <{res.url}>")
    for n in data.nudges:
        r.styled(f"[yellow]{r.esc(n.text)}[/]" + (f" — [bold]{r.esc(n.command)}[/]" if n.kind == "refresh" else ""),
                 n.text + (f" ({n.command})" if n.kind == "refresh" else ""))
    if data.available > len(data.topics):
        more = data.available - len(data.topics)
        r.styled(f"[dim]{more} more unlocked: mlpath next --limit {data.available}[/]",
                 f"{more} more unlocked: mlpath next --limit {data.available}")


def missing_goal_note(text: str) -> None:
    """One unwrapped line on stderr (Rich would wrap it at the terminal's width)."""
    sys.stderr.write(f"mlpath: {text}\n")


HoursPerWeekOpt = Annotated[float | None, typer.Option(
    "--hours-per-week", help="Your pace for the finish date (default: the hours of the topics you finished in "
                             "the last 8 weeks, divided by 8).", show_default=False)]


def progress(area: AreaOpt = None, hours_per_week: HoursPerWeekOpt = None, pack: PackOpt = None,
             all_packs: AllPacksOpt = False, json: JsonOpt = False) -> None:
    """Show your progress overall and per area.

    Core and elective hours apart, and your goal's estimated finish.

    In the active pack (or --pack ID); --all-packs: a line per pack. --json adds pack (the pack counted); with
    --all-packs, --json is `mlpath pack list --json`'s list."""
    if all_packs:
        if pack is not None or area is not None:
            raise typer.BadParameter("--all-packs lists every pack; leave out --pack and --area")
        from mlpath.cli import packs_cmd

        return packs_cmd.list_(json=json)
    with session(pack) as s:
        data = use_case.progress(s, area, hours_per_week)
    if data.goal is not None and data.goal.missing:
        missing_goal_note(f"your goal {data.goal.missing!r} is no longer in the roadmap; showing the whole roadmap "
                          "(set a new goal with `mlpath goal`)")
    if json:
        return r.emit_json(data)
    r.line(f"Pack {data.pack}")
    c = data.counts
    finished = c.finished
    h = data.hours_split
    hours = (f"{h.core_done:g} of {h.core_total:g} core hours" if h.elective_total == 0 else
             f"{h.core_done:g} of {h.core_total:g} core hours (electives: {h.elective_done:g} of {h.elective_total:g})")
    if r.fancy():
        from rich.progress_bar import ProgressBar
        from rich.table import Table

        table = Table(title=f"Progress: {finished}/{c.total} topics ({c.percent}%), {hours}", title_justify="left")
        for col in ("area", "", "done", "in progress", "skipped", "total", "mastered"):
            table.add_column(col, justify="right" if col not in ("area", "") else "left")
        for a in data.areas:
            ac = a.counts
            table.add_row(r.esc(a.title), ProgressBar(total=ac.total or 1, completed=ac.finished, width=24),
                          str(ac.done), str(ac.in_progress), str(ac.skipped), str(ac.total), str(ac.mastered))
        r.out().print(table)
    else:
        r.line(f"Progress: {finished}/{c.total} topics ({c.percent}%), {hours}")
        for a in data.areas:
            ac = a.counts
            placed = f" ({ac.placed} by placement)" if ac.placed else ""
            r.line(f"  {a.id:<24} [{r.bar(ac.finished, ac.total)}] "
                   f"{ac.done}/{ac.total} done, {ac.in_progress} in progress, {ac.skipped} skipped{placed}; "
                   f"quizzes: {ac.learned} learned, {ac.mastered} mastered")
    if c.placed:
        r.line(f"Placed: {c.placed} of the skipped topics were placed by `mlpath placement`; "
               f"{c.done} studied and done.")
    estimate_lines(data.goal, data.estimate)
    r.line(f"Mastery (from quizzes): {c.learned} topic(s) learned, {c.mastered} mastered, {c.fading} fading; "
           f"{c.done} marked done.")
    r.line(f"Reviews: {data.due} due now, {data.reviews} answered in all.")


def estimate_lines(goal, e) -> None:
    """The goal's (or core roadmap's) hours left and finish date, saying where the pace comes from."""
    if e is None:
        return
    what = f"Goal {goal.goal} ({goal.order})" if goal is not None and goal.goal else "Core roadmap"
    r.line(f"{what}: {e.hours_done:g} of {e.hours_total:g} hours done, {e.hours_left:g} left "
           f"({e.topics_left} of {e.topics_total} topics).")
    p = e.pace
    source = ("as you gave it" if p.source == "given"
              else f"from the {p.hours_done:g} h of topics you finished in the last {p.weeks} weeks")
    if e.finish is not None:
        r.line(f"At {p.hours_per_week:g} h a week ({source}): about {e.weeks_left:.0f} weeks, finishing around "
               f"{e.finish.isoformat()}.")
    elif e.hours_left > 0:
        r.line(f"No finish date: no pace yet ({source}); pass --hours-per-week to estimate one.")


def topics(
    area: AreaOpt = None,
    status: Annotated[str | None, typer.Option(
        "--status", "-s", help="not-started, in-progress, done, skipped, available or locked.")] = None,
    json: JsonOpt = False,
) -> None:
    """List every topic by area, with its status."""
    with session() as s:
        items = use_case.topics_list(s, area, status)
        areas = {a.id: a.title for a in s.roadmap.areas}
    if json:
        return r.emit_json(items)
    if not items:
        r.line("No topics match.")
        return
    if r.fancy():
        from rich.tree import Tree

        root = Tree("[bold]mlpath roadmap[/]")
        branches: dict[str, Tree] = {}
        for t in items:
            if t.area not in branches:
                branches[t.area] = root.add(f"[bold]{r.esc(areas.get(t.area, t.area))}[/] [dim]{t.area}[/]")
            style = r.STATUS_STYLE[t.status]
            lock = "" if t.unlocked or t.status != "not_started" else " [dim](locked)[/]"
            pre = f" [dim]← {', '.join(t.prerequisites)}[/]" if t.prerequisites else ""
            branches[t.area].add(f"[{style}]{r.STATUS_MARK[t.status]} {r.esc(t.id)}[/] — "
                                 f"{r.esc(t.title)}{lock}{pre}{mastery_column(t.mastery)}")
        r.out().print(root)
    else:
        current = None
        for t in items:
            if t.area != current:
                current = t.area
                r.line(f"{areas.get(current, current)} [{current}]")
            lock = "" if t.unlocked or t.status != "not_started" else " (locked)"
            pre = f" <- {', '.join(t.prerequisites)}" if t.prerequisites else ""
            r.line(f"  [{r.STATUS_MARK[t.status]}] {t.id} - {t.title} ({r.status_label(t.status)}){lock}{pre}"
                   f"{mastery_column(t.mastery)}")


def show(name: TargetArg, json: JsonOpt = False) -> None:
    """Show everything about one topic or area.

    Summary, status, prerequisites, what it unlocks, resources, and your cards with their predicted recall now
    (FSRS's probability that you would recall each card at this moment).
    """
    with session() as s:
        data = use_case.show(s, name)
        data_now = s.now
    if json:
        return r.emit_json(data)
    c = data.cards
    cards_line = f"Cards: {c.cards} questions, {c.seen} seen, {c.due} due"
    if c.recall is not None:
        cards_line += (f"; recall now {c.recall * 100:.0f}% on average, lowest {c.lowest * 100:.0f}%"
                       + (f", last answer wrong on {c.last_wrong}" if c.last_wrong else ""))
        cards_line += "\n  (recall now: the predicted chance you would recall a card at this moment; 0 after a wrong answer)"
    if data.kind == "area":
        r.styled(f"[bold]{r.esc(data.title)}[/] [dim]({data.id}, area)[/]", f"{data.title} ({data.id}, area)")
        if data.summary:
            r.line(data.summary)
        for t in data.topics:
            placed = ", placed" if t.placed else ""
            r.line(f"  [{r.STATUS_MARK[t.status]}] {t.id} - {t.title} ({r.status_label(t.status)}{placed})"
                   f"{mastery_column(t.mastery)}")
        r.line(cards_line)
        return
    t = data.topic
    r.styled(f"[bold]{r.esc(t.title)}[/] [dim]({t.id})[/]", f"{t.title} ({t.id})")
    placed = " (placed)" if data.placed else ""
    r.line(f"Area: {data.area_title} · status: {r.status_label(t.status)}{placed} · about {t.hours:g} hours")
    r.line(t.summary or "(no summary yet)")
    if data.prerequisite_status:
        r.line("Prerequisites: " + ", ".join(f"{p.id} ({r.status_label(p.status)})" for p in data.prerequisite_status))
    else:
        r.line("Prerequisites: none")
    when_done = list(data.unlocks_when_done)
    others = [d for d in data.unlocks if d not in when_done]
    r.line(f"Unlocks when done: {', '.join(when_done)} ({len(when_done)})" if when_done
           else "Unlocks when done: nothing on its own")
    if others:
        r.line(f"Also leads to (other prerequisites first): {', '.join(others)}")
    if t.aliases:
        r.line("Also called: " + ", ".join(t.aliases))
    if t.covers:
        r.line("Covers: " + ", ".join(t.covers))
    r.line("Resources:")
    _print_resources(t.resources)
    r.line(cards_line)
    from mlpath.cli.prompts import when

    for x in c.per_card[:10]:
        r.line(f"  {x.question}: recall now {x.recall * 100:.0f}%, last answer {'right' if x.last_right else 'wrong'}, "
               f"next review {when(x.due, data_now) if x.due > data_now else 'now'}")
    if t.mastery is not None and t.mastery.total:
        r.line(f"Mastery: {mastery_text(t.mastery)}; to raise it: {t.mastery.raise_by}")
    if data.credits:
        r.line("Recent implicit credit: " + "; ".join(
            f"{c.at.date().isoformat()} from {c.source_topic} ({c.cards} card{'s' if c.cards != 1 else ''})"
            for c in data.credits))


def mastery_text(m) -> str:
    """'learned, 72% (5 of 6 questions seen, 4 passed after a gap)'"""
    return (f"{m.state}, {m.value * 100:.0f}% ({m.seen} of {m.total} question{'s' if m.total != 1 else ''} seen, "
            f"{m.passed_after_gap} passed after a gap)")


def mastery_column(m) -> str:
    """The mastery column of `topics`: nothing for a topic without questions."""
    if m is None or not m.total:
        return ""
    return f"  [{m.state} {m.value * 100:.0f}%]"


def _print_resources(resources) -> None:
    for i, res in enumerate(resources, 1):
        cost = {True: "free", False: "paid"}.get(res.free, "cost not known")  # `free` may be left out
        r.styled(f"  {i}. [link={res.url}]{r.esc(res.title)}[/link] [dim]({res.kind}, {cost})[/] {r.esc(res.url)}",
                 f"  {i}. {res.title} ({res.kind}, {cost}) {res.url}")


NamesArg = Annotated[list[str] | None, typer.Argument(
    help="One or more topics (id, alias or title).", autocompletion=complete_topic, show_default=False)]
WithPrerequisitesOpt = Annotated[bool, typer.Option(
    "--with-prerequisites", "-p", help="Also mark every unfinished topic these need (asks once, listing them).")]


def _status_command(action: str, doc: str):
    def command(names: NamesArg = None, area: AreaOpt = None, json: JsonOpt = False) -> None:
        _change(action, names or [], area, False, False, json)

    def marking_command(
        names: NamesArg = None,
        area: AreaOpt = None,
        with_prerequisites: WithPrerequisitesOpt = False,
        force: Annotated[bool, typer.Option(
            "--force", "--yes", "-f", "-y",
            help="Do not ask: mark even if prerequisites are not done, and mark the prerequisites listed.")] = False,
        json: JsonOpt = False,
    ) -> None:
        _change(action, names or [], area, with_prerequisites, force, json)

    fn = marking_command if action in ("done", "skip") else command
    fn.__doc__ = doc
    return fn


def _change(action: str, names: list[str], area: str | None, with_prerequisites: bool, force: bool,
            json: bool) -> None:
    def ask(question: str) -> bool:
        return typer.confirm(question, default=False)

    confirm = ask if (sys.stdin.isatty() and sys.stdout.isatty() and not json) else None
    if len(names) == 1 and area is None and not with_prerequisites:  # one topic: the shape scripts know
        with session() as s:
            data = use_case.change_status(s, names[0], action, force=force, confirm=confirm)
        if json:
            if data.quiz_first:
                missing_goal_note(data.quiz_first)
            return r.emit_json(data)
        if not data.changed:
            r.line(f"{data.id} is {r.status_label(data.status)} (unchanged).")
            return
        r.styled(f"[bold]{r.esc(data.id)}[/]: {r.status_label(data.previous)} → [green]{r.status_label(data.status)}[/]",
                 f"{data.id}: {r.status_label(data.previous)} -> {r.status_label(data.status)}")
        if data.newly_unlocked:
            r.line("Now unlocked: " + ", ".join(data.newly_unlocked))
        if data.quiz_first:
            _offer_quiz(data.id, data.quiz_first, confirm is not None)
        return
    with session() as s:
        batch = use_case.change_statuses(s, names, action, area=area, with_prerequisites=with_prerequisites,
                                         force=force, confirm=confirm)
    if batch.quiz_first:
        shown = ", ".join(batch.quiz_first[:5]) + (f" and {len(batch.quiz_first) - 5} more"
                                                    if len(batch.quiz_first) > 5 else "")
        missing_goal_note(f"no answers yet for {shown}; check yourself with `mlpath quiz TOPIC`")
    if json:
        return r.emit_json(batch)
    if batch.cancelled:
        r.line("Nothing changed.")
        return
    for t in batch.topics:
        why = " (prerequisite)" if t.prerequisite else ""
        if t.changed:
            r.line(f"{t.id}: {r.status_label(t.previous)} -> {r.status_label(t.status)}{why}")
        else:
            r.line(f"{t.id} is {r.status_label(t.status)} (unchanged).")
    r.line(f"{batch.changed} of {len(batch.topics)} topic(s) changed.")
    if batch.newly_unlocked:
        r.line("Now unlocked: " + ", ".join(batch.newly_unlocked))


def _offer_quiz(topic: str, note: str, terminal: bool) -> None:
    """`done` on a topic with questions and no answers: the status stands; on a terminal, offer the quiz now."""
    if not terminal:
        missing_goal_note(note)
        return
    if typer.confirm(f"{note}. Quiz yourself on {topic} now?", default=False):
        from mlpath.cli.quiz import quiz

        quiz(topic)


def resources(
    name: TopicArg,
    open_: Annotated[int | None, typer.Option("--open", "-o", min=1, help="Open link N in your browser.")] = None,
    json: JsonOpt = False,
) -> None:
    """List a topic's curated links; --open N opens one."""
    with session() as s:
        if open_ is not None:
            url = use_case.resource_url(s, name, open_)
        else:
            data = use_case.resources(s, name)
    if open_ is not None:
        import webbrowser

        r.note(f"opening {url}")
        if not webbrowser.open(url):
            r.line(url)
        return
    if json:
        return r.emit_json(data)
    r.line(f"{data.title} ({data.id}):")
    _print_resources(data.resources)


def search(
    text: Annotated[list[str], typer.Argument(help="Words to look for (typos are fine).", show_default=False)],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many results at most.")] = 10,
    json: JsonOpt = False,
) -> None:
    """Find topics by id, title, alias or covered concept."""
    with session() as s:
        hits = use_case.search(s, " ".join(text), limit)
    if json:
        return r.emit_json(hits)
    if not hits:
        r.note(f"nothing matches {' '.join(text)!r}; try fewer or other words, or `mlpath topics`")
        return
    for h in hits:
        via = "" if h.matched.lower() in (h.title.lower(), h.id.replace("-", " ")) else f"  (matched: {h.matched})"
        r.line(f"{h.id:<34} {h.title}{via}")


def register(app: typer.Typer) -> None:
    app.command("next")(next_)
    app.command()(progress)
    app.command()(topics)
    app.command()(show)
    app.command("start")(_status_command("start", "Mark topics as in progress.\n\nTopics by name, or an area's with --area."))
    app.command("done")(_status_command(
        "done", "Mark topics as done.\n\nTopics by name, or an area's with --area; asks if their prerequisites are "
                "not done. --with-prerequisites marks what they need too."))
    app.command("skip")(_status_command(
        "skip", "Skip topics you already know.\n\nThey count as finished. Topics by name, or an area's with --area; "
                "--with-prerequisites skips what they need too."))
    app.command("reset")(_status_command(
        "reset", "Set topics back to not started.\n\nTopics by name, or an area's with --area; history is kept."))
    app.command()(resources)
    app.command()(search)
