"""EQ-5D-5L (EuroQol five dimensions, five levels).

Source: Herdman et al. (2011) Qual Life Res 20:1727, and the EuroQol EQ-5D-5L
user guide. Five dimensions each rated 1 (no problems) to 5 (extreme
problems / unable), plus the EQ visual analogue scale (VAS, 0–100). The
health state is the five levels written as a five-digit profile, e.g.
"11213", with 9 standing for a missing answer as the user guide prescribes; a
missing VAS is reported as 999, the guide's missing code for the VAS.
Index values need a country-specific value set and are not computed. All
five dimensions and the VAS are required.
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData
from copse.tasks.html import HtmlCell
from copse.tasks.scales import ItemScale
from copse.tasks.values import int_in_range, qfields

DIMENSIONS = qfields("q", 1, 5)
#: The user guide's code for a missing VAS, as 9 is for a missing dimension.
MISSING_VAS = 999


class Eq5d5l(ItemScale):
    tablename = "eq5d5l"
    items = DIMENSIONS
    permitted = (1, 2, 3, 4, 5)
    item_labels = {
        "q1": "Mobility",
        "q2": "Self-care",
        "q3": "Usual activities",
        "q4": "Pain / discomfort",
        "q5": "Anxiety / depression",
    }
    option_labels = {
        1: "no problems",
        2: "slight problems",
        3: "moderate problems",
        4: "severe problems",
        5: "extreme problems / unable",
    }

    def vas(self, task: TaskData) -> int | None:
        return int_in_range(task.get("health_vas"), 0, 100)

    def is_complete(self, task: TaskData) -> bool | None:
        return bool(super().is_complete(task)) and self.vas(task) is not None

    def health_state(self, task: TaskData) -> str:
        return "".join(str(v) if v is not None else "9" for v in self.values(task))

    def question_rows(self, task: TaskData) -> list[tuple[str, HtmlCell]]:
        return [*super().question_rows(task), ("Health today (VAS, 0–100)", task.get("health_vas"))]

    def summaries(self, task: TaskData) -> list[Summary]:
        vas = self.vas(task)
        return [
            Summary(
                "health_state",
                self.health_state(task),
                "Five-digit health state profile (9 = missing)",
            ),
            Summary(
                "visual_task_score",
                MISSING_VAS if vas is None else vas,
                "Visual analogue scale (health today): 0 worst, 100 best imaginable health; "
                "999 = missing",
                kind="int",
            ),
        ]


TASKS = (Eq5d5l(),)
