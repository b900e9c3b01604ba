"""CORE-10 (Clinical Outcomes in Routine Evaluation, 10-item).

Source: Barkham et al. (2013) Counselling and Psychotherapy Research 13:3.
Ten items scored 0–4; items 2 and 3 are positively worded and reverse-keyed.
As with other instruments whose response options carry their scores, the
tablet stores the item *score* (reversal already applied by the form), so the
total is a plain sum (/40). Clinical score = 10 × mean item score, which the
CORE guidance allows to be pro-rated when at most one item is missing.

The CamCOPS server computes ``clinical_score`` as 10 × the mean of however
many items are answered (0 when none is), in an INTEGER column. We follow
it for any number of answers, but round to the nearest whole number (halves
up) so that the value fits the column's type; the unrounded value is
``clinical_score_exact``. The severity band keeps the published rule and is
given only when at most one item is missing. Item 6 (plans to end one's
life) is the CORE risk item: any non-zero answer raises a risk flag.
Severity bands of the clinical score (Barkham et al. 2013): 0–5 healthy,
6–10 low level, 11–14 mild, 15–19 moderate, 20–24 moderate-to-severe,
25–40 severe; 11 is the clinical cut-off. All ten items are required for
completeness. Item labels are our own topic names, not the item wording.
"""

from __future__ import annotations

import math
from typing import ClassVar

from copse.tasks.base import Cutoff, RiskFlag, Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale, band, numbered
from copse.tasks.values import qfields

BANDS = (
    (6, "Low level"),
    (11, "Mild"),
    (15, "Moderate"),
    (20, "Moderate-to-severe"),
    (25, "Severe"),
)


class Core10(ItemScale):
    tablename = "core10"
    items = qfields("q", 1, 10)
    permitted = (0, 1, 2, 3, 4)
    REVERSE_KEYED: ClassVar[tuple[str, ...]] = ("q2", "q3")
    item_labels = numbered(
        (
            "Tension, anxiety or nervousness",
            "Someone to turn to for support (positively worded)",
            "Able to cope when things go wrong (positively worded)",
            "Talking to people felt too much",
            "Panic or terror",
            "Plans to end one's life",
            "Difficulty sleeping",
            "Despair or hopelessness",
            "Unhappiness",
            "Distressing unwanted images or memories",
        )
    )
    option_labels = {0: "score 0", 1: "score 1", 2: "score 2", 3: "score 3", 4: "score 4"}

    trackers = (
        TrackerSpec(
            "clinical_score",
            "CORE-10 clinical score",
            0,
            40,
            tuple(Cutoff(value, label) for value, label in BANDS),
        ),
    )
    reference_differences = {
        "clinical_score": "the reference writes the unrounded mean × 10 (e.g. 17.5) into its "
        "INTEGER column; we round it to the nearest whole number (halves up) and give the "
        "unrounded value as clinical_score_exact",
    }

    def exact_clinical_score(self, task: TaskData) -> float:
        """10 × the mean of the answered items, 0 if none is answered (as CamCOPS)."""
        answered = [v for v in self.values(task) if v is not None]
        return 10 * sum(answered) / len(answered) if answered else 0.0

    def severity(self, task: TaskData) -> str | None:
        """The published band, only when pro-rating is allowed (≤1 item missing)."""
        answered = [v for v in self.values(task) if v is not None]
        if len(answered) < len(self.items) - 1:
            return None
        return band(self.exact_clinical_score(task), BANDS, "Healthy")

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        q6 = self.value(task, "q6")
        if q6 is not None and q6 > 0:
            return [RiskFlag("q6", f"risk item 6 (plans to end one's life) = {q6}")]
        return []

    def summaries(self, task: TaskData) -> list[Summary]:
        exact = self.exact_clinical_score(task)
        return [
            Summary(
                "clinical_score",
                math.floor(exact + 0.5),
                "Clinical score: 10 × mean of the answered items, rounded (0 if none answered)",
                40,
            ),
            Summary("total", self.total(task), "Total score (sum of items)", 40),
            Summary(
                "clinical_score_exact",
                exact,
                "Clinical score unrounded: 10 × mean of the answered items",
                40,
            ),
            Summary(
                "severity",
                self.severity(task),
                "Clinical score: 0–5 healthy, 6–10 low level, 11–14 mild, 15–19 moderate, "
                "20–24 moderate-to-severe, ≥25 severe (≤1 item missing)",
                kind="str",
            ),
        ]


TASKS = (Core10(),)
