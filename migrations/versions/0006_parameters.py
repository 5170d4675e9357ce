"""the learner's fitted FSRS parameters, with their provenance; one-time notices

Revision ID: 0006_parameters
Revises: 0004_quiz
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_parameters"
down_revision = "0004_quiz"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fsrs_parameters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parameters", sa.String(), nullable=False),
        sa.Column("fitted_at", sa.DateTime(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("trained_on", sa.Integer(), nullable=False),
        sa.Column("log_loss", sa.Float(), nullable=False),
        sa.Column("rmse_bins", sa.Float(), nullable=False),
        sa.Column("previous_log_loss", sa.Float(), nullable=False),
        sa.Column("previous_rmse_bins", sa.Float(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("calibration", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "notice",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("value", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("notice")
    op.drop_table("fsrs_parameters")
