"""`mlpath map`: the roadmap as a self-contained HTML page, opened in the browser."""


from pathlib import Path
from typing import Annotated

import typer

from mlpath.cli import render as r
from mlpath.cli.common import JsonOpt, complete_topic, session


def map_(
    topic: Annotated[str | None, typer.Argument(
        help="Only this topic and everything that leads to it (id, alias or title).",
        autocompletion=complete_topic, show_default=False)] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the page here and do not open it (default: map.html in MLPATH_HOME).",
        show_default=False)] = None,
    no_open: Annotated[bool, typer.Option("--no-open", help="Write the page but do not open the browser.")] = False,
    force: Annotated[bool, typer.Option("--force", "-f", help="Replace an existing --output file.")] = False,
    json: JsonOpt = False,
) -> None:
    """Write your roadmap as one web page that works offline.

    The page shows the graph by area, your progress, due reviews and a search.
    """
    from mlpath.app import map as mapping
    from mlpath.web import render_map

    with session() as s:
        data = mapping.map_data(s, topic)
    target = mapping.write_map(render_map(data), output if output is not None else mapping.default_output(), force)
    if json:
        return r.emit_json({"path": str(target), "topics": len(data.topics)})
    r.line(str(target))
    if output is None and not no_open:
        import webbrowser

        if not webbrowser.open(target.as_uri()):
            r.note("could not start a browser; open the file above yourself")


def register(app: typer.Typer) -> None:
    app.command("map")(map_)
