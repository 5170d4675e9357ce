"""What the map page shows, as plain frozen values. Built by the app layer; rendered by ``render_map``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    """A topic's status on the map. LOCKED is a not-started topic whose prerequisites are not all finished."""

    DONE = "done"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    SKIPPED = "skipped"
    LOCKED = "locked"

    @classmethod
    def of(cls, stored: str, unlocked: bool) -> Status:
        """The map status of a topic with status ``stored`` (as the store keeps it) and this unlocked flag."""
        status = cls(stored)
        if status is cls.NOT_STARTED and not unlocked:
            return cls.LOCKED
        return status


@dataclass(frozen=True)
class MapResource:
    title: str
    url: str
    kind: str

    @property
    def linkable(self) -> bool:
        """Only http and https URLs become links; anything else is shown as text."""
        return is_web_url(self.url)


def is_web_url(url: str) -> bool:
    """An absolute http(s) URL with a host and no spaces or control characters."""
    from urllib.parse import urlsplit

    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@dataclass(frozen=True)
class MapArea:
    id: str
    title: str


@dataclass(frozen=True)
class MapTopic:
    id: str
    title: str
    area: str
    summary: str
    hours: float
    status: Status
    prerequisites: tuple[str, ...] = ()
    resources: tuple[MapResource, ...] = ()
    questions: int = 0
    due: int = 0
    quiz_command: str = ""
    mastery: float | None = None  # 0..1 once mastery exists; None renders as "no mastery yet"
    mastery_state: str | None = None


@dataclass(frozen=True)
class MapProgress:
    done: int  # done or skipped
    total: int
    hours_done: float
    hours_total: float
    due: int = 0


@dataclass(frozen=True)
class MapData:
    areas: tuple[MapArea, ...]
    topics: tuple[MapTopic, ...]
    progress: MapProgress
    generated_at: datetime
    focus: str | None = None
    title: str = "mlpath roadmap"
