"""BDI (Beck Depression Inventory: BDI-I, BDI-IA or BDI-II).

Sources: Beck et al. (1961) Arch Gen Psychiatry 4:561 (BDI-I); Beck, Steer &
Garbin (1988) Clin Psychol Rev 8:77 (BDI-IA, bands 0–9 minimal, 10–18 mild,
19–29 moderate, 30–63 severe); Beck, Steer & Brown (1996) *BDI-II Manual*
(bands 0–13 minimal, 14–19 mild, 20–28 moderate, 29–63 severe). Twenty-one
items, each 0–3; total 0–63. The questionnaire is copyright (Pearson), so the
task only records the item scores (data collection only): no item wording
here, only neutral topic labels.

``bdi_scale`` records which version was used; it is not required for
completeness (the reference does not require it either). Completeness: all 21
items answered 0–3. The tracker shows the BDI-II cut-offs, the version in
current use. Item 9 (suicidal thoughts or wishes, in every version) raises a
risk flag whenever it is above 0.
"""

from __future__ import annotations

from typing import ClassVar

from copse.tasks.base import Cutoff, RiskFlag, Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale, band, numbered
from copse.tasks.values import is_nonempty_text, qfields

BDI2_BANDS = ((14, "Mild"), (20, "Moderate"), (29, "Severe"))
BDI1A_BANDS = ((10, "Mild"), (19, "Moderate"), (30, "Severe"))
SUICIDE_ITEM = "q9"


class Bdi(ItemScale):
    tablename = "bdi"
    items = qfields("q", 1, 21)
    permitted = (0, 1, 2, 3)
    # Topics common to the versions (BDI-II renamed a few; ours are neutral).
    item_labels = numbered(
        (
            "Sadness",
            "Pessimism",
            "Past failure",
            "Loss of pleasure / dissatisfaction",
            "Guilty feelings",
            "Punishment feelings",
            "Self-dislike",
            "Self-criticalness",
            "Suicidal thoughts or wishes",
            "Crying",
            "Agitation / irritability",
            "Loss of interest",
            "Indecisiveness",
            "Worthlessness / body image",
            "Loss of energy / work difficulty",
            "Changes in sleeping pattern",
            "Irritability / fatigue",
            "Changes in appetite",
            "Concentration difficulty / weight loss",
            "Tiredness or fatigue / somatic preoccupation",
            "Loss of interest in sex",
        )
    )
    option_labels = {0: "score 0", 1: "score 1", 2: "score 2", 3: "score 3"}
    column_meanings: ClassVar[dict[str, str]] = {
        "bdi_scale": "Which version was administered (e.g. BDI-I, BDI-IA, BDI-II)",
    }
    trackers = (
        TrackerSpec(
            "total",
            "BDI total (BDI-II cut-offs)",
            0,
            63,
            tuple(Cutoff(v, f"BDI-II {label.lower()}") for v, label in BDI2_BANDS),
        ),
    )

    def summaries(self, task: TaskData) -> list[Summary]:
        return [Summary("total", self.total(task), "Total score (items 1–21)", 63)]

    def html_summaries(self, task: TaskData) -> list[Summary]:
        total = self.total(task)
        scale = task.get("bdi_scale")
        return [
            *self.summaries(task),
            Summary(
                "scale",
                scale if is_nonempty_text(scale) else None,
                "Version administered",
                kind="str",
            ),
            Summary(
                "bdi2_band",
                band(total, BDI2_BANDS, "Minimal"),
                "Severity on BDI-II bands (≥29 severe, ≥20 moderate, ≥14 mild)",
            ),
            Summary(
                "bdi1a_band",
                band(total, BDI1A_BANDS, "Minimal"),
                "Severity on BDI-I/IA bands (≥30 severe, ≥19 moderate, ≥10 mild)",
            ),
        ]

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        # Suicidal thoughts must never be lost inside an unremarkable total.
        q9 = self.value(task, SUICIDE_ITEM)
        if q9 is not None and q9 > 0:
            return [RiskFlag(SUICIDE_ITEM, f"item 9 (suicidal thoughts) = {q9}")]
        return []

    def clinical_summary(self, task: TaskData) -> str:
        scale = task.get("bdi_scale")
        # Free text from the tablet: its whitespace (newlines too) folded to keep one line.
        name = " ".join(scale.split()) if is_nonempty_text(scale) else self.shortname
        parts = [f"{name} total {self.total(task)}/63"]
        if not self.is_complete(task):
            parts.append("incomplete")
        parts.extend(f.message for f in self.risk_flags(task))
        return f"{self.shortname}: " + ", ".join(parts)


TASKS = (Bdi(),)
