"""Writing files the learner names: atomically (a temporary file in the same folder, renamed over the target).

Every user-named output goes through ``target_for``: an existing file is replaced only with ``force``; the database
and its -wal/-shm/-journal/.lock files are never written, even with ``force``; a symbolic link is written through
to the regular file it names; FIFOs, devices, sockets and folders are refused.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mlpath.errors import ConfirmationNeeded, UserError

_PROTECTED: set[str] = set()
PROTECTED_SUFFIXES = ("", "-wal", "-shm", "-journal", ".lock")


def protect(database: Path) -> None:
    """Never let a user-named output replace ``database`` or its companion files (the store calls this when it
    opens the database)."""
    for suffix in PROTECTED_SUFFIXES:
        _PROTECTED.add(os.path.realpath(str(database) + suffix))


def target_for(path: Path, force: bool = False) -> Path:
    """The file to write for the user-named ``path``, or a UserError / ConfirmationNeeded saying why not."""
    path = Path(path).expanduser()
    try:
        real = Path(os.path.realpath(path))
        if os.path.realpath(path) in _PROTECTED:
            raise UserError(f"{path} is mlpath's own database file; choose another file name")
        try:
            st = os.stat(real)
        except FileNotFoundError:
            st = None
        except OSError as e:
            raise UserError(f"cannot write {path} ({e.strerror or e})") from None
        if st is not None:
            if stat.S_ISDIR(st.st_mode):
                raise UserError(f"{path} is a folder; give a file name")
            if not stat.S_ISREG(st.st_mode):
                raise UserError(f"{path} is not a regular file (a device, pipe or socket); choose another file name")
            if not force:
                raise ConfirmationNeeded(f"{path} already exists", action="overwrite it")
        elif path.is_symlink() and not force:
            raise ConfirmationNeeded(f"{path} is a link to {os.readlink(path)}, which does not exist yet",
                                     action="create it")
        folder = real.parent
        if not folder.is_dir():
            raise UserError(f"cannot write {path}: the folder {folder} does not exist")
    except OSError as e:
        raise UserError(f"cannot write {path} ({e.strerror or e})") from None
    return real


def write_file(path: Path, content: str | bytes | None = None, *, force: bool = False, writer=None) -> None:
    """Write ``content`` (or let ``writer(tmp_path)`` write) to ``path`` atomically: a temporary file in the same
    folder, renamed over the target (through a symbolic link, to the file it names). Without ``force`` an
    existing file is refused."""
    shown = Path(path)
    path = target_for(shown, force)
    folder = path.parent
    try:
        import tempfile  # only when a file is written (it costs milliseconds at start-up)

        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise UserError(f"cannot write {shown} ({e.strerror})") from None
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
        raise UserError(f"cannot write {shown} ({e.strerror or e})") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@contextmanager
def exclusive_lock(lock_path: Path) -> Iterator[None]:
    """An inter-process lock on ``lock_path`` (created if missing): a second holder waits. Raises OSError when the
    lock file cannot be opened; where there is no ``fcntl`` (Windows) it does not lock."""
    with open(lock_path, "a+") as fh:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: SQLite's own locking still applies
            yield
            return
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
