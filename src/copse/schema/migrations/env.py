"""Alembic environment: runs migrations on the connection copse hands over."""

from __future__ import annotations

from alembic import context

from copse.schema.tables import metadata

config = context.config
target_metadata = metadata
VERSION_TABLE = config.get_main_option("version_table") or "_alembic_version"


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from copse.db.engine import make_engine

        engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as conn:
            context.configure(
                connection=conn, target_metadata=target_metadata, version_table=VERSION_TABLE
            )
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(
        connection=connection, target_metadata=target_metadata, version_table=VERSION_TABLE
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("copse runs migrations online only (copse db upgrade)")
run_migrations_online()
