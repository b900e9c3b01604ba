"""Is the database there, and is its schema the one this code expects?

Used by ``GET /health/ready`` (a load balancer stops sending tablets to an
instance whose database is unreachable or not yet migrated) and by
``copse db check`` after a restore.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from copse.db import migrate
from copse.schema.only_on import include_object
from copse.schema.tables import metadata

VERSION_TABLE = migrate.VERSION_TABLE


@dataclass(frozen=True)
class SchemaStatus:
    """What a quick look at the database found."""

    reachable: bool
    revision: str | None
    head: str | None
    error: str | None = None

    @property
    def ready(self) -> bool:
        return self.reachable and self.revision is not None and self.revision == self.head


def schema_status(engine: sa.Engine) -> SchemaStatus:
    """Connect, run a trivial query and read the schema revision (never raises)."""
    head = migrate.head_revision()
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
            revision = None
            if sa.inspect(conn).has_table(VERSION_TABLE):
                revision = conn.execute(
                    sa.text(f"SELECT version_num FROM {VERSION_TABLE}")
                ).scalar()
    except sa.exc.SQLAlchemyError as exc:
        # Only the exception's class: its text may carry the URL's host and user.
        return SchemaStatus(False, None, head, f"database unreachable ({type(exc).__name__})")
    return SchemaStatus(True, revision, head)


def schema_differences(engine: sa.Engine) -> list[str]:
    """Differences between the database's tables/columns/indexes and copse's schema.

    Empty when the database matches exactly; used after a restore, when a
    backup of the wrong database or a half-restored one must be caught.
    """
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={
                "version_table": VERSION_TABLE,
                "include_object": include_object(conn.dialect.name),
            },
        )
        diffs = compare_metadata(ctx, metadata)
    return [describe_difference(d[0] if isinstance(d, list) else d) for d in diffs]


def describe_difference(diff: tuple[Any, ...]) -> str:
    """One line for one of Alembic's difference tuples, naming table and column."""
    op = diff[0]
    if op in ("add_table", "remove_table"):
        return f"{op} {diff[1].name}"
    if op in ("add_index", "remove_index", "add_constraint", "remove_constraint"):
        obj = diff[1]
        table = getattr(getattr(obj, "table", None), "name", "?")
        return f"{op} {obj.name} on {table}"
    if op in ("add_column", "remove_column"):
        return f"{op} {diff[2]}.{diff[3].name}"
    if op.startswith("modify_"):
        return f"{op} {diff[2]}.{diff[3]}"
    return " ".join(str(part) for part in diff)
