"""Which of many tables hold matching rows, in a few round trips.

copse has ~150 client tables and a typical server uses a handful of them.
Code that would otherwise build and run a statement per table (a direct task
listing, the engine's per-device live-row fetch, the lifecycle invariant
check) first asks which tables matter: one ``SELECT EXISTS(..), EXISTS(..),
...`` per 50 tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

#: Tables per probing statement (keeps each statement a reasonable size).
PROBE_CHUNK = 50

Condition = Callable[[sa.Table], sa.ColumnElement[bool]]


def probe_statements(
    tables: Sequence[sa.Table], where: Condition | None = None
) -> tuple[tuple[tuple[str, ...], sa.Executable], ...]:
    """The probing statements for these tables: (table names, ``SELECT EXISTS..``) per chunk.

    Building ~150 ``EXISTS`` clauses costs more than running them (milliseconds
    of SQLAlchemy construction per request), so callers whose tables and
    condition are fixed build them once (with bind parameters for what varies,
    e.g. the device id) and keep them: statements are immutable.  Conditions
    should share one ``sa.bindparam`` object per value, even a fixed one (the
    era): a parameter per clause is ~150 values for the driver to convert.
    """
    out: list[tuple[tuple[str, ...], sa.Executable]] = []
    for i in range(0, len(tables), PROBE_CHUNK):
        part = tables[i : i + PROBE_CHUNK]
        probes = []
        for t in part:
            # perf: a constant, not a bind parameter per clause (~150 of them).
            q: sa.Select[Any] = sa.select(sa.literal_column("1")).select_from(t)
            probes.append(sa.exists(q if where is None else q.where(where(t))))
        stmt: sa.Executable = sa.select(*probes)
        out.append((tuple(t.name for t in part), stmt))
    return tuple(out)


def run_probes(
    conn: sa.Connection,
    probes: Sequence[tuple[tuple[str, ...], sa.Executable]],
    params: Mapping[str, Any] | None = None,
) -> set[str]:
    """Names of the tables whose probe found a row (statements from :func:`probe_statements`)."""
    found: set[str] = set()
    for names, stmt in probes:
        row = conn.execute(stmt, dict(params or {})).one()
        found.update(name for name, hit in zip(names, row, strict=True) if hit)
    return found


def tables_with_rows(
    conn: sa.Connection, tables: Sequence[sa.Table], where: Condition | None = None
) -> set[str]:
    """Names of the tables having at least one row (matching ``where``, if given)."""
    return run_probes(conn, probe_statements(tables, where))
