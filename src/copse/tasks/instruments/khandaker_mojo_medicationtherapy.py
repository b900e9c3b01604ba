"""Khandaker GM — MOJO study — medications and therapies.

The task row holds nothing itself: the participant's current medications and
psychological therapies are rows of two ancillary tables
(``khandaker_mojo_medication_item`` and ``khandaker_mojo_therapy_item``,
linked by ``medicationtable_id`` and ordered by ``seqnum``). Each row is
complete when every one of its fields has been answered (blank text counts
as answered, as the reference's examples show); the task is complete when
every row of both tables is. Having no medications and no therapies is a
complete answer, as in the reference — but only for a stored record (one
with an ``id``), since child rows can only be attached to an id: a record
without one cannot say that the lists are empty.

The response to each treatment is a code whose wording is the study's: it is
shown with the server's extra strings (``response_<code>``) when installed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition
from copse.tasks.values import as_int

MEDICATIONS = "khandaker_mojo_medication_item"
THERAPIES = "khandaker_mojo_therapy_item"

#: Content columns of each child table with their labels, in display order.
MEDICATION_FIELDS: tuple[tuple[str, str], ...] = (
    ("brand_name", "Brand name"),
    ("chemical_name", "Chemical (generic) name"),
    ("dose", "Dose"),
    ("frequency", "Frequency"),
    ("duration_months", "Duration (months)"),
    ("indication", "Indication"),
    ("response", "Response"),
)
THERAPY_FIELDS: tuple[tuple[str, str], ...] = (
    ("therapy", "Therapy"),
    ("frequency", "Frequency"),
    ("sessions_completed", "Sessions completed"),
    ("sessions_planned", "Sessions planned"),
    ("indication", "Indication"),
    ("response", "Response"),
)
_LINK = {
    "medicationtable_id": "The id of the medications-and-therapies task this row belongs to",
    "seqnum": "Position of this row in its list (1-based)",
}


def _meanings() -> dict[str, str]:
    out: dict[str, str] = {}
    for table, fields, what in (
        (MEDICATIONS, MEDICATION_FIELDS, "Medication"),
        (THERAPIES, THERAPY_FIELDS, "Therapy"),
    ):
        for column, meaning in _LINK.items():
            out[f"{table}.{column}"] = meaning
        for column, label in fields:
            suffix = (
                " (coded; wording in the server's extra strings)" if column == "response" else ""
            )
            out[f"{table}.{column}"] = f"{what}: {label.lower()}{suffix}"
    return out


def row_complete(row: Mapping[str, Any], fields: Sequence[tuple[str, str]]) -> bool:
    """Every content field of one child row answered (blank text allowed)."""
    return all(row.get(column) is not None for column, _ in fields)


class KhandakerMojoMedicationTherapy(TaskDefinition):
    tablename = "khandaker_mojo_medicationtherapy"
    column_meanings = _meanings()

    def is_complete(self, task: TaskData) -> bool | None:
        if as_int(task.get("id")) is None:
            return False
        return all(row_complete(r, MEDICATION_FIELDS) for r in task.children(MEDICATIONS)) and all(
            row_complete(r, THERAPY_FIELDS) for r in task.children(THERAPIES)
        )

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "n_medications",
                len(task.children(MEDICATIONS)),
                "Number of medications listed (not a reference summary)",
            ),
            Summary(
                "n_therapies",
                len(task.children(THERAPIES)),
                "Number of therapies listed (not a reference summary)",
            ),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        meds = [
            " ".join(str(r.get("chemical_name") or r.get("brand_name") or "?").split())
            for r in task.children(MEDICATIONS)
        ]
        therapies = [
            " ".join(str(r.get("therapy") or "?").split()) for r in task.children(THERAPIES)
        ]
        parts = [
            "medications: " + (", ".join(meds) if meds else "none"),
            "therapies: " + (", ".join(therapies) if therapies else "none"),
        ]
        if not self.is_complete(task):
            parts.append("incomplete")
        return f"{self.shortname}: " + "; ".join(parts)

    def _cell(self, task: TaskData, column: str, value: Any) -> h.HtmlCell:
        if column == "response" and value is not None:
            code = as_int(value)
            text = task.strings.get(f"response_{code}") if code is not None else None
            return Markup("{} — {}").format(code, text) if text else h.value_html(value)
        return h.value_html(value)

    def _table(
        self, task: TaskData, table: str, fields: Sequence[tuple[str, str]], empty: str
    ) -> Markup:
        rows = task.children(table)
        if not rows:
            return Markup('<p class="copse-empty">{}</p>').format(empty)
        body = [
            [r.get("seqnum"), *(self._cell(task, column, r.get(column)) for column, _ in fields)]
            for r in rows
        ]
        return h.table(
            body, header=("#", *(label for _, label in fields)), css_class="copse-records"
        )

    def body_html(self, task: TaskData) -> Markup:
        return Markup("").join(
            (
                h.section(
                    "Medications",
                    self._table(task, MEDICATIONS, MEDICATION_FIELDS, "No medications listed."),
                ),
                h.section(
                    "Therapies",
                    self._table(task, THERAPIES, THERAPY_FIELDS, "No therapies listed."),
                ),
            )
        )


TASKS = (KhandakerMojoMedicationTherapy(),)
