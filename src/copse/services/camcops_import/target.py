"""The copse side of an import: checks before anything is written, key sequences.

The copying itself is in :mod:`copse.services.camcops_import.sync`.
"""

from __future__ import annotations

import sqlalchemy as sa

from copse.db import migrate
from copse.db.probe import tables_with_rows
from copse.schema.tables import audit, import_state, metadata
from copse.services.camcops_import.errors import ImportProblem
from copse.services.camcops_import.plan import TablePlan


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
    """Refuse a copse database that already holds data.

    Audit entries do not count: copse audits its own commands (``copse db
    upgrade`` included), and its own entries are kept apart from imported ones.
    """
    tables = [t for t in metadata.sorted_tables if t not in (import_state, audit)]
    used = sorted(tables_with_rows(conn, tables))
    if used:
        shown = ", ".join(used[:5]) + (", ..." if len(used) > 5 else "")
        raise ImportProblem(
            f"The copse database already holds data ({len(used)} tables: {shown}); "
            "import into an empty copse database"
        )


def require_no_tablet_activity(conn: sa.Connection) -> None:
    """Refuse to import again once tablets have uploaded to copse.

    A later run makes copse's imported tables match CamCOPS again, so it
    would undo what tablets sent to copse since; the switch to copse is final.
    """
    n = conn.execute(
        sa.select(sa.func.count()).select_from(audit).where(audit.c.source == "tablet")
    ).scalar_one()
    if n:
        raise ImportProblem(
            f"Tablets have already used this copse server ({n} audit entries): importing "
            "from CamCOPS again would undo what they sent; the move to copse is done"
        )


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
