"""DAST (Drug Abuse Screening Test, 28-item version).

Source: Skinner HA (1982) Addict Behav 7:363 ("The Drug Abuse Screening
Test"). Twenty-eight yes/no questions about drug use (other than alcohol) in
the past year, stored as the letters Y/N. Each answer in the "abuse"
direction scores 1: "yes" for every item except items 4, 5 and 7, which are
worded the other way round and score 1 for "no". Total /28. Skinner's
screening cut-off is a total of 6 or more (probable drug abuse); all 28
answers are required for completeness.

The item wording is copyrighted (Centre for Addiction and Mental Health), so
views show the server's extra strings when installed and item numbers
otherwise.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition
from copse.tasks.meta import Cutoff, TrackerSpec
from copse.tasks.values import qfields, yes_no

ITEMS = qfields("q", 1, 28)
#: Items worded so that "no" is the answer in the abuse direction.
SCORE_IF_NO = frozenset({"q4", "q5", "q7"})
YN = {"Y": "yes", "N": "no"}
CUTOFF = 6


def item_meaning(item: str) -> str:
    direction = "no" if item in SCORE_IF_NO else "yes"
    return f"DAST item {item[1:]} (Y/N; '{direction}' scores 1)"


class Dast(TaskDefinition):
    tablename = "dast"
    trackers = (
        TrackerSpec("total", "DAST total score", 0, 28, (Cutoff(CUTOFF, "Probable drug abuse"),)),
    )
    column_meanings = {q: item_meaning(q) for q in ITEMS}

    def is_complete(self, task: TaskData) -> bool:
        return all(yes_no(task.get(q)) is not None for q in ITEMS)

    def total(self, task: TaskData) -> int:
        scoring = {q: ("N" if q in SCORE_IF_NO else "Y") for q in ITEMS}
        return sum(1 for q in ITEMS if yes_no(task.get(q)) == scoring[q])

    def summaries(self, task: TaskData) -> list[Summary]:
        total = self.total(task)
        return [
            Summary("total", total, "Total score (answers in the drug-abuse direction)", 28),
            Summary(
                "probable_abuse",
                total >= CUTOFF,
                "At or above Skinner's screening cut-off (total ≥6)",
            ),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        total = self.total(task)
        line = f"{self.shortname}: total {total}/28"
        if total >= CUTOFF:
            line += ", probable drug abuse (≥6)"
        return line + ("" if self.is_complete(task) else ", incomplete")

    def body_html(self, task: TaskData) -> Markup:
        rows = [
            (
                task.xstring(q, f"{q[1:]}. Item {q[1:]}")
                + (" (scores 1 if 'no')" if q in SCORE_IF_NO else ""),
                h.answer(task.get(q), YN),
            )
            for q in ITEMS
        ]
        return h.section(
            "Questions and answers",
            h.table(rows, header=("Question", "Answer"), css_class="copse-answers"),
        )


TASKS = (Dast(),)
