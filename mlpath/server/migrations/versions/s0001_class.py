"""a class: learners, their append-only review and status logs, positions, row-level security

Revision ID: s0001_class
Revises:
Create Date: 2026-11-30

Every learner connects as their own role, a member of the class's learners group role; a teacher's role is also a
member of its teachers group. Row-level security (enabled and forced) lets a learner see and add only rows whose
``learner`` is their own role, and a teacher read the rows of this class's members; learners may not update or
delete the logs at all. Role names carry a tag made from the database name, so classes on one server never share
a role.
"""
from alembic import op

revision = "s0001_class"
down_revision = None
branch_labels = None
depends_on = None

_ID = r"CHECK (length({0}) BETWEEN 1 AND 200)"
UID = r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


def _tag() -> str:
    return op.get_bind().exec_driver_sql("SELECT substr(md5(current_database()), 1, 10)").scalar()


def upgrade() -> None:
    tag = _tag()
    learners, teachers = f'"mlpath_{tag}_learners"', f'"mlpath_{tag}_teachers"'
    db = op.get_bind().exec_driver_sql("SELECT quote_ident(current_database())").scalar()
    for role in (learners, teachers):
        name = role.strip('"')
        op.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN "
                   f"CREATE ROLE {role} NOLOGIN; END IF; END $$")
    op.execute("""
    CREATE TABLE mlpath.meta (
        id integer PRIMARY KEY CHECK (id = 1),
        instance text NOT NULL,
        tag text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())""")
    op.execute(f"INSERT INTO mlpath.meta (id, instance, tag) VALUES (1, gen_random_uuid()::text, '{tag}')")
    op.execute("""
    CREATE TABLE mlpath.member (
        role name PRIMARY KEY,
        learner text NOT NULL UNIQUE,
        teacher boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now())""")
    op.execute("""
    CREATE TABLE mlpath.head (
        learner name PRIMARY KEY DEFAULT current_user,
        review_pos bigint NOT NULL DEFAULT 0,
        event_pos bigint NOT NULL DEFAULT 0)""")
    op.execute(f"""
    CREATE TABLE mlpath.review (
        learner name NOT NULL DEFAULT current_user,
        pack text NOT NULL {_ID.format('pack')},
        uid text NOT NULL CHECK (uid ~ '{UID}'),
        question text NOT NULL {_ID.format('question')},
        topic text NOT NULL {_ID.format('topic')},
        area text NOT NULL {_ID.format('area')},
        reviewed_at timestamptz NOT NULL,
        rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 4),
        correct boolean,
        answer text CHECK (length(answer) <= 10000),
        response_ms bigint CHECK (response_ms >= 0),
        seed bigint,
        pos bigint NOT NULL,
        PRIMARY KEY (learner, pack, uid))""")
    op.execute("CREATE INDEX review_learner_pos ON mlpath.review (learner, pos)")
    op.execute("CREATE INDEX review_learner_time ON mlpath.review (learner, reviewed_at)")
    op.execute("CREATE INDEX review_pack_time ON mlpath.review (pack, reviewed_at)")
    op.execute("""
    CREATE TABLE mlpath.tally (
        learner name NOT NULL DEFAULT current_user,
        pack text NOT NULL,
        reviews bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (learner, pack))""")
    op.execute(f"""
    CREATE TABLE mlpath.status_event (
        learner name NOT NULL DEFAULT current_user,
        pack text NOT NULL {_ID.format('pack')},
        topic text NOT NULL {_ID.format('topic')},
        area text NOT NULL {_ID.format('area')},
        status text NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done', 'skipped')),
        at timestamptz NOT NULL,
        pos bigint NOT NULL,
        PRIMARY KEY (learner, pack, topic, at, status))""")
    op.execute("CREATE INDEX status_event_learner_pos ON mlpath.status_event (learner, pos)")

    # the walls: row-level security, enabled and forced, on every table that holds a learner's rows
    for table in ("member", "head", "tally", "review", "status_event"):
        op.execute(f"ALTER TABLE mlpath.{table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE mlpath.{table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY own_member ON mlpath.member FOR SELECT TO {learners} USING (role = current_user)")
    op.execute(f"CREATE POLICY class_members ON mlpath.member FOR SELECT TO {teachers} USING (true)")
    op.execute("CREATE POLICY admin_members ON mlpath.member FOR ALL TO CURRENT_USER USING (true) WITH CHECK (true)")
    for table in ("head", "tally", "review", "status_event"):
        op.execute(f"CREATE POLICY own_rows ON mlpath.{table} FOR ALL TO {learners} "
                   "USING (learner = current_user) WITH CHECK (learner = current_user)")
        op.execute(f"CREATE POLICY class_rows ON mlpath.{table} FOR SELECT TO {teachers} "
                   "USING (learner IN (SELECT m.role FROM mlpath.member m))")
        op.execute(f"CREATE POLICY admin_rows ON mlpath.{table} FOR SELECT TO CURRENT_USER USING (true)")

    # privileges: the logs are append-only for learners; teachers only read; nobody else may even connect
    op.execute(f"REVOKE ALL ON SCHEMA mlpath FROM PUBLIC")
    op.execute(f"GRANT USAGE ON SCHEMA mlpath TO {learners}, {teachers}")
    op.execute(f"GRANT SELECT ON mlpath.meta, mlpath.server_version, mlpath.member TO {learners}, {teachers}")
    op.execute(f"GRANT SELECT, INSERT ON mlpath.review, mlpath.status_event TO {learners}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON mlpath.head, mlpath.tally TO {learners}")
    op.execute(f"GRANT SELECT ON mlpath.review, mlpath.status_event, mlpath.head, mlpath.tally TO {teachers}")
    op.execute(f"REVOKE CONNECT, TEMPORARY ON DATABASE {db} FROM PUBLIC")
    op.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {learners}, {teachers}")


def downgrade() -> None:
    tag = _tag()
    for table in ("status_event", "review", "tally", "head", "member", "meta"):
        op.execute(f"DROP TABLE mlpath.{table}")
    op.execute(f'DROP ROLE IF EXISTS "mlpath_{tag}_teachers"')
    op.execute(f'DROP ROLE IF EXISTS "mlpath_{tag}_learners"')
