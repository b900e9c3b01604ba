"""Patient Health Questionnaire family: PHQ-9, PHQ-8, PHQ-15.

Sources of the rules:

* PHQ-9: Kroenke, Spitzer & Williams (2001) J Gen Intern Med 16:606. Items
  0–3; total /27. Completeness, the "major/other depressive syndrome"
  algorithm (core items 1–2 count at ≥2, items 3–8 at ≥2, item 9 at ≥1;
  MDS = ≥1 core and ≥5 in all, ODS = ≥1 core and 2–4 in all) and the
  severity bands (≥20 severe, ≥15 moderately severe, ≥10 moderate, ≥5 mild)
  are exactly as tasks.md §3 states them. Item 10 (functional difficulty) is
  only required when some symptom is present (total > 0).
* PHQ-8: Kroenke et al. (2009) J Affect Disord 114:163. PHQ-9 without the
  self-harm item; total /24 with the same 5/10/15/20 bands and the same
  symptom counts and syndromes (items 3–8 only as "other" symptoms). All
  eight items required.
* PHQ-15: Kroenke, Spitzer & Williams (2002) Psychosom Med 64:258. Items 0–2;
  total /30; somatic symptom severity minimal 0–4, low 5–9, medium 10–14,
  high 15–30 (labelled None/Mild/Moderate/Severe, as the CamCOPS server
  does). Item 4 (menstrual problems) applies to women only, so it is required
  only when the patient is known to be female.

Item labels are our own short paraphrases of the symptom each item asks about.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from copse.tasks.base import Cutoff, RiskFlag, Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale, band, count_where, numbered
from copse.tasks.values import qfields

FREQUENCY_0_3 = {
    0: "not at all",
    1: "several days",
    2: "more than half the days",
    3: "nearly every day",
}
DIFFICULTY_0_3 = {
    0: "not difficult at all",
    1: "somewhat difficult",
    2: "very difficult",
    3: "extremely difficult",
}
DEPRESSION_BANDS = ((5, "Mild"), (10, "Moderate"), (15, "Moderately severe"), (20, "Severe"))
DEPRESSION_CUTOFFS = tuple(Cutoff(value, label) for value, label in DEPRESSION_BANDS)

_PHQ_SYMPTOMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed or hopeless",
    "Sleep problems (too little or too much)",
    "Tiredness or little energy",
    "Poor appetite or overeating",
    "Feeling bad about oneself, or a failure",
    "Trouble concentrating",
    "Slowed down, or fidgety and restless",
    "Thoughts of being better off dead or of self-harm",
)


#: PHQ-9/PHQ-8 items 3-8: the "other" symptoms besides the self-harm item.
_OTHER_ITEMS = qfields("q", 3, 8)


def depression_severity(total: int) -> str:
    """PHQ-9/PHQ-8 severity text for a total (tasks.md §3 bands)."""
    return band(total, DEPRESSION_BANDS, "None") or "None"


def depression_summaries(
    scale: ItemScale, task: TaskData, scored: Sequence[str], self_harm: Sequence[str]
) -> list[Summary]:
    """Total, symptom counts, syndromes and severity of the PHQ-9 (or PHQ-8).

    Core symptoms are items 1–2 at ≥2; other symptoms are items 3–8 at ≥2
    plus the self-harm item (PHQ-9 item 9; absent from the PHQ-8) at ≥1.
    """
    total = scale.total(task, scored)
    n_core = count_where(scale.values(task, ("q1", "q2")), lambda v: v >= 2)
    n_other = count_where(scale.values(task, _OTHER_ITEMS), lambda v: v >= 2) + count_where(
        scale.values(task, self_harm), lambda v: v >= 1
    )
    n_total = n_core + n_other
    other_label = "items 3–8 scoring ≥2" + (", item 9 ≥1" if self_harm else "")
    return [
        Summary("total", total, f"Total score (items 1–{len(scored)})", 3 * len(scored)),
        Summary("n_core", n_core, "Core symptoms present (items 1–2 scoring ≥2)", 2),
        Summary(
            "n_other",
            n_other,
            f"Other symptoms present ({other_label})",
            6 + len(self_harm),
        ),
        Summary("n_total", n_total, "Total symptoms present", 8 + len(self_harm)),
        Summary(
            "is_mds",
            n_core >= 1 and n_total >= 5,
            "Major depressive syndrome (≥1 core, ≥5 in all)",
        ),
        Summary(
            "is_ods",
            n_core >= 1 and 2 <= n_total <= 4,
            "Other depressive syndrome (≥1 core, 2–4 in all)",
        ),
        Summary(
            "severity",
            depression_severity(total),
            "Severity: ≥20 severe, ≥15 moderately severe, ≥10 moderate, ≥5 mild",
        ),
    ]


class Phq9(ItemScale):
    tablename = "phq9"
    items = qfields("q", 1, 10)
    scored_items: ClassVar[tuple[str, ...]] = qfields("q", 1, 9)
    permitted = (0, 1, 2, 3)
    item_labels = {
        **numbered(_PHQ_SYMPTOMS),
        "q10": "10. How difficult these problems have made work, home life or relationships",
    }
    option_labels = FREQUENCY_0_3
    option_labels_by_item = {"q10": DIFFICULTY_0_3}
    trackers = (TrackerSpec("total", "PHQ-9 total score", 0, 27, DEPRESSION_CUTOFFS),)

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        # Item 9 asks about thoughts of death or self-harm: any answer above
        # "not at all" needs a clinician's attention whatever the total.
        q9 = self.value(task, "q9")
        if q9 is not None and q9 > 0:
            return [RiskFlag("q9", f"item 9 (self-harm thoughts) = {q9}")]
        return []

    def clinical_summary(self, task: TaskData) -> str:
        total = self.total(task, self.scored_items)
        parts = [f"total {total}/27, {depression_severity(total).lower()}"]
        if not self.is_complete(task):
            parts.append("incomplete")
        parts.extend(f.message for f in self.risk_flags(task))
        return f"{self.shortname}: " + ", ".join(parts)

    def required_items(self, task: TaskData) -> Sequence[str]:
        if self.total(task, self.scored_items) > 0:
            return self.items
        return self.scored_items

    def summaries(self, task: TaskData) -> list[Summary]:
        return depression_summaries(self, task, self.scored_items, ("q9",))


class Phq8(ItemScale):
    tablename = "phq8"
    items = qfields("q", 1, 8)
    permitted = (0, 1, 2, 3)
    item_labels = numbered(_PHQ_SYMPTOMS[:8])
    option_labels = FREQUENCY_0_3
    trackers = (TrackerSpec("total", "PHQ-8 total score", 0, 24, DEPRESSION_CUTOFFS),)

    def summaries(self, task: TaskData) -> list[Summary]:
        return depression_summaries(self, task, self.items, ())


class Phq15(ItemScale):
    tablename = "phq15"
    items = qfields("q", 1, 15)
    permitted = (0, 1, 2)
    item_labels = numbered(
        (
            "Stomach pain",
            "Back pain",
            "Pain in arms, legs or joints",
            "Menstrual cramps or other period problems (women only)",
            "Headaches",
            "Chest pain",
            "Dizziness",
            "Fainting spells",
            "Heart pounding or racing",
            "Shortness of breath",
            "Pain or problems during sexual intercourse",
            "Constipation, loose bowels or diarrhoea",
            "Nausea, wind or indigestion",
            "Feeling tired or having low energy",
            "Trouble sleeping",
        )
    )
    option_labels = {0: "not bothered at all", 1: "bothered a little", 2: "bothered a lot"}
    # Kroenke et al. name the bands minimal/low/medium/high; the CamCOPS
    # server (and so every existing download) labels the same 5/10/15
    # boundaries None/Mild/Moderate/Severe, and we keep its labels.
    BANDS: ClassVar[tuple[tuple[float, str], ...]] = (
        (5, "Mild"),
        (10, "Moderate"),
        (15, "Severe"),
    )
    trackers = (
        TrackerSpec(
            "total",
            "PHQ-15 total score",
            0,
            30,
            tuple(Cutoff(value, label) for value, label in BANDS),
        ),
    )

    def required_items(self, task: TaskData) -> Sequence[str]:
        if task.patient_sex == "F":
            return self.items
        return tuple(i for i in self.items if i != "q4")

    def summaries(self, task: TaskData) -> list[Summary]:
        total = self.total(task)
        return [
            Summary("total", total, "Total somatic symptom score", 30),
            Summary(
                "severity",
                band(total, self.BANDS, "None"),
                "Somatic symptom severity: ≥15 severe, ≥10 moderate, ≥5 mild, else none "
                "(Kroenke et al.: high, medium, low, minimal)",
            ),
        ]


TASKS = (Phq9(), Phq8(), Phq15())
