"""WEMWBS and SWEMWBS (Warwick–Edinburgh Mental Well-Being Scales).

Sources: Tennant et al. (2007) Health Qual Life Outcomes 5:63 (WEMWBS);
Stewart-Brown et al. (2009) Health Qual Life Outcomes 7:15 (SWEMWBS) and the
published SWEMWBS raw-to-metric conversion table (Rasch-based). Items are
rated 1 ("none of the time") to 5 ("all of the time"); all are positively
worded, so nothing is reversed. WEMWBS: 14 items, total 14–70. SWEMWBS: 7
items, raw total 7–35, converted to a metric score (7.00–35.00) via the
table below, which is defined only for a complete set of answers. Neither
scale has official clinical bands. All items are required. The item wording
is copyrighted, so views show item numbers only.
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData
from copse.tasks.meta import TrackerSpec
from copse.tasks.scales import ItemScale
from copse.tasks.values import qfields

OPTIONS = {
    1: "none of the time",
    2: "rarely",
    3: "some of the time",
    4: "often",
    5: "all of the time",
}

#: SWEMWBS raw total → metric score (Stewart-Brown et al. 2009 conversion table).
SWEMWBS_METRIC: dict[int, float] = {
    7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75,
    14: 15.32, 15: 15.84, 16: 16.36, 17: 16.88, 18: 17.43, 19: 17.98,
    20: 18.59, 21: 19.25, 22: 19.98, 23: 20.73, 24: 21.54, 25: 22.35,
    26: 23.21, 27: 24.11, 28: 25.03, 29: 26.02, 30: 27.03, 31: 28.13,
    32: 29.31, 33: 30.70, 34: 32.55, 35: 35.00,
}  # fmt: skip


class Wemwbs(ItemScale):
    tablename = "wemwbs"
    trackers = (TrackerSpec("total", "WEMWBS total (higher = better well-being)", 14, 70),)
    items = qfields("q", 1, 14)
    permitted = (1, 2, 3, 4, 5)
    item_labels = {q: f"{q[1:]}. Statement {q[1:]}" for q in qfields("q", 1, 14)}
    option_labels = OPTIONS

    def summaries(self, task: TaskData) -> list[Summary]:
        return [Summary("total", self.total(task), "Total well-being score (range 14–70)", 70)]


class Swemwbs(ItemScale):
    tablename = "swemwbs"
    trackers = (TrackerSpec("metric_score", "SWEMWBS metric score (higher = better)", 7, 35),)
    items = qfields("q", 1, 7)
    permitted = (1, 2, 3, 4, 5)
    item_labels = {q: f"{q[1:]}. Statement {q[1:]}" for q in qfields("q", 1, 7)}
    option_labels = OPTIONS

    def summaries(self, task: TaskData) -> list[Summary]:
        raw = self.total(task)
        metric = SWEMWBS_METRIC.get(raw) if self.is_complete(task) else None
        return [
            Summary("total", raw, "Raw total (range 7–35)", 35),
            Summary(
                "metric_score",
                metric,
                "Metric score from the published conversion table (complete answers only)",
                35,
                kind="float",
            ),
        ]


TASKS = (Wemwbs(), Swemwbs())
