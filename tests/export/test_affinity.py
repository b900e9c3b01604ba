"""Rows written straight to a CSV hold what a SQLite column of their type would hold."""

from __future__ import annotations

import math
import sqlite3
from typing import Any

import pytest

from copse.services.export.affinity import Affinity, RowTyper
from copse.services.export.shapes import SqlType

TYPES: tuple[SqlType, ...] = ("INTEGER", "REAL", "TEXT", "BLOB")
VALUES: list[Any] = [
    None,
    0,
    -7,
    12,
    2**53 + 1,
    2**63 - 1,
    -(2**63),
    2**63,
    -(2**63) - 1,
    True,
    False,
    0.0,
    -0.0,
    1.5,
    3.0,
    1e20,
    -1e-300,
    0.1 + 0.2,
    float("nan"),
    float("inf"),
    float("-inf"),
    "",
    "12",
    " 12",
    "12.0",
    "1e3",
    "0x10",
    "-0",
    "0012",
    "+5",
    ".5",
    " 1.5 ",
    "abc",
    "héllo\x00",
    b"",
    b"\x00\xff",
]


def _sqlite(value: Any, sql_type: SqlType) -> tuple[type, Any]:
    """What a real column of this type gives back (or the error it raises)."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute(f"CREATE TABLE t (c {sql_type})")
        db.execute("INSERT INTO t VALUES (?)", (value,))
        return _same(db.execute("SELECT c FROM t").fetchone()[0])
    except OverflowError as exc:
        return OverflowError, str(exc)
    finally:
        db.close()


def _same(v: Any) -> tuple[type, Any]:
    """A value with its type, comparable even when it is NaN or -0.0."""
    if isinstance(v, float):
        return float, ("nan" if math.isnan(v) else repr(v))
    return type(v), v


def _typed(value: Any, sql_type: SqlType, wide: bool) -> tuple[type, Any]:
    typer = RowTyper([sql_type], [0] if wide else [], Affinity())
    try:
        return _same(typer.rows([(value,)])[0][0])
    except OverflowError as exc:
        return OverflowError, str(exc)


@pytest.mark.parametrize("sql_type", TYPES)
def test_every_value_is_what_a_sqlite_column_stores(sql_type: SqlType) -> None:
    for value in VALUES:
        expected = _sqlite(value, sql_type)
        assert _typed(value, sql_type, wide=True) == expected, (value, sql_type)
        if not (type(value) is int and not -(2**63) <= value < 2**63):
            # Database columns hold 64-bit integers only: no check for them.
            assert _typed(value, sql_type, wide=False) == expected, (value, sql_type)


def test_rows_of_mixed_types_are_planned_once_per_mix() -> None:
    typer = RowTyper(["INTEGER", "REAL", "TEXT"], [], Affinity())
    rows = [(1, 2, "a"), (2, 2.5, "b"), (3, None, "c"), (4, 7, "d"), (True, -0.0, 5)]
    out = typer.rows(rows)
    assert [tuple(r) for r in out] == [
        (1, 2.0, "a"),
        (2, 2.5, "b"),
        (3, None, "c"),
        (4, 7.0, "d"),
        (1, 0.0, "5"),
    ]
    assert type(out[0][1]) is float and type(out[4][0]) is int
    assert out[2] is rows[2]  # nothing to convert (no float, no int in REAL): the row itself
    assert len(typer.plans) == 4
