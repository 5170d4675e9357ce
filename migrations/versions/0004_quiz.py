"""quiz: review.flag, how an answer was given ("dont_know", "typo", "overridden"; NULL for a plain answer)

Revision ID: 0004_quiz
Revises: 0002_packs
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_quiz"
down_revision = "0002_packs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("flag", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.drop_column("flag")
