"""learner settings: a key-value table for the learner's goal and study order

Revision ID: 0005_goal
Revises: 0001_initial
Create Date: 2026-11-30

The goal (a topic or track id) and the order (math-first or build-first) are the learner's state, like their
topic statuses: they live in the database, not in config.toml, so they are written atomically by `mlpath goal`
and move with the learner's data. A new table only; no existing row is touched.
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_goal"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learner_setting",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("learner_setting")
