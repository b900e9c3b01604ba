"""The final proof: source and copse compared table by table, row by row.

Both sides are streamed in key order and merged, so memory stays bounded.
Each pair of rows is compared value by value, after normalising what the
databases legitimately render differently (booleans as 0/1, naive UTC
date/times; :func:`copse.services.camcops_import.rows.same_values`): BLOBs
byte for byte, so this is stronger than comparing hashes of the values.  Any
difference is reported with the row's identity (device, era, client id,
``_when_added_exact``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack

import sqlalchemy as sa

from copse.services.camcops_import.plan import TablePlan
from copse.services.camcops_import.prefetch import Prefetch, threads_pay
from copse.services.camcops_import.rows import (
    Row,
    RowShape,
    differing_columns,
    row_shape,
    same_values,
)
from copse.services.camcops_import.source import era_counts, stream_chunks

#: At most this many differing rows are named per table (the count is always given).
MAX_NAMED = 20


#: Tables larger than this are read on both sides by threads, at the same time.
PREFETCH_ABOVE = 5000


def _rows(chunks: Iterable[list[Row]]) -> Iterator[Row]:
    for chunk in chunks:
        yield from chunk


def compare_table(
    src: sa.Connection, dst: sa.Connection, plan: TablePlan, expected: int | None = None
) -> list[str]:
    """Every difference between one source table and its copse copy.

    ``expected``: how many rows the source table holds, if known.
    """
    problems: list[str] = []
    diffs: list[str] = []
    shape = row_shape(plan)
    if plan.is_client:
        want, got = era_counts(src, plan.table), era_counts(dst, plan.table)
        for era, cur in sorted(set(want) | set(got)):
            w, g = want.get((era, cur), 0), got.get((era, cur), 0)
            if w != g:
                problems.append(
                    f"{plan.name}: era {era}, _current={int(cur)}: "
                    f"{w} rows in CamCOPS, {g} in copse"
                )
    transform = shape.transform
    a_chunks: Iterator[list[Row]] = (
        list(map(transform, c)) for c in stream_chunks(src, plan, plan.source_columns)
    )
    b_chunks = stream_chunks(dst, plan, shape.columns, source=False)
    with ExitStack() as stack:
        if threads_pay(dst.dialect.name) and (expected is None or expected > PREFETCH_ABOVE):
            # perf: each side is read (driver and server) while the rows are compared.
            a_chunks = iter(stack.enter_context(Prefetch(a_chunks)))
            b_chunks = iter(stack.enter_context(Prefetch(b_chunks)))
        diffs = _merge(shape, _rows(a_chunks), _rows(b_chunks))
    problems.extend(diffs[:MAX_NAMED])
    if len(diffs) > MAX_NAMED:
        problems.append(f"{plan.name}: ... {len(diffs) - MAX_NAMED} more differing rows")
    return problems


def _merge(shape: RowShape, a_iter: Iterator[Row], b_iter: Iterator[Row]) -> list[str]:
    """The differences between the source's rows and copse's, both in key order."""
    diffs: list[str] = []
    a, b = next(a_iter, None), next(b_iter, None)
    while a is not None or b is not None:
        ka = shape.key(a) if a is not None else None
        kb = shape.key(b) if b is not None else None
        if b is None or (a is not None and kb is not None and ka is not None and ka < kb):
            assert a is not None
            diffs.append(f"{shape.name_row(a)}: missing in copse")
            a = next(a_iter, None)
        elif a is None or (kb is not None and ka is not None and kb < ka):
            diffs.append(f"{shape.name_row(b)}: in copse but not in CamCOPS")
            b = next(b_iter, None)
        else:
            if not same_values(a, b):
                changed = differing_columns(shape.columns, a, b)
                diffs.append(f"{shape.name_row(a)}: values differ in {', '.join(changed)}")
            a, b = next(a_iter, None), next(b_iter, None)
    return diffs
