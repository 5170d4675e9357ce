"""The database schema, defined once as SQLModel tables. Alembic migrations are checked against it in tests.

Topic and question rows are never deleted: a topic or question that leaves the content is marked inactive, so a
learner's history stays. Renames (``replaces:`` in content) update ids in place; foreign keys cascade the change.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel


def _fk(target: str, nullable: bool = False, index: bool = False) -> Column:
    return Column(String, ForeignKey(target, onupdate="CASCADE"), nullable=nullable, index=index)


class TopicRow(SQLModel, table=True):
    __tablename__ = "topic"
    id: str = Field(primary_key=True)
    title: str
    area: str
    active: bool = True
    first_seen: datetime


class TopicStatus(SQLModel, table=True):
    __tablename__ = "topic_status"
    topic_id: str = Field(sa_column=Column(String, ForeignKey("topic.id", onupdate="CASCADE"), primary_key=True))
    status: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    updated_at: datetime


class StatusEvent(SQLModel, table=True):
    __tablename__ = "status_event"
    id: int | None = Field(default=None, primary_key=True)
    topic_id: str = Field(sa_column=_fk("topic.id", index=True))
    status: str
    at: datetime


class QuestionRow(SQLModel, table=True):
    __tablename__ = "question"
    id: str = Field(primary_key=True)
    topic_id: str = Field(sa_column=_fk("topic.id", index=True))
    kind: str
    data: str  # the validated question as JSON
    active: bool = True


class CardRow(SQLModel, table=True):
    __tablename__ = "card"
    id: int | None = Field(default=None, primary_key=True)
    question_id: str = Field(sa_column=Column(String, ForeignKey("question.id", onupdate="CASCADE"),
                                              nullable=False, unique=True))
    state: int
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime = Field(index=True)
    last_review: datetime | None = None
    created_at: datetime
    reps: int = 0
    lapses: int = 0


class ReviewRow(SQLModel, table=True):
    __tablename__ = "review"
    __table_args__ = (Index("ix_review_topic_at", "topic_id", "reviewed_at"),)
    id: int | None = Field(default=None, primary_key=True)
    card_id: int = Field(sa_column=Column(Integer, ForeignKey("card.id"), nullable=False, index=True))
    question_id: str = Field(sa_column=_fk("question.id"))
    topic_id: str = Field(sa_column=_fk("topic.id"))
    reviewed_at: datetime = Field(index=True)
    rating: int
    correct: bool | None = None
    answer: str | None = None
    response_ms: int | None = None
    seed: int | None = None


class ContentState(SQLModel, table=True):
    __tablename__ = "content_state"
    id: int = Field(default=1, primary_key=True)
    source: str
    fingerprint: str
    roadmap: str  # the validated roadmap as JSON, so reads need no YAML
    synced_at: datetime


class LearnerSetting(SQLModel, table=True):
    """The learner's own choices kept with their data: ``goal`` (a topic or track id) and ``order``."""

    __tablename__ = "learner_setting"
    key: str = Field(primary_key=True)
    value: str
    updated_at: datetime


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


class Notice(SQLModel, table=True):
    """One-time notices (e.g. "optimising is worthwhile"), so a hint is shown once, not on every run."""

    __tablename__ = "notice"
    key: str = Field(primary_key=True)
    at: datetime
    value: str | None = None


class ImplicitCredit(SQLModel, table=True):
    """Implicit review credit (issue 11): a passed review of a card in ``source_topic_id`` credited this card of a
    prerequisite topic with ``fraction`` of a review, its stability capped by ``cap``. Rows of their own, never in
    the review log that fits FSRS parameters; replaying the reviews and the applied (not held-out) credits in time
    order rebuilds each card (mlpath.core.credit.replay_with_credits). A held-out row left its card unchanged: a
    comparison card for calibrating ``strength``."""

    __tablename__ = "implicit_credit"
    id: int | None = Field(default=None, primary_key=True)
    card_id: int = Field(sa_column=Column(Integer, ForeignKey("card.id"), nullable=False, index=True))
    topic_id: str = Field(sa_column=_fk("topic.id"))
    source_topic_id: str = Field(sa_column=_fk("topic.id"))
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
    topic_id: str = Field(sa_column=_fk("topic.id"))
    source_topic_id: str = Field(sa_column=_fk("topic.id"))
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
