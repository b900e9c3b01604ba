"""HADS (Hospital Anxiety and Depression Scale), self-report and respondent.

Source: Zigmond & Snaith (1983) Acta Psychiatr Scand 67:361. Fourteen items
each scored 0–3; the odd-numbered items form the anxiety subscale (HADS-A,
/21) and the even-numbered items the depression subscale (HADS-D, /21).
Bands per subscale: 0–7 normal, 8–10 borderline (doubtful case), 11–21
abnormal (definite case). All fourteen items are required.

Reverse scoring: on the HADS form the four responses of each item are printed
in varying order with their scores beside them (e.g. for some items the first
response scores 3, for others 0); that is how the instrument's reverse-keyed
items are handled. The tablet stores the *score* of the chosen response, not
its position, so every stored value is already in the scoring direction and
the subscales are plain sums. (The reference marks the task "data collection
only" because the item wording is copyrighted; for the same reason we show
item numbers and subscales, not wording.)
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData
from copse.tasks.meta import Cutoff, TrackerSpec
from copse.tasks.scales import ItemScale, band
from copse.tasks.values import qfields

ANXIETY_ITEMS = tuple(f"q{n}" for n in range(1, 15, 2))
DEPRESSION_ITEMS = tuple(f"q{n}" for n in range(2, 15, 2))
BANDS = ((8, "Borderline abnormal"), (11, "Abnormal"))
HADS_CUTOFFS = tuple(Cutoff(value, label) for value, label in BANDS)


class Hads(ItemScale):
    tablename = "hads"
    trackers = (
        TrackerSpec("anxiety", "HADS anxiety", 0, 21, HADS_CUTOFFS),
        TrackerSpec("depression", "HADS depression", 0, 21, HADS_CUTOFFS),
    )
    items = qfields("q", 1, 14)
    permitted = (0, 1, 2, 3)
    item_labels = {
        **{q: f"{q[1:]}. Anxiety item" for q in ANXIETY_ITEMS},
        **{q: f"{q[1:]}. Depression item" for q in DEPRESSION_ITEMS},
    }
    option_labels = {0: "score 0", 1: "score 1", 2: "score 2", 3: "score 3"}

    def summaries(self, task: TaskData) -> list[Summary]:
        anxiety = self.total(task, ANXIETY_ITEMS)
        depression = self.total(task, DEPRESSION_ITEMS)
        return [
            Summary("anxiety", anxiety, "Anxiety subscale (odd items)", 21),
            Summary(
                "anxiety_band",
                band(anxiety, BANDS, "Normal"),
                "Anxiety: 0–7 normal, 8–10 borderline abnormal, 11–21 abnormal",
            ),
            Summary("depression", depression, "Depression subscale (even items)", 21),
            Summary(
                "depression_band",
                band(depression, BANDS, "Normal"),
                "Depression: 0–7 normal, 8–10 borderline abnormal, 11–21 abnormal",
            ),
        ]


class HadsRespondent(Hads):
    tablename = "hads_respondent"


TASKS = (Hads(), HadsRespondent())
