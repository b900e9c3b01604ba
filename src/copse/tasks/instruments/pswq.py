"""PSWQ (Penn State Worry Questionnaire).

Source: Meyer, Miller, Metzger & Borkovec (1990) Behav Res Ther 28:487.
Sixteen statements rated 1 ("not at all typical of me") to 5 ("very typical
of me"). Items 1, 3, 8, 10 and 11 are worded in the non-worry direction and
are reverse-scored (score = 6 − rating); the tablet stores the rating as
given, so the reversal happens here. Total 16–80. The instrument defines no
official severity bands, so none are reported. All sixteen items are
required.
"""

from __future__ import annotations

from typing import ClassVar

from copse.tasks.base import Summary, TaskData
from copse.tasks.meta import TrackerSpec
from copse.tasks.scales import ItemScale
from copse.tasks.values import qfields

REVERSED = frozenset({"q1", "q3", "q8", "q10", "q11"})


class Pswq(ItemScale):
    tablename = "pswq"
    trackers = (TrackerSpec("total_score", "PSWQ total worry score", 16, 80),)
    items = qfields("q", 1, 16)
    permitted = (1, 2, 3, 4, 5)
    REVERSED: ClassVar[frozenset[str]] = REVERSED
    item_labels = {
        q: f"{q[1:]}. Statement {q[1:]}" + (" (reverse-scored)" if q in REVERSED else "")
        for q in qfields("q", 1, 16)
    }
    option_labels = {
        1: "not at all typical of me",
        2: "rating 2",
        3: "rating 3",
        4: "rating 4",
        5: "very typical of me",
    }

    def item_score(self, task: TaskData, item: str) -> int:
        v = self.value(task, item)
        if v is None:
            return 0
        return 6 - v if item in self.REVERSED else v

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "total_score",
                self.total(task),
                "Total worry score (range 16–80; items 1, 3, 8, 10, 11 reversed)",
                80,
            )
        ]


TASKS = (Pswq(),)
