"""RAND 36-Item Health Survey 1.0 (RAND-36).

Source: Hays, Sherbourne & Mazel (1993) Health Econ 2:217, and RAND's
published scoring instructions for the 36-Item Health Survey 1.0. Step 1
recodes every answer to 0–100 (higher = better health):

* items 1, 2, 20, 22, 34, 36: 1→100, 2→75, 3→50, 4→25, 5→0;
* items 3–12: 1→0, 2→50, 3→100;
* items 13–19: 1→0, 2→100;
* items 21, 23, 26, 27, 30: 1→100, 2→80, 3→60, 4→40, 5→20, 6→0;
* items 24, 25, 28, 29, 31: 1→0, 2→20, 3→40, 4→60, 5→80, 6→100;
* items 32, 33, 35: 1→0, 2→25, 3→50, 4→75, 5→100.

Step 2 averages the recoded items of each scale, over the items answered
(RAND: "missing data are not taken into account"): physical functioning
3–12, role limitations (physical) 13–16, role limitations (emotional)
17–19, energy/fatigue 23, 27, 29, 31, emotional well-being 24, 25, 26, 28,
30, social functioning 20, 32, pain 21, 22, general health 1, 33, 34, 35, 36.
A scale with no answered item is None. ``overall`` is the mean of every
answered item's recoded score (item 2, health change, included), as the
reference computes it. All 36 items are required for completeness. RAND-36
1.0 is public domain; item labels are our own short paraphrases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale
from copse.tasks.values import qfields

_5_DOWN = {1: 100, 2: 75, 3: 50, 4: 25, 5: 0}
_3_UP = {1: 0, 2: 50, 3: 100}
_2_UP = {1: 0, 2: 100}
_6_DOWN = {1: 100, 2: 80, 3: 60, 4: 40, 5: 20, 6: 0}
_6_UP = {1: 0, 2: 20, 3: 40, 4: 60, 5: 80, 6: 100}
_5_UP = {1: 0, 2: 25, 3: 50, 4: 75, 5: 100}


def _recode_table() -> dict[str, Mapping[int, int]]:
    table: dict[str, Mapping[int, int]] = {}
    groups: tuple[tuple[Sequence[int], Mapping[int, int]], ...] = (
        ((1, 2, 20, 22, 34, 36), _5_DOWN),
        (range(3, 13), _3_UP),
        (range(13, 20), _2_UP),
        ((21, 23, 26, 27, 30), _6_DOWN),
        ((24, 25, 28, 29, 31), _6_UP),
        ((32, 33, 35), _5_UP),
    )
    for numbers, recode in groups:
        for n in numbers:
            table[f"q{n}"] = recode
    return table


RECODE = _recode_table()
ITEMS = qfields("q", 1, 36)
#: summary name → (item numbers, description)
SCALES: dict[str, tuple[tuple[int, ...], str]] = {
    "physical_functioning": (tuple(range(3, 13)), "Physical functioning"),
    "role_limitations_physical": ((13, 14, 15, 16), "Role limitations due to physical health"),
    "role_limitations_emotional": ((17, 18, 19), "Role limitations due to emotional problems"),
    "energy": ((23, 27, 29, 31), "Energy/fatigue"),
    "emotional_wellbeing": ((24, 25, 26, 28, 30), "Emotional well-being"),
    "social_functioning": ((20, 32), "Social functioning"),
    "pain": ((21, 22), "Pain"),
    "general_health": ((1, 33, 34, 35, 36), "General health"),
}

_TOPICS = {
    1: "General health rating",
    2: "Health now compared with a year ago",
    3: "Limited in vigorous activities",
    4: "Limited in moderate activities",
    5: "Limited in lifting or carrying groceries",
    6: "Limited in climbing several flights of stairs",
    7: "Limited in climbing one flight of stairs",
    8: "Limited in bending, kneeling or stooping",
    9: "Limited in walking more than a mile",
    10: "Limited in walking several blocks",
    11: "Limited in walking one block",
    12: "Limited in bathing or dressing",
    13: "Physical health: cut down time on work or activities",
    14: "Physical health: accomplished less than would like",
    15: "Physical health: limited in the kind of work or activities",
    16: "Physical health: difficulty performing work or activities",
    17: "Emotional problems: cut down time on work or activities",
    18: "Emotional problems: accomplished less than would like",
    19: "Emotional problems: did work less carefully than usual",
    20: "Extent health interfered with social activities",
    21: "Amount of bodily pain",
    22: "Extent pain interfered with normal work",
    23: "Felt full of life",
    24: "Felt very nervous",
    25: "Felt so low that nothing could cheer them up",
    26: "Felt calm and peaceful",
    27: "Had a lot of energy",
    28: "Felt low and sad",
    29: "Felt worn out",
    30: "Felt happy",
    31: "Felt tired",
    32: "Time health interfered with social activities",
    33: "Gets ill more easily than others",
    34: "As healthy as anyone they know",
    35: "Expects their health to get worse",
    36: "Health is excellent",
}
_GENERAL = {1: "excellent", 2: "very good", 3: "good", 4: "fair", 5: "poor"}
_CHANGE = {
    1: "much better now",
    2: "somewhat better now",
    3: "about the same",
    4: "somewhat worse now",
    5: "much worse now",
}
_LIMITED = {1: "yes, limited a lot", 2: "yes, limited a little", 3: "no, not limited at all"}
_YES_NO = {1: "yes", 2: "no"}
_EXTENT = {1: "not at all", 2: "slightly", 3: "moderately", 4: "quite a bit", 5: "extremely"}
_PAIN = {1: "none", 2: "very mild", 3: "mild", 4: "moderate", 5: "severe", 6: "very severe"}
_TIME6 = {
    1: "all of the time",
    2: "most of the time",
    3: "a good bit of the time",
    4: "some of the time",
    5: "a little of the time",
    6: "none of the time",
}
_TIME5 = {
    1: "all of the time",
    2: "most of the time",
    3: "some of the time",
    4: "a little of the time",
    5: "none of the time",
}
_TRUE = {
    1: "definitely true",
    2: "mostly true",
    3: "don't know",
    4: "mostly false",
    5: "definitely false",
}


def _option_labels() -> dict[str, Mapping[int, str]]:
    out: dict[str, Mapping[int, str]] = {"q1": _GENERAL, "q2": _CHANGE, "q20": _EXTENT}
    out.update({f"q{n}": _LIMITED for n in range(3, 13)})
    out.update({f"q{n}": _YES_NO for n in range(13, 20)})
    out.update({"q21": _PAIN, "q22": _EXTENT, "q32": _TIME5})
    out.update({f"q{n}": _TIME6 for n in range(23, 32)})
    out.update({f"q{n}": _TRUE for n in range(33, 37)})
    return out


class Rand36(ItemScale):
    tablename = "rand36"
    items = ITEMS
    permitted_by_item = {item: tuple(sorted(recode)) for item, recode in RECODE.items()}
    item_labels = {f"q{n}": f"{n}. {text}" for n, text in _TOPICS.items()}
    option_labels_by_item = _option_labels()
    trackers = tuple(
        TrackerSpec(name, f"{label} (0–100, higher is better)", 0, 100)
        for name, (_items, label) in {"overall": ((), "Overall"), **SCALES}.items()
    )

    def recoded(self, task: TaskData, numbers: Sequence[int]) -> list[int]:
        out: list[int] = []
        for n in numbers:
            code = self.value(task, f"q{n}")
            if code is not None:
                out.append(RECODE[f"q{n}"][code])
        return out

    def mean(self, task: TaskData, numbers: Sequence[int]) -> float | None:
        scores = self.recoded(task, numbers)
        return sum(scores) / len(scores) if scores else None

    def summaries(self, task: TaskData) -> list[Summary]:
        out = [
            Summary(
                "overall",
                self.mean(task, range(1, 37)),
                "Overall: mean recoded score of all answered items (0–100, higher better)",
                100,
                kind="float",
            )
        ]
        for name, (numbers, label) in SCALES.items():
            out.append(
                Summary(
                    name,
                    self.mean(task, numbers),
                    f"{label} (0–100, higher better; mean of items "
                    + ", ".join(str(n) for n in numbers)
                    + ")",
                    100,
                    kind="float",
                )
            )
        return out

    def body_html(self, task: TaskData) -> Markup:
        rows: list[tuple[str, h.HtmlCell, h.HtmlCell]] = []
        for item in self.items:
            code = self.value(task, item)
            rows.append(
                (
                    self.question_label(item),
                    h.answer(task.get(item), self.option_labels_by_item[item]),
                    None if code is None else RECODE[item][code],
                )
            )
        return h.section(
            self.questions_title,
            h.table(
                rows, header=("Question", "Answer", "Score (0–100)"), css_class="copse-answers"
            ),
        )


TASKS = (Rand36(),)
