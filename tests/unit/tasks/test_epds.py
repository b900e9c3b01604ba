"""EPDS: total, the 10 and 13 thresholds, the self-harm item."""

from __future__ import annotations

import pytest
from task_test_helpers import fill, items, summary_map, td

from copse.tasks.catalogue import get_task

EPDS = get_task("epds")
Q1_9 = [f"q{n}" for n in range(1, 10)]


def test_complete_and_incomplete() -> None:
    assert EPDS.is_complete(td(items("q", 1, 10, 0))) is True
    assert EPDS.is_complete(td(items("q", 1, 9, 0))) is False
    assert EPDS.is_complete(td({**items("q", 1, 10, 0), "q1": 4})) is False


def test_known_total() -> None:
    # 1+2+3+0+1+2+3+0+1 + q10 2 = 15
    row = {**dict(zip(Q1_9, (1, 2, 3, 0, 1, 2, 3, 0, 1), strict=True)), "q10": 2}
    assert summary_map(EPDS.summaries(td(row))) == {
        "total": 15,
        "possible_depression": True,
        "probable_depression": True,
        "self_harm_thoughts": True,
    }


@pytest.mark.parametrize(
    ("total", "possible", "probable"),
    [
        (0, False, False),
        (9, False, False),
        (10, True, False),
        (12, True, False),
        (13, True, True),
        (27, True, True),
    ],
)
def test_thresholds(total: int, possible: bool, probable: bool) -> None:
    s = summary_map(EPDS.summaries(td({**fill(Q1_9, total, 3), "q10": 0})))
    assert (
        s["total"],
        s["possible_depression"],
        s["probable_depression"],
        s["self_harm_thoughts"],
    ) == (
        total,
        possible,
        probable,
        False,
    )


def test_self_harm_item_flags_whatever_the_total() -> None:
    s = summary_map(EPDS.summaries(td({**items("q", 1, 9, 0), "q10": 1})))
    assert (s["total"], s["self_harm_thoughts"], s["possible_depression"]) == (1, True, False)
