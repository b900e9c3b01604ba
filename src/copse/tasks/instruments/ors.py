"""ORS: Outcome Rating Scale.

Source: Miller, Duncan, Brown, Sparks & Claud (2003) J Brief Ther 2:91. Four
10 cm visual analogue lines (individual, interpersonal, social, overall
well-being), each scored 0–10 by where the mark falls; total 0–40, higher =
better. A total of 25 or below is the published clinical cut-off for adults
(scores below it resemble clinical populations).

The reference computes no summaries; we add ``total`` (the published score)
so it can be tracked. Completeness (our reading of the form): session number,
date, who filled it in, and all four marks within 0–10; the relationship of
an "other" respondent is free text shown but not required, because the coding
of "who" is not a published fact we could check.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import (
    Cutoff,
    Summary,
    TaskData,
    TaskDefinition,
    TrackerSpec,
    format_number,
)
from copse.tasks.values import as_float, as_int, is_nonempty_text

SCALES = (
    ("q_individual", "Individually (personal well-being)"),
    ("q_interpersonal", "Interpersonally (family, close relationships)"),
    ("q_social", "Socially (work, school, friendships)"),
    ("q_overall", "Overall (general sense of well-being)"),
)
CLINICAL_CUTOFF = 25


def mark(value: object) -> float | None:
    """A visual-analogue mark in 0–10, else None."""
    f = as_float(value)
    return f if f is not None and 0 <= f <= 10 else None


class Ors(TaskDefinition):
    tablename = "ors"
    column_meanings = {
        "q_session": "Session number",
        "q_date": "Date of the session",
        "q_who": "Who filled in the form (client or another person), as coded by the tablet",
        "q_who_other": "If another person: their relationship to the client",
        **{col: f"{label}: mark on a 0–10 line, higher = better" for col, label in SCALES},
    }
    trackers = (
        TrackerSpec(
            "total", "ORS total (higher is better)", 0, 40,
            (Cutoff(CLINICAL_CUTOFF, "Clinical cut-off"),),
        ),
    )  # fmt: skip

    def is_complete(self, task: TaskData) -> bool | None:
        if as_int(task.get("q_session")) is None or as_int(task.get("q_who")) is None:
            return False
        if not is_nonempty_text(task.get("q_date")):
            return False
        return all(mark(task.get(col)) is not None for col, _ in SCALES)

    def summaries(self, task: TaskData) -> list[Summary]:
        total = sum(mark(task.get(col)) or 0.0 for col, _ in SCALES)
        return [
            Summary("total", float(total), "Total of the four marks (0–40, higher is better)",
                    40, kind="float"),
            Summary(
                "clinical_range",
                total <= CLINICAL_CUTOFF,
                f"Total at or below {CLINICAL_CUTOFF}: in the clinical range (adults)",
                kind="bool",
            ),
        ]  # fmt: skip

    def clinical_summary(self, task: TaskData) -> str:
        total = sum(mark(task.get(col)) or 0.0 for col, _ in SCALES)
        where = "clinical range" if total <= CLINICAL_CUTOFF else "non-clinical range"
        line = f"{self.shortname}: total {format_number(total)}/40, {where}"
        return line if self.is_complete(task) else f"{line}, incomplete"

    def body_html(self, task: TaskData) -> Markup:
        details = h.table(
            [
                ("Session", task.get("q_session")),
                ("Date", task.get("q_date")),
                ("Completed by (code)", task.get("q_who")),
                ("Relationship, if another person", task.get("q_who_other")),
            ]
        )
        marks = h.table(
            [(label, task.get(col)) for col, label in SCALES],
            header=("Area", "Mark (0–10)"),
            css_class="copse-answers",
        )
        return Markup("{}{}").format(h.section("Session", details), h.section("Ratings", marks))


TASKS = (Ors(),)
