"""Reading a content folder: files -> YAML (safe loading, with line numbers) -> validated roadmap and questions.

Parsing YAML is the slow part of start-up, so callers normally go through the store's content cache, which calls
``load`` only when ``fingerprint`` says the files changed.
"""

from __future__ import annotations

import os
from pathlib import Path

from typing import TYPE_CHECKING

from mlpath import __version__
from mlpath.errors import ContentError

if TYPE_CHECKING:
    from mlpath.core.validation import Result

MAX_FILE_BYTES = 4 * 1024 * 1024
CACHE_FORMAT = "2"  # 2: electives, maths areas, tracks and milestones


def content_files(root: Path) -> list[tuple[Path, str]]:
    """The files that make up a content folder, in a fixed order, with what each holds."""
    if not root.is_dir():
        raise ContentError([f"{root}: content folder does not exist"], source=str(root))
    files = [(root / "areas.yaml", "areas")] if (root / "areas.yaml").exists() else []
    if (root / "tracks.yaml").is_file():  # optional: named goals and build-first milestones
        files.append((root / "tracks.yaml", "tracks"))
    for sub, kind in (("topics", "topics"), ("questions", "questions")):
        folder = root / sub
        if folder.is_dir():
            files += [(p, kind) for p in sorted(folder.iterdir()) if p.suffix in (".yaml", ".yml") and p.is_file()]
    return files


def fingerprint(root: Path) -> str:
    """A cheap description of the folder's files (names, sizes, modification times) and of this mlpath version;
    when it changes, the content is parsed again."""
    parts = [CACHE_FORMAT, __version__, str(root.resolve())]
    for path, kind in content_files(root):
        st = os.stat(path)
        parts.append(f"{kind}/{path.name}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts)


class _LineDict(dict):
    line: int | None = None


def _loader():
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: same safe rules, much faster

    class Loader(base):  # type: ignore[misc, valid-type]
        pass

    def construct_map(loader, node):
        data = _LineDict()
        data.line = node.start_mark.line + 1
        yield data
        data.update(loader.construct_mapping(node))

    Loader.add_constructor("tag:yaml.org,2002:map", construct_map)
    return Loader


def _parse(path: Path, rel: str, loader) -> tuple[object, str | None]:
    import yaml

    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, f"{rel}: file is too large ({size // 1024} KiB; the limit is {MAX_FILE_BYTES // 1024} KiB)"
        raw = path.read_bytes()
    except OSError as e:
        return None, f"{rel}: cannot read file ({e.strerror})"
    if b"\x00" in raw:
        return None, f"{rel}: not a text file (it contains NUL bytes)"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, f"{rel}: not UTF-8 text"
    try:
        return yaml.load(text, Loader=loader), None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        where = f"{rel}:{mark.line + 1}" if mark else rel
        what = (e.problem or str(e)).strip()
        if isinstance(e, yaml.constructor.ConstructorError):
            what = "unsafe or unknown YAML tag refused: " + what
        return None, f"{where}: YAML error: {what}"
    except yaml.YAMLError as e:
        return None, f"{rel}: YAML error: {e}"
    except RecursionError:
        return None, f"{rel}: YAML nested too deeply"


def load(root: Path) -> "Result":
    """Read and validate a content folder. Problems are returned, not raised, so all can be shown."""
    from mlpath.core.validation import Document, validate

    loader = _loader()
    documents: list[Document] = []
    problems: list[str] = []
    for path, kind in content_files(root):
        rel = str(path.relative_to(root))
        data, problem = _parse(path, rel, loader)
        if problem:
            problems.append(problem)
        else:
            documents.append(Document(rel, data, kind))
    result = validate(documents)
    result.problems = problems + result.problems
    if problems:
        result.roadmap = None
    return result


def load_or_raise(root: Path) -> "Result":
    result = load(root)
    if result.problems:
        raise ContentError(result.problems, source=str(root))
    return result
