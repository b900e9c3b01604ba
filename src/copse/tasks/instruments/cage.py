"""CAGE questionnaire (alcohol).

Source: Ewing (1984) JAMA 252:1905. Four yes/no questions (Cut down,
Annoyed, Guilty, Eye-opener), stored as the letters Y/N; one point per "yes".
A total ≥2 is clinically significant. All four answers are required.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition
from copse.tasks.meta import Cutoff, TrackerSpec
from copse.tasks.values import qfields, yes_no

ITEMS = qfields("q", 1, 4)
LABELS = (
    "1. Felt you should cut down on your drinking?",
    "2. Annoyed by people criticising your drinking?",
    "3. Felt bad or guilty about your drinking?",
    "4. Needed a drink first thing in the morning (eye-opener)?",
)
YN = {"Y": "yes", "N": "no"}


class Cage(TaskDefinition):
    tablename = "cage"
    trackers = (TrackerSpec("total", "CAGE total", 0, 4, (Cutoff(2, "Clinically significant"),)),)

    def is_complete(self, task: TaskData) -> bool | None:
        return all(yes_no(task.get(q)) is not None for q in ITEMS)

    def summaries(self, task: TaskData) -> list[Summary]:
        total = sum(1 for q in ITEMS if yes_no(task.get(q)) == "Y")
        return [
            Summary("total", total, "Number of 'yes' answers", 4),
            Summary("clinically_significant", total >= 2, "Clinically significant (total ≥2)"),
        ]

    def body_html(self, task: TaskData) -> Markup:
        rows = [(label, h.answer(task.get(q), YN)) for q, label in zip(ITEMS, LABELS, strict=True)]
        return h.section("Questions and answers", h.table(rows, header=("Question", "Answer")))


TASKS = (Cage(),)
