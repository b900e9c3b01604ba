"""Bringing one copse table level with its CamCOPS table, batch by batch.

The source table is streamed in key order and cut into batches.  For each
batch, copse's rows in the same key range are read and compared: a row copse
lacks is inserted, a row whose values differ (a version superseded, an era
finalized) is updated, and copse rows no longer in CamCOPS are set aside to
be deleted at the end (children before parents).  The batch's writes and the
key of its last row are committed together (``state.save_progress``), so an
interrupted import resumes after the last committed batch and nothing is
written twice.  Into an empty copse this is a plain copy; re-run after a
complete import it writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn

import sqlalchemy as sa

from copse.db.bulk import insert_tuples
from copse.db.engine import own_statement_cache
from copse.services.camcops_import.digests import SourceDigests
from copse.services.camcops_import.errors import ImportProblem
from copse.services.camcops_import.plan import TablePlan
from copse.services.camcops_import.rows import Row, RowShape, row_shape, same_values
from copse.services.camcops_import.source import stream_rows
from copse.services.camcops_import.state import save_progress

#: A batch is written when it reaches this many rows or this many bytes of BLOB/text.
#: perf: each batch costs a few round trips and a commit; 5,000 rows make that
#: a small share of the copy, and even the widest CamCOPS tables keep a batch
#: of plain values to tens of MB (BLOBs and long texts are bounded by bytes).
BATCH_ROWS = 5000
BATCH_BYTES = 16 * 1024 * 1024

#: Called with (table name, source rows just dealt with).
Progress = Callable[[str, int], None]
Key = tuple[Any, ...]


@dataclass
class SyncCounts:
    """What one table's pass did to copse."""

    inserted: int = 0
    updated: int = 0
    #: Keys of copse rows no longer in CamCOPS, deleted after every table is copied.
    to_delete: list[Key] = field(default_factory=list)


@dataclass
class WrittenKeys:
    """The ``_pk``s of the client rows a run writes, table by table, up to ``limit`` in all.

    A catch-up run re-indexes only what these rows affect; past ``limit`` the
    keys are dropped (``complete`` false) and the caller rebuilds the whole
    index instead, which is then the faster way and keeps memory bounded.
    """

    limit: int
    tables: dict[str, set[int]] = field(default_factory=dict)
    count: int = 0
    complete: bool = True

    def add(self, table: str, pks: list[int]) -> None:
        if not self.complete or not pks:
            return
        have = self.tables.setdefault(table, set())
        before = len(have)
        have.update(pks)
        self.count += len(have) - before
        if self.count > self.limit:
            self.complete = False
            self.tables.clear()


@dataclass(frozen=True)
class Batching:
    rows: int = BATCH_ROWS
    bytes: int = BATCH_BYTES


def _first_line(exc: sa.exc.DBAPIError) -> str:
    return (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]


def _key_cols(plan: TablePlan) -> list[sa.ColumnElement[Any]]:
    return [plan.table.c[k] for k in plan.key]


def _key_is(plan: TablePlan, prefix: str = "k_") -> sa.ColumnElement[bool]:
    return sa.and_(*(plan.table.c[k] == sa.bindparam(prefix + k) for k in plan.key))


def _target_where(plan: TablePlan) -> list[sa.ColumnElement[bool]]:
    own = plan.imported()
    return [] if own is None else [own]


def _insert(conn: sa.Connection, shape: RowShape, rows: list[Row]) -> None:
    insert_tuples(conn, shape.plan.table, shape.columns, rows)


def _update(conn: sa.Connection, shape: RowShape, rows: list[Row]) -> None:
    # The SET clause is made from the rows' column names; the key is matched by k_*.
    params = [
        {
            **shape.as_dict(r),
            **{f"k_{k}": v for k, v in zip(shape.plan.key, shape.key(r), strict=True)},
        }
        for r in rows
    ]
    conn.execute(sa.update(shape.plan.table).where(_key_is(shape.plan)), params)


class _BatchRefused(Exception):
    """A batch's write failed; raised out of its transaction, which is rolled back."""

    def __init__(
        self,
        how: Callable[[sa.Connection, RowShape, list[Row]], None],
        rows: list[Row],
        exc: sa.exc.DBAPIError,
    ) -> None:
        super().__init__(_first_line(exc))
        self.how = how
        self.rows = rows


def _write(
    conn: sa.Connection,
    shape: RowShape,
    how: Callable[[sa.Connection, RowShape, list[Row]], None],
    rows: list[Row],
) -> None:
    """Write a batch; if that fails, leave its transaction (see :func:`_name_refused_row`).

    perf: no savepoint around the batch (a round trip before and after every
    batch of every table); the rare failure is diagnosed afterwards instead.
    """
    try:
        how(conn, shape, rows)
    except sa.exc.DBAPIError as exc:
        raise _BatchRefused(how, rows, exc) from None


def _name_refused_row(conn: sa.Connection, shape: RowShape, refused: _BatchRefused) -> NoReturn:
    """Find and name the first row of a refused batch that copse cannot store.

    The batch's transaction has been rolled back; its rows are written again one
    at a time, each in a savepoint, in a transaction that is then rolled back too.
    """
    tx = conn.begin()
    try:
        for row in refused.rows:
            try:
                with conn.begin_nested():
                    refused.how(conn, shape, [row])
            except sa.exc.DBAPIError as exc:
                raise ImportProblem(
                    f"copse cannot store row {shape.name_row(row)}: {_first_line(exc)}"
                ) from None
    finally:
        tx.rollback()
    raise ImportProblem(f"copse cannot store a batch of {shape.plan.name}: {refused}")


def _apply_batch(
    conn: sa.Connection,
    shape: RowShape,
    batch: list[Row],
    lo: Key | None,
    compare: bool,
) -> tuple[list[Row], int, list[Key]]:
    """Write one batch (its rows cover the keys after ``lo`` up to its last row's).

    ``compare``: copse may already hold rows in that range (a re-run), which are
    read and compared; otherwise every row is new and is simply inserted.
    Returns the rows written, how many of them were updates, and the keys of
    copse's rows in the range that the source no longer has.
    """
    plan = shape.plan
    if not compare:
        _write(conn, shape, _insert, batch)
        return batch, 0, []
    hi = shape.key(batch[-1])
    cond = [plan.key_upto(hi), *_target_where(plan)]
    if lo is not None:
        cond.append(plan.key_after(lo))
    cols = [plan.table.c[c] for c in shape.columns]
    have = {shape.key(r): r for r in conn.execute(sa.select(*cols).where(*cond))}
    inserts: list[Row] = []
    updates: list[Row] = []
    for row in batch:
        old = have.pop(shape.key(row), None)
        if old is None:
            inserts.append(row)
        elif not same_values(row, old):
            updates.append(row)
    if inserts:
        _write(conn, shape, _insert, inserts)
    if updates:
        _write(conn, shape, _update, updates)
    return inserts + updates, len(updates), list(have)


def _batches(rows: Iterator[Row], shape: RowShape, batching: Batching) -> Iterator[list[Row]]:
    batch: list[Row] = []
    size = 0
    transform, row_size = shape.transform, shape.size
    for src in rows:
        row = transform(src)
        batch.append(row)
        size += row_size(row)
        if len(batch) >= batching.rows or size >= batching.bytes:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _holds_rows_after(conn: sa.Connection, plan: TablePlan, after: Key | None) -> bool:
    """Whether copse holds imported rows of this table with keys after ``after``."""
    cond = _target_where(plan)
    if after is not None:
        cond.append(plan.key_after(after))
    q = sa.select(*_key_cols(plan)).where(*cond).limit(1)
    return conn.execute(q).first() is not None


def sync_table(
    src: sa.Connection,
    engine: sa.Engine,
    plan: TablePlan,
    *,
    source_id: str,
    after: Key | None,
    now: datetime,
    batching: Batching,
    progress: Progress | None = None,
    expected: int | None = None,
    digests: SourceDigests | None = None,
    written: WrittenKeys | None = None,
) -> SyncCounts:
    """Bring copse's table level with the source, committing batch by batch.

    ``expected``: how many rows the source table holds, if known.  ``digests``:
    where to keep the source rows' hashes for the verification (when the
    table is read from its first row).  ``written``: where to note the keys of
    the client rows written.
    """
    counts = SyncCounts()
    shape = row_shape(plan)
    own_statement_cache(src)
    (pk,) = shape.key_index if plan.is_client else (0,)
    lo = after
    with engine.connect() as dst:
        # perf: into an empty table (a first run, or the rest of an interrupted
        # one) every row is new: no batch needs to read copse's rows back.
        compare = _holds_rows_after(dst, plan, after)
    record = digests if after is None else None
    if record is not None:
        record.start(plan.name)
    # The source's count was taken in the same snapshot: an empty table needs no query.
    rows = iter(()) if expected == 0 else stream_rows(src, plan, plan.source_columns, after=after)
    batches = _batches(rows, shape, batching)
    # perf: one connection for the table's batches (a pooled connection is
    # pinged at every check-out), a transaction per batch.
    with engine.connect() as dst:
        own_statement_cache(dst)
        for batch in batches:
            try:
                with dst.begin():
                    wrote, upd, gone = _apply_batch(dst, shape, batch, lo, compare)
                    lo = shape.key(batch[-1])
                    save_progress(dst, source_id, plan.name, lo, len(wrote), now)
            except _BatchRefused as refused:
                _name_refused_row(dst, shape, refused)
            counts.inserted += len(wrote) - upd
            counts.updated += upd
            counts.to_delete.extend(gone)
            if written is not None and plan.is_client:
                written.add(plan.name, [row[pk] for row in wrote])
            if record is not None:
                record.add(plan.name, list(map(shape.key, batch)), batch)
            if progress is not None:
                progress(plan.name, len(batch))
    with engine.begin() as dst:
        tail: list[Key] = []
        if compare:
            cond = _target_where(plan)
            if lo is not None:
                cond.append(plan.key_after(lo))
            tail = [tuple(r) for r in dst.execute(sa.select(*_key_cols(plan)).where(*cond))]
        counts.to_delete.extend(tail)
        save_progress(dst, source_id, plan.name, lo, 0, now, done=True)
    if record is not None:
        record.finish(plan.name)
    return counts


def delete_rows(conn: sa.Connection, plan: TablePlan, keys: list[Key]) -> None:
    """Delete copse rows that CamCOPS no longer has (called children first)."""
    stmt = sa.delete(plan.table).where(_key_is(plan))
    for i in range(0, len(keys), BATCH_ROWS):
        part = [
            {f"k_{c}": v for c, v in zip(plan.key, k, strict=True)}
            for k in keys[i : i + BATCH_ROWS]
        ]
        conn.execute(stmt, part)


def make_room(conn: sa.Connection, plan: TablePlan, source_top: int | None) -> int:
    """Move copse's own rows (its audit entries) past the keys CamCOPS has used.

    copse's entries were numbered after the imported ones; CamCOPS, still
    running, may since have used those numbers.  The entries are re-inserted
    under new numbers (an insert, not an update, so every backend's key
    counter moves past them) and nothing refers to them.
    """
    own = plan.own()
    if own is None or source_top is None or len(plan.key) != 1:
        return 0
    col = plan.table.c[plan.key[0]]
    clash = (
        conn.execute(sa.select(plan.table).where(own, col <= source_top).order_by(col))
        .mappings()
        .all()
    )
    if not clash:
        return 0
    top = conn.execute(sa.select(sa.func.max(col))).scalar_one()
    nxt = max(int(top or 0), source_top) + 1
    for row in clash:
        conn.execute(sa.delete(plan.table).where(col == row[col.name]))
        conn.execute(sa.insert(plan.table).values({**row, col.name: nxt}))
        nxt += 1
    return len(clash)
