"""Many rows into one table at once: ``COPY`` on PostgreSQL, ``executemany`` elsewhere.

perf: psycopg's ``COPY ... FROM STDIN`` formats the rows in C and the server
parses them without planning a statement per row batch: several times the
speed of a multi-row ``INSERT`` for the hundreds of thousands of rows of an
import or a full index rebuild.  Text format: PostgreSQL parses each value as
its column's type, so 0/1 into a boolean column is taken as the INSERT would.
Values are given as Python values, exactly as for an INSERT; columns left out
get their server defaults (e.g. a serial key).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from copse.db.interrupts import sigint_held


def copy_rows(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """PostgreSQL only: the rows (tuples in ``columns`` order) by ``COPY``."""
    prep = conn.dialect.identifier_preparer
    sql = (
        f"COPY {prep.format_table(table)} ({', '.join(prep.quote(c) for c in columns)}) FROM STDIN"
    )
    raw: Any = conn.connection.driver_connection
    dbapi_error: type[Exception] = conn.dialect.loaded_dbapi.Error
    try:
        # Ctrl-C waits for the end of the COPY (see copse.db.interrupts).
        with sigint_held(), raw.cursor() as cur, cur.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    except dbapi_error as exc:
        # As SQLAlchemy raises a driver's error, so callers handle both paths alike.
        raise sa.exc.DBAPIError.instance(sql, None, exc, dbapi_error) from exc


def insert_tuples(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert rows given as tuples in ``columns`` order."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        copy_rows(conn, table, columns, rows)
    else:
        conn.execute(sa.insert(table), [dict(zip(columns, r, strict=True)) for r in rows])


def insert_dicts(conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows given as dicts, all with the same keys."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        columns = list(rows[0])
        copy_rows(conn, table, columns, [tuple(r[c] for c in columns) for r in rows])
    else:
        conn.execute(sa.insert(table), list(rows))
