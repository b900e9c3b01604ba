"""BADLS (Bristol Activities of Daily Living Scale).

Source: Bucks, Ashworth, Wilcock & Siegfried (1996) Age Ageing 25:113.
Twenty activities rated by a carer with letters: a (independent) = 0,
b = 1, c = 2, d (fully dependent) = 3, e (not applicable) = 0. The total is
0–60; higher means more dependence. Completeness: all twenty activities
rated a–e, and the respondent's name and relationship given (as the
reference requires: a carer-rated scale means little without its rater).
Answer wording is the scale's own; we show the letter with its score and a
neutral gloss.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition, TrackerSpec
from copse.tasks.respondent import respondent_details_complete
from copse.tasks.scales import numbered
from copse.tasks.values import qfields

ITEMS = qfields("q", 1, 20)
LETTER_SCORES: Mapping[str, int] = {"A": 0, "B": 1, "C": 2, "D": 3, "E": 0}
LETTER_LABELS: Mapping[str, str] = {
    "A": "score 0: manages independently",
    "B": "score 1: needs prompting or a little help",
    "C": "score 2: needs considerable help",
    "D": "score 3: cannot manage, fully dependent",
    "E": "score 0: not applicable",
}
ITEM_LABELS = numbered(
    (
        "Food",
        "Eating",
        "Drink",
        "Drinking",
        "Dressing",
        "Hygiene",
        "Teeth",
        "Bath/shower",
        "Toilet/commode",
        "Transfers",
        "Mobility",
        "Orientation to time",
        "Orientation to space",
        "Communication",
        "Telephone",
        "Housework/gardening",
        "Shopping",
        "Finances",
        "Games/hobbies",
        "Transport",
    )
)


def letter(value: Any) -> str | None:
    """A permitted answer letter (upper case), else None."""
    if isinstance(value, str) and value.strip().upper() in LETTER_SCORES:
        return value.strip().upper()
    return None


class Badls(TaskDefinition):
    tablename = "badls"
    column_meanings: ClassVar[dict[str, str]] = {
        item: f"{ITEM_LABELS[item]} (letter a–e; a=0, b=1, c=2, d=3, e=not applicable=0)"
        for item in ITEMS
    }
    trackers = (TrackerSpec("total_score", "BADLS total (higher = more dependent)", 0, 60),)

    def is_complete(self, task: TaskData) -> bool:
        return respondent_details_complete(task) and all(
            letter(task.get(item)) is not None for item in ITEMS
        )

    def total(self, task: TaskData) -> int:
        total = 0
        for item in ITEMS:
            code = letter(task.get(item))
            if code is not None:
                total += LETTER_SCORES[code]
        return total

    def summaries(self, task: TaskData) -> list[Summary]:
        return [Summary("total_score", self.total(task), "Total score (0 = independent)", 60)]

    def body_html(self, task: TaskData) -> Markup:
        rows: list[tuple[str, h.HtmlCell]] = []
        for item in ITEMS:
            rows.append((ITEM_LABELS[item], h.answer(task.get(item), LETTER_LABELS)))
        return h.section(
            "Activities and ratings",
            h.table(rows, header=("Activity", "Rating"), css_class="copse-answers"),
        )


TASKS = (Badls(),)
