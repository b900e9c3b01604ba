"""Kirby MCQ: k from choices consistent with a known k, Wileyto's fit, views."""

from __future__ import annotations

import math
from typing import Any

import pytest
from complete_cat18a import KIRBY_ITEMS, kirby_trials
from hypothesis import given, settings
from hypothesis import strategies as st
from task_test_helpers import summary_map

from copse.tasks.base import TaskData
from copse.tasks.catalogue import get_task

KIRBY = get_task("kirby_mcq")
#: Kirby's nine nominal k levels of the 27 questions.
LEVELS = (0.00016, 0.0004, 0.001, 0.0025, 0.006, 0.016, 0.041, 0.1, 0.25)


def task(trials: list[dict[str, Any]]) -> TaskData:
    return TaskData(row={"id": 1}, ancillary={"kirby_mcq_trials": trials})


def scores(trials: list[dict[str, Any]]) -> dict[str, Any]:
    return summary_map(KIRBY.summaries(task(trials)))


@pytest.mark.parametrize(
    ("true_k", "expected"),
    [
        (0.00001, 0.00016),  # every delayed reward chosen: the lowest level
        (0.0002, math.sqrt(0.00016 * 0.0004)),
        (0.01, math.sqrt(0.006 * 0.016)),
        (0.05, math.sqrt(0.041 * 0.1)),
        (0.2, math.sqrt(0.1 * 0.25)),
        (1.0, 0.25),  # every immediate reward chosen: the highest level
    ],
)
def test_k_kirby_recovers_a_consistent_discounter(true_k: float, expected: float) -> None:
    s = scores(kirby_trials(true_k))
    assert s["k_kirby"] == pytest.approx(expected, rel=1e-9)
    assert s["n_answered"] == 27
    # Entirely consistent choices separate perfectly: no logistic maximum.
    assert s["k_wileyto"] is None


def test_k_kirby_most_consistent_interval_wins() -> None:
    # Consistent with k between 0.006 and 0.016, then one level-0.016 question
    # (Q18) answered with the immediate reward: the 0.006–0.016 interval keeps
    # 26/27 consistent choices, 0.016–0.041 has 25/27 (two delayed choices
    # at level 0.016 contradict it), so the estimate is unchanged.
    trials = kirby_trials(0.01)
    assert trials[17]["sir"] == 24 and trials[17]["chose_ldr"] == 1
    trials[17]["chose_ldr"] = 0
    assert scores(trials)["k_kirby"] == pytest.approx(math.sqrt(0.006 * 0.016))
    # Switch a second 0.016 question: now 0.016–0.041 is the best (26/27 vs 25/27).
    trials[20]["chose_ldr"] = 0  # Q21 (34 vs 50 in 30 days), level 0.016
    assert scores(trials)["k_kirby"] == pytest.approx(math.sqrt(0.016 * 0.041))


def test_k_kirby_exact_tie() -> None:
    # Two questions with contradictory answers: delayed chosen at the high
    # indifference k, immediate at the low one.
    rows = [
        {"trial": 1, "sir": 50, "ldr": 100, "delay_days": 10, "chose_ldr": 0},  # k 0.1
        {"trial": 2, "sir": 50, "ldr": 100, "delay_days": 100, "chose_ldr": 1},  # k 0.01
    ]
    # Interval 0 (k < 0.01): Q2 consistent, Q1 not → 1; interval 1 (0.01–0.1):
    # neither → 0; interval 2 (k > 0.1): Q1 consistent → 1. Tie of 0.01 and 0.1.
    assert scores(rows)["k_kirby"] == pytest.approx(math.sqrt(0.01 * 0.1))


def test_k_wileyto_on_a_saturated_design() -> None:
    # Two questions, each asked four times; the delayed reward is chosen 3/4
    # of the time at 10 days and 1/4 at 100 days. With two parameters and two
    # design points the fit reproduces both proportions exactly:
    #   logit(3/4) = ln 3 = 0.5 b1 + 5 b2 and -ln 3 = 0.5 b1 + 50 b2
    # (predictors 1 - SIR/LDR = 0.5 and D·SIR/LDR), so b2 = -2 ln3/45,
    # b1 = 2 ln3 (1 + 10/45), and k = -b2/b1 = 1/55: the delay at which
    # £100 is worth £50 to a hyperbolic discounter is 1/k = 55 days.
    rows = []
    for n, (delay, chose) in enumerate(
        [(10, 1), (10, 1), (10, 1), (10, 0), (100, 1), (100, 0), (100, 0), (100, 0)], start=1
    ):
        rows.append({"trial": n, "sir": 50, "ldr": 100, "delay_days": delay, "chose_ldr": chose})
    assert scores(rows)["k_wileyto"] == pytest.approx(1 / 55, rel=1e-6)


def test_unusable_trials_are_ignored() -> None:
    good = kirby_trials(0.01)
    bad = [
        {"trial": 28, "sir": 0, "ldr": 10, "delay_days": 5, "chose_ldr": 1},  # no SIR
        {"trial": 29, "sir": 10, "ldr": 5, "delay_days": 5, "chose_ldr": 1},  # LDR < SIR
        {"trial": 30, "sir": 10, "ldr": 20, "delay_days": 0, "chose_ldr": 1},  # no delay
        {"trial": 31, "sir": 10, "ldr": 20, "delay_days": 5, "chose_ldr": None},
        {"trial": 32, "sir": "x", "ldr": 20, "delay_days": 5, "chose_ldr": 2},
    ]
    assert scores(good + bad)["k_kirby"] == scores(good)["k_kirby"]
    assert scores(good + bad)["n_answered"] == 27


def test_completeness_needs_all_27() -> None:
    trials = kirby_trials(0.01)
    assert KIRBY.is_complete(task(trials)) is True
    assert KIRBY.is_complete(task(trials[:-1])) is False
    trials[3]["chose_ldr"] = None
    assert KIRBY.is_complete(task(trials)) is False
    assert KIRBY.is_complete(task([])) is False


def test_no_answers() -> None:
    s = scores([])
    assert s == {"k_kirby": None, "k_wileyto": None, "n_answered": 0}
    assert "not estimable" in KIRBY.clinical_summary(task([]))


@pytest.mark.parametrize("n_rows", [0, 1, 27])
def test_view_with_zero_one_many_trials(n_rows: int) -> None:
    trials = kirby_trials(0.01)[:n_rows]
    html = str(KIRBY.render_html(task(trials)))
    assert html.count("<tr>") >= n_rows
    if n_rows:
        assert "Larger delayed reward" in html or "Smaller immediate reward" in html
        assert "Small" in html or "Medium" in html or "Large" in html
    else:
        assert "(none)" in html


def test_clinical_summary() -> None:
    line = KIRBY.clinical_summary(task(kirby_trials(0.01)))
    assert line.startswith("KirbyMCQ: k (Kirby) 0.0098/day")
    assert "27/27 answered" in line and "incomplete" not in line


def test_items_are_the_published_27() -> None:
    ks = [(ldr / sir - 1) / d for sir, ldr, d in KIRBY_ITEMS]
    assert len(ks) == 27
    assert sorted({float(f"{k:.2g}") for k in ks}) == list(LEVELS)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 26), st.sampled_from([0, 1, None])), max_size=40))
def test_k_kirby_within_the_questions_range(answers: list[tuple[int, int | None]]) -> None:
    trials = kirby_trials(0.01)
    rows = [{**trials[i], "chose_ldr": chose} for i, chose in answers]
    s = scores(rows)
    if s["n_answered"] == 0:
        assert s["k_kirby"] is None
    else:
        assert LEVELS[0] <= s["k_kirby"] <= LEVELS[-1]
    assert s["k_wileyto"] is None or math.isfinite(s["k_wileyto"])
