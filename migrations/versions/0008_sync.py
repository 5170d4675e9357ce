"""sync: review ids unique across devices (backfilled for every existing review), sync bookkeeping

Revision ID: 0008_sync
Revises: 0006_parameters
Create Date: 2026-11-30

Every existing review gets its id from mlpath.core.review_ids (the same review migrated on two devices gets the
same id, so a later `mlpath sync` does not double it); no row is removed or changed otherwise.
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0008_sync"
down_revision = "0006_parameters"
branch_labels = None
depends_on = None


def _backfill() -> None:
    from mlpath.core.review_ids import review_uid

    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, question_id, reviewed_at, rating FROM review WHERE uid IS NULL "
                                "ORDER BY question_id, reviewed_at, rating, id"))
    seen: dict[tuple, int] = {}
    updates = []
    for review_id, question, at, rating in rows:
        key = (question, str(at), rating)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        when = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
        when = when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when
        updates.append({"uid": review_uid(question, when, rating, occurrence), "id": review_id})
    if updates:
        conn.execute(sa.text("UPDATE review SET uid = :uid WHERE id = :id"), updates)


def upgrade() -> None:
    op.add_column("review", sa.Column("uid", sa.String(), nullable=True))
    _backfill()
    op.create_index("ix_review_uid", "review", ["uid"], unique=True)
    op.create_table(
        "sync_state",
        sa.Column("server", sa.String(), nullable=False),
        sa.Column("pack", sa.String(), nullable=False),
        sa.Column("pushed_review", sa.Integer(), nullable=False),
        sa.Column("pushed_event", sa.Integer(), nullable=False),
        sa.Column("pulled_review", sa.Integer(), nullable=False),
        sa.Column("pulled_event", sa.Integer(), nullable=False),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("server", "pack"),
    )
    op.create_table(
        "sync_pending",
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key"),
    )


def downgrade() -> None:
    op.drop_table("sync_pending")
    op.drop_table("sync_state")
    op.drop_index("ix_review_uid", table_name="review")
    with op.batch_alter_table("review") as batch:
        batch.drop_column("uid")
