"""`mlpath content check`: validate a content folder and show every problem at once."""


from pathlib import Path
from typing import Annotated

import typer

from mlpath.app import roadmap as use_case
from mlpath.cli import render as r
from mlpath.errors import ContentError

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
    if json:
        r.emit_json({"folder": str(root), "ok": not problems, "problems": problems})
        if problems:
            raise typer.Exit(2)
        return
    if problems:
        for p in problems:
            r.note(p)
        raise ContentError(problems, source=str(root))
    r.line(f"{root}: OK — {len(result.roadmap.areas)} areas, {len(result.roadmap.topics)} topics, "
           f"{len(result.questions)} questions")
