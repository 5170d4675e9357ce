"""The session every use case takes: the learner's database, the roadmap in use, the clock and the settings; and
turning the names a learner types into topics and areas."""

from __future__ import annotations

import sqlite3
from functools import cached_property
from datetime import datetime
from pathlib import Path

from mlpath import clock, paths, settings
from mlpath.core import search as searching
from mlpath.core.model import Area, Roadmap, Topic
from mlpath.errors import NotFound, UserError
from mlpath.store import db


ACTIVE_PACK = "active_pack"  # the preference `mlpath pack use` sets


class Session:
    """One command's view: the connection, the pack it works in, its content folder, the clock and the settings.

    The roadmap is read on first use (from the content cache, else from the folder), so commands that do not need
    it (``export``, ``stats``, ``pack list``) still work when a roadmap is broken or not installed."""

    def __init__(self, conn: sqlite3.Connection, roadmap: Roadmap | None, now: datetime, content_root: Path | None,
                 settings: settings.Settings, pack: str):
        self.conn = conn
        self._roadmap = roadmap
        self.now = now
        self.content_root = content_root
        self.settings = settings
        self.pack = pack

    @property
    def roadmap(self) -> Roadmap:
        if self._roadmap is None:
            if self.content_root is None:
                raise UserError(f"pack {self.pack!r} is not installed here; add it with `mlpath pack add DIR`")
            self._roadmap = sync_folder(self.conn, self.content_root, self.now)[1]
        return self._roadmap

    def roadmap_or_none(self) -> Roadmap | None:
        """The roadmap if it can be read; None when it is broken or not installed (the caller does without)."""
        try:
            return self.roadmap
        except UserError:
            return None

    @cached_property
    def parameters(self) -> tuple[float, ...] | None:
        """The FSRS parameters fitted to this learner (`mlpath optimize`), or None for FSRS's defaults."""
        from mlpath.store import parameters

        row = parameters.active(self.conn)
        return row.parameters if row else None

    def close(self) -> None:
        self.conn.close()


def sync_folder(conn: sqlite3.Connection, root: Path, now: datetime) -> tuple[str, Roadmap]:
    """Read a content folder (manifest and roadmap) and bring the database's copy of its pack up to date."""
    from mlpath.packs import manifest as manifests
    from mlpath.packs.loader import load_or_raise
    from mlpath.store.content_cache import cached_roadmap, sync

    fp = manifests.fingerprint(root)
    cached = cached_roadmap(conn, fp)
    if cached is not None:
        return cached
    manifest = manifests.read_or_raise(root)
    result = load_or_raise(root)
    sync(conn, manifest, result.roadmap, result.questions, root, fp, now)
    return manifest.id, result.roadmap


def pack_of(conn: sqlite3.Connection, root: Path) -> str:
    """The pack id of a folder without reading its roadmap: the manifest, or the id it was last synced under."""
    from mlpath.packs import manifest as manifests

    found, _problems = manifests.read(root)
    if found is not None:
        return found.id
    row = conn.execute("SELECT pack FROM content_state WHERE source = ? ORDER BY id DESC LIMIT 1",
                       (str(root),)).fetchone()
    if row:
        return row[0]
    return manifests.read_or_raise(root).id  # raises, naming every problem of pack.yaml


def active_folder(conn: sqlite3.Connection) -> Path:
    """The content folder in use: MLPATH_CONTENT (for one command), else the pack `mlpath pack use` chose, else the
    shipped roadmap."""
    import os

    if os.environ.get("MLPATH_CONTENT"):
        return paths.content_dir()
    from mlpath.store.queries import preference

    chosen = preference(conn, ACTIVE_PACK)
    if chosen is None:
        return paths.content_dir()
    from mlpath.packs.manifest import installed_folder

    folder = installed_folder(paths.home(), chosen, paths.content_dir())
    if folder is None:
        raise UserError(f"the active pack {chosen!r} is not installed any more; choose one with `mlpath pack use ID` "
                        "(see `mlpath pack list`)")
    return folder


def open_session(now: datetime | None = None, *, pack: str | None = None, lazy: bool = False) -> Session:
    """Open the learner's database (creating or upgrading it) and the pack in use (or ``pack``).

    The roadmap comes from the content cache when the folder is unchanged (one query); otherwise it is read and
    synced now, or with ``lazy`` on first use."""
    now = now or clock.utcnow()
    conn = db.connect(paths.database_file())
    try:
        learner_settings = settings.load(paths.config_file())
        if pack is not None:
            root = _pack_folder(conn, pack)
            roadmap = None
            if not lazy and root is not None:
                found, roadmap = sync_folder(conn, root, now)
                if found != pack:
                    raise UserError(f"the folder of pack {pack!r} ({root}) now says it is pack {found!r}")
            return Session(conn, roadmap, now, root, learner_settings, pack)
        root = active_folder(conn)
        if lazy:
            from mlpath.packs.manifest import fingerprint
            from mlpath.store.content_cache import cached_roadmap

            try:
                cached = cached_roadmap(conn, fingerprint(root))
            except UserError:  # the folder is gone: its stored data is still there
                cached = None
            if cached is not None:
                return Session(conn, cached[1], now, root, learner_settings, cached[0])
            return Session(conn, None, now, root, learner_settings, pack_of(conn, root))
        pack_id, roadmap = sync_folder(conn, root, now)
    except BaseException:
        conn.close()
        raise
    return Session(conn, roadmap, now, root, learner_settings, pack_id)


def _pack_folder(conn: sqlite3.Connection, pack: str) -> Path | None:
    """The folder of a pack named on the command line; None if only its stored data is here. Unknown: NotFound."""
    from mlpath.packs.manifest import installed_folder
    from mlpath.store.queries import pack_data

    folder = installed_folder(paths.home(), pack, paths.content_dir())
    if folder is not None:
        return folder
    known = pack_data(conn)
    if pack in known:
        return None
    from mlpath.packs.manifest import installed_ids

    names = sorted(set(known) | set(installed_ids(paths.home())))
    close = searching.close_names(pack[:80], names)
    raise NotFound("pack", pack[:80], close or names[:5])


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
