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

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from copse.services.camcops_import.errors import ImportProblem
from copse.services.camcops_import.plan import TablePlan, identity, transform_row
from copse.services.camcops_import.source import stream_rows
from copse.services.camcops_import.state import save_progress
from copse.services.camcops_import.verify import row_digest

#: A batch is written when it reaches this many rows or this many bytes of BLOB/text.
BATCH_ROWS = 1000
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


@dataclass(frozen=True)
class Batching:
    rows: int = BATCH_ROWS
    bytes: int = BATCH_BYTES


def _size(row: Mapping[str, Any]) -> int:
    return sum(len(v) for v in row.values() if isinstance(v, (bytes, str)))


def _first_line(exc: sa.exc.DBAPIError) -> str:
    return (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]


def _key_cols(plan: TablePlan) -> list[sa.ColumnElement[Any]]:
    return [plan.table.c[k] for k in plan.key]


def _key_is(plan: TablePlan, prefix: str = "k_") -> sa.ColumnElement[bool]:
    return sa.and_(*(plan.table.c[k] == sa.bindparam(prefix + k) for k in plan.key))


def _target_where(plan: TablePlan) -> list[sa.ColumnElement[bool]]:
    own = plan.imported()
    return [] if own is None else [own]


def _write(
    conn: sa.Connection, plan: TablePlan, stmt: sa.Executable, rows: list[dict[str, Any]]
) -> None:
    """Run a batch statement; if it fails, find and name the first row copse cannot store."""
    try:
        with conn.begin_nested():
            conn.execute(stmt, rows)
        return
    except sa.exc.DBAPIError as batch_exc:
        for row in rows:
            try:
                with conn.begin_nested():
                    conn.execute(stmt, [row])
            except sa.exc.DBAPIError as exc:
                raise ImportProblem(
                    f"copse cannot store row {identity(plan, row)}: {_first_line(exc)}"
                ) from None
        raise ImportProblem(
            f"copse cannot store a batch of {plan.name}: {_first_line(batch_exc)}"
        ) from None


def _apply_batch(
    conn: sa.Connection, plan: TablePlan, batch: list[dict[str, Any]], lo: Key | None
) -> tuple[int, int, list[Key]]:
    """Write one batch (its rows cover the keys after ``lo`` up to its last row's)."""
    hi = tuple(batch[-1][k] for k in plan.key)
    cond = [plan.key_upto(hi), *_target_where(plan)]
    if lo is not None:
        cond.append(plan.key_after(lo))
    cols = plan.all_columns
    have = {
        tuple(r[k] for k in plan.key): row_digest(dict(r), cols)
        for r in conn.execute(sa.select(plan.table).where(*cond)).mappings()
    }
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for row in batch:
        k = tuple(row[c] for c in plan.key)
        digest = have.pop(k, None)
        if digest is None:
            inserts.append(row)
        elif digest != row_digest(row, cols):
            updates.append({**row, **{f"k_{c}": row[c] for c in plan.key}})
    if inserts:
        _write(conn, plan, sa.insert(plan.table), inserts)
    if updates:
        # The SET clause is made from the rows' column names; the key is matched by k_*.
        _write(conn, plan, sa.update(plan.table).where(_key_is(plan)), updates)
    return len(inserts), len(updates), list(have)


def _batches(
    rows: Iterator[Mapping[str, Any]], plan: TablePlan, batching: Batching
) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    size = 0
    for src in rows:
        row = transform_row(plan, src)
        batch.append(row)
        size += _size(row)
        if len(batch) >= batching.rows or size >= batching.bytes:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


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
) -> SyncCounts:
    """Bring copse's table level with the source, committing batch by batch."""
    counts = SyncCounts()
    lo = after
    rows = stream_rows(src, plan, plan.source_columns, after=after)
    for batch in _batches(rows, plan, batching):
        with engine.begin() as dst:
            ins, upd, gone = _apply_batch(dst, plan, batch, lo)
            lo = tuple(batch[-1][k] for k in plan.key)
            save_progress(dst, source_id, plan.name, lo, ins + upd, now)
        counts.inserted += ins
        counts.updated += upd
        counts.to_delete.extend(gone)
        if progress is not None:
            progress(plan.name, len(batch))
    with engine.begin() as dst:
        cond = _target_where(plan)
        if lo is not None:
            cond.append(plan.key_after(lo))
        tail = dst.execute(sa.select(*_key_cols(plan)).where(*cond))
        counts.to_delete.extend(tuple(r) for r in tail)
        save_progress(dst, source_id, plan.name, lo, 0, now, done=True)
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
