"""FAST: total, the two-stage positive rule, Q4's 0/2/4 codes."""

from __future__ import annotations

import pytest
from task_test_helpers import summary_map, td

from copse.tasks.catalogue import get_task

FAST = get_task("fast")


def test_complete_and_incomplete() -> None:
    assert FAST.is_complete(td(q1=1, q2=0, q3=0, q4=0)) is True
    assert FAST.is_complete(td(q1=1, q2=0, q3=0)) is False
    assert FAST.is_complete(td(q1=1, q2=0, q3=0, q4=3)) is False  # Q4 is 0, 2 or 4
    assert FAST.is_complete(td(q1=5, q2=0, q3=0, q4=0)) is False


@pytest.mark.parametrize(
    ("answers", "total", "positive"),
    [
        ((0, 4, 4, 4), 12, False),  # Q1 "never": negative whatever follows
        ((3, 0, 0, 0), 3, True),  # Q1 weekly: positive
        ((4, 0, 0, 0), 4, True),
        ((1, 1, 0, 0), 2, False),  # stage 2: total below 3
        ((1, 1, 1, 0), 3, True),  # stage 2: total 3
        ((2, 0, 0, 2), 4, True),
    ],
)
def test_positive_rule(answers: tuple[int, ...], total: int, positive: bool) -> None:
    row = {f"q{n}": a for n, a in enumerate(answers, start=1)}
    assert summary_map(FAST.summaries(td(row))) == {"total": total, "positive": positive}


def test_view_labels() -> None:
    html = str(FAST.render_html(td(q1=3, q4=4)))
    assert "weekly" in html and "yes, during the last year" in html


def test_clinical_line() -> None:
    assert FAST.clinical_summary(td(q1=3, q2=0, q3=0, q4=0)) == "FAST: total 3/16, positive"
    assert FAST.clinical_summary(td(q1=0)) == "FAST: total 0/16, negative, incomplete"
