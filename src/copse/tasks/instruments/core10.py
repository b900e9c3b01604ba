"""CORE-10 (Clinical Outcomes in Routine Evaluation, 10-item).

Source: Barkham et al. (2013) Counselling and Psychotherapy Research 13:3.
Ten items scored 0–4; items 2 and 3 are positively worded and reverse-keyed.
As with other instruments whose response options carry their scores, the
tablet stores the item *score* (reversal already applied by the form), so the
total is a plain sum (/40). Clinical score = 10 × mean item score, which the
CORE guidance allows to be pro-rated when at most one item is missing.
Severity bands of the clinical score (Barkham et al. 2013): 0–5 healthy,
6–10 low level, 11–14 mild, 15–19 moderate, 20–24 moderate-to-severe,
25–40 severe; 11 is the clinical cut-off. All ten items are required for
completeness. Item labels are our own topic names, not the item wording.
"""

from __future__ import annotations

from typing import ClassVar

from copse.tasks.base import Summary, TaskData
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

    def clinical_score(self, task: TaskData) -> float | None:
        answered = [v for v in self.values(task) if v is not None]
        if len(answered) < len(self.items) - 1:
            return None
        return 10 * sum(answered) / len(answered)

    def summaries(self, task: TaskData) -> list[Summary]:
        clinical = self.clinical_score(task)
        return [
            Summary("total", self.total(task), "Total score (sum of items)", 40),
            Summary(
                "clinical_score",
                clinical,
                "Clinical score: 10 × mean item score (≤1 item missing)",
                40,
            ),
            Summary(
                "severity",
                band(clinical, BANDS, "Healthy"),
                "Clinical score: 0–5 healthy, 6–10 low level, 11–14 mild, 15–19 moderate, "
                "20–24 moderate-to-severe, ≥25 severe",
            ),
        ]


TASKS = (Core10(),)
