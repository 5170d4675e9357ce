"""packs: every stored row keyed by pack; existing data moves into the shipped pack; a preference table

Revision ID: 0002_packs
Revises: 0001_initial
Create Date: 2026-11-30

Topic and question ids are unique only within a pack, so topic, question and topic_status get (pack, id) primary
keys, and every reference between them becomes a (pack, id) foreign key (ON UPDATE CASCADE, for renames inside a
pack). status_event, card and review get a pack column; a card is unique per (pack, question). The content cache
(content_state) gets a pack column plus the manifest's title and version; its rows keep their ids. Everything
already stored belongs to the shipped roadmap, whose pack.yaml id is "mlpath-roadmap" (written out here: a
migration never changes meaning with the code).

SQLite cannot add a column to a primary key, so each table is rebuilt, as Alembic's batch mode does, but all in
one step: new tables are created under temporary names with their final definitions, filled with INSERT ...
SELECT (every row, every column, row ids kept), the old tables dropped (children first) and the new ones renamed.
env.py runs this with foreign keys off, inside one transaction: a killed upgrade leaves 0001 intact.
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_packs"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

SHIPPED = "mlpath-roadmap"
ORDER = ("topic", "topic_status", "status_event", "question", "card", "review", "content_state")


def _fk(columns, target):
    return sa.ForeignKeyConstraint(list(columns), [f"{target}.pack", f"{target}.id"], onupdate="CASCADE")


def _tables(suffix: str) -> dict[str, list]:
    """Each table's final columns and constraints (as in mlpath/store/models.py)."""
    s = sa.String()
    return {
        "topic": [
            sa.Column("pack", s, nullable=False), sa.Column("id", s, nullable=False),
            sa.Column("title", s, nullable=False), sa.Column("area", s, nullable=False),
            sa.Column("active", sa.Boolean(), nullable=False), sa.Column("first_seen", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("pack", "id")],
        "topic_status": [
            sa.Column("pack", s, nullable=False), sa.Column("topic_id", s, nullable=False),
            sa.Column("status", s, nullable=False), sa.Column("started_at", sa.DateTime(), nullable=True),
            sa.Column("finished_at", sa.DateTime(), nullable=True), sa.Column("updated_at", sa.DateTime(), nullable=False),
            _fk(("pack", "topic_id"), "topic"), sa.PrimaryKeyConstraint("pack", "topic_id")],
        "status_event": [
            sa.Column("id", sa.Integer(), nullable=False), sa.Column("pack", s, nullable=False),
            sa.Column("topic_id", s, nullable=False), sa.Column("status", s, nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False),
            _fk(("pack", "topic_id"), "topic"), sa.PrimaryKeyConstraint("id")],
        "question": [
            sa.Column("pack", s, nullable=False), sa.Column("id", s, nullable=False),
            sa.Column("topic_id", s, nullable=False), sa.Column("kind", s, nullable=False),
            sa.Column("data", s, nullable=False), sa.Column("active", sa.Boolean(), nullable=False),
            _fk(("pack", "topic_id"), "topic"), sa.PrimaryKeyConstraint("pack", "id")],
        "card": [
            sa.Column("id", sa.Integer(), nullable=False), sa.Column("pack", s, nullable=False),
            sa.Column("question_id", s, nullable=False), sa.Column("state", sa.Integer(), nullable=False),
            sa.Column("step", sa.Integer(), nullable=True), sa.Column("stability", sa.Float(), nullable=True),
            sa.Column("difficulty", sa.Float(), nullable=True), sa.Column("due", sa.DateTime(), nullable=False),
            sa.Column("last_review", sa.DateTime(), nullable=True), sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("reps", sa.Integer(), nullable=False), sa.Column("lapses", sa.Integer(), nullable=False),
            _fk(("pack", "question_id"), "question"), sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("pack", "question_id")],
        "review": [
            sa.Column("id", sa.Integer(), nullable=False), sa.Column("card_id", sa.Integer(), nullable=False),
            sa.Column("pack", s, nullable=False), sa.Column("question_id", s, nullable=False),
            sa.Column("topic_id", s, nullable=False), sa.Column("reviewed_at", sa.DateTime(), nullable=False),
            sa.Column("rating", sa.Integer(), nullable=False), sa.Column("correct", sa.Boolean(), nullable=True),
            sa.Column("answer", s, nullable=True), sa.Column("response_ms", sa.Integer(), nullable=True),
            sa.Column("seed", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(["card_id"], ["card.id"]),
            _fk(("pack", "question_id"), "question"), _fk(("pack", "topic_id"), "topic"),
            sa.PrimaryKeyConstraint("id")],
        "content_state": [
            sa.Column("id", sa.Integer(), nullable=False), sa.Column("pack", s, nullable=False),
            sa.Column("title", s, nullable=True), sa.Column("version", s, nullable=True),
            sa.Column("source", s, nullable=False), sa.Column("fingerprint", s, nullable=False),
            sa.Column("roadmap", s, nullable=False), sa.Column("synced_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id")],
    }


INDEXES = [
    ("ix_status_event_pack_topic", "status_event", ["pack", "topic_id"]),
    ("ix_question_pack_topic", "question", ["pack", "topic_id"]),
    ("ix_card_pack_due", "card", ["pack", "due"]),
    ("ix_review_card_id", "review", ["card_id"]),
    ("ix_review_reviewed_at", "review", ["reviewed_at"]),
    ("ix_review_pack_topic_at", "review", ["pack", "topic_id", "reviewed_at"]),
    ("ix_content_state_pack", "content_state", ["pack"]),
]


def upgrade() -> None:
    conn = op.get_bind()
    for table, parts in _tables("").items():
        op.create_table(f"{table}__new", *parts)
        new_columns = [c.name for c in parts if isinstance(c, sa.Column)]
        old_columns = {r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info('{table}')")}
        select = ["'" + SHIPPED + "'" if c == "pack" else (c if c in old_columns else "NULL") for c in new_columns]
        op.execute(f"INSERT INTO {table}__new ({', '.join(new_columns)}) "
                   f"SELECT {', '.join(select)} FROM {table}")
    for table in reversed(ORDER):  # children first (their indexes go with them)
        op.drop_table(table)
    for table in ORDER:
        op.rename_table(f"{table}__new", table)
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    op.create_table(
        "preference",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    # Reviewable, but users never need it: it keeps only the shipped pack's rows, as 0001 knew them.
    raise NotImplementedError("0002_packs cannot be undone: 0001 has no room for more than one pack")
