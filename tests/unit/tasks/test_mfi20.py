"""MFI-20: reverse-scored items and the five subscales."""

from __future__ import annotations

import pytest
from task_test_helpers import items, summary_map, td

from copse.tasks.catalogue import get_task

MFI = get_task("mfi20")
REVERSED = (2, 5, 9, 10, 13, 14, 16, 17, 18, 19)


def test_completeness() -> None:
    assert MFI.is_complete(td(items("q", 1, 20, 1))) is True
    assert MFI.is_complete(td({**items("q", 1, 20, 1), "q3": 0})) is False  # 1–5 only
    assert MFI.is_complete(td(items("q", 1, 19, 1))) is False


@pytest.mark.parametrize("n", range(1, 21))
def test_reverse_scoring(n: int) -> None:
    score = summary_map(MFI.summaries(td({f"q{n}": 1})))["total"]
    assert score == (5 if n in REVERSED else 1)


def test_subscales_on_a_known_row() -> None:
    # Reference example 1. General (1, 5R, 12, 16R) = 2+5+1+5 = 13; physical (2R, 8, 14R, 20)
    # = 1+4+3+1 = 9; activity (3, 6, 10R, 17R) = 4+1+2+1 = 8; motivation (4, 9R, 15, 18R)
    # = 3+2+5+1 = 11; mental (7, 11, 13R, 19R) = 2+2+5+5 = 14; total 55.
    values = (2, 5, 4, 3, 1, 1, 2, 4, 4, 4, 2, 1, 1, 3, 5, 1, 5, 5, 1, 1)
    row = {f"q{n}": v for n, v in enumerate(values, start=1)}
    assert summary_map(MFI.summaries(td(row))) == {
        "total": 55,
        "general_fatigue": 13,
        "physical_fatigue": 9,
        "reduced_activity": 8,
        "reduced_motivation": 11,
        "mental_fatigue": 14,
    }


def test_range_of_complete_scores() -> None:
    low = {f"q{n}": (5 if n in REVERSED else 1) for n in range(1, 21)}
    high = {f"q{n}": (1 if n in REVERSED else 5) for n in range(1, 21)}
    assert summary_map(MFI.summaries(td(low)))["total"] == 20
    s = summary_map(MFI.summaries(td(high)))
    assert s["total"] == 100 and s["mental_fatigue"] == 20
