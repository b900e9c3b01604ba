"""Rows as plain tuples: the shape the copy and the verification work in.

perf: a CamCOPS database is millions of rows of ~40 columns, so per-row
Python work is what an import's speed is made of.  Rows are read as tuples
(no mapping, no dict per row), turned into copse's rows by one precomputed
function per table, and compared with one C tuple comparison; only rows that
do not compare equal that way are compared value by value, by
:func:`value_token` (which says when two renderings of a value are the same).
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from copse.services.camcops_import.plan import (
    AUDIT_SOURCE_LENGTH,
    AUDIT_SOURCE_PREFIX,
    TablePlan,
    identity,
)

Row = Sequence[Any]


def value_token(value: Any) -> bytes:
    """A value as bytes that are equal exactly when the two values mean the same.

    Normalises what the databases legitimately render differently: booleans
    as 0/1, floats and decimals as floats, date/times as naive UTC, BLOBs by
    their own SHA-256.
    """
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


def same_values(a: Row, b: Row) -> bool:
    """Whether two rows (same columns, same order) hold the same values.

    perf: equal tuples of values of the same types are the same (one C
    comparison per row); anything else, e.g. a boolean one side and 0/1 the
    other, is decided by :func:`value_token`, column by column.
    """
    if a == b and list(map(type, a)) == list(map(type, b)):
        return True
    return all(value_token(x) == value_token(y) for x, y in zip(a, b, strict=True))


def differing_columns(columns: Sequence[str], a: Row, b: Row) -> list[str]:
    return [c for c, x, y in zip(columns, a, b, strict=True) if value_token(x) != value_token(y)]


def client_text(value: Any) -> Any:
    """CamCOPS's DATE and TIME columns as the ISO text the tablet sends and copse keeps."""
    if isinstance(value, timedelta):
        secs = int(value.total_seconds())
        sign = "-" if secs < 0 else ""
        h, rest = divmod(abs(secs), 3600)
        text = f"{sign}{h:02d}:{rest // 60:02d}:{rest % 60:02d}"
        if value.microseconds:
            text += f".{value.microseconds:06d}"
        return text
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value


def _transformer(plan: TablePlan) -> Callable[[Row], tuple[Any, ...]]:
    """The function making copse's row (``RowShape.columns`` order) of a source row."""
    cols = plan.source_columns
    fixed = tuple(plan.fixed.values())
    dates = [cols.index(c) for c in plan.text_date_columns if c in cols] if plan.is_client else []
    fixes: list[tuple[int, Callable[[Any], Any]]] = [(i, client_text) for i in dates]
    if plan.name == "_security_users" and "hashedpw" in cols:
        # CamCOPS's system user has no hash; copse's has an empty one that matches nothing.
        fixes.append((cols.index("hashedpw"), lambda v: "" if v is None else v))
    elif plan.name == "_security_audit" and "source" in cols:
        fixes.append(
            (
                cols.index("source"),
                lambda v: (AUDIT_SOURCE_PREFIX + (v or ""))[:AUDIT_SOURCE_LENGTH],
            )
        )
    if not fixes:
        return lambda row: (*row, *fixed)

    def transform(row: Row) -> tuple[Any, ...]:
        out = list(row)
        for i, fix in fixes:
            out[i] = fix(out[i])
        out.extend(fixed)
        return tuple(out)

    return transform


@dataclass(frozen=True)
class RowShape:
    """One table's rows as tuples: the columns, in order, and what to do with them."""

    plan: TablePlan
    #: copse's columns in tuple order: those read from the source, then the fixed ones.
    columns: tuple[str, ...]
    key_index: tuple[int, ...]
    transform: Callable[[Row], tuple[Any, ...]]
    #: The text and bytes a row (of copse's shape) holds: see :func:`_sizer`.
    size: Callable[[Row], int]
    #: A row's primary key, as a tuple: see :func:`_keyer`.
    key: Callable[[Row], tuple[Any, ...]]

    def as_dict(self, row: Row) -> dict[str, Any]:
        return dict(zip(self.columns, row, strict=True))

    def name_row(self, row: Row) -> str:
        return identity(self.plan, self.as_dict(row))


def _keyer(key_index: tuple[int, ...]) -> Callable[[Row], tuple[Any, ...]]:
    """perf: called for every row copied and compared; one C call, not a generator."""
    if len(key_index) == 1:
        (i,) = key_index
        return lambda row: (row[i],)
    return operator.itemgetter(*key_index)


def _sizer(plan: TablePlan, columns: tuple[str, ...]) -> Callable[[Row], int]:
    """How many characters and bytes of text and BLOB a row holds (what makes it large).

    perf: called for every row copied; the columns that can hold text or bytes
    are picked once per table and measured by C calls (no test per value).
    """
    picked = [
        i
        for i, c in enumerate(columns)
        if isinstance(plan.table.c[c].type, (sa.String, sa.LargeBinary))
    ]
    if not picked:
        return lambda row: 0
    if len(picked) == 1:
        (only,) = picked
        return lambda row: len(row[only] or ())
    pick = operator.itemgetter(*picked)
    return lambda row: sum(map(len, filter(None, pick(row))))


def row_shape(plan: TablePlan) -> RowShape:
    columns = plan.source_columns + tuple(plan.fixed)
    key_index = tuple(columns.index(k) for k in plan.key)
    return RowShape(
        plan=plan,
        columns=columns,
        key_index=key_index,
        transform=_transformer(plan),
        size=_sizer(plan, columns),
        key=_keyer(key_index),
    )
