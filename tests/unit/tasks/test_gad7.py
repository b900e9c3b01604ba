"""GAD-7: completeness, total and the 5/10/15 severity boundaries."""

from __future__ import annotations

import pytest
from task_test_helpers import fill, items, summary_map, td

from copse.tasks.catalogue import get_task

GAD7 = get_task("gad7")
ITEMS = [f"q{n}" for n in range(1, 8)]


def test_complete_and_incomplete() -> None:
    assert GAD7.is_complete(td(items("q", 1, 7, 0))) is True
    assert GAD7.is_complete(td(items("q", 1, 6, 0))) is False
    assert GAD7.is_complete(td({**items("q", 1, 7, 0), "q2": 4})) is False
    assert GAD7.is_complete(td({})) is False


def test_known_total() -> None:
    # 3+2+1+0+3+2+1 = 12 → moderate
    row = dict(zip(ITEMS, (3, 2, 1, 0, 3, 2, 1), strict=True))
    assert summary_map(GAD7.summaries(td(row))) == {"total": 12, "severity": "Moderate"}


@pytest.mark.parametrize(
    ("total", "severity"),
    [
        (0, "None"),
        (4, "None"),
        (5, "Mild"),
        (9, "Mild"),
        (10, "Moderate"),
        (14, "Moderate"),
        (15, "Severe"),
        (21, "Severe"),
    ],
)
def test_bands(total: int, severity: str) -> None:
    s = summary_map(GAD7.summaries(td(fill(ITEMS, total, 3))))
    assert (s["total"], s["severity"]) == (total, severity)
