"""A pack's manifest (``pack.yaml``): its identity, validated as plain data. Pure: reading the file is packs/'s job."""

import re
from typing import NamedTuple

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_ID = 64
MAX_TEXT = 200
MAX_DESCRIPTION = 2000
FIELDS = ("id", "title", "version", "description", "license", "homepage")
REQUIRED = ("id", "title", "version")


class Manifest(NamedTuple):
    """A pack's identity. ``declared`` is False for a folder without ``pack.yaml`` (its id is derived)."""

    id: str
    title: str
    version: str
    description: str | None = None
    license: str | None = None
    homepage: str | None = None
    declared: bool = True


def check(data: object, where: str = "pack.yaml") -> tuple[Manifest | None, list[str]]:
    """Validate the loaded YAML of a manifest: (manifest, []) or (None, every problem)."""
    if not isinstance(data, dict):
        return None, [f"{where}: expected a mapping with {', '.join(REQUIRED)}"]
    problems = []
    for key in data:
        if key not in FIELDS:
            problems.append(f"{where}: unknown field {str(key)[:40]!r} (fields: {', '.join(FIELDS)})")
    for key in REQUIRED:
        if key not in data:
            problems.append(f"{where}: missing required field {key!r}")
    values: dict[str, str] = {}
    for key in FIELDS:
        if key not in data:
            continue
        value = data[key]
        limit = MAX_DESCRIPTION if key == "description" else MAX_TEXT
        if not isinstance(value, str) or not value.strip():
            hint = " (quote it: version: \"1.0\")" if key == "version" and isinstance(value, (int, float)) else ""
            problems.append(f"{where}: {key} must be a non-empty string{hint}")
        elif len(value) > limit:
            problems.append(f"{where}: {key} is too long ({len(value)} characters; the limit is {limit})")
        else:
            values[key] = value.strip()
    ident = values.get("id")
    if ident is not None and (len(ident) > MAX_ID or not ID_RE.match(ident)):
        problems.append(f"{where}: id {ident[:MAX_ID + 1]!r} must be lower-case kebab-case "
                        f"(a-z, 0-9 and single hyphens), at most {MAX_ID} characters")
    homepage = values.get("homepage")
    if homepage is not None and not re.match(r"^https?://[^\s/]+\S*$", homepage):
        problems.append(f"{where}: homepage must be an http or https URL")
    if problems:
        return None, problems
    return Manifest(values["id"], values["title"], values["version"], values.get("description"),
                    values.get("license"), values.get("homepage")), []


def slug(text: str) -> str:
    """``My Course (2025)`` -> ``my-course-2025``; empty when nothing is left."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def derived_id(folder_name: str, resolved_path: str) -> str:
    """The id of a folder without a manifest: the slug of its name and a short hash of its resolved path, so it is
    stable for that folder and two folders with one name never share progress."""
    import hashlib  # only for a folder without a manifest (hashlib costs milliseconds at start-up)

    digest = hashlib.sha256(resolved_path.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    name = slug(folder_name)[:MAX_ID - 9].strip("-") or "pack"
    return f"{name}-{digest}"
