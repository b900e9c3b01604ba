"""EPDS (Edinburgh Postnatal Depression Scale).

Source: Cox, Holden & Sagovsky (1987) Br J Psychiatry 150:782. Ten items
scored 0–3, total /30. Items 3 and 5–10 are reverse-keyed on the form, whose
responses carry their scores; the tablet stores the score, so the total is a
plain sum. Cut-offs: ≥10 possible depression (the screening threshold used in
primary care), ≥13 probable depression (Cox et al.'s 12/13 threshold). Any
non-zero answer to item 10 (thoughts of self-harm) needs immediate attention
whatever the total (a risk flag). All ten items are required. Item labels
are our own paraphrases.

The CamCOPS server accepts 4 as an answer to any item (its permitted range
is 0–4) and adds it to the total. No EPDS response carries a score of 4, so
we keep the published 0–3 range: a 4 makes the task incomplete and is not
added (declared in ``reference_differences``).
"""

from __future__ import annotations

from copse.tasks.base import Cutoff, RiskFlag, Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale, numbered
from copse.tasks.values import qfields

_WHY_0_3 = (
    "the reference accepts 4 as an item answer and adds it; EPDS responses score 0–3 only "
    "(Cox et al. 1987), so a 4 is treated as invalid: the task is incomplete and the 4 is not "
    "added"
)


class Epds(ItemScale):
    tablename = "epds"
    items = qfields("q", 1, 10)
    permitted = (0, 1, 2, 3)
    item_labels = numbered(
        (
            "Able to laugh and see the funny side of things",
            "Looked forward with enjoyment to things",
            "Blamed oneself unnecessarily when things went wrong",
            "Anxious or worried for no good reason",
            "Scared or panicky for no very good reason",
            "Things have been getting on top of me",
            "So unhappy that sleeping has been difficult",
            "Felt sad or miserable",
            "So unhappy that I have been crying",
            "Thoughts of harming myself",
        )
    )
    option_labels = {0: "score 0", 1: "score 1", 2: "score 2", 3: "score 3"}
    trackers = (
        TrackerSpec(
            "total",
            "EPDS total score",
            0,
            30,
            (Cutoff(10, "Possible depression"), Cutoff(13, "Probable depression")),
        ),
    )
    reference_differences = {
        "is_complete": _WHY_0_3,
        "total": _WHY_0_3,
    }

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        q10 = self.value(task, "q10")
        if q10 is not None and q10 > 0:
            return [RiskFlag("q10", f"item 10 (thoughts of self-harm) = {q10}")]
        return []

    def summaries(self, task: TaskData) -> list[Summary]:
        total = self.total(task)
        q10 = self.value(task, "q10")
        return [
            Summary("total", total, "Total score", 30),
            Summary("possible_depression", total >= 10, "Possible depression (total ≥10)"),
            Summary("probable_depression", total >= 13, "Probable depression (total ≥13)"),
            Summary(
                "self_harm_thoughts",
                bool(q10),
                "Item 10 (self-harm thoughts) non-zero: review urgently",
            ),
        ]


TASKS = (Epds(),)
