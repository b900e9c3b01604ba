"""PCL-5 (PTSD Checklist for DSM-5).

Source: Weathers et al. (2013), National Center for PTSD; scoring guidance
from the same (public-domain) instrument documentation. Twenty items scored
0–4, total /80. A *provisional* DSM-5 PTSD diagnosis uses the symptom-cluster
method: an item counts as endorsed at ≥2 ("moderately" or more), and the
rule needs ≥1 item from cluster B (items 1–5), ≥1 from C (6–7), ≥2 from D
(8–14) and ≥2 from E (15–20). Cluster severity scores are the sums of their
items. All twenty items are required. Item labels are our own paraphrases.
"""

from __future__ import annotations

from typing import ClassVar

from copse.tasks.base import Summary, TaskData
from copse.tasks.meta import Cutoff, TrackerSpec
from copse.tasks.scales import ItemScale, count_where, numbered
from copse.tasks.values import qfields

CLUSTERS: dict[str, tuple[tuple[str, ...], int, str]] = {
    # name: (items, endorsed items needed, meaning)
    "B": (qfields("q", 1, 5), 1, "intrusion"),
    "C": (qfields("q", 6, 7), 1, "avoidance"),
    "D": (qfields("q", 8, 14), 2, "negative alterations in cognition and mood"),
    "E": (qfields("q", 15, 20), 2, "alterations in arousal and reactivity"),
}


class Pcl5(ItemScale):
    tablename = "pcl5"
    trackers = (
        TrackerSpec("total", "PCL-5 total severity", 0, 80, (Cutoff(33, "Probable PTSD"),)),
    )
    items = qfields("q", 1, 20)
    permitted = (0, 1, 2, 3, 4)
    ENDORSED_AT: ClassVar[int] = 2
    item_labels = numbered(
        (
            "Repeated, disturbing memories of the stressful experience",
            "Repeated, disturbing dreams of it",
            "Suddenly feeling or acting as if it were happening again",
            "Feeling very upset when reminded of it",
            "Strong physical reactions when reminded of it",
            "Avoiding memories, thoughts or feelings about it",
            "Avoiding external reminders of it",
            "Trouble remembering important parts of it",
            "Strong negative beliefs about oneself, others or the world",
            "Blaming oneself or someone else for it",
            "Strong negative feelings (fear, horror, anger, guilt, shame)",
            "Loss of interest in activities once enjoyed",
            "Feeling distant or cut off from other people",
            "Trouble experiencing positive feelings",
            "Irritable behaviour, angry outbursts or acting aggressively",
            "Taking too many risks or doing harmful things",
            "Being super-alert, watchful or on guard",
            "Feeling jumpy or easily startled",
            "Difficulty concentrating",
            "Trouble falling or staying asleep",
        )
    )
    option_labels = {
        0: "not at all",
        1: "a little bit",
        2: "moderately",
        3: "quite a bit",
        4: "extremely",
    }

    def summaries(self, task: TaskData) -> list[Summary]:
        endorsed = lambda v: v >= self.ENDORSED_AT  # noqa: E731
        out = [
            Summary("total", self.total(task), "Total symptom severity", 80),
            Summary(
                "num_symptomatic",
                count_where(self.values(task), endorsed),
                "Number of items endorsed (rated ≥2, moderately or more)",
                20,
            ),
        ]
        meets_all = True
        for name, (items, needed, meaning) in CLUSTERS.items():
            n = count_where(self.values(task, items), endorsed)
            out.append(
                Summary(
                    f"num_symptomatic_{name}",
                    n,
                    f"Cluster {name} ({meaning}): items endorsed (≥2)",
                    len(items),
                )
            )
            meets_all = meets_all and n >= needed
        out.append(
            Summary(
                "ptsd",
                meets_all,
                "Provisional DSM-5 PTSD (items ≥2: ≥1 of B, ≥1 of C, ≥2 of D, ≥2 of E)",
            )
        )
        for name, (items, _needed, meaning) in CLUSTERS.items():
            out.append(
                Summary(
                    f"cluster_{name}",
                    self.total(task, items),
                    f"Cluster {name} ({meaning}) severity (sum of its items)",
                    4 * len(items),
                )
            )
        return out


TASKS = (Pcl5(),)
