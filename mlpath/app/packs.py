"""Pack use cases: `mlpath pack list | add | use | remove`.

A pack is a roadmap with an identity (``pack.yaml``, or one derived from its folder). Installed packs are the
shipped roadmap and the folders in ``MLPATH_HOME/packs/<id>/`` (copied or linked there by `pack add`). The active
pack is kept in the database (`pack use`); ``MLPATH_CONTENT`` still overrides it for one command. Nothing here needs
a readable roadmap except `add` and `use`, which validate the pack they are given.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from mlpath import clock, paths
from mlpath.app.session import ACTIVE_PACK, pack_of, sync_folder
from mlpath.errors import ConfirmationNeeded, NotFound, UserError
from mlpath.packs import manifest as manifests
from mlpath.store import db, queries


@dataclass(frozen=True)
class PackInfo:
    """One pack as `pack list` shows it; progress counts come from the database."""

    id: str
    title: str | None
    version: str | None
    active: bool
    installed: bool  # False: only its stored progress is here (its folder was removed, or it came in a backup)
    shipped: bool
    folder: str | None
    linked: bool
    topics: int  # topics of its roadmap as last read (0 if never opened)
    done: int
    in_progress: int
    skipped: int
    percent: float
    cards: int
    reviews: int
    problem: str | None = None  # why its roadmap cannot be read now (its progress is still listed)


@dataclass(frozen=True)
class PackList:
    packs: list[PackInfo]
    active: str
    override: str | None  # the MLPATH_CONTENT folder, when it chooses the roadmap for this command


def _active_id(conn) -> tuple[str, str | None]:
    import os

    override = os.environ.get("MLPATH_CONTENT") or None
    if override:
        return pack_of(conn, paths.content_dir()), override
    return queries.preference(conn, ACTIVE_PACK) or manifests.SHIPPED_ID, None


def list_packs() -> PackList:
    home = paths.home()
    conn = db.connect(paths.database_file())
    problems: dict[str, str] = {}
    try:
        active, override = _active_id(conn)
        for pack in manifests.installed_ids(home):  # read each installed pack once, so its topics are known
            folder = manifests.installed_folder(home, pack, _shipped())
            try:
                sync_folder(conn, folder, clock.utcnow())
            except UserError as e:  # a broken pack is listed with its problem; it never blocks the list
                problems[pack] = str(e)
        data = queries.pack_data(conn)
        status_counts: dict[str, dict[str, int]] = {}
        for pack, status, n in conn.execute(
                "SELECT s.pack, s.status, COUNT(*) FROM topic_status s JOIN topic t ON t.pack = s.pack "
                "AND t.id = s.topic_id WHERE t.active GROUP BY s.pack, s.status"):
            status_counts.setdefault(pack, {})[status] = n
    finally:
        conn.close()
    ids = manifests.installed_ids(home)
    out = []
    for pack in ids + sorted(set(data) - set(ids) - {active}) + ([active] if active not in ids and active not in data
                                                                  else []):
        folder = manifests.installed_folder(home, pack, _shipped())
        title = version = None
        if folder is not None:
            found, _problems = manifests.read(folder)
            if found is not None and found.id == pack:
                title, version = found.title, (found.version if found.declared else None)
        d = data.get(pack)
        if d is not None:
            title, version = title or d.title, version or d.version
        c = status_counts.get(pack, {})
        topics = d.topics if d else 0
        finished = c.get("done", 0) + c.get("skipped", 0)
        out.append(PackInfo(
            pack, title, version, pack == active, folder is not None, pack == manifests.SHIPPED_ID,
            str(folder) if folder is not None else None, folder is not None and folder.is_symlink(), topics,
            c.get("done", 0), c.get("in_progress", 0), c.get("skipped", 0),
            round(100 * finished / topics, 1) if topics else 0.0, d.cards if d else 0, d.reviews if d else 0,
            problems.get(pack)))
    return PackList(out, active, override)


def _shipped() -> Path:
    """The roadmap shipped with mlpath (MLPATH_CONTENT aside)."""
    import os

    saved = os.environ.pop("MLPATH_CONTENT", None)
    try:
        return paths.content_dir()
    finally:
        if saved is not None:
            os.environ["MLPATH_CONTENT"] = saved


@dataclass(frozen=True)
class AddedPack:
    id: str
    title: str
    version: str | None
    folder: str
    linked: bool
    topics: int
    questions: int
    derived_id: bool  # the folder had no pack.yaml: its id was derived from the folder


def add_pack(folder: Path, link: bool = False, force: bool = False) -> AddedPack:
    """Validate a content folder, then copy (or link) it into ``MLPATH_HOME/packs/<id>/``."""
    from mlpath.errors import ContentError
    from mlpath.packs.loader import load

    source = Path(folder).expanduser()
    if not source.is_dir():
        raise UserError(f"{source}: no such folder")
    source = source.resolve()
    manifest, problems = manifests.read(source)
    result = load(source)
    problems = problems + result.problems
    if problems:
        raise ContentError(problems, source=str(source))
    assert manifest is not None
    if manifest.id == manifests.SHIPPED_ID:
        raise UserError(f"{source}: pack id {manifest.id!r} is the shipped roadmap's; give the pack its own id in "
                        f"{manifests.MANIFEST}")
    home = paths.home()
    dest = manifests.packs_dir(home) / manifest.id
    if dest.exists() or dest.is_symlink():
        if dest.resolve() == source:
            raise UserError(f"pack {manifest.id!r} is already installed from {source}")
        if not force:
            raise ConfirmationNeeded(f"a pack {manifest.id!r} is already installed ({dest})", action="replace it")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging = dest.with_name(f".{manifest.id}.adding")
        _remove_folder(staging)
        if link:
            staging.symlink_to(source, target_is_directory=True)
        else:
            shutil.copytree(source, staging, ignore=shutil.ignore_patterns(".*", "__pycache__"))
            if not manifest.declared:  # the copy keeps the identity of the folder it came from
                (staging / manifests.MANIFEST).write_text(
                    f"# Written by `mlpath pack add`: the id derived from {source.name!r}\n"
                    f"id: {manifest.id}\ntitle: {_yaml_text(manifest.title)}\nversion: \"unversioned\"\n",
                    encoding="utf-8")
        if dest.exists() or dest.is_symlink():
            _remove_folder(dest)
        staging.rename(dest)
    except OSError as e:
        raise UserError(f"cannot install the pack into {dest} ({e.strerror or e})") from None
    conn = db.connect(paths.database_file())
    try:
        sync_folder(conn, dest, clock.utcnow())
    finally:
        conn.close()
    return AddedPack(manifest.id, manifest.title, manifest.version if manifest.declared else None, str(dest), link,
                     len(result.roadmap.topics), len(result.questions), not manifest.declared)


def _yaml_text(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def _remove_folder(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def _unknown(pack: str, names: list[str]) -> NotFound:
    from mlpath.core.search import close_names

    return NotFound("pack", pack[:80], close_names(pack[:80], names) or names[:5])


@dataclass(frozen=True)
class UsedPack:
    id: str
    title: str
    folder: str
    topics: int
    previous: str
    override: str | None  # MLPATH_CONTENT is set: it still chooses the roadmap of each command while set


def use_pack(pack: str) -> UsedPack:
    home = paths.home()
    folder = manifests.installed_folder(home, pack, _shipped())
    conn = db.connect(paths.database_file())
    try:
        if folder is None:
            raise _unknown(pack, manifests.installed_ids(home))
        found, roadmap = sync_folder(conn, folder, clock.utcnow())  # a broken pack is refused now, not later
        if found != pack:
            raise UserError(f"the folder of pack {pack!r} ({folder}) says it is pack {found!r}; add it again")
        previous = queries.preference(conn, ACTIVE_PACK) or manifests.SHIPPED_ID
        queries.set_preference(conn, ACTIVE_PACK, pack)
        title = next((d.title for d in queries.pack_data(conn).values() if d.pack == pack and d.title), pack)
    finally:
        conn.close()
    import os

    return UsedPack(pack, title, str(folder), len(roadmap.topics), previous, os.environ.get("MLPATH_CONTENT") or None)


@dataclass(frozen=True)
class RemovedPack:
    id: str
    folder: str | None
    progress_kept: bool
    removed: dict[str, int]  # rows deleted per table (empty when progress is kept)
    was_active: bool


def remove_pack(pack: str, keep_progress: bool = False, force: bool = False) -> RemovedPack:
    """Remove an added pack's folder; its stored progress too unless ``keep_progress``. Progress is deleted only
    with ``force``: otherwise ConfirmationNeeded says what would be lost."""
    if pack == manifests.SHIPPED_ID:
        raise UserError(f"{pack!r} is the roadmap shipped with mlpath; it cannot be removed")
    home = paths.home()
    folder = manifests.added_folder(home, pack)
    installed = folder is not None and (folder.is_dir() or folder.is_symlink())
    conn = db.connect(paths.database_file())
    try:
        data = queries.pack_data(conn).get(pack)
        if not installed and data is None:
            raise _unknown(pack, sorted(set(manifests.installed_ids(home)) | set(queries.pack_data(conn))))
        if data is not None and data.progress and not keep_progress and not force:
            raise ProgressWouldBeLost(pack, data)
        if installed:
            assert folder is not None
            try:
                _remove_folder(folder)
            except OSError as e:
                raise UserError(f"cannot remove {folder} ({e.strerror or e})") from None
        removed = {} if keep_progress or data is None else queries.delete_pack(conn, pack)
        was_active = queries.preference(conn, ACTIVE_PACK) == pack
        if was_active:
            queries.set_preference(conn, ACTIVE_PACK, None)
    finally:
        conn.close()
    return RemovedPack(pack, str(folder) if installed and folder is not None else None, keep_progress, removed,
                       was_active)


class ProgressWouldBeLost(ConfirmationNeeded):
    """Removing a pack would delete the learner's progress in it; ``data`` says how much."""

    def __init__(self, pack: str, data: queries.PackData):
        self.pack = pack
        self.data = data
        lost = ", ".join(f"{n} {what}" for n, what in (
            (data.statuses, "topic statuses"), (data.status_events, "status changes"), (data.cards, "cards"),
            (data.reviews, "reviews")) if n)
        super().__init__(f"pack {pack!r} holds your progress ({lost}); removing it would delete that",
                         action="delete the progress with the pack")
