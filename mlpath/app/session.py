"""The session every use case takes: the learner's database, the roadmap in use, the clock and the settings; and
turning the names a learner types into topics and areas."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import cached_property
from datetime import datetime
from pathlib import Path

from mlpath import clock, paths, settings
from mlpath.core import search as searching
from mlpath.core.model import Area, Roadmap, Topic
from mlpath.errors import NotFound, UserError
from mlpath.store import db


@dataclass
class Session:
    conn: sqlite3.Connection
    roadmap: Roadmap
    now: datetime
    content_root: Path
    settings: settings.Settings

    @cached_property
    def parameters(self) -> tuple[float, ...] | None:
        """The FSRS parameters fitted to this learner (`mlpath optimize`), or None for FSRS's defaults."""
        from mlpath.store import parameters

        row = parameters.active(self.conn)
        return row.parameters if row else None

    def close(self) -> None:
        self.conn.close()


def open_session(now: datetime | None = None) -> Session:
    """Open the learner's database (creating or upgrading it) and the current roadmap (cached in it)."""
    from mlpath.packs.loader import fingerprint
    from mlpath.store.content_cache import cached_roadmap

    now = now or clock.utcnow()
    conn = db.connect(paths.database_file())
    try:
        learner_settings = settings.load(paths.config_file())
        root = paths.content_dir()
        fp = fingerprint(root)
        roadmap = cached_roadmap(conn, fp)
        if roadmap is None:
            from mlpath.packs.loader import load_or_raise
            from mlpath.store.content_cache import sync

            result = load_or_raise(root)
            sync(conn, result.roadmap, result.questions, root, fp, now)
            roadmap = result.roadmap
    except BaseException:
        conn.close()
        raise
    return Session(conn, roadmap, now, root, learner_settings)


# --- names ---------------------------------------------------------------------------------------------------

def resolve(s: Session, name: str, allow_area: bool = True) -> Topic | Area:
    found = searching.resolve_exact(s.roadmap, name)
    if found is not None and (allow_area or isinstance(found, Topic)):
        return found
    if isinstance(found, Area):
        raise UserError(f"{name!r} is an area; name one of its topics (see `mlpath topics --area {found.id}`)")
    raise _not_found(s.roadmap, name, allow_area)


def _not_found(roadmap: Roadmap, name: str, allow_area: bool):
    suggestions = searching.suggestions(roadmap, name)
    if not allow_area:
        suggestions = [x for x in suggestions if x in roadmap.by_id]
    return NotFound("topic or area" if allow_area else "topic", name, suggestions)


def resolve_topic(s: Session, name: str) -> Topic:
    return resolve(s, name, allow_area=False)  # type: ignore[return-value]


def resolve_area(s: Session, name: str | None) -> str | None:
    if name is None:
        return None
    found = searching.resolve_exact(s.roadmap, name)
    if isinstance(found, Area):
        return found.id
    close = [a for a in searching.suggestions(s.roadmap, name, limit=5) if a in s.roadmap.area_by_id]
    raise NotFound("area", name, close or [a.id for a in s.roadmap.areas[:3]])


def topic_ids_of(s: Session, name: str) -> tuple[str, list[str]]:
    """A topic or an area name -> (label, topic ids)."""
    found = resolve(s, name)
    if isinstance(found, Area):
        return found.id, [t.id for t in s.roadmap.in_area(found.id)]
    return found.id, [found.id]


def completion_ids() -> list[str]:
    """Topic and area ids for shell completion; reads only the cached roadmap."""
    try:
        s = open_session()
    except Exception:
        return []
    try:
        return [t.id for t in s.roadmap.topics] + [a.id for a in s.roadmap.areas]
    finally:
        s.close()
