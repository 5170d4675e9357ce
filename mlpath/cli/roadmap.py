"""Roadmap commands: next, progress, topics, show, start/done/skip/reset, resources, search."""


import sys
from typing import Annotated

import typer

from mlpath.app import roadmap as use_case
from mlpath.cli import render as r
from mlpath.cli.common import AreaOpt, JsonOpt, TargetArg, TopicArg, session


def next_(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many topics to show.")] = 5,
    area: AreaOpt = None,
    json: JsonOpt = False,
) -> None:
    """Show what to study next, best first, with the reason.

    Unlocked topics only, topics in progress first.
    """
    with session() as s:
        data = use_case.next_topics(s, limit, area)
    if json:
        return r.emit_json(data)
    if data.due:
        due = f"{data.due} review{'s' if data.due != 1 else ''} due"
        r.styled(f"[bold magenta]{due}[/] — run [bold]mlpath review[/]", f"{due}: run `mlpath review`")
    if not data.topics:
        if data.remaining == 0:
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
        if res:
            r.styled(f"   start with: [link={res.url}]{r.esc(res.title)}[/link] [dim]{r.esc(res.url)}[/]",
                     f"   start with: {res.title} <{res.url}>")
    if data.available > len(data.topics):
        more = data.available - len(data.topics)
        r.styled(f"[dim]{more} more unlocked: mlpath next --limit {data.available}[/]",
                 f"{more} more unlocked: mlpath next --limit {data.available}")


def progress(area: AreaOpt = None, json: JsonOpt = False) -> None:
    """Show your progress overall and per area."""
    with session() as s:
        data = use_case.progress(s, area)
    if json:
        return r.emit_json(data)
    c = data.counts
    finished = c.finished
    if r.fancy():
        from rich.progress_bar import ProgressBar
        from rich.table import Table

        table = Table(title=f"Progress: {finished}/{c.total} topics ({c.percent}%), "
                            f"{c.hours_done:g} of {c.hours:g} hours", title_justify="left")
        for col in ("area", "", "done", "in progress", "skipped", "total"):
            table.add_column(col, justify="right" if col not in ("area", "") else "left")
        for a in data.areas:
            ac = a.counts
            table.add_row(r.esc(a.title), ProgressBar(total=ac.total or 1, completed=ac.finished, width=24),
                          str(ac.done), str(ac.in_progress), str(ac.skipped), str(ac.total))
        r.out().print(table)
    else:
        r.line(f"Progress: {finished}/{c.total} topics ({c.percent}%), {c.hours_done:g} of {c.hours:g} hours")
        for a in data.areas:
            ac = a.counts
            r.line(f"  {a.id:<24} [{r.bar(ac.finished, ac.total)}] "
                   f"{ac.done}/{ac.total} done, {ac.in_progress} in progress, {ac.skipped} skipped")
    r.line(f"Reviews: {data.due} due now, {data.reviews} answered in all.")


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
                                 f"{r.esc(t.title)}{lock}{pre}")
        r.out().print(root)
    else:
        current = None
        for t in items:
            if t.area != current:
                current = t.area
                r.line(f"{areas.get(current, current)} [{current}]")
            lock = "" if t.unlocked or t.status != "not_started" else " (locked)"
            pre = f" <- {', '.join(t.prerequisites)}" if t.prerequisites else ""
            r.line(f"  [{r.STATUS_MARK[t.status]}] {t.id} - {t.title} ({r.status_label(t.status)}){lock}{pre}")


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
            r.line(f"  [{r.STATUS_MARK[t.status]}] {t.id} - {t.title} ({r.status_label(t.status)})")
        r.line(cards_line)
        return
    t = data.topic
    r.styled(f"[bold]{r.esc(t.title)}[/] [dim]({t.id})[/]", f"{t.title} ({t.id})")
    r.line(f"Area: {data.area_title} · status: {r.status_label(t.status)} · about {t.hours:g} hours")
    r.line(t.summary)
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


def _print_resources(resources) -> None:
    for i, res in enumerate(resources, 1):
        cost = "free" if res.free else "paid"
        r.styled(f"  {i}. [link={res.url}]{r.esc(res.title)}[/link] [dim]({res.kind}, {cost})[/] {r.esc(res.url)}",
                 f"  {i}. {res.title} ({res.kind}, {cost}) {res.url}")


def _status_command(action: str, doc: str):
    def command(name: TopicArg, json: JsonOpt = False) -> None:
        _change(action, name, False, json)

    def done_command(
        name: TopicArg,
        force: Annotated[bool, typer.Option("--force", "-f", help="Mark done even if prerequisites are not done.")] = False,
        json: JsonOpt = False,
    ) -> None:
        _change(action, name, force, json)

    fn = done_command if action == "done" else command
    fn.__doc__ = doc
    return fn


def _change(action: str, name: str, force: bool, json: bool) -> None:
    def ask(question: str) -> bool:
        return typer.confirm(question, default=False)

    confirm = ask if (sys.stdin.isatty() and sys.stdout.isatty() and not json) else None
    with session() as s:
        data = use_case.change_status(s, name, action, force=force, confirm=confirm)
    if json:
        return r.emit_json(data)
    if not data.changed:
        r.line(f"{data.id} is {r.status_label(data.status)} (unchanged).")
        return
    r.styled(f"[bold]{r.esc(data.id)}[/]: {r.status_label(data.previous)} → [green]{r.status_label(data.status)}[/]",
             f"{data.id}: {r.status_label(data.previous)} -> {r.status_label(data.status)}")
    if data.newly_unlocked:
        r.line("Now unlocked: " + ", ".join(data.newly_unlocked))


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
    app.command("start")(_status_command("start", "Mark a topic as in progress."))
    app.command("done")(_status_command("done", "Mark a topic as done (asks if prerequisites are not)."))
    app.command("skip")(_status_command("skip", "Skip a topic you already know; it counts as finished."))
    app.command("reset")(_status_command("reset", "Set a topic back to not started; its history is kept."))
    app.command()(resources)
    app.command()(search)
