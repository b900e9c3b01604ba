"""HADS: odd items are anxiety, even items depression; 8/11 boundaries."""

from __future__ import annotations

import pytest
from task_test_helpers import fill, items, summary_map, td

from copse.tasks.catalogue import get_task

ODD = [f"q{n}" for n in (1, 3, 5, 7, 9, 11, 13)]
EVEN = [f"q{n}" for n in (2, 4, 6, 8, 10, 12, 14)]


@pytest.mark.parametrize("tablename", ["hads", "hads_respondent"])
def test_complete_and_incomplete(tablename: str) -> None:
    hads = get_task(tablename)
    assert hads.is_complete(td(items("q", 1, 14, 0))) is True
    assert hads.is_complete(td(items("q", 1, 13, 0))) is False
    assert hads.is_complete(td({**items("q", 1, 14, 0), "q6": 4})) is False


def test_known_subscales() -> None:
    # q1..q14 = 3,0,2,1,1,2,0,3,3,3,2,1,1,0
    # anxiety (odd): 3+2+1+0+3+2+1 = 12; depression (even): 0+1+2+3+3+1+0 = 10
    row = {f"q{n}": v for n, v in enumerate((3, 0, 2, 1, 1, 2, 0, 3, 3, 3, 2, 1, 1, 0), start=1)}
    assert summary_map(get_task("hads").summaries(td(row))) == {
        "anxiety": 12,
        "anxiety_band": "Abnormal",
        "depression": 10,
        "depression_band": "Borderline abnormal",
    }


BOUNDARIES = [
    (0, "Normal"),
    (7, "Normal"),
    (8, "Borderline abnormal"),
    (10, "Borderline abnormal"),
    (11, "Abnormal"),
    (21, "Abnormal"),
]


@pytest.mark.parametrize(("score", "label"), BOUNDARIES)
def test_anxiety_bands(score: int, label: str) -> None:
    s = summary_map(get_task("hads").summaries(td({**fill(ODD, score, 3), **items("q", 2, 2, 0)})))
    assert (s["anxiety"], s["anxiety_band"], s["depression"]) == (score, label, 0)


@pytest.mark.parametrize(("score", "label"), BOUNDARIES)
def test_depression_bands(score: int, label: str) -> None:
    s = summary_map(get_task("hads_respondent").summaries(td(fill(EVEN, score, 3))))
    assert (s["depression"], s["depression_band"], s["anxiety"]) == (score, label, 0)
