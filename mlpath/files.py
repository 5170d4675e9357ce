"""Writing files the learner names: atomically (a temporary file in the same folder, renamed over the target)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from mlpath.errors import ConfirmationNeeded, UserError


def write_file(path: Path, content: str | bytes | None = None, *, force: bool = True, writer=None) -> None:
    """Write ``content`` (or let ``writer(tmp_path)`` write) to ``path`` atomically: a temporary file in the same
    folder, renamed over the target. Without ``force`` an existing file is refused."""
    path = Path(path)
    try:
        if path.is_dir():
            raise UserError(f"{path} is a folder; give a file name")
        if not force and path.exists():
            raise ConfirmationNeeded(f"{path} already exists", action="overwrite it")
        folder = path.parent
        if not folder.is_dir():
            raise UserError(f"cannot write {path}: the folder {folder} does not exist")
    except OSError as e:
        raise UserError(f"cannot write {path} ({e.strerror or e})") from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise UserError(f"cannot write {path} ({e.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            if content is not None:
                fh.write(content.encode("utf-8") if isinstance(content, str) else content)
        mask = os.umask(0)  # mkstemp makes the file private; give it the permissions a plain open() would
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        if writer is not None:
            writer(tmp)
        os.replace(tmp, path)
    except OSError as e:
        raise UserError(f"cannot write {path} ({e.strerror or e})") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
