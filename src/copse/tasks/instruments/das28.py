"""DAS28 (Disease Activity Score, 28 joints) for rheumatoid arthritis.

Source: Prevoo et al. (1995) Arthritis Rheum 38:44 (DAS28-ESR), and the
DAS28-CRP formula of the DAS28 scoring guidance (Radboud University,
das-score.nl). Twenty-eight joints (shoulders, elbows, wrists, MCP 1–5,
PIP 1–5, knees, each side) are examined for tenderness and swelling; the
patient rates global health on a 0–100 visual analogue scale (VAS):

* DAS28-ESR = 0.56 √TJC + 0.28 √SJC + 0.70 ln(ESR) + 0.014 VAS
* DAS28-CRP = 0.56 √TJC + 0.28 √SJC + 0.36 ln(CRP + 1) + 0.014 VAS + 0.96

(TJC/SJC: tender/swollen joint counts; ESR in mm/h; CRP in mg/L). Each score
needs the VAS and its own laboratory value (ESR > 0); unexamined joints count
as not affected, as the CamCOPS server counts them. Disease activity
(Fransen & van Riel): > 5.1 high, > 3.2 moderate, ≥ 2.6 low, < 2.6
remission. Completeness: every joint examined, and the VAS, CRP and ESR.

The CamCOPS server writes its activity states as extra-string keys
("[das28: high]" when the server has no text installed); we write the
state itself ("high", or the server's extra string when installed),
declared in ``reference_differences``.
"""

from __future__ import annotations

import math

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition
from copse.tasks.meta import Cutoff, TrackerSpec
from copse.tasks.values import as_float, int_in, int_in_range

JOINTS = (
    "shoulder",
    "elbow",
    "wrist",
    *(f"mcp_{n}" for n in range(1, 6)),
    *(f"pip_{n}" for n in range(1, 6)),
    "knee",
)
SIDES = ("left", "right")
JOINT_FIELDS = tuple(
    f"{side}_{joint}_{sign}" for joint in JOINTS for side in SIDES for sign in ("swollen", "tender")
)
CUTOFFS = (Cutoff(2.6, "Low"), Cutoff(3.2, "Moderate"), Cutoff(5.1, "High"))
_WHY_STATE = (
    "the reference writes an extra-string key (e.g. '[das28: high]' when no text is installed); "
    "we write the state itself: remission, low, moderate or high"
)


def joint_name(joint: str) -> str:
    """'mcp_2' → 'MCP 2'; 'knee' → 'knee'."""
    return joint.replace("_", " ").upper() if "_" in joint else joint


def activity_state(task: TaskData, score: float | None) -> str | None:
    """Fransen & van Riel's activity state of a DAS28 value (None if no score)."""
    if score is None:
        return None
    if score > 5.1:
        key = "high"
    elif score > 3.2:
        key = "moderate"
    elif score >= 2.6:
        key = "low"
    else:
        key = "remission"
    return task.xstring(key, key)


class Das28(TaskDefinition):
    tablename = "das28"
    trackers = (
        TrackerSpec("das28_crp", "DAS28-CRP", 0, 10, CUTOFFS),
        TrackerSpec("das28_esr", "DAS28-ESR", 0, 10, CUTOFFS),
    )
    reference_differences = {"activity_state_crp": _WHY_STATE, "activity_state_esr": _WHY_STATE}
    column_meanings = {
        **{
            f"{side}_{joint}_{sign}": f"{side.capitalize()} {joint_name(joint)} {sign} "
            "(0 no, 1 yes)"
            for joint in JOINTS
            for side in SIDES
            for sign in ("swollen", "tender")
        },
        "vas": "Patient's global assessment of health, VAS 0 (best) to 100 (worst)",
        "crp": "C-reactive protein, mg/L",
        "esr": "Erythrocyte sedimentation rate, mm/h",
    }

    def count(self, task: TaskData, sign: str) -> int:
        return sum(1 for f in JOINT_FIELDS if f.endswith(sign) and int_in(task.get(f), (0, 1)) == 1)

    def lab(self, task: TaskData, column: str) -> float | None:
        value = as_float(task.get(column))
        return value if value is not None and value >= 0 else None

    def is_complete(self, task: TaskData) -> bool:
        return (
            all(int_in(task.get(f), (0, 1)) is not None for f in JOINT_FIELDS)
            and int_in_range(task.get("vas"), 0, 100) is not None
            and self.lab(task, "crp") is not None
            and self.lab(task, "esr") is not None
        )

    def joint_part(self, task: TaskData) -> float:
        return 0.56 * math.sqrt(self.count(task, "tender")) + 0.28 * math.sqrt(
            self.count(task, "swollen")
        )

    def das28_crp(self, task: TaskData) -> float | None:
        vas, crp = int_in_range(task.get("vas"), 0, 100), self.lab(task, "crp")
        if vas is None or crp is None:
            return None
        return self.joint_part(task) + 0.36 * math.log(crp + 1) + 0.014 * vas + 0.96

    def das28_esr(self, task: TaskData) -> float | None:
        vas, esr = int_in_range(task.get("vas"), 0, 100), self.lab(task, "esr")
        if vas is None or esr is None or esr <= 0:
            return None
        return self.joint_part(task) + 0.70 * math.log(esr) + 0.014 * vas

    def summaries(self, task: TaskData) -> list[Summary]:
        crp, esr = self.das28_crp(task), self.das28_esr(task)
        return [
            Summary("das28_crp", crp, "DAS28-CRP", kind="float"),
            Summary(
                "activity_state_crp",
                activity_state(task, crp),
                "Disease activity by DAS28-CRP (>5.1 high, >3.2 moderate, ≥2.6 low, else "
                "remission)",
                kind="str",
            ),
            Summary("das28_esr", esr, "DAS28-ESR", kind="float"),
            Summary(
                "activity_state_esr",
                activity_state(task, esr),
                "Disease activity by DAS28-ESR (>5.1 high, >3.2 moderate, ≥2.6 low, else "
                "remission)",
                kind="str",
            ),
            Summary("tender_joint_count", self.count(task, "tender"), "Tender joints", 28),
            Summary("swollen_joint_count", self.count(task, "swollen"), "Swollen joints", 28),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        parts = []
        for name, score in (("CRP", self.das28_crp(task)), ("ESR", self.das28_esr(task))):
            if score is not None:
                parts.append(f"DAS28-{name} {score:.2f} ({activity_state(task, score)})")
        if not self.is_complete(task):
            parts.append("incomplete")
        return f"{self.shortname}: " + (", ".join(parts) if parts else "no score")

    def body_html(self, task: TaskData) -> Markup:
        yes_no = {0: "no", 1: "yes"}
        rows = [
            (
                f"{side.capitalize()} {joint_name(joint)}",
                h.answer(task.get(f"{side}_{joint}_tender"), yes_no),
                h.answer(task.get(f"{side}_{joint}_swollen"), yes_no),
            )
            for joint in JOINTS
            for side in SIDES
        ]
        joints = h.table(rows, header=("Joint", "Tender", "Swollen"), css_class="copse-answers")
        other = h.table(
            [
                ("Patient global health VAS (0–100)", task.get("vas")),
                ("CRP (mg/L)", task.get("crp")),
                ("ESR (mm/h)", task.get("esr")),
            ]
        )
        return Markup("{}{}").format(h.section("Joints", joints), h.section("Measures", other))


TASKS = (Das28(),)
