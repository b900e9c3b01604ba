"""Indexes that exist on some database backends only.

Why: MariaDB serves an ``ORDER BY`` from an index only when the index holds
every sort key in the same direction (it has no incremental sort, and mixed
directions need a descending index).  The task list's default order, newest
first then table and PK ascending, therefore needs MariaDB-only descending
indexes; PostgreSQL and SQLite serve the same order from the plain ones
(PostgreSQL sorts only the tie-breakers), and an extra index there would only
cost every upload an index write.

An index marked here is created (from the metadata or by its migration) on
its dialects only, and the schema comparison (``copse db check``, the
migration test) leaves it out elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

#: ``Index.info`` key: the dialect names an index exists on.
ONLY_ON = "copse_only_on"
#: SQLAlchemy's names for a MySQL/MariaDB connection (the URL decides which).
MYSQL_DIALECTS = ("mysql", "mariadb")
#: The other backends copse runs on.
NOT_MYSQL_DIALECTS = ("postgresql", "sqlite")


def only_on(index: sa.Index, dialects: tuple[str, ...]) -> sa.Index:
    """Mark ``index`` as existing on ``dialects`` only (and create it only there)."""
    index.info[ONLY_ON] = dialects

    def applies(*_args: Any, dialect: sa.Dialect, **_kw: Any) -> bool:
        return dialect.name in dialects

    return index.ddl_if(callable_=applies)


def exists_on(obj: Any, dialect: str) -> bool:
    """Whether a schema object of the metadata should exist on ``dialect``."""
    info = getattr(obj, "info", None) or {}
    dialects = info.get(ONLY_ON)
    return dialects is None or dialect in dialects


def include_object(dialect: str) -> Callable[..., bool]:
    """Alembic's ``include_object`` for comparing the metadata with a ``dialect`` database."""

    def include(obj: Any, _name: Any, type_: str, reflected: bool, _compare_to: Any) -> bool:
        return type_ != "index" or reflected or exists_on(obj, dialect)

    return include
