"""The clock: aware UTC "now", which ``MLPATH_NOW`` can fix (for tests and benchmarks)."""

from __future__ import annotations

import os
from datetime import datetime, timezone

from mlpath.errors import UserError


def utcnow() -> datetime:
    """Now, as an aware UTC datetime; ``MLPATH_NOW`` (an ISO 8601 date-time with an offset) overrides it."""
    override = os.environ.get("MLPATH_NOW")
    if override:
        return parse_now(override)
    return datetime.now(timezone.utc)


def parse_now(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise UserError("MLPATH_NOW must be an ISO 8601 date-time with an offset, such as 2026-03-01T09:00:00+00:00")
    try:
        return value.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise UserError("MLPATH_NOW is out of range") from None
