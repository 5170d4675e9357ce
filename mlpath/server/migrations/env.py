"""Alembic environment for the sync server's schema (run by `mlpath class init`; its own version table,
mlpath.server_version, so it never meets the local SQLite migrations)."""

from alembic import context
from sqlalchemy import create_engine, pool

SCHEMA = "mlpath"
VERSION_TABLE = "server_version"

config = context.config


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
        with engine.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection) -> None:
    connection.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    context.configure(connection=connection, target_metadata=None, version_table=VERSION_TABLE,
                      version_table_schema=SCHEMA, transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()


if context.is_offline_mode():
    raise SystemExit("the sync server's migrations run online only (mlpath class init)")
run_migrations_online()
