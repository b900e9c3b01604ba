"""Distress Thermometer with problem list.

Source: National Comprehensive Cancer Network (NCCN) distress management
guidelines (Roth et al. 1998 Cancer 82:1904 for the thermometer). Distress is
rated 0 (none) to 10 (extreme) over the past week; a rating ≥4 is the
NCCN threshold for clinically significant distress. The problem list asks
yes/no (1/0) about 36 problems; the free-text "other" field is optional.
Completeness: the rating and all 36 problem answers present.

The problem list's wording and grouping differ between guideline versions,
so views show item numbers rather than guessing at the wording.
"""

from __future__ import annotations

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData
from copse.tasks.meta import Cutoff, TrackerSpec
from copse.tasks.scales import ItemScale
from copse.tasks.values import int_in_range, qfields

PROBLEMS = qfields("q", 1, 36)


class DistressThermometer(ItemScale):
    tablename = "distressthermometer"
    trackers = (
        TrackerSpec("distress", "Distress rating", 0, 10, (Cutoff(4, "Clinically significant"),)),
    )
    items = ("distress", *PROBLEMS)
    permitted = (0, 1)
    permitted_by_item = {"distress": tuple(range(11))}
    item_labels = {
        "distress": "Distress over the past week (0 none … 10 extreme)",
        **{q: f"Problem list item {q[1:]}" for q in PROBLEMS},
    }
    option_labels = {0: "no", 1: "yes"}
    option_labels_by_item = {"distress": {n: str(n) for n in range(11)}}

    def summaries(self, task: TaskData) -> list[Summary]:
        distress = int_in_range(task.get("distress"), 0, 10)
        n_problems = self.total(task, PROBLEMS)
        return [
            Summary("distress", distress, "Distress rating", 10, kind="int"),
            Summary(
                "clinically_significant",
                None if distress is None else distress >= 4,
                "Clinically significant distress (rating ≥4)",
                kind="bool",
            ),
            Summary("n_problems", n_problems, "Number of problems ticked 'yes'", 36),
        ]

    def question_rows(self, task: TaskData) -> list[tuple[str, h.HtmlCell]]:
        return [*super().question_rows(task), ("Other problems", task.get("other"))]


TASKS = (DistressThermometer(),)
