"""The import's row comparison and its reading-ahead thread, on their own."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from copse.services.camcops_import.prefetch import Prefetch
from copse.services.camcops_import.rows import differing_columns, same_values


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
