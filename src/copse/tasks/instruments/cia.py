"""CIA (Clinical Impairment Assessment questionnaire, version 3.0).

Source: Bohn, Doll, Cooper, O'Connor, Palmer & Fairburn (2008) Behav Res Ther
46:1105. Sixteen items on the impact of eating disorder features over the
past 28 days, rated 0 "not at all", 1 "a little", 2 "quite a bit", 3 "a
lot". The global impairment score is the sum (0–48); when at least 12 items
are rated it is prorated (mean of the rated items × 16), and with fewer it
is not calculated. A global score of 16 is the published cut-point for
eating-disorder case status.

The reference computes no summaries and counts the task complete only when
all sixteen items are answered; we keep that completeness rule. The
``global_score`` summary is our own addition (not in CamCOPS downloads).
Item wording via extra strings only (© the authors).
"""

from __future__ import annotations

from copse.tasks.base import Cutoff, Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale
from copse.tasks.values import qfields

MIN_RATED = 12
CASE_CUTOFF = 16


class Cia(ItemScale):
    tablename = "cia"
    items = qfields("q", 1, 16)
    permitted = (0, 1, 2, 3)
    item_labels = {f"q{n}": f"{n}. Item {n}" for n in range(1, 17)}
    option_labels = {0: "not at all", 1: "a little", 2: "quite a bit", 3: "a lot"}
    trackers = (
        TrackerSpec(
            "global_score", "CIA global impairment", 0, 48, (Cutoff(CASE_CUTOFF, "Case cut-point"),)
        ),
    )

    def global_score(self, task: TaskData) -> float | None:
        rated = [v for v in self.values(task) if v is not None]
        if len(rated) < MIN_RATED:
            return None
        return sum(rated) * len(self.items) / len(rated)

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "global_score",
                self.global_score(task),
                "Global impairment score (prorated if 12–15 items rated; not in CamCOPS)",
                48,
                kind="float",
            )
        ]


TASKS = (Cia(),)
