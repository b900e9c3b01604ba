"""Values as a SQLite column of a declared type stores them, without storing them.

The CSV download writes its task tables' rows straight to the ZIP, and they
must read exactly as the SQLite download holds them: SQLite converts a value
to its column's "type affinity" (an integer into a REAL column becomes a
float, NaN becomes NULL, ``-0.0`` in a REAL column is read back as ``0.0``, a
float or a number-like text is converted in ways of SQLite's own...).  Values
that already have their column's type pass with a check or two; any other
value is put through a real SQLite column (an in-memory table), so the
result is SQLite's by construction.  Test: ``tests/export/test_affinity.py``
compares every rule with a real column, value by value.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from copse.services.export.shapes import SqlType

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_COLUMN: dict[SqlType, str] = {"INTEGER": "i", "REAL": "r", "TEXT": "t", "BLOB": "b"}
#: Plans kept per table before starting again (a plan per mix of value types).
MAX_PLANS = 10_000

Convert = Callable[[Any], Any]


class Affinity:
    """SQLite's conversion of one value to a declared column type, through a real column."""

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE TABLE a (i INTEGER, r REAL, t TEXT, b BLOB)")

    def stored(self, value: Any, sql_type: SqlType) -> Any:
        col = _COLUMN[sql_type]
        try:
            self.db.execute(f"INSERT INTO a ({col}) VALUES (?)", (value,))
            return self.db.execute(f"SELECT {col} FROM a").fetchone()[0]
        finally:
            self.db.execute("DELETE FROM a")

    def converter(self, kind: type, sql_type: SqlType, wide: bool) -> Convert | None:
        """How a value of this Python type becomes what the column stores; None: as it is.

        ``wide``: integers here may be outside SQLite's 64 bits (computed
        values; database columns hold 64-bit integers only).
        """
        if kind is type(None) or (kind is str and sql_type == "TEXT"):
            return None
        if kind is bytes and sql_type == "BLOB":
            return None
        if kind is int and sql_type == "INTEGER":
            return self._int64 if wide else None
        if kind is float and sql_type == "REAL":
            return _real
        if kind is int and sql_type == "REAL":
            return self._int_to_real
        if kind is bool and sql_type == "INTEGER":
            return int
        if kind is bool and sql_type == "REAL":
            return float
        return lambda v: self.stored(v, sql_type)

    def _int64(self, v: int) -> Any:
        return v if _INT64_MIN <= v <= _INT64_MAX else self.stored(v, "INTEGER")

    def _int_to_real(self, v: int) -> Any:
        return float(v) if _INT64_MIN <= v <= _INT64_MAX else self.stored(v, "REAL")


def _real(v: float) -> float | None:
    if math.isnan(v):
        return None  # SQLite stores NaN as NULL
    return 0.0 if v == 0.0 else v  # a REAL -0.0 is stored as the integer 0


class RowTyper:
    """Rows of one table as SQLite would store them, planned per mix of value types.

    perf: one ``map(type, row)`` and one dict look-up per row; a row whose
    values all have their columns' types (the usual case) is written as it is.
    """

    def __init__(self, types: Sequence[SqlType], wide: Sequence[int], affinity: Affinity) -> None:
        self.types = tuple(types)
        self.wide = frozenset(wide)
        self.affinity = affinity
        self.plans: dict[tuple[type, ...], tuple[tuple[int, Convert], ...]] = {}

    def _plan(self, kinds: tuple[type, ...]) -> tuple[tuple[int, Convert], ...]:
        steps = []
        for i, (kind, sql_type) in enumerate(zip(kinds, self.types, strict=True)):
            f = self.affinity.converter(kind, sql_type, i in self.wide)
            if f is not None:
                steps.append((i, f))
        return tuple(steps)

    def rows(self, rows: Sequence[tuple[Any, ...]]) -> list[Sequence[Any]]:
        plans = self.plans
        out: list[Sequence[Any]] = []
        for row in rows:
            kinds = tuple(map(type, row))
            plan = plans.get(kinds)
            if plan is None:
                if len(plans) >= MAX_PLANS:
                    plans.clear()
                plan = plans[kinds] = self._plan(kinds)
            if plan:
                values = list(row)
                for i, f in plan:
                    values[i] = f(values[i])
                out.append(values)
            else:
                out.append(row)
        return out
