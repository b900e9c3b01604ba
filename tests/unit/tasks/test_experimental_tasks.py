"""Expectation–detection, threshold and ID/ED tasks: results from trial rows, views."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import pytest
from complete_cat18a import expdet_trial, ided_trial, threshold_trial
from hypothesis import given, settings
from hypothesis import strategies as st
from task_test_helpers import XSS, summary_map

from copse.tasks.base import TaskData
from copse.tasks.catalogue import get_task
from copse.tasks.svgchart import bar_chart, line_chart

EXPDET = get_task("cardinal_expdet")
THRESHOLD = get_task("cardinal_expdetthreshold")
IDED = get_task("ided3d")
Z = NormalDist().inv_cdf


def expdet(trials: list[dict[str, Any]], **row: Any) -> TaskData:
    return TaskData(row={"id": 1, **row}, ancillary={"cardinal_expdet_trials": trials})


# ----------------------------------------------------------- expectation–detection
def test_detection_rates_and_indices() -> None:
    # Target present on 4 responded trials, rated 4, 3, 2, 0 → 2 detections:
    # H = 0.5. Absent on 4: rated 3, 1, 0, 0 → F = 0.25. One unresponded
    # present trial rated 4 does not count.
    trials = [
        expdet_trial(1, 1, 4), expdet_trial(2, 1, 3), expdet_trial(3, 1, 2),
        expdet_trial(4, 1, 0), expdet_trial(5, 0, 3), expdet_trial(6, 0, 1),
        expdet_trial(7, 0, 0), expdet_trial(8, 0, 0),
        expdet_trial(9, 1, 4, responded=0, cumulative_points=-3),
    ]  # fmt: skip
    s = summary_map(EXPDET.summaries(expdet(trials)))
    assert s["overall_p_detect_present"] == 0.5
    assert s["overall_p_detect_absent"] == 0.25
    assert s["overall_d"] == pytest.approx(0 - Z(0.25))  # 0.6745
    assert s["overall_c"] == pytest.approx(-(0 + Z(0.25)) / 2)
    assert s["final_score"] == -3  # cumulative points after the last trial


def test_perfect_rates_are_clipped() -> None:
    trials = [expdet_trial(1, 1, 4), expdet_trial(2, 0, 0)]
    s = summary_map(EXPDET.summaries(expdet(trials)))
    assert (s["overall_p_detect_present"], s["overall_p_detect_absent"]) == (1.0, 0.0)
    assert s["overall_d"] == pytest.approx(2 * 3.090232, abs=1e-6)
    assert s["overall_c"] == pytest.approx(0.0, abs=1e-12)


def test_missing_trial_types_give_none() -> None:
    s = summary_map(EXPDET.summaries(expdet([expdet_trial(1, 1, 3)])))
    assert s["overall_p_detect_present"] == 1.0
    assert s["overall_p_detect_absent"] is None
    assert s["overall_c"] is None and s["overall_d"] is None
    s = summary_map(EXPDET.summaries(expdet([])))
    assert set(s.values()) == {None}


def test_expdet_completeness() -> None:
    assert EXPDET.is_complete(expdet([], finished=1)) is True
    assert EXPDET.is_complete(expdet([], finished=0, aborted=1)) is False
    assert EXPDET.is_complete(expdet([])) is False


@pytest.mark.parametrize("n_trials", [0, 1, 12])
def test_expdet_view_by_block(n_trials: int) -> None:
    trials = [expdet_trial(n, n % 2, n % 5, block=1 + n // 6) for n in range(1, n_trials + 1)]
    html = str(EXPDET.render_html(expdet(trials, finished=1)))
    assert "Results by block" in html and "Results by trial group" in html
    if n_trials == 0:
        assert "(no trials)" in html and "<svg" not in html
    else:
        assert "<svg" in html and "Cumulative points" in html
        assert html.count("<polyline") == 1


# ------------------------------------------------------------------- threshold
def threshold(trials: list[dict[str, Any]], **row: Any) -> TaskData:
    return TaskData(row={"id": 1, **row}, ancillary={"cardinal_expdetthreshold_trials": trials})


def test_threshold_fit_on_a_saturated_design() -> None:
    # Intensity 0.2: yes on 1 of 4; intensity 0.6: yes on 3 of 4. With two
    # parameters and two intensities the fit reproduces both proportions:
    # b0 + 0.2 b1 = -ln 3 and b0 + 0.6 b1 = ln 3, so b1 = 5 ln 3,
    # b0 = -2 ln 3 and the 50% threshold is -b0/b1 = 0.4.
    answers = [(0.2, 1), (0.2, 0), (0.2, 0), (0.2, 0), (0.6, 1), (0.6, 1), (0.6, 1), (0.6, 0)]
    trials = [threshold_trial(n, i, y) for n, (i, y) in enumerate(answers, start=1)]
    # Ignored: catch trials, trials outside the calculation sequence, no answer.
    trials += [
        threshold_trial(9, 0.9, 1, target_presented=0),
        threshold_trial(10, 0.1, 1, trial_num_in_calculation_sequence=None),
        threshold_trial(11, 0.3, 0, no=0),
    ]
    s = summary_map(THRESHOLD.summaries(threshold(trials)))
    assert s["fit_slope"] == pytest.approx(5 * math.log(3))
    assert s["fit_intercept"] == pytest.approx(-2 * math.log(3))
    assert s["threshold_50"] == pytest.approx(0.4)
    assert (s["n_trials"], s["n_catch_trials"], s["n_catch_false_alarms"]) == (11, 1, 1)


def test_threshold_undetermined_fit() -> None:
    # Perfect split by intensity: the likelihood has no maximum.
    trials = [threshold_trial(1, 0.1, 0), threshold_trial(2, 0.2, 0), threshold_trial(3, 0.8, 1)]
    s = summary_map(THRESHOLD.summaries(threshold(trials)))
    assert s["threshold_50"] is None and s["fit_slope"] is None
    assert summary_map(THRESHOLD.summaries(threshold([])))["threshold_50"] is None


@pytest.mark.parametrize("n_trials", [0, 1, 20])
def test_threshold_view(n_trials: int) -> None:
    trials = [threshold_trial(n, 1 / n, n % 2) for n in range(1, n_trials + 1)]
    html = str(THRESHOLD.render_html(threshold(trials, finished=1, theta=0.3)))
    assert "Fit computed by the tablet" in html
    assert ("<svg" in html) == (n_trials > 0)
    assert THRESHOLD.is_complete(threshold(trials, finished=1)) is True
    line = THRESHOLD.clinical_summary(threshold(trials, theta=0.3))
    assert "tablet threshold 0.3" in line and "incomplete" in line


# ----------------------------------------------------------------------- ID/ED
def ided(trials: list[dict[str, Any]], stages: list[dict[str, Any]] | None = None, **row: Any):  # type: ignore[no-untyped-def]
    return TaskData(
        row={"id": 1, **row}, ancillary={"ided3d_trials": trials, "ided3d_stages": stages or []}
    )


def test_ided_stages_and_errors() -> None:
    # Stage 1: 3 trials, 1 error; stage 2: 2 trials, 0 errors; stage 3: 4 trials, 3 errors.
    pattern = [(1, 0), (1, 1), (1, 1), (2, 1), (2, 1), (3, 0), (3, 0), (3, 1), (3, 0)]
    trials = [ided_trial(n, st_, c) for n, (st_, c) in enumerate(pattern, start=1)]
    stages = [
        {"stage": 1, "stage_name": "SD", "stage_passed": 1},
        {"stage": 2, "stage_name": "SDR", "stage_passed": 1},
        {"stage": 3, "stage_name": "C_D", "stage_failed": 1},
    ]
    data = ided(trials, stages, finished=1)
    s = summary_map(IDED.summaries(data))
    assert s == {
        "highest_stage_reached": 3,
        "n_stages_passed": 2,
        "total_trials": 9,
        "total_errors": 4,
    }
    html = str(IDED.render_html(data))
    assert "Errors per stage" in html and html.count("<rect") == 3
    assert "C_D" in html
    assert IDED.clinical_summary(data) == (
        "ID/ED-3D: reached stage 3, 2 stages passed, 4 errors in 9 trials"
    )


def test_ided_completeness() -> None:
    assert IDED.is_complete(ided([], finished=1)) is True
    assert IDED.is_complete(ided([], debug_display_stimuli_only=1)) is True
    assert IDED.is_complete(ided([], aborted=1, finished=0)) is False
    assert IDED.is_complete(ided([])) is False


@pytest.mark.parametrize("n_trials", [0, 1, 30])
def test_ided_view_zero_one_many(n_trials: int) -> None:
    trials = [ided_trial(n, 1 + n // 6, n % 3 != 0) for n in range(1, n_trials + 1)]
    html = str(IDED.render_html(ided(trials)))
    assert ("(no trials)" in html) == (n_trials == 0)
    assert ("<svg" in html) == (n_trials > 0)


# ---------------------------------------------------------------------- charts
def test_charts_escape_labels_and_skip_non_finite() -> None:
    svg = str(bar_chart([(XSS, 2.0)], title=XSS, x_label=XSS, y_label=XSS))
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert line_chart([(1.0, math.nan), (math.inf, 2.0)], title="t", x_label="x", y_label="y") == ""
    assert bar_chart([], title="t", x_label="x", y_label="y") == ""


# ---------------------------------------------------------------- properties
trial_strategy = st.fixed_dictionaries(
    {
        "target_present": st.sampled_from([None, 0, 1, 2]),
        "responded": st.sampled_from([None, 0, 1]),
        "rating": st.sampled_from([None, -1, 0, 1, 2, 3, 4, 9]),
        "block": st.integers(0, 5),
    }
)


@settings(max_examples=60, deadline=None)
@given(st.lists(trial_strategy, max_size=40))
def test_detection_results_stay_in_range(trials: list[dict[str, Any]]) -> None:
    s = summary_map(EXPDET.summaries(expdet(trials)))
    for name in ("overall_p_detect_present", "overall_p_detect_absent"):
        assert s[name] is None or 0.0 <= s[name] <= 1.0
    bound = 2 * 3.090233
    assert s["overall_d"] is None or -bound <= s["overall_d"] <= bound
    assert s["overall_c"] is None or abs(s["overall_c"]) <= bound / 2
    EXPDET.render_html(expdet(trials))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.integers(0, 1)), max_size=30))
def test_threshold_fit_never_raises(answers: list[tuple[float, int]]) -> None:
    trials = [threshold_trial(n, i, y) for n, (i, y) in enumerate(answers, start=1)]
    s = summary_map(THRESHOLD.summaries(threshold(trials)))
    assert s["threshold_50"] is None or math.isfinite(s["threshold_50"])
