"""`mlpath map`: gather the roadmap and the learner's state into MapData, and write the page safely."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from mlpath import paths
from mlpath.core import graph
from mlpath.errors import UserError
from mlpath.app.session import Session, resolve_topic
from mlpath.store import queries
from mlpath.web import MapArea, MapData, MapProgress, MapResource, MapTopic, Status

DEFAULT_NAME = "map.html"


def default_output() -> Path:
    return paths.home() / DEFAULT_NAME


def _due_by_topic(session: Session) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _card, data in queries.due_cards(session.conn, session.pack, session.now):
        topic = json.loads(data).get("topic")
        if topic is not None:
            counts[topic] = counts.get(topic, 0) + 1
    return counts


def map_data(session: Session, focus: str | None = None) -> MapData:
    """The whole roadmap, or for ``focus`` (a topic name) that topic and every topic that leads to it."""
    roadmap = session.roadmap
    focus_id = resolve_topic(session, focus).id if focus is not None else None
    statuses = queries.statuses(session.conn, session.pack)
    due = _due_by_topic(session)
    from mlpath.app.mastery import masteries

    found = masteries(session)
    if focus_id is None:
        topics = roadmap.topics
    else:
        wanted = set(graph.ancestors(roadmap, focus_id)) | {focus_id}
        topics = [t for t in roadmap.topics if t.id in wanted]
    used_areas = {t.area for t in topics}
    items = tuple(
        MapTopic(
            id=t.id, title=t.title, area=t.area, summary=t.summary, hours=t.hours,
            status=Status.of(statuses.get(t.id, "not_started"), graph.is_unlocked(t, statuses)),
            prerequisites=t.prerequisites,
            resources=tuple(MapResource(r.title, r.url, r.kind) for r in t.resources),
            questions=t.questions, due=due.get(t.id, 0),
            quiz_command=f"mlpath quiz {t.id}",
            mastery=found[t.id].value if t.questions else None,
            mastery_state=found[t.id].state if t.questions else None,
        )
        for t in topics
    )
    finished = [t for t in items if t.status in (Status.DONE, Status.SKIPPED)]
    progress = MapProgress(
        done=len(finished), total=len(items),
        hours_done=sum(t.hours for t in finished), hours_total=sum(t.hours for t in items),
        due=sum(t.due for t in items),
    )
    areas = tuple(MapArea(a.id, a.title) for a in roadmap.areas if a.id in used_areas)
    return MapData(areas=areas, topics=items, progress=progress, generated_at=session.now, focus=focus_id)


def _database_files() -> list[Path]:
    db = paths.database_file()
    return [db] + [db.with_name(db.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _same(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def check_target(target: Path, force: bool) -> Path:
    """Where the page may go: never onto the database or its side files, never over a file without ``force``
    (except the default map file, which is ours to replace). Returns the absolute path."""
    from mlpath.files import target_for

    target = Path(os.path.abspath(target.expanduser()))
    if any(_same(target, f) for f in _database_files()):
        raise UserError(f"refusing to write the map onto the database file {target}; choose another --output")
    if target.is_dir():
        raise UserError(f"{target} is a folder; give --output a file name such as {target / DEFAULT_NAME}")
    if not target.parent.is_dir():
        raise UserError(f"the folder {target.parent} does not exist")
    if target.exists() and not force and not _same(target, default_output()):
        raise UserError(f"{target} already exists; add --force to replace it")
    target_for(target, force=True)  # refuses devices, pipes and sockets
    return target


def write_map(html: str, target: Path, force: bool = False) -> Path:
    """Write ``html`` to ``target`` all at once (a temporary file in the same folder, then a rename).

    Without ``force`` an existing file is never replaced, even one that appears while writing.
    """
    is_default = _same(Path(os.path.abspath(target.expanduser())), default_output())
    if is_default:
        target.expanduser().parent.mkdir(parents=True, exist_ok=True)
    target = check_target(target, force)
    replace = force or is_default
    fd, tmp = tempfile.mkstemp(prefix=".map-", suffix=".html.tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(html)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a page is as readable as any file the user makes
        if replace:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)  # fails if the name is taken: no overwrite, even in a race
            except FileExistsError:
                raise UserError(f"{target} already exists; add --force to replace it") from None
            except OSError:  # a file system without hard links
                if target.exists():
                    raise UserError(f"{target} already exists; add --force to replace it") from None
                os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
