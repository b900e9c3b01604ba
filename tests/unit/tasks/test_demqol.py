"""DEMQOL and DEMQOL-Proxy: reversed items, -99 answers, pro-rating threshold."""

from __future__ import annotations

import pytest
from task_test_helpers import items, summary_map, td

from copse.tasks.catalogue import get_task

DEMQOL = get_task("demqol")
PROXY = get_task("demqolproxy")


def test_completeness_counts_no_answer_as_answer() -> None:
    row = {**items("q", 1, 29, 2), "q5": -99}
    assert DEMQOL.is_complete(td(row)) is True
    assert DEMQOL.is_complete(td({**row, "q29": None})) is False
    assert DEMQOL.is_complete(td({**row, "q3": 5})) is False
    assert PROXY.is_complete(td(items("q", 1, 32, 3))) is True
    assert PROXY.is_complete(td(items("q", 1, 31, 3))) is False


def test_reverse_scored_items() -> None:
    # all 1 ("a lot"): 23 items score 1, the 5 positive items score 4 → 23 + 20 = 43
    assert summary_map(DEMQOL.summaries(td(items("q", 1, 28, 1))))["total"] == 43.0
    # proxy: 26 × 1 + 5 × 4 = 46
    assert summary_map(PROXY.summaries(td(items("q", 1, 31, 1))))["total"] == 46.0


@pytest.mark.parametrize(("answered", "scored"), [(13, False), (14, True), (28, True)])
def test_half_the_items_needed(answered: int, scored: bool) -> None:
    row = {**items("q", 1, 28, -99), **items("q", 1, answered, 2)}
    row.update({q: 3 for q in ("q1", "q3", "q5", "q6", "q10") if row[q] == 2})  # reversed → 2
    total = summary_map(DEMQOL.summaries(td(row)))["total"]
    assert total == (56.0 if scored else None)  # every answer scores 2 → 2 × 28


def test_prorating_known_value() -> None:
    # q1..q20 answered 4 (q1, q3, q5, q6, q10 reversed → 1): 15 × 4 + 5 × 1 = 65 → 65 × 28 / 20
    row = items("q", 1, 20, 4)
    assert summary_map(DEMQOL.summaries(td(row)))["total"] == pytest.approx(91.0)
