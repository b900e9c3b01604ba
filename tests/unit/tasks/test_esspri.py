"""ESSPRI: mean of three 0–10 scales, partial answers, the acceptable-state cut-off."""

from __future__ import annotations

import pytest
from task_test_helpers import summary_map, td

from copse.tasks.catalogue import get_task

ESSPRI = get_task("esspri")


def test_complete_and_incomplete() -> None:
    assert ESSPRI.is_complete(td(q1=0, q2=10, q3=5)) is True
    assert ESSPRI.is_complete(td(q1=0, q2=10)) is False
    assert ESSPRI.is_complete(td(q1=0, q2=11, q3=5)) is False


@pytest.mark.parametrize(
    ("row", "score"),
    [
        ({"q1": 1, "q2": 10, "q3": 2}, 13 / 3),
        ({"q1": 6, "q3": 5}, 5.5),  # mean of the scales answered
        ({}, None),
        ({"q1": 10, "q2": 10, "q3": 10}, 10.0),
    ],
)
def test_overall_score(row: dict[str, int], score: float | None) -> None:
    got = summary_map(ESSPRI.summaries(td(row)))["overall_score"]
    assert got == (pytest.approx(score) if score is not None else None)


def test_tracker_cutoff_is_five() -> None:
    (spec,) = ESSPRI.trackers
    assert [c.value for c in spec.cutoffs] == [5]
