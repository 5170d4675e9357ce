"""each learner's memory model (fitted FSRS parameters), shared by their devices

Revision ID: s0002_memory_model
Revises: s0001_class
Create Date: 2026-11-30

One row per learner: the parameters their devices schedule with (NULL: FSRS's defaults, after a reset), when that
choice was made, and the fit's checks. The newest choice wins (a device offers its own with an upsert that only
replaces an older one). Row-level security as for the logs: a learner reads and writes only their own row, a
teacher reads the class's.
"""
from alembic import op

revision = "s0002_memory_model"
down_revision = "s0001_class"
branch_labels = None
depends_on = None


def _tag() -> str:
    return op.get_bind().exec_driver_sql("SELECT substr(md5(current_database()), 1, 10)").scalar()


def upgrade() -> None:
    tag = _tag()
    learners, teachers = f'"mlpath_{tag}_learners"', f'"mlpath_{tag}_teachers"'
    op.execute("""
    CREATE TABLE mlpath.memory_model (
        learner name PRIMARY KEY DEFAULT current_user,
        changed_at timestamptz NOT NULL,
        parameters double precision[] CHECK (parameters IS NULL OR (array_ndims(parameters) = 1
                                             AND cardinality(parameters) = 21)),
        fitted_at timestamptz,
        reviews bigint CHECK (reviews >= 0),
        trained_on bigint CHECK (trained_on >= 0),
        log_loss double precision,
        rmse_bins double precision,
        previous_log_loss double precision,
        previous_rmse_bins double precision,
        calibration text CHECK (length(calibration) <= 10000),
        CHECK ((parameters IS NULL) = (fitted_at IS NULL)))""")
    op.execute("ALTER TABLE mlpath.memory_model ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE mlpath.memory_model FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY own_rows ON mlpath.memory_model FOR ALL TO {learners} "
               "USING (learner = current_user) WITH CHECK (learner = current_user)")
    op.execute(f"CREATE POLICY class_rows ON mlpath.memory_model FOR SELECT TO {teachers} "
               "USING (learner IN (SELECT m.role FROM mlpath.member m))")
    op.execute("CREATE POLICY admin_rows ON mlpath.memory_model FOR SELECT TO CURRENT_USER USING (true)")
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON mlpath.memory_model TO {learners}")
    op.execute(f"GRANT SELECT ON mlpath.memory_model TO {teachers}")


def downgrade() -> None:
    op.execute("DROP TABLE mlpath.memory_model")
