"""Brief COPE inventory.

Source: Carver (1997) Int J Behav Med 4:92. Twenty-eight statements about
ways of coping, each 0 "I haven't been doing this at all" … 3 "I've been
doing this a lot" as the tablet records them (Carver numbers the answers
1–4). Fourteen two-item scales, each the sum of its items (0–6): self-
distraction 1+19, active coping 2+7, denial 3+8, substance use 4+11, use
of emotional support 5+15, use of instrumental support 10+23, behavioural
disengagement 6+16, venting 9+21, positive reframing 12+17, planning
14+25, humour 18+28, acceptance 20+24, religion 22+27, self-blame 13+26.
Carver gives no total and no cut-offs.

The tablet also records who completed it. Completeness: all 28 items, and
whether the patient completed it; if someone else did, their name and
relationship to the patient.
"""

from __future__ import annotations

from typing import ClassVar

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData
from copse.tasks.scales import ItemScale
from copse.tasks.values import int_in, is_nonempty_text, qfields

SCALES: dict[str, tuple[str, int, int]] = {
    "self_distraction": ("Self-distraction", 1, 19),
    "active_coping": ("Active coping", 2, 7),
    "denial": ("Denial", 3, 8),
    "substance_use": ("Substance use", 4, 11),
    "emotional_support": ("Use of emotional support", 5, 15),
    "instrumental_support": ("Use of instrumental support", 10, 23),
    "behavioural_disengagement": ("Behavioural disengagement", 6, 16),
    "venting": ("Venting", 9, 21),
    "positive_reframing": ("Positive reframing", 12, 17),
    "planning": ("Planning", 14, 25),
    "humour": ("Humour", 18, 28),
    "acceptance": ("Acceptance", 20, 24),
    "religion": ("Religion", 22, 27),
    "self_blame": ("Self-blame", 13, 26),
}
SCALE_OF_ITEM = {f"q{n}": label for label, a, b in SCALES.values() for n in (a, b)}
RESPONDENT_FIELDS = {
    "completed_by_patient": "Completed by the patient (1 = yes, 0 = no)",
    "completed_by": "Name of the person who completed it, if not the patient",
    "relationship_to_patient": "That person's relationship to the patient (coded)",
    "relationship_to_patient_other": "That relationship, in words, if 'other'",
}


class CopeBrief(ItemScale):
    tablename = "cope_brief"
    items = qfields("q", 1, 28)
    permitted = (0, 1, 2, 3)
    item_labels = {f"q{n}": f"{n}. Statement {n} ({SCALE_OF_ITEM[f'q{n}']})" for n in range(1, 29)}
    option_labels = {
        0: "I haven't been doing this at all",
        1: "a little bit",
        2: "a medium amount",
        3: "I've been doing this a lot",
    }
    column_meanings: ClassVar[dict[str, str]] = dict(RESPONDENT_FIELDS)

    def is_complete(self, task: TaskData) -> bool:
        by_patient = int_in(task.get("completed_by_patient"), (0, 1))
        if by_patient is None:
            return False
        if by_patient == 0 and not (
            is_nonempty_text(task.get("completed_by"))
            and task.get("relationship_to_patient") is not None
        ):
            return False
        return bool(super().is_complete(task))

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(name, self.total(task, (f"q{a}", f"q{b}")), f"{label} (items {a} + {b})", 6)
            for name, (label, a, b) in SCALES.items()
        ]

    def body_html(self, task: TaskData) -> Markup:
        who = h.section(
            "Completed by",
            h.table([(label, task.get(col)) for col, label in RESPONDENT_FIELDS.items()]),
        )
        return Markup("").join((who, super().body_html(task)))


TASKS = (CopeBrief(),)
