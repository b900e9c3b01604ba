"""Perinatal POEM (Patient-rated Outcome and Experience Measure).

Source: Royal College of Psychiatrists, College Centre for Quality
Improvement, Perinatal Quality Network (2015, report CR216): a free-to-use
feedback form completed anonymously by patients and by partners or family
members at discharge from perinatal mental health care. It records who is
answering (patient or partner/family) and which service (community team or
inpatient mother and baby unit), two ratings of the patient's mental health
(on first contact with the service, and now, each 1–5), twelve statements
about experience of care (each 1–4), six further statements about the
inpatient unit (1–4, inpatient care only), free-text comments, and whether
the respondent agrees to be contacted again (with contact details).

It is a service-evaluation form with no score; the reference computes no
summaries and copse adds none. Completeness: respondent, service, both
mental-health ratings, the twelve experience statements and the
further-contact answer are required; the six inpatient statements only when
the service was the mother and baby unit; free text is optional. Statement
wording comes only from the server's extra strings.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import TaskData
from copse.tasks.values import int_in
from copse.tasks.wording import ExtraStringItemScale

INPATIENT = 2
MH_ITEMS = ("q1a", "q1b")
EXPERIENCE_ITEMS = tuple(f"q2{c}" for c in "abcdefghijkl")
INPATIENT_ITEMS = tuple(f"q3{c}" for c in "abcdef")
_OF5 = {n: f"{n} of 5" for n in range(1, 6)}
_OF4 = {n: f"{n} of 4" for n in range(1, 5)}


class PerinatalPoem(ExtraStringItemScale):
    label_with_wording = False
    tablename = "perinatal_poem"
    items = ("qa", "qb", *MH_ITEMS, *EXPERIENCE_ITEMS, *INPATIENT_ITEMS, "future_participation")
    permitted = (1, 2, 3, 4)
    permitted_by_item = {
        "qa": (1, 2),
        "qb": (1, 2),
        "q1a": (1, 2, 3, 4, 5),
        "q1b": (1, 2, 3, 4, 5),
        "future_participation": (0, 1),
    }
    item_labels = {
        "qa": "Who is answering",
        "qb": "Which service",
        "q1a": "1a. Patient's mental health on first contact with the service",
        "q1b": "1b. Patient's mental health now",
        **{q: f"2{q[-1]}. Experience of care, statement {q[-1]}" for q in EXPERIENCE_ITEMS},
        **{q: f"3{q[-1]}. Inpatient unit, statement {q[-1]}" for q in INPATIENT_ITEMS},
        "future_participation": "Agrees to be contacted about future feedback",
    }
    option_labels = _OF4
    option_labels_by_item = {
        "qa": {1: "the patient", 2: "a partner or family member"},
        "qb": {1: "community perinatal team", INPATIENT: "mother and baby unit (inpatient)"},
        "q1a": _OF5,
        "q1b": _OF5,
        "future_participation": {0: "no", 1: "yes"},
    }
    column_meanings = {
        "general_comments": "Any other comments (free text)",
        "contact_details": "Contact details for future feedback, if agreed (free text)",
    }

    def required_items(self, task: TaskData) -> Sequence[str]:
        if int_in(task.get("qb"), (1, 2)) == INPATIENT:
            return self.items
        return tuple(i for i in self.items if i not in INPATIENT_ITEMS)

    def clinical_summary(self, task: TaskData) -> str:
        service = self.option_labels_by_item["qb"].get(int_in(task.get("qb"), (1, 2)) or 0)
        parts = [f"feedback on {service}" if service else "feedback form"]
        if not self.is_complete(task):
            parts.append("incomplete")
        return f"{self.shortname}: " + ", ".join(parts)

    def body_html(self, task: TaskData) -> Markup:
        comments = h.table(
            [
                ("General comments", task.get("general_comments")),
                ("Contact details", task.get("contact_details")),
            ]
        )
        return Markup("").join((super().body_html(task), h.section("Comments", comments)))


TASKS = (PerinatalPoem(),)
