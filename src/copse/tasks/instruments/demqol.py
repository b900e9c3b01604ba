"""DEMQOL and DEMQOL-Proxy (health-related quality of life in dementia).

Source: Smith et al. (2005) Health Technol Assess 9(10), and the DEMQOL
system user guide (Mulhern et al. 2013, Health Technol Assess 17(5)).

* DEMQOL: 28 items answered by the person with dementia, each coded 1 ("a
  lot") to 4 ("not at all"); -99 records "no answer / not applicable".
  Items 1, 3, 5, 6 and 10 are positively worded and reverse-scored
  (5 − code), so that higher always means better quality of life. Item 29
  (overall quality of life) is not part of the score.
* DEMQOL-Proxy: 31 items answered by a carer, scored the same way, with
  items 1, 4, 6, 8 and 11 reverse-scored; item 32 (overall quality of life)
  is not part of the score.

Total: the user guide's pro-rating — the sum of the scored answers × number
of items ÷ number answered — given only when at least half the items are
answered (else None). Ranges 28–112 and 31–124; higher is better. The
task is complete when every item, the overall rating included, has a
response (-99 counts as a response: it is the form's "no answer").

The item wording is copyrighted, so views show the server's extra strings
when installed and item numbers otherwise.
"""

from __future__ import annotations

import math
from typing import ClassVar

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData
from copse.tasks.meta import TrackerSpec
from copse.tasks.scales import ItemScale
from copse.tasks.values import qfields

NO_ANSWER = -99
ANSWERS = {1: "a lot", 2: "quite a bit", 3: "a little", 4: "not at all", NO_ANSWER: "no answer"}
OVERALL = {1: "rating 1", 2: "rating 2", 3: "rating 3", 4: "rating 4", NO_ANSWER: "no answer"}


class Demqol(ItemScale):
    tablename = "demqol"
    n_scored: ClassVar[int] = 28
    reversed_items: ClassVar[frozenset[str]] = frozenset({"q1", "q3", "q5", "q6", "q10"})
    permitted = (1, 2, 3, 4, NO_ANSWER)
    items = qfields("q", 1, 29)
    option_labels = ANSWERS
    option_labels_by_item = {"q29": OVERALL}
    trackers = (TrackerSpec("total", "DEMQOL total (higher = better)", 28, 112),)

    @property
    def scored_items(self) -> tuple[str, ...]:
        return qfields("q", 1, self.n_scored)

    @property
    def overall_item(self) -> str:
        return f"q{self.n_scored + 1}"

    def question_label(self, item: str) -> str:
        n = item[1:]
        if item == self.overall_item:
            return f"{n}. Overall quality of life"
        suffix = " (reverse-scored)" if item in self.reversed_items else ""
        return f"{n}. Item {n}{suffix}"

    def question_rows(self, task: TaskData) -> list[tuple[str, h.HtmlCell]]:
        rows = super().question_rows(task)
        return [
            (task.xstring(item, label), answer)
            for item, (label, answer) in zip(self.items, rows, strict=True)
        ]

    def total_score(self, task: TaskData) -> float | None:
        scores = []
        for item in self.scored_items:
            v = self.value(task, item)
            if v is None or v == NO_ANSWER:
                continue
            scores.append(5 - v if item in self.reversed_items else v)
        if len(scores) < math.ceil(self.n_scored / 2):
            return None
        return sum(scores) * self.n_scored / len(scores)

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "total",
                self.total_score(task),
                f"Total, pro-rated over the items answered ({self.n_scored}–{4 * self.n_scored}; "
                "higher = better; None if fewer than half answered)",
                4 * self.n_scored,
                kind="float",
            )
        ]


class DemqolProxy(Demqol):
    tablename = "demqolproxy"
    n_scored = 31
    reversed_items = frozenset({"q1", "q4", "q6", "q8", "q11"})
    items = qfields("q", 1, 32)
    option_labels_by_item = {"q32": OVERALL}
    trackers = (TrackerSpec("total", "DEMQOL-Proxy total (higher = better)", 31, 124),)


TASKS = (Demqol(), DemqolProxy())
