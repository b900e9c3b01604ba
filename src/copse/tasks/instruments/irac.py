"""IRAC: Identify and Rate the Aim of the Contact.

A clinician or patient states the aim of a contact in free text and rates
how far it was achieved: 0 = not achieved, 1 = partially achieved,
2 = fully achieved. Complete when an aim has been recorded (an empty text
counts as recorded, as the reference's examples show: the aim field was
visited) and the achievement rated within 0–2. The reference has no
summaries; we report the rating as ``aim_achievement`` (0–2) so that it can
be charted across contacts.
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData, TrackerSpec
from copse.tasks.forms import Field, FormTask, Section
from copse.tasks.values import int_in

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
    trackers = (
        TrackerSpec("aim_achievement", "IRAC: aim achieved (0 not, 1 partly, 2 fully)", 0, 2),
    )

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "aim_achievement",
                int_in(task.get("achieved"), ACHIEVED),
                "How far the contact's aim was achieved (0 not, 1 partly, 2 fully); "
                "not a reference summary",
                2,
                "int",
            )
        ]

    def clinical_summary(self, task: TaskData) -> str:
        line = super().clinical_summary(task)
        aim = task.get("aim")
        if isinstance(aim, str) and aim.strip():
            line += f"; aim: {' '.join(aim.split())[:80]}"
        return line


TASKS = (Irac(),)
