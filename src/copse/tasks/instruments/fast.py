"""FAST (Fast Alcohol Screening Test).

Source: Hodgson, Alwyn, John, Thom & Smith (2002) Alcohol Alcohol 37:61.
Four items: Q1 how often the person drinks 8 (men) or 6 (women) or more
units on one occasion, Q2 how often unable to remember the night before, Q3
how often failed to do what was expected, each 0 (never) to 4 (daily or
almost daily); Q4 whether someone has been concerned about the drinking:
0 no, 2 yes but not in the last year, 4 yes during the last year. Total /16.

Published two-stage rule: Q1 "never" → not hazardous; Q1 "weekly" or
"daily" → hazardous; otherwise hazardous when the total of all four is ≥3.
With Q1 unanswered the total rule applies. All four items are required.

The CamCOPS server accepts any code 0–4 for Q4 and adds it to the total;
the published item offers only 0, 2 and 4, so a 1 or 3 there is invalid
here (task incomplete, not added), declared in ``reference_differences``.
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData
from copse.tasks.meta import Cutoff, TrackerSpec
from copse.tasks.scales import ItemScale
from copse.tasks.values import qfields

HOW_OFTEN = {
    0: "never",
    1: "less than monthly",
    2: "monthly",
    3: "weekly",
    4: "daily or almost daily",
}
CONCERN = {0: "no", 2: "yes, but not in the last year", 4: "yes, during the last year"}
_WHY_Q4 = (
    "the reference accepts 1 and 3 as answers to Q4 and adds them; the published item is "
    "scored 0, 2 or 4 only, so 1 or 3 is treated as invalid (task incomplete, not added)"
)


class Fast(ItemScale):
    tablename = "fast"
    items = qfields("q", 1, 4)
    permitted = (0, 1, 2, 3, 4)
    permitted_by_item = {"q4": (0, 2, 4)}
    item_labels = {
        "q1": "1. How often 8 (men) / 6 (women) or more units on one occasion",
        "q2": "2. How often unable to remember the night before because of drinking",
        "q3": "3. How often failed to do what was expected because of drinking",
        "q4": "4. Has someone been concerned about the drinking or suggested cutting down",
    }
    option_labels = HOW_OFTEN
    option_labels_by_item = {"q4": CONCERN}
    trackers = (TrackerSpec("total", "FAST total score", 0, 16, (Cutoff(3, "Positive"),)),)
    reference_differences = {"is_complete": _WHY_Q4, "total": _WHY_Q4}

    def positive(self, task: TaskData) -> bool:
        q1 = self.value(task, "q1")
        if q1 == 0:
            return False
        if q1 is not None and q1 >= 3:
            return True
        return self.total(task) >= 3

    def clinical_summary(self, task: TaskData) -> str:
        result = "positive" if self.positive(task) else "negative"
        line = f"{self.shortname}: total {self.total(task)}/16, {result}"
        return line + ("" if self.is_complete(task) else ", incomplete")

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary("total", self.total(task), "Total score", 16),
            Summary(
                "positive",
                self.positive(task),
                "Positive for hazardous drinking (Q1 weekly or more; or, unless Q1 is "
                "'never', total ≥3)",
            ),
        ]


TASKS = (Fast(),)
