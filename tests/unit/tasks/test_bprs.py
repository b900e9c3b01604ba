"""BPRS: items 1–18 form the total; 0 = not assessed."""

from __future__ import annotations

from task_test_helpers import items, summary_map, td

from copse.tasks.catalogue import get_task

BPRS = get_task("bprs")


def test_complete_and_incomplete() -> None:
    assert BPRS.is_complete(td(items("q", 1, 20, 1))) is True
    assert BPRS.is_complete(td(items("q", 1, 19, 1))) is False
    assert BPRS.is_complete(td({**items("q", 1, 20, 1), "q1": 8})) is False
    assert BPRS.is_complete(td(items("q", 1, 20, 0))) is True  # "not assessed" is a rating


def test_total_of_items_1_to_18() -> None:
    # q1..q18 = 2 except q3 = 0 (not assessed) → 17 × 2 = 34; q19, q20 excluded
    row = {**items("q", 1, 18, 2), "q3": 0, "q19": 7, "q20": 7}
    assert summary_map(BPRS.summaries(td(row))) == {"total": 34}


def test_range() -> None:
    assert summary_map(BPRS.summaries(td(items("q", 1, 20, 7)))) == {"total": 126}
    assert summary_map(BPRS.summaries(td(items("q", 1, 20, 1)))) == {"total": 18}
