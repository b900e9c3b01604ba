"""The one SQLAlchemy ``MetaData`` of copse's schema, and how its tables are declared.

Why a module of its own: the server tables, the index tables and the client
tables live in separate modules, and all of them must share one ``MetaData``
(Alembic compares it with the database) and the same MySQL table options.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: Every table on MySQL/MariaDB: 4-byte UTF-8, binary (code point) comparison, InnoDB.
MYSQL_TABLE_OPTIONS = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mysql_engine": "InnoDB",
}


def declare_table(name: str, *cols: sa.schema.SchemaItem, **kw: Any) -> sa.Table:
    """A table of copse's ``metadata`` with the MySQL options (``kw`` may override them)."""
    options: dict[str, Any] = {**MYSQL_TABLE_OPTIONS, **kw}
    return sa.Table(name, metadata, *cols, **options)
