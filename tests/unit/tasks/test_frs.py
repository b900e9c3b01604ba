"""FRS: 'never' counts, not-applicable items, the proportion score."""

from __future__ import annotations

from task_test_helpers import items, summary_map, td

from copse.tasks.catalogue import get_task

FRS = get_task("frs")


def test_completeness_and_not_applicable() -> None:
    assert FRS.is_complete(td(items("q", 1, 30, 0))) is True
    assert FRS.is_complete(td({**items("q", 1, 30, 0), "q11": -99})) is True
    assert FRS.is_complete(td({**items("q", 1, 30, 0), "q1": -99})) is False  # behaviour item
    assert FRS.is_complete(td(items("q", 1, 29, 0))) is False


def test_scores() -> None:
    # 7 "never", 19 other answers, 4 not applicable → 7 / 26
    row = {**items("q", 1, 30, 1), **items("q", 1, 7, 0), **items("q", 11, 14, -99)}
    s = summary_map(FRS.summaries(td(row)))
    assert (s["total"], s["n"]) == (7, 26)
    assert s["score"] == 7 / 26
    assert (s["logit"], s["severity"]) == (None, None)


def test_no_applicable_items() -> None:
    s = summary_map(FRS.summaries(td({})))
    assert (s["total"], s["n"], s["score"]) == (0, 0, None)
