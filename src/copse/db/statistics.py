"""Planner statistics after a bulk load.

Why: a query planner chooses indexes from its statistics of each table, and
a table filled in bulk moments ago has none (PostgreSQL gathers them only
when autovacuum gets round to it, or never where autovacuum is off; SQLite
only on ``ANALYZE``).  Without them PostgreSQL guessed that look-ups by
(device, era, client id) match few rows, scanned whole tables instead, and
an import's index rebuild, which runs such a look-up for every 500 tasks,
grew with the square of the database.  ``pg_restore`` and ``mysqlimport``
users are told to analyze after loading for the same reason.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

#: Rows of each index SQLite's ``ANALYZE`` reads (its documented sampling knob).
SQLITE_ANALYSIS_LIMIT = 1000


def analyze(engine: sa.Engine, tables: Iterable[str]) -> None:
    """Gather planner statistics for these tables, each in its own statement.

    On its own connection and outside any caller's transaction: MariaDB's
    ``ANALYZE TABLE`` commits implicitly.
    """
    names = sorted(set(tables))
    if not names:
        return
    preparer = engine.dialect.identifier_preparer
    with engine.connect() as conn:
        verb = "ANALYZE TABLE" if engine.dialect.name == "mysql" else "ANALYZE"
        if engine.dialect.name == "sqlite":
            # Sample each index (as the server backends do) instead of reading it whole.
            conn.exec_driver_sql(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
        for name in names:
            conn.exec_driver_sql(f"{verb} {preparer.quote(name)}")
        conn.commit()
