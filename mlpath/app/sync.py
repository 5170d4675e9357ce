"""`mlpath sync`: the local database stays the working copy; a sync merges it with the learner's log on the
server. Reviews are a union, each exactly once (by its id); card states are recomputed by replaying the merged
log in time order with the learner's parameters; a topic's status follows the latest change, by its time.

The steps, each committed on its own and each resumable: pull what other devices pushed (local rows and the pull
position in one transaction), push what this device has not pushed (the server's rows and head in one server
transaction, then the push position locally), recompute the cards and topics the merged rows touched (marked in
the same transactions as the rows). Killed, disconnected or run twice at once, the next sync completes.
"""

from __future__ import annotations

import math
import os
import stat
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from mlpath import paths
from mlpath.app.session import Session
from mlpath.errors import MlpathError, UserError

BATCH = 5000
INT64 = 2 ** 63


def _local_pack(s: Session) -> str:
    """The pack this sync covers: the session's (the active pack, or --pack / MLPATH_CONTENT's)."""
    return s.pack


@dataclass(frozen=True)
class SyncResult:
    server: str  # the URL without its password
    learner: str
    pack: str
    pushed_reviews: int  # new to the server
    pulled_reviews: int  # new to this device
    pushed_status_events: int
    pulled_status_events: int
    cards_recomputed: int
    topics_recomputed: int
    reviews: int  # reviews on this device after the sync
    warnings: tuple[str, ...] = ()
    # the memory model (`mlpath optimize`) shared by the learner's devices: "sent" (this device's newer choice went
    # to the server), "received" (another device's newer one is used here now, every card rescheduled),
    # "unchanged", or "unavailable" (the server's class schema predates it)
    memory_model: str = "unchanged"


def sync_url(s: Session) -> tuple[str, str]:
    """(URL, where it came from): MLPATH_SYNC_URL, else config.toml's sync_url."""
    env = os.environ.get("MLPATH_SYNC_URL")
    if env:
        return env, "MLPATH_SYNC_URL"
    if s.settings.sync_url:
        return s.settings.sync_url, str(paths.config_file())
    raise UserError(f"no sync server set: put sync_url = \"postgresql://USER:PASSWORD@HOST:5432/DATABASE\" in "
                    f"{paths.config_file()} or set MLPATH_SYNC_URL (a teacher or admin gets you one with "
                    "`mlpath class add-learner`)")


def _config_warning(server, source: str) -> tuple[str, ...]:
    if source == "MLPATH_SYNC_URL" or not server.has_password:
        return ()
    try:
        mode = os.stat(source).st_mode
    except OSError:
        return ()
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return (f"{source} holds a password and other users can read it; run: chmod 600 {source}",)
    return ()


@contextmanager
def _device_lock():
    """One sync at a time per data folder (a second one waits); the server copes with several devices."""
    from mlpath.files import exclusive_lock

    lock_path = paths.home() / "sync.lock"
    try:
        with exclusive_lock(lock_path):
            yield
    except OSError as e:
        if e.filename != str(lock_path):
            raise
        raise UserError(f"cannot open the lock file {lock_path} ({e.strerror})") from None


def _clean_review(row: tuple) -> tuple:
    uid, question, topic, area, at, rating, correct, answer, ms, seed = row
    if answer is not None and len(answer) > 10000:
        answer = answer[:10000]
    if seed is not None and not -INT64 <= seed < INT64:
        seed = None
    return uid, question, topic, area, at, rating, correct, answer, ms, seed


def _id(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 200


def _pulled_review(row: tuple) -> tuple | None:
    """A review as the server sent it, checked (the server is another machine: bounded and validated), with its
    time in UTC; None for a row that is not a review this mlpath could have written."""
    from mlpath.core.review_ids import is_review_uid
    from mlpath.server.sync import utc

    uid, question, topic, area, at, rating, correct, answer, ms, seed = row
    if not (is_review_uid(uid) and _id(question) and _id(topic) and _id(area) and isinstance(at, datetime)
            and at.tzinfo is not None and rating in (1, 2, 3, 4) and correct in (None, True, False)
            and (answer is None or isinstance(answer, str) and len(answer) <= 10000)
            and (ms is None or isinstance(ms, int) and ms >= 0) and (seed is None or isinstance(seed, int))):
        return None
    return uid, question, topic, area, utc(at), rating, correct, answer, ms, seed


def _pulled_event(row: tuple) -> tuple | None:
    from mlpath.core.model import STATUSES
    from mlpath.server.sync import utc

    topic, area, status, at = row
    if not (_id(topic) and _id(area) and status in STATUSES and isinstance(at, datetime) and at.tzinfo is not None):
        return None
    return topic, area, status, utc(at)


SYNC_CACHE = 32 * 2**20  # bytes of SQLite page cache while syncing


def sync(s: Session, progress: Callable[[str, int, int | None], None] | None = None) -> SyncResult:
    """Merge this device's history of the session's pack with the server's. ``progress(stage, done, total)`` hears
    how far a long sync is: "pull" (reviews and status changes pulled), "push" (reviews pushed), "cards" (cards
    replayed)."""
    import psycopg

    from mlpath.server import connection
    from mlpath.server import sync as remote
    from mlpath.store import sync_local as local

    url, source = sync_url(s)
    server = connection.parse_url(url, "sync URL" if source == "MLPATH_SYNC_URL" else f"sync_url in {source}")
    warnings = _config_warning(server, source)
    pack = _local_pack(s)
    from mlpath.store.db import cache_pages

    # a long log pulled or pushed at once (a first sync) keeps its indexes' pages in memory
    with _device_lock(), cache_pages(s.conn, SYNC_CACHE):
        conn, who = remote.open_learner(server)
        try:
            key = who.instance
            counts = {"pushed_reviews": 0, "pulled_reviews": 0, "pushed_status_events": 0, "pulled_status_events": 0}
            try:
                model = _exchange_memory_model(s, conn, who)
                if model == "unavailable":
                    warnings += ("the sync server's class schema is older than this mlpath's, so your memory model "
                                 "(`mlpath optimize`) is not shared between your devices until the class's admin runs "
                                 "`mlpath class init`",)
                local.fill_missing_uids(s.conn)
                review_head, event_head = remote.heads(conn)
                pos = local.position(s.conn, key, pack)
                if pos.pulled_review > review_head or pos.pulled_event > event_head:
                    local.restart(s.conn, key, pack)  # the server lost rows it had: push everything again
                    pos = local.position(s.conn, key, pack)
                # pull
                todo = max(0, review_head - pos.pulled_review) + max(0, event_head - pos.pulled_event)
                done = 0
                for kind, start, head, store, count in (
                        ("review", pos.pulled_review, review_head, local.pulled_reviews, "pulled_reviews"),
                        ("status_event", pos.pulled_event, event_head, local.pulled_events, "pulled_status_events")):
                    for last, rows in remote.pull(conn, kind, pack, start, head, BATCH):
                        rows = [_pulled_review(r) if kind == "review" else _pulled_event(r) for r in rows]
                        counts[count] += store(s.conn, key, pack, [r for r in rows if r is not None], last, s.now)
                        if progress is not None:  # (positions count the rows of all your packs: a bound)
                            progress("pull", min(todo, done + last - start), todo)
                    done += max(0, head - start)
                    if head > start:
                        local.set_pulled(s.conn, key, pack, kind, head)
                # push
                to_push = local.unpushed_count(s.conn, pack, local.position(s.conn, key, pack).pushed_review) \
                    if progress is not None else 0
                sent = 0
                while True:
                    after = local.position(s.conn, key, pack).pushed_review
                    batch = local.unpushed_reviews(s.conn, pack, after, BATCH)
                    if not batch:
                        break
                    before, head, added = remote.push(conn, "review", pack, [_clean_review(r) for _, r in batch])
                    local.pushed(s.conn, key, pack, "review", batch[-1][0], before, head, [r[1] for _, r in batch])
                    counts["pushed_reviews"] += added
                    sent += len(batch)
                    if progress is not None:
                        progress("push", min(sent, to_push), to_push)
                while True:
                    after = local.position(s.conn, key, pack).pushed_event
                    batch = local.unpushed_events(s.conn, pack, after, BATCH)
                    if not batch:
                        break
                    before, head, added = remote.push(conn, "status_event", pack, [r for _, r in batch])
                    local.pushed(s.conn, key, pack, "status_event", batch[-1][0], before, head,
                                 [r[0] for _, r in batch])
                    counts["pushed_status_events"] += added
            except psycopg.errors.InsufficientPrivilege as e:
                raise UserError(f"the sync server {server.shown} refused: {connection._reason(e)}") from None
            except psycopg.OperationalError as e:
                raise connection.lost(server, e) from None
            except psycopg.Error as e:
                raise connection.refused(server, e) from None
        finally:
            conn.close()
        cards = _recompute_cards(s, pack, progress=progress)
        topics = _recompute_topics(s, pack)
        local.finish(s.conn, key, pack, s.now)
    from mlpath.store import queries

    return SyncResult(server.shown, who.learner, pack, counts["pushed_reviews"], counts["pulled_reviews"],
                      counts["pushed_status_events"], counts["pulled_status_events"], cards, topics,
                      queries.review_count(s.conn, pack), warnings, model)


def _finite(value) -> bool:
    return isinstance(value, float) and math.isfinite(value)


def _pulled_model(row: tuple):
    """The server's memory model row checked as untrusted input, as a parameters.Choice; None if it is not one."""
    from mlpath.server.sync import utc
    from mlpath.store import parameters as stored

    changed, weights, fitted, reviews, trained_on, *metrics, calibration = row
    if not (isinstance(changed, datetime) and changed.tzinfo is not None):
        return None
    if weights is None:
        return stored.Choice(utc(changed), None)
    if not (isinstance(weights, list) and len(weights) == stored.N_PARAMETERS and all(map(_finite, weights))
            and isinstance(fitted, datetime) and fitted.tzinfo is not None
            and all(isinstance(n, int) and 0 <= n < INT64 for n in (reviews, trained_on))
            and all(map(_finite, metrics)) and (calibration is None or isinstance(calibration, str))):
        return None
    return stored.Choice(utc(changed), stored.StoredParameters(
        0, tuple(weights), utc(fitted), reviews, trained_on, *metrics, stored.parse_calibration(calibration)))


def _exchange_memory_model(s: Session, conn, who) -> str:
    """Share the learner's memory model: the newer choice (a fit adopted, or a reset to the defaults) wins; a
    device that receives one reschedules every card with it, in the transaction that adopts it."""
    import json

    from mlpath.app.optimize import use_choice
    from mlpath.server import connection
    from mlpath.server import sync as remote
    from mlpath.store import parameters as stored

    if not connection.has_memory_model(who.schema):
        return "unavailable"
    mine = stored.choice(s.conn)
    row = remote.memory_model(conn)
    theirs = _pulled_model(row) if row is not None else None
    if row is not None and theirs is None:
        raise MlpathError("the sync server holds a memory model this mlpath could not have written; nothing was "
                          "changed here (the class's admin can check the server)")
    if mine is not None and (theirs is None or mine.changed_at > theirs.changed_at):
        fit = mine.fit
        values = (mine.changed_at, None, None, None, None, None, None, None, None, None) if fit is None else (
            mine.changed_at, list(fit.parameters), fit.fitted_at, fit.reviews, fit.trained_on, fit.log_loss,
            fit.rmse_bins, fit.previous_log_loss, fit.previous_rmse_bins,
            json.dumps([list(b) for b in fit.calibration]))
        return "sent" if remote.offer_memory_model(conn, values) else "unchanged"
    if theirs is not None and (mine is None or theirs.changed_at > mine.changed_at):
        use_choice(s, theirs)
        return "received"
    return "unchanged"


def _recompute_cards(s: Session, pack: str, chunk: int = 500,
                     progress: Callable[[str, int, int | None], None] | None = None) -> int:
    """Replay every marked card's merged log, in time order, with the learner's parameters."""
    from mlpath.core.scheduling import replay_counted
    from mlpath.store import sync_local as local

    questions = local.pending(s.conn, pack, "card")
    done = 0
    for i in range(0, len(questions), chunk):
        if progress is not None:
            progress("cards", i, len(questions))
        states = []
        part = questions[i:i + chunk]
        for question, card_id, created, log in local.card_logs(s.conn, pack, part):
            if not log:
                continue
            created = min(created, log[0][1])
            state, reps, lapses = replay_counted(log, created, s.settings.desired_retention, s.parameters)
            states.append((question, card_id, state, reps, lapses, created))
        local.write_cards(s.conn, pack, states, part)
        done += len(states)
    return done


def status_from_events(events: list[tuple[str, datetime]]) -> tuple | None:
    """A topic's status row after its events in time order, as `mlpath start/done/skip/reset` write it:
    (status, started_at, finished_at, updated_at), or None when the latest change is a reset."""
    state = None
    for status, at in events:
        if status == "not_started":
            state = None
            continue
        started = state[1] if state is not None and state[1] is not None else (
            at if status in ("in_progress", "done") else None)
        state = (status, started, at if status in ("done", "skipped") else None, at)
    return state


def _recompute_topics(s: Session, pack: str) -> int:
    from mlpath.store import sync_local as local

    rows = []
    marked = local.pending(s.conn, pack, "topic")
    for topic in marked:
        events, row = local.topic_events(s.conn, pack, topic)
        if not events:
            continue
        if row is not None and row[1] > events[-1][1]:
            rows.append((topic, _keep(s, pack, topic)))  # a status newer than every event (from an old backup) stays
            continue
        rows.append((topic, status_from_events(events)))
    local.write_statuses(s.conn, pack, rows, marked)
    return len(rows)


def _keep(s: Session, pack: str, topic: str) -> tuple:
    from mlpath.store import queries

    info = queries.status_info(s.conn, pack, topic)
    return (info.status, info.started_at, info.finished_at, info.updated_at)
