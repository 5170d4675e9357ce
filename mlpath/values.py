"""Typed values -> plain JSON data, at the edge only (`--json`, backups). Use cases return typed values."""

from __future__ import annotations

import dataclasses
import math
from datetime import date, datetime
from enum import Enum
from typing import Any


def to_jsonable(value: Any) -> Any:
    """Values with a ``to_dict`` (that), dataclasses, NamedTuples, enums, dates and containers -> JSON data.

    Non-finite floats become ``None``: JSON has no Infinity or NaN."""
    custom = getattr(value, "to_dict", None)
    if custom is not None and callable(custom) and not isinstance(value, type):
        return to_jsonable(custom())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: to_jsonable(v) for k, v in value._asdict().items()}
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
