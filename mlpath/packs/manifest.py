"""Pack identity on disk: reading ``pack.yaml``, the id of a folder without one, and where installed packs live.

Nothing here imports YAML at module level: a command that finds its roadmap in the content cache never parses it.
"""

from __future__ import annotations

import os
from pathlib import Path

from mlpath.core.manifest import ID_RE, MAX_ID, Manifest, check, derived_id
from mlpath.errors import ContentError

MANIFEST = "pack.yaml"
MAX_MANIFEST_BYTES = 64 * 1024
# The id in content/pack.yaml (a test checks they agree): known without parsing YAML, and the pack that data from
# before packs existed was moved into (migrations/versions/0002_packs.py).
SHIPPED_ID = "mlpath-roadmap"


def read(root: Path) -> tuple[Manifest | None, list[str]]:
    """The manifest of a content folder: (manifest, []) or (None, problems). A folder without ``pack.yaml`` gets a
    derived identity (``declared`` False)."""
    path = root / MANIFEST
    if not path.exists():
        resolved = root.resolve()
        return Manifest(derived_id(resolved.name, str(resolved)), resolved.name or str(resolved), "unversioned",
                        declared=False), []
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            return None, [f"{MANIFEST}: file is too large (the limit is {MAX_MANIFEST_BYTES // 1024} KiB)"]
        raw = path.read_bytes()
    except OSError as e:
        return None, [f"{MANIFEST}: cannot read file ({e.strerror})"]
    import yaml

    try:
        data = yaml.load(raw.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except UnicodeDecodeError:
        return None, [f"{MANIFEST}: not UTF-8 text"]
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        where = f"{MANIFEST}:{mark.line + 1}" if mark else MANIFEST
        return None, [f"{where}: YAML error: {(e.problem or str(e)).strip()}"]
    except yaml.YAMLError as e:
        return None, [f"{MANIFEST}: YAML error: {str(e).splitlines()[0] if str(e) else type(e).__name__}"]
    return check(data, MANIFEST)


def read_or_raise(root: Path) -> Manifest:
    manifest, problems = read(root)
    if manifest is None:
        raise ContentError(problems, source=str(root))
    return manifest


def fingerprint(root: Path) -> str:
    """The loader's fingerprint of the folder plus the manifest's size and time: when it changes, the pack is read
    again (its id may have changed)."""
    from mlpath.packs.loader import fingerprint as content_fingerprint

    base = content_fingerprint(root)
    try:
        st = os.stat(root / MANIFEST)
        return f"{base}|{MANIFEST}:{st.st_size}:{st.st_mtime_ns}"
    except FileNotFoundError:
        return f"{base}|{MANIFEST}:none"


def packs_dir(home: Path) -> Path:
    """Where `mlpath pack add` puts packs: ``MLPATH_HOME/packs/<id>/``."""
    return home / "packs"


def is_pack_id(text: str) -> bool:
    """Whether ``text`` can be a pack id (and so, safely, a folder name under ``packs/``)."""
    return 0 < len(text) <= MAX_ID and ID_RE.match(text) is not None


def added_folder(home: Path, pack_id: str) -> Path | None:
    """Where `pack add` keeps this pack (whether or not it is there); None for text that is not a pack id, so a
    name typed by a learner (``..``, ``a/b``) never becomes a path outside ``packs/``."""
    return packs_dir(home) / pack_id if is_pack_id(pack_id) else None


def installed_folder(home: Path, pack_id: str, shipped: Path) -> Path | None:
    """The folder of an installed pack (the shipped one, or one added to the data folder), else None."""
    folder = added_folder(home, pack_id)
    if folder is None:
        return None
    if folder.is_dir():
        return folder
    if pack_id == SHIPPED_ID:
        return shipped
    return None


def installed_ids(home: Path) -> list[str]:
    """The shipped pack and every pack added to the data folder, by id."""
    folder = packs_dir(home)
    added = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    return [SHIPPED_ID] + [i for i in added if i != SHIPPED_ID]
