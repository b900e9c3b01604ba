"""SHAPS (Snaith–Hamilton Pleasure Scale).

Source: Snaith et al. (1995) Br J Psychiatry 167:99. Fourteen statements
about enjoying everyday things (interests, social interaction, the senses,
food and drink), each answered on four options. Stored codes: 0 strongly
disagree, 1 disagree, 2 agree, 3 strongly (definitely) agree. Either
"disagree" answer scores 1 (lack of pleasure), either "agree" answer 0;
total /14. A total above 2 (≥3) indicates abnormally low hedonic tone
(Snaith et al. 1995). Like the reference, the total counts the answers
present. All fourteen items are required. The statements themselves come
only from the server's extra strings.
"""

from __future__ import annotations

from copse.tasks.base import Cutoff, Summary, TaskData, TrackerSpec
from copse.tasks.scales import band
from copse.tasks.values import qfields
from copse.tasks.wording import ExtraStringItemScale

ANHEDONIC_CODES = frozenset({0, 1})
ABNORMAL_AT = 3


class Shaps(ExtraStringItemScale):
    label_with_wording = False
    tablename = "shaps"
    items = qfields("q", 1, 14)
    permitted = (0, 1, 2, 3)
    item_labels = {f"q{n}": f"Item {n}" for n in range(1, 15)}
    option_labels = {
        0: "strongly disagree (scores 1)",
        1: "disagree (scores 1)",
        2: "agree (scores 0)",
        3: "strongly agree (scores 0)",
    }
    trackers = (
        TrackerSpec(
            "total", "SHAPS total score", 0, 14, (Cutoff(ABNORMAL_AT, "abnormal hedonic tone"),)
        ),
    )

    def item_score(self, task: TaskData, item: str) -> int:
        return 1 if self.value(task, item) in ANHEDONIC_CODES else 0

    def summaries(self, task: TaskData) -> list[Summary]:
        total = self.total(task)
        return [
            Summary("total", total, "Total score: items answered 'disagree' (/14)", 14),
            Summary(
                "hedonic_tone",
                band(total, ((ABNORMAL_AT, "abnormal"),), "normal"),
                "Hedonic tone: total ≥3 abnormal (Snaith et al. 1995)",
                kind="str",
            ),
        ]


TASKS = (Shaps(),)
