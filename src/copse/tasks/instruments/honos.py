"""HoNOS (Health of the Nation Outcome Scales) for working-age and older adults.

Source: Wing et al. (1998) Br J Psychiatry 172:11 (HoNOS) and Burns et al.
(1999) Br J Psychiatry 174:424 (HoNOS 65+). Twelve clinician-rated scales,
each 0–4 with 9 = "not known"; the total (/48) sums the scales rated 0–4
(9 is excluded, not counted as 9). Scale 8 ("other mental and behavioural
problems") names the problem type by a letter A–J, J being "other" which must
then be specified.

Completeness is our own reading of the rating rules, consistent with the
CamCOPS server's computed examples: the period rated stated, every scale
rated (0–4 or 9); if scale 8 records a problem (1–4) its type letter must be given;
if that type is J the free-text description must be given. Scale 2
(non-accidental self-injury) rated 1–4 raises a risk flag.
"""

from __future__ import annotations

from typing import ClassVar

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import RiskFlag, Summary, TaskData
from copse.tasks.meta import TrackerSpec
from copse.tasks.scales import ItemScale, numbered
from copse.tasks.values import int_in_range, is_nonempty_text, qfields

RATINGS = {
    0: "no problem",
    1: "minor problem requiring no action",
    2: "mild problem but definitely present",
    3: "moderately severe problem",
    4: "severe to very severe problem",
    9: "not known",
}
PROBLEM_TYPES = {
    "A": "phobic",
    "B": "anxiety",
    "C": "obsessive-compulsive",
    "D": "mental strain or tension",
    "E": "dissociative",
    "F": "somatoform",
    "G": "eating",
    "H": "sleep",
    "I": "sexual",
    "J": "other (specify)",
}


class Honos(ItemScale):
    tablename = "honos"
    trackers = (TrackerSpec("total", "HoNOS total score", 0, 48),)
    items = qfields("q", 1, 12)
    permitted = (0, 1, 2, 3, 4, 9)
    option_labels = RATINGS
    SCALES: ClassVar[tuple[str, ...]] = (
        "Overactive, aggressive, disruptive or agitated behaviour",
        "Non-accidental self-injury",
        "Problem drinking or drug-taking",
        "Cognitive problems",
        "Physical illness or disability problems",
        "Problems associated with hallucinations and delusions",
        "Problems with depressed mood",
        "Other mental and behavioural problems",
        "Problems with relationships",
        "Problems with activities of daily living",
        "Problems with living conditions",
        "Problems with occupation and activities",
    )
    item_labels = numbered(SCALES)

    def problem_type(self, task: TaskData) -> str | None:
        v = task.get("q8problemtype")
        if isinstance(v, str) and v.strip().upper() in PROBLEM_TYPES:
            return v.strip().upper()
        return None

    def is_complete(self, task: TaskData) -> bool | None:
        if not super().is_complete(task):
            return False
        if not is_nonempty_text(task.get("period_rated")):
            return False
        if int_in_range(task.get("q8"), 1, 4) is not None:
            ptype = self.problem_type(task)
            if ptype is None:
                return False
            if ptype == "J" and not is_nonempty_text(task.get("q8otherproblem")):
                return False
        return True

    def item_score(self, task: TaskData, item: str) -> int:
        v = self.value(task, item)
        return v if v is not None and v != 9 else 0

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        # Scale 2 rates non-accidental self-injury: any rating of a problem
        # (1–4; 9 = not known is no rating) needs a clinician's attention.
        q2 = self.value(task, "q2")
        if q2 is not None and 1 <= q2 <= 4:
            return [RiskFlag("q2", f"scale 2 (non-accidental self-injury) = {q2}")]
        return []

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "total", self.total(task), "Total score (scales rated 9, not known, count 0)", 48
            )
        ]

    def body_html(self, task: TaskData) -> Markup:
        extra = h.table(
            [
                ("Period rated", task.get("period_rated")),
                ("Scale 8 problem type", h.answer(task.get("q8problemtype"), PROBLEM_TYPES)),
                ("Scale 8 other problem", task.get("q8otherproblem")),
            ]
        )
        return Markup("{}{}").format(super().body_html(task), h.section("Details", extra))


class Honos65(Honos):
    tablename = "honos65"
    SCALES = (
        "Behavioural disturbance",
        "Non-accidental self-injury",
        "Problem drinking or drug use",
        "Cognitive problems",
        "Physical illness or disability problems",
        "Problems associated with hallucinations and/or delusions",
        "Problems with depressive symptoms",
        "Other mental and behavioural problems",
        "Problems with social or supportive relationships",
        "Problems with activities of daily living",
        "Problems with living conditions",
        "Problems with work and leisure activities",
    )
    item_labels = numbered(SCALES)


TASKS = (Honos(), Honos65())
