"""CET: Compulsive Exercise Test.

Source: Taranis L, Touyz S, Meyer C (2011) "Disordered eating and exercise:
development and preliminary validation of the Compulsive Exercise Test
(CET)", Eur Eat Disord Rev 19:256–268. 24 items rated 0 ("never true") to
5 ("always true"). Five subscales, each the mean of its items (items 8 and
12 reverse-scored, 5 − answer):

1. avoidance and rule-driven behaviour: 9, 10, 11, 15, 16, 20, 22, 23;
2. weight control exercise: 2, 6, 8 (reversed), 13, 18;
3. mood improvement: 1, 4, 14, 17, 24;
4. lack of exercise enjoyment: 5, 12 (reversed), 21;
5. exercise rigidity: 3, 7, 19.

The total is the sum of the five subscale means (/25). A subscale with any
item unanswered is undefined (None); the total then adds the subscales that
are defined (as the reference computes it). Higher scores mean more
compulsive exercise; the authors publish no clinical cut-off, so the tracker
has none. Complete when all 24 items are answered within 0–5. Item wording is
copyright: labels come from extra strings; ours only number the items.
"""

from __future__ import annotations

from typing import ClassVar

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale
from copse.tasks.values import qfields

REVERSED = frozenset({"q8", "q12"})
MAX_ITEM = 5
SUBSCALES: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("subscale_1_avoidance_rule_based", "avoidance and rule-driven behaviour",
     (9, 10, 11, 15, 16, 20, 22, 23)),
    ("subscale_2_weight_control", "weight control exercise", (2, 6, 8, 13, 18)),
    ("subscale_3_mood_improvement", "mood improvement", (1, 4, 14, 17, 24)),
    ("subscale_4_lack_enjoyment", "lack of exercise enjoyment", (5, 12, 21)),
    ("subscale_5_rigidity", "exercise rigidity", (3, 7, 19)),
)  # fmt: skip


class Cet(ItemScale):
    tablename = "cet"
    items = qfields("q", 1, 24)
    permitted = (0, 1, 2, 3, 4, 5)
    item_labels: ClassVar[dict[str, str]] = {
        f"q{n}": f"{n}. Item {n}" + (" (reverse-scored)" if f"q{n}" in REVERSED else "")
        for n in range(1, 25)
    }
    option_labels = {
        0: "never true",
        1: "rarely true",
        2: "sometimes true",
        3: "often true",
        4: "usually true",
        5: "always true",
    }
    trackers = (TrackerSpec("total", "CET total (sum of subscale means)", 0, 25),)

    def question_rows(self, task: TaskData) -> list[tuple[str, h.HtmlCell]]:
        # The items' wording is copyright: the server's extra strings (q1..q24)
        # supply it when installed; otherwise the numbered neutral labels.
        return [
            (task.xstring(item, self.question_label(item)), cell)
            for item, (_, cell) in zip(self.items, super().question_rows(task), strict=True)
        ]

    def scored(self, task: TaskData, n: int) -> int | None:
        v = self.value(task, f"q{n}")
        if v is None:
            return None
        return MAX_ITEM - v if f"q{n}" in REVERSED else v

    def subscale(self, task: TaskData, numbers: tuple[int, ...]) -> float | None:
        scores = [self.scored(task, n) for n in numbers]
        if any(s is None for s in scores):
            return None
        return sum(s for s in scores if s is not None) / len(scores)

    def summaries(self, task: TaskData) -> list[Summary]:
        subs = [(name, about, self.subscale(task, nums), nums) for name, about, nums in SUBSCALES]
        total = float(sum(v for _, _, v, _ in subs if v is not None))
        out = [Summary("total", total, "Total score (sum of the subscale means)", 25, "float")]
        for name, about, value, nums in subs:
            items = ", ".join(f"{n}{'*' if f'q{n}' in REVERSED else ''}" for n in nums)
            out.append(
                Summary(
                    name,
                    value,
                    f"Subscale: {about} (mean of items {items}; * reverse-scored)",
                    MAX_ITEM,
                    "float",
                )
            )
        return out


TASKS = (Cet(),)
