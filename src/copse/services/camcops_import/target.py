"""Writing into copse: the target checks, batched inserts, key sequences.

All writes of one import run in the caller's single transaction: an error
anywhere (a row copse cannot store, Ctrl-C, a lost connection) leaves the
copse database exactly as it was, and a new run starts again from nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from copse.db import migrate
from copse.db.probe import tables_with_rows
from copse.schema.tables import metadata
from copse.services.camcops_import.errors import ImportProblem
from copse.services.camcops_import.plan import TablePlan, identity, transform_row

#: A batch is written when it reaches this many rows or this many bytes of BLOB/text.
BATCH_ROWS = 1000
BATCH_BYTES = 16 * 1024 * 1024

#: Called with (table name, rows just written).
Progress = Callable[[str, int], None]


def check_target(engine: sa.Engine) -> None:
    """Refuse a copse database that is not migrated (nothing is written here)."""
    try:
        current = migrate.current_revision(engine)
    except sa.exc.DBAPIError as exc:
        raise ImportProblem(f"Cannot open the copse database: {exc.orig}") from None
    head = migrate.head_revision()
    if current != head:
        raise ImportProblem(
            f"The copse database is at schema revision {current or '(none)'}, not {head}: "
            "run 'copse db upgrade' first"
        )


def require_empty(conn: sa.Connection) -> None:
    """Refuse a copse database that already holds data."""
    used = sorted(tables_with_rows(conn, list(metadata.sorted_tables)))
    if used:
        shown = ", ".join(used[:5]) + (", ..." if len(used) > 5 else "")
        raise ImportProblem(
            f"The copse database already holds data ({len(used)} tables: {shown}); "
            "import into an empty copse database"
        )


def _size(row: Mapping[str, Any]) -> int:
    return sum(len(v) for v in row.values() if isinstance(v, (bytes, str)))


def _first_line(exc: sa.exc.DBAPIError) -> str:
    return (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]


def _insert(conn: sa.Connection, plan: TablePlan, batch: list[dict[str, Any]]) -> None:
    """Insert a batch; if it fails, find and name the first row copse cannot store."""
    try:
        with conn.begin_nested():
            conn.execute(sa.insert(plan.table), batch)
        return
    except sa.exc.DBAPIError as batch_exc:
        for row in batch:
            try:
                with conn.begin_nested():
                    conn.execute(sa.insert(plan.table), [row])
            except sa.exc.DBAPIError as exc:
                raise ImportProblem(
                    f"copse cannot store row {identity(plan, row)}: {_first_line(exc)}"
                ) from None
        raise ImportProblem(
            f"copse cannot store a batch of {plan.name}: {_first_line(batch_exc)}"
        ) from None


def copy_table(
    conn: sa.Connection,
    plan: TablePlan,
    rows: Iterable[Mapping[str, Any]],
    progress: Progress | None = None,
) -> int:
    """Copy one table's rows in batches; returns the number of rows."""
    batch: list[dict[str, Any]] = []
    size = 0
    n = 0
    for src in rows:
        row = transform_row(plan, src)
        batch.append(row)
        size += _size(row)
        if len(batch) >= BATCH_ROWS or size >= BATCH_BYTES:
            _insert(conn, plan, batch)
            n += len(batch)
            if progress is not None:
                progress(plan.name, len(batch))
            batch, size = [], 0
    if batch:
        _insert(conn, plan, batch)
        n += len(batch)
        if progress is not None:
            progress(plan.name, len(batch))
    return n


def reset_sequences(conn: sa.Connection, plans: list[TablePlan]) -> None:
    """Move PostgreSQL's key sequences past the copied keys.

    Rows were inserted with their CamCOPS keys; MariaDB and SQLite move their
    counters themselves, PostgreSQL's sequences must be told.
    """
    if conn.dialect.name != "postgresql":
        return
    for p in plans:
        col = p.table.autoincrement_column
        if col is None:
            continue
        seq = conn.execute(
            sa.select(sa.func.pg_get_serial_sequence(p.name, col.name))
        ).scalar_one_or_none()
        if seq is None:
            continue
        top = conn.execute(sa.select(sa.func.max(col))).scalar_one_or_none()
        if top is not None:
            conn.execute(sa.select(sa.func.setval(seq, int(top))))
