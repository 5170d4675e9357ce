"""Where things live: the user's data folder, the content folder, the migrations folder."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def home() -> Path:
    """The data folder: ``MLPATH_HOME`` if set, otherwise the platform's user data folder."""
    env = os.environ.get("MLPATH_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("mlpath", appauthor=False))


def database_file() -> Path:
    return home() / "mlpath.db"


def config_file() -> Path:
    return home() / "config.toml"


def _bundled(name: str) -> Path:
    # In a wheel, content/ and migrations/ are inside the package; in a source checkout or an
    # editable install they sit at the top level of the repository, next to the package.
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name


def content_dir() -> Path:
    """The roadmap: ``MLPATH_CONTENT`` if set, otherwise the content shipped with mlpath."""
    env = os.environ.get("MLPATH_CONTENT")
    if env:
        return Path(env).expanduser()
    return _bundled("content")


def migrations_dir() -> Path:
    return _bundled("migrations")
