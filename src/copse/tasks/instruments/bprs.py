"""BPRS (Brief Psychiatric Rating Scale).

Source: Overall & Gorham (1962) Psychol Rep 10:799; the 18-item version
(Overall & Gorham 1988). Each item is rated 1 (not present) to 7 (extremely
severe), with 0 meaning "not assessed". The total sums items 1–18 (range
18–126 when all are assessed; an item not assessed contributes 0).

The tablet's table has twenty items. Items 19 and 20 are not part of the
18-item scale, so they are shown but not added to the total (their meaning is
not stated in the interface reference, so this is our assumption).
Completeness requires all twenty items rated 0–7.
"""

from __future__ import annotations

from typing import ClassVar

from copse.tasks.base import Summary, TaskData
from copse.tasks.meta import TrackerSpec
from copse.tasks.scales import ItemScale, numbered
from copse.tasks.values import qfields


class Bprs(ItemScale):
    tablename = "bprs"
    trackers = (TrackerSpec("total", "BPRS total (items 1–18)", 0, 126),)
    items = qfields("q", 1, 20)
    scored_items: ClassVar[tuple[str, ...]] = qfields("q", 1, 18)
    permitted = (0, 1, 2, 3, 4, 5, 6, 7)
    item_labels = numbered(
        (
            "Somatic concern",
            "Anxiety",
            "Emotional withdrawal",
            "Conceptual disorganisation",
            "Guilt feelings",
            "Tension",
            "Mannerisms and posturing",
            "Grandiosity",
            "Depressive mood",
            "Hostility",
            "Suspiciousness",
            "Hallucinatory behaviour",
            "Motor retardation",
            "Uncooperativeness",
            "Unusual thought content",
            "Blunted affect",
            "Excitement",
            "Disorientation",
            "Additional item 19 (not in the 18-item total)",
            "Additional item 20 (not in the 18-item total)",
        )
    )
    option_labels = {
        0: "not assessed",
        1: "not present",
        2: "very mild",
        3: "mild",
        4: "moderate",
        5: "moderately severe",
        6: "severe",
        7: "extremely severe",
    }

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "total",
                self.total(task, self.scored_items),
                "Total of items 1–18 (not assessed = 0)",
                126,
            )
        ]


TASKS = (Bprs(),)
