"""The store: SQLModel tables (the one definition of the schema), Alembic migrations, and queries.

Read paths use the standard library's sqlite3 on the schema those tables define, so that a command like
`mlpath next` never pays for importing SQLAlchemy; Alembic is imported only when the schema must change.
"""
