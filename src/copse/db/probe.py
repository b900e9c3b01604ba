"""Which of many tables hold matching rows, in a few round trips.

copse has ~150 client tables and a typical server uses a handful of them.
Code that would otherwise build and run a statement per table (a direct task
listing, the engine's per-device live-row fetch, the lifecycle invariant
check) first asks which tables matter: one ``SELECT EXISTS(..), EXISTS(..),
...`` per 50 tables.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa

#: Tables per probing statement (keeps each statement a reasonable size).
PROBE_CHUNK = 50

Condition = Callable[[sa.Table], sa.ColumnElement[bool]]


def tables_with_rows(
    conn: sa.Connection, tables: Sequence[sa.Table], where: Condition | None = None
) -> set[str]:
    """Names of the tables having at least one row (matching ``where``, if given)."""
    found: set[str] = set()
    for i in range(0, len(tables), PROBE_CHUNK):
        part = tables[i : i + PROBE_CHUNK]
        probes = []
        for t in part:
            q = sa.select(sa.literal(1)).select_from(t)
            probes.append(sa.exists(q if where is None else q.where(where(t))))
        row = conn.execute(sa.select(*probes)).one()
        found.update(t.name for t, hit in zip(part, row, strict=True) if hit)
    return found
