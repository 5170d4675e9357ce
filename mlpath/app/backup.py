"""Backups: `mlpath export FILE` writes the learner's history as versioned JSON; `mlpath import FILE` merges one in.

The file is ``{"format": "mlpath-backup", "version": 1, "exported_at": ..., "statuses": [...],
"status_events": [...], "cards": [...], "reviews": [...]}``. Records name topics and questions by their content
ids (and carry the topic's area), never by internal row ids; times are ISO 8601 with a UTC offset.

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
VERSION = 1
SECTIONS = ("statuses", "status_events", "cards", "reviews")
REVIEW_FLAGS = ("dont_know", "typo", "overridden")


# --- export -----------------------------------------------------------------------------------------------------

def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def backup_document(s) -> dict[str, Any]:
    data = history.dump(s.conn)
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION, "exported_at": s.now.isoformat()}
    for key in SECTIONS:
        doc[key] = [{k: _jsonable(v) for k, v in rec.items()} for rec in data[key]]
    return doc


def export_backup(s, path: Path, force: bool = False) -> dict[str, Any]:
    """Write the backup to ``path``; returns what was written (counts per section)."""
    doc = backup_document(s)
    write_file(path, json.dumps(doc, indent=1, ensure_ascii=False) + "\n", force=force)
    return {"file": str(path), "format": FORMAT, "version": VERSION, "exported_at": doc["exported_at"],
            **{key: len(doc[key]) for key in SECTIONS}}


def export(s, path: Path, *, anki: bool = False, target: str | None = None, force: bool = False,
           studied: bool = False, area: str | None = None) -> dict[str, Any]:
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
    return {"kind": "backup", **export_backup(s, path, force=force)}


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


def parse_backup(doc: Any) -> dict[str, list[dict]]:
    """Check a loaded backup document; raises _Invalid with the first problem's location."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else None
        raise _Invalid("not an mlpath backup file" + (f" (its format is {found!r})" if found else
                                                 " (no \"format\": \"mlpath-backup\" field)"))
    version = doc.get("version")
    if version != VERSION:
        hint = "; upgrade mlpath to read it" if isinstance(version, int) and version > VERSION else ""
        raise _Invalid(f"backup version {version!r} is not supported (this mlpath reads version {VERSION}){hint}")
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
                parsed.append(_PARSERS[key](rec, where))
            out[key] = parsed
    except _Invalid as e:
        raise _Invalid(f"not a valid mlpath backup: {e}") from None
    return out


def _renamed(s, data: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Follow ``replaces:`` in the current content, so a backup made before a rename lands on the new ids."""
    topics = {old: t.id for t in s.roadmap.topics for old in t.replaces}
    questions = history.question_renames(s.conn)
    for key in SECTIONS:
        for rec in data[key]:
            if rec["topic"] in topics:
                rec["topic"] = topics[rec["topic"]]
                rec["area"] = s.roadmap.by_id[rec["topic"]].area
            if "question" in rec and rec["question"] in questions:
                rec["question"] = questions[rec["question"]]
    return data


def read_backup(path: Path) -> dict[str, list[dict]]:
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
        return parse_backup(doc)
    except _Invalid as e:
        raise UserError(f"{path}: {e}") from None


def import_backup(s, path: Path) -> dict[str, Any]:
    """Merge a backup into the database: nothing is duplicated, and on any error nothing is changed."""
    data = _renamed(s, read_backup(path))
    before = queries.review_count(s.conn)
    try:
        added = history.merge(s.conn, data, s.now)
    except history.MissingCard as e:
        raise UserError(f"{path}: not a valid mlpath backup: a review of {e.question_id!r} has no card; "
                        "nothing was imported") from None
    return {"file": str(path), "added": added, "reviews_before": before,
            "reviews_after": queries.review_count(s.conn),
            "in_file": {key: len(data[key]) for key in SECTIONS}}
