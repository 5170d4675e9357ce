"""Output helpers: Rich on a terminal, plain text in a pipe, JSON for scripts. Data to stdout, messages to stderr."""

from __future__ import annotations

import json
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


def fancy() -> bool:
    """Pretty Rich output only on a terminal; a pipe gets plain text."""
    return out().is_terminal


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


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


def esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


STATUS_STYLE = {"done": "green", "skipped": "dim", "in_progress": "yellow", "not_started": "white"}
STATUS_MARK = {"done": "✓", "skipped": "–", "in_progress": "…", "not_started": " "}


def status_label(status: str) -> str:
    return status.replace("_", " ")


def bar(done: int, total: int, width: int = 20) -> str:
    filled = round(width * done / total) if total else 0
    return "#" * filled + "-" * (width - filled)
