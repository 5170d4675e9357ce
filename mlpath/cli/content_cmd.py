"""`mlpath content check`: validate a content folder and show every problem at once."""


from pathlib import Path
from typing import Annotated

import typer

from mlpath.app import roadmap as use_case
from mlpath.cli import render as r
from mlpath.errors import UserError

app = typer.Typer(help="Work with roadmap content folders.", no_args_is_help=True)


@app.command()
def check(
    folder: Annotated[Path | None, typer.Argument(help="Content folder (default: the one in use).",
                                                 show_default=False)] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the problems as JSON.")] = False,
) -> None:
    """Validate a content folder, listing every problem at once."""
    from mlpath import paths

    root = folder or paths.content_dir()
    result = use_case.check_content(root)
    problems = result.problems
    pack, pack_problems = use_case.check_manifest(root)  # pack.yaml: the pack's identity
    problems = pack_problems + problems
    if json:
        r.emit_json({"folder": str(root), "ok": not problems, "problems": problems,
                     "pack": pack.id if pack else None, "pack_declared": bool(pack and pack.declared)})
        if problems:
            raise typer.Exit(2)
        return
    if problems:
        for p in problems:
            r.note(p)  # one plain line each: no wrapping, no markup or emoji codes
        raise UserError(f"{root} is invalid: {len(problems)} problem{'s' if len(problems) != 1 else ''} "
                        f"(listed above)")
    r.line(f"{root}: OK — {len(result.roadmap.areas)} areas, {len(result.roadmap.topics)} topics, "
           f"{len(result.questions)} questions")
    if pack is not None and not pack.declared:
        import sys

        sys.stderr.write(f"suggestion: add a pack.yaml (id, title, version) to name this pack; until then its id "
                         f"is {pack.id}, derived from the folder's name and place\n")
