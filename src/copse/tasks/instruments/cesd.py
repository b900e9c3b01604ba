"""CES-D and CESD-R (Center for Epidemiologic Studies Depression Scales).

Sources of the rules:

* CES-D: Radloff (1977) Appl Psychol Meas 1:385. Twenty items on the past
  week, each 0 "rarely or none of the time (< 1 day)" … 3 "most or all of
  the time (5–7 days)"; items 4, 8, 12 and 16 are worded positively and
  reverse-scored (3 − answer). Total 0–60; 16 or more indicates risk of
  clinical depression.
* CESD-R: Eaton, Muntaner, Smith, Tien & Ybarra (2004), in Maruish (ed.)
  *The Use of Psychological Testing for Treatment Planning and Outcomes
  Assessment*, 3rd ed., pp. 363–377. Twenty items, answered 0 "not at all or
  less than 1 day", 1 "1–2 days", 2 "3–4 days", 3 "5–7 days", 4 "nearly
  every day for 2 weeks"; the last two both score 3. No reverse items. Total
  0–60; 16 or more indicates risk of clinical depression. Items 14 and 15
  ask about wishing to be dead and wanting to hurt oneself: any answer above
  0 raises a risk flag.

Reference compatibility: the reference's only score column is the boolean
``depression_risk``; ``total`` is our own addition. The reference accepts
answers 0–4 for the CES-D too (its valid examples contain 4s and count as
complete); we accept them for completeness and score a 4 like a 3 (the top
published answer), reversed items as 3 − min(answer, 3), so totals stay
within the published 0–60.
"""

from __future__ import annotations

from typing import ClassVar

from copse.tasks.base import Cutoff, RiskFlag, Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale, numbered
from copse.tasks.values import qfields

RISK_THRESHOLD = 16
RISK_CUTOFFS = (Cutoff(RISK_THRESHOLD, "At risk of depression"),)


class _CesdBase(ItemScale):
    items = qfields("q", 1, 20)
    permitted = (0, 1, 2, 3, 4)
    reversed_items: ClassVar[frozenset[str]] = frozenset()
    trackers = (TrackerSpec("total", "Total score", 0, 60, RISK_CUTOFFS),)

    def item_score(self, task: TaskData, item: str) -> int:
        v = self.value(task, item)
        if v is None:
            return 0
        v = min(v, 3)
        return 3 - v if item in self.reversed_items else v

    def summaries(self, task: TaskData) -> list[Summary]:
        total = self.total(task)
        return [
            Summary("total", total, "Total score (our addition; ≥16 at risk)", 60),
            Summary(
                "depression_risk",
                total >= RISK_THRESHOLD,
                "At risk of clinical depression (total ≥16)",
                kind="bool",
            ),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        total = self.total(task)
        parts = [f"total {total}/60" + (", at risk of depression" if total >= 16 else "")]
        if not self.is_complete(task):
            parts.append("incomplete")
        parts.extend(f.message for f in self.risk_flags(task))
        return f"{self.shortname}: " + ", ".join(parts)


class Cesd(_CesdBase):
    tablename = "cesd"
    reversed_items = frozenset({"q4", "q8", "q12", "q16"})
    item_labels = numbered(
        (
            "Bothered by things that usually don't bother one",
            "Poor appetite",
            "Could not shake off the blues",
            "Felt as good as other people (reverse-scored)",
            "Trouble keeping one's mind on things",
            "Felt depressed",
            "Everything was an effort",
            "Hopeful about the future (reverse-scored)",
            "Thought one's life had been a failure",
            "Felt fearful",
            "Restless sleep",
            "Was happy (reverse-scored)",
            "Talked less than usual",
            "Felt lonely",
            "People were unfriendly",
            "Enjoyed life (reverse-scored)",
            "Had crying spells",
            "Felt sad",
            "Felt that people disliked one",
            "Could not get going",
        )
    )
    option_labels = {
        0: "rarely or none of the time (less than 1 day)",
        1: "some or a little of the time (1–2 days)",
        2: "occasionally or a moderate amount of the time (3–4 days)",
        3: "most or all of the time (5–7 days)",
        4: "(not a CES-D answer; scored as 3)",
    }


class Cesdr(_CesdBase):
    tablename = "cesdr"
    item_labels = numbered(
        (
            "Poor appetite",
            "Could not shake off the blues",
            "Trouble keeping one's mind on things",
            "Felt depressed",
            "Restless sleep",
            "Felt sad",
            "Could not get going",
            "Nothing made one happy",
            "Felt like a bad person",
            "Lost interest in usual activities",
            "Slept much more than usual",
            "Felt like moving too slowly",
            "Felt fidgety",
            "Wished to be dead",
            "Wanted to hurt oneself",
            "Tired all the time",
            "Did not like oneself",
            "Lost a lot of weight without trying",
            "Trouble getting to sleep",
            "Could not focus on important things",
        )
    )
    option_labels = {
        0: "not at all or less than 1 day",
        1: "1–2 days",
        2: "3–4 days",
        3: "5–7 days",
        4: "nearly every day for 2 weeks",
    }
    RISK_ITEMS: ClassVar[dict[str, str]] = {"q14": "wished to be dead", "q15": "wanted self-harm"}

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        # Death wishes and self-harm must be seen whatever the total.
        flags = []
        for item, what in self.RISK_ITEMS.items():
            v = self.value(task, item)
            if v is not None and v > 0:
                flags.append(RiskFlag(item, f"item {item[1:]} ({what}) = {self.option_labels[v]}"))
        return flags


TASKS = (Cesd(), Cesdr())
