"""Axial spondyloarthritis activity: BASDAI and ASDAS.

Sources of the rules:

* BASDAI: Garrett et al. (1994) J Rheumatol 21:2286. Six questions on
  0–10 scales (fatigue, spinal pain, peripheral joint pain/swelling,
  localised tenderness, morning stiffness severity, morning stiffness
  duration). BASDAI = (Q1 + Q2 + Q3 + Q4 + (Q5 + Q6) / 2) / 5, range 0–10;
  defined only when all six are answered. A score of 4 or more is the
  conventional threshold of active disease (Braun et al. 2003, ASAS
  recommendations).
* ASDAS: Lukas et al. (2009) Ann Rheum Dis 68:18; van der Heijde et al.
  (2009) Ann Rheum Dis 68:1811; cut-offs Machado et al. (2011) Ann Rheum Dis
  70:47. With back pain (B), duration of morning stiffness (S), patient
  global (G) and peripheral pain/swelling (P), each 0–10:
  ASDAS-CRP = 0.12 B + 0.06 S + 0.11 G + 0.07 P + 0.58 ln(CRP + 1) (CRP in
  mg/L); ASDAS-ESR = 0.08 B + 0.07 S + 0.11 G + 0.09 P + 0.29 √ESR (mm/h).
  Disease activity: < 1.3 inactive, < 2.1 moderate, ≤ 3.5 high, > 3.5 very
  high. ASDAS recommends substituting 2 mg/L for a CRP below 2 (Machado 2015);
  CamCOPS does not, and we follow CamCOPS so that scores compare with earlier
  data (the formula is the published one).

ASDAS activity labels: the reference reports the task's extra string for the
state ("[asdas: very_high]" when its server has no strings installed). Our
summary value is the installed extra string when there is one, else the same
bracketed key, so downloads compare with CamCOPS ones; views and the clinical
line show a readable label. Completeness for ASDAS: all six inputs present
and in range (CRP and ESR non-negative).
"""

from __future__ import annotations

import math
from typing import ClassVar

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Cutoff, Summary, TaskData, TaskDefinition, TrackerSpec
from copse.tasks.meta import format_number
from copse.tasks.values import as_float, qfields

BASDAI_ACTIVE = 4.0
ASDAS_CUTOFFS = (Cutoff(1.3, "Moderate"), Cutoff(2.1, "High"), Cutoff(3.5, "Very high"))
ASDAS_STATES = {
    "inactive": "Inactive disease",
    "moderate": "Moderate disease activity",
    "high": "High disease activity",
    "very_high": "Very high disease activity",
    "n_a": "Not calculable",
}


def in_0_10(value: object) -> float | None:
    """A 0–10 visual-analogue answer, else None."""
    f = as_float(value)
    return f if f is not None and 0 <= f <= 10 else None


def non_negative(value: object) -> float | None:
    """A laboratory value that can be used (≥ 0), else None."""
    f = as_float(value)
    return f if f is not None and f >= 0 else None


class Basdai(TaskDefinition):
    tablename = "basdai"
    items: ClassVar[tuple[str, ...]] = qfields("q", 1, 6)
    labels: ClassVar[dict[str, str]] = {
        "q1": "1. Fatigue or tiredness",
        "q2": "2. Neck, back or hip pain",
        "q3": "3. Pain or swelling in other joints",
        "q4": "4. Discomfort from areas tender to touch or pressure",
        "q5": "5. Severity of morning stiffness",
        "q6": "6. Duration of morning stiffness (0 = none, 10 = 2 hours or more)",
    }
    column_meanings: ClassVar[dict[str, str]] = {k: f"{v} (0–10 scale)" for k, v in labels.items()}
    trackers = (TrackerSpec("basdai", "BASDAI", 0, 10, (Cutoff(BASDAI_ACTIVE, "Active disease"),)),)

    def is_complete(self, task: TaskData) -> bool:
        return all(in_0_10(task.get(q)) is not None for q in self.items)

    def score(self, task: TaskData) -> float | None:
        v = [in_0_10(task.get(q)) for q in self.items]
        if any(x is None for x in v):
            return None
        q1, q2, q3, q4, q5, q6 = (x or 0.0 for x in v)
        return (q1 + q2 + q3 + q4 + (q5 + q6) / 2) / 5

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "basdai",
                self.score(task),
                "BASDAI = (Q1+Q2+Q3+Q4+(Q5+Q6)/2)/5; ≥4 suggests active disease",
                10,
                kind="float",
            )
        ]

    def clinical_summary(self, task: TaskData) -> str:
        score = self.score(task)
        if score is None:
            return f"{self.shortname}: not calculable (incomplete)"
        active = " (active disease, ≥4)" if score >= BASDAI_ACTIVE else ""
        return f"{self.shortname}: {format_number(score)}/10{active}"

    def body_html(self, task: TaskData) -> Markup:
        rows = [(label, task.get(q)) for q, label in self.labels.items()]
        return h.section(
            "Questions and answers",
            h.table(rows, header=("Question", "Answer (0–10)"), css_class="copse-answers"),
        )


def asdas_state_key(score: float | None) -> str:
    """The reference's extra-string key of an ASDAS activity state."""
    if score is None:
        return "n_a"
    if score < 1.3:
        return "inactive"
    if score < 2.1:
        return "moderate"
    if score <= 3.5:
        return "high"
    return "very_high"


class Asdas(TaskDefinition):
    tablename = "asdas"
    scale_items: ClassVar[tuple[str, ...]] = qfields("q", 1, 4)
    labels: ClassVar[dict[str, str]] = {
        "q1": "1. Back pain (0–10)",
        "q2": "2. Duration of morning stiffness (0–10)",
        "q3": "3. Patient global assessment of disease activity (0–10)",
        "q4": "4. Peripheral pain/swelling (0–10)",
        "q5": "5. C-reactive protein, CRP (mg/L)",
        "q6": "6. Erythrocyte sedimentation rate, ESR (mm/h)",
    }
    column_meanings: ClassVar[dict[str, str]] = dict(labels)
    trackers = (
        TrackerSpec("asdas_crp", "ASDAS-CRP", 0, 7, ASDAS_CUTOFFS),
        TrackerSpec("asdas_esr", "ASDAS-ESR", 0, 7, ASDAS_CUTOFFS),
    )

    def scale_values(self, task: TaskData) -> list[float] | None:
        v = [in_0_10(task.get(q)) for q in self.scale_items]
        return None if any(x is None for x in v) else [x or 0.0 for x in v]

    def is_complete(self, task: TaskData) -> bool:
        return (
            self.scale_values(task) is not None
            and non_negative(task.get("q5")) is not None
            and non_negative(task.get("q6")) is not None
        )

    def asdas_crp(self, task: TaskData) -> float | None:
        v, crp = self.scale_values(task), non_negative(task.get("q5"))
        if v is None or crp is None:
            return None
        back, stiff, glob, periph = v
        return 0.12 * back + 0.06 * stiff + 0.11 * glob + 0.07 * periph + 0.58 * math.log(crp + 1)

    def asdas_esr(self, task: TaskData) -> float | None:
        v, esr = self.scale_values(task), non_negative(task.get("q6"))
        if v is None or esr is None:
            return None
        back, stiff, glob, periph = v
        return 0.08 * back + 0.07 * stiff + 0.11 * glob + 0.09 * periph + 0.29 * math.sqrt(esr)

    @staticmethod
    def state(task: TaskData, score: float | None) -> str:
        """Activity state as the reference reports it (its extra string or key)."""
        key = asdas_state_key(score)
        return task.xstring(key, f"[asdas: {key}]")

    def summaries(self, task: TaskData) -> list[Summary]:
        crp, esr = self.asdas_crp(task), self.asdas_esr(task)
        return [
            Summary("asdas_crp", crp, "ASDAS using CRP", kind="float"),
            Summary("activity_state_crp", self.state(task, crp), "Disease activity (CRP)"),
            Summary("asdas_esr", esr, "ASDAS using ESR", kind="float"),
            Summary("activity_state_esr", self.state(task, esr), "Disease activity (ESR)"),
        ]

    def html_summaries(self, task: TaskData) -> list[Summary]:
        crp, esr = self.asdas_crp(task), self.asdas_esr(task)
        return [
            Summary("asdas_crp", crp, "ASDAS using CRP", kind="float"),
            Summary(
                "activity_state_crp",
                ASDAS_STATES[asdas_state_key(crp)],
                "Disease activity: <1.3 inactive, <2.1 moderate, ≤3.5 high, >3.5 very high",
            ),
            Summary("asdas_esr", esr, "ASDAS using ESR", kind="float"),
            Summary(
                "activity_state_esr",
                ASDAS_STATES[asdas_state_key(esr)],
                "Disease activity: <1.3 inactive, <2.1 moderate, ≤3.5 high, >3.5 very high",
            ),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        parts = []
        for name, score in (
            ("ASDAS-CRP", self.asdas_crp(task)),
            ("ASDAS-ESR", self.asdas_esr(task)),
        ):
            if score is None:
                parts.append(f"{name} not calculable")
            else:
                state = ASDAS_STATES[asdas_state_key(score)].lower()
                parts.append(f"{name} {score:.2f} ({state})")
        return f"{self.shortname}: " + ", ".join(parts)

    def body_html(self, task: TaskData) -> Markup:
        rows = [(label, task.get(q)) for q, label in self.labels.items()]
        return h.section(
            "Questions and answers",
            h.table(rows, header=("Question", "Answer"), css_class="copse-answers"),
        )


TASKS = (Basdai(), Asdas())
