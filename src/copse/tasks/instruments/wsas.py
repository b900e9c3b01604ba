"""WSAS (Work and Social Adjustment Scale).

Source: Mundt, Marks, Shear & Greist (2002) Br J Psychiatry 180:461. Five
areas of impairment (work, home management, social leisure, private
leisure, close relationships), each rated 0 (not at all impaired) to 8
(very severely impaired); total /40. People who are retired or not working
for reasons unrelated to their problem skip the work item, which then does
not count (as in the reference). Interpretation (Mundt et al. 2002): >20
moderately severe or worse, 10–20 significant functional impairment, <10
subclinical. Items 2–5 are required; item 1 unless the "retired/not working"
box is ticked.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Cutoff, Summary, TaskData, TrackerSpec
from copse.tasks.scales import band
from copse.tasks.values import int_in, qfields
from copse.tasks.wording import ExtraStringItemScale

BANDS = ((10, "significant functional impairment"), (21, "moderately severe impairment or worse"))


class Wsas(ExtraStringItemScale):
    label_with_wording = False
    tablename = "wsas"
    items = qfields("q", 1, 5)
    permitted = tuple(range(9))
    item_labels = {
        "q1": "1. Ability to work",
        "q2": "2. Home management",
        "q3": "3. Social leisure activities",
        "q4": "4. Private leisure activities",
        "q5": "5. Ability to form and maintain close relationships",
    }
    option_labels = {
        0: "not at all impaired",
        1: "between not at all and slightly",
        2: "slightly",
        3: "between slightly and definitely",
        4: "definitely",
        5: "between definitely and markedly",
        6: "markedly",
        7: "between markedly and very severely",
        8: "very severely impaired",
    }
    column_meanings = {
        "retired_etc": (
            "Retired, or not working for reasons unrelated to the problem "
            "(item 1 then not applicable; 1 = yes, 0 = no)"
        ),
    }
    trackers = (
        TrackerSpec(
            "total_score",
            "WSAS total score",
            0,
            40,
            tuple(Cutoff(value, label) for value, label in BANDS),
        ),
    )

    def not_working(self, task: TaskData) -> bool:
        return int_in(task.get("retired_etc"), (0, 1)) == 1

    def scored_items(self, task: TaskData) -> tuple[str, ...]:
        return self.items[1:] if self.not_working(task) else self.items

    def required_items(self, task: TaskData) -> Sequence[str]:
        return self.scored_items(task)

    def is_complete(self, task: TaskData) -> bool | None:
        retired = task.get("retired_etc")
        if retired is not None and int_in(retired, (0, 1)) is None:
            return False
        return bool(super().is_complete(task))

    def summaries(self, task: TaskData) -> list[Summary]:
        total = self.total(task, self.scored_items(task))
        return [
            Summary("total_score", total, "Total score (work item excluded if not working)", 40),
            Summary(
                "impairment",
                band(total, BANDS, "subclinical"),
                "Impairment: >20 moderately severe or worse, 10–20 significant, <10 subclinical",
                kind="str",
            ),
        ]

    def body_html(self, task: TaskData) -> Markup:
        retired = h.table(
            [
                (
                    "Retired or not working for other reasons",
                    h.answer(task.get("retired_etc"), {0: "no", 1: "yes"}),
                )
            ]
        )
        return Markup("").join((retired, super().body_html(task)))


TASKS = (Wsas(),)
