"""ZBI-12 (Zarit Burden Interview, 12-item short version).

Source: Bédard et al. (2001) Gerontologist 41:652. Twelve items rated 0
("never") to 4 ("nearly always"), total /48. Published cut-offs for "high
burden" vary between studies, so only the total is reported. All twelve
items are required, and (as the interview is the carer's) the respondent's
name and relationship to the patient, as the CamCOPS server requires. The
item wording is copyrighted (Mapi Research Trust), so views show item
numbers only.
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData
from copse.tasks.meta import TrackerSpec
from copse.tasks.scales import ItemScale
from copse.tasks.values import is_nonempty_text, qfields


class Zbi12(ItemScale):
    tablename = "zbi12"
    trackers = (TrackerSpec("total_score", "ZBI-12 total burden", 0, 48),)
    items = qfields("q", 1, 12)
    permitted = (0, 1, 2, 3, 4)
    item_labels = {q: f"{q[1:]}. Item {q[1:]}" for q in qfields("q", 1, 12)}
    option_labels = {
        0: "never",
        1: "rarely",
        2: "sometimes",
        3: "quite frequently",
        4: "nearly always",
    }

    def is_complete(self, task: TaskData) -> bool | None:
        return bool(super().is_complete(task)) and all(
            is_nonempty_text(task.get(c)) for c in ("respondent_name", "respondent_relationship")
        )

    def summaries(self, task: TaskData) -> list[Summary]:
        return [Summary("total_score", self.total(task), "Total burden score", 48)]


TASKS = (Zbi12(),)
