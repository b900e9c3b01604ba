"""Mother–infant attachment and bonding: MAAS (antenatal) and PBQ (postpartum).

Sources of the rules:

* MAAS, Maternal Antenatal Attachment Scale: Condon (1993) Br J Med Psychol
  66:167. Nineteen items scored 1–5, higher = stronger attachment; the
  answer options of each item are ordered so that the stored value already is
  the item score (positively and negatively worded items alike). Quality of
  attachment = items 3, 6, 9, 10, 11, 12, 13, 15, 16, 19 (10–50); time in
  attachment mode (intensity of preoccupation) = items 1, 2, 4, 5, 8, 14, 17,
  18 (8–40); global attachment = all 19 items (19–95). No published cut-offs.
* PBQ, Postpartum Bonding Questionnaire: Brockington et al. (2001) Arch
  Womens Ment Health 3:133 and Brockington, Fraser & Wilson (2006) Arch
  Womens Ment Health 9:233. Twenty-five items scored 0–5 (higher = more
  problem; the stored value is already the score, positive items reversed by
  option order). Factor 1 impaired bonding = items 1, 2, 6, 7, 8, 9, 10, 12,
  13, 15, 16, 17 (/60, high ≥12); factor 2 rejection and anger = 3, 4, 5,
  11, 14, 21, 23 (/35, high ≥13 in the 2006 revision; ≥17 in 2001); factor 3
  anxiety about care = 19, 20, 22, 25 (/20, high ≥10); factor 4 risk of abuse
  = 18, 24 (/10, high ≥3); total /125.

All items are required in both. The item wording is copyright; labels name
the subscale only, with the wording from extra strings when installed. Any
PBQ risk-of-abuse item above 0 is flagged for the clinician.
"""

from __future__ import annotations

from copse.tasks.base import Cutoff, RiskFlag, Summary, TaskData, TrackerSpec
from copse.tasks.values import qfields
from copse.tasks.wording import ExtraStringItemScale


def _q(*numbers: int) -> tuple[str, ...]:
    return tuple(f"q{n}" for n in numbers)


MAAS_QUALITY = _q(3, 6, 9, 10, 11, 12, 13, 15, 16, 19)
MAAS_TIME = _q(1, 2, 4, 5, 8, 14, 17, 18)

PBQ_FACTORS: dict[str, tuple[str, tuple[str, ...], int, int]] = {
    # summary name: (title, items, maximum, published "high" threshold)
    "factor_1_score": ("Impaired bonding", _q(1, 2, 6, 7, 8, 9, 10, 12, 13, 15, 16, 17), 60, 12),
    "factor_2_score": ("Rejection and anger", _q(3, 4, 5, 11, 14, 21, 23), 35, 13),
    "factor_3_score": ("Anxiety about care", _q(19, 20, 22, 25), 20, 10),
    "factor_4_score": ("Risk of abuse", _q(18, 24), 10, 3),
}


def _maas_label(item: str) -> str:
    n = item[1:]
    if item in MAAS_QUALITY:
        return f"{n}. Item {n} (quality of attachment)"
    if item in MAAS_TIME:
        return f"{n}. Item {n} (time in attachment mode)"
    return f"{n}. Item {n} (global score only)"


def _pbq_label(item: str) -> str:
    title = next(t for t, items, _, _ in PBQ_FACTORS.values() if item in items)
    return f"{item[1:]}. Item {item[1:]} ({title.lower()})"


class Maas(ExtraStringItemScale):
    tablename = "maas"
    items = qfields("q", 1, 19)
    permitted = (1, 2, 3, 4, 5)
    option_labels = {1: "1 (weakest)", 2: "2", 3: "3", 4: "4", 5: "5 (strongest)"}
    item_labels = {i: _maas_label(i) for i in qfields("q", 1, 19)}
    trackers = (
        TrackerSpec("global_attachment_score", "MAAS global attachment", 19, 95),
        TrackerSpec("quality_of_attachment_score", "MAAS quality of attachment", 10, 50),
        TrackerSpec("time_in_attachment_mode_score", "MAAS time in attachment mode", 8, 40),
    )

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "quality_of_attachment_score",
                self.total(task, MAAS_QUALITY),
                "Quality of attachment (10 items; 10–50 when complete)",
                50,
            ),
            Summary(
                "time_in_attachment_mode_score",
                self.total(task, MAAS_TIME),
                "Time in attachment mode / intensity of preoccupation (8 items; 8–40)",
                40,
            ),
            Summary(
                "global_attachment_score",
                self.total(task),
                "Global attachment (all 19 items; 19–95)",
                95,
            ),
        ]


class Pbq(ExtraStringItemScale):
    tablename = "pbq"
    items = qfields("q", 1, 25)
    permitted = (0, 1, 2, 3, 4, 5)
    option_labels = {0: "0 (no problem)", 1: "1", 2: "2", 3: "3", 4: "4", 5: "5 (most problem)"}
    item_labels = {i: _pbq_label(i) for i in qfields("q", 1, 25)}
    trackers = (
        TrackerSpec("total_score", "PBQ total", 0, 125),
        *(
            TrackerSpec(name, f"PBQ {title.lower()}", 0, top, (Cutoff(high, "High"),))
            for name, (title, _, top, high) in PBQ_FACTORS.items()
        ),
    )

    def summaries(self, task: TaskData) -> list[Summary]:
        out = [Summary("total_score", self.total(task), "Total score (25 items, 0–5 each)", 125)]
        for name, (title, items, top, high) in PBQ_FACTORS.items():
            out.append(
                Summary(name, self.total(task, items), f"{title} (high at {high} or more)", top)
            )
        return out

    def clinical_summary(self, task: TaskData) -> str:
        parts = [f"total {self.total(task)}/125"]
        for title, items, top, high in PBQ_FACTORS.values():
            score = self.total(task, items)
            parts.append(f"{title.lower()} {score}/{top}" + (" (high)" if score >= high else ""))
        if not self.is_complete(task):
            parts.append("incomplete")
        parts.extend(f.message for f in self.risk_flags(task))
        return f"{self.shortname}: " + ", ".join(parts)

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        flags: list[RiskFlag] = []
        for item in PBQ_FACTORS["factor_4_score"][1]:
            v = self.value(task, item)
            if v is not None and v > 0:
                flags.append(RiskFlag(item, f"item {item[1:]} (risk of abuse) = {v}/5"))
        return flags


TASKS = (Maas(), Pbq())
