"""`mlpath sync` and `mlpath class`: several devices and a class, through a PostgreSQL server."""


from typing import Annotated

import typer

from mlpath.cli import render as r
from mlpath.cli.common import JsonOpt, PackOpt, session

class_app = typer.Typer(help="Run a class on a PostgreSQL server.\n\nSet it up, add learners, read the report.",
                        no_args_is_help=True, rich_markup_mode=None)

AdminUrl = Annotated[str, typer.Option("--admin-url", help="postgresql:// URL of a user that may create roles, "
                                                           "schemas and policies in the class's database.",
                                       envvar=None, show_default=False)]


def _note(text: str) -> None:
    """One line on stderr, never wrapped (it may hold a command to copy)."""
    import sys

    sys.stderr.write(text + "\n")


_SYNCING = {"pull": "Pulling", "push": "Pushing reviews", "cards": "Replaying cards"}  # beside the bar on a terminal


def sync(pack: PackOpt = None, json: JsonOpt = False) -> None:
    """Merge your history with your other devices.

    This device's history is merged with your other devices' through the sync server. The server is MLPATH_SYNC_URL or sync_url in config.toml (a teacher or admin gets it from `mlpath class
    add-learner`). Reviews are merged, each exactly once; cards are recomputed from the merged reviews in time
    order; a topic's status follows its latest change; the newest memory model (`mlpath optimize`) is shared. One pack at a time (the active one, or --pack). Safe to
    interrupt and to repeat.
    """
    from mlpath.app import sync as use_case

    with session(pack) as s, r.activity(_SYNCING) as progress:
        result = use_case.sync(s, progress=progress)
    for warning in result.warnings:
        _note(f"mlpath: warning: {warning}")
    if json:
        return r.emit_json(result)
    r.line(f"Synced as {result.learner} with {result.server} ({result.pack}): pushed {result.pushed_reviews} "
           f"reviews and {result.pushed_status_events} status changes, pulled {result.pulled_reviews} reviews and "
           f"{result.pulled_status_events} status changes; {result.reviews} reviews here now.")
    if result.memory_model == "sent":
        r.line("Your memory model (`mlpath optimize`) from this device is now shared with your other devices.")
    elif result.memory_model == "received":
        r.line("Your memory model from another device (`mlpath optimize`) is used here now; every card was "
               "rescheduled with it.")


@class_app.command("init")
def class_init(admin_url: AdminUrl, json: JsonOpt = False) -> None:
    """Set up the class on the server.

    Creates (or upgrades) the class in the database the URL names: its schema, roles and row-level security.
    """
    from mlpath.app import classes

    done = classes.init(admin_url)
    if json:
        return r.emit_json(done)
    if done.schema_before == done.schema:
        r.line(f"The class at {done.server} is up to date (schema {done.schema}, {done.learners} members).")
    else:
        r.line(f"Class ready at {done.server} (schema {done.schema}). Add learners with "
               "`mlpath class add-learner NAME --admin-url URL`.")


@class_app.command("add-learner")
def class_add_learner(
    name: Annotated[str, typer.Argument(help="The learner's name: lowercase letters, digits, '_' or '-'.",
                                        show_default=False)],
    admin_url: AdminUrl,
    teacher: Annotated[bool, typer.Option("--teacher", help="A teacher: also reads the whole class "
                                                            "(`mlpath class report`).")] = False,
    json: JsonOpt = False,
) -> None:
    """Add a learner and print their sync URL.

    Creates a learner (or a teacher) and prints the URL their devices sync with. It holds a password: hand it
    over privately; it is shown only this once.
    """
    from mlpath.app import classes

    made = classes.add_learner(admin_url, name, teacher)
    if json:
        return r.emit_json(made)
    r.line(made.url)
    _note(f"{'Teacher' if made.teacher else 'Learner'} {made.learner!r} added. On each of their devices: put "
           "sync_url = \"<the URL above>\" in config.toml (chmod 600) or set MLPATH_SYNC_URL, then run `mlpath sync`.")


@class_app.command("report")
def class_report(json: JsonOpt = False) -> None:
    """Show how the class is doing.

    The class as its teacher sees it: each learner's progress and mastery, reviews in the last 7 days, and the
    topics where the class struggles most. Read with the teacher's sync URL.
    """
    from mlpath.app import classes

    with session() as s:
        rep = classes.report(s)
    if json:
        return r.emit_json(rep)
    r.line(f"Class at {rep.server} ({rep.pack}), {len(rep.learners)} members")
    r.line(f"{'learner':<20} {'done':>5} {'progress':>8} {'reviews':>8} {'7 days':>7} {'mastery (30 d)':>14}")
    for p in rep.learners:
        name = p.learner + (" (teacher)" if p.teacher else "")
        progress = f"{p.progress:.0%}" if p.progress is not None else "-"
        mastery = f"{p.mastery:.0%}" if p.mastery is not None else "-"
        r.line(f"{name:<20} {p.topics_done:>5} {progress:>8} {p.reviews:>8} {p.reviews_7d:>7} {mastery:>14}")
    r.line()
    if not rep.struggles:
        r.line(f"No topic has enough reviews in the last {rep.struggle_days} days to rank where the class struggles.")
        return
    r.line(f"Where the class struggles (last {rep.struggle_days} days, share of answers forgotten):")
    for st in rep.struggles:
        r.line(f"  {st.forgotten_share:>4.0%}  {st.topic} — {st.title} ({st.reviews} reviews, {st.learners} learners)")


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)
    app.add_typer(class_app, name="class")
