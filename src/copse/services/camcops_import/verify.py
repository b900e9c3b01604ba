"""The final proof: source and copse compared table by table, row by row.

Both sides are streamed in key order and merged, so memory stays bounded.
Each row's values are reduced to a digest after normalising what the
databases legitimately render differently (booleans as 0/1, naive UTC
date/times, BLOBs by their own SHA-256); any other difference is reported
with the row's identity (device, era, client id, ``_when_added_exact``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from copse.services.camcops_import.plan import TablePlan, identity, transform_row
from copse.services.camcops_import.source import era_counts, stream_rows

#: At most this many differing rows are named per table (the count is always given).
MAX_NAMED = 20


def _token(value: Any) -> bytes:
    if value is None:
        return b"N"
    if isinstance(value, bool):
        return f"i{int(value)}".encode()
    if isinstance(value, int):
        return f"i{value}".encode()
    if isinstance(value, (float, Decimal)):
        return b"f" + repr(float(value)).encode()
    if isinstance(value, datetime):
        moment: datetime = value
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return b"d" + moment.isoformat().encode()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return b"b" + hashlib.sha256(bytes(value)).digest()
    return b"s" + str(value).encode("utf-8", "surrogatepass")


def row_digest(row: Mapping[str, Any], columns: tuple[str, ...]) -> bytes:
    """A digest of one row's values in a fixed column order."""
    h = hashlib.sha256()
    for c in columns:
        tok = _token(row[c])
        h.update(len(tok).to_bytes(8, "big"))
        h.update(tok)
    return h.digest()


def _key(plan: TablePlan, row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(row[k] for k in plan.key)


def _source_rows(conn: sa.Connection, plan: TablePlan) -> Iterator[dict[str, Any]]:
    for r in stream_rows(conn, plan, plan.source_columns):
        yield transform_row(plan, r)


def _target_rows(conn: sa.Connection, plan: TablePlan) -> Iterator[dict[str, Any]]:
    for r in stream_rows(conn, plan, plan.all_columns, source=False):
        yield dict(r)


def compare_table(src: sa.Connection, dst: sa.Connection, plan: TablePlan) -> list[str]:
    """Every difference between one source table and its copse copy."""
    problems: list[str] = []
    diffs: list[str] = []
    cols = plan.all_columns
    if plan.is_client:
        want, got = era_counts(src, plan.table), era_counts(dst, plan.table)
        for era, cur in sorted(set(want) | set(got)):
            w, g = want.get((era, cur), 0), got.get((era, cur), 0)
            if w != g:
                problems.append(
                    f"{plan.name}: era {era}, _current={int(cur)}: "
                    f"{w} rows in CamCOPS, {g} in copse"
                )
    a_iter, b_iter = _source_rows(src, plan), _target_rows(dst, plan)
    a, b = next(a_iter, None), next(b_iter, None)
    while a is not None or b is not None:
        ka = _key(plan, a) if a is not None else None
        kb = _key(plan, b) if b is not None else None
        if b is None or (a is not None and kb is not None and ka is not None and ka < kb):
            assert a is not None
            diffs.append(f"{identity(plan, a)}: missing in copse")
            a = next(a_iter, None)
        elif a is None or (kb is not None and ka is not None and kb < ka):
            diffs.append(f"{identity(plan, b)}: in copse but not in CamCOPS")
            b = next(b_iter, None)
        else:
            if row_digest(a, cols) != row_digest(b, cols):
                changed = [c for c in cols if _token(a[c]) != _token(b[c])]
                diffs.append(f"{identity(plan, a)}: values differ in {', '.join(changed)}")
            a, b = next(a_iter, None), next(b_iter, None)
    problems.extend(diffs[:MAX_NAMED])
    if len(diffs) > MAX_NAMED:
        problems.append(f"{plan.name}: ... {len(diffs) - MAX_NAMED} more differing rows")
    return problems
