"""Shared shape of the ICD-10 diagnostic checklists (yes/no criteria, a date, comments).

The ICD-10 checklists (depressive, manic and mixed episodes, schizophrenia,
schizotypal and personality disorders) are all a clinician ticking criteria
of the WHO Diagnostic Criteria for Research as present or absent for a stated
date. They share how answers are read (0/1, anything else unknown), how the
view is laid out (criteria in the DCR's groups, then comments) and that a
checklist without the date it describes is not complete. Each instrument
module states only its criteria and the decision rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import TaskData
from copse.tasks.scales import ItemScale
from copse.tasks.tristate import Tri, tri
from copse.tasks.values import is_nonempty_text

YES_NO = {0: "No", 1: "Yes"}
CHECKLIST_MEANINGS: Mapping[str, str] = {
    "date_pertains_to": "Date the ratings describe (the patient's state on that date)",
    "comments": "Clinician's free-text comments",
}


class Icd10Checklist(ItemScale):
    """Yes/no ICD-10 criteria grouped into titled sections.

    Subclasses set ``sections`` (title, items) and ``item_labels``; ``items``
    is derived from the sections. ``decided`` says whether the checklist has
    enough answers to reach its result (the default: every item answered).
    """

    sections: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = ()
    #: Free-text columns shown after the criteria, with their headings.
    text_fields: ClassVar[tuple[tuple[str, str], ...]] = (("comments", "Comments"),)
    permitted = (0, 1)
    option_labels = YES_NO
    column_meanings = CHECKLIST_MEANINGS

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.sections:
            cls.items = tuple(item for _, group in cls.sections for item in group)

    def t(self, task: TaskData, column: str) -> Tri:
        """One criterion: True (present), False (absent) or None (not rated)."""
        return tri(task.get(column))

    def ts(self, task: TaskData, columns: Sequence[str]) -> list[Tri]:
        return [self.t(task, c) for c in columns]

    def decided(self, task: TaskData) -> bool:
        """Whether the answers reach a result; every item answered by default."""
        return all(self.t(task, i) is not None for i in self.items)

    def is_complete(self, task: TaskData) -> bool:
        for item in self.items:
            if task.get(item) is not None and self.value(task, item) is None:
                return False  # an answer other than yes/no
        return is_nonempty_text(task.get("date_pertains_to")) and self.decided(task)

    def body_html(self, task: TaskData) -> Markup:
        parts = [
            h.table(
                [("Date the ratings describe", task.get("date_pertains_to"))],
                css_class="copse-fields",
            )
        ]
        for title, group in self.sections:
            rows: list[tuple[str, h.HtmlCell]] = [
                (self.question_label(i), h.answer(task.get(i), YES_NO)) for i in group
            ]
            parts.append(
                h.section(
                    title,
                    h.table(rows, header=("Criterion", "Present?"), css_class="copse-answers"),
                )
            )
        for column, title in self.text_fields:
            parts.append(h.section(title, h.value_html(task.get(column))))
        return Markup("").join(parts)


def tri_text(value: Tri) -> str:
    """A three-valued result as a reader says it."""
    return {True: "yes", False: "no", None: "unknown"}[value]


__all__ = ["CHECKLIST_MEANINGS", "YES_NO", "Icd10Checklist", "tri_text"]
