"""implicit review credit through the prerequisite graph, and the evidence mastery reads (issue 11)

Revision ID: 0009_credit
Revises: 0008_sync
Create Date: 2026-11-30

New tables only; no existing row is touched:
- implicit_credit: one row per card credited by a passed review of a topic that builds on it (replayable; the
  review log, which fits FSRS parameters, never holds them);
- credit_observation and credit_strength: the learner's own evidence of transfer and the calibrated strength;
- credit_probe: weak prerequisite cards a failed review flagged for the next quiz;
- card_evidence: whether each card was passed after a gap, derived from the review log (recomputed from the log
  whenever it is behind, so it starts empty).
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_credit"
down_revision = "0008_sync"
branch_labels = None
depends_on = None


def _topic(name: str) -> sa.Column:
    # a topic id within the pack of the row's card (the card's foreign key ties the row to its pack)
    return sa.Column(name, sa.String(), nullable=False)


def _card() -> sa.Column:
    return sa.Column("card_id", sa.Integer(), sa.ForeignKey("card.id"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "implicit_credit",
        sa.Column("id", sa.Integer(), nullable=False),
        _card(),
        _topic("topic_id"),
        _topic("source_topic_id"),
        sa.Column("source_review_id", sa.Integer(), sa.ForeignKey("review.id"), nullable=True),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("fraction", sa.Float(), nullable=False),
        sa.Column("cap", sa.Float(), nullable=False),
        sa.Column("strength", sa.Float(), nullable=False),
        sa.Column("stability_before", sa.Float(), nullable=False),
        sa.Column("stability_after", sa.Float(), nullable=False),
        sa.Column("recall_before", sa.Float(), nullable=False),
        sa.Column("recall_after", sa.Float(), nullable=False),
        sa.Column("held_out", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_implicit_credit_card_id", "implicit_credit", ["card_id"])
    op.create_index("ix_implicit_credit_at", "implicit_credit", ["at"])
    op.create_table(
        "credit_observation",
        sa.Column("id", sa.Integer(), nullable=False),
        _card(),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("predicted_with_credit", sa.Float(), nullable=False),
        sa.Column("predicted_without_credit", sa.Float(), nullable=False),
        sa.Column("recalled", sa.Boolean(), nullable=False),
        sa.Column("strength", sa.Float(), nullable=False),
        sa.Column("held_out", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_credit_observation_card_id", "credit_observation", ["card_id"])
    op.create_table(
        "credit_strength",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("strength", sa.Float(), nullable=False),
        sa.Column("observations", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "credit_probe",
        sa.Column("id", sa.Integer(), nullable=False),
        _card(),
        _topic("topic_id"),
        _topic("source_topic_id"),
        sa.Column("flagged_at", sa.DateTime(), nullable=False),
        sa.Column("recall", sa.Float(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_credit_probe_card_id", "credit_probe", ["card_id"])
    op.create_table(
        "card_evidence",
        sa.Column("card_id", sa.Integer(), sa.ForeignKey("card.id"), nullable=False),
        sa.Column("reps", sa.Integer(), nullable=False),
        sa.Column("passed_after_gap", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("card_id"),
    )


def downgrade() -> None:
    op.drop_table("card_evidence")
    op.drop_index("ix_credit_probe_card_id", table_name="credit_probe")
    op.drop_table("credit_probe")
    op.drop_table("credit_strength")
    op.drop_index("ix_credit_observation_card_id", table_name="credit_observation")
    op.drop_table("credit_observation")
    op.drop_index("ix_implicit_credit_at", table_name="implicit_credit")
    op.drop_index("ix_implicit_credit_card_id", table_name="implicit_credit")
    op.drop_table("implicit_credit")
