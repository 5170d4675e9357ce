"""The database schema, defined once as SQLModel tables. Alembic migrations are checked against it in tests.

Everything a learner stores is keyed by pack (a roadmap's ``pack.yaml`` id): topic and question ids are unique only
within their pack, and every foreign key between them is (pack, id), so two packs never share progress, cards or
renames. Topic and question rows are never deleted: a topic or question that leaves the content is marked inactive,
so a learner's history stays. Renames (``replaces:`` in content) update ids in place inside their pack; foreign
keys cascade the change.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, ForeignKeyConstraint, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel


def _in_pack(columns: tuple[str, str], target: str) -> ForeignKeyConstraint:
    """(pack, id) -> the (pack, id) of ``target``: a row refers only to rows of its own pack."""
    return ForeignKeyConstraint(list(columns), [f"{target}.pack", f"{target}.id"], onupdate="CASCADE")


class TopicRow(SQLModel, table=True):
    __tablename__ = "topic"
    pack: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    title: str
    area: str
    active: bool = True
    first_seen: datetime


class TopicStatus(SQLModel, table=True):
    __tablename__ = "topic_status"
    __table_args__ = (_in_pack(("pack", "topic_id"), "topic"),)
    pack: str = Field(primary_key=True)
    topic_id: str = Field(primary_key=True)
    status: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    updated_at: datetime


class StatusEvent(SQLModel, table=True):
    __tablename__ = "status_event"
    __table_args__ = (_in_pack(("pack", "topic_id"), "topic"), Index("ix_status_event_pack_topic", "pack", "topic_id"))
    id: int | None = Field(default=None, primary_key=True)
    pack: str
    topic_id: str
    status: str
    at: datetime


class QuestionRow(SQLModel, table=True):
    __tablename__ = "question"
    __table_args__ = (_in_pack(("pack", "topic_id"), "topic"), Index("ix_question_pack_topic", "pack", "topic_id"))
    pack: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    topic_id: str
    kind: str
    data: str  # the validated question as JSON
    active: bool = True


class CardRow(SQLModel, table=True):
    __tablename__ = "card"
    __table_args__ = (_in_pack(("pack", "question_id"), "question"), UniqueConstraint("pack", "question_id"),
                      Index("ix_card_pack_due", "pack", "due"))
    id: int | None = Field(default=None, primary_key=True)
    pack: str
    question_id: str
    state: int
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime
    last_review: datetime | None = None
    created_at: datetime
    reps: int = 0
    lapses: int = 0


class ReviewRow(SQLModel, table=True):
    __tablename__ = "review"
    __table_args__ = (_in_pack(("pack", "question_id"), "question"), _in_pack(("pack", "topic_id"), "topic"),
                      Index("ix_review_pack_topic_at", "pack", "topic_id", "reviewed_at"),
                      Index("ix_review_uid", "uid", unique=True),
                      Index("ix_review_pack_question_at", "pack", "question_id", "reviewed_at"))
    id: int | None = Field(default=None, primary_key=True)
    card_id: int = Field(sa_column=Column(Integer, ForeignKey("card.id"), nullable=False, index=True))
    pack: str
    question_id: str
    topic_id: str
    reviewed_at: datetime = Field(index=True)
    rating: int
    correct: bool | None = None
    answer: str | None = None
    response_ms: int | None = None
    seed: int | None = None
    flag: str | None = None  # "dont_know" (no guess), "typo" (accepted, graded Hard), "overridden" ("I was right")
    # unique across devices (mlpath.core.review_ids); NULL only for a row written without one, which `mlpath
    # sync` fills in before pushing
    uid: str | None = None


class ReviewHour(SQLModel, table=True):
    """Answers per pack and UTC hour (``hour`` is the first 13 characters of ``reviewed_at``), kept equal to a
    recount of ``review`` by triggers (migration 0010_stats; see store/aggregates.py)."""

    __tablename__ = "review_hour"
    pack: str = Field(primary_key=True)
    hour: str = Field(primary_key=True)
    answers: int
    correct: int  # answered right: ``correct``, or for rows without it a rating above Again


class ReviewTally(SQLModel, table=True):
    """Answers per pack, question and topic, kept by the same triggers; ``passed`` counts ratings above Again."""

    __tablename__ = "review_tally"
    pack: str = Field(primary_key=True)
    question_id: str = Field(primary_key=True)
    topic_id: str = Field(primary_key=True)
    answers: int
    passed: int


class ContentState(SQLModel, table=True):
    """The content cache: one row per pack (rows from before packs keep their ids), found by fingerprint."""

    __tablename__ = "content_state"
    id: int | None = Field(default=None, primary_key=True)
    pack: str = Field(index=True)
    title: str | None = None
    version: str | None = None
    source: str
    fingerprint: str
    roadmap: str  # the validated roadmap as JSON, so reads need no YAML
    synced_at: datetime


class Preference(SQLModel, table=True):
    """The learner's choices kept with their data (``active_pack``: the pack `mlpath pack use` chose; ``PACK:goal`` and ``PACK:order``: the goal and study order
    `mlpath goal` set for a pack)."""

    __tablename__ = "preference"
    key: str = Field(primary_key=True)
    value: str


class FsrsParameters(SQLModel, table=True):
    """FSRS parameters fitted to the learner's own reviews (`mlpath optimize`). At most one row is active; none
    active means FSRS's defaults. Rows are kept, so the history of fits stays visible."""

    __tablename__ = "fsrs_parameters"
    id: int | None = Field(default=None, primary_key=True)
    parameters: str  # JSON list of the 21 weights
    fitted_at: datetime
    reviews: int  # reviews in the history that was fitted
    trained_on: int  # long-term reviews the optimiser saw
    log_loss: float  # of these parameters on the held-out reviews
    rmse_bins: float
    previous_log_loss: float  # of the parameters they replaced, on the same held-out reviews
    previous_rmse_bins: float
    active: bool = True
    calibration: str | None = None  # JSON [[low, high, reviews, predicted, actual], ...] on the held-out reviews


class Notice(SQLModel, table=True):
    """One-time notices (e.g. "optimising is worthwhile"), so a hint is shown once, not on every run."""

    __tablename__ = "notice"
    key: str = Field(primary_key=True)
    at: datetime
    value: str | None = None


class StatusReason(SQLModel, table=True):
    """Why a status changed, for the status events that have a reason: ``placement`` for the topics a placement
    recorded as skipped. Keyed by the event's id; a topic is placed while its latest event has this reason."""

    __tablename__ = "status_reason"
    event_id: int = Field(primary_key=True)
    reason: str


class ImplicitCredit(SQLModel, table=True):
    """Implicit review credit (issue 11): a passed review of a card in ``source_topic_id`` credited this card of a
    prerequisite topic with ``fraction`` of a review, its stability capped by ``cap``. Rows of their own, never in
    the review log that fits FSRS parameters; replaying the reviews and the applied (not held-out) credits in time
    order rebuilds each card (mlpath.core.credit.replay_with_credits). A held-out row left its card unchanged: a
    comparison card for calibrating ``strength``."""

    __tablename__ = "implicit_credit"
    id: int | None = Field(default=None, primary_key=True)
    card_id: int = Field(sa_column=Column(Integer, ForeignKey("card.id"), nullable=False, index=True))
    topic_id: str  # a topic of the card's pack (the card ties the row to its pack)
    source_topic_id: str
    source_review_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("review.id"),
                                                                         nullable=True))
    distance: int
    at: datetime = Field(index=True)
    fraction: float
    cap: float
    strength: float
    stability_before: float
    stability_after: float
    recall_before: float
    recall_after: float
    held_out: bool = False


class CreditObservation(SQLModel, table=True):
    """The next explicit review of a card credit reached (or held out): FSRS's predicted recall with and without
    the credit, and the outcome. Calibration of the transfer strength learns from these."""

    __tablename__ = "credit_observation"
    id: int | None = Field(default=None, primary_key=True)
    card_id: int = Field(sa_column=Column(Integer, ForeignKey("card.id"), nullable=False, index=True))
    at: datetime
    predicted_with_credit: float
    predicted_without_credit: float
    recalled: bool
    strength: float
    held_out: bool = False


class CreditStrength(SQLModel, table=True):
    """The learner's calibrated transfer strength over time; the latest row is the one in use (none: the
    initial strength)."""

    __tablename__ = "credit_strength"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    strength: float
    observations: int


class CreditProbe(SQLModel, table=True):
    """A weak prerequisite card flagged by a failed review, to be asked first in the next quiz; ``answered_at`` is
    set when it has been answered."""

    __tablename__ = "credit_probe"
    id: int | None = Field(default=None, primary_key=True)
    card_id: int = Field(sa_column=Column(Integer, ForeignKey("card.id"), nullable=False, index=True))
    topic_id: str  # a topic of the card's pack (the card ties the row to its pack)
    source_topic_id: str
    flagged_at: datetime
    recall: float
    answered_at: datetime | None = None


class CardEvidence(SQLModel, table=True):
    """Derived from the review log, kept so mastery needs no pass over it: whether a card has been passed at least
    a day after the review before (mlpath.core.mastery.GAP), as of its first ``reps`` reviews. A row whose reps
    differ from the card's is recomputed from the log when read."""

    __tablename__ = "card_evidence"
    card_id: int = Field(sa_column=Column(Integer, ForeignKey("card.id"), primary_key=True))
    reps: int
    passed_after_gap: bool = False


class SyncState(SQLModel, table=True):
    """Where `mlpath sync` got to with one server (its instance id) for one pack: the local review and status
    event row ids pushed so far, and the server positions pulled so far. Written in the same transaction as the
    rows they describe, so an interrupted sync resumes without losing or doubling anything."""

    __tablename__ = "sync_state"
    server: str = Field(primary_key=True)
    pack: str = Field(primary_key=True)
    pushed_review: int = 0
    pushed_event: int = 0
    pulled_review: int = 0
    pulled_event: int = 0
    synced_at: datetime | None = None


class SyncPending(SQLModel, table=True):
    """Cards (kind "card", key = question id) and topics (kind "topic", key = topic id) of a pack whose state
    `mlpath sync` must recompute from the merged log; marked with the rows that change them, cleared when
    recomputed."""

    __tablename__ = "sync_pending"
    pack: str = Field(primary_key=True)
    kind: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
