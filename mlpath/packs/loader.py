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
MAX_NODES = 500_000  # values in one file once aliases are expanded: a few hundred KB of aliases cannot become GBs
CACHE_FORMAT = "3"  # 2: electives, maths areas, tracks and milestones; 3: `free` may be unknown, optional summary
YAML_SUFFIXES = (".yaml", ".yml")


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in YAML_SUFFIXES and not path.name.startswith(".")


def content_files(root: Path) -> list[tuple[Path, str]]:
    """The files that make up a content folder, in a fixed order, with what each holds. Symbolic links that lead
    nowhere are listed too (reading them reports the problem); anything else skipped is in ``folder_problems``."""
    if not root.is_dir():
        raise ContentError([f"{root}: content folder does not exist"], source=str(root))
    files = [(root / "areas.yaml", "areas")] if (root / "areas.yaml").exists() else []
    if (root / "tracks.yaml").is_file():  # optional: named goals and build-first milestones
        files.append((root / "tracks.yaml", "tracks"))
    for sub, kind in (("topics", "topics"), ("questions", "questions")):
        folder = root / sub
        if folder.is_dir():
            try:
                entries = sorted(folder.iterdir())
            except OSError:
                continue  # reported by folder_problems
            files += [(p, kind) for p in entries if _is_yaml(p) and (p.is_file() or p.is_symlink())]
    return files


def folder_problems(root: Path) -> list[str]:
    """What the loader would otherwise skip in silence: ``topics``/``questions`` that are not folders, folders
    inside them, and files that are not YAML."""
    problems = []
    for sub in ("topics", "questions"):
        folder = root / sub
        if not folder.exists() and not folder.is_symlink():
            continue
        if not folder.is_dir():
            problems.append(f"{sub}: not a folder (it must be a folder of .yaml files)")
            continue
        try:
            entries = sorted(folder.iterdir())
        except OSError as e:
            problems.append(f"{sub}: cannot read the folder ({e.strerror})")
            continue
        for p in entries:
            rel = f"{sub}/{p.name}"
            if p.name.startswith(".") or p.name.lower().startswith("readme"):
                continue
            if p.is_dir():
                problems.append(f"{rel}: a folder inside {sub}/ is not read; move its files up into {sub}/")
            elif not _is_yaml(p):
                problems.append(f"{rel}: not a .yaml file, so it is not read (rename it to .yaml or move it out)")
    for name in ("areas", "tracks"):
        if not (root / f"{name}.yaml").exists() and any((root / f"{name}{s}").exists() for s in (".yml", ".YAML")):
            problems.append(f"{name}.yml: the {name} file must be named {name}.yaml")
    return problems


def fingerprint(root: Path) -> str:
    """A cheap description of the folder's files (names, sizes, modification times) and of this mlpath version;
    when it changes, the content is parsed again."""
    parts = [CACHE_FORMAT, __version__, str(root.resolve())]
    for path, kind in content_files(root):
        try:
            st = os.stat(path)
        except OSError:  # a dangling or looping link: parse again, and report it
            parts.append(f"{kind}/{path.name}:broken")
            continue
        parts.append(f"{kind}/{path.name}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts)


class _LineDict(dict):
    line: int | None = None


class _LineList(list):
    line: int | None = None
    item_lines: list[int] = []


class _Refused(Exception):
    """A problem with the YAML text itself, with the line it is on."""

    def __init__(self, line: int | None, problem: str):
        self.line = line
        self.problem = problem


def _loader():
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: same safe rules, much faster

    class Loader(base):  # type: ignore[misc, valid-type]
        pass

    def construct_map(loader, node):
        data = _LineDict()
        data.line = node.start_mark.line + 1
        yield data
        first: dict = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = loader.construct_object(key_node)
            if key in first:
                raise _Refused(key_node.start_mark.line + 1,
                               f"duplicate key {excerpt(key)} (first on line {first[key]}); keep one of them")
            first[key] = key_node.start_mark.line + 1
        data.update(loader.construct_mapping(node))

    def construct_seq(loader, node):
        data = _LineList()
        data.line = node.start_mark.line + 1
        data.item_lines = [n.start_mark.line + 1 for n in node.value]
        yield data
        data.extend(loader.construct_sequence(node))

    Loader.add_constructor("tag:yaml.org,2002:map", construct_map)
    Loader.add_constructor("tag:yaml.org,2002:seq", construct_seq)
    return Loader


def excerpt(value: object, limit: int = 60) -> str:
    """A value as it may appear in a message: its repr, cut to ``limit`` characters (never printed whole)."""
    if isinstance(value, (dict, list, tuple, set)):
        text = f"<{type(value).__name__} of {len(value)}>"
    else:
        text = repr(value) if not isinstance(value, str) or len(value) <= limit * 4 else repr(value[: limit * 4])
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _expanded_size(root_node, limit: int) -> int:
    """How many values the node graph stands for once aliases are expanded (stops counting past ``limit``).

    Iterative, each node's size memoised (an alias is the same node object), so a deep or wide bomb costs only
    the size of the file to measure. A node that contains itself counts as over the limit."""
    import yaml

    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack = [(root_node, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if isinstance(node, yaml.ScalarNode):
            size[key] = 1
            continue
        kids = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else node.value
        if not children_done:
            if key in size:
                continue
            if key in open_nodes:
                return limit + 1  # recursive structure
            open_nodes.add(key)
            stack.append((node, True))
            for k in kids:
                if id(k) in open_nodes:
                    return limit + 1
                if id(k) not in size:
                    stack.append((k, False))
            continue
        open_nodes.discard(key)
        total = 1 + sum(size.get(id(k), 1) for k in kids)
        if total > limit:
            return total
        size[key] = total
    return size.get(id(root_node), 0)


def _decode(raw: bytes, rel: str) -> tuple[str | None, str | None]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 1 and (raw[0] == 0) != (raw[1] == 0)):
        return None, f"{rel}: the file is UTF-16 text; save it as UTF-8"
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        return None, f"{rel}:{line}: not a text file (it contains NUL bytes)"
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a byte-order mark at the start is harmless
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        return None, (f"{rel}:{line}: not UTF-8 text (byte 0x{raw[e.start]:02x} at column {column}, offset "
                      f"{e.start}); save the file as UTF-8")
    if "\ufeff" in text:
        line = text.count("\n", 0, text.index("\ufeff")) + 1
        return None, f"{rel}:{line}: a byte-order mark (U+FEFF) in the middle of the file; delete it"
    return text, None


def _parse(path: Path, rel: str, loader) -> tuple[object, str | None]:
    import yaml

    try:
        if path.is_symlink() and not path.exists():
            try:
                os.stat(path)
            except OSError as e:
                if e.errno == 40:  # ELOOP
                    return None, f"{rel}: a symbolic link that loops back on itself; remove it"
            return None, f"{rel}: a symbolic link to a missing file ({os.readlink(path)}); remove it or fix the link"
        if not path.is_file():
            return None, f"{rel}: not a regular file"
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, f"{rel}: file is too large ({size // 1024} KiB; the limit is {MAX_FILE_BYTES // 1024} KiB)"
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            return None, f"{rel}: file is too large (the limit is {MAX_FILE_BYTES // 1024} KiB)"
    except OSError as e:
        return None, f"{rel}: cannot read file ({e.strerror or e})"
    text, problem = _decode(raw, rel)
    if problem:
        return None, problem
    try:
        parser = loader(text)
        try:
            node = parser.get_single_node()
            if node is None:
                return None, None
            size = _expanded_size(node, MAX_NODES)
            if size > MAX_NODES:
                return None, (f"{rel}: YAML aliases expand to more than {MAX_NODES:,} values; "
                              "write the values out instead of repeating anchors")
            return parser.construct_document(node), None
        finally:
            parser.dispose()
    except _Refused as e:
        return None, f"{rel}:{e.line}: YAML error: {e.problem}"
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        where = f"{rel}:{mark.line + 1}" if mark else rel
        what = " ".join((e.problem or str(e)).split())
        if isinstance(e, yaml.constructor.ConstructorError):
            what = "unsafe or unknown YAML tag refused: " + what
        elif "cannot start any token" in what and mark is not None and "\t" in text.splitlines()[mark.line][:mark.column + 1]:
            what += " (a tab: YAML is indented with spaces only)"
        elif "another document" in what:
            what += " (one file holds one YAML document: remove the '---' or '...' line, or split the file)"
        if e.context and e.context_mark is not None and (mark is None or e.context_mark.line != mark.line):
            what += f" ({' '.join(e.context.split())} that began on line {e.context_mark.line + 1})"
        elif e.context:
            what += f" ({' '.join(e.context.split())})"
        return None, f"{where}: YAML error: {what[:300]}"
    except yaml.YAMLError as e:
        return None, f"{rel}: YAML error: {' '.join(str(e).split())[:300]}"
    except RecursionError:
        return None, f"{rel}: YAML nested too deeply"


def load(root: Path) -> "Result":
    """Read and validate a content folder. Problems are returned, not raised, so all can be shown."""
    from mlpath.core.validation import Document, validate

    loader = _loader()
    documents: list[Document] = []
    problems: list[str] = folder_problems(root)
    unreadable: set[str] = set()
    for path, kind in content_files(root):
        rel = path.relative_to(root).as_posix()
        data, problem = _parse(path, rel, loader)
        if problem:
            problems.append(problem)
            unreadable.add(kind)
        else:
            documents.append(Document(rel, data, kind))
    result = validate(documents, unreadable=unreadable)
    result.problems = problems + result.problems
    if problems:
        result.roadmap = None
    return result


def load_or_raise(root: Path) -> "Result":
    result = load(root)
    if result.problems:
        raise ContentError(result.problems, source=str(root))
    return result
