"""The final proof: source and copse compared table by table, row by row.

Both sides are streamed in key order and merged, so memory stays bounded.
Where the copy recorded a table's source rows (their keys and hashes,
:mod:`copse.services.camcops_import.digests`), copse's rows are compared with
those and only rows whose hashes differ are read from the source again;
otherwise the source table itself is streamed.  Either way a difference is
decided value by value, after normalising what the databases legitimately
render differently (booleans as 0/1, naive UTC date/times;
:func:`copse.services.camcops_import.rows.same_values`), and reported with
the row's identity (device, era, client id, ``_when_added_exact``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack

import sqlalchemy as sa

from copse.db.engine import own_statement_cache
from copse.services.camcops_import.digests import Key, SourceDigests, row_hash
from copse.services.camcops_import.plan import TablePlan
from copse.services.camcops_import.prefetch import Prefetch, threads_pay
from copse.services.camcops_import.rows import (
    Row,
    RowShape,
    differing_columns,
    row_shape,
    same_values,
)
from copse.services.camcops_import.source import era_counts, rows_by_key, stream_chunks

#: At most this many differing rows are named per table (the count is always given).
MAX_NAMED = 20


#: Tables larger than this are read on both sides by threads, at the same time.
PREFETCH_ABOVE = 5000
#: Rows whose hashes differ are read from the source again this many at a time.
RECHECK_ROWS = 500

Eras = dict[tuple[str, bool], int]


def _rows(chunks: Iterable[list[Row]]) -> Iterator[Row]:
    for chunk in chunks:
        yield from chunk


def compare_table(
    src: sa.Connection,
    dst: sa.Connection,
    plan: TablePlan,
    expected: int | None = None,
    *,
    source_eras: Eras | None = None,
    digests: SourceDigests | None = None,
) -> list[str]:
    """Every difference between one source table and its copse copy.

    ``expected``: how many rows the source table holds, if known;
    ``source_eras``: its rows by (era, _current), if already counted in the
    same snapshot; ``digests``: the source rows' hashes, if the copy kept them.
    """
    problems: list[str] = []
    shape = row_shape(plan)
    own_statement_cache(src)
    own_statement_cache(dst)
    if plan.is_client:
        want = source_eras if source_eras is not None else era_counts(src, plan.table)
        got = era_counts(dst, plan.table)
        for era, cur in sorted(set(want) | set(got)):
            w, g = want.get((era, cur), 0), got.get((era, cur), 0)
            if w != g:
                problems.append(
                    f"{plan.name}: era {era}, _current={int(cur)}: "
                    f"{w} rows in CamCOPS, {g} in copse"
                )
    # perf: each side is read (driver and server) by a thread while the rows are compared.
    ahead = threads_pay(dst.dialect.name) and (expected is None or expected > PREFETCH_ABOVE)
    b_chunks = stream_chunks(dst, plan, shape.columns, source=False)
    with ExitStack() as stack:
        if ahead:
            b_chunks = iter(stack.enter_context(Prefetch(b_chunks)))
        if digests is not None and digests.has(plan.name):
            diffs = _merge_hashes(src, shape, digests.read(plan.name), _rows(b_chunks))
        else:
            transform = shape.transform
            a_chunks: Iterator[list[Row]] = (
                list(map(transform, c)) for c in stream_chunks(src, plan, plan.source_columns)
            )
            diffs = _merge(shape, _rows(a_chunks), _rows(b_chunks))
    problems.extend(diffs[:MAX_NAMED])
    if len(diffs) > MAX_NAMED:
        problems.append(f"{plan.name}: ... {len(diffs) - MAX_NAMED} more differing rows")
    return problems


class _Recheck:
    """Rows whose hashes did not match, read again from the source and compared value by value."""

    def __init__(self, src: sa.Connection, shape: RowShape) -> None:
        self._src = src
        self._shape = shape
        #: (key, copse's row or None when copse has no row with that key)
        self._pending: list[tuple[Key, Row | None]] = []
        self.found: list[tuple[Key, str]] = []

    def add(self, key: Key, copse_row: Row | None) -> None:
        self._pending.append((key, copse_row))
        if len(self._pending) >= RECHECK_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        shape = self._shape
        plan = shape.plan
        got = rows_by_key(self._src, plan, plan.source_columns, [k for k, _ in self._pending])
        source = {shape.key(r): r for r in map(shape.transform, got)}
        for key, b in self._pending:
            a = source.get(key)
            if a is None:
                self.found.append((key, f"{plan.name} key {key}: gone from the source snapshot"))
            elif b is None:
                self.found.append((key, f"{shape.name_row(a)}: missing in copse"))
            elif not same_values(a, b):
                changed = ", ".join(differing_columns(shape.columns, a, b))
                self.found.append((key, f"{shape.name_row(a)}: values differ in {changed}"))
        self._pending = []


def _merge_hashes(
    src: sa.Connection, shape: RowShape, a_iter: Iterator[tuple[Key, int]], b_iter: Iterator[Row]
) -> list[str]:
    """The differences between the source's recorded rows and copse's, both in key order."""
    recheck = _Recheck(src, shape)
    a, b = next(a_iter, None), next(b_iter, None)
    while a is not None or b is not None:
        kb = shape.key(b) if b is not None else None
        if b is None or (a is not None and kb is not None and a[0] < kb):
            assert a is not None
            recheck.add(a[0], None)
            a = next(a_iter, None)
        elif a is None or (kb is not None and kb < a[0]):
            assert kb is not None
            recheck.found.append((kb, f"{shape.name_row(b)}: in copse but not in CamCOPS"))
            b = next(b_iter, None)
        else:
            if a[1] != row_hash(b):
                recheck.add(a[0], b)
            a, b = next(a_iter, None), next(b_iter, None)
    recheck.flush()
    return [message for _, message in sorted(recheck.found, key=lambda f: f[0])]


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
