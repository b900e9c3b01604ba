"""CORE-10: total, pro-rated clinical score, severity boundaries."""

from __future__ import annotations

import pytest
from task_test_helpers import fill, items, summary_map, td

from copse.tasks.catalogue import get_task

CORE10 = get_task("core10")
ITEMS = [f"q{n}" for n in range(1, 11)]


def test_complete_and_incomplete() -> None:
    assert CORE10.is_complete(td(items("q", 1, 10, 4))) is True
    assert CORE10.is_complete(td(items("q", 1, 9, 4))) is False
    assert CORE10.is_complete(td({**items("q", 1, 10, 0), "q2": 5})) is False


def test_known_scores() -> None:
    # 1+2+3+4+0+1+2+3+4+0 = 20; clinical = 10 × 20 / 10 = 20 → moderate-to-severe
    row = dict(zip(ITEMS, (1, 2, 3, 4, 0, 1, 2, 3, 4, 0), strict=True))
    assert summary_map(CORE10.summaries(td(row))) == {
        "total": 20,
        "clinical_score": 20.0,
        "severity": "Moderate-to-severe",
    }


def test_one_missing_item_is_prorated() -> None:
    # nine answers summing 18 → mean 2 → clinical 20
    row = dict(zip(ITEMS[:9], (2,) * 9, strict=True))
    s = summary_map(CORE10.summaries(td(row)))
    assert (s["total"], s["clinical_score"], s["severity"]) == (18, 20.0, "Moderate-to-severe")
    # nine answers summing 5 → 10 × 5 / 9 = 5.56, still below 6 → healthy
    s = summary_map(CORE10.summaries(td(fill(ITEMS[:9], 5, 4))))
    assert s["clinical_score"] == pytest.approx(50 / 9)
    assert s["severity"] == "Healthy"


def test_two_missing_items_give_no_clinical_score() -> None:
    s = summary_map(CORE10.summaries(td(dict(zip(ITEMS[:8], (2,) * 8, strict=True)))))
    assert (s["total"], s["clinical_score"], s["severity"]) == (16, None, None)


@pytest.mark.parametrize(
    ("total", "severity"),
    [(0, "Healthy"), (5, "Healthy"), (6, "Low level"), (10, "Low level"), (11, "Mild"),
     (14, "Mild"), (15, "Moderate"), (19, "Moderate"), (20, "Moderate-to-severe"),
     (24, "Moderate-to-severe"), (25, "Severe"), (40, "Severe")],
)  # fmt: skip
def test_severity_bands(total: int, severity: str) -> None:
    s = summary_map(CORE10.summaries(td(fill(ITEMS, total, 4))))
    assert (s["total"], s["clinical_score"], s["severity"]) == (total, float(total), severity)
