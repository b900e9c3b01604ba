"""FACT-G: reverse-scored items, pro-rated subscales, declined social item 7."""

from __future__ import annotations

import pytest
from task_test_helpers import items, summary_map, td

from copse.tasks.catalogue import get_task

FACTG = get_task("factg")
ALL_ZERO = {
    **items("p_q", 1, 7, 0),
    **items("s_q", 1, 7, 0),
    **items("e_q", 1, 6, 0),
    **items("f_q", 1, 7, 0),
}


def test_complete_and_declined_item() -> None:
    assert FACTG.is_complete(td(ALL_ZERO)) is True
    without_s7 = {**ALL_ZERO, "s_q7": None}
    assert FACTG.is_complete(td(without_s7)) is False
    assert FACTG.is_complete(td({**without_s7, "ignore_s_q7": 1})) is True
    assert FACTG.is_complete(td({**ALL_ZERO, "p_q1": 5})) is False


def test_all_zero_answers() -> None:
    # physical: all reversed → 7 × 4 = 28; emotional: 5 reversed × 4 + item 2 (0) = 20
    assert summary_map(FACTG.summaries(td(ALL_ZERO))) == {
        "physical_wellbeing": 28.0,
        "social_family_wellbeing": 0.0,
        "emotional_wellbeing": 20.0,
        "functional_wellbeing": 0.0,
        "total_score": 48.0,
    }


def test_maximum_is_108() -> None:
    best = {
        **items("p_q", 1, 7, 0),
        **items("s_q", 1, 7, 4),
        **items("e_q", 1, 6, 0),
        "e_q2": 4,
        **items("f_q", 1, 7, 4),
    }
    assert summary_map(FACTG.summaries(td(best)))["total_score"] == 108.0


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # three social items summing 10 → 10 × 7 / 3
        ({"s_q2": 2, "s_q4": 4, "s_q5": 4}, 70 / 3),
        ({}, 0.0),  # none answered: 0, as the reference gives
        ({"s_q1": 4}, 28.0),
    ],
)
def test_prorating(answers: dict[str, int], expected: float) -> None:
    got = summary_map(FACTG.summaries(td(answers)))["social_family_wellbeing"]
    assert got == pytest.approx(expected)
