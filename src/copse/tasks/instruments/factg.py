"""FACT-G (Functional Assessment of Cancer Therapy — General), version 4.

Source: Cella et al. (1993) J Clin Oncol 11:570, and the FACIT scoring
guidelines for the FACT-G (version 4). Twenty-seven items rated 0 ("not at
all") to 4 ("very much") in four subscales:

* physical well-being (7 items, all reverse-scored: 4 − rating), /28;
* social/family well-being (7 items, scored as rated), /28; item 7 (sexual
  life) may be declined (``ignore_s_q7``), in which case it is not required;
* emotional well-being (6 items, reverse-scored except item 2), /24;
* functional well-being (7 items, scored as rated), /28.

Each subscale is pro-rated: sum × items in the subscale ÷ items answered
(0 when none is answered). FACIT recommends pro-rating only when more than
half the items are answered; the CamCOPS server pro-rates from any number
of answers and we follow it, so that downloads agree (the view's "complete"
flag shows when answers are missing). The total (/108) is the sum of the
four subscale scores; higher is better quality of life. Like the CamCOPS
server, an answered social item 7 is counted even when flagged as declined.

The item wording is copyrighted (FACIT.org), so views show the server's
extra strings when installed and neutral item labels otherwise.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition
from copse.tasks.meta import TrackerSpec
from copse.tasks.values import int_in, int_in_range, qfields

RATINGS = {0: "not at all", 1: "a little bit", 2: "somewhat", 3: "quite a bit", 4: "very much"}
#: summary name, title, items, reverse-scored items.
SUBSCALES: tuple[tuple[str, str, tuple[str, ...], frozenset[str]], ...] = (
    (
        "physical_wellbeing",
        "Physical well-being",
        qfields("p_q", 1, 7),
        frozenset(qfields("p_q", 1, 7)),
    ),
    ("social_family_wellbeing", "Social/family well-being", qfields("s_q", 1, 7), frozenset()),
    (
        "emotional_wellbeing",
        "Emotional well-being",
        qfields("e_q", 1, 6),
        frozenset({"e_q1", "e_q3", "e_q4", "e_q5", "e_q6"}),
    ),
    ("functional_wellbeing", "Functional well-being", qfields("f_q", 1, 7), frozenset()),
)
ALL_ITEMS = tuple(item for _, _, items, _ in SUBSCALES for item in items)
MAX_TOTAL = 4 * len(ALL_ITEMS)


def _item_meaning(item: str) -> str:
    title = next(t for _, t, items, _ in SUBSCALES if item in items)
    reversed_ = any(item in rev for _, _, _, rev in SUBSCALES)
    codes = "; ".join(f"{k} = {v}" for k, v in RATINGS.items())
    return f"{title} item {item.split('q')[-1]} ({codes}){'; reverse-scored' if reversed_ else ''}"


class FactG(TaskDefinition):
    tablename = "factg"
    trackers = (
        TrackerSpec("total_score", "FACT-G total (higher = better quality of life)", 0, 108),
    )
    column_meanings = {
        **{item: _item_meaning(item) for item in ALL_ITEMS},
        "ignore_s_q7": "The person preferred not to answer social/family item 7 (sexual life)",
    }

    def declined_s7(self, task: TaskData) -> bool:
        return int_in(task.get("ignore_s_q7"), (0, 1)) == 1

    def is_complete(self, task: TaskData) -> bool:
        for item in ALL_ITEMS:
            value = task.get(item)
            if value is None:
                if item == "s_q7" and self.declined_s7(task):
                    continue
                return False
            if int_in_range(value, 0, 4) is None:
                return False
        return True

    def subscale(self, task: TaskData, items: tuple[str, ...], reverse: frozenset[str]) -> float:
        scores = []
        for item in items:
            v = int_in_range(task.get(item), 0, 4)
            if v is not None:
                scores.append(4 - v if item in reverse else v)
        return sum(scores) * len(items) / len(scores) if scores else 0.0

    def summaries(self, task: TaskData) -> list[Summary]:
        out = []
        total = 0.0
        for name, title, items, reverse in SUBSCALES:
            score = self.subscale(task, items, reverse)
            total += score
            out.append(
                Summary(
                    name,
                    score,
                    f"{title} (pro-rated over the items answered)",
                    4 * len(items),
                    kind="float",
                )
            )
        out.append(
            Summary(
                "total_score",
                total,
                "FACT-G total: sum of the four subscales (higher = better)",
                MAX_TOTAL,
                kind="float",
            )
        )
        return out

    def body_html(self, task: TaskData) -> Markup:
        parts = []
        for _, title, items, reverse in SUBSCALES:
            rows: list[tuple[str, h.HtmlCell]] = [
                (
                    task.xstring(item, f"{title} item {item.split('q')[-1]}")
                    + (" (reverse-scored)" if item in reverse else ""),
                    h.answer(task.get(item), RATINGS),
                )
                for item in items
            ]
            if items[0] == "s_q1":
                rows.append(
                    (
                        "Preferred not to answer item 7",
                        h.answer(task.get("ignore_s_q7"), {0: "no", 1: "yes"}),
                    )
                )
            parts.append(
                h.section(
                    title, h.table(rows, header=("Question", "Answer"), css_class="copse-answers")
                )
            )
        return Markup("").join(parts)


TASKS = (FactG(),)
