"""AIMS (Abnormal Involuntary Movement Scale).

Source: Guy W (1976) *ECDEU Assessment Manual for Psychopharmacology*, pp.
534–537 (US National Institute of Mental Health; public domain). Items 1–7
rate involuntary movements by body area and items 8–10 are global judgements
(overall severity, incapacitation, the patient's awareness and distress), each
0–4. Items 11–12 (current problems with teeth or dentures; usually wears
dentures) are no/yes (0/1) and are not scored.

The manual defines no total; the CamCOPS-compatible ``total`` adds items 1–10
(range 0–40), which is what downloads of earlier data carry. Completeness:
all twelve items answered with permitted values.
"""

from __future__ import annotations

from typing import ClassVar

from copse.tasks.base import Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale, numbered
from copse.tasks.values import qfields

SEVERITY_0_4 = {0: "none, normal", 1: "minimal", 2: "mild", 3: "moderate", 4: "severe"}
AWARENESS_0_4 = {
    0: "no awareness",
    1: "aware, no distress",
    2: "aware, mild distress",
    3: "aware, moderate distress",
    4: "aware, severe distress",
}
NO_YES = {0: "no", 1: "yes"}


class Aims(ItemScale):
    tablename = "aims"
    items = qfields("q", 1, 12)
    scored_items: ClassVar[tuple[str, ...]] = qfields("q", 1, 10)
    permitted = (0, 1, 2, 3, 4)
    permitted_by_item = {"q11": (0, 1), "q12": (0, 1)}
    item_labels = numbered(
        (
            "Facial expression muscles",
            "Lips and perioral area",
            "Jaw",
            "Tongue",
            "Upper extremities (arms, wrists, hands, fingers)",
            "Lower extremities (legs, knees, ankles, toes)",
            "Neck, shoulders, hips",
            "Severity of abnormal movements overall",
            "Incapacitation due to abnormal movements",
            "Patient's awareness of abnormal movements",
            "Current problems with teeth and/or dentures",
            "Patient usually wears dentures",
        )
    )
    option_labels = SEVERITY_0_4
    option_labels_by_item = {"q10": AWARENESS_0_4, "q11": NO_YES, "q12": NO_YES}
    trackers = (TrackerSpec("total", "AIMS total (items 1–10)", 0, 40),)

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "total",
                self.total(task, self.scored_items),
                "Total of items 1–10 (movement ratings and global judgements)",
                40,
            )
        ]


TASKS = (Aims(),)
