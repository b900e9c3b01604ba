"""ESSPRI (EULAR Sjögren's Syndrome Patient Reported Index).

Source: Seror et al. (2011) Ann Rheum Dis 70:968. Three 0–10 numerical
scales (dryness, fatigue, limb pain) over the last two weeks; the ESSPRI is
their mean (0–10). The patient acceptable symptom state is an ESSPRI below 5
(Seror et al. 2016, RMD Open 2:e000188), so 5 is the tracker's cut-off. All
three scales are required; like the CamCOPS server, the score of an
incomplete task is the mean of the scales answered (None if none is).
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData
from copse.tasks.meta import Cutoff, TrackerSpec
from copse.tasks.scales import ItemScale
from copse.tasks.values import qfields

SCALE_0_10 = {0: "none", 10: "maximum imaginable"}


class Esspri(ItemScale):
    tablename = "esspri"
    items = qfields("q", 1, 3)
    permitted = tuple(range(11))
    item_labels = {
        "q1": "1. Dryness (0 none … 10 maximum imaginable)",
        "q2": "2. Fatigue (0 none … 10 maximum imaginable)",
        "q3": "3. Pain in arms or legs (0 none … 10 maximum imaginable)",
    }
    trackers = (
        TrackerSpec(
            "overall_score",
            "ESSPRI (mean of dryness, fatigue, pain)",
            0,
            10,
            (Cutoff(5, "Unsatisfactory symptom state"),),
        ),
    )

    def column_meaning(self, table: str, column: str) -> str | None:
        if table == self.tablename and column in self.items:
            return f"{self.question_label(column)}; integer 0–10"
        return super().column_meaning(table, column)

    def overall(self, task: TaskData) -> float | None:
        answered = [v for v in self.values(task) if v is not None]
        return sum(answered) / len(answered) if answered else None

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "overall_score",
                self.overall(task),
                "ESSPRI: mean of the three scales, 0–10 (<5 acceptable symptom state)",
                10,
                kind="float",
            )
        ]


TASKS = (Esspri(),)
