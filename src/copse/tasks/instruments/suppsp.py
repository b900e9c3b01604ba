"""SUPPS-P (Short UPPS-P Impulsive Behavior Scale).

Source: Cyders, Littlefield, Coffey & Karyadi (2014) Addict Behav 39:1372;
scoring key of the UPPS-P (Lynam, Smith, Whiteside & Cyders 2006). Twenty
statements rated on four points from "agree strongly" to "disagree
strongly", scored 1–4 so that a higher score means more impulsivity: items
phrased in the impulsive direction (3, 6, 8, 9, 10, 13, 14, 15, 16, 17, 18,
20) are reverse-keyed, i.e. "agree strongly" scores 4, while for the others
(1, 2, 4, 5, 7, 11, 12, 19) "disagree strongly" scores 4. The stored code is
the score. Five subscales of four items each (4–16): negative urgency (6, 8,
13, 15), lack of perseverance (1, 4, 7, 11), lack of premeditation (2, 5,
12, 19), sensation seeking (9, 14, 16, 18), positive urgency (3, 10, 17,
20); total 20–80. Like the reference, subscales and total add the answers
present. All twenty items are required. There are no published clinical
cut-offs. Wording comes only from the server's extra strings.
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData, TrackerSpec
from copse.tasks.values import qfields
from copse.tasks.wording import ExtraStringItemScale

SUBSCALES: dict[str, tuple[tuple[int, ...], str]] = {
    "negative_urgency": ((6, 8, 13, 15), "Negative urgency"),
    "lack_of_perseverance": ((1, 4, 7, 11), "Lack of perseverance"),
    "lack_of_premeditation": ((2, 5, 12, 19), "Lack of premeditation"),
    "sensation_seeking": ((9, 14, 16, 18), "Sensation seeking"),
    "positive_urgency": ((3, 10, 17, 20), "Positive urgency"),
}
REVERSE_KEYED = frozenset({3, 6, 8, 9, 10, 13, 14, 15, 16, 17, 18, 20})
_SUBSCALE_OF = {n: label for numbers, label in SUBSCALES.values() for n in numbers}
AGREE_SCORES_HIGH = {
    1: "disagree strongly",
    2: "disagree somewhat",
    3: "agree somewhat",
    4: "agree strongly",
}
DISAGREE_SCORES_HIGH = {
    1: "agree strongly",
    2: "agree somewhat",
    3: "disagree somewhat",
    4: "disagree strongly",
}


class Suppsp(ExtraStringItemScale):
    label_with_wording = False
    tablename = "suppsp"
    items = qfields("q", 1, 20)
    permitted = (1, 2, 3, 4)
    item_labels = {f"q{n}": f"Item {n} ({_SUBSCALE_OF[n].lower()})" for n in range(1, 21)}
    option_labels_by_item = {
        f"q{n}": AGREE_SCORES_HIGH if n in REVERSE_KEYED else DISAGREE_SCORES_HIGH
        for n in range(1, 21)
    }
    trackers = (TrackerSpec("total", "SUPPS-P total (20–80)", 20, 80),) + tuple(
        TrackerSpec(name, f"{label} (4–16)", 4, 16) for name, (_i, label) in SUBSCALES.items()
    )

    def summaries(self, task: TaskData) -> list[Summary]:
        out = [Summary("total", self.total(task), "Total score (20–80; answered items)", 80)]
        for name, (numbers, label) in SUBSCALES.items():
            out.append(
                Summary(
                    name,
                    self.total(task, [f"q{n}" for n in numbers]),
                    f"{label}: sum of items {', '.join(map(str, numbers))} (4–16)",
                    16,
                )
            )
        return out


TASKS = (Suppsp(),)
