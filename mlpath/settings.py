"""The learner's settings: ``config.toml`` in the data folder, read once per command and validated completely.

Every key is declared here with its type, range and default, so a typo is an error, never silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from mlpath.errors import UserError

DEFAULT_RETENTION = 0.9  # the recall probability FSRS aims for (the `fsrs` package's own default)


@dataclass(frozen=True)
class Settings:
    desired_retention: float = DEFAULT_RETENTION
    sync_url: str | None = None  # the server `mlpath sync` uses (MLPATH_SYNC_URL overrides it)


_TEXTS = {"sync_url": ("postgresql://", "postgres://")}  # key -> allowed prefixes, for text settings

# key -> (lowest, highest) for numbers
_RANGES: dict[str, tuple[float, float]] = {
    "desired_retention": (0.7, 0.99),
}


def load(path: Path) -> Settings:
    """Read ``path`` (a missing file means the defaults). Raises UserError naming the file and the key."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as e:
        raise UserError(f"{path}: cannot read settings ({e.strerror})") from None
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UserError(f"{path}: settings must be UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"{path}: cannot read settings ({e})") from None
    known = {f.name: f for f in fields(Settings)}
    values = {}
    for key, value in data.items():
        if key not in known:
            raise UserError(f"{path}: unknown setting {key!r}; known settings: {', '.join(known)}")
        if key in _TEXTS:
            if not isinstance(value, str) or not value.startswith(_TEXTS[key]) or len(value) > 2000:
                raise UserError(f"{path}: {key} must be a URL starting with {_TEXTS[key][0]} (in quotes)")
            values[key] = value
            continue
        lo, hi = _RANGES[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            raise UserError(f"{path}: {key} must be a number from {lo:g} to {hi:g}")
        values[key] = float(value)
    return Settings(**values)

