"""Output helpers: Rich on a terminal, plain text in a pipe, JSON for scripts. Data to stdout, messages to stderr."""

from __future__ import annotations

import json
import os
import re
import sys
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def out():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


@lru_cache(maxsize=1)
def err():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


@lru_cache(maxsize=1)
def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def fancy() -> bool:
    """Pretty Rich output only on a terminal; a pipe gets plain text (and never pays for importing Rich)."""
    return _stdout_is_terminal() or bool(os.environ.get("FORCE_COLOR"))


def emit_json(data: Any) -> None:
    """Typed values as JSON on stdout: the only place where they become dicts."""
    from mlpath.values import to_jsonable

    sys.stdout.write(json.dumps(to_jsonable(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def line(text: str = "") -> None:
    """A plain line to stdout (no markup interpretation)."""
    if fancy():
        out().print(text, markup=False)
    else:
        sys.stdout.write(text + "\n")


def styled(markup: str, plain: str) -> None:
    if fancy():
        out().print(markup)
    else:
        sys.stdout.write(plain + "\n")


def note(text: str) -> None:
    """A message for the human, on stderr."""
    err().print(text, markup=False)


_MARKUP = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def esc(text: str) -> str:
    """Escape Rich markup in ``text`` (as rich.markup.escape does, without importing Rich)."""
    text = _MARKUP.sub(lambda m: f"{m.group(1)}{m.group(1)}\\{m.group(2)}", text)
    if text.endswith("\\") and not text.endswith("\\\\"):
        text += "\\"
    return text


STATUS_STYLE = {"done": "green", "skipped": "dim", "in_progress": "yellow", "not_started": "white"}
STATUS_MARK = {"done": "✓", "skipped": "–", "in_progress": "…", "not_started": " "}


def status_label(status: str) -> str:
    return status.replace("_", " ")


def bar(done: int, total: int, width: int = 20) -> str:
    filled = round(width * done / total) if total else 0
    return "#" * filled + "-" * (width - filled)
