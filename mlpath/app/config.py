"""Changing the learner's settings file (config.toml) from a command, keeping the rest of the file as written."""

from __future__ import annotations

from pathlib import Path

from mlpath import settings
from mlpath.errors import UserError
from mlpath.files import write_file


def set_value(path: Path, key: str, value: float) -> None:
    """Set one setting in ``path``, keeping every other line (and comment) of the file as it is."""
    import re

    if key not in settings._RANGES:
        raise UserError(f"unknown setting {key!r}")
    lo, hi = settings._RANGES[key]
    if not lo <= value <= hi:
        raise UserError(f"{key} must be a number from {lo:g} to {hi:g}")
    settings.load(path)  # refuse to edit a file that does not read
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    line = f"{key} = {value:g}"
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=.*$", flags=re.M)
    text = pattern.sub(line, text, count=1) if pattern.search(text) else (text.rstrip("\n") + "\n" if text else "") + line + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path, text, force=True)
