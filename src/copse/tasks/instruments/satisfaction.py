"""Service satisfaction surveys: referrer (survey and patient-specific), patient.

Rule per tasks.md §3: complete when ``rating`` is present and permitted
(0 = very poor … 4 = excellent); the same rule for ``ref_satis_gen`` (an
anonymous task), ``ref_satis_spec`` and ``pt_satis``. The reference reports
no summaries for these tasks. The free-text answers are shown as written
(escaped).
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import TaskData, TaskDefinition
from copse.tasks.values import int_in_range

RATINGS = {0: "very poor", 1: "poor", 2: "average", 3: "good", 4: "excellent"}


class Satisfaction(TaskDefinition):
    """Shared logic; concrete classes only name their table."""

    def is_complete(self, task: TaskData) -> bool | None:
        return int_in_range(task.get("rating"), 0, 4) is not None

    def body_html(self, task: TaskData) -> Markup:
        rows = [
            ("Service being rated", task.get("service")),
            ("Overall rating", h.answer(task.get("rating"), RATINGS)),
            ("What has been good", task.get("good")),
            ("What could be improved", task.get("bad")),
        ]
        return h.section("Responses", h.table(rows, header=("Question", "Answer")))


class ReferrerSatisfactionGen(Satisfaction):
    tablename = "ref_satis_gen"


class ReferrerSatisfactionSpec(Satisfaction):
    tablename = "ref_satis_spec"


class PatientSatisfaction(Satisfaction):
    tablename = "pt_satis"


TASKS = (ReferrerSatisfactionGen(), ReferrerSatisfactionSpec(), PatientSatisfaction())
