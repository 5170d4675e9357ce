"""Backups: `mlpath export FILE` writes the learner's history as versioned JSON; `mlpath import FILE` merges one in.

The file is ``{"format": "mlpath-backup", "version": 2, "exported_at": ..., "packs": [...], "statuses": [...],
"status_events": [...], "cards": [...], "reviews": [...]}``. Records name their pack and their topics and questions
by content ids (and carry the topic's area), never by internal row ids; times are ISO 8601 with a UTC offset.
``packs`` lists the packs the export covered (the active one, one chosen, or all). Version 3 adds ``learner``: the
learner's choices kept with their data, ``{"settings": {PACK: {"goal": ..., "order": ...}}, "memory_model": null
or {"changed_at", "parameters" (21 numbers, or null for FSRS's defaults after a reset), "fitted_at", "reviews",
"trained_on", "log_loss", "rmse_bins", "previous_log_loss", "previous_rmse_bins", "calibration"}}``. On import a
setting this device has not chosen is taken, and the memory model if it was chosen later than this device's (every
card is then rescheduled with it), as a sync does.

Packs: every record below also has ``pack`` (version 2). Export covers the pack in use unless told otherwise;
import takes the records of the pack in use (or the one named, or with all packs every record, each into its own
pack) and says how many it left out. A version-1 backup (from before packs) has no pack labels: its records go
into the pack in use, or the one named, since that is the roadmap they were made with.

- statuses:      topic, area, status (in_progress | done | skipped), started_at, finished_at, updated_at
- status_events: topic, area, status (also not_started, a reset), at, reason (version 3, optional: why the change
                 was made, e.g. placement)
- cards:         question, topic, area, kind, state, step, stability, difficulty, due, last_review, created_at,
                 reps, lapses
- reviews:       question, topic, area, reviewed_at, rating (1-4), correct, answer, response_ms, seed, flag
                 (optional: dont_know, typo or overridden), uid (optional on import: the review's cross-device id,
                 derived as mlpath.core.review_ids does when absent)

A name ending in ``.gz`` is gzip-compressed both ways. Export reads one snapshot of the database and streams it to
a temporary file renamed over the target; import reads the file as a stream (bounded memory, bounded size), checks
every field of every record, stages the records in temporary tables and merges them in one transaction (see
store.history.merge_staged): a bad record anywhere refuses the whole file and changes nothing.
"""


import codecs
import glob
import gzip
import json
import math
import os
import re
import stat
import time
import zlib
from datetime import date, datetime
from pathlib import Path
from collections.abc import Callable
from typing import Any, NamedTuple

from mlpath.core.model import STATUSES
from mlpath.core.review_ids import is_review_uid
from mlpath.core.srs import Phase
from mlpath.core.validation import QUESTION_KINDS
from mlpath.errors import InvalidValue, UserError
from mlpath.files import write_file
from mlpath.store import history, queries
from mlpath.store.db import cache_pages, from_db, to_db

_json_string = json.encoder.encode_basestring  # a JSON string literal, non-ASCII kept (json.dumps(ensure_ascii=False))

Progress = Callable[[str, int, "int | None"], None]  # (stage, done, total or None): how far a long step is

FORMAT = "mlpath-backup"
VERSION = 3
READS = (1, 2, 3)  # versions import understands (1: before packs, no pack labels; 2: no learner choices)
SECTIONS = ("statuses", "status_events", "cards", "reviews")
GZIP_LEVEL = 6


# --- export -----------------------------------------------------------------------------------------------------

def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _packs_covered(conn, pack: str | None) -> list[str]:
    """The packs a backup of one pack (or of every pack, None) covers: that pack, or every pack with records."""
    if pack is not None:
        return [pack]
    return [p for (p,) in conn.execute(
        "SELECT pack FROM topic_status UNION SELECT pack FROM status_event UNION SELECT pack FROM card "
        "UNION SELECT pack FROM review ORDER BY 1")]


SETTING_KEYS = ("goal", "order")  # the per-pack choices a backup carries (mlpath.app.goals)


def _learner(conn, packs: list[str]) -> dict[str, Any]:
    """The learner's choices that live in the database: per-pack settings of the packs covered, and the memory
    model in use (a fit, or the defaults chosen by a reset), as the backup's ``learner`` object."""
    from mlpath.store import parameters

    settings = {}
    for pack in packs:
        chosen = {k: v for k, v in queries.learner_settings(conn, pack).items() if k in SETTING_KEYS}
        if chosen:
            settings[pack] = chosen
    model = None
    choice = parameters.choice(conn)
    if choice is not None:
        fit = choice.fit
        model = {"changed_at": choice.changed_at.isoformat(), "parameters": None}
        if fit is not None:
            model.update(parameters=list(fit.parameters), fitted_at=fit.fitted_at.isoformat(), reviews=fit.reviews,
                         trained_on=fit.trained_on, log_loss=fit.log_loss, rmse_bins=fit.rmse_bins,
                         previous_log_loss=fit.previous_log_loss, previous_rmse_bins=fit.previous_rmse_bins,
                         calibration=[list(b) for b in fit.calibration])
    return {"settings": settings, "memory_model": model}


def backup_document(s, all_packs: bool = False) -> dict[str, Any]:
    """The whole backup as one dict (small histories and tests; `export` streams the same document)."""
    data = history.dump(s.conn, None if all_packs else s.pack)
    packs = sorted({rec["pack"] for key in SECTIONS for rec in data[key]} | (set() if all_packs else {s.pack}))
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION, "exported_at": s.now.isoformat(), "packs": packs}
    for key in SECTIONS:
        doc[key] = [{k: _jsonable(v) for k, v in rec.items()} for rec in data[key]]
    doc["learner"] = _learner(s.conn, packs)
    return doc


def _iso(text: str | None) -> str | None:
    """A stored UTC time (``YYYY-MM-DD HH:MM:SS.ffffff``) as ``datetime.isoformat`` writes it, without parsing."""
    if text is None:
        return None
    if len(text) == 26 and text[10] == " " and text[19] == ".":
        return f"{text[:10]}T{text[11:19]}{'' if text[20:] == '000000' else text[19:]}+00:00"
    try:
        return from_db(text).isoformat()
    except (ValueError, OverflowError):  # a damaged row from an old version: carry it as it is, lose nothing
        return text


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


def _json_time(text: str | None) -> str:
    return "null" if text is None else _json_string(_iso(text))


def _json_flag(value: Any) -> str:
    return "null" if value is None else ("true" if value else "false")


def _row_writer(section: str) -> Callable[[tuple], str]:
    """A function writing one stored row of ``section`` as its JSON record: the bytes ``json.dumps`` gives for the
    record (non-ASCII kept), made with one f-string per row instead of a loop over its fields (export spends most
    of its time here). Built from DUMP's keys: times as ISO text, ``correct`` as a flag, any other value checked by
    _json_value."""
    keys, times, _sql = history.DUMP[section]
    fields = []
    for i, key in enumerate(keys):
        head = ("{" if i == 0 else ", ") + json.dumps(key) + ": "
        if key in times:
            expr = f"time(r[{i}])"
        elif key == "correct":
            expr = f"flag(r[{i}])"
        else:  # the common types inline (no call but the string's quoting), anything else through _json_value
            expr = (f'"null" if (v := r[{i}]) is None else string(v) if v.__class__ is str else v '
                    "if v.__class__ is int else value(v)")
        fields.append(head.replace("{", "{{") + f"{{{expr}}}")
    source = f"lambda r: f'{''.join(fields)}}}}}'"
    names = {"time": _json_time, "flag": _json_flag, "value": _json_value, "string": _json_string}
    return eval(source, names)  # noqa: S307 - the text above, from DUMP's keys


def _write_section(out, conn, section: str, pack: str | None, report: Callable[[int], None] | None = None) -> int:
    """Write one section as a JSON list, one record a line (the bytes ``json.dumps`` would give for each record,
    made without building dicts); returns how many records. ``report(records written)`` after each batch."""
    line = _row_writer(section)
    count = 0
    out.write(f'"{section}": ['.encode())
    for rows in history.dump_rows(conn, section, pack):
        out.write(((",\n  " if count else "\n  ") + ",\n  ".join(map(line, rows))).encode())
        count += len(rows)
        if report is not None:
            report(count)
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


def export_backup(s, path: Path, force: bool = False, all_packs: bool = False,
                  progress: Progress | None = None) -> dict[str, Any]:
    """Stream the backup of the session's pack (or of every pack) to ``path`` (gzip-compressed when it ends in
    ``.gz``), read from one snapshot of the database and written to a temporary file renamed over ``path`` at the
    end; returns what was written (counts per section, and the packs covered). ``progress("write", reviews
    written, reviews in all)`` is called as the reviews are written."""
    path = Path(path)
    started = time.time()
    counts: dict[str, int] = {}
    exported_at = s.now.isoformat()
    pack = None if all_packs else s.pack
    packs: list[str] = []

    def write(tmp: str) -> None:
        with open(tmp, "r+b") as raw:
            _try_lock(raw)  # held until the file is complete: a concurrent export will not take it for stale
            out = gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=GZIP_LEVEL, mtime=0) \
                if _gzipped(path) else raw
            with history.snapshot(s.conn):
                packs[:] = _packs_covered(s.conn, pack)
                out.write(("{\n" + f' "format": "{FORMAT}",\n "version": {VERSION},\n '
                           f'"exported_at": {json.dumps(exported_at)},\n '
                           f'"packs": {json.dumps(packs, ensure_ascii=False)}').encode())
                report = None
                if progress is not None:
                    total = queries.review_count(s.conn, pack)
                    report = lambda n: progress("write", min(n, total), total)  # noqa: E731
                for section in SECTIONS:
                    out.write(b",\n ")
                    counts[section] = _write_section(out, s.conn, section, pack,
                                                     report if section == "reviews" else None)
                try:
                    learner = json.dumps(_learner(s.conn, packs), ensure_ascii=False, allow_nan=False)
                except ValueError:  # a stored number that is not finite: refused as for any record
                    raise _Unwritable("a memory model that is not finite") from None
                out.write(f',\n "learner": {learner}'.encode())
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
            **{key: counts[key] for key in SECTIONS}, "packs": packs, "all_packs": all_packs}


def _gzipped(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def export(s, path: Path, *, anki: bool = False, target: str | None = None, force: bool = False,
           all_packs: bool = False, studied: bool = False, area: str | None = None,
           progress: Progress | None = None) -> dict[str, Any]:
    """`mlpath export`: a JSON backup, or with ``anki`` an Anki deck (of one topic or area if ``target``; only the
    questions answered at least once if ``studied``; only one area's if ``area``). ``progress``: see
    export_backup."""
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
        raise UserError(f"{path.name} looks like an Anki deck: add --anki, or give a .json (or .json.gz) file for a backup")
    return {"kind": "backup", **export_backup(s, path, force=force, all_packs=all_packs, progress=progress)}


# --- import: validation ---------------------------------------------------------------------------------------------
#
# Every field is checked against the rules the app writes by, so that nothing imported can break the database
# later: ids are content ids (kebab-case, bounded), times are ISO 8601 with an offset and within EARLIEST..LATEST
# (stored zero-padded), numbers are finite and within SQLite's integer range, ratings 1-4, card states FSRS
# phases, difficulty 1-10, answers at most MAX_ANSWER characters. Values are never echoed whole in messages.

MAX_ID = 120
MAX_PACK_ID = 64  # mlpath.core.manifest.MAX_ID
REVIEW_FLAGS = ("dont_know", "typo", "overridden")
MAX_ANSWER = 1000
MAX_INT = 2**63 - 1
EARLIEST = "1970-01-01"  # compared with the stored (UTC) text, so both ends are zero-padded four-digit years
LATEST = "9000-01-01"
KINDS = (*QUESTION_KINDS, "unknown")  # "unknown": a placeholder question whose content was never known
PHASES = tuple(int(p) for p in Phase)
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII)
_UTC_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?\+00:00", re.ASCII)


class _Invalid(Exception):
    pass


def _show(value: Any) -> str:
    """A value for an error message: its repr, cut short (a backup is untrusted input)."""
    text = repr(value) if not isinstance(value, (dict, list)) else f"a {'list' if isinstance(value, list) else 'object'}"
    return text if len(text) <= 40 else text[:37] + "..."


def _missing(rec: dict, key: str, where: str) -> _Invalid:
    return _Invalid(f"{where}: missing {key!r}")


def _id(rec: dict, key: str, where: str) -> str:
    value = rec.get(key)
    if type(value) is str and len(value) <= MAX_ID and _ID.fullmatch(value):
        return value
    if key not in rec:
        raise _missing(rec, key, where)
    if not isinstance(value, str) or not value:
        raise _Invalid(f"{where}.{key}: expected a non-empty string, got {_show(value)}")
    raise _Invalid(f"{where}.{key}: expected an id (lowercase letters, digits and single dashes, at most {MAX_ID} "
                   f"characters), got {_show(value)}")


def _int(rec: dict, key: str, where: str, optional: bool = False, lo: int = -MAX_INT - 1,
         hi: int = MAX_INT) -> int | None:
    value = rec.get(key)
    if type(value) is int and lo <= value <= hi:
        return value
    if value is None and optional:
        return None
    if key not in rec:
        raise _missing(rec, key, where)
    bounds = f" from {lo} to {hi}" if hi < MAX_INT else (f" >= {lo}" if lo > -MAX_INT - 1 else "")
    raise _Invalid(f"{where}.{key}: expected a whole number{bounds}, got {_show(value)}")


def _float(rec: dict, key: str, where: str, lo: float, hi: float) -> float:
    value = rec.get(key)
    if type(value) in (int, float) and math.isfinite(value) and lo <= value <= hi:
        return float(value)
    if key not in rec:
        raise _missing(rec, key, where)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Invalid(f"{where}.{key}: expected a number, got {_show(value)}")
    upper = f" to {hi:g}" if math.isfinite(hi) else ""
    raise _Invalid(f"{where}.{key}: expected a finite number from {lo:g}{upper}, got {_show(value)}")


def _time(rec: dict, key: str, where: str, optional: bool = False) -> str | None:
    """An ISO 8601 time with an offset -> the stored UTC text (db.to_db)."""
    value = rec.get(key)
    if type(value) is str and (m := _UTC_TIME.fullmatch(value)) and EARLIEST <= value < LATEST:
        try:
            datetime.fromisoformat(value)  # a real calendar date and time of day
        except ValueError:
            pass
        else:
            return f"{value[:10]} {value[11:19]}{m[1] or '.000000'}"
    if value is None and optional:
        return None
    if key not in rec:
        raise _missing(rec, key, where)
    problem = f"{where}.{key}: expected an ISO 8601 time with a UTC offset, got {_show(value)}"
    try:
        if not isinstance(value, str):
            raise ValueError
        dt = datetime.fromisoformat(value)
        if dt.tzinfo is None:
            raise ValueError
        text = to_db(dt)
    except (ValueError, OverflowError):
        raise _Invalid(problem) from None
    if not EARLIEST <= text < LATEST:
        raise _Invalid(f"{where}.{key}: {_show(value)} is out of range (from {EARLIEST} to {LATEST})")
    return text


def _choice(rec: dict, key: str, where: str, allowed: tuple) -> Any:
    value = rec.get(key)
    if type(value) is type(allowed[0]) and value in allowed:
        return value
    if key not in rec:
        raise _missing(rec, key, where)
    raise _Invalid(f"{where}.{key}: expected one of {', '.join(map(str, allowed))}, got {_show(value)}")


def _bool(rec: dict, key: str, where: str) -> bool | None:
    value = rec.get(key)
    if value is not None and type(value) is not bool:
        raise _Invalid(f"{where}.{key}: expected true, false or null, got {_show(value)}")
    return value


def _answer(rec: dict, where: str) -> str | None:
    value = rec.get("answer")
    if value is None or (type(value) is str and len(value) <= MAX_ANSWER):
        return value
    if not isinstance(value, str):
        raise _Invalid(f"{where}.answer: expected a string or null, got {_show(value)}")
    raise _Invalid(f"{where}.answer: longer than {MAX_ANSWER} characters")


_DONE_STATUSES = tuple(x for x in STATUSES if x != "not_started")


def _parse_status(rec: dict, where: str) -> tuple:
    return (_id(rec, "topic", where), _id(rec, "area", where), _choice(rec, "status", where, _DONE_STATUSES),
            _time(rec, "started_at", where, True), _time(rec, "finished_at", where, True),
            _time(rec, "updated_at", where))


def _parse_event(rec: dict, where: str) -> tuple:
    reason = rec.get("reason")
    if reason is not None:
        reason = _id(rec, "reason", where)
    return (_id(rec, "topic", where), _id(rec, "area", where), _choice(rec, "status", where, STATUSES),
            _time(rec, "at", where), reason)


def _parse_card(rec: dict, where: str) -> tuple:
    return (_id(rec, "question", where), _id(rec, "topic", where), _id(rec, "area", where),
            _choice(rec, "kind", where, KINDS), _choice(rec, "state", where, PHASES),
            _int(rec, "step", where, True, lo=0, hi=1000), _float(rec, "stability", where, 0.0, math.inf),
            _float(rec, "difficulty", where, 1.0, 10.0), _time(rec, "due", where),
            _time(rec, "last_review", where, True), _time(rec, "created_at", where),
            _int(rec, "reps", where, lo=0), _int(rec, "lapses", where, lo=0))


def _flag(rec: dict, where: str) -> str | None:
    value = rec.get("flag")  # added with the quiz's "I don't know" / typo / "I was right"; older backups lack it
    if value is None or (type(value) is str and value in REVIEW_FLAGS):
        return value
    raise _Invalid(f"{where}.flag: expected one of {', '.join(REVIEW_FLAGS)} or null, got {_show(value)}")


def _uid(rec: dict, where: str) -> str | None:
    value = rec.get("uid")  # optional: derived from the review when absent (mlpath.core.review_ids)
    if value is None or is_review_uid(value):
        return value
    raise _Invalid(f"{where}.uid: expected a review id (a version-7 UUID in lowercase) or null, got {_show(value)}")


def _parse_review(rec: dict, where: str) -> tuple:
    return (_id(rec, "question", where), _id(rec, "topic", where), _id(rec, "area", where),
            _time(rec, "reviewed_at", where), _int(rec, "rating", where, lo=1, hi=4),
            _bool(rec, "correct", where), _answer(rec, where), _int(rec, "response_ms", where, True, lo=0),
            _int(rec, "seed", where, True), _flag(rec, where), _uid(rec, where))


def _pack_label(rec: dict, where: str) -> str:
    value = rec.get("pack")
    if type(value) is str and len(value) <= MAX_PACK_ID and _ID.fullmatch(value):
        return value
    if "pack" not in rec:
        raise _missing(rec, "pack", where)
    if not isinstance(value, str) or not value:
        raise _Invalid(f"{where}.pack: expected a non-empty string, got {_show(value)}")
    raise _Invalid(f"{where}.pack: expected a pack id (lower-case kebab-case), got {_show(value)}")


_PARSERS = {"statuses": _parse_status, "status_events": _parse_event, "cards": _parse_card,
            "reviews": _parse_review}


class LearnerChoices(NamedTuple):
    """A backup's ``learner`` object, checked."""

    settings: dict[str, dict[str, str]]  # pack -> {key: value}
    memory_model: Any  # mlpath.store.parameters.Choice, or None


def _object(value: Any, where: str, limit: int) -> dict:
    if type(value) is not dict:
        raise _Invalid(f"{where}: expected an object, got {_show(value)}")
    if len(value) > limit:
        raise _Invalid(f"{where}: more than {limit} entries")
    return value


def _parse_learner(value: Any) -> LearnerChoices:
    """Check the ``learner`` object of a version-3 backup completely (untrusted input)."""
    where = "learner"
    rec = _object(value, where, 10)
    settings: dict[str, dict[str, str]] = {}
    packs = _object(rec.get("settings", {}), f"{where}.settings", 10_000)
    for pack, chosen in packs.items():
        label = _pack_label({"pack": pack}, f"{where}.settings")
        chosen = _object(chosen, f"{where}.settings.{label}", len(SETTING_KEYS))
        for key in chosen:
            if key not in SETTING_KEYS:
                raise _Invalid(f"{where}.settings.{label}: unknown setting {_show(key)} (known: "
                               f"{', '.join(SETTING_KEYS)})")
        settings[label] = {key: _id(chosen, key, f"{where}.settings.{label}") for key in chosen}
    model = rec.get("memory_model")
    if model is None:
        return LearnerChoices(settings, None)
    where = f"{where}.memory_model"
    model = _object(model, where, 20)
    from mlpath.store.parameters import Choice, StoredParameters

    changed = from_db(_time(model, "changed_at", where))
    weights = model.get("parameters")
    if weights is None:
        return LearnerChoices(settings, Choice(changed, None))
    if type(weights) is not list or len(weights) != 21:
        raise _Invalid(f"{where}.parameters: expected 21 numbers or null, got {_show(weights)}")
    checked = tuple(_float({"w": w}, "w", f"{where}.parameters[{i}]", -1e6, 1e6) for i, w in enumerate(weights))
    bins = model.get("calibration", [])
    if type(bins) is not list or len(bins) > 100:
        raise _Invalid(f"{where}.calibration: expected a list of at most 100 bins")
    calibration = []
    for i, b in enumerate(bins):
        if type(b) is not list or len(b) != 5:
            raise _Invalid(f"{where}.calibration[{i}]: expected [low, high, reviews, predicted, actual]")
        low, high, n, predicted, actual = ({"v": v} for v in b)
        calibration.append((_float(low, "v", f"{where}.calibration[{i}]", 0, 1),
                            _float(high, "v", f"{where}.calibration[{i}]", 0, 1),
                            _int(n, "v", f"{where}.calibration[{i}]", lo=0),
                            _float(predicted, "v", f"{where}.calibration[{i}]", 0, 1),
                            _float(actual, "v", f"{where}.calibration[{i}]", 0, 1)))
    return LearnerChoices(settings, Choice(changed, StoredParameters(
        0, checked, from_db(_time(model, "fitted_at", where)), _int(model, "reviews", where, lo=0),
        _int(model, "trained_on", where, lo=0),
        *(_float(model, key, where, 0, math.inf) for key in ("log_loss", "rmse_bins", "previous_log_loss",
                                                             "previous_rmse_bins")),
        tuple(calibration))))


def _check_header(key: str, value: Any) -> None:
    if key == "format" and value != FORMAT:
        raise _NotBackup(f" (its format is {_show(value)})" if value else " (no \"format\": \"mlpath-backup\" field)")
    if key == "version" and (type(value) is not int or value not in READS):
        hint = "; upgrade mlpath to read it" if type(value) is int and value > VERSION else ""
        raise _Invalid(f"backup version {_show(value)} is not supported (this mlpath reads versions "
                       f"{', '.join(map(str, READS))}){hint}")


class _NotBackup(Exception):
    pass


def parse_backup(doc: Any, pack: str) -> dict[str, list[dict]]:
    """Check a loaded backup document (records as dicts with datetimes, as history.dump gives); raises _Invalid
    with the first problem's location. Every record comes back with its pack: its own label (version 2), or
    ``pack`` (a version-1 file, from before packs). `import` reads files with read_backup_stream instead."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else None
        raise _Invalid("not an mlpath backup file" + (f" (its format is {_show(found)})" if found else
                                                 " (no \"format\": \"mlpath-backup\" field)"))
    _check_header("version", doc.get("version"))
    version = doc["version"]
    out: dict[str, list[dict]] = {}
    try:
        for key in SECTIONS:
            items = doc.get(key)
            if not isinstance(items, list):
                raise _Invalid(f"{key}: expected a list")
            cols = history.STAGING[key]
            parsed = []
            for i, rec in enumerate(items):
                where = f"{key}[{i}]"
                if not isinstance(rec, dict):
                    raise _Invalid(f"{where}: expected an object")
                values = (_pack_label(rec, where) if version >= 2 else pack, *_PARSERS[key](rec, where))
                parsed.append({c: from_db(v) if c in _TIME_COLUMNS and v is not None else v
                               for c, v in zip(cols, values)})
            out[key] = parsed
    except _Invalid as e:
        raise _Invalid(f"not a valid mlpath backup: {e}") from None
    return out


_TIME_COLUMNS = {"started_at", "finished_at", "updated_at", "at", "due", "last_review", "created_at", "reviewed_at"}


# --- import: reading the file as a stream ----------------------------------------------------------------------------

MAX_FILE = 2 * 2**30  # bytes read (after decompression): a bigger backup is refused
MAX_VALUE = 2**20  # characters in one record (or one top-level value that is not a section)
CHUNK = 2**16  # bytes read at a time: small reads keep the allocator from growing the heap (RSS stays flat)
STAGE_ROWS = 5000
PROGRESS_CHUNKS = 16  # reads of CHUNK between two progress reports (1 MiB)
IMPORT_CACHE = 16 * 2**20  # bytes of SQLite page cache while importing (the indexes of a big history fit)


class _BadJson(Exception):
    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


class _Reader:
    """A JSON reader for the backup's own layout: a top-level object whose section lists are read one record at
    a time (``json``'s decoder on a sliding buffer), so memory stays bounded whatever the file's size."""

    def __init__(self, fh, name: str, on_read: Callable[[], None] | None = None):
        self.fh = fh
        self.name = name
        self.on_read = on_read  # called every PROGRESS_CHUNKS reads
        self.reads = 0
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.read_bytes = 0
        self.line = 1  # line of buf[0]
        self.line_start = 0  # offset (in buf) of the current line's start, may be negative
        self.scan = json.JSONDecoder().raw_decode

    def _more(self) -> bool:
        if self.eof:
            return False
        data = self.fh.read(CHUNK)
        self.read_bytes += len(data)
        self.reads += 1
        if self.on_read is not None and self.reads % PROGRESS_CHUNKS == 0:
            self.on_read()
        if self.read_bytes > MAX_FILE:
            raise _TooBig()
        try:
            text = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as e:
            raise _NotText(self.read_bytes - len(data) + e.start) from None
        if not data:
            self.eof = True
        # drop what was consumed, keeping line numbers right
        if self.pos:
            consumed = self.buf[:self.pos]
            newlines = consumed.count("\n")
            if newlines:
                self.line += newlines
                self.line_start = consumed.rfind("\n") + 1
            self.line_start -= self.pos
            self.buf = self.buf[self.pos:]
            self.pos = 0
        self.buf += text
        return True

    def where(self, pos: int | None = None) -> tuple[int, int]:
        pos = self.pos if pos is None else pos
        head = self.buf[:pos]
        line = self.line + head.count("\n")
        start = head.rfind("\n") + 1 if "\n" in head else self.line_start
        return line, pos - start + 1

    def fail(self, message: str, pos: int | None = None) -> _BadJson:
        return _BadJson(message, *self.where(pos))

    def peek(self) -> str:
        """The next character that is not white space ('' at the end)."""
        while True:
            buf, pos = self.buf, self.pos
            while pos < len(buf) and buf[pos] in " \t\n\r":
                pos += 1
            self.pos = pos
            if pos < len(buf):
                return buf[pos]
            if not self._more():
                return ""

    def expect(self, chars: str, what: str) -> str:
        c = self.peek()
        if not c or c not in chars:
            raise self.fail(f"Expecting {what}")
        self.pos += 1
        return c

    def value(self, limit: int = MAX_VALUE) -> Any:
        """Decode the next JSON value (after white space), reading more of the file as needed."""
        self.peek()
        while True:
            try:
                value, end = self.scan(self.buf, self.pos)
            except json.JSONDecodeError as e:
                if not self.eof and len(self.buf) - self.pos <= limit:
                    self._more()  # the value may just go on in the next chunk
                    continue
                if not self.eof and e.msg.startswith("Unterminated"):
                    raise _TooLong(self.pos) from None
                raise _BadJson(e.msg, *self.where(e.pos)) from None
            except RecursionError:
                raise self.fail("too deeply nested") from None
            except ValueError as e:  # e.g. an integer with more digits than Python converts
                raise self.fail(str(e).split(";")[0].split(":")[0]) from None
            if end == len(self.buf) and not self.eof:  # a number may go on in the next chunk
                self._more()
                continue
            if end - self.pos > limit:
                raise _TooLong(self.pos)
            self.pos = end
            return value


class _TooBig(Exception):
    pass


class _TooLong(Exception):
    def __init__(self, pos: int):
        self.pos = pos


class _NotText(Exception):
    def __init__(self, offset: int):
        self.offset = offset


def _open_backup(path: Path):
    """The file's bytes as a binary stream (decompressed when its name ends in .gz); only regular files."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except OSError as e:
        raise UserError(f"cannot read {path} ({e.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise UserError(f"{path} is a folder, not a backup file")
    if not stat.S_ISREG(st.st_mode):
        raise UserError(f"{path} is not a regular file (a device, pipe or socket); give a backup file")
    if st.st_size > MAX_FILE:
        raise UserError(f"{path} is larger than {MAX_FILE // 2**30} GB; an mlpath backup is never this big")
    try:
        raw = open(path, "rb")
    except OSError as e:
        raise UserError(f"cannot read {path} ({e.strerror})") from None
    if path.name.lower().endswith(".gz"):
        return gzip.GzipFile(fileobj=raw, mode="rb"), raw
    return raw, raw


def read_backup_stream(path: Path, stage: history.Staging, pack: str, progress: Progress | None = None
                       ) -> tuple[dict[str, int], LearnerChoices | None]:
    """Read, check and stage a backup file record by record; returns how many records each section holds, and the
    learner's choices (version 3). Every staged record has its pack: its own label (version 2 and later), or
    ``pack`` (a version-1 file, from before packs). ``progress("read", bytes of the file read, its size)`` is called
    as it goes."""
    path = Path(path)
    fh, raw = _open_backup(path)
    on_read = None
    if progress is not None:
        size = os.fstat(raw.fileno()).st_size
        on_read = lambda: progress("read", min(raw.tell(), size), size)  # noqa: E731
    try:
        with raw:
            return _read_document(_Reader(fh, str(path), on_read), stage, pack)
    except _NotBackup as e:
        raise UserError(f"{path}: not an mlpath backup file{e}") from None
    except _Invalid as e:
        raise UserError(f"{path}: not a valid mlpath backup: {e}") from None
    except _BadJson as e:
        where = f"line {e.line}, column {e.column}: " if e.line is not None else ""
        raise UserError(f"{path}: not an mlpath backup file (not valid JSON: {where}{e.message})") from None
    except _NotText as e:
        raise UserError(f"{path}: not an mlpath backup file (not a text file: not UTF-8 at byte {e.offset})") from None
    except _TooBig:
        raise UserError(f"{path}: more than {MAX_FILE // 2**30} GB of data; an mlpath backup is never this big") from None
    except (EOFError, OSError, zlib.error) as e:  # a damaged or truncated .gz, or a read error
        detail = getattr(e, "strerror", None) or str(e).split("\n")[0][:80] or type(e).__name__
        raise UserError(f"cannot read {path} ({detail})") from None


def _read_document(r: _Reader, stage: history.Staging, pack: str) -> tuple[dict[str, int], LearnerChoices | None]:
    first = r.peek()
    if first != "{":
        if not first:
            raise _BadJson("Expecting value", *r.where())
        try:
            r.value()
        except _TooLong:
            pass
        raise _NotBackup(" (no \"format\": \"mlpath-backup\" field)")
    r.pos += 1
    header: dict[str, Any] = {}
    counts: dict[str, int] = {}
    if r.peek() == "}":
        r.pos += 1
    else:
        while True:
            if r.peek() != '"':
                raise r.fail("Expecting property name enclosed in double quotes")
            key = r.value()
            r.expect(":", "':' delimiter")
            if key in SECTIONS:
                if key in counts:
                    raise _Invalid(f"{key}: appears twice")
                counts[key] = _read_section(r, key, stage, header)
            else:
                try:
                    header[key] = value = r.value()
                except _TooLong:
                    raise _Invalid(f"{_show(key)}: a value longer than {MAX_VALUE} characters") from None
                if key in ("format", "version"):
                    _check_header(key, value)
                    if key == "version" and value >= 2:
                        stage.trust_labels()  # the records that follow carry their own pack
            if r.expect(",}", "',' delimiter") == "}":
                break
    if r.peek():
        raise r.fail("Extra data")
    _check_header("format", header.get("format"))
    _check_header("version", header.get("version"))
    for key in SECTIONS:
        if key not in counts:
            raise _Invalid(f"{key}: expected a list")
    if header["version"] == 1:
        stage.label(pack)  # from before packs: the records belong to the pack they are imported into
    else:
        for key, i in stage.unlabelled().items():  # only when the version came after the records
            raise _missing({}, "pack", f"{key}[{i}]")
    learner = _parse_learner(header["learner"]) if header["version"] >= 3 and "learner" in header else None
    return counts, learner


_WS = re.compile(r"[ \t\n\r]*")

# A review record exactly as `export` writes it (keys in its order, its spacing, strings without escapes, numbers
# that plainly fit): matched as text, without building a dict. The pattern checks what it can (ids, the shape of the
# time, rating 1-4, bounded numbers and answer, the flag); _new_names the rest. Anything else - other spacing or
# key order, an escape, a uid, a missing key - is decoded and checked field by field as before, so the pattern only
# ever accepts records the full check accepts, and gives the same values.
_REVIEW_LINE = re.compile(  # ids: the characters and length here, the layout (single dashes) in _new_names
    rf'\{{"pack": "([a-z0-9-]{{1,{MAX_PACK_ID}}})", "question": "([a-z0-9-]{{1,{MAX_ID}}})", '
    rf'"topic": "([a-z0-9-]{{1,{MAX_ID}}})", "area": "([a-z0-9-]{{1,{MAX_ID}}})", '
    r'"reviewed_at": "((?:19[7-9][0-9]|[2-8][0-9]{3})-[01][0-9]-[0-3][0-9])T'
    r'((?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])(\.[0-9]{6})?\+00:00", '
    r'"rating": ([1-4]), "correct": (true|false|null), '
    rf'"answer": (?:null|"([^"\\\x00-\x1f]{{0,{MAX_ANSWER}}})"), '
    r'"response_ms": (?:null|(0|[1-9][0-9]{0,17})), "seed": (?:null|(-?(?:0|[1-9][0-9]{0,17}))), '
    r'"flag": (?:null|"(dont_know|typo|overridden)")\}[ \t\n\r]*(,?)[ \t\n\r]*', re.ASCII)
_BOOLS = {"true": 1, "false": 0, "null": None}  # (SQLite stores true as 1 either way; an int binds faster)


def _new_names(m: re.Match, names: set, days: set) -> bool:
    """Whether the ids (pack, question, topic, area) and the date of a review matched by _REVIEW_LINE are good:
    ids of single dashes between lowercase letters and digits, a real date. ``names`` and ``days`` hold those
    found good already (a few thousand in a whole history), and get these."""
    pack, question, topic, area, day = m.group(1, 2, 3, 4, 5)
    for name in (pack, question, topic, area):
        if name not in names and not _ID.fullmatch(name):
            return False
    if day not in days:
        try:
            date.fromisoformat(day)
        except ValueError:
            return False
    if len(names) < 100_000:
        names.update((pack, question, topic, area))
    if len(days) < 100_000:
        days.add(day)
    return True


class _Slow(Exception):
    pass


def _review_fast(rec: dict, ids: set) -> tuple | None:
    """``_parse_review`` for a record that is plainly valid (as mlpath writes them), without building messages;
    None for anything else (then ``_parse_review`` says what is wrong). ``ids`` holds ids already checked."""
    get = rec.get
    q, t, a = get("question"), get("topic"), get("area")
    for value in (q, t, a):
        if type(value) is not str:
            return None
        if value not in ids:
            if len(value) > MAX_ID or not _ID.fullmatch(value):
                return None
            if len(ids) < 100_000:
                ids.add(value)
    rating, correct, answer, ms, seed = get("rating"), get("correct"), get("answer"), get("response_ms"), get("seed")
    if type(rating) is not int or not 1 <= rating <= 4:
        return None
    if correct is not None and type(correct) is not bool:
        return None
    if answer is not None and (type(answer) is not str or len(answer) > MAX_ANSWER):
        return None
    if ms is not None and (type(ms) is not int or not 0 <= ms <= MAX_INT):
        return None
    if seed is not None and (type(seed) is not int or not -MAX_INT - 1 <= seed <= MAX_INT):
        return None
    at = get("reviewed_at")
    if type(at) is not str or not (m := _UTC_TIME.fullmatch(at)) or not EARLIEST <= at < LATEST:
        return None
    try:
        datetime.fromisoformat(at)
    except ValueError:
        return None
    flag = get("flag")
    if flag is not None and flag not in REVIEW_FLAGS:
        return None
    if get("uid") is not None:
        return None  # checked by _parse_review
    return q, t, a, f"{at[:10]} {at[11:19]}{m[1] or '.000000'}", rating, correct, answer, ms, seed, flag, None


def _read_section(r: _Reader, key: str, stage: history.Staging, header: dict) -> int:
    if r.peek() != "[":
        try:
            r.value()
        except _TooLong:
            pass
        raise _Invalid(f"{key}: expected a list")
    r.pos += 1
    ids: set = set()
    packs: set = set()  # pack labels already checked
    # a version-1 file's records have no pack (any "pack" key is not theirs): the staging gives them one later;
    # when the version comes after the sections, a label is checked if present (a version-2 file needs one)
    labelled = header.get("version") != 1
    rows: list[tuple] = []
    i = 0
    if r.peek() == "]":
        r.pos += 1
        return 0
    ws = _WS.match
    line = _REVIEW_LINE.match if key == "reviews" else None
    good: set = set()  # ids of reviews already found good
    days: set = set()  # and dates
    buf, pos, n = r.buf, r.pos, len(r.buf)
    bools, append = _BOOLS, rows.append
    pos = ws(buf, pos).end()
    while True:
        # the common case, a whole record in the buffer, without the reader's bookkeeping; a review as export
        # writes it is matched as text (with the white space and comma after it)
        if line is not None and (m := line(buf, pos)) is not None and (
                ((g := m.groups())[1] in good and g[2] in good and g[3] in good and g[0] in good and g[4] in days)
                or _new_names(m, good, days)):
            pack, q, t, a, day, clock, frac, rating, correct, answer, ms, seed, flag, comma = g
            append((pack if labelled else None, q, t, a, f"{day} {clock}{frac or '.000000'}", int(rating),
                    bools[correct], answer, None if ms is None else int(ms), None if seed is None else int(seed),
                    flag))  # no uid: the staging leaves it NULL
            pos = m.end()
            i += 1
            if len(rows) >= STAGE_ROWS:
                stage.add(key, rows)
                rows = []
                append = rows.append
            if comma:
                continue
        else:
            pos = _read_record(r, key, i, buf, pos, n, rows, ids, packs, labelled, header)
            buf, n = r.buf, len(r.buf)
            if line is not None:  # reviews: staged without the uid when there is none (as the pattern's are)
                row = rows.pop()
                if row[-1] is None:
                    append(row[:-1])
                else:
                    stage.add(key, rows)
                    stage.add(key, [row])
                    rows = []
                    append = rows.append
            i += 1
            if len(rows) >= STAGE_ROWS:
                stage.add(key, rows)
                rows = []
                append = rows.append
            pos = ws(buf, pos).end()
        c = buf[pos] if pos < n else ""
        if c == ",":
            pos = ws(buf, pos + 1).end()
            continue
        if c != "]":
            r.pos = pos
            c = r.expect(",]", "',' delimiter")
            buf, pos, n = r.buf, r.pos, len(r.buf)
            if c == ",":
                pos = ws(buf, pos).end()
                continue
        else:
            pos += 1
        break
    r.pos = pos
    if rows:
        stage.add(key, rows)
    return i


def _read_record(r: _Reader, key: str, i: int, buf: str, pos: int, n: int, rows: list, ids: set, packs: set,
                 labelled: bool, header: dict) -> int:
    """Decode and check the record of a section at ``buf[pos]`` (``buf`` is ``r.buf``, ``n`` its length), append
    its staged row to ``rows``; returns the position after it in ``r.buf`` (which may have moved on)."""
    try:
        if pos >= n:
            raise _Slow
        rec, end = r.scan(buf, pos)
        if end >= n or end - pos > MAX_VALUE:
            raise _Slow
        pos = end
    except (_Slow, ValueError, RecursionError):
        r.pos = pos
        try:
            rec = r.value()
        except _TooLong:
            raise _Invalid(f"{key}[{i}]: a record longer than {MAX_VALUE} characters") from None
        pos = r.pos
    row = _review_fast(rec, ids) if key == "reviews" and type(rec) is dict else None
    if row is None:
        where = f"{key}[{i}]"
        if type(rec) is not dict:
            raise _Invalid(f"{where}: expected an object")
        row = _PARSERS[key](rec, where)
    label = None
    if labelled:
        label = rec.get("pack")
        if type(label) is not str or label not in packs:  # (anything but a string is refused below)
            if label is None and header.get("version") is None:
                pass  # perhaps a version-1 file whose version comes last: decided at the end
            else:
                label = _pack_label(rec, f"{key}[{i}]")
                if len(packs) < 10_000:
                    packs.add(label)
    rows.append((label, *row))
    return pos


def _renames(s, stage: history.Staging) -> None:
    """Follow ``replaces:`` of each record's own pack, so a backup made before a rename lands on the new ids (and
    a rename in one pack never moves another pack's records)."""
    from mlpath.store.content_cache import pack_roadmap

    for pack in stage.packs():
        roadmap = s.roadmap_or_none() if pack == s.pack else None
        roadmap = roadmap or pack_roadmap(s.conn, pack)
        topics = {old: (t.id, t.area) for t in roadmap.topics for old in t.replaces} if roadmap is not None else {}
        questions = history.question_renames(s.conn, pack)
        if topics or questions:
            stage.rename(pack, topics, questions)


def read_backup(path: Path, pack: str) -> dict[str, list[dict]]:
    """A whole backup file checked and loaded into memory (small files and tests; `import` streams), each record
    labelled with its pack (``pack`` for a version-1 file)."""
    path = Path(path)
    fh, raw = _open_backup(path)
    with raw:
        data = fh.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise UserError(f"{path}: more than {MAX_FILE // 2**30} GB of data; an mlpath backup is never this big")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise UserError(f"{path}: not an mlpath backup file (not a text file)") from None
    except (json.JSONDecodeError, RecursionError, ValueError) as e:
        raise UserError(f"{path}: not an mlpath backup file (not valid JSON: {str(e)[:120]})") from None
    try:
        return parse_backup(doc, pack)
    except _Invalid as e:
        raise UserError(f"{path}: {e}") from None


def import_backup(s, path: Path, all_packs: bool = False, progress: Progress | None = None) -> dict[str, Any]:
    """Merge a backup into the database: nothing is duplicated, and on any error nothing is changed. Takes the
    records of the session's pack, or with ``all_packs`` every record (each into its own pack). The file is read
    as a stream into staging tables (memory stays small), then merged in one transaction. ``progress`` hears of
    the stages: "read" (bytes of the file, its size), then "merge" (no measure)."""
    path = Path(path)
    s.roadmap_or_none()  # read (and cached) before the staging transaction opens: reading it may write the cache
    try:
        return _import_backup(s, path, all_packs, leave_out=True, progress=progress)
    except history.Restart:  # leaving out stored reviews turned out unsafe: stage every one (rare)
        return _import_backup(s, path, all_packs, leave_out=False, progress=progress)


def _import_backup(s, path: Path, all_packs: bool, leave_out: bool, progress: Progress | None = None
                   ) -> dict[str, Any]:
    scope = None if all_packs else s.pack
    stored = history.StoredReviews(s.conn, None if all_packs else {s.pack}) if leave_out else None
    with history.Staging(s.conn, stored) as stage, cache_pages(s.conn, IMPORT_CACHE):
        in_file, learner = read_backup_stream(path, stage, s.pack, progress)
        if progress is not None:
            progress("merge", 0, None)
        left_out = {key: 0 for key in SECTIONS} if all_packs else stage.keep_pack(s.pack)
        _renames(s, stage)
        packs = stage.packs()
        stage.ready()
        before = queries.review_count(s.conn, scope)
        taken: dict[str, Any] = {"settings": 0, "memory_model": False}
        try:
            added = history.merge_staged(
                s.conn, s.now, stage.review_names, None if learner is None else lambda conn: taken.update(
                    _take_learner(s, conn, learner, packs if all_packs else [s.pack])), stored)
        except history.MissingCard as e:
            raise UserError(f"{path}: not a valid mlpath backup: a review of {e.question_id!r} has no card; "
                            "nothing was imported") from None
    return {"file": str(path), "added": added, "reviews_before": before,
            "reviews_after": queries.review_count(s.conn, scope), "in_file": {key: in_file[key] for key in SECTIONS},
            "pack": scope, "all_packs": all_packs, "packs": packs, "left_out": left_out,
            "settings_taken": taken["settings"], "memory_model_taken": taken["memory_model"]}


def _take_learner(s, conn, learner: LearnerChoices, packs: list[str]) -> dict[str, Any]:
    """Inside the import's transaction: the settings this device has not chosen, for the packs imported into; and
    the backup's memory model if it was chosen later than this device's, every card rescheduled with it."""
    from mlpath.app.optimize import use_choice
    from mlpath.store import parameters

    settings = sum(queries.add_missing_learner_settings(conn, pack, learner.settings.get(pack, {}))
                   for pack in packs)
    model = learner.memory_model
    mine = parameters.choice(conn)
    taken = model is not None and (mine is None or model.changed_at > mine.changed_at)
    if taken:
        use_choice(s, model, in_transaction=True)
    return {"settings": settings, "memory_model": taken}
