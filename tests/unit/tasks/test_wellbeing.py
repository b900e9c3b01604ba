"""WEMWBS and SWEMWBS: totals and the SWEMWBS metric conversion."""

from __future__ import annotations

import pytest
from task_test_helpers import fill, items, summary_map, td

from copse.tasks.catalogue import get_task

WEMWBS = get_task("wemwbs")
SWEMWBS = get_task("swemwbs")


def test_wemwbs() -> None:
    assert WEMWBS.is_complete(td(items("q", 1, 14, 3))) is True
    assert WEMWBS.is_complete(td(items("q", 1, 13, 3))) is False
    assert WEMWBS.is_complete(td({**items("q", 1, 14, 3), "q1": 0})) is False  # items are 1–5
    assert summary_map(WEMWBS.summaries(td(items("q", 1, 14, 1)))) == {"total": 14}
    assert summary_map(WEMWBS.summaries(td(items("q", 1, 14, 5)))) == {"total": 70}
    # 5+4+3+2+1 repeated: 15 + 15 + (5+4+3+2) = 44
    row = {f"q{n}": (5, 4, 3, 2, 1)[(n - 1) % 5] for n in range(1, 15)}
    assert summary_map(WEMWBS.summaries(td(row))) == {"total": 44}


@pytest.mark.parametrize(
    ("raw", "metric"),
    [
        (7, 7.00),
        (8, 9.51),
        (14, 15.32),
        (20, 18.59),
        (21, 19.25),
        (28, 25.03),
        (34, 32.55),
        (35, 35.00),
    ],
)
def test_swemwbs_metric_conversion(raw: int, metric: float) -> None:
    row = fill([f"q{n}" for n in range(1, 8)], raw, 5, lo=1)
    assert SWEMWBS.is_complete(td(row)) is True
    assert summary_map(SWEMWBS.summaries(td(row))) == {"total": raw, "metric_score": metric}


def test_swemwbs_incomplete_has_no_metric() -> None:
    row = items("q", 1, 6, 3)
    assert SWEMWBS.is_complete(td(row)) is False
    assert summary_map(SWEMWBS.summaries(td(row))) == {"total": 18, "metric_score": None}
