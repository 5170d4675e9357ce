"""Output helpers: Rich on a terminal, plain text in a pipe, JSON for scripts. Data to stdout, messages to stderr."""

from __future__ import annotations

import json
import os
import re
import sys
from contextlib import contextmanager
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


@lru_cache(maxsize=2)
def _is_terminal(name: str) -> bool:
    """Whether sys.``name`` (stdout or stderr) is a terminal that takes more than plain text."""
    try:
        return getattr(sys, name).isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def fancy() -> bool:
    """Pretty Rich output only on a terminal; a pipe gets plain text (and never pays for importing Rich)."""
    return _is_terminal("stdout") or bool(os.environ.get("FORCE_COLOR"))


@contextmanager
def activity(stages: dict[str, str]):
    """While a long step runs (an import, an export of a long history): a bar on stderr that goes away when it
    ends, only when stderr is a terminal. Yields the use case's ``progress(stage, done, total)`` callback (total
    None: no bar, a running clock), or None when there is nothing to show. ``stages`` words each stage."""
    if not _is_terminal("stderr"):
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar_ = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[share]}"),
                    TimeElapsedColumn(), console=err(), transient=True)
    task = bar_.add_task("", total=None, visible=False, share="")

    def update(stage: str, done: int, total: int | None) -> None:
        share = f"{100 * done // total:>3}%" if total else ""  # (no measure: the bar pulses, no share)
        bar_.update(task, description=stages.get(stage, stage), completed=done, total=total, share=share,
                    visible=True)

    with bar_:
        yield update


# --- output safety: one escaping function for every text that reaches the terminal ---------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # all but tab and newline


def _escape_char(m: re.Match) -> str:
    return f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"


def clean(text: Any) -> str:
    """``text`` with every control character (escape sequences, carriage returns, bells, C1 codes; all but tab
    and newline) shown as a visible escape (``\\x1b``), so no title, summary, option or stored answer can drive
    the terminal. Every output helper here applies it; other text printed on its own must go through it too."""
    text = text if isinstance(text, str) else str(text)
    return _CONTROL.sub(_escape_char, text)


def one_line(text: Any) -> str:
    """``clean`` and on one line: line breaks shown as spaces (for messages that must be one line each)."""
    return " ".join(clean(text).replace("\t", " ").splitlines())


# Sequences a terminal acts on beyond colour: OSC (clipboard, title; not 8, Rich's links), DCS, SOS, PM, APC, and their C1 forms.
_STRING_SEQUENCE = re.compile(r"\x1b(?!\]8;)[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|[\x90\x98\x9b\x9d-\x9f]")


class SafeStream:
    """Wraps stdout/stderr: never passes on string-type escape sequences (OSC 52 writes the clipboard ...), and an
    output encoding that cannot show a character (``PYTHONIOENCODING=ascii``, ``LC_ALL=C``) gets a replacement
    character instead of a crash. Colour and cursor codes (Rich, prompts) pass through unchanged."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        text = _STRING_SEQUENCE.sub(lambda m: clean(m.group()), text)
        try:
            return self._stream.write(text)
        except UnicodeEncodeError:
            encoding = getattr(self._stream, "encoding", None) or "ascii"
            return self._stream.write(text.encode(encoding, "replace").decode(encoding, "replace"))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def install_safe_streams() -> tuple:
    """Put ``SafeStream`` around sys.stdout and sys.stderr; returns the originals, for ``restore_streams``."""
    saved = (sys.stdout, sys.stderr)
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, SafeStream):
            setattr(sys, name, SafeStream(stream))
    return saved


def restore_streams(saved: tuple) -> None:
    sys.stdout, sys.stderr = saved


def emit_json(data: Any) -> None:
    """Typed values as JSON on stdout: the only place where they become dicts. JSON escapes C0 controls itself;
    DEL and C1 controls are escaped here too, so the text is safe to show."""
    from mlpath.values import to_jsonable

    text = json.dumps(to_jsonable(data), indent=2, ensure_ascii=False, allow_nan=False)
    sys.stdout.write(re.sub(r"[\x7f-\x9f\u2028\u2029]", lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


def line(text: str = "") -> None:
    """A plain line to stdout (no markup interpretation; control characters escaped)."""
    if fancy():
        out().print(clean(text), markup=False, emoji=False)
    else:
        sys.stdout.write(clean(text) + "\n")


def styled(markup: str, plain: str) -> None:
    if fancy():
        out().print(clean(markup), emoji=False)
    else:
        sys.stdout.write(clean(plain) + "\n")


def note(text: str) -> None:
    """A message for the human, on stderr: as is (no markup, no emoji codes, no wrapping), one line."""
    sys.stderr.write(one_line(text) + "\n")


_MARKUP = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def esc(text: str) -> str:
    """Escape Rich markup in ``text`` (as rich.markup.escape does, without importing Rich), and control
    characters (``clean``)."""
    text = clean(text)
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
