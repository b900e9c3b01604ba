"""GDS-15 (Geriatric Depression Scale, short form).

Source: Sheikh & Yesavage (1986) Clin Gerontol 5:165. Fifteen yes/no
questions stored as Y/N. One point for each answer in the depressive
direction: "no" to items 1, 5, 7, 11 and 13 (positively worded), "yes" to
the other ten. Total /15. Bands as commonly published (e.g. American
Psychological Association's GDS summary): 0–4 normal, 5–8 mild, 9–11
moderate, 12–15 severe depression. All fifteen answers are required.
Item labels are our own paraphrases.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition
from copse.tasks.meta import Cutoff, TrackerSpec
from copse.tasks.scales import band, numbered
from copse.tasks.values import qfields, yes_no

ITEMS = qfields("q", 1, 15)
SCORE_IF_NO = frozenset({"q1", "q5", "q7", "q11", "q13"})
BANDS = ((5, "Mild"), (9, "Moderate"), (12, "Severe"))
LABELS = numbered(
    (
        "Basically satisfied with your life?",
        "Dropped many of your activities and interests?",
        "Feel that your life is empty?",
        "Often get bored?",
        "In good spirits most of the time?",
        "Afraid that something bad is going to happen to you?",
        "Feel happy most of the time?",
        "Often feel helpless?",
        "Prefer to stay at home rather than go out and do new things?",
        "Feel you have more problems with memory than most?",
        "Think it is wonderful to be alive now?",
        "Feel pretty worthless the way you are now?",
        "Feel full of energy?",
        "Feel that your situation is hopeless?",
        "Think that most people are better off than you are?",
    )
)
YN = {"Y": "yes", "N": "no"}


class Gds15(TaskDefinition):
    tablename = "gds15"
    trackers = (
        TrackerSpec(
            "total", "GDS-15 total score", 0, 15, tuple(Cutoff(v, label) for v, label in BANDS)
        ),
    )

    def is_complete(self, task: TaskData) -> bool | None:
        return all(yes_no(task.get(q)) is not None for q in ITEMS)

    def total(self, task: TaskData) -> int:
        scoring = {q: ("N" if q in SCORE_IF_NO else "Y") for q in ITEMS}
        return sum(1 for q in ITEMS if yes_no(task.get(q)) == scoring[q])

    def summaries(self, task: TaskData) -> list[Summary]:
        total = self.total(task)
        return [
            Summary("total", total, "Answers in the depressive direction", 15),
            Summary(
                "severity",
                band(total, BANDS, "Normal"),
                "0–4 normal, 5–8 mild, 9–11 moderate, 12–15 severe",
            ),
        ]

    def body_html(self, task: TaskData) -> Markup:
        rows = [
            (
                LABELS[q],
                h.answer(task.get(q), YN),
                "no" if q in SCORE_IF_NO else "yes",
            )
            for q in ITEMS
        ]
        return h.section(
            "Questions and answers",
            h.table(rows, header=("Question", "Answer", "Scores 1 if")),
        )


TASKS = (Gds15(),)
