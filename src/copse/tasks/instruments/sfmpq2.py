"""SF-MPQ-2 (Short-Form McGill Pain Questionnaire, revised).

Source: Dworkin et al. (2009) Pain 144:35. Twenty-two pain and related
symptom descriptors, each rated for the past week from 0 (none) to 10
(worst possible). Four subscales, each the mean of its items: continuous
pain (1, 5, 6, 8, 9, 10), intermittent pain (2, 3, 4, 11, 16, 18),
neuropathic pain (7, 17, 19, 20, 21, 22) and affective descriptors (12,
13, 14, 15); the total score is the mean of all 22 items. Like the
reference, each mean is taken over the items answered (None if none is).
All 22 items are required. The descriptors are copyrighted (Mapi Research
Trust), so they come only from the server's extra strings; the neutral
labels name the item number and subscale.
"""

from __future__ import annotations

from copse.tasks.base import Summary, TaskData, TrackerSpec
from copse.tasks.values import qfields
from copse.tasks.wording import ExtraStringItemScale

#: summary → (item numbers, description)
SUBSCALES: dict[str, tuple[tuple[int, ...], str]] = {
    "continuous_pain": ((1, 5, 6, 8, 9, 10), "Continuous pain"),
    "intermittent_pain": ((2, 3, 4, 11, 16, 18), "Intermittent pain"),
    "neuropathic_pain": ((7, 17, 19, 20, 21, 22), "Neuropathic pain"),
    "affective_pain": ((12, 13, 14, 15), "Affective descriptors"),
}
_SUBSCALE_OF = {n: label for numbers, label in SUBSCALES.values() for n in numbers}


class Sfmpq2(ExtraStringItemScale):
    label_with_wording = False
    tablename = "sfmpq2"
    items = qfields("q", 1, 22)
    permitted = tuple(range(11))
    item_labels = {f"q{n}": f"Item {n} ({_SUBSCALE_OF[n].lower()})" for n in range(1, 23)}
    option_labels = {0: "none", **{n: str(n) for n in range(1, 10)}, 10: "worst possible"}
    trackers = tuple(
        TrackerSpec(name, f"{label} (mean 0–10)", 0, 10)
        for name, label in (
            ("total_pain", "Total pain"),
            *((name, label) for name, (_items, label) in SUBSCALES.items()),
        )
    )

    def mean(self, task: TaskData, numbers: tuple[int, ...]) -> float | None:
        answered = [v for v in self.values(task, [f"q{n}" for n in numbers]) if v is not None]
        return sum(answered) / len(answered) if answered else None

    def summaries(self, task: TaskData) -> list[Summary]:
        out = [
            Summary(
                "total_pain",
                self.mean(task, tuple(range(1, 23))),
                "Total pain: mean of the 22 items (0–10)",
                10,
                kind="float",
            )
        ]
        for name, (numbers, label) in SUBSCALES.items():
            out.append(
                Summary(
                    name,
                    self.mean(task, numbers),
                    f"{label}: mean of items {', '.join(map(str, numbers))} (0–10)",
                    10,
                    kind="float",
                )
            )
        return out


TASKS = (Sfmpq2(),)
