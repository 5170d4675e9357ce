"""Shared options and the session helper for commands."""


from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer


def complete_topic(incomplete: str) -> list[str]:
    from mlpath.app.session import completion_ids

    return [i for i in completion_ids() if i.startswith(incomplete)]


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of text.")]
AreaOpt = Annotated[str | None, typer.Option("--area", "-a", help="Only this area (an area id).",
                                             autocompletion=complete_topic)]
TopicArg = Annotated[str, typer.Argument(help="A topic id, alias or title.", autocompletion=complete_topic,
                                         show_default=False)]
TargetArg = Annotated[str, typer.Argument(help="A topic or an area (id, alias or title).",
                                          autocompletion=complete_topic, show_default=False)]
PackOpt = Annotated[str | None, typer.Option("--pack", help="This pack instead of the active one (an id from "
                                                            "`mlpath pack list`).", show_default=False)]
AllPacksOpt = Annotated[bool, typer.Option("--all-packs", help="Every pack, not only the active one.")]


@contextmanager
def session(pack: str | None = None, lazy: bool = False, all_packs: bool = False) -> Iterator:
    """The use cases' session: of the active pack, or ``pack``; ``lazy`` reads the roadmap only if it is used."""
    from mlpath.app.session import open_session

    if pack is not None and all_packs:
        raise typer.BadParameter("give --pack ID or --all-packs, not both")
    s = open_session(pack=pack, lazy=lazy)
    try:
        yield s
    finally:
        s.close()
