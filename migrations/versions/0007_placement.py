"""why a status changed: a reason attached to a status event (placement records "placement")

Revision ID: 0007_placement
Revises: 0006_parameters
Create Date: 2026-11-30

A new table only; no existing table changes. One row per status event that has a reason, keyed by the event's
id (no foreign key: the reason follows the event id, whatever the status_event table is rebuilt into).
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_placement"
down_revision = "0006_parameters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_reason",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )


def downgrade() -> None:
    op.drop_table("status_reason")
