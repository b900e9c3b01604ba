"""QoL-Basic: quality of life by time trade-off and by rating scale.

Source: the two classic direct utility methods (Torrance 1986, J Health Econ
5:1; Drummond et al., *Methods for the Economic Evaluation of Health Care
Programmes*). Time trade-off: the number of years in full health, out of ten
years in the present state, the person would find equivalent (``tto``,
0–10); utility = tto / 10. Rating scale: the present state placed on a
0–100 line between death and full health (``rs``); utility = rs / 100.
Each utility (0–1) is computed from its own answer, None when that answer
is absent or outside its range. Both answers are required for completeness.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition, TrackerSpec
from copse.tasks.meta import format_number
from copse.tasks.values import as_float

TTO_MAX = 10.0
RS_MAX = 100.0


def _in_range(value: object, hi: float) -> float | None:
    f = as_float(value)
    return f if f is not None and 0 <= f <= hi else None


class QolBasic(TaskDefinition):
    tablename = "qolbasic"
    column_meanings = {
        "tto": (
            "Time trade-off: years in full health equivalent to 10 years "
            "in the present state (0–10)"
        ),
        "rs": "Rating scale: present quality of life from 0 (death) to 100 (full health)",
    }
    trackers = (
        TrackerSpec("tto_qol", "Quality of life (time trade-off)", 0, 1),
        TrackerSpec("rs_qol", "Quality of life (rating scale)", 0, 1),
    )

    def is_complete(self, task: TaskData) -> bool | None:
        return _in_range(task.get("tto"), TTO_MAX) is not None and (
            _in_range(task.get("rs"), RS_MAX) is not None
        )

    def summaries(self, task: TaskData) -> list[Summary]:
        tto = _in_range(task.get("tto"), TTO_MAX)
        rs = _in_range(task.get("rs"), RS_MAX)
        return [
            Summary(
                "tto_qol",
                None if tto is None else tto / TTO_MAX,
                "Quality of life (0–1) by time trade-off",
                1,
                kind="float",
            ),
            Summary(
                "rs_qol",
                None if rs is None else rs / RS_MAX,
                "Quality of life (0–1) by rating scale",
                1,
                kind="float",
            ),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        parts = []
        for s in self.summaries(task):
            shown = "?" if not isinstance(s.value, float) else format_number(round(s.value, 3))
            parts.append(f"{s.description.split(' by ')[1]} {shown}")
        if not self.is_complete(task):
            parts.append("incomplete")
        return f"{self.shortname}: quality of life " + ", ".join(parts)

    def body_html(self, task: TaskData) -> Markup:
        return h.section(
            "Answers",
            h.table(
                [
                    ("Time trade-off: equivalent years in full health (of 10)", task.get("tto")),
                    ("Rating scale: 0 = death, 100 = full health", task.get("rs")),
                ],
                header=("Question", "Answer"),
            ),
        )


TASKS = (QolBasic(),)
