"""PSWQ: items 1, 3, 8, 10 and 11 are reverse-scored (6 − rating)."""

from __future__ import annotations

from task_test_helpers import items, summary_map, td

from copse.tasks.catalogue import get_task

PSWQ = get_task("pswq")
REVERSED = (1, 3, 8, 10, 11)


def test_complete_and_incomplete() -> None:
    assert PSWQ.is_complete(td(items("q", 1, 16, 1))) is True
    assert PSWQ.is_complete(td(items("q", 1, 15, 1))) is False
    assert PSWQ.is_complete(td({**items("q", 1, 16, 1), "q3": 0})) is False  # ratings are 1–5
    assert PSWQ.is_complete(td({**items("q", 1, 16, 1), "q3": 6})) is False


def test_reverse_scoring() -> None:
    # all 1: five reversed items score 5 each (25) + eleven items score 1 (11) = 36
    assert summary_map(PSWQ.summaries(td(items("q", 1, 16, 1)))) == {"total_score": 36}
    # all 5: 5 × 1 + 11 × 5 = 60
    assert summary_map(PSWQ.summaries(td(items("q", 1, 16, 5)))) == {"total_score": 60}
    # all 3: 16 × 3 = 48
    assert summary_map(PSWQ.summaries(td(items("q", 1, 16, 3)))) == {"total_score": 48}


def test_range_extremes() -> None:
    least = {f"q{n}": (5 if n in REVERSED else 1) for n in range(1, 17)}
    most = {f"q{n}": (1 if n in REVERSED else 5) for n in range(1, 17)}
    assert summary_map(PSWQ.summaries(td(least))) == {"total_score": 16}
    assert summary_map(PSWQ.summaries(td(most))) == {"total_score": 80}


def test_known_mixed_answers() -> None:
    # q1=2 (→4), q2=4, q3=5 (→1), q4=3; others absent → 4+4+1+3 = 12
    assert summary_map(PSWQ.summaries(td(q1=2, q2=4, q3=5, q4=3))) == {"total_score": 12}
