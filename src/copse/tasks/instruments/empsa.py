"""EMPSA (Eating and Meal Preparation Skills Assessment).

Source: the EMPSA rating form itself (an eating-disorder service form with
no published scoring manual that we know of). Twelve
eating and meal-preparation skills, each rated twice on 0–10 scales — the
person's ability to do it and their motivation to do it — with optional
comments. The form defines no total or cut-offs; for an at-a-glance view we
report the sums of the ability and of the motivation ratings (our own
summaries; the CamCOPS server computes none). Completeness: all 24 ratings
given (comments are optional).

The item wording belongs to the form; views show the server's extra
strings when installed and item numbers otherwise.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition
from copse.tasks.values import int_in_range

N_ITEMS = 12
RATING_MAX = 10


def rating(task: TaskData, column: str) -> int | None:
    return int_in_range(task.get(column), 0, RATING_MAX)


def ratings(kind: str) -> tuple[str, ...]:
    return tuple(f"q{n}_{kind}" for n in range(1, N_ITEMS + 1))


class Empsa(TaskDefinition):
    tablename = "empsa"
    column_meanings = {
        **{f"q{n}_ability": f"Skill {n}: ability rating, 0–10" for n in range(1, N_ITEMS + 1)},
        **{
            f"q{n}_motivation": f"Skill {n}: motivation rating, 0–10" for n in range(1, N_ITEMS + 1)
        },
        **{f"q{n}_comments": f"Skill {n}: comments (free text)" for n in range(1, N_ITEMS + 1)},
    }

    def is_complete(self, task: TaskData) -> bool:
        return all(
            rating(task, c) is not None for c in (*ratings("ability"), *ratings("motivation"))
        )

    def total(self, task: TaskData, kind: str) -> int:
        return sum(rating(task, c) or 0 for c in ratings(kind))

    def summaries(self, task: TaskData) -> list[Summary]:
        top = N_ITEMS * RATING_MAX
        return [
            Summary("ability_total", self.total(task, "ability"), "Sum of ability ratings", top),
            Summary(
                "motivation_total",
                self.total(task, "motivation"),
                "Sum of motivation ratings",
                top,
            ),
        ]

    def body_html(self, task: TaskData) -> Markup:
        rows = [
            (
                task.xstring(f"q{n}", f"Skill {n}"),
                task.get(f"q{n}_ability"),
                task.get(f"q{n}_motivation"),
                task.get(f"q{n}_comments"),
            )
            for n in range(1, N_ITEMS + 1)
        ]
        return h.section(
            "Skills",
            h.table(
                rows,
                header=("Skill", "Ability (0–10)", "Motivation (0–10)", "Comments"),
                css_class="copse-answers",
            ),
        )


TASKS = (Empsa(),)
