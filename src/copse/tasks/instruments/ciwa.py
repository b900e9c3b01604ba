"""CIWA-Ar (Clinical Institute Withdrawal Assessment for Alcohol, revised).

Source: Sullivan, Sykora, Schneiderman, Naranjo & Sellers (1989) Br J Addict
84:1353 (public domain). Ten clinician ratings: nausea/vomiting, tremor,
paroxysmal sweats, anxiety, agitation, tactile, auditory and visual
disturbances, headache (each 0–7) and orientation/clouding of sensorium
(0–4). Total 0–67. Withdrawal severity: below 8 minimal to mild, 8–14
moderate, 15 or more severe (Sullivan et al. 1989 describe < 8–10 as
minimal to mild and ≥ 15 as severe withdrawal; the boundary between
"moderate" and "severe" is stated as 15 there, which we follow).

Risk flags: a rating of 4 or more on tactile, auditory or visual
disturbances (4 = "moderately severe hallucinations" in the scale's anchors)
and disorientation for place or person (orientation 4), signs of impending
delirium that must not wait for the total to be read.

Vital signs (temperature, pulse, blood pressure, respiratory rate) are
recorded beside the ratings but are not scored and not required.
Completeness: the ten ratings given with permitted values.
"""

from __future__ import annotations

from typing import ClassVar

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Cutoff, RiskFlag, Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale, band, numbered
from copse.tasks.values import qfields

SEVERITY_BANDS = ((8, "moderate withdrawal"), (15, "severe withdrawal"))
MILD = "minimal to mild withdrawal"
HALLUCINATION_ITEMS = {"q6": "tactile", "q7": "auditory", "q8": "visual"}
HALLUCINATION_LEVEL = 4
DISORIENTED_PLACE_PERSON = 4
VITALS = {
    "t": "Temperature (°C)",
    "hr": "Heart rate (beats/minute)",
    "sbp": "Systolic blood pressure (mmHg)",
    "dbp": "Diastolic blood pressure (mmHg)",
    "rr": "Respiratory rate (breaths/minute)",
}


class Ciwa(ItemScale):
    tablename = "ciwa"
    items = qfields("q", 1, 10)
    permitted = tuple(range(8))
    permitted_by_item = {"q10": (0, 1, 2, 3, 4)}
    item_labels = numbered(
        (
            "Nausea and vomiting",
            "Tremor",
            "Paroxysmal sweats",
            "Anxiety",
            "Agitation",
            "Tactile disturbances",
            "Auditory disturbances",
            "Visual disturbances",
            "Headache, fullness in head",
            "Orientation and clouding of sensorium",
        )
    )
    option_labels = {0: "0 (none)", **{n: f"{n}" for n in range(1, 7)}, 7: "7 (most severe)"}
    option_labels_by_item = {
        "q10": {
            0: "oriented, can do serial additions",
            1: "cannot do serial additions or uncertain about date",
            2: "disoriented for date by no more than 2 calendar days",
            3: "disoriented for date by more than 2 calendar days",
            4: "disoriented for place and/or person",
        }
    }
    column_meanings: ClassVar[dict[str, str]] = dict(VITALS)
    trackers = (
        TrackerSpec(
            "total",
            "CIWA-Ar total",
            0,
            67,
            tuple(Cutoff(v, label.capitalize()) for v, label in SEVERITY_BANDS),
        ),
    )

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        flags: list[RiskFlag] = []
        for item, sense in HALLUCINATION_ITEMS.items():
            rating = self.value(task, item)
            if rating is not None and rating >= HALLUCINATION_LEVEL:
                flags.append(RiskFlag(item, f"{sense} hallucinations (rated {rating})"))
        if self.value(task, "q10") == DISORIENTED_PLACE_PERSON:
            flags.append(RiskFlag("q10", "disoriented for place and/or person"))
        return flags

    def summaries(self, task: TaskData) -> list[Summary]:
        total = self.total(task)
        return [
            Summary("total", total, "Total of the ten ratings", 67),
            Summary(
                "severity",
                band(total, SEVERITY_BANDS, MILD),
                "Withdrawal: ≥15 severe, ≥8 moderate, else minimal to mild",
            ),
        ]

    def body_html(self, task: TaskData) -> Markup:
        vitals = h.section(
            "Vital signs", h.table([(label, task.get(col)) for col, label in VITALS.items()])
        )
        return Markup("").join((super().body_html(task), vitals))


TASKS = (Ciwa(),)
