"""Clinical contact log.

A record of one clinical contact: where and when, whether it involved the
patient, liaison with staff or with others, and a comment. Complete when the
start and end times are recorded and the three kinds of contact are each
answered yes or no (the reference's rule on its examples; location and
comment are optional). The contact's duration is reported as an extra
summary (our own; the reference has none) when both times are valid and the
end is not before the start.
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData
from copse.tasks.forms import YES_NO, Field, FormTask, Section
from copse.tasks.values import parse_iso_datetime


class ContactLog(FormTask):
    tablename = "contactlog"
    sections = (
        Section(
            "Contact",
            (
                Field("location", "Location"),
                Field("start", "Start of the contact", need="present"),
                Field("end", "End of the contact", need="present"),
                Field("patient_contact", "Contact with the patient", YES_NO, need="present"),
                Field("staff_liaison", "Liaison with staff", YES_NO, need="present"),
                Field("other_liaison", "Liaison with others", YES_NO, need="present"),
                Field("comment", "Comment"),
            ),
        ),
    )
    headline = ("location", "patient_contact")

    def duration_minutes(self, task: TaskData) -> float | None:
        start = parse_iso_datetime(task.get("start"))
        end = parse_iso_datetime(task.get("end"))
        if start is None or end is None:
            return None
        try:
            seconds = (end - start).total_seconds()
        except TypeError:  # one naive, one aware: not comparable
            return None
        return seconds / 60 if seconds >= 0 else None

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "duration_minutes",
                self.duration_minutes(task),
                "Duration of the contact in minutes (end − start); not a reference summary",
                kind="float",
            )
        ]


TASKS = (ContactLog(),)
