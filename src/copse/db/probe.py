"""Which of many tables hold matching rows, in a few short statements.

copse has ~150 client tables and a typical server uses a handful of them.
Code that would otherwise build and run a statement per table (a direct task
listing, the engine's per-device live-row fetch, the lifecycle invariant
check, whether an era is in use) first asks which tables matter, in two steps:

1. Which tables hold any row at all: one ``SELECT`` whose values are bit
   masks, one per 50 tables, bit *i* set when table *i* holds a row (``CASE
   WHEN EXISTS(SELECT 1 FROM t1) THEN 1 ELSE 0 END + CASE WHEN EXISTS(SELECT
   1 FROM t2) THEN 2 ELSE 0 END + ...``).  These statements have no
   parameters, so their text never changes: PostgreSQL runs them from a plan
   prepared once per connection (psycopg prepares a statement on its fifth
   run), ~0.7 ms for all ~150 tables instead of 5-7 ms planned afresh, and
   the other backends parse and plan less than with a condition per table.
2. The condition (a device, an era...), asked only of the tables that hold
   rows.  On PostgreSQL its values are written into the statement as
   constants: with bind parameters, psycopg prepares a statement it has run
   five times and PostgreSQL may then switch to a generic plan, which for
   ``EXISTS (... WHERE _device_id = $1 ...)`` is a sequential scan that reads
   a whole large table for a device with no rows in it (measured: 30 ms
   instead of 0.3 ms at 300,000 rows of two devices).  On SQLite and
   MariaDB/MySQL the values stay bind parameters (no generic plans there;
   PyMySQL interpolates them itself).

A value per 50 tables rather than a column per table: a driver reads a
description of every column of a result (PyMySQL parses each in Python), and
50 columns cost MariaDB ~0.9 ms a statement against ~0.67 ms for one
(bench/NOTES.md, round fifteen).  And one statement for all the chunks, not
one each: a round trip per 50 tables was ~0.2 ms more on a server database
(round sixteen).

A table found empty in step 1 holds no matching row, and a device's own rows
only change under its lock (``copse.records.devicelock``), so the two steps
give the answer one statement would.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

import sqlalchemy as sa

#: Tables per probing statement (keeps each statement a reasonable size; the
#: answer's bit mask must fit a signed 64-bit integer).
PROBE_CHUNK = 50

#: Distinct table subsets whose step-2 statements one probe keeps (the set of
#: tables in use changes rarely; past this many, the cache starts again).
_SUBSETS_KEPT = 64


class Binds:
    """The bind parameters of one statement being built: one object per name.

    perf: every clause of a probe shares one parameter per value (the device
    id, the era) instead of one each (~150 values for the driver to convert).
    ``literal`` makes them render as constants (PostgreSQL, see the module).
    """

    def __init__(self, literal: bool) -> None:
        self._literal = literal
        self._made: dict[str, sa.BindParameter[Any]] = {}

    def __call__(
        self, name: str, type_: sa.types.TypeEngine[Any], value: Any = None
    ) -> sa.BindParameter[Any]:
        """The parameter ``name`` (``value``: a fixed value; else given when run)."""
        bind = self._made.get(name)
        if bind is None:
            bind = sa.bindparam(
                name, value, type_=type_, literal_execute=self._literal, required=value is None
            )
            self._made[name] = bind
        return bind


#: A probe's condition on one table, its varying values taken from ``Binds``.
Condition = Callable[[sa.Table, Binds], sa.ColumnElement[bool]]

#: A probing statement, with the names of the tables whose answers each of its
#: values holds (in bit order).
Statements = tuple[tuple[tuple[str, ...], ...], sa.Executable]


def _exists_statements(
    tables: Sequence[sa.Table], where: Condition | None, literal: bool
) -> Statements:
    """One ``SELECT`` of a bit mask per chunk of tables, with the tables' names in bit order."""
    binds = Binds(literal)
    chunks: list[tuple[str, ...]] = []
    masks: list[sa.ColumnElement[int]] = []
    for i in range(0, len(tables), PROBE_CHUNK):
        part = tables[i : i + PROBE_CHUNK]
        mask: sa.ColumnElement[int] | None = None
        for bit, t in enumerate(part):
            # perf: constants, not a bind parameter per clause (~150 of them).
            q: sa.Select[Any] = sa.select(sa.literal_column("1")).select_from(t)
            term = sa.case(
                (sa.exists(q if where is None else q.where(where(t, binds))), _constant(1 << bit)),
                else_=_constant(0),
            )
            mask = term if mask is None else mask + term
        assert mask is not None
        chunks.append(tuple(t.name for t in part))
        masks.append(mask.label(f"mask{len(masks)}"))
    return tuple(chunks), sa.select(*masks)


def _constant(value: int) -> sa.ColumnElement[int]:
    return sa.literal_column(str(value), sa.BigInteger())


@functools.lru_cache(maxsize=64)
def _any_row_statements(tables: tuple[sa.Table, ...]) -> Statements:
    """Step 1's statements for these tables, built once (immutable)."""
    return _exists_statements(tables, None, literal=False)


def _run(
    conn: sa.Connection,
    statements: Statements,
    params: Mapping[str, Any] | None,
    *,
    prepare: bool = False,
) -> set[str]:
    chunks, stmt = statements
    if not chunks:  # no tables to ask about
        return set()
    with _prepared(conn, prepare):
        masks = conn.execute(stmt, dict(params or {})).one()
    found: set[str] = set()
    for names, mask in zip(chunks, masks, strict=True):
        m = int(mask)
        found.update(name for bit, name in enumerate(names) if m >> bit & 1)
    return found


@contextlib.contextmanager
def _prepared(conn: sa.Connection, prepare: bool) -> Iterator[None]:
    """psycopg: prepare the statement run inside at its first run, not its fifth.

    For statements without parameters only (a prepared statement with none
    has one plan, the right one); a no-op for other drivers, and where the
    connection's ``prepare_threshold`` is None (preparing turned off, as
    behind a pooler in transaction mode).
    """
    dbapi = conn.connection.dbapi_connection if prepare else None
    before = getattr(dbapi, "prepare_threshold", _ABSENT)
    if before is _ABSENT or before is None:  # not psycopg, or preparing turned off (PgBouncer)
        yield
        return
    dbapi.prepare_threshold = 0  # type: ignore[union-attr]
    try:
        yield
    finally:
        dbapi.prepare_threshold = before  # type: ignore[union-attr]


_ABSENT = object()


def tables_holding_rows(conn: sa.Connection, tables: Sequence[sa.Table]) -> set[str]:
    """Names of the tables that hold at least one row (step 1 alone)."""
    return _run(conn, _any_row_statements(tuple(tables)), None, prepare=True)


class TableProbe:
    """Which of a fixed list of tables hold rows matching a fixed condition.

    Built once per (tables, condition) and kept by its owner (building ~150
    ``EXISTS`` clauses costs more than running them); the values that vary
    (``params``) are named by the condition through :class:`Binds`.  Safe to
    share between threads: statements are immutable, and two threads that
    build the same subset's statements at once both get correct ones.
    """

    def __init__(self, tables: Sequence[sa.Table], where: Condition) -> None:
        self.tables = tuple(tables)
        self.where = where
        self._subsets: dict[tuple[tuple[sa.Table, ...], bool], Statements] = {}
        self._lock = threading.Lock()

    def run(
        self,
        conn: sa.Connection,
        params: Mapping[str, Any] | None = None,
        *,
        holding: AbstractSet[str] | None = None,
    ) -> set[str]:
        """Names of the tables holding a row that matches the condition.

        ``holding``: step 1's answer (:func:`tables_holding_rows` over these
        tables) from earlier in the same transaction, when nothing can have
        been inserted into them since; step 1 is then not asked again.  A
        table emptied since only costs a term of step 2.
        """
        if holding is None:
            holding = tables_holding_rows(conn, self.tables)
        if not holding:
            return set()
        subset = tuple(t for t in self.tables if t.name in holding)
        literal = conn.dialect.name == "postgresql"
        return _run(conn, self._statements(subset, literal), params)

    def _statements(self, subset: tuple[sa.Table, ...], literal: bool) -> Statements:
        key = (subset, literal)
        found = self._subsets.get(key)
        if found is None:
            found = _exists_statements(subset, self.where, literal)
            with self._lock:
                if len(self._subsets) >= _SUBSETS_KEPT:
                    self._subsets.clear()
                self._subsets[key] = found
        return found


def tables_with_rows(
    conn: sa.Connection,
    tables: Sequence[sa.Table],
    where: Callable[[sa.Table], sa.ColumnElement[bool]] | None = None,
) -> set[str]:
    """Names of the tables having at least one row (matching ``where``, if given).

    For occasional callers whose condition holds its own values; code on a
    hot path keeps a :class:`TableProbe` instead.
    """
    holding = tables_holding_rows(conn, tables)
    if where is None or not holding:
        return holding
    subset = [t for t in tables if t.name in holding]
    return _run(conn, _exists_statements(subset, lambda t, _b: where(t), literal=False), None)
