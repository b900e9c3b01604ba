"""PDSS (Panic Disorder Severity Scale).

Source: Shear et al. (1997) Am J Psychiatry 154:1571. Seven clinician-rated
items (panic frequency, distress during attacks, anticipatory anxiety,
situational fear/avoidance, fear/avoidance of bodily sensations, impairment
in work and in social functioning), each 0–4; total /28. The *composite*
score is the mean item score (0–4), computed like the reference from the
items answered (None if none is). All seven items are required.

Interpretation (Furukawa et al. 2009, Depress Anxiety 26:922), for patients
without agoraphobia: 0–1 normal, 2–5 borderline, 6–9 slightly ill, 10–13
moderately ill, ≥14 markedly ill; remission is a total ≤5. The tracker draws
these lines; no band summary is given because the bands differ with
agoraphobia, which the scale does not record.
"""

from __future__ import annotations

from copse.tasks.base import Cutoff, Summary, TaskData, TrackerSpec
from copse.tasks.values import qfields
from copse.tasks.wording import ExtraStringItemScale


class Pdss(ExtraStringItemScale):
    label_with_wording = False
    tablename = "pdss"
    items = qfields("q", 1, 7)
    permitted = (0, 1, 2, 3, 4)
    item_labels = {
        "q1": "1. Frequency of panic attacks",
        "q2": "2. Distress during panic attacks",
        "q3": "3. Anticipatory anxiety",
        "q4": "4. Agoraphobic fear and avoidance",
        "q5": "5. Fear and avoidance of panic-related sensations",
        "q6": "6. Impairment in work functioning",
        "q7": "7. Impairment in social functioning",
    }
    option_labels = {0: "none", 1: "mild", 2: "moderate", 3: "severe", 4: "extreme"}
    trackers = (
        TrackerSpec(
            "total_score",
            "PDSS total score",
            0,
            28,
            (
                Cutoff(2, "borderline (no agoraphobia)"),
                Cutoff(6, "slightly ill"),
                Cutoff(10, "moderately ill"),
                Cutoff(14, "markedly ill"),
            ),
        ),
    )

    def summaries(self, task: TaskData) -> list[Summary]:
        answered = [v for v in self.values(task) if v is not None]
        composite = sum(answered) / len(answered) if answered else None
        return [
            Summary("total_score", self.total(task), "Total score (answered items)", 28),
            Summary(
                "composite_score",
                composite,
                "Composite score: mean of the answered items (0–4)",
                4,
                kind="float",
            ),
        ]


TASKS = (Pdss(),)
