"""Diagnostic codes (ICD-10; ICD-9-CM).

Rule per tasks.md §3: complete when ``relates_to_date`` is present, at least
one current item exists, and every item has a non-empty ``code``. Items are
the ancillary rows (``diagnosis_icd10_item`` / ``diagnosis_icd9cm_item``,
linked by ``<parent>_id``, ordered by ``seqnum``). No summaries (the reference
has none; its per-item HL7/FHIR output is out of scope here).
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition
from copse.tasks.values import is_nonempty_text


class Diagnosis(TaskDefinition):
    item_table: str = ""

    def is_complete(self, task: TaskData) -> bool | None:
        items = task.children(self.item_table)
        if task.get("relates_to_date") is None or not items:
            return False
        return all(is_nonempty_text(item.get("code")) for item in items)

    def summaries(self, task: TaskData) -> list[Summary]:
        return []

    def body_html(self, task: TaskData) -> Markup:
        items = task.children(self.item_table)
        head = h.table([("Diagnoses relate to date", task.get("relates_to_date"))])
        rows = [
            (i.get("seqnum"), i.get("code"), i.get("description"), i.get("comment")) for i in items
        ]
        body = (
            h.table(rows, header=("#", "Code", "Description", "Comment"), css_class="copse-records")
            if rows
            else Markup('<p class="copse-empty">(no diagnoses)</p>')
        )
        return Markup("{}{}").format(h.section("Details", head), h.section("Diagnoses", body))


class DiagnosisIcd10(Diagnosis):
    tablename = "diagnosis_icd10"
    item_table = "diagnosis_icd10_item"


class DiagnosisIcd9cm(Diagnosis):
    tablename = "diagnosis_icd9cm"
    item_table = "diagnosis_icd9cm_item"


TASKS = (DiagnosisIcd10(), DiagnosisIcd9cm())
