"""Backups: `mlpath export FILE` writes the learner's history as versioned JSON; `mlpath import FILE` merges one in.

The file is ``{"format": "mlpath-backup", "version": 1, "exported_at": ..., "statuses": [...],
"status_events": [...], "cards": [...], "reviews": [...]}``. Records name topics and questions by their content
ids (and carry the topic's area), never by internal row ids; times are ISO 8601 with a UTC offset.

- statuses:      topic, area, status (in_progress | done | skipped), started_at, finished_at, updated_at
- status_events: topic, area, status (also not_started, a reset), at
- cards:         question, topic, area, kind, state, step, stability, difficulty, due, last_review, created_at,
                 reps, lapses
- reviews:       question, topic, area, reviewed_at, rating (1-4), correct, answer, response_ms, seed

Import validates the whole file first, then merges it in one transaction (see store.history.merge).
"""

from __future__ import annotations

import glob
import gzip
import json
import math
import os
import re
import stat
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from mlpath.core.model import STATUSES
from mlpath.errors import UserError
from mlpath.files import write_file
from mlpath.store import history, queries
from mlpath.store.db import from_db

_json_string = json.encoder.encode_basestring  # a JSON string literal, non-ASCII kept (json.dumps(ensure_ascii=False))

FORMAT = "mlpath-backup"
VERSION = 1
SECTIONS = ("statuses", "status_events", "cards", "reviews")
GZIP_LEVEL = 6


# --- export -----------------------------------------------------------------------------------------------------

def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def backup_document(s) -> dict[str, Any]:
    """The whole backup as one dict (small histories and tests; `export` streams the same document)."""
    data = history.dump(s.conn)
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION, "exported_at": s.now.isoformat()}
    for key in SECTIONS:
        doc[key] = [{k: _jsonable(v) for k, v in rec.items()} for rec in data[key]]
    return doc


def _iso(text: str | None) -> str | None:
    """A stored UTC time (``YYYY-MM-DD HH:MM:SS.ffffff``) as ``datetime.isoformat`` writes it, without parsing."""
    if text is None:
        return None
    if len(text) == 26 and text[10] == " " and text[19] == ".":
        return f"{text[:10]}T{text[11:19]}{'' if text[20:] == '000000' else text[19:]}+00:00"
    return from_db(text).isoformat()


def _json_value(value: Any) -> str:
    """One value of a stored row as JSON (the types SQLite gives back); NaN and infinities are refused."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is str:
        return _json_string(value)
    if kind is int:
        return str(value)
    if kind is float and math.isfinite(value):
        return repr(value)
    raise _Unwritable(value)


class _Unwritable(Exception):
    pass


def _write_section(out, conn, section: str) -> int:
    """Write one section as a JSON list, one record a line (the bytes ``json.dumps`` would give for each record,
    made without building dicts); returns how many records."""
    keys, times, _sql = history.DUMP[section]
    heads = ["{" + json.dumps(keys[0]) + ": "] + [", " + json.dumps(k) + ": " for k in keys[1:]]
    time_at = {i for i, k in enumerate(keys) if k in times}
    correct_at = keys.index("correct") if "correct" in keys else -1
    value = _json_value
    count = 0
    out.write(f'"{section}": ['.encode())
    for rows in history.dump_rows(conn, section):
        lines = []
        for row in rows:
            parts = []
            for i, (head, v) in enumerate(zip(heads, row)):
                if v is None:
                    parts.append(head + "null")
                elif i in time_at:
                    parts.append(head + _json_string(_iso(v)))
                elif i == correct_at:
                    parts.append(head + ("true" if v else "false"))
                else:
                    parts.append(head + value(v))
            lines.append("".join(parts) + "}")
        out.write(((",\n  " if count else "\n  ") + ",\n  ".join(lines)).encode())
        count += len(rows)
    out.write(b"\n ]" if count else b"]")
    return count


_TEMP_NAME = re.compile(r"\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.tmp")


def clean_stale_temp_files(path: Path, started: float) -> list[Path]:
    """Remove the temporary files a killed export of ``path`` left beside it (``.NAME.XXXXXXXX.tmp``): those older
    than ``started`` that no running export holds (a writer keeps its temporary file locked)."""
    removed = []
    try:
        candidates = list(path.parent.glob(f".{glob.escape(path.name)}.*.tmp"))
    except OSError:
        return removed
    for tmp in candidates:
        m = _TEMP_NAME.fullmatch(tmp.name)
        if not m or m["name"] != path.name:
            continue
        try:
            st = tmp.lstat()
            if not stat.S_ISREG(st.st_mode) or st.st_mtime >= started:
                continue
            with open(tmp, "rb") as fh:
                if not _try_lock(fh):
                    continue  # an export is writing it right now
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue
    return removed


def _try_lock(fh) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks; age alone decides
        return True
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def export_backup(s, path: Path, force: bool = False) -> dict[str, Any]:
    """Stream the backup to ``path`` (gzip-compressed when it ends in ``.gz``), read from one snapshot of the
    database and written to a temporary file renamed over ``path`` at the end; returns the counts per section."""
    path = Path(path)
    started = time.time()
    counts: dict[str, int] = {}
    exported_at = s.now.isoformat()

    def write(tmp: str) -> None:
        with open(tmp, "r+b") as raw:
            _try_lock(raw)  # held until the file is complete: a concurrent export will not take it for stale
            out = gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=GZIP_LEVEL, mtime=0) \
                if _gzipped(path) else raw
            out.write(("{\n" + f' "format": "{FORMAT}",\n "version": {VERSION},\n '
                       f'"exported_at": {json.dumps(exported_at)}').encode())
            with history.snapshot(s.conn):
                for section in SECTIONS:
                    out.write(b",\n ")
                    counts[section] = _write_section(out, s.conn, section)
            out.write(b"\n}\n")
            if out is not raw:
                out.close()
            raw.flush()
            os.fsync(raw.fileno())

    clean_stale_temp_files(path, started)
    try:
        write_file(path, None, force=force, writer=write)
    except _Unwritable as e:
        raise UserError(f"the database holds a value a backup cannot carry ({str(e.args[0])[:40]}); "
                        "nothing was written") from None
    return {"file": str(path), "format": FORMAT, "version": VERSION, "exported_at": exported_at,
            **{key: counts[key] for key in SECTIONS}}


def _gzipped(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def export(s, path: Path, *, anki: bool = False, target: str | None = None, force: bool = False) -> dict[str, Any]:
    """`mlpath export`: a JSON backup, or with ``anki`` an Anki deck (of one topic or area if ``target``)."""
    path = Path(path)
    if anki:
        if path.suffix.lower() != ".apkg":
            raise UserError(f"an Anki deck file must end in .apkg (got {path.name})")
        from mlpath.app.anki import export_deck

        return {"kind": "anki", **export_deck(s, path, target, force=force)}
    if target is not None:
        raise UserError("a topic or area applies only to Anki decks (--anki); a backup holds your whole history")
    if path.suffix.lower() == ".apkg":
        raise UserError(f"{path.name} looks like an Anki deck: add --anki, or give a .json (or .json.gz) file for a backup")
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
    return {"question": _text(rec, "question", where), **_topic(rec, where),
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
