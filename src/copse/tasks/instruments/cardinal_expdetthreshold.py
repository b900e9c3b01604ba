"""Cardinal RN — threshold determination for the Expectation–Detection task.

A staircase of target intensities (large steps first, then small steps in the
"calculation sequence"), with occasional catch trials (no target) to check
the participant is not simply saying yes. The tablet fits a psychometric
function and stores its parameters (``intercept``, ``slope``, ``k``,
``theta``); the reference server reports no summaries of its own.

copse recomputes the fit from the trial rows so the threshold can be checked
and compared: a logistic regression (maximum likelihood) of "yes" on
intensity over the non-catch trials of the calculation sequence,
P(yes) = 1 / (1 + exp(−(b₀ + b₁ · intensity))), whose 50% detection
threshold is −b₀ / b₁ (the standard psychometric-function estimate; e.g.
Wichmann & Hill (2001) Percept Psychophys 63:1293). Undefined (None) when the
answers do not determine a fit (too few trials, all yes or all no, or a
perfect split by intensity).

Completeness: the task was finished.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition
from copse.tasks.logistic import fit_logistic
from copse.tasks.svgchart import line_chart
from copse.tasks.tristate import is_set
from copse.tasks.values import as_float, as_int

TRIALS = "cardinal_expdetthreshold_trials"


def answer(trial: Mapping[str, Any]) -> int | None:
    """1 = "yes, I saw/heard it", 0 = "no", None = no answer."""
    if is_set(trial.get("yes")):
        return 1
    if is_set(trial.get("no")):
        return 0
    return None


def fit(trials: Sequence[Mapping[str, Any]]) -> tuple[float, float] | None:
    """(intercept, slope) of the logistic psychometric function, or None."""
    x: list[list[float]] = []
    y: list[int] = []
    for t in trials:
        intensity = as_float(t.get("intensity"))
        said = answer(t)
        in_sequence = as_int(t.get("trial_num_in_calculation_sequence")) is not None
        if intensity is None or said is None or not in_sequence:
            continue
        if not is_set(t.get("target_presented")):
            continue
        x.append([1.0, intensity])
        y.append(said)
    beta = fit_logistic(x, y)
    return None if beta is None else (beta[0], beta[1])


class CardinalExpDetThreshold(TaskDefinition):
    tablename = "cardinal_expdetthreshold"
    column_meanings = {
        "modality": "Target modality (auditory/visual)",
        "target_number": "Which target of the modality",
        "background_filename": "Background stimulus file",
        "target_filename": "Target stimulus file",
        "visual_target_duration_s": "Visual target duration (s)",
        "background_intensity": "Background intensity (0–1)",
        "start_intensity_min": "Lowest starting intensity (0–1)",
        "start_intensity_max": "Highest starting intensity (0–1)",
        "initial_large_intensity_step": "Intensity step before the first 'no' (large)",
        "main_small_intensity_step": "Intensity step in the calculation sequence (small)",
        "num_trials_in_main_sequence": "Trials in the calculation sequence",
        "p_catch_trial": "Probability of a catch trial (no target)",
        "prompt": "Question put to the participant",
        "iti_s": "Inter-trial interval (s)",
        "finished": "The task was finished",
        "intercept": "Tablet's logistic fit: intercept",
        "slope": "Tablet's logistic fit: slope",
        "k": "Tablet's logistic fit: k (slope)",
        "theta": "Tablet's logistic fit: theta, the intensity at 50% detection",
        f"{TRIALS}.cardinal_expdetthreshold_id": "The task this trial belongs to",
        f"{TRIALS}.trial": "Trial number (1-based)",
        f"{TRIALS}.trial_ignoring_catch_trials": "Trial number not counting catch trials",
        f"{TRIALS}.target_presented": "A target was presented (0 = catch trial)",
        f"{TRIALS}.target_time": "When the target was presented",
        f"{TRIALS}.intensity": "Target intensity (0–1)",
        f"{TRIALS}.choice_time": "When the choice was offered",
        f"{TRIALS}.responded": "The participant responded",
        f"{TRIALS}.response_time": "When the participant responded",
        f"{TRIALS}.response_latency_ms": "Response latency (ms)",
        f"{TRIALS}.yes": "Participant said yes (target perceived)",
        f"{TRIALS}.no": "Participant said no",
        f"{TRIALS}.caught_out_reset": "Said yes on a catch trial, so the staircase was reset",
        f"{TRIALS}.trial_num_in_calculation_sequence": (
            "Position in the calculation sequence (blank: not used for the fit)"
        ),
    }

    def is_complete(self, task: TaskData) -> bool:
        return is_set(task.get("finished"))

    def summaries(self, task: TaskData) -> list[Summary]:
        trials = task.children(TRIALS)
        catch = [t for t in trials if not is_set(t.get("target_presented"))]
        params = fit(trials)
        threshold = None
        if params is not None and params[1] != 0:
            value = -params[0] / params[1]
            threshold = value if math.isfinite(value) else None
        return [
            Summary("n_trials", len(trials), "Trials run"),
            Summary("n_catch_trials", len(catch), "Catch trials (no target)"),
            Summary(
                "n_catch_false_alarms",
                sum(1 for t in catch if answer(t) == 1),
                "Catch trials answered 'yes'",
            ),
            Summary(
                "fit_intercept",
                None if params is None else params[0],
                "Logistic fit recomputed from the trials: intercept b₀",
                kind="float",
            ),
            Summary(
                "fit_slope",
                None if params is None else params[1],
                "Logistic fit recomputed from the trials: slope b₁ (per unit intensity)",
                kind="float",
            ),
            Summary(
                "threshold_50",
                threshold,
                "Intensity detected on 50% of trials (−b₀/b₁), recomputed from the trials",
                kind="float",
            ),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        s = {x.name: x.value for x in self.summaries(task)}
        parts = [f"{s['n_trials']} trials"]
        theta = as_float(task.get("theta"))
        if theta is not None:
            parts.append(f"tablet threshold {theta:.3g}")
        if isinstance(s["threshold_50"], float):
            parts.append(f"recomputed threshold {s['threshold_50']:.3g}")
        if not self.is_complete(task):
            parts.append("incomplete")
        return f"{self.shortname}: " + ", ".join(parts)

    def body_html(self, task: TaskData) -> Markup:
        trials = task.children(TRIALS)
        staircase = [
            (float(n), i)
            for n, i in ((as_int(t.get("trial")), as_float(t.get("intensity"))) for t in trials)
            if n is not None and i is not None
        ]
        tablet_fit = h.table(
            [
                ("Intercept", task.get("intercept")),
                ("Slope", task.get("slope")),
                ("k", task.get("k")),
                ("Theta (50% threshold)", task.get("theta")),
            ],
            css_class="copse-fields",
        )
        return Markup("").join(
            [
                h.section("Settings", h.record_html(self.tablename, task.row)),
                h.section("Fit computed by the tablet", tablet_fit),
                line_chart(
                    staircase,
                    title="Target intensity by trial",
                    x_label="Trial",
                    y_label="Intensity",
                ),
                h.section("Trials", h.records_html(TRIALS, trials)),
            ]
        )


TASKS = (CardinalExpDetThreshold(),)
