"""Upgrading an empty database through every revision gives exactly the live schema.

Revision 0001 is frozen (explicit DDL, not the live metadata), so a change to
``copse.schema.tables`` without a migration shows up here as a difference, on
each backend: tables, columns and their types and nullability, indexes,
unique and foreign-key constraints.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from copse.db import migrate
from copse.schema.only_on import include_object
from copse.schema.tables import CLIENT_TABLES, metadata
from tests.support.databases import Backend


def _differences(conn: sa.Connection) -> list[Any]:
    ctx = MigrationContext.configure(
        conn,
        opts={
            "compare_type": True,
            "version_table": "_alembic_version",
            # The version table is alembic's own, not part of the metadata.
            "include_name": lambda name, kind, _parent: (
                not (kind == "table" and name == "_alembic_version")
            ),
            # Indexes of other backends only (copse.schema.only_on).
            "include_object": include_object(conn.dialect.name),
        },
    )
    return list(compare_metadata(ctx, metadata))


def test_migrated_schema_is_the_live_metadata(backend: Backend) -> None:
    """``backend`` was created by ``migrate.upgrade`` on an empty database."""
    assert migrate.current_revision(backend.engine) == migrate.head_revision()
    with backend.engine.connect() as conn:
        diff = _differences(conn)
    assert diff == [], "\n".join(str(d) for d in diff)


def test_the_comparison_sees_a_difference(backend: Backend) -> None:
    """Guards the test above: a column the database lacks is reported."""
    probe = sa.MetaData()
    for t in metadata.sorted_tables:
        t.to_metadata(probe)
    probe.tables["_security_devices"].append_column(sa.Column("not_migrated", sa.Integer))
    with backend.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": "_alembic_version"})
        diff = compare_metadata(ctx, probe)
    assert any(d[0] == "add_column" and d[3].name == "not_migrated" for d in diff), diff


def test_every_client_table_is_created(backend: Backend) -> None:
    names = set(sa.inspect(backend.engine).get_table_names())
    assert set(CLIENT_TABLES) <= names
