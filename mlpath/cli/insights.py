"""See your learning: `stats`, `graph`, `export` and `import`. Heavy modules are imported inside the commands."""


import sys
from pathlib import Path
from typing import Annotated

import typer

from mlpath.cli import render as r
from mlpath.cli.common import AllPacksOpt, JsonOpt, PackOpt, complete_topic, session

# --- stats --------------------------------------------------------------------------------------------------------

HEAT_COLOURS = ("grey23", "#0e4429", "#006d32", "#26a641", "#39d353")
HEAT_PLAIN = (".", "-", "+", "*", "#")
ROW_LABELS = ("Mon", "", "Wed", "", "Fri", "", "Sun")
EIGHTHS = " ▁▂▃▄▅▆▇█"


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.0f}%"


def _heatmap(h) -> None:
    """Draw a core.stats.Heatmap: its ``levels`` grid is already shaded, so nothing is counted here."""
    from datetime import timedelta

    weeks = len(h.levels)
    months = [" "] * weeks
    for w in range(1, weeks - 2):  # a month's name where its first week starts, if it fits
        monday = h.start + timedelta(weeks=w)
        if monday.month != (monday - timedelta(weeks=1)).month and months[w - 1] == " ":
            months[w:w + 3] = list(monday.strftime("%b")[:3])
    fancy = r.fancy()
    if fancy:
        from rich.text import Text

        r.out().print(Text("    " + "".join(months), style="dim"))
    else:
        r.line("    " + "".join(months).rstrip())
    for d in range(7):
        cells = [column[d] for column in h.levels]
        if fancy:
            text = Text()
            text.append(f"{ROW_LABELS[d]:<4}", style="dim")
            for c in cells:
                text.append(" " if c is None else "■", style=None if c is None else HEAT_COLOURS[c])
            r.out().print(text)
        else:
            r.line(f"{ROW_LABELS[d]:<4}" + "".join(" " if c is None else HEAT_PLAIN[c] for c in cells).rstrip())
    if fancy:
        text = Text()
        text.append("    less ", style="dim")
        for colour in HEAT_COLOURS:
            text.append("■", style=colour)
        text.append(f" more   (busiest day: {h.max} reviews)", style="dim")
        r.out().print(text)
    else:
        r.line(f"    less {' '.join(HEAT_PLAIN)} more   (busiest day: {h.max} reviews)")


def _tallies(rows, title: str, label) -> None:
    """Rows of core.stats.Tally (a day or a week each)."""
    if r.fancy():
        from rich.table import Table

        table = Table(title=title, title_justify="left", box=None, padding=(0, 1))
        for col in ("", "answers", "right", "accuracy", ""):
            table.add_column(col, justify="right" if col in ("answers", "right", "accuracy") else "left")
        for row in rows:
            acc = row.accuracy
            colour = "dim" if acc is None else ("green" if acc >= 0.8 else "yellow" if acc >= 0.6 else "red")
            table.add_row(label(row.start), str(row.answers), str(row.correct), f"[{colour}]{_pct(acc)}[/]",
                          f"[{colour}]{'█' * round(10 * (acc or 0))}[/]")
        r.out().print(table)
        return
    r.line(title)
    for row in rows:
        r.line(f"  {label(row.start):<16} {row.answers:>4} answers {row.correct:>4} right  {_pct(row.accuracy):>4}")


def _day_label(day) -> str:
    return day.strftime("%a %Y-%m-%d")


def _week_label(day) -> str:
    return "week of " + day.strftime("%m-%d")


def _chart(values: list[int], height: int = 5) -> list[str]:
    """A small column chart, two characters per value, tallest value ``height`` rows high."""
    top = max(values, default=0)
    if top == 0:
        return []
    rows = []
    for level in range(height, 0, -1):
        row = ""
        for v in values:
            filled = v * height * 8 / top - (level - 1) * 8
            row += (EIGHTHS[8] if filled >= 8 else EIGHTHS[max(0, round(filled))]) + " "
        rows.append(row.rstrip())
    return rows


def _forecast(report) -> None:
    counts = [d.due for d in report.forecast]
    title = (f"Due in the next {len(counts)} days: {sum(counts)} cards ({report.overdue} due now, counted today)")
    r.styled(f"[bold]{r.esc(title)}[/]", title)
    chart = _chart(counts)
    if not chart:
        r.line("  nothing due")
        return
    top = max(counts)
    for i, row in enumerate(chart):
        label = f"{top:>4} " if i == 0 else "     "
        r.styled(f"[dim]{label}[/][cyan]{row}[/]", label + row)
    axis = "".join(f"{'+' + str(i) if i else 'today':<14}" for i in range(0, len(counts), 7))
    r.styled(f"[dim]     {axis.rstrip()}[/]", f"     {axis.rstrip()}")
    r.line("  per day: " + " ".join(str(c) for c in counts))


def stats(
    tz: Annotated[str | None, typer.Option("--tz", help="Time zone for days (an IANA name such as Europe/Paris; "
                                                        "default: the system's).", show_default=False)] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=3660, help="Recent days to list.")] = 14,
    weeks: Annotated[int, typer.Option("--weeks", min=1, max=520, help="Recent weeks to list.")] = 8,
    pack: PackOpt = None,
    all_packs: AllPacksOpt = False,
    json: JsonOpt = False,
) -> None:
    """Show your reviews: heatmap, streaks, retention, forecast.

    A year's heatmap, streaks, accuracy, true retention per area and what falls due (also under your daily budget).

    Days are calendar days in your time zone; weeks start on Monday.

    \b
    --json fields:
      tz, today, total_reviews, days_studied
      heatmap: start, end, weeks, total, max, days {"YYYY-MM-DD": reviews} (days with reviews, last 53 weeks)
      streak: current, longest, last_day (current counts if last_day is today or yesterday)
      daily: [{date, answers, correct, accuracy}] (last --days days, oldest first)
      weekly: [{week_start, answers, correct, accuracy}] (last --weeks weeks)
      retention: reviews, passed, retention, areas [{id, title, reviews, passed, retention}]
        (reviews of cards seen before; passed = rating Hard, Good or Easy)
      forecast: overdue, total, days [{date, due}] (30 days; day 0 includes overdue cards),
        budget {cards_per_day, days [cards done per day within daily_minutes], backlog_days}
      pack (the pack covered, null with --all-packs), all_packs
      memory_model: provenance {source (defaults|fitted), fitted_at, reviews, log_loss, rmse_bins, parameters},
        calibration [{low, high, reviews, predicted, actual}] (held-out reviews, stored at the fit),
        curve [{days, recall}] (a typical card), typical_stability
    accuracy and retention are fractions from 0 to 1, or null when there is nothing to count.
    """
    from mlpath.app import stats as use_case

    with session(pack, lazy=True, all_packs=all_packs) as s:
        report = use_case.stats_report(s, tz, days, weeks, all_packs=all_packs)
        from mlpath.app.today import budget_forecast  # the daily budget's hook (issue #21)

        budgeted = budget_forecast(s, [d.due for d in report.forecast])
        from mlpath.app.optimize import memory_model  # the memory model section (issue #12)

        memory = memory_model(s)
    if json:
        from mlpath.values import to_jsonable

        data = to_jsonable(report)
        data["forecast"]["budget"] = to_jsonable(budgeted)
        data["memory_model"] = to_jsonable(memory)
        return r.emit_json(data)
    h, st = report.heatmap, report.streak
    head = (f"{report.total_reviews} reviews on {report.days_studied} day{'s' if report.days_studied != 1 else ''}"
            f" · {h.total} in the last {len(h.grid)} weeks · time zone {report.tz}"
            f" · {'all packs' if report.pack is None else 'pack ' + report.pack}")
    r.styled(f"[bold]{r.esc(head)}[/]", head)
    _heatmap(h)
    streak = (f"Streak: {st.current} day{'s' if st.current != 1 else ''} now, longest {st.longest}"
              + (f" (last review day {st.last_day.isoformat()})" if st.last_day else ""))
    r.styled(f"[bold magenta]{r.esc(streak)}[/]", streak)
    r.line()
    _tallies(report.daily, "Recent days", _day_label)
    r.line()
    _tallies(report.weekly, "Recent weeks", _week_label)
    r.line()
    ret = report.retention
    title = f"True retention: {_pct(ret.rate)} of {ret.reviews} repeat reviews passed"
    r.styled(f"[bold]{r.esc(title)}[/]", title)
    for a in report.areas:
        if a.retention.reviews:
            r.line(f"  {a.title:<32} {_pct(a.retention.rate):>4}  ({a.retention.passed}/{a.retention.reviews})")
    if not ret.reviews:
        r.line("  no repeat reviews yet: retention counts reviews of cards you have seen before")
    r.line()
    _forecast(report)
    _budget(budgeted, [d.due for d in report.forecast])
    r.line()
    _memory(memory)


def _memory(m) -> None:
    """Where the memory model comes from, how well it predicted you, and a typical card's forgetting curve."""
    p = m.provenance
    if p.source == "fitted":
        title = (f"Memory model: fitted to your {p.reviews:,} reviews on {p.fitted_at.date().isoformat()} "
                 f"(held-out log loss {p.log_loss:.3f}, RMSE {p.rmse_bins:.3f})")
    else:
        title = "Memory model: FSRS's default parameters (`mlpath optimize` fits them to you)"
    r.styled(f"[bold]{r.esc(title)}[/]", title)
    if m.calibration:
        r.line("  predicted vs actual recall on the reviews held out when it was fitted:")
        for b in m.calibration:
            bar = "#" * round(20 * b.actual)
            r.line(f"  {b.low * 100:3.0f}-{b.high * 100:3.0f}% predicted: {b.actual * 100:5.1f}% recalled "
                   f"(mean prediction {b.predicted * 100:5.1f}%, {b.reviews} reviews) {bar}")
    curve = "  ".join(f"{c.days:g} d {c.recall * 100:.0f}%" for c in m.curve if c.days in (1, 3, 7, 14, 30, 90, 365))
    r.line(f"  a typical card (stability {m.typical_stability:.1f} days after its first Good): {curve}")


def _budget(b, due: list[int]) -> None:
    """The forecast under the daily budget: what does not fit in a day waits for the next."""
    if all(n <= b.cards_per_day for n in due):
        r.line(f"  within your daily budget ({b.cards_per_day} cards a day from daily_minutes) every day")
        return
    r.line(f"  with your daily budget ({b.cards_per_day} cards a day from daily_minutes), what does not fit waits:")
    r.line("  done per day: " + " ".join(str(c) for c in b.days))
    if b.backlog_days > 1:
        r.line(f"  the cards due now take {b.backlog_days} days at that pace")


# --- graph --------------------------------------------------------------------------------------------------------

TREE_STYLE = {"done": ("✓", "green"), "in_progress": ("…", "yellow"), "skipped": ("–", "dim"),
              "not_started": ("○", "white"), "locked": ("·", "bright_black")}


def _rich_tree(view):
    from rich.tree import Tree

    from mlpath.core.diagram import forest

    def label(item) -> str:
        n = item.node
        mark, style = TREE_STYLE[n.status]
        extra = " [dim](see above)[/]" if item.repeat else ""
        return f"[{style}]{mark} {r.esc(n.id)}[/] — {r.esc(n.title)} [dim]{n.status.replace('_', ' ')}[/]{extra}"

    def add(parent, items) -> None:
        for item in items:
            add(parent.add(label(item)), item.children)

    root = Tree(f"[bold]{r.esc(view.title)}[/]")
    add(root, forest(view.diagram))
    return root


def graph(
    target: Annotated[str | None, typer.Argument(help="A topic (draw what leads to it) or an area; default: "
                                                      "the whole roadmap.", autocompletion=complete_topic,
                                                 show_default=False)] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="tree, mermaid (flowchart) or dot (Graphviz).")] = "tree",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the text to this file (a tree is "
                                                                       "written as plain text).",
                                                show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --output file if it exists.")] = False,
    json: JsonOpt = False,
) -> None:
    """Draw the roadmap as a tree, Mermaid or Graphviz DOT.

    The graph is coloured by status.

    For a topic, the topics that lead to it and the topic itself; for an area, its topics and their direct
    prerequisites from other areas. Statuses: done, in_progress, skipped, not_started, and locked (not started,
    prerequisites unfinished). --json gives scope, id, title, format, nodes [{id, title, area, status}],
    edges [[prerequisite, topic]], areas [{id, title}] and text.
    """
    from mlpath.app import graph as use_case

    with session() as s:
        view = use_case.graph(s, target, fmt)
    if output is not None:
        use_case.write_output(output, view.text, force)
        if json:
            return r.emit_json({**view.to_dict(), "output": str(output)})
        r.note(f"wrote {len(view.diagram.nodes)} topics as {view.format} to {output}")
        return
    if json:
        return r.emit_json(view)
    if view.format == "tree" and r.fancy():
        r.out().print(_rich_tree(view))
    else:
        sys.stdout.write(r.clean(view.text))


# --- export / import ------------------------------------------------------------------------------------------

# what a long export or import is doing, beside its bar on a terminal
_WRITING = {"write": "Writing reviews"}
_READING = {"read": "Reading the backup", "merge": "Merging"}


def export(
    file: Annotated[Path, typer.Argument(help="The file to write (.json or gzip-compressed .json.gz for a backup, "
                                              ".apkg with --anki).",
                                         show_default=False)],
    target: Annotated[str | None, typer.Argument(help="With --anki: only this topic or area.",
                                                 autocompletion=complete_topic, show_default=False)] = None,
    anki: Annotated[bool, typer.Option("--anki", help="Write the questions as an Anki deck (.apkg) instead.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
    pack: PackOpt = None,
    all_packs: AllPacksOpt = False,
    studied: Annotated[bool, typer.Option("--studied", help="With --anki: only the questions you have answered.")] = False,
    area: Annotated[str | None, typer.Option("--area", "-a", help="With --anki: only this area's questions.",
                                             autocompletion=complete_topic)] = None,
    json: JsonOpt = False,
) -> None:
    """Back up your data as JSON, or write an Anki deck.

    A backup holds your progress and reviews; with --anki the questions become an Anki deck instead.

    The backup (format "mlpath-backup", version 3) holds statuses, status_events, cards and reviews of the active
    pack (or --pack ID, or --all-packs), each labelled with its pack and keyed by topic and question ids, and your
    choices (goal and study order per pack, the memory model from `mlpath optimize`); restore or merge it with
    `mlpath import FILE`. --json adds packs (the packs covered) and all_packs. A name ending in
    .gz is compressed (and read back compressed by import). It is one consistent snapshot, streamed to a
    temporary file that replaces FILE only when complete.

    The Anki deck has one note type per question kind (basic, choice, multi, true/false), tags
    mlpath::area::AREA and mlpath::topic::TOPIC, and stable ids, so importing a newer deck updates the old one.
    Generated questions, which draw fresh numbers in mlpath, are exported as 3 fixed instances each, with their
    worked answers (tagged mlpath::generated). Code keeps its indentation. --studied keeps only the questions you
    have answered in mlpath. Reviews done in Anki do not come back to mlpath.
    """
    from mlpath.app import backup

    with session(pack, lazy=not anki, all_packs=all_packs) as s, r.activity(_WRITING) as progress:
        data = backup.export(s, file, anki=anki, target=target, force=force, all_packs=all_packs, studied=studied,
                             area=area, progress=progress)
    if json:
        return r.emit_json(data)
    if data["kind"] == "anki":
        r.line(f"Wrote {data['notes']} notes from {data['questions']} questions to {data['file']} "
               f"({data['generated_instances']} fixed instances of generated questions). "
               "Open it with Anki (File > Import). Reviews done in Anki do not come back to mlpath.")
    else:
        r.line(f"Wrote {data['reviews']} reviews, {data['cards']} cards, {data['statuses']} topic statuses and "
               f"{data['status_events']} status changes of {_packs(data)} to {data['file']}. "
               f"Restore with `mlpath import {data['file']}`.")


def import_(
    file: Annotated[Path, typer.Argument(help="A backup written by `mlpath export` (.json or .json.gz).",
                                         show_default=False)],
    pack: PackOpt = None,
    all_packs: AllPacksOpt = False,
    json: JsonOpt = False,
) -> None:
    """Merge a backup from `mlpath export` into your data.

    Nothing is duplicated, and on any error nothing changes.

    A review already present (same question, time and rating) is skipped; for a card the more recently reviewed
    copy wins, and for a topic's status the later change. Topics and questions your roadmap no longer has are
    kept (inactive) so their history stays. --json gives file, added {statuses, status_events, cards, reviews,
    topics_placeholders, questions_placeholders}, reviews_before, reviews_after and in_file, pack, all_packs,
    packs (the packs imported into), left_out (records of other packs, per section), settings_taken and
    memory_model_taken.

    Your goal and study order per pack are taken where this device has none; the memory model (`mlpath optimize`)
    if it was chosen later than this device's, and then every card is rescheduled with it.

    Only the active pack's records (or --pack ID's) are imported; --all-packs imports every record into its own
    pack. A version-1 backup (from before packs) goes into the active pack, or --pack ID.
    """
    from mlpath.app import backup

    with session(pack, lazy=True, all_packs=all_packs) as s, r.activity(_READING) as progress:
        data = backup.import_backup(s, file, all_packs=all_packs, progress=progress)
    if json:
        return r.emit_json(data)
    r.line(f"Importing into {_packs(data)}.")
    a = data["added"]
    r.line(f"Imported {data['file']}: {a['reviews']} new reviews, {a['cards']} cards added or updated, "
           f"{a['statuses']} statuses and {a['status_events']} status changes "
           f"({data['reviews_after']} reviews in all).")
    if a["topics_placeholders"] or a["questions_placeholders"]:
        r.line(f"Kept the history of {a['topics_placeholders']} topics and {a['questions_placeholders']} questions "
               "that your current roadmap does not have.")
    if data["settings_taken"]:
        r.line(f"Took {data['settings_taken']} of your choices (goal, study order) that this device did not have.")
    if data["memory_model_taken"]:
        r.line("Took the backup's memory model (chosen later than this device's); every card was rescheduled with it.")
    skipped = sum(data["left_out"].values())
    if skipped:
        r.line(f"Left out {skipped} records of other packs; --all-packs imports them into their own packs.")


def _packs(data) -> str:
    packs = data["packs"]
    label = "pack" if len(packs) == 1 else "packs"
    return f"{'all packs: ' if data['all_packs'] else ''}{label} {', '.join(packs) or '(none)'}"


def register(app: typer.Typer) -> None:
    app.command()(stats)
    app.command()(graph)
    app.command()(export)
    app.command("import")(import_)
