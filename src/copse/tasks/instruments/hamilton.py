"""Hamilton rating scales: HAM-A, HAM-D (17 scored items of 21) and HAMD-7.

Sources of the rules:

* HAM-A: Hamilton (1959) Br J Med Psychol 32:50. Fourteen clinician-rated
  items, each 0 (not present) to 4 (very severe); total /56. Severity bands as
  commonly used with it and as the reference labels them: ≤17 mild, 18–24
  mild to moderate, 25–30 moderate to severe, ≥31 very severe. (Other band
  sets exist, e.g. Matza et al. 2010; we keep the reference's so that
  downloads agree.)
* HAM-D: Hamilton (1960) J Neurol Neurosurg Psychiatry 23:56 and Hamilton
  (1967) Br J Soc Clin Psychol 6:278. The total /52 is the sum of the first 17
  items; item 16 (weight loss) is rated either by history (16A) or by
  measurement (16B), whichever the rater chose, and its answer 3 ("not
  assessed") scores 0. Items 18–21 (diurnal variation, depersonalisation,
  paranoid and obsessional symptoms) are recorded but not in the total.
  Bands: 0–7 no depression, 8–13 mild, 14–18 moderate, 19–22 severe, ≥23 very
  severe (the widely cited reading of the HAM-D-17 total; it is the
  reference's).
* HAMD-7: McIntyre et al. (2002) J Psychiatry Neurosci 27:235 and McIntyre et
  al. (2005) J Affect Disord 88:243. Seven items (depressed mood, guilt,
  interest, psychic anxiety, somatic anxiety, energy 0–2, suicide); total
  /26; 0–3 no depression (remission), 4–11 mild, 12–16 moderate, ≥17 severe.

Completeness: every item of the rated version answered within its range. For
HAM-D that is items 1–15, 17, the choice of 16A/16B and the chosen one, and
items 18A, 19–21, with 18B (severity of diurnal variation) needed only when
18A records a variation — our reading of the form, which asks 18B "if
present". The Hamilton scales are public domain, but item labels here are
our own short names of the symptom each item rates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from copse.tasks.base import Cutoff, RiskFlag, Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale, band, numbered
from copse.tasks.values import int_in, qfields

SEVERITY_0_4 = {0: "absent", 1: "mild", 2: "moderate", 3: "severe", 4: "very severe"}
SEVERITY_0_2 = {0: "absent", 1: "mild or doubtful", 2: "clearly present"}
ZERO_TO_FOUR = (0, 1, 2, 3, 4)
ZERO_TO_TWO = (0, 1, 2)

HAMA_BANDS = ((18, "Mild to moderate"), (25, "Moderate to severe"), (31, "Very severe"))
HAMD_BANDS = (
    (8, "Mild depression"),
    (14, "Moderate depression"),
    (19, "Severe depression"),
    (23, "Very severe depression"),
)
HAMD7_BANDS = ((4, "Mild depression"), (12, "Moderate depression"), (17, "Severe depression"))


def _cutoffs(bands: Sequence[tuple[float, str]]) -> tuple[Cutoff, ...]:
    return tuple(Cutoff(value, label) for value, label in bands)


def _one_line(
    definition: ItemScale, task: TaskData, total: int, top: int, severity: str | None
) -> str:
    """ "HAM-D: total 20/52, severe depression, incomplete, item 3 (suicide) = 1, mild"."""
    parts = [f"total {total}/{top}, {(severity or '').lower()}"]
    if not definition.is_complete(task):
        parts.append("incomplete")
    parts.extend(f.message for f in definition.risk_flags(task))
    return f"{definition.shortname}: " + ", ".join(parts)


def _suicide_flag(task: TaskData, item: str, number: int) -> list[RiskFlag]:
    """Any suicidality rating above "absent" must reach the clinician."""
    value = int_in(task.get(item), ZERO_TO_FOUR)
    if value is not None and value > 0:
        return [RiskFlag(item, f"item {number} (suicide) = {value}, {SEVERITY_0_4[value]}")]
    return []


class Hama(ItemScale):
    tablename = "hama"
    items = qfields("q", 1, 14)
    permitted = ZERO_TO_FOUR
    option_labels = SEVERITY_0_4
    item_labels = numbered(
        (
            "Anxious mood",
            "Tension",
            "Fears",
            "Insomnia",
            "Intellectual (cognitive) difficulties",
            "Depressed mood",
            "Somatic complaints: muscular",
            "Somatic complaints: sensory",
            "Cardiovascular symptoms",
            "Respiratory symptoms",
            "Gastrointestinal symptoms",
            "Genitourinary symptoms",
            "Autonomic symptoms",
            "Behaviour at interview",
        )
    )
    trackers = (TrackerSpec("total", "HAM-A total score", 0, 56, _cutoffs(HAMA_BANDS)),)

    def summaries(self, task: TaskData) -> list[Summary]:
        total = self.total(task)
        return [
            Summary("total", total, "Total score (14 items, each 0–4)", 56),
            Summary(
                "severity",
                band(total, HAMA_BANDS, "Mild"),
                "Severity: ≥31 very severe, ≥25 moderate to severe, ≥18 mild to moderate, "
                "else mild",
                kind="str",
            ),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        total = self.total(task)
        return _one_line(self, task, total, 56, band(total, HAMA_BANDS, "Mild"))


class Hamd(ItemScale):
    tablename = "hamd"
    SCORED: ClassVar[tuple[str, ...]] = (*qfields("q", 1, 15), "q17")
    items = (
        *qfields("q", 1, 15),
        "whichq16",
        "q16a",
        "q16b",
        "q17",
        "q18a",
        "q18b",
        *qfields("q", 19, 21),
    )
    permitted = ZERO_TO_FOUR
    permitted_by_item = {
        **{q: ZERO_TO_TWO for q in ("q4", "q5", "q6", "q12", "q13", "q14", "q17", "q21")},
        "whichq16": (0, 1),
        "q16a": (0, 1, 2, 3),
        "q16b": (0, 1, 2, 3),
        "q18a": ZERO_TO_TWO,
        "q18b": ZERO_TO_TWO,
        "q20": (0, 1, 2, 3),
    }
    option_labels = SEVERITY_0_4
    option_labels_by_item = {
        **{q: SEVERITY_0_2 for q in ("q4", "q5", "q6", "q12", "q13", "q14", "q17", "q21")},
        "whichq16": {0: "16A, by history", 1: "16B, by measurement"},
        "q16a": {0: "no loss", 1: "probable loss", 2: "definite loss", 3: "not assessed"},
        "q16b": {
            0: "under 1 lb (0.5 kg) in the week",
            1: "over 1 lb (0.5 kg)",
            2: "over 2 lb (1 kg)",
            3: "not assessed",
        },
        "q18a": {0: "no variation", 1: "worse in the morning", 2: "worse in the evening"},
        "q18b": {0: "none", 1: "mild", 2: "severe"},
        "q20": {0: "none", 1: "suspicious", 2: "ideas of reference", 3: "delusions"},
    }
    item_labels = {
        **numbered(
            (
                "Depressed mood",
                "Feelings of guilt",
                "Suicide",
                "Insomnia: early in the night",
                "Insomnia: middle of the night",
                "Insomnia: early hours of the morning",
                "Work and activities",
                "Retardation",
                "Agitation",
                "Anxiety: psychic",
                "Anxiety: somatic",
                "Somatic symptoms: gastrointestinal",
                "General somatic symptoms",
                "Genital symptoms",
                "Hypochondriasis",
            )
        ),
        "whichq16": "16. Weight loss: rated by history (A) or by measurement (B)",
        "q16a": "16A. Weight loss, by history",
        "q16b": "16B. Weight loss, by measurement (per week)",
        "q17": "17. Insight",
        "q18a": "18A. Diurnal variation",
        "q18b": "18B. Diurnal variation: severity",
        "q19": "19. Depersonalisation and derealisation",
        "q20": "20. Paranoid symptoms",
        "q21": "21. Obsessional and compulsive symptoms",
    }
    trackers = (TrackerSpec("total", "HAM-D total score", 0, 52, _cutoffs(HAMD_BANDS)),)

    def weight_item(self, task: TaskData) -> str | None:
        """The column holding item 16, as chosen by the rater (None: not chosen)."""
        which = self.value(task, "whichq16")
        if which is None:
            return None
        return "q16a" if which == 0 else "q16b"

    def required_items(self, task: TaskData) -> Sequence[str]:
        required = [*self.SCORED, "whichq16", "q18a", "q19", "q20", "q21"]
        weight = self.weight_item(task)
        if weight is not None:
            required.append(weight)
        if (self.value(task, "q18a") or 0) > 0:
            required.append("q18b")
        return required

    def hamd_total(self, task: TaskData) -> int:
        total = self.total(task, self.SCORED)
        weight = self.weight_item(task)
        if weight is not None:
            w = self.value(task, weight)
            if w is not None and w != 3:  # 3 = not assessed, scores nothing
                total += w
        return total

    def summaries(self, task: TaskData) -> list[Summary]:
        total = self.hamd_total(task)
        return [
            Summary("total", total, "Total score (items 1–17)", 52),
            Summary(
                "severity",
                band(total, HAMD_BANDS, "No depression"),
                "Severity: ≥23 very severe, ≥19 severe, ≥14 moderate, ≥8 mild, else none",
                kind="str",
            ),
        ]

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        return _suicide_flag(task, "q3", 3)

    def clinical_summary(self, task: TaskData) -> str:
        total = self.hamd_total(task)
        return _one_line(self, task, total, 52, band(total, HAMD_BANDS, "No depression"))


class Hamd7(ItemScale):
    tablename = "hamd7"
    items = qfields("q", 1, 7)
    permitted = ZERO_TO_FOUR
    permitted_by_item = {"q6": ZERO_TO_TWO}
    option_labels = SEVERITY_0_4
    option_labels_by_item = {"q6": SEVERITY_0_2}
    item_labels = numbered(
        (
            "Depressed mood",
            "Feelings of guilt",
            "Interest, pleasure, level of activities",
            "Psychic anxiety",
            "Somatic anxiety",
            "Energy (somatic symptoms)",
            "Suicide",
        )
    )
    trackers = (TrackerSpec("total", "HAMD-7 total score", 0, 26, _cutoffs(HAMD7_BANDS)),)

    def summaries(self, task: TaskData) -> list[Summary]:
        total = self.total(task)
        return [
            Summary("total", total, "Total score (7 items)", 26),
            Summary(
                "severity",
                band(total, HAMD7_BANDS, "No depression"),
                "Severity: ≥17 severe, ≥12 moderate, ≥4 mild, else none (remission)",
                kind="str",
            ),
        ]

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        return _suicide_flag(task, "q7", 7)

    def clinical_summary(self, task: TaskData) -> str:
        total = self.total(task)
        return _one_line(self, task, total, 26, band(total, HAMD7_BANDS, "No depression"))


TASKS = (Hama(), Hamd(), Hamd7())
