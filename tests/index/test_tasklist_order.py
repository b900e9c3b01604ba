"""The task list's patient order and capped totals: index listing = direct listing.

The index stores each task's :func:`patient_sort_key` so that sorting by
patient is an index scan; these tests pin down that the key orders names as
the tuple (surname missing, surname, forename missing, forename, DOB) does,
that upload maintenance and the rebuild keep it exact, and that both
listings agree on tricky names and on totals beyond the count cap.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copse.records import tasklist
from copse.records.tasklist import (
    PATIENT_SORT_KEY_MAX,
    TaskFilter,
    capped_total,
    count_limit,
    patient_sort_key,
)
from copse.schema.migrations.versions import __path__ as versions_path
from tests.index.conftest import IndexHarness
from tests.index.test_maintain import BMI, METHODS, PT, SAT, upload
from tests.sync.conftest import when

NAMES = [
    None,
    "",
    " ",
    "a",
    "A",
    "a ",
    "a\x00",
    "a\x01",
    "a\x02",
    "ab",
    "äb",
    "Zed",
    "ß",
    "\U0001f600",
]


def tuple_key(s: str | None, f: str | None, d: str | None) -> tuple[Any, ...]:
    """The order the task list promised before the key existed (names shorter than the cap)."""
    return (s is None, (s or "").lower(), f is None, (f or "").lower(), d or "")


def test_key_orders_like_the_name_tuple() -> None:
    combos = list(itertools.product(NAMES, NAMES[:6], [None, "", "1980", "1980-01-01"]))
    by_key = sorted(combos, key=lambda c: (patient_sort_key(*c), c.__repr__()))
    by_tuple = sorted(combos, key=lambda c: (tuple_key(*c), c.__repr__()))
    assert [tuple_key(*c) for c in by_key] == [tuple_key(*c) for c in by_tuple]
    for a, b in itertools.combinations(combos, 2):
        assert (patient_sort_key(*a) == patient_sort_key(*b)) == (tuple_key(*a) == tuple_key(*b))


names = st.one_of(st.none(), st.text(max_size=12))


@settings(max_examples=300, derandomize=True, deadline=None)
@given(names, names, names, names, names, names)
def test_key_order_property(s1: Any, f1: Any, d1: Any, s2: Any, f2: Any, d2: Any) -> None:
    k1, k2 = patient_sort_key(s1, f1, d1), patient_sort_key(s2, f2, d2)
    t1, t2 = tuple_key(s1, f1, d1), tuple_key(s2, f2, d2)
    assert (k1 < k2) == (t1 < t2) and (k1 == k2) == (t1 == t2)


def test_key_is_bounded_and_frozen_copy_agrees() -> None:
    """The migration that filled existing entries uses a frozen copy: same bytes."""
    import importlib.util
    from pathlib import Path

    path = Path(next(iter(versions_path))) / "0010_tasklist_indexes.py"
    spec = importlib.util.spec_from_file_location("m0010", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    long = "x" * 1000
    for args in [*itertools.product(NAMES, NAMES[:5], [None, "2000-01-01"]), (long, long, long)]:
        assert mod.sort_key(*args) == patient_sort_key(*args)
    assert len(patient_sort_key(long, long, long)) == PATIENT_SORT_KEY_MAX


def test_capped_total_rule() -> None:
    assert count_limit(1, 25) == tasklist.COUNT_CAP
    assert count_limit(1000, 25) == 1001 * 25  # always past the requested page
    assert capped_total(10, 1, 25) == (10, False)
    assert capped_total(tasklist.COUNT_CAP, 1, 25) == (tasklist.COUNT_CAP, False)
    assert capped_total(tasklist.COUNT_CAP + 1, 1, 25) == (tasklist.COUNT_CAP, True)


LONG_A = "Smith" + "a" * 300  # same first 255 key bytes as LONG_B: they tie
LONG_B = "Smith" + "a" * 299 + "b"
TRICKY = [
    "alpha",
    "Alpha",
    "ALPHA ",
    "Älpha",
    "alpha\x01",
    "zeta",
    None,
    "",
    LONG_A,
    LONG_B,
]


def tricky_state(surnames: list[str | None]) -> dict[str, Any]:
    patients = [
        [i + 1, f"F{i % 3}" if i % 4 else None, s, "1980-01-0" + str(1 + i % 2), "F", when(0), 0]
        for i, s in enumerate(surnames)
    ]
    # Two tasks per patient at different times, and two tasks without a patient.
    tasks = [
        [10 * (i + 1) + k, i + 1, 1.7, 60.0 + k, when((7 * i + 3 * k) % 50), when(0), 0]
        for i in range(len(surnames))
        for k in range(2)
    ]
    # Two tasks whose patient does not exist, and two anonymous tasks.
    tasks += [
        [900, 999, 1.6, 50.0, when(5), when(0), 0],
        [901, 999, None, 51.0, when(5), when(0), 0],
    ]
    satis = [[1, 3, when(5), when(0), 0], [2, None, when(9), when(0), 0]]
    return {"patient": (PT, patients), "bmi": (BMI, tasks), "ref_satis_gen": (SAT, satis)}


def assert_orders_equal(h: IndexHarness) -> None:
    for f in (TaskFilter(sort="patient"), TaskFilter(sort="patient", descending=False)):
        f = replace(f, task_types=("bmi", "ref_satis_gen"))
        first = h.both(f, per_page=100)
        assert first.total == 2 * len(TRICKY) + 4
        for page in (1, 2, 3):
            h.both(f, page=page, per_page=7)
        h.both(f, frozenset({h.group_id}), page=2, per_page=5)


@pytest.mark.parametrize("method", METHODS)
def test_patient_order_maintained_and_equal(h: IndexHarness, method: str) -> None:
    s = tricky_state(TRICKY)
    upload(h, method, s)
    h.assert_exact()  # includes the stored key (check_index compares it)
    assert_orders_equal(h)
    entries = h.entries()
    pk1 = int(h.current("patient", "NOW")[1]._pk)
    key = next(e["patient_sort_key"] for e in entries.values() if e["patient_pk"] == pk1)
    assert bytes(key) == patient_sort_key("alpha", None, "1980-01-01")
    # A patient renamed alone: its tasks' keys follow (maintenance), the order too.
    s["patient"][1][0][2] = "Omega"
    s["patient"][1][0][5] = when(7)  # modified on the tablet
    upload(h, method, s)
    h.assert_exact()
    new_pk = int(h.current("patient", "NOW")[1]._pk)
    keys = {bytes(e["patient_sort_key"]) for e in h.entries().values() if e["patient_pk"] == new_pk}
    assert keys == {patient_sort_key("Omega", None, "1980-01-01")}
    assert_orders_equal(h)


def test_totals_beyond_the_cap_agree(h: IndexHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    upload(h, "onestep", tricky_state(TRICKY))
    monkeypatch.setattr(tasklist, "COUNT_CAP", 5)
    f = TaskFilter(task_types=("bmi",))
    first = h.both(f, per_page=2)
    assert (first.total, first.total_capped, first.page) == (5, True, 1)
    deep = h.both(f, page=4, per_page=2)
    assert (deep.total, deep.total_capped, len(deep.rows)) == (10, True, 2)
    last = h.both(f, page=10, per_page=2)  # the count reaches the end: exact again
    assert (last.total, last.total_capped, last.page) == (22, False, 10)
    beyond = h.both(f, page=99, per_page=2)
    assert (beyond.total, beyond.total_capped, beyond.page) == (22, False, 11)
    assert h.both(f, page=11, per_page=2).total_capped is False
