"""AUDIT and AUDIT-C (alcohol use).

Sources:

* AUDIT: Babor, Higgins-Biddle, Saunders & Monteiro (2001), *The Alcohol Use
  Disorders Identification Test: guidelines for use in primary care*, 2nd
  ed., WHO. Items 1–8 are scored 0–4; items 9 and 10 are scored 0, 2 or 4.
  Total /40. The manual's skip rules define completeness: a person who never
  drinks (item 1 = 0) skips to items 9–10; so does one whose items 2 + 3 total
  0. Skipped items score 0. A total ≥8 indicates hazardous or harmful use;
  the manual's risk zones are I 0–7, II 8–15, III 16–19, IV 20–40.
* AUDIT-C: Bush et al. (1998) Arch Intern Med 158:1789. AUDIT items 1–3,
  each 0–4, total /12, all three required. Published positive-screen
  thresholds differ by sex and by guideline (≥3, ≥4, ≥5), so we report the
  total only.

Item and option labels are our own paraphrases.

The CamCOPS server accepts any code 0–4 for items 9 and 10 and adds it to the
total; the published items offer only 0, 2 and 4, so we keep that rule (a 1
or 3 there makes the task incomplete and is not added), declared in
``reference_differences``.
"""

from __future__ import annotations

from collections.abc import Sequence

from copse.tasks.base import Cutoff, Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale, band, numbered
from copse.tasks.values import qfields

HOW_OFTEN = {
    0: "never",
    1: "less than monthly",
    2: "monthly",
    3: "weekly",
    4: "daily or almost daily",
}
Q1_OPTIONS = {
    0: "never",
    1: "monthly or less",
    2: "2–4 times a month",
    3: "2–3 times a week",
    4: "4 or more times a week",
}
Q2_OPTIONS = {0: "1 or 2", 1: "3 or 4", 2: "5 or 6", 3: "7 to 9", 4: "10 or more"}
YES_LAST_YEAR = {0: "no", 2: "yes, but not in the last year", 4: "yes, during the last year"}

LABELS = (
    "How often do you have a drink containing alcohol?",
    "Standard drinks on a typical drinking day",
    "How often six or more drinks on one occasion",
    "How often unable to stop drinking once started (past year)",
    "How often failed to do what was expected because of drinking (past year)",
    "How often needed a first drink in the morning (past year)",
    "How often guilt or remorse after drinking (past year)",
    "How often unable to remember the night before (past year)",
    "Have you or someone else been injured because of your drinking?",
    "Has anyone been concerned about your drinking or suggested you cut down?",
)
ZONES = ((8, "Zone II"), (16, "Zone III"), (20, "Zone IV"))
_WHY_024 = (
    "the reference accepts 1 and 3 as answers to items 9 and 10 and adds them; the WHO manual "
    "scores these items 0, 2 or 4 only, so 1 or 3 is treated as invalid (task incomplete, "
    "not added)"
)


class Audit(ItemScale):
    tablename = "audit"
    items = qfields("q", 1, 10)
    permitted = (0, 1, 2, 3, 4)
    permitted_by_item = {"q9": (0, 2, 4), "q10": (0, 2, 4)}
    item_labels = numbered(LABELS)
    option_labels = HOW_OFTEN
    option_labels_by_item = {
        "q1": Q1_OPTIONS,
        "q2": Q2_OPTIONS,
        "q9": YES_LAST_YEAR,
        "q10": YES_LAST_YEAR,
    }
    trackers = (
        TrackerSpec(
            "total",
            "AUDIT total score (WHO risk zones)",
            0,
            40,
            tuple(Cutoff(value, label) for value, label in ZONES),
        ),
    )
    reference_differences = {"is_complete": _WHY_024, "total": _WHY_024}

    def required_items(self, task: TaskData) -> Sequence[str]:
        q1 = self.value(task, "q1")
        if q1 == 0:
            return ("q1", "q9", "q10")
        q2, q3 = self.value(task, "q2"), self.value(task, "q3")
        if q2 is not None and q3 is not None and q2 + q3 == 0:
            return ("q1", "q2", "q3", "q9", "q10")
        return self.items

    def summaries(self, task: TaskData) -> list[Summary]:
        total = self.total(task)
        return [
            Summary("total", total, "Total score", 40),
            Summary("hazardous_or_harmful", total >= 8, "Hazardous or harmful drinking (total ≥8)"),
            Summary(
                "risk_zone",
                band(total, ZONES, "Zone I"),
                "WHO risk zone: I 0–7, II 8–15, III 16–19, IV 20–40",
            ),
        ]


class AuditC(ItemScale):
    tablename = "audit_c"
    items = qfields("q", 1, 3)
    permitted = (0, 1, 2, 3, 4)
    item_labels = numbered(LABELS[:3])
    option_labels = HOW_OFTEN
    option_labels_by_item = {"q1": Q1_OPTIONS, "q2": Q2_OPTIONS}

    trackers = (TrackerSpec("total", "AUDIT-C total score", 0, 12),)

    def summaries(self, task: TaskData) -> list[Summary]:
        return [Summary("total", self.total(task), "Total score", 12)]


TASKS = (Audit(), AuditC())
