"""GAD-7 (Generalized Anxiety Disorder Assessment).

Source: Spitzer, Kroenke, Williams & Löwe (2006) Arch Intern Med 166:1092.
Seven items scored 0–3, total /21. Completeness (all seven answered, each
0–3) and severity bands (≥15 severe, ≥10 moderate, ≥5 mild, else none) are
exactly as tasks.md §3 states them. Item labels are our own paraphrases.
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData
from copse.tasks.instruments.phq import FREQUENCY_0_3
from copse.tasks.meta import Cutoff, TrackerSpec
from copse.tasks.scales import ItemScale, band, numbered
from copse.tasks.values import qfields

BANDS = ((5, "Mild"), (10, "Moderate"), (15, "Severe"))


class Gad7(ItemScale):
    tablename = "gad7"
    trackers = (
        TrackerSpec(
            "total",
            "GAD-7 total score",
            0,
            21,
            (Cutoff(5, "Mild"), Cutoff(10, "Moderate"), Cutoff(15, "Severe")),
        ),
    )
    items = qfields("q", 1, 7)
    permitted = (0, 1, 2, 3)
    item_labels = numbered(
        (
            "Feeling nervous, anxious or on edge",
            "Not being able to stop or control worrying",
            "Worrying too much about different things",
            "Trouble relaxing",
            "So restless that it is hard to sit still",
            "Becoming easily annoyed or irritable",
            "Feeling afraid, as if something awful might happen",
        )
    )
    option_labels = FREQUENCY_0_3

    def summaries(self, task: TaskData) -> list[Summary]:
        total = self.total(task)
        return [
            Summary("total", total, "Total score", 21),
            Summary(
                "severity",
                band(total, BANDS, "None"),
                "Severity: ≥15 severe, ≥10 moderate, ≥5 mild",
            ),
        ]


TASKS = (Gad7(),)
