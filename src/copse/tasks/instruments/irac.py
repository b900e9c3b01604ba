"""IRAC: Identify and Rate the Aim of the Contact.

A clinician or patient states the aim of a contact in free text and rates
how far it was achieved: 0 = not achieved, 1 = partially achieved,
2 = fully achieved. Complete when an aim has been recorded (an empty text
counts as recorded, as the reference's examples show: the aim field was
visited) and the achievement rated within 0–2. No scores.
"""

from __future__ import annotations

from copse.tasks.base import TaskData
from copse.tasks.forms import Field, FormTask, Section

ACHIEVED: dict[int, str] = {0: "Not achieved", 1: "Partially achieved", 2: "Fully achieved"}


class Irac(FormTask):
    tablename = "irac"
    sections = (
        Section(
            "Aim of the contact",
            (
                Field("aim", "Aim of the contact", need="present"),
                Field("achieved", "How far the aim was achieved", ACHIEVED, need="present"),
            ),
        ),
    )
    headline = ("achieved",)

    def clinical_summary(self, task: TaskData) -> str:
        line = super().clinical_summary(task)
        aim = task.get("aim")
        if isinstance(aim, str) and aim.strip():
            line += f"; aim: {' '.join(aim.split())[:80]}"
        return line


TASKS = (Irac(),)
