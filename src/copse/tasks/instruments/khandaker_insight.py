"""Khandaker GM — Insight study — medical history.

A research form (Khandaker group, University of Cambridge; no publication
of the form itself): for each of 17 groups of conditions, whether the
participant has had one (yes/no) and a comment. Complete when every group is
answered and, for each "yes", the comment says what it was — the rule the
reference's examples show (a "yes" with a blank comment is incomplete).
"""

from __future__ import annotations

from copse.tasks.base import TaskData
from copse.tasks.forms import Field, FormTask, Section, yes

CONDITION_GROUPS: tuple[tuple[str, str], ...] = (
    ("cancer", "Cancer"),
    ("epilepsy", "Epilepsy"),
    ("cva_headinjury_braintumour", "Stroke, head injury or brain tumour"),
    ("ms_pd_dementia", "Multiple sclerosis, Parkinson's disease or dementia"),
    ("cerebralpalsy_otherbrain", "Cerebral palsy or other brain disorder"),
    ("visual_impairment", "Visual impairment"),
    ("heart_disorder", "Heart disorder"),
    ("respiratory", "Respiratory disorder"),
    ("gastrointestinal", "Gastrointestinal disorder"),
    ("other_inflammatory", "Other inflammatory disorder"),
    ("musculoskeletal", "Musculoskeletal disorder"),
    ("renal_urinary", "Renal or urinary disorder"),
    ("dermatological", "Dermatological disorder"),
    ("diabetes", "Diabetes"),
    ("other_endocrinological", "Other endocrine disorder"),
    ("haematological", "Haematological disorder"),
    ("infections", "Infections"),
)


def _pair(key: str, label: str) -> tuple[Field, Field]:
    return (
        Field(f"{key}_yn", f"{label}: ever had", need="present"),
        Field(f"{key}_comment", f"{label}: details", need="text", when=(f"{key}_yn", (1,))),
    )


class KhandakerInsightMedical(FormTask):
    tablename = "khandaker_1_medicalhistory"
    sections = (
        Section(
            "Medical history",
            tuple(f for key, label in CONDITION_GROUPS for f in _pair(key, label)),
        ),
    )

    def clinical_summary(self, task: TaskData) -> str:
        present = [label for key, label in CONDITION_GROUPS if yes(task, f"{key}_yn")]
        line = f"{self.shortname}: " + (
            "history of " + "; ".join(present) if present else "no conditions reported"
        )
        return line if self.is_complete(task) else line + "; incomplete"


TASKS = (KhandakerInsightMedical(),)
