"""PANSS: Positive and Negative Syndrome Scale.

Source: Kay, Fiszbein & Opler (1987) Schizophr Bull 13:261. Thirty items
rated 1 (absent) to 7 (extreme): positive scale P1–P7 (7–49), negative scale
N1–N7 (7–49), general psychopathology G1–G16 (16–112); total 30–210;
composite = P − N (−42 to +42). Tracker cut-offs for the total are those
Leucht et al. (2005) Schizophr Res 79:231 linked to CGI severity: 58 mildly,
75 moderately, 95 markedly and 116 severely ill.

All 30 items are required. As elsewhere, incomplete tasks' scores sum the
items present (so they can be below the scale minimum). The item names are
the published short names; their rating criteria are copyright and come only
from extra strings.
"""

from __future__ import annotations

from copse.tasks.base import Cutoff, RiskFlag, Summary, TaskData, TrackerSpec
from copse.tasks.values import qfields
from copse.tasks.wording import ExtraStringItemScale

P_ITEMS = qfields("p", 1, 7)
N_ITEMS = qfields("n", 1, 7)
G_ITEMS = qfields("g", 1, 16)
RATINGS = {
    1: "absent",
    2: "minimal",
    3: "mild",
    4: "moderate",
    5: "moderate severe",
    6: "severe",
    7: "extreme",
}
_NAMES = {
    "p": ("Delusions", "Conceptual disorganization", "Hallucinatory behaviour", "Excitement",
          "Grandiosity", "Suspiciousness/persecution", "Hostility"),
    "n": ("Blunted affect", "Emotional withdrawal", "Poor rapport",
          "Passive/apathetic social withdrawal", "Difficulty in abstract thinking",
          "Lack of spontaneity and flow of conversation", "Stereotyped thinking"),
    "g": ("Somatic concern", "Anxiety", "Guilt feelings", "Tension", "Mannerisms and posturing",
          "Depression", "Motor retardation", "Uncooperativeness", "Unusual thought content",
          "Disorientation", "Poor attention", "Lack of judgement and insight",
          "Disturbance of volition", "Poor impulse control", "Preoccupation",
          "Active social avoidance"),
}  # fmt: skip
ILLNESS_CUTOFFS = (
    Cutoff(58, "Mildly ill"),
    Cutoff(75, "Moderately ill"),
    Cutoff(95, "Markedly ill"),
    Cutoff(116, "Severely ill"),
)
#: Items about harm to others, flagged from "moderate severe" (5) upwards.
HARM_ITEMS = {"p7": "P7 (hostility)", "g14": "G14 (poor impulse control)"}


class Panss(ExtraStringItemScale):
    tablename = "panss"
    items = (*P_ITEMS, *N_ITEMS, *G_ITEMS)
    permitted = (1, 2, 3, 4, 5, 6, 7)
    option_labels = RATINGS
    item_labels = {
        f"{scale}{n}": f"{scale.upper()}{n}. {name}"
        for scale, names in _NAMES.items()
        for n, name in enumerate(names, start=1)
    }
    trackers = (
        TrackerSpec("total", "PANSS total", 30, 210, ILLNESS_CUTOFFS),
        TrackerSpec("p", "PANSS positive scale", 7, 49),
        TrackerSpec("n", "PANSS negative scale", 7, 49),
        TrackerSpec("g", "PANSS general psychopathology scale", 16, 112),
    )

    def summaries(self, task: TaskData) -> list[Summary]:
        p = self.total(task, P_ITEMS)
        n = self.total(task, N_ITEMS)
        g = self.total(task, G_ITEMS)
        return [
            Summary("total", p + n + g, "Total score (30 items, 1–7 each; 30–210)", 210),
            Summary("p", p, "Positive scale P1–P7 (7–49)", 49),
            Summary("n", n, "Negative scale N1–N7 (7–49)", 49),
            Summary("g", g, "General psychopathology scale G1–G16 (16–112)", 112),
            Summary("composite", p - n, "Composite scale: positive minus negative (−42 to 42)"),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        s = {x.name: x.value for x in self.summaries(task)}
        parts = [
            f"total {s['total']}/210 (P {s['p']}, N {s['n']}, G {s['g']}, "
            f"composite {s['composite']})"
        ]
        if not self.is_complete(task):
            parts.append("incomplete")
        parts.extend(f.message for f in self.risk_flags(task))
        return f"{self.shortname}: " + ", ".join(parts)

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        flags: list[RiskFlag] = []
        for item, name in HARM_ITEMS.items():
            v = self.value(task, item)
            if v is not None and v >= 5:
                flags.append(RiskFlag(item, f"{name} = {v}, {RATINGS[v]}"))
        return flags


TASKS = (Panss(),)
