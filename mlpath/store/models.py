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
    __table_args__ = (Index("ix_review_topic_at", "topic_id", "reviewed_at"),
                      Index("ix_review_uid", "uid", unique=True))
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
    # unique across devices (mlpath.core.review_ids); NULL only for a row written without one, which `mlpath
    # sync` fills in before pushing
    uid: str | None = None


class ContentState(SQLModel, table=True):
    __tablename__ = "content_state"
    id: int = Field(default=1, primary_key=True)
    source: str
    fingerprint: str
    roadmap: str  # the validated roadmap as JSON, so reads need no YAML
    synced_at: datetime


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
    """Cards (kind "card", key = question id) and topics (kind "topic") whose state `mlpath sync` must recompute
    from the merged log; marked with the rows that change them, cleared when recomputed."""

    __tablename__ = "sync_pending"
    kind: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
