"""`mlpath optimize`: fit FSRS to the learner's own reviews, check the fit on held-out reviews before adopting it,
reschedule every card from its history, and advise a desired retention from the learner's own memory model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mlpath import paths
from mlpath.app import config
from mlpath.app.session import Session
from mlpath.core import fitting
from mlpath.errors import UserError
from mlpath.store import parameters as stored

@dataclass(frozen=True)
class Provenance:
    """Where the parameters in use come from."""

    source: str  # "defaults" | "fitted"
    fitted_at: datetime | None = None
    reviews: int | None = None
    log_loss: float | None = None
    rmse_bins: float | None = None
    parameters: tuple[float, ...] | None = None


@dataclass(frozen=True)
class CalibrationBin:
    low: float  # predicted recall from ...
    high: float  # ... to
    reviews: int
    predicted: float  # mean predicted recall in the bin
    actual: float  # share of those reviews recalled


@dataclass(frozen=True)
class CurvePoint:
    days: float
    recall: float


@dataclass(frozen=True)
class MemoryModel:
    """What `stats` shows of the memory model: where the parameters come from, how well they predicted the
    learner's held-out reviews (stored when they were fitted), and the forgetting curve of a typical card."""

    provenance: Provenance
    calibration: list[CalibrationBin]
    curve: list[CurvePoint]
    typical_stability: float  # days: the stability of a card after its first Good answer


def memory_model(s: Session) -> MemoryModel:
    row = stored.active(s.conn)
    if row is None:
        prov, params, bins = Provenance("defaults"), None, []
    else:
        prov = Provenance("fitted", row.fitted_at, row.reviews, row.log_loss, row.rmse_bins, row.parameters)
        params, bins = row.parameters, [CalibrationBin(*b) for b in row.calibration]
    weights = params or fitting.default_parameters()
    curve = [CurvePoint(p.days, p.retrievability) for p in fitting.memory_curve(params)]
    return MemoryModel(prov, bins, curve, float(weights[2]))


@dataclass(frozen=True)
class Check:
    log_loss: float
    rmse_bins: float
    reviews: int


@dataclass(frozen=True)
class Optimized:
    reviews: int  # explicit reviews in the history
    long_term: int  # of which a day or more after the card's previous review (what FSRS learns from)
    held_out_from: datetime  # reviews from here on checked the fit
    current: Provenance
    current_check: Check
    new_check: Check
    better: bool
    adopted: bool
    dry_run: bool
    rescheduled: int  # cards whose due date moved
    parameters: tuple[float, ...]  # the adopted (or, when not adopted, the candidate) parameters


@dataclass(frozen=True)
class Reset:
    was_fitted: bool
    rescheduled: int


@dataclass(frozen=True)
class RetentionRow:
    retention: float
    reviews_per_day: float
    minutes_per_day: float
    minutes_per_card: float


@dataclass(frozen=True)
class RetentionAdvice:
    rows: list[RetentionRow]
    recommended: float
    current: float
    applied: bool
    parameters_source: str


def _require_fitting() -> None:
    if not fitting.available():
        raise UserError("optimising needs the fsrs-rs-python package, which has no build for this platform; "
                        "everything else works with FSRS's default parameters")


def provenance(s: Session) -> Provenance:
    row = stored.active(s.conn)
    if row is None:
        return Provenance("defaults")
    return Provenance("fitted", row.fitted_at, row.reviews, row.log_loss, row.rmse_bins, row.parameters)


def _events(s: Session) -> list[fitting.ReviewEvent]:
    return [fitting.ReviewEvent(card, at, rating) for card, at, rating in stored.explicit_reviews(s.conn)]


PARALLEL_REVIEWS = 50_000  # above this many reviews, rescheduling replays the cards on every core


_HISTORIES: dict = {}  # the histories being replayed, inherited by forked workers (nothing large is pickled)


def _replay_chunk(args):
    keys, weights, retention = args
    return fitting.reschedule({k: _HISTORIES[k] for k in keys}, weights, retention)


def reschedule_all(histories: dict, weights: tuple[float, ...] | None, retention: float) -> dict:
    """fitting.reschedule, split over the machine's cores when the history is long (each card replays alone)."""
    import multiprocessing
    import os

    workers = min(os.cpu_count() or 1, 8)
    reviews = sum(len(h.reviews) for h in histories.values())
    if workers < 2 or reviews < PARALLEL_REVIEWS or "fork" not in multiprocessing.get_all_start_methods():
        return fitting.reschedule(histories, weights, retention)
    from concurrent.futures import ProcessPoolExecutor

    keys = sorted(histories, key=lambda k: -len(histories[k].reviews))
    chunks = [keys[i::workers] for i in range(workers)]  # similar work in each
    out: dict = {}
    _HISTORIES.clear()
    _HISTORIES.update(histories)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for part in pool.map(_replay_chunk, [(c, weights, retention) for c in chunks]):
                out.update(part)
    except (OSError, RuntimeError):  # no processes to be had (a sandbox): replay here
        return fitting.reschedule(histories, weights, retention)
    finally:
        _HISTORIES.clear()
    return out


def rescheduled_states(s: Session, weights: tuple[float, ...] | None) -> tuple[list, int]:
    """Every card replayed from its own review log with ``weights``; and how many due dates move."""
    from mlpath.store.db import to_db

    histories = {cid: fitting.CardHistory(created, log) for cid, (created, log) in stored.card_histories(s.conn).items()}
    states = reschedule_all(histories, weights, s.settings.desired_retention)
    before = stored.due_dates(s.conn)
    moved = sum(1 for cid, st in states.items() if before.get(cid) != to_db(st.due))
    return list(states.items()), moved


def use_choice(s: Session, choice: "stored.Choice", in_transaction: bool = False) -> None:
    """Switch to a memory model chosen elsewhere (another device's, a backup's): its fit, or the defaults after a
    reset, remembered with when it was chosen; every card is rescheduled with it. ``in_transaction``: inside a
    transaction the caller holds (an import's)."""
    fit = choice.fit
    states, _moved = rescheduled_states(s, None if fit is None else fit.parameters)
    if fit is None:
        (stored.reset_in if in_transaction else stored.reset)(s.conn, states, at=choice.changed_at)
        return
    (stored.adopt_in if in_transaction else stored.adopt)(
        s.conn, fit.parameters, fitted_at=fit.fitted_at, reviews=fit.reviews, trained_on=fit.trained_on,
        log_loss=fit.log_loss, rmse_bins=fit.rmse_bins, previous_log_loss=fit.previous_log_loss,
        previous_rmse_bins=fit.previous_rmse_bins, card_states=states, calibration=list(fit.calibration))


def optimize(s: Session, *, dry_run: bool = False) -> Optimized:
    """Fit, compare with the parameters in use on the latest 20% of the history, adopt only if better."""
    _require_fitting()
    events = _events(s)
    current = provenance(s)
    try:
        result = fitting.optimize(events, current.parameters)
    except fitting.NotEnoughReviews as e:
        raise UserError(f"not enough reviews to fit your memory model yet: {e.needed} more reviews given a day or "
                        f"more after the card's previous one are needed (you have {e.have}); keep reviewing "
                        "and try again") from None
    cmp = result.comparison
    adopt = result.adopt if (result.adopt is not None and not dry_run) else None
    moved = 0
    if adopt is not None:
        weights = tuple(float(w) for w in adopt.parameters)
        bins = fitting.calibration(result.candidate.parameters, events, bins=10, since=result.cutoff)
        states, moved = rescheduled_states(s, weights)
        stored.adopt(s.conn, weights, fitted_at=s.now, reviews=len(events), trained_on=adopt.trained_on,
                     log_loss=cmp.new.log_loss, rmse_bins=cmp.new.rmse_bins,
                     previous_log_loss=cmp.current.log_loss, previous_rmse_bins=cmp.current.rmse_bins,
                     card_states=states, calibration=[tuple(b) for b in bins])
    shown = result.adopt if result.adopt is not None else result.candidate
    return Optimized(
        reviews=len(events), long_term=fitting.long_term_reviews(events), held_out_from=result.cutoff,
        current=current, current_check=Check(*cmp.current), new_check=Check(*cmp.new), better=cmp.better,
        adopted=adopt is not None, dry_run=dry_run, rescheduled=moved,
        parameters=tuple(float(w) for w in shown.parameters))


def reset(s: Session) -> Reset:
    """Back to FSRS's default parameters; every card is rescheduled from its history with them."""
    was = stored.active(s.conn) is not None
    moved = 0
    if was:
        states, moved = rescheduled_states(s, None)
        stored.reset(s.conn, states, at=s.now)
    return Reset(was, moved)


def retention_advice(s: Session, *, apply: bool = False) -> RetentionAdvice:
    """Simulated daily work at desired retentions 0.70-0.97 with the learner's parameters; the least work per
    remembered card is recommended. ``apply`` writes it to config.toml."""
    _require_fitting()
    current = provenance(s)
    cards = s.conn.execute("SELECT COUNT(*) FROM question WHERE active").fetchone()[0]
    advice = fitting.retention_advice(current.parameters, deck_size=max(cards, 100))
    rows = [RetentionRow(r.retention, r.reviews_per_day, r.minutes_per_day, r.minutes_per_card) for r in advice.rows]
    if apply:
        config.set_value(paths.config_file(), "desired_retention", advice.recommended)
    return RetentionAdvice(rows, advice.recommended, s.settings.desired_retention, apply, current.source)
