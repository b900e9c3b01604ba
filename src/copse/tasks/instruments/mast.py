"""MAST: Michigan Alcoholism Screening Test.

Source: Selzer (1971) Am J Psychiatry 127:1653. Twenty-four yes/no questions
(stored as the letters Y/N), each weighted 1, 2 or 5 points for the answer
that indicates an alcohol problem: "no" for items 1, 4, 6 and 7 (which ask
about normal, controlled drinking) and "yes" for all others. Weights: 5 for
items 8, 19 and 20; 1 for items 3, 5, 9 and 16; 2 for the rest; maximum 53.
Thresholds: Ross, Gavin & Skinner (1990) J Stud Alcohol 51:506 found a total
of 13 or more best identified alcohol dependence (the reference's
``exceeds_threshold``); Selzer's own bands were ≤4 non-alcoholic, 5–6
suggestive, ≥7 alcoholism, drawn on the tracker as well.

All 24 answers are required. Labels are our own short paraphrases.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Cutoff, Summary, TaskData, TaskDefinition, TrackerSpec
from copse.tasks.values import qfields, yes_no

ITEMS = qfields("q", 1, 24)
NO_SCORES = frozenset({"q1", "q4", "q6", "q7"})
WEIGHTS = (
    {q: 2 for q in ITEMS}
    | {"q8": 5, "q19": 5, "q20": 5}
    | dict.fromkeys(("q3", "q5", "q9", "q16"), 1)
)
ROSS_THRESHOLD = 13
TOPICS = (
    "Feels to be a normal drinker",
    "Woken unable to remember part of the evening before",
    "A relative worries or complains about the drinking",
    "Can stop after one or two drinks without a struggle",
    "Feels guilty about drinking",
    "Friends or relatives think it is normal drinking",
    "Able to stop drinking when wanting to",
    "Has attended Alcoholics Anonymous",
    "Physical fights when drinking",
    "Drinking has caused problems with partner or family",
    "Partner or family has sought help about the drinking",
    "Lost friends because of drinking",
    "Trouble at work or study because of drinking",
    "Lost a job because of drinking",
    "Neglected obligations for two or more days because of drinking",
    "Drinks before noon fairly often",
    "Told of liver trouble or cirrhosis",
    "Delirium tremens, severe shaking or hallucinations after heavy drinking",
    "Gone to anyone for help about drinking",
    "In hospital because of drinking",
    "Psychiatric in-patient where drinking was part of the problem",
    "Seen for an emotional problem in which drinking played a part",
    "Arrested for drink-driving",
    "Arrested or detained for other drunken behaviour",
)
YN = {"Y": "yes", "N": "no"}


def _meaning(n: int, item: str) -> str:
    scoring = "no" if item in NO_SCORES else "yes"
    return f"{n}. {TOPICS[n - 1]} (Y/N; '{scoring}' scores {WEIGHTS[item]})"


class Mast(TaskDefinition):
    tablename = "mast"
    column_meanings = {item: _meaning(n, item) for n, item in enumerate(ITEMS, start=1)}
    trackers = (
        TrackerSpec(
            "total",
            "MAST total score",
            0,
            53,
            (
                Cutoff(5, "Suggestive (Selzer)"),
                Cutoff(7, "Alcoholism (Selzer)"),
                Cutoff(ROSS_THRESHOLD, "Dependence (Ross)"),
            ),
        ),
    )

    def points(self, task: TaskData, item: str) -> int:
        answer = yes_no(task.get(item))
        if answer is None:
            return 0
        scoring = "N" if item in NO_SCORES else "Y"
        return WEIGHTS[item] if answer == scoring else 0

    def is_complete(self, task: TaskData) -> bool | None:
        return all(yes_no(task.get(q)) is not None for q in ITEMS)

    def summaries(self, task: TaskData) -> list[Summary]:
        total = sum(self.points(task, q) for q in ITEMS)
        return [
            Summary("total", total, "Total score (weighted 'problem' answers)", 53),
            Summary(
                "exceeds_threshold",
                total >= ROSS_THRESHOLD,
                f"Total at or above {ROSS_THRESHOLD}, the Ross et al. (1990) threshold",
                kind="bool",
            ),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        total = sum(self.points(task, q) for q in ITEMS)
        verdict = "at or above" if total >= ROSS_THRESHOLD else "below"
        line = f"{self.shortname}: total {total}/53, {verdict} the Ross threshold of 13"
        return line if self.is_complete(task) else f"{line}, incomplete"

    def body_html(self, task: TaskData) -> Markup:
        rows = [
            (f"{n}. {TOPICS[n - 1]}", h.answer(task.get(q), YN), self.points(task, q))
            for n, q in enumerate(ITEMS, start=1)
        ]
        return h.section(
            "Questions and answers",
            h.table(rows, header=("Question", "Answer", "Points"), css_class="copse-answers"),
        )


TASKS = (Mast(),)
