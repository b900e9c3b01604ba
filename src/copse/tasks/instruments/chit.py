"""CHI-T (Cambridge–Chicago Compulsivity Trait Scale).

Sources: Chamberlain & Grant (2018), "Initial validation of a transdiagnostic
compulsivity questionnaire: the Cambridge–Chicago Compulsivity Trait Scale",
CNS Spectr 23; Albertella et al. (2020), further validation. Fifteen
statements rated from 0 "strongly disagree" to 4 "strongly agree" as the
tablet records them (the reference accepts 0–4); the total adds the fifteen
ratings (0–60), higher meaning more compulsive traits. There are no published
clinical cut-offs. Completeness: all fifteen rated 0–4. Statement wording via
extra strings only.
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale
from copse.tasks.values import qfields


class Chit(ItemScale):
    tablename = "chit"
    items = qfields("q", 1, 15)
    permitted = (0, 1, 2, 3, 4)
    item_labels = {f"q{n}": f"{n}. Statement {n}" for n in range(1, 16)}
    # Only the end points are named here: the tablet records 0–4 (as the
    # reference's examples show) and the wording of the points between is the
    # authors'.
    option_labels = {0: "strongly disagree", 1: "1", 2: "2", 3: "3", 4: "strongly agree"}
    trackers = (TrackerSpec("total", "CHI-T total", 0, 60),)

    def summaries(self, task: TaskData) -> list[Summary]:
        return [Summary("total", self.total(task), "Total score (higher = more compulsive)", 60)]


TASKS = (Chit(),)
