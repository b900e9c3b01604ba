"""The import's row comparison, row sizes and its reading-ahead thread, on their own."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from copse.services.camcops_import.digests import SourceDigests, row_hash
from copse.services.camcops_import.plan import build_plan
from copse.services.camcops_import.prefetch import Prefetch
from copse.services.camcops_import.rows import differing_columns, row_shape, same_values
from copse.services.camcops_import.source import row_bytes


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ((1, "x", b"\x00blob", None), (1, "x", b"\x00blob", None)),
        ((True, 0), (1, False)),  # MariaDB's 0/1 and a boolean column
        ((1.5,), (Decimal("1.5"),)),
        ((b"abc",), (memoryview(b"abc"),)),
        (
            (datetime(2024, 1, 2, 3, 4, 5),),
            (datetime(2024, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2))),),
        ),
        ((float("nan"),), (float("nan"),)),
    ],
)
def test_same_values(a: tuple[object, ...], b: tuple[object, ...]) -> None:
    assert same_values(a, b) and same_values(b, a)


@pytest.mark.parametrize(
    ("a", "b", "differ"),
    [
        ((1, "x"), (1, "y"), ["c1"]),
        ((1, 2), (1.0, 2), ["c0"]),  # an integer is not a float, however equal
        ((None, b"a"), ("", b"b"), ["c0", "c1"]),
        ((1, "1"), (1, 1), ["c1"]),
        ((datetime(2024, 1, 1, tzinfo=UTC),), (datetime(2024, 1, 1, 0, 0, 1),), ["c0"]),
    ],
)
def test_different_values(a: tuple[object, ...], b: tuple[object, ...], differ: list[str]) -> None:
    assert not same_values(a, b)
    assert differing_columns([f"c{i}" for i in range(len(a))], a, b) == differ


def test_prefetch_hands_over_everything_in_order() -> None:
    with Prefetch(iter(range(1000)), depth=3) as items:
        assert list(items) == list(range(1000))


def test_prefetch_raises_the_producers_error() -> None:
    def produce() -> Iterator[int]:
        yield 1
        raise ValueError("source broke")

    with Prefetch(produce()) as items:
        got = []
        with pytest.raises(ValueError, match="source broke"):
            for i in items:
                got.append(i)
    assert got == [1]


def test_prefetch_left_early_stops_and_closes_the_producer() -> None:
    closed = threading.Event()

    def produce() -> Iterator[int]:
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.set()

    with Prefetch(produce(), depth=2) as items:
        for i in items:
            if i == 5:
                break
    # __exit__ joined the thread: the producer has been closed by then.
    assert closed.is_set()


def test_source_digests_keep_each_tables_rows_in_order() -> None:
    rows_a = [(i, f"text {i}", i % 2 == 0) for i in range(1, 8)]
    with SourceDigests() as digests:
        digests.start("a")
        digests.start("b")
        digests.add("a", [(r[0],) for r in rows_a[:3]], rows_a[:3])
        digests.add("b", [(1,)], [(1, "other")])
        digests.add("a", [(r[0],) for r in rows_a[3:]], rows_a[3:])
        assert not digests.has("a")  # not yet known to hold every row
        digests.finish("a")
        assert digests.has("a") and not digests.has("b") and not digests.has("c")
        assert list(digests.read("a")) == [((r[0],), row_hash(r)) for r in rows_a]
        with pytest.raises(ValueError, match="after finish"):
            digests.add("a", [(9,)], [(9, "late", True)])
        digests.start("a")  # read again from its start: the earlier rows are forgotten
        assert list(digests.read("a")) == []


def test_row_hash_tells_types_apart() -> None:
    assert row_hash((1, "x")) == row_hash((1, "x"))
    assert row_hash((1, "x")) != row_hash((True, "x"))
    assert row_hash((1, "x")) != row_hash((1.0, "x"))
    assert row_hash((1, "x")) != row_hash((1, "y"))


def test_row_size_counts_every_text_and_blob_value_of_every_table() -> None:
    """The copy's per-table row size equals the general count (every str/bytes value)
    on rows of each imported table, whatever holds text: the column types decide it."""
    rng = random.Random(7)
    for plan in build_plan():
        shape = row_shape(plan)
        for _ in range(20):
            row = tuple(_value(plan.table.c[c].type, rng) for c in shape.columns)
            assert shape.size(row) == row_bytes(row), plan.name


def _value(kind: sa.types.TypeEngine[object], rng: random.Random) -> object:
    if rng.random() < 0.3:
        return None
    if isinstance(kind, sa.LargeBinary):
        return rng.randbytes(rng.randrange(0, 50))
    if isinstance(kind, sa.String):
        return "é" * rng.randrange(0, 50)
    if isinstance(kind, sa.Boolean):
        return rng.random() < 0.5
    if isinstance(kind, sa.DateTime):
        return datetime(2024, 1, 2, 3, 4, 5)
    if isinstance(kind, sa.Float):
        return rng.random()
    return rng.randrange(-5, 10**9)
