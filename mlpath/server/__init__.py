"""The sync server: PostgreSQL, reached with psycopg (imported lazily, only by `mlpath sync` and `mlpath class`).

connection.py  URLs (never shown with their password), connecting, errors in one line, the schema version check
schema.py      server-side Alembic migrations (migrations/, own version table), class roles, adding learners
sync.py        a learner's pushes and pulls, positions kept per learner under a row lock
report.py      the class report a teacher reads
"""
