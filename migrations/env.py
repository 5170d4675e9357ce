"""Alembic environment for mlpath. mlpath runs migrations itself on first use; `alembic` is for developers."""

from alembic import context
from sqlalchemy import engine_from_config, event, pool
from sqlmodel import SQLModel

import mlpath.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = engine_from_config(config.get_section(config.config_ini_section, {}),
                                         prefix="sqlalchemy.", poolclass=pool.NullPool)
        _transactional_ddl(connectable)
        with connectable.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _transactional_ddl(engine) -> None:
    """Make a whole migration one SQLite transaction, DDL included, so a process killed half-way leaves the
    database as it was. (pysqlite otherwise commits before each CREATE TABLE on its own.)"""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let SQLAlchemy, not the driver, issue BEGIN
        dbapi_connection.execute("PRAGMA foreign_keys = OFF")  # batch migrations rebuild tables; must precede BEGIN

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
