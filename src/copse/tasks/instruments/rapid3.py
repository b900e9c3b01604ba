"""RAPID3 (Routine Assessment of Patient Index Data 3).

Source: Pincus, Swearingen, Bergman & Yazici (2008) J Rheumatol 35:2136;
Pincus et al. (2009) J Rheumatol 36:1204 (MDHAQ scoring template). Three
patient-reported measures from the MDHAQ, each 0–10:

* physical function (FN): the ten activities 1a–1j, each 0 (without any
  difficulty) to 3 (unable to do); the raw sum 0–30 is converted to 0–10 by
  dividing by 3 and rounding to one decimal (the published conversion table:
  raw 10 → 3.3, 20 → 6.7). Items 1k–1m (complementary activities) are asked
  but not scored;
* pain (item 2) and patient global estimate (item 3), 0–10 visual analogue
  scales in half-point steps.

RAPID3 = FN + pain + global, 0–30, to one decimal. Disease severity
(Pincus et al. 2008): >12 high, 6.1–12 moderate, 3.1–6 low, ≤3 near
remission. All fifteen answers are required, and RAPID3 (like the
reference's) is only computed for a complete task.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Cutoff, Summary, TaskData, TrackerSpec
from copse.tasks.meta import format_number
from copse.tasks.values import as_float
from copse.tasks.wording import ExtraStringItemScale

FN_ITEMS = tuple(f"q1{c}" for c in "abcdefghij")
EXTRA_FN_ITEMS = tuple(f"q1{c}" for c in "klm")
VAS_ITEMS = (("q2", "2. Pain over the last week (0 = none, 10 = worst)"),
             ("q3", "3. Global estimate of health (0 = very well, 10 = very poorly)"))  # fmt: skip
VAS_MAX = 10.0
#: (exclusive lower bound, label): RAPID3 above the bound falls in the band.
SEVERITY = ((12, "high severity"), (6, "moderate severity"), (3, "low severity"))

_ACTIVITIES = {
    "a": "Dressing",
    "b": "Getting in and out of bed",
    "c": "Lifting a cup or glass to the mouth",
    "d": "Walking outdoors on flat ground",
    "e": "Washing and drying the whole body",
    "f": "Bending down to pick something up",
    "g": "Turning taps on and off",
    "h": "Getting in and out of a car or public transport",
    "i": "Walking two miles",
    "j": "Sports and games",
    "k": "Sleeping well (not scored)",
    "l": "Dealing with anxiety (not scored)",
    "m": "Dealing with low mood (not scored)",
}


def _vas(value: object) -> float | None:
    f = as_float(value)
    return f if f is not None and 0 <= f <= VAS_MAX else None


def disease_severity(score: float | None) -> str | None:
    """The published RAPID3 band of a score (None if there is no score)."""
    if score is None:
        return None
    for bound, label in SEVERITY:
        if score > bound:
            return label
    return "near remission"


class Rapid3(ExtraStringItemScale):
    label_with_wording = False
    tablename = "rapid3"
    items = FN_ITEMS + EXTRA_FN_ITEMS
    permitted = (0, 1, 2, 3)
    item_labels = {f"q1{c}": f"1{c}. {text}" for c, text in _ACTIVITIES.items()}
    option_labels = {
        0: "without any difficulty",
        1: "with some difficulty",
        2: "with much difficulty",
        3: "unable to do",
    }
    questions_title = "1. Function over the last week"
    column_meanings = {col: f"{label}; 0–10" for col, label in VAS_ITEMS}
    trackers = (
        TrackerSpec(
            "rapid3",
            "RAPID3 (0–30)",
            0,
            30,
            (Cutoff(3.1, "low severity"), Cutoff(6.1, "moderate severity"),
             Cutoff(12.1, "high severity")),
        ),
    )  # fmt: skip

    def is_complete(self, task: TaskData) -> bool | None:
        return bool(super().is_complete(task)) and all(
            _vas(task.get(col)) is not None for col, _ in VAS_ITEMS
        )

    def function_score(self, task: TaskData) -> float:
        """FN on 0–10: raw sum of 1a–1j divided by 3, to one decimal."""
        return round(self.total(task, FN_ITEMS) / 3, 1)

    def rapid3(self, task: TaskData) -> float | None:
        if not self.is_complete(task):
            return None
        pain = _vas(task.get("q2")) or 0.0
        global_ = _vas(task.get("q3")) or 0.0
        return round(self.function_score(task) + pain + global_, 1)

    def summaries(self, task: TaskData) -> list[Summary]:
        score = self.rapid3(task)
        return [
            Summary("rapid3", score, "RAPID3: function + pain + global (0–30)", 30, kind="float"),
            Summary(
                "disease_severity",
                disease_severity(score),
                "Severity: >12 high, 6.1–12 moderate, 3.1–6 low, ≤3 near remission",
                kind="str",
            ),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        score = self.rapid3(task)
        if score is None:
            return f"{self.shortname}: incomplete, no score"
        return f"{self.shortname}: {format_number(score)}/30, {disease_severity(score)}"

    def html_summaries(self, task: TaskData) -> list[Summary]:
        fn = Summary(
            "function",
            self.function_score(task),
            "Physical function (FN): items 1a–1j raw sum / 3, 0–10 (display only)",
            10,
        )
        return [fn, *self.summaries(task)]

    def body_html(self, task: TaskData) -> Markup:
        vas = h.table(
            [(label, task.get(col)) for col, label in VAS_ITEMS], header=("Question", "Answer")
        )
        return Markup("").join((super().body_html(task), h.section("Pain and global health", vas)))


TASKS = (Rapid3(),)
