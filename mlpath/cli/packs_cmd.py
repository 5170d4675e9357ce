"""`mlpath pack list | add | use | remove`: several roadmaps side by side, each with its own progress."""


from pathlib import Path
from typing import Annotated

import typer

from mlpath.cli import render as r
from mlpath.cli.common import JsonOpt

app = typer.Typer(help="Roadmaps as packs, each with its own progress.",
                  no_args_is_help=True)

PackArg = Annotated[str, typer.Argument(help="A pack id (see `mlpath pack list`).", show_default=False)]


@app.command("list")
def list_(json: JsonOpt = False) -> None:
    """List the installed packs and your progress.

    Which pack is active, its topics and your progress in each.

    Packs whose folder is gone but whose progress is kept are listed too (installed: false).

    \b
    --json fields: active, override (the MLPATH_CONTENT folder, or null), packs [{id, title, version, active,
      installed, shipped, folder, linked, topics, done, in_progress, skipped, percent, cards, reviews,
      problem (why its roadmap cannot be read now, or null)}]
    """
    from mlpath.app import packs

    data = packs.list_packs()
    if json:
        return r.emit_json(data)
    if data.override:
        r.line(f"MLPATH_CONTENT={data.override} chooses the roadmap (pack {data.active}) while it is set.")
    for p in data.packs:
        mark = "*" if p.active else " "
        where = "" if p.installed else "  (not installed: progress kept)"
        title = f" — {p.title}" if p.title else ""
        version = f" {'v' if p.version[:1].isdigit() else ''}{p.version}" if p.version else ""
        r.line(f"{mark} {p.id}{version}{title}{where}")
        r.line(f"    {p.done + p.skipped}/{p.topics} topics finished ({p.percent}%), {p.in_progress} in progress, "
               f"{p.reviews} reviews")
        if p.problem:
            r.line(f"    cannot be read now: {p.problem}")
    r.line("(* active; choose with `mlpath pack use ID`)")


@app.command()
def add(
    folder: Annotated[Path, typer.Argument(help="A content folder (with pack.yaml, or its id is derived from the "
                                                "folder).", show_default=False)],
    link: Annotated[bool, typer.Option("--link", help="Link to the folder instead of copying it (edits show "
                                                      "at once).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an installed pack with the same id.")] = False,
    json: JsonOpt = False,
) -> None:
    """Add a roadmap folder as a pack.

    The folder is validated, then copied (or linked) into the data folder.

    --json fields: id, title, version, folder, linked, topics, questions, derived_id.
    """
    from mlpath.app import packs

    added = packs.add_pack(folder, link=link, force=force)
    if json:
        return r.emit_json(added)
    how = "linked" if added.linked else "copied"
    r.line(f"Added pack {added.id} ({added.title}): {added.topics} topics, {added.questions} questions, "
           f"{how} to {added.folder}. Use it with `mlpath pack use {added.id}`.")
    if added.derived_id:
        import sys

        kept = ("it stays while the folder stays where it is" if added.linked
                else "the copy keeps it in a pack.yaml of its own")
        sys.stderr.write(f"{folder} has no pack.yaml, so its id {added.id} was derived from the folder; {kept}\n")


@app.command()
def use(pack: PackArg, json: JsonOpt = False) -> None:
    """Make a pack the active one.

    `next`, `quiz`, `progress` and the rest work on it from now on.

    MLPATH_CONTENT, while set, still chooses the roadmap of each command. --json fields: id, title, folder,
    topics, previous, override.
    """
    from mlpath.app import packs

    used = packs.use_pack(pack)
    if json:
        return r.emit_json(used)
    r.line(f"Now using pack {used.id} ({used.title}, {used.topics} topics); it was {used.previous}.")
    if used.override:
        r.note(f"MLPATH_CONTENT is set ({used.override}): it overrides the active pack while it is set.")


@app.command()
def remove(
    pack: PackArg,
    keep_progress: Annotated[bool, typer.Option("--keep-progress", help="Remove the folder but keep your progress "
                                                                        "(add the pack again to see it).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Remove the pack and delete your progress in it.")] = False,
    json: JsonOpt = False,
) -> None:
    """Remove an added pack.

    Refused while you have progress in it, unless --keep-progress or --force.

    --json fields: id, folder, progress_kept, removed {table: rows}, was_active.
    """
    from mlpath.app import packs
    from mlpath.errors import UserError

    try:
        removed = packs.remove_pack(pack, keep_progress=keep_progress, force=force)
    except packs.ProgressWouldBeLost as e:
        raise UserError(f"{e}; use --keep-progress to keep it, or --force to {e.action}") from None
    if json:
        return r.emit_json(removed)
    if removed.progress_kept:
        r.line(f"Removed pack {removed.id}; your progress in it is kept (`mlpath pack list` shows it).")
    else:
        rows = sum(removed.removed.values())
        r.line(f"Removed pack {removed.id}" + (f" and {rows} stored rows of it." if rows else "."))
    if removed.was_active:
        r.line("The shipped roadmap is active again.")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="pack")
