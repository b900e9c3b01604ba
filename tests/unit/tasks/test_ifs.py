"""IFS: digit-span stopping rule, working-memory index, total with half points."""

from __future__ import annotations

from typing import Any

import pytest
from task_test_helpers import items, summary_map, td

from copse.tasks.catalogue import get_task

IFS = get_task("ifs")
OTHERS: dict[str, Any] = {
    "q1": 0,
    "q2": 0,
    "q3": 0,
    "q5": 0,
    **items("q6_seq", 1, 4, 0),
    **items("q7_proverb", 1, 3, 0.0),
    **items("q8_sentence", 1, 3, 0),
}
STOP_AT_2 = {"q4_len2_1": 0, "q4_len2_2": 0}


def test_completeness_follows_the_stopping_rule() -> None:
    assert IFS.is_complete(td({**OTHERS, **STOP_AT_2})) is True
    assert IFS.is_complete(td({**OTHERS, "q4_len2_1": 0})) is False  # trial 2 needed
    # Passed length 2 at the first trial: length 3 must follow.
    assert IFS.is_complete(td({**OTHERS, "q4_len2_1": 1})) is False
    assert IFS.is_complete(td({**OTHERS, "q4_len2_1": 1, "q4_len3_1": 0, "q4_len3_2": 0})) is True
    all_pass = {f"q4_len{n}_1": 1 for n in range(2, 8)}
    assert IFS.is_complete(td({**OTHERS, **all_pass})) is True
    assert IFS.is_complete(td({**OTHERS, **STOP_AT_2, "q1": 4})) is False
    assert IFS.is_complete(td({**OTHERS, **STOP_AT_2, "q7_proverb2": 1.5})) is False


@pytest.mark.parametrize(
    ("digits", "score"),
    [(STOP_AT_2, 0), ({"q4_len2_1": 0, "q4_len2_2": 1, "q4_len3_1": 0, "q4_len3_2": 0}, 1),
     ({"q4_len2_2": 1, "q4_len3_1": 1, "q4_len4_1": 0, "q4_len4_2": 0}, 2),
     ({f"q4_len{n}_1": 1 for n in range(2, 8)}, 6),
     ({"q4_len2_1": 0, "q4_len2_2": 0, "q4_len3_1": 1}, 0)],  # stops at length 2
)  # fmt: skip
def test_digit_span_score(digits: dict[str, int], score: int) -> None:
    s = summary_map(IFS.summaries(td({**OTHERS, **digits})))
    assert s["digit_span"] == score and s["wm"] == score


def test_known_row() -> None:
    # Reference example 1: q3 1, digit span 0, spatial 3, proverbs 2.08, sentences 6.
    row = {**OTHERS, "q3": 1, **STOP_AT_2, "q6_seq1": 1, "q6_seq2": 1, "q6_seq3": 1,
           "q7_proverb1": 0.89, "q7_proverb2": 0.59, "q7_proverb3": 0.6,
           **items("q8_sentence", 1, 3, 2)}  # fmt: skip
    s = summary_map(IFS.summaries(td(row)))
    assert s["total"] == pytest.approx(12.08) and s["wm"] == 3


def test_maximum() -> None:
    row = {"q1": 3, "q2": 3, "q3": 3, "q5": 2, **items("q6_seq", 1, 4, 1),
           **items("q7_proverb", 1, 3, 1.0), **items("q8_sentence", 1, 3, 2),
           **{f"q4_len{n}_1": 1 for n in range(2, 8)}}  # fmt: skip
    s = summary_map(IFS.summaries(td(row)))
    assert (s["total"], s["wm"]) == (30.0, 10)
