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
                      Index("ix_review_question_at", "question_id", "reviewed_at"))
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


class ReviewHour(SQLModel, table=True):
    """Answers per UTC hour (``hour`` is the first 13 characters of ``reviewed_at``), kept equal to a recount of
    ``review`` by triggers (migration 0003_stats; see store/aggregates.py)."""

    __tablename__ = "review_hour"
    hour: str = Field(primary_key=True)
    answers: int
    correct: int  # answered right: ``correct``, or for rows without it a rating above Again


class ReviewTally(SQLModel, table=True):
    """Answers per question and topic, kept by the same triggers; ``passed`` counts ratings above Again."""

    __tablename__ = "review_tally"
    question_id: str = Field(primary_key=True)
    topic_id: str = Field(primary_key=True)
    answers: int
    passed: int


class ContentState(SQLModel, table=True):
    __tablename__ = "content_state"
    id: int = Field(default=1, primary_key=True)
    source: str
    fingerprint: str
    roadmap: str  # the validated roadmap as JSON, so reads need no YAML
    synced_at: datetime
