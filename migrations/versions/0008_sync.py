"""sync: review ids unique across devices (backfilled for every existing review), sync bookkeeping

Revision ID: 0008_sync
Revises: 0007_placement
Create Date: 2026-11-30

Every existing review gets its id from mlpath.core.review_ids (the same review migrated on two devices gets the
same id, so a later `mlpath sync` does not double it); no row is removed or changed otherwise.
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0008_sync"
down_revision = "0007_placement"
branch_labels = None
depends_on = None


def _backfill(page: int = 5000) -> None:
    """Ids for every review, page by page (memory stays bounded on a long history): the occurrence counts among
    identical reviews (same pack, question, time and rating, in id order), which are adjacent in this order; an id
    already given to the same review in another pack (a question id two packs share) is skipped, as
    mlpath.store.tables.new_review_uid does."""
    from array import array

    from mlpath.core.review_ids import review_uid

    conn = op.get_bind()
    order = array("q", (r[0] for r in conn.execute(sa.text(
        "SELECT id FROM review WHERE uid IS NULL ORDER BY question_id, reviewed_at, rating, pack, id"))))
    triple, key, occurrence, used = None, None, 0, set()
    for start in range(0, len(order), page):
        ids = order[start:start + page].tolist()
        found = {r[0]: r[1:] for r in conn.execute(
            sa.text("SELECT id, pack, question_id, reviewed_at, rating FROM review WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)), {"ids": ids})}
        updates = []
        for review_id in ids:
            pack, question, at, rating = found[review_id]
            if (question, str(at), rating) != triple:
                triple, used = (question, str(at), rating), set()
            if (pack, *triple) != key:
                key, occurrence = (pack, *triple), 0
            when = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
            when = when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when
            while True:
                uid = review_uid(question, when, rating, occurrence)
                occurrence += 1
                if uid not in used:
                    break
            used.add(uid)
            updates.append({"uid": uid, "id": review_id})
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
        sa.Column("pack", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("pack", "kind", "key"),
    )


def downgrade() -> None:
    op.drop_table("sync_pending")
    op.drop_table("sync_state")
    op.drop_index("ix_review_uid", table_name="review")
    with op.batch_alter_table("review") as batch:
        batch.drop_column("uid")
