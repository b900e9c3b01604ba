"""IES-R: Impact of Event Scale – Revised.

Source: Weiss & Marmar (1997), in Wilson & Keane (eds) Assessing
Psychological Trauma and PTSD, Guilford, pp. 399–411. Twenty-two items about
distress caused by one named event in the past seven days, each 0 (not at
all) to 4 (extremely); total /88. Creamer, Bell & Failla (2003) Behav Res
Ther 41:1489 give a total of 33 or more as the cut-off for probable PTSD.

Subscales: avoidance = items 5, 7, 8, 11, 12, 13, 17, 22 (/32). Ambiguity:
Weiss & Marmar's key puts item 14 ("acting or feeling as though back at that
time") with intrusion (8 items) and hyperarousal has 6 items; the reference
instead counts item 14 in hyperarousal, giving intrusion = items 1, 2, 3, 6,
9, 16, 20 (/28) and hyperarousal = items 4, 10, 14, 15, 18, 19, 21 (/28), as
its summary maxima say. We follow the reference so downloads agree.

All 22 items and the description of the event are required (an answer
without its event means nothing; the reference agrees).
The item wording is copyright; labels here are neutral topics and the
wording comes from the server's extra strings when installed.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Cutoff, Summary, TaskData, TrackerSpec
from copse.tasks.values import is_nonempty_text, qfields
from copse.tasks.wording import ExtraStringItemScale

AVOIDANCE = tuple(f"q{n}" for n in (5, 7, 8, 11, 12, 13, 17, 22))
INTRUSION = tuple(f"q{n}" for n in (1, 2, 3, 6, 9, 16, 20))
HYPERAROUSAL = tuple(f"q{n}" for n in (4, 10, 14, 15, 18, 19, 21))
PTSD_CUTOFF = 33


def _subscale_of(item: str) -> str:
    if item in AVOIDANCE:
        return "avoidance"
    return "intrusion" if item in INTRUSION else "hyperarousal"


class Iesr(ExtraStringItemScale):
    tablename = "iesr"
    items = qfields("q", 1, 22)
    permitted = (0, 1, 2, 3, 4)
    option_labels = {0: "not at all", 1: "a little bit", 2: "moderately", 3: "quite a bit",
                     4: "extremely"}  # fmt: skip
    item_labels = {f"q{n}": f"{n}. Item {n} ({_subscale_of(f'q{n}')})" for n in range(1, 23)}
    column_meanings = {"event": "The event the answers refer to (free text)"}
    trackers = (
        TrackerSpec(
            "total_score", "IES-R total score", 0, 88, (Cutoff(PTSD_CUTOFF, "Probable PTSD"),)
        ),
    )

    def is_complete(self, task: TaskData) -> bool | None:
        return bool(super().is_complete(task)) and is_nonempty_text(task.get("event"))

    def summaries(self, task: TaskData) -> list[Summary]:
        total = self.total(task)
        return [
            Summary("total_score", total, "Total score (22 items, 0–4 each)", 88),
            Summary("avoidance_score", self.total(task, AVOIDANCE), "Avoidance subscale", 32),
            Summary("intrusion_score", self.total(task, INTRUSION), "Intrusion subscale", 28),
            Summary(
                "hyperarousal_score", self.total(task, HYPERAROUSAL), "Hyperarousal subscale", 28
            ),
            Summary(
                "probable_ptsd",
                total >= PTSD_CUTOFF,
                f"Total at or above {PTSD_CUTOFF}, the cut-off for probable PTSD "
                "(Creamer et al. 2003)",
                kind="bool",
            ),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        s = {x.name: x.value for x in self.summaries(task)}
        verdict = "probable PTSD (≥33)" if s["probable_ptsd"] else "below the PTSD cut-off"
        line = (
            f"{self.shortname}: total {s['total_score']}/88, {verdict}; avoidance "
            f"{s['avoidance_score']}/32, intrusion {s['intrusion_score']}/28, hyperarousal "
            f"{s['hyperarousal_score']}/28"
        )
        return line if self.is_complete(task) else f"{line}, incomplete"

    def body_html(self, task: TaskData) -> Markup:
        details = h.section("Event", h.table([("Event", task.get("event"))]))
        return Markup("{}{}").format(details, super().body_html(task))


TASKS = (Iesr(),)
