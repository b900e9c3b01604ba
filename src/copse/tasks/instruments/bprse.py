"""BPRS-E (Brief Psychiatric Rating Scale, Expanded; version 4.0).

Sources: Lukoff, Nuechterlein & Ventura (1986) Schizophr Bull 12:594;
Ventura et al. (1993) Int J Methods Psychiatr Res 3:221 (manual, anchor
points). Twenty-four symptom constructs, each rated 1 (not present) to 7
(extremely severe), 0 meaning "not assessed". The total adds all 24 ratings
(24–168 when all are assessed; a "not assessed" item adds 0, as the reference
computes). Completeness: all 24 rated 0–7.

Risk flags: item 4 (suicidality) at 3 ("mild": occasional suicidal
thoughts) or above, and item 6 (hostility) at 6 ("severe") or above.
"""

from __future__ import annotations

from copse.tasks.base import RiskFlag, Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale, numbered
from copse.tasks.values import qfields

RATING_0_7 = {
    0: "not assessed",
    1: "not present",
    2: "very mild",
    3: "mild",
    4: "moderate",
    5: "moderately severe",
    6: "severe",
    7: "extremely severe",
}
#: (item, lowest rating flagged, what it means)
RISK_ITEMS = (("q4", 3, "suicidality"), ("q6", 6, "hostility"))


class Bprse(ItemScale):
    tablename = "bprse"
    items = qfields("q", 1, 24)
    permitted = tuple(range(8))
    item_labels = numbered(
        (
            "Somatic concern",
            "Anxiety",
            "Depression",
            "Suicidality",
            "Guilt",
            "Hostility",
            "Elevated mood",
            "Grandiosity",
            "Suspiciousness",
            "Hallucinations",
            "Unusual thought content",
            "Bizarre behaviour",
            "Self-neglect",
            "Disorientation",
            "Conceptual disorganisation",
            "Blunted affect",
            "Emotional withdrawal",
            "Motor retardation",
            "Tension",
            "Uncooperativeness",
            "Excitement",
            "Distractibility",
            "Motor hyperactivity",
            "Mannerisms and posturing",
        )
    )
    option_labels = RATING_0_7
    trackers = (TrackerSpec("total", "BPRS-E total", 0, 168),)

    def summaries(self, task: TaskData) -> list[Summary]:
        return [Summary("total", self.total(task), "Total of items 1–24 (not assessed = 0)", 168)]

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        flags: list[RiskFlag] = []
        for item, threshold, what in RISK_ITEMS:
            rating = self.value(task, item)
            if rating is not None and rating >= threshold:
                flags.append(RiskFlag(item, f"{what} rated {rating} ({RATING_0_7[rating]})"))
        return flags


TASKS = (Bprse(),)
