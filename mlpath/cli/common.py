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


@contextmanager
def session() -> Iterator:
    from mlpath.app.session import open_session

    s = open_session()
    try:
        yield s
    finally:
        s.close()
