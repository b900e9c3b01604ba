"""MFI-20: Multidimensional Fatigue Inventory.

Source: Smets, Garssen, Bonke & de Haes (1995) J Psychosom Res 39:315.
Twenty statements answered on a 5-point scale from 1 ("yes, that is true")
to 5 ("no, that is not true"). Items worded in the direction of fatigue are
reverse-scored (6 − answer) so that every item scores 1–5 with higher = more
fatigue: items 2, 5, 9, 10, 13, 14, 16, 17, 18 and 19. Five subscales of four
items each (4–20): general fatigue 1, 5, 12, 16; physical fatigue 2, 8, 14,
20; reduced activity 3, 6, 10, 17; reduced motivation 4, 9, 15, 18; mental
fatigue 7, 11, 13, 19. Total = all 20 items (20–100). No published cut-offs.

All 20 items are required. The statements are copyright, so labels are
neutral ("item n, subscale") with the wording from extra strings if installed.
"""

from __future__ import annotations

from typing import ClassVar

from copse.tasks.base import Summary, TaskData, TrackerSpec
from copse.tasks.values import qfields
from copse.tasks.wording import ExtraStringItemScale

REVERSED = frozenset(f"q{n}" for n in (2, 5, 9, 10, 13, 14, 16, 17, 18, 19))
SUBSCALES: dict[str, tuple[str, tuple[int, ...]]] = {
    "general_fatigue": ("General fatigue", (1, 5, 12, 16)),
    "physical_fatigue": ("Physical fatigue", (2, 8, 14, 20)),
    "reduced_activity": ("Reduced activity", (3, 6, 10, 17)),
    "reduced_motivation": ("Reduced motivation", (4, 9, 15, 18)),
    "mental_fatigue": ("Mental fatigue", (7, 11, 13, 19)),
}


def _label(n: int) -> str:
    name = next(title for title, nums in SUBSCALES.values() if n in nums)
    reversed_note = ", reverse-scored" if f"q{n}" in REVERSED else ""
    return f"{n}. Item {n} ({name.lower()}{reversed_note})"


class Mfi20(ExtraStringItemScale):
    tablename = "mfi20"
    items = qfields("q", 1, 20)
    permitted = (1, 2, 3, 4, 5)
    option_labels = {1: "yes, that is true", 2: "2", 3: "3", 4: "4", 5: "no, that is not true"}
    item_labels = {f"q{n}": _label(n) for n in range(1, 21)}
    trackers: ClassVar[tuple[TrackerSpec, ...]] = (
        TrackerSpec("total", "MFI-20 total (higher = more fatigue)", 20, 100),
        *(TrackerSpec(name, title, 4, 20) for name, (title, _) in SUBSCALES.items()),
    )

    def item_score(self, task: TaskData, item: str) -> int:
        v = self.value(task, item)
        if v is None:
            return 0
        return 6 - v if item in REVERSED else v

    def summaries(self, task: TaskData) -> list[Summary]:
        out = [Summary("total", self.total(task), "Total score (20 items, 1–5 each)", 100)]
        for name, (title, nums) in SUBSCALES.items():
            score = self.total(task, [f"q{n}" for n in nums])
            out.append(Summary(name, score, f"{title} (items {', '.join(map(str, nums))})", 20))
        return out


TASKS = (Mfi20(),)
