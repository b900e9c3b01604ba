"""SMAST (Short Michigan Alcoholism Screening Test).

Source: Selzer, Vinokur & van Rooijen (1975) J Stud Alcohol 36:117. Thirteen
yes/no questions stored as the letters Y/N. One point for each answer in the
problem direction: "no" to items 1, 4 and 5 (which ask whether the person
drinks normally or can stop), "yes" to the other ten; total /13.
Interpretation as published: 0–1 problem unlikely, 2 problem possible, ≥3
problem probable. The total counts the answers present (as the reference
does); all thirteen are required for completeness. Item labels are our own
short paraphrases.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Cutoff, Summary, TaskData, TaskDefinition, TrackerSpec
from copse.tasks.scales import band, numbered
from copse.tasks.values import qfields, yes_no

ITEMS = qfields("q", 1, 13)
SCORE_IF_NO = frozenset({"q1", "q4", "q5"})
BANDS = ((2, "problem possible"), (3, "problem probable"))
LABELS = numbered(
    (
        "Feels they are a normal drinker",
        "Spouse or family worry or complain about their drinking",
        "Feels bad or guilty about their drinking",
        "Friends or relatives think they are a normal drinker",
        "Able to stop drinking when they want to",
        "Has attended a meeting of Alcoholics Anonymous",
        "Drinking has caused problems with spouse or family",
        "Has got into trouble at work because of drinking",
        "Has neglected obligations, family or work for two or more days because of drinking",
        "Has gone to anyone for help about their drinking",
        "Has been in hospital because of drinking",
        "Has been arrested for drink-driving",
        "Has been arrested for other drunken behaviour",
    )
)
YN = {"Y": "yes", "N": "no"}


class Smast(TaskDefinition):
    tablename = "smast"
    column_meanings = {
        q: f"{LABELS[q]} (Y = yes, N = no; scores 1 if {'no' if q in SCORE_IF_NO else 'yes'})"
        for q in ITEMS
    }
    trackers = (
        TrackerSpec(
            "total",
            "SMAST total score",
            0,
            13,
            tuple(Cutoff(value, label) for value, label in BANDS),
        ),
    )

    def is_complete(self, task: TaskData) -> bool | None:
        return all(yes_no(task.get(q)) is not None for q in ITEMS)

    def total(self, task: TaskData) -> int:
        return sum(1 for q in ITEMS if yes_no(task.get(q)) == ("N" if q in SCORE_IF_NO else "Y"))

    def summaries(self, task: TaskData) -> list[Summary]:
        total = self.total(task)
        return [
            Summary("total", total, "Answers in the problem direction (/13)", 13),
            Summary(
                "likelihood",
                band(total, BANDS, "problem unlikely"),
                "Likelihood of an alcohol problem: ≥3 probable, 2 possible, 0–1 unlikely",
                kind="str",
            ),
        ]

    def body_html(self, task: TaskData) -> Markup:
        rows = [
            (LABELS[q], h.answer(task.get(q), YN), "no" if q in SCORE_IF_NO else "yes")
            for q in ITEMS
        ]
        return h.section(
            "Questions and answers", h.table(rows, header=("Question", "Answer", "Scores 1 if"))
        )


TASKS = (Smast(),)
