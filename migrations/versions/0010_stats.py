"""review summaries for stats: answers per pack and UTC hour and per question, kept by triggers; a (question, time) index

Revision ID: 0010_stats
Revises: 0009_credit
Create Date: 2026-11-30

`stats` reads these two small tables instead of the whole review log: ``review_hour`` counts the answers (and the
right ones) of each pack's UTC hours, ``review_tally`` the answers (and the passed ones, rating > 1) of each
question under each topic of a pack. Triggers on ``review`` keep them equal to a recount on every insert, delete and update (renames
included); the upgrade backfills them from the existing reviews. ``ix_review_question_at`` finds a question's first
review in its pack (and an imported review's twin) without a scan.
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_stats"
down_revision = "0009_credit"
branch_labels = None
depends_on = None

_RIGHT = "(CASE WHEN {r}.correct IS NULL THEN {r}.rating > 1 WHEN {r}.correct THEN 1 ELSE 0 END)"


def _add(r: str) -> str:
    return (
        f"INSERT INTO review_hour (pack, hour, answers, correct) "
        f"VALUES ({r}.pack, substr({r}.reviewed_at, 1, 13), 1, {_RIGHT.format(r=r)}) "
        "ON CONFLICT(pack, hour) DO UPDATE SET answers = answers + 1, correct = correct + excluded.correct; "
        f"INSERT INTO review_tally (pack, question_id, topic_id, answers, passed) "
        f"VALUES ({r}.pack, {r}.question_id, {r}.topic_id, 1, {r}.rating > 1) "
        "ON CONFLICT(pack, question_id, topic_id) DO UPDATE SET answers = answers + 1, passed = passed + excluded.passed; ")


def _remove(r: str) -> str:
    return (
        f"UPDATE review_hour SET answers = answers - 1, correct = correct - {_RIGHT.format(r=r)} "
        f"WHERE pack = {r}.pack AND hour = substr({r}.reviewed_at, 1, 13); "
        f"DELETE FROM review_hour WHERE pack = {r}.pack AND hour = substr({r}.reviewed_at, 1, 13) AND answers <= 0; "
        f"UPDATE review_tally SET answers = answers - 1, passed = passed - ({r}.rating > 1) "
        f"WHERE pack = {r}.pack AND question_id = {r}.question_id AND topic_id = {r}.topic_id; "
        f"DELETE FROM review_tally WHERE pack = {r}.pack AND question_id = {r}.question_id AND topic_id = {r}.topic_id AND answers <= 0; ")


TRIGGERS = {
    "review_summary_insert": f"AFTER INSERT ON review BEGIN {_add('NEW')}END",
    "review_summary_delete": f"AFTER DELETE ON review BEGIN {_remove('OLD')}END",
    "review_summary_update": ("AFTER UPDATE OF pack, question_id, topic_id, reviewed_at, rating, correct ON review "
                              f"BEGIN {_remove('OLD')}{_add('NEW')}END"),
}


def upgrade() -> None:
    op.create_table(
        "review_hour",
        sa.Column("pack", sa.String(), nullable=False),
        sa.Column("hour", sa.String(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("pack", "hour"),
    )
    op.create_table(
        "review_tally",
        sa.Column("pack", sa.String(), nullable=False),
        sa.Column("question_id", sa.String(), nullable=False),
        sa.Column("topic_id", sa.String(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("pack", "question_id", "topic_id"),
    )
    op.create_index("ix_review_pack_question_at", "review", ["pack", "question_id", "reviewed_at"])
    right = _RIGHT.format(r="review")
    op.execute(f"INSERT INTO review_hour (pack, hour, answers, correct) SELECT pack, substr(reviewed_at, 1, 13), "
               f"COUNT(*), SUM({right}) FROM review GROUP BY 1, 2")
    op.execute("INSERT INTO review_tally (pack, question_id, topic_id, answers, passed) SELECT pack, question_id, "
               "topic_id, COUNT(*), SUM(rating > 1) FROM review GROUP BY pack, question_id, topic_id")
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_review_pack_question_at", table_name="review")
    op.drop_table("review_tally")
    op.drop_table("review_hour")
