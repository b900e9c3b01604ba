"""GAF (Global Assessment of Functioning), data collection only.

Source: American Psychiatric Association (1994) *DSM-IV*, Axis V. A single
clinician rating from 1 (persistent danger of severely hurting self or
others) to 100 (superior functioning), with 0 meaning inadequate
information. The scale's text is copyrighted, so the task only records the
number; the task is complete when a rating 0–100 is present. The rating is
shown in a tracker (no published cut-offs).
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData
from copse.tasks.meta import TrackerSpec
from copse.tasks.scales import ItemScale


class Gaf(ItemScale):
    tablename = "gaf"
    items = ("score",)
    permitted = tuple(range(101))
    item_labels = {"score": "GAF rating (1–100; 0 = inadequate information)"}
    trackers = (TrackerSpec("gaf_rating", "GAF rating", 0, 100),)

    def column_meaning(self, table: str, column: str) -> str | None:
        if table == self.tablename and column == "score":
            return "GAF rating, integer 1–100 (0 = inadequate information)"
        return super().column_meaning(table, column)

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "gaf_rating",
                self.value(task, "score"),
                "GAF rating 1–100 (0 = inadequate information); copy of the rating for trackers",
                100,
                kind="int",
            )
        ]


TASKS = (Gaf(),)
