"""Self-report questionnaires without reference scores: ISAAQ-10, ISAAQ-ED, PARADISE 24.

Sources of the rules:

* ISAAQ-10: Ioannidis et al. (2023) Compr Psychiatry 122:152366, refining
  the ISAAQ of Ioannidis et al. (2018). Part A, ten severity items scored
  0–5, summed to a severity score (0–50; higher = more problematic internet
  use); part B, ten online activities rated 0–5 for how much they are done
  (not summed). The reference computes no summaries; we add the part-A
  severity score, the published use of part A. No published cut-off.
* ISAAQ-ED: the ISAAQ eating-disorders appendix, items E11–E20 rated 0–5;
  an item list without a published score, so completeness only.
* PARADISE 24: Cieza et al. (2015) PLoS One 10:e0132410. Twenty-four
  psychosocial difficulties rated 0 (none), 1 (some), 2 (a lot); the raw sum
  (0–48) is what we add (the reference computes none; the published 0–100
  metric needs the authors' conversion table, which we do not reproduce).

All items are required. Item-level content of the ISAAQ may not be
reproduced, so every label here is neutral; wording comes from extra strings.
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData, TrackerSpec
from copse.tasks.values import qfields
from copse.tasks.wording import ExtraStringItemScale

ZERO_TO_FIVE = {0: "0 (lowest)", 1: "1", 2: "2", 3: "3", 4: "4", 5: "5 (highest)"}
PART_A = qfields("a", 1, 10)
PART_B = qfields("b", 1, 10)


class Isaaq10(ExtraStringItemScale):
    tablename = "isaaq10"
    items = (*PART_A, *PART_B)
    permitted = (0, 1, 2, 3, 4, 5)
    option_labels = ZERO_TO_FIVE
    item_labels = {
        **{a: f"A{a[1:]}. Part A severity item {a[1:]}" for a in PART_A},
        **{b: f"B{b[1:]}. Part B online activity {b[1:]}" for b in PART_B},
    }
    trackers = (TrackerSpec("severity_score", "ISAAQ-10 severity (part A)", 0, 50),)

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "severity_score",
                self.total(task, PART_A),
                "Severity of problematic internet use: sum of part A (0–50)",
                50,
            )
        ]


class Isaaqed(ExtraStringItemScale):
    tablename = "isaaqed"
    items = qfields("e", 11, 20)
    permitted = (0, 1, 2, 3, 4, 5)
    option_labels = ZERO_TO_FIVE
    item_labels = {e: f"E{e[1:]}. Eating-disorders appendix item {e[1:]}" for e in items}


class Paradise24(ExtraStringItemScale):
    tablename = "paradise24"
    items = qfields("q", 1, 24)
    permitted = (0, 1, 2)
    option_labels = {0: "no difficulties", 1: "some difficulties", 2: "a lot of difficulties"}
    item_labels = {q: f"{q[1:]}. Item {q[1:]}" for q in items}
    trackers = (TrackerSpec("total", "PARADISE 24 raw total (higher = more difficulty)", 0, 48),)

    def summaries(self, task: TaskData) -> list[Summary]:
        return [Summary("total", self.total(task), "Raw total of the 24 items (0–48)", 48)]


TASKS = (Isaaq10(), Isaaqed(), Paradise24())
