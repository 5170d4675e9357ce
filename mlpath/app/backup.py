"""Backups: `mlpath export FILE` writes the learner's history as versioned JSON; `mlpath import FILE` merges one in.

The file is ``{"format": "mlpath-backup", "version": 2, "exported_at": ..., "packs": [...], "statuses": [...],
"status_events": [...], "cards": [...], "reviews": [...]}``. Records name their pack and their topics and questions
by content ids (and carry the topic's area), never by internal row ids; times are ISO 8601 with a UTC offset.
``packs`` lists the packs the export covered (the active one, one chosen, or all).

Packs: every record below also has ``pack`` (version 2). Export covers the pack in use unless told otherwise;
import takes the records of the pack in use (or the one named, or with all packs every record, each into its own
pack) and says how many it left out. A version-1 backup (from before packs) has no pack labels: its records go
into the pack in use, or the one named, since that is the roadmap they were made with.

- statuses:      topic, area, status (in_progress | done | skipped), started_at, finished_at, updated_at
- status_events: topic, area, status (also not_started, a reset), at
- cards:         question, topic, area, kind, state, step, stability, difficulty, due, last_review, created_at,
                 reps, lapses
- reviews:       question, topic, area, reviewed_at, rating (1-4), correct, answer, response_ms, seed, flag
                 (optional: dont_know, typo or overridden)

Import validates the whole file first, then merges it in one transaction (see store.history.merge).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from mlpath.core.model import STATUSES
from mlpath.errors import InvalidValue, UserError
from mlpath.files import write_file
from mlpath.store import history, queries

FORMAT = "mlpath-backup"
VERSION = 2
READS = (1, 2)  # versions import understands (1: before packs, no pack labels)
SECTIONS = ("statuses", "status_events", "cards", "reviews")
REVIEW_FLAGS = ("dont_know", "typo", "overridden")


# --- export -----------------------------------------------------------------------------------------------------

def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def backup_document(s, all_packs: bool = False) -> dict[str, Any]:
    data = history.dump(s.conn, None if all_packs else s.pack)
    packs = sorted({rec["pack"] for key in SECTIONS for rec in data[key]} | (set() if all_packs else {s.pack}))
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION, "exported_at": s.now.isoformat(), "packs": packs}
    for key in SECTIONS:
        doc[key] = [{k: _jsonable(v) for k, v in rec.items()} for rec in data[key]]
    return doc


def export_backup(s, path: Path, force: bool = False, all_packs: bool = False) -> dict[str, Any]:
    """Write the backup to ``path``; returns what was written (counts per section, and the packs covered)."""
    doc = backup_document(s, all_packs)
    write_file(path, json.dumps(doc, indent=1, ensure_ascii=False) + "\n", force=force)
    return {"file": str(path), "format": FORMAT, "version": VERSION, "exported_at": doc["exported_at"],
            **{key: len(doc[key]) for key in SECTIONS}, "packs": doc["packs"], "all_packs": all_packs}


def export(s, path: Path, *, anki: bool = False, target: str | None = None, force: bool = False,
           all_packs: bool = False, studied: bool = False, area: str | None = None) -> dict[str, Any]:
    """`mlpath export`: a JSON backup, or with ``anki`` an Anki deck (of one topic or area if ``target``; only the
    questions answered at least once if ``studied``; only one area's if ``area``)."""
    path = Path(path)
    if anki:
        if path.suffix.lower() != ".apkg":
            raise UserError(f"an Anki deck file must end in .apkg (got {path.name})")
        from mlpath.app.anki import export_deck

        return {"kind": "anki", **export_deck(s, path, target, force=force, studied=studied, area=area)}
    if studied or area is not None:
        raise InvalidValue("studied" if studied else "area",
                           "chooses questions for an Anki deck; a backup holds your whole history")
    if target is not None:
        raise UserError("a topic or area applies only to Anki decks (--anki); a backup holds your whole history")
    if path.suffix.lower() == ".apkg":
        raise UserError(f"{path.name} looks like an Anki deck: add --anki, or give a .json file for a backup")
    return {"kind": "backup", **export_backup(s, path, force=force, all_packs=all_packs)}


# --- import: validation ---------------------------------------------------------------------------------------------

class _Invalid(Exception):
    pass


def _req(rec: dict, key: str, where: str) -> Any:
    if key not in rec:
        raise _Invalid(f"{where}: missing {key!r}")
    return rec[key]


def _text(rec: dict, key: str, where: str, optional: bool = False) -> str | None:
    value = rec.get(key) if optional else _req(rec, key, where)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        raise _Invalid(f"{where}.{key}: expected a non-empty string, got {value!r}")
    return value


def _int(rec: dict, key: str, where: str, optional: bool = False, lo: int | None = None,
         hi: int | None = None) -> int | None:
    value = rec.get(key) if optional else _req(rec, key, where)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or (lo is not None and value < lo) or (
            hi is not None and value > hi):
        bounds = f" from {lo} to {hi}" if lo is not None and hi is not None else (f" >= {lo}" if lo is not None else "")
        raise _Invalid(f"{where}.{key}: expected a whole number{bounds}, got {value!r}")
    return value


def _float(rec: dict, key: str, where: str) -> float | None:
    value = rec.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Invalid(f"{where}.{key}: expected a number, got {value!r}")
    return float(value)


def _time(rec: dict, key: str, where: str, optional: bool = False) -> datetime | None:
    value = rec.get(key) if optional else _req(rec, key, where)
    if value is None and optional:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        dt = datetime.fromisoformat(value)
        if dt.tzinfo is None:
            raise ValueError
    except ValueError:
        raise _Invalid(f"{where}.{key}: expected an ISO 8601 time with a UTC offset, got {value!r}") from None
    return dt


def _status(rec: dict, where: str, allowed: tuple[str, ...]) -> str:
    value = _text(rec, "status", where)
    if value not in allowed:
        raise _Invalid(f"{where}.status: expected one of {', '.join(allowed)}, got {value!r}")
    return value


def _bool(rec: dict, key: str, where: str) -> bool | None:
    value = rec.get(key)
    if value is not None and not isinstance(value, bool):
        raise _Invalid(f"{where}.{key}: expected true, false or null, got {value!r}")
    return value


def _topic(rec: dict, where: str) -> dict[str, str]:
    return {"topic": _text(rec, "topic", where), "area": _text(rec, "area", where)}


def _parse_status(rec: dict, where: str) -> dict:
    return {**_topic(rec, where), "status": _status(rec, where, tuple(x for x in STATUSES if x != "not_started")),
            "started_at": _time(rec, "started_at", where, True), "finished_at": _time(rec, "finished_at", where, True),
            "updated_at": _time(rec, "updated_at", where)}


def _parse_event(rec: dict, where: str) -> dict:
    return {**_topic(rec, where), "status": _status(rec, where, STATUSES), "at": _time(rec, "at", where)}


def _parse_card(rec: dict, where: str) -> dict:
    return {"question": _text(rec, "question", where), **_topic(rec, where), "kind": _text(rec, "kind", where),
            "state": _int(rec, "state", where, lo=0, hi=3), "step": _int(rec, "step", where, True, lo=0),
            "stability": _float(rec, "stability", where), "difficulty": _float(rec, "difficulty", where),
            "due": _time(rec, "due", where), "last_review": _time(rec, "last_review", where, True),
            "created_at": _time(rec, "created_at", where), "reps": _int(rec, "reps", where, lo=0),
            "lapses": _int(rec, "lapses", where, lo=0)}


def _parse_review(rec: dict, where: str) -> dict:
    answer = rec.get("answer")
    if answer is not None and not isinstance(answer, str):
        raise _Invalid(f"{where}.answer: expected a string or null, got {answer!r}")
    flag = rec.get("flag")  # added with the quiz's "I don't know" / typo / "I was right"; older backups lack it
    if flag is not None and flag not in REVIEW_FLAGS:
        raise _Invalid(f"{where}.flag: expected one of {', '.join(REVIEW_FLAGS)} or null")
    return {"flag": flag, "question": _text(rec, "question", where), **_topic(rec, where),
            "reviewed_at": _time(rec, "reviewed_at", where), "rating": _int(rec, "rating", where, lo=1, hi=4),
            "correct": _bool(rec, "correct", where), "answer": answer,
            "response_ms": _int(rec, "response_ms", where, True, lo=0), "seed": _int(rec, "seed", where, True)}


_PARSERS = {"statuses": _parse_status, "status_events": _parse_event, "cards": _parse_card,
            "reviews": _parse_review}


def _pack_label(rec: dict, where: str) -> str:
    from mlpath.core.manifest import ID_RE, MAX_ID

    value = _text(rec, "pack", where)
    if len(value) > MAX_ID or not ID_RE.match(value):
        raise _Invalid(f"{where}.pack: expected a pack id (lower-case kebab-case), got {value[:MAX_ID + 1]!r}")
    return value


def parse_backup(doc: Any, pack: str) -> dict[str, list[dict]]:
    """Check a loaded backup document; raises _Invalid with the first problem's location. Every record comes back
    with its pack: its own label (version 2), or ``pack`` (a version-1 file, from before packs)."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else None
        raise _Invalid("not an mlpath backup file" + (f" (its format is {found!r})" if found else
                                                 " (no \"format\": \"mlpath-backup\" field)"))
    version = doc.get("version")
    if isinstance(version, bool) or version not in READS:
        hint = "; upgrade mlpath to read it" if isinstance(version, int) and version > VERSION else ""
        raise _Invalid(f"backup version {version!r} is not supported (this mlpath reads versions "
                       f"{', '.join(map(str, READS))}){hint}")
    out: dict[str, list[dict]] = {}
    try:
        for key in SECTIONS:
            items = doc.get(key)
            if not isinstance(items, list):
                raise _Invalid(f"{key}: expected a list")
            parsed = []
            for i, rec in enumerate(items):
                where = f"{key}[{i}]"
                if not isinstance(rec, dict):
                    raise _Invalid(f"{where}: expected an object")
                record = _PARSERS[key](rec, where)
                record["pack"] = _pack_label(rec, where) if version >= 2 else pack
                parsed.append(record)
            out[key] = parsed
    except _Invalid as e:
        raise _Invalid(f"not a valid mlpath backup: {e}") from None
    return out


def _renamed(s, data: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Follow ``replaces:`` of each record's own pack, so a backup made before a rename lands on the new ids (and
    a rename in one pack never moves another pack's records)."""
    from mlpath.store.content_cache import pack_roadmap

    renames = {}
    for pack in sorted({rec["pack"] for key in SECTIONS for rec in data[key]}):
        roadmap = s.roadmap_or_none() if pack == s.pack else None
        roadmap = roadmap or pack_roadmap(s.conn, pack)
        topics = {old: t for t in roadmap.topics for old in t.replaces} if roadmap is not None else {}
        renames[pack] = topics, history.question_renames(s.conn, pack)
    for key in SECTIONS:
        for rec in data[key]:
            topics, questions = renames[rec["pack"]]
            if rec["topic"] in topics:
                topic = topics[rec["topic"]]
                rec["topic"], rec["area"] = topic.id, topic.area
            if "question" in rec and rec["question"] in questions:
                rec["question"] = questions[rec["question"]]
    return data


def read_backup(path: Path, pack: str) -> dict[str, list[dict]]:
    """The records of a backup file, each labelled with its pack (``pack`` for a version-1 file)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path} is a folder, not a backup file") from None
    except OSError as e:
        raise UserError(f"cannot read {path} ({e.strerror})") from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UserError(f"{path}: not an mlpath backup file (not a text file)") from None
    except json.JSONDecodeError as e:
        raise UserError(f"{path}: not an mlpath backup file (not valid JSON: line {e.lineno}, column {e.colno}: "
                        f"{e.msg})") from None
    try:
        return parse_backup(doc, pack)
    except _Invalid as e:
        raise UserError(f"{path}: {e}") from None


def import_backup(s, path: Path, all_packs: bool = False) -> dict[str, Any]:
    """Merge a backup into the database: nothing is duplicated, and on any error nothing is changed. Takes the
    records of the session's pack, or with ``all_packs`` every record (each into its own pack)."""
    data = read_backup(path, s.pack)
    left_out = {}
    if not all_packs:
        for key in SECTIONS:
            left_out[key] = sum(1 for rec in data[key] if rec["pack"] != s.pack)
            data[key] = [rec for rec in data[key] if rec["pack"] == s.pack]
    data = _renamed(s, data)
    scope = None if all_packs else s.pack
    before = queries.review_count(s.conn, scope)
    try:
        added = history.merge(s.conn, data, s.now)
    except history.MissingCard as e:
        raise UserError(f"{path}: not a valid mlpath backup: a review of {e.question_id!r} has no card; "
                        "nothing was imported") from None
    return {"file": str(path), "added": added, "reviews_before": before,
            "reviews_after": queries.review_count(s.conn, scope),
            "in_file": {key: len(data[key]) + left_out.get(key, 0) for key in SECTIONS},
            "pack": scope, "all_packs": all_packs,
            "packs": sorted({rec["pack"] for key in SECTIONS for rec in data[key]}),
            "left_out": {key: left_out.get(key, 0) for key in SECTIONS}}
