"""The learner's settings: ``config.toml`` in the data folder, read once per command and validated completely.

Every key is declared here with its type, range and default, so a typo is an error, never silently ignored.

| key | default | meaning |
| --- | --- | --- |
| desired_retention | 0.9 | the recall probability FSRS aims for (0.7-0.99) |
| daily_minutes | 20 | the time you mean to spend on reviews a day (1-600); `review` and `quiz` stop there |
| new_cards_per_day | 10 | new (never answered) questions a day at most (0-500) |
| learning_steps | [1, 10] | minutes between the first answers of a new card (FSRS learning steps; 0-8 steps of 1-1440) |
| relearning_steps | [10] | minutes between the answers of a missed card (0-8 steps of 1-1440) |
| requeue_after | 3 | a card still in its learning steps comes back after this many other cards (1-50) |
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from mlpath.errors import UserError

DEFAULT_RETENTION = 0.9  # the recall probability FSRS aims for (the `fsrs` package's own default)


# Implicit review credit through the prerequisite graph (issue 11) is on: in the learner simulator
# (benchmarks/learner_sim.py) it meets the non-inferiority target where there is no true transfer (no more explicit
# reviews, at most 0.5 points of true retention lost), and it saves a few per cent of reviews where there is; a
# learner opts out with `implicit_credit = false`. The numbers are in the README.
DEFAULT_IMPLICIT_CREDIT = True


@dataclass(frozen=True)
class Settings:
    desired_retention: float = DEFAULT_RETENTION
    daily_minutes: int = 20
    new_cards_per_day: int = 10
    learning_steps: tuple[int, ...] = (1, 10)
    relearning_steps: tuple[int, ...] = (10,)
    requeue_after: int = 3
    implicit_credit: bool = DEFAULT_IMPLICIT_CREDIT
    sync_url: str | None = None  # the server `mlpath sync` uses (MLPATH_SYNC_URL overrides it)


_TEXTS = {"sync_url": ("postgresql://", "postgres://")}  # key -> allowed prefixes, for text settings

# key -> (lowest, highest) for numbers
_RANGES: dict[str, tuple[float, float]] = {
    "desired_retention": (0.7, 0.99),
    "daily_minutes": (1, 600),
    "new_cards_per_day": (0, 500),
    "requeue_after": (1, 50),
}
_INTEGERS = {"daily_minutes", "new_cards_per_day", "requeue_after"}
_STEPS = {"learning_steps", "relearning_steps"}  # lists of minutes
MAX_STEPS, STEP_MINUTES = 8, (1, 1440)


def _steps(path: Path, key: str, value) -> tuple[int, ...]:
    lo, hi = STEP_MINUTES
    if (not isinstance(value, list) or len(value) > MAX_STEPS
            or any(isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi for v in value)):
        raise UserError(f"{path}: {key} must be a list of at most {MAX_STEPS} whole minutes from {lo} to {hi}, "
                        f"such as [1, 10]")
    return tuple(value)

# keys that are true or false
_FLAGS = frozenset({"implicit_credit"})


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
    values: dict = {}
    for key, value in data.items():
        if key not in known:
            raise UserError(f"{path}: unknown setting {key!r}; known settings: {', '.join(known)}")
        if key in _STEPS:
            values[key] = _steps(path, key, value)
            continue
        if key in _FLAGS:
            if not isinstance(value, bool):
                raise UserError(f"{path}: {key} must be true or false")
            values[key] = value
            continue
        if key in _TEXTS:
            if not isinstance(value, str) or not value.startswith(_TEXTS[key]) or len(value) > 2000:
                raise UserError(f"{path}: {key} must be a URL starting with {_TEXTS[key][0]} (in quotes)")
            values[key] = value
            continue
        lo, hi = _RANGES[key]
        if key in _INTEGERS:
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise UserError(f"{path}: {key} must be a whole number from {lo:g} to {hi:g}")
            values[key] = value
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            raise UserError(f"{path}: {key} must be a number from {lo:g} to {hi:g}")
        values[key] = float(value)
    return Settings(**values)

