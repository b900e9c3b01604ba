"""Reading the CamCOPS database: connect, recognise, and read one consistent snapshot.

Everything is read inside one ``REPEATABLE READ`` read-only transaction
started ``WITH CONSISTENT SNAPSHOT``, so the copy (and the verification that
re-reads the source) sees one state of a CamCOPS server that keeps running;
the server refuses any write in it, and the transaction is rolled back at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from copse.db.engine import normalise_url
from copse.db.inlist import ints_or_bound
from copse.services.camcops_import.errors import ImportProblem
from copse.services.camcops_import.plan import NOT_CARRIED, TablePlan
from copse.services.camcops_import.rows import Row

T = TypeVar("T")

#: The newest CamCOPS 2.4.x schema revision this importer knows (camcops-server 2.4.24).
NEWEST_KNOWN_REVISION = "0087"
#: Tables every CamCOPS database has; without them it is not one.
CAMCOPS_MARKER_TABLES = ("_alembic_version", "_security_users", "_security_devices", "patient")
#: Rows fetched from the server at a time while streaming a table, at most...
STREAM_ROWS = 2000
#: ... and a table with BLOBs (memory: a row may hold megabytes).
STREAM_BLOB_ROWS = 20
#: A chunk of a table's rows holds about this many bytes, at most STREAM_ROWS
#: rows: a table of wide text rows (a clerking note is ~17 KB a row) is read in
#: fewer rows at a time.  Several chunks are in memory at once (read ahead on
#: both sides of a verification), so this bounds memory whatever the width.
CHUNK_BYTES = 4 * 1024 * 1024
#: Rows of the first chunk of a table, from which the size of the rest is set.
FIRST_CHUNK_ROWS = 100
#: Bytes a value costs in memory besides its text (object header, tuple slot).
VALUE_OVERHEAD = 40


@dataclass(frozen=True)
class SourceSchema:
    """What the source database holds: its revision and each table's columns."""

    revision: str
    columns: dict[str, frozenset[str]]


def _dbapi_message(exc: sa.exc.DBAPIError) -> str:
    args: tuple[object, ...] = tuple(getattr(exc.orig, "args", ()))
    if len(args) >= 2 and isinstance(args[1], str):
        return args[1]
    return str(exc.orig).splitlines()[0] if str(exc.orig) else type(exc.orig).__name__


def source_identity(url: str) -> str:
    """How an import names its source: server and database, without user or password.

    A later run must import from the same CamCOPS database; the user it
    connects as may change.
    """
    u = make_url(url)
    return f"{u.host or 'localhost'}:{u.port or 3306}/{u.database or ''}"


def _source_url(url: str) -> sa.URL:
    """The source URL checked, for the compiled driver (``mysql+asyncmy``)."""
    try:
        u = normalise_url(url)
    except sa.exc.ArgumentError:
        raise ImportProblem(f"Not a database URL: {url!r}") from None
    if u.get_backend_name() not in ("mysql", "mariadb"):
        raise ImportProblem(
            f"The CamCOPS database must be MySQL/MariaDB (mysql://user:password@host/db), "
            f"not {u.get_backend_name()}"
        )
    if not u.database:
        raise ImportProblem("The source URL names no database (mysql://user:password@host/DB)")
    return u.set(drivername=f"{u.get_backend_name()}+asyncmy")


def _closing_on_error(conn: sa.Connection, fn: Callable[[sa.Connection], T]) -> T:
    """``fn(conn)``; if it fails (Ctrl-C included), what it left half-read is closed here.

    A result still streaming when ``fn`` stopped is referenced by the frames
    of the exception's traceback; closed later (at exit), it could no longer
    reach the driver.  Clearing those frames closes it now, through the bridge.
    """
    try:
        return fn(conn)
    except BaseException as exc:
        traceback.clear_frames(exc.__traceback__)
        raise


async def _in_snapshot(u: sa.URL, where: str, fn: Callable[[sa.Connection], T]) -> T:
    engine = create_async_engine(u, isolation_level="AUTOCOMMIT", pool_pre_ping=False)
    try:
        try:
            conn = await engine.connect()
        except sa.exc.DBAPIError as exc:
            raise ImportProblem(
                f"Cannot connect to the CamCOPS database {where}: {_dbapi_message(exc)}"
            ) from None
        try:
            await conn.exec_driver_sql("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            await conn.exec_driver_sql("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
            return await conn.run_sync(_closing_on_error, fn)
        finally:
            try:
                await conn.exec_driver_sql("ROLLBACK")
            finally:
                await conn.close()
    finally:
        await engine.dispose()


def with_snapshot(url: str, fn: Callable[[sa.Connection], T]) -> T:
    """``fn(conn)``, ``conn`` being inside a read-only consistent-snapshot transaction
    on the source.

    perf: the source is read by asyncmy, whose protocol and row parsing are
    compiled: ~10x the speed of the pure-Python PyMySQL, which parsing every
    row of a CamCOPS database made the largest part of the copy.  asyncmy is an
    asyncio driver; SQLAlchemy's bridge (``AsyncConnection.run_sync``) lets
    ``fn`` use ``conn`` as any synchronous connection, in an event loop of this
    call's own, but only from this thread (a reading thread cannot use it).
    """
    u = _source_url(url)
    where = make_url(url).render_as_string(hide_password=True)
    loop = asyncio.new_event_loop()
    task = loop.create_task(_in_snapshot(u, where, fn))
    try:
        return loop.run_until_complete(task)
    except BaseException:
        if task.done():
            if not task.cancelled():
                task.exception()  # the error being raised: asyncio need not report it again
        else:
            # Ctrl-C while waiting for the source: the work is cancelled where it
            # waits, so it unwinds (results closed, snapshot rolled back) as on an error.
            task.cancel()
            with contextlib.suppress(BaseException):
                loop.run_until_complete(task)
        raise
    finally:
        loop.close()


def read_schema(conn: sa.Connection) -> SourceSchema:
    """The source's tables and columns; refuses anything that is not CamCOPS 2.4.x."""
    cols: dict[str, set[str]] = {}
    rows = conn.execute(
        sa.text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = DATABASE()"
        )
    )
    for table, column in rows:
        cols.setdefault(str(table), set()).add(str(column))
    missing = [t for t in CAMCOPS_MARKER_TABLES if t not in cols]
    if missing:
        raise ImportProblem(
            f"Not a CamCOPS database: it has no table {', '.join(missing)} "
            f"({len(cols)} tables found)"
        )
    revs = [
        str(r) for r in conn.exec_driver_sql("SELECT version_num FROM _alembic_version").scalars()
    ]
    if len(revs) != 1:
        raise ImportProblem(f"Not a usable CamCOPS database: {len(revs)} schema revisions recorded")
    rev = revs[0]
    if not rev.isdigit() or int(rev) > int(NEWEST_KNOWN_REVISION):
        raise ImportProblem(
            f"CamCOPS schema revision {rev} is not one of CamCOPS 2.4.x "
            f"(known up to {NEWEST_KNOWN_REVISION}, camcops-server 2.4.24)"
        )
    return SourceSchema(rev, {t: frozenset(c) for t, c in cols.items()})


def _fill_value(column: sa.Column[Any]) -> tuple[bool, Any]:
    """(usable, value) for a copse column an older CamCOPS schema lacks."""
    default = column.default
    if isinstance(default, sa.ColumnDefault) and default.is_scalar:
        return True, default.arg
    return column.nullable is True, None


def fit_plans(
    schema: SourceSchema, plans: list[TablePlan]
) -> tuple[list[TablePlan], list[str], list[str]]:
    """The plans for this source: (plans, notes, gaps).

    A column that a later CamCOPS 2.4.x added and this source lacks is filled
    with copse's default (or left empty) and listed in the notes; what copse
    cannot take, or a missing column it cannot do without, is a gap.
    """
    fitted: list[TablePlan] = []
    notes: list[str] = []
    gaps: list[str] = []
    for p in plans:
        have = schema.columns.get(p.name)
        if have is None:
            gaps.append(f"table {p.name} is missing")
            continue
        fills: dict[str, Any] = {}
        for c in sorted(set(p.source_columns) - have):
            usable, value = _fill_value(p.table.c[c])
            if usable and c not in p.key:
                fills[c] = value
            else:
                gaps.append(f"table {p.name} lacks column {c}")
        extra = sorted(have - set(p.all_columns))
        if extra:
            gaps.append(f"table {p.name} has column(s) copse cannot store: {', '.join(extra)}")
        if fills:
            notes.extend(
                f"{p.name}.{c}: not in this (older) CamCOPS schema; imported as {v!r}"
                for c, v in fills.items()
            )
            p = replace(
                p,
                source_columns=tuple(c for c in p.source_columns if c not in fills),
                fixed={**p.fixed, **fills},
            )
        fitted.append(p)
    return fitted, notes, gaps


def unknown_tables(schema: SourceSchema, plans: list[TablePlan]) -> list[str]:
    """Source tables that are neither copied nor known to be left behind."""
    known = {p.name for p in plans} | set(NOT_CARRIED)
    return sorted(t for t in schema.columns if t not in known)


def count_rows(conn: sa.Connection, table: str) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar_one())


def era_counts(conn: sa.Connection, table: sa.Table) -> dict[tuple[str, bool], int]:
    """Rows of a client table by (era, _current)."""
    q = sa.select(table.c._era, table.c._current, sa.func.count()).group_by(
        table.c._era, table.c._current
    )
    return {(str(e), bool(c)): int(n) for e, c, n in conn.execute(q)}


def count_kept(conn: sa.Connection, plan: TablePlan) -> tuple[int, int]:
    """(rows to copy, rows skipped) of one source table."""
    total = count_rows(conn, plan.name)
    kept = plan.kept()
    if kept is None:
        return total, 0
    n = int(
        conn.execute(sa.select(sa.func.count()).select_from(plan.table).where(kept)).scalar_one()
    )
    return n, total - n


def stream_chunks(
    conn: sa.Connection,
    plan: TablePlan,
    columns: tuple[str, ...],
    *,
    source: bool = True,
    after: tuple[Any, ...] | None = None,
) -> Iterator[list[Row]]:
    """Rows (tuples of ``columns``) of one table in key order, streamed a chunk
    at a time: on the source, those that are copied; in copse, those that came
    from CamCOPS; only keys after ``after``."""
    q = sa.select(*(plan.table.c[c] for c in columns)).order_by(
        *(plan.table.c[k] for k in plan.key)
    )
    cond = plan.kept() if source else plan.imported()
    if cond is not None:
        q = q.where(cond)
    if after is not None:
        q = q.where(plan.key_after(after))
    blobs = any(isinstance(plan.table.c[c].type, sa.LargeBinary) for c in columns)
    size = STREAM_BLOB_ROWS if blobs else FIRST_CHUNK_ROWS
    sized = blobs  # a BLOB table keeps its fixed size; others are sized by their first chunk
    # Per statement: Connection.execution_options() would set them on ``conn`` for good.
    result = conn.execute(q, execution_options={"stream_results": True, "yield_per": size})
    try:
        while part := result.fetchmany(size):
            chunk: list[Row] = list(map(tuple, part))
            yield chunk
            if not sized:
                size, sized = chunk_rows(chunk), True
    finally:
        result.close()


def rows_by_key(
    conn: sa.Connection, plan: TablePlan, columns: tuple[str, ...], keys: list[tuple[Any, ...]]
) -> list[Row]:
    """The source rows (tuples of ``columns``) with these keys, those that are copied."""
    key_cols = [plan.table.c[k] for k in plan.key]
    if len(key_cols) > 1:
        found = sa.tuple_(*key_cols).in_(keys)
    else:
        found = key_cols[0].in_(ints_or_bound([k[0] for k in keys]))
    q = sa.select(*(plan.table.c[c] for c in columns)).where(found)
    kept = plan.kept()
    if kept is not None:
        q = q.where(kept)
    return [tuple(r) for r in conn.execute(q)]


def row_bytes(row: Row) -> int:
    """The text and bytes a row holds (what makes a row large)."""
    return sum(len(v) for v in row if isinstance(v, (bytes, str)))


def chunk_rows(sample: list[Row]) -> int:
    """Rows per chunk for a table whose rows look like ``sample``: about
    CHUNK_BYTES a chunk, at most STREAM_ROWS rows."""
    if not sample:
        return STREAM_ROWS
    each = sum(map(row_bytes, sample)) / len(sample) + VALUE_OVERHEAD * len(sample[0])
    return max(FIRST_CHUNK_ROWS, min(STREAM_ROWS, int(CHUNK_BYTES // each)))


def stream_rows(
    conn: sa.Connection,
    plan: TablePlan,
    columns: tuple[str, ...],
    *,
    source: bool = True,
    after: tuple[Any, ...] | None = None,
) -> Iterator[Row]:
    """The rows of :func:`stream_chunks` one by one."""
    for chunk in stream_chunks(conn, plan, columns, source=source, after=after):
        yield from chunk
