"""MoCA (Montreal Cognitive Assessment).

Source: Nasreddine et al. (2005) J Am Geriatr Soc 53:695, and the MoCA
administration and scoring instructions. Thirty points in seven sections,
stored as 28 items in form order:

* visuospatial/executive q1–q5 (trail making, cube, clock contour, numbers,
  hands; 1 point each);
* naming q6–q8 (three animals);
* attention q9–q12 (digits forward, digits backward, letter tapping, and
  serial 7s scored 0–3: 3 for 4–5 correct subtractions, 2 for 2–3, 1 for 1);
* language q13–q15 (two sentence repetitions, verbal fluency);
* abstraction q16–q17;
* delayed recall q18–q22 (five words, uncued);
* orientation q23–q28 (date, month, year, day, place, city).

Total = sum of q1–q28, plus 1 point if the person had 12 years of education
or less (``education12y_or_less`` = 1), capped at 30. A total ≥26 is normal.
The Memory Index Score (MoCA instructions, version 8) gives each of the five
words 3 points if recalled freely, 2 if recalled with the category cue, 1 if
recalled with the multiple-choice cue (range 0–15). The registration trials
are not scored. Completeness (our reading): all 28 scored items rated.
"""

from __future__ import annotations

from typing import ClassVar

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData
from copse.tasks.meta import Cutoff, TrackerSpec
from copse.tasks.scales import ItemScale
from copse.tasks.values import int_in, qfields

SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("visuospatial_executive", "Visuospatial / executive", qfields("q", 1, 5)),
    ("naming", "Naming", qfields("q", 6, 8)),
    ("attention", "Attention", qfields("q", 9, 12)),
    ("language", "Language", qfields("q", 13, 15)),
    ("abstraction", "Abstraction", qfields("q", 16, 17)),
    ("delayed_recall", "Delayed recall", qfields("q", 18, 22)),
    ("orientation", "Orientation", qfields("q", 23, 28)),
)
RECALL_WORDS = qfields("q", 18, 22)
ITEM_NAMES = (
    "Trail making", "Cube copy", "Clock: contour", "Clock: numbers", "Clock: hands",
    "Naming: animal 1", "Naming: animal 2", "Naming: animal 3",
    "Digits forward", "Digits backward", "Letter tapping", "Serial 7s (0–3)",
    "Sentence repetition 1", "Sentence repetition 2", "Verbal fluency",
    "Abstraction 1", "Abstraction 2",
    "Delayed recall: word 1", "Delayed recall: word 2", "Delayed recall: word 3",
    "Delayed recall: word 4", "Delayed recall: word 5",
    "Orientation: date", "Orientation: month", "Orientation: year",
    "Orientation: day", "Orientation: place", "Orientation: city",
)  # fmt: skip
NORMAL_CUTOFF = 26


class Moca(ItemScale):
    tablename = "moca"
    trackers = (TrackerSpec("total", "MoCA total score", 0, 30, (Cutoff(26, "Normal"),)),)
    items = qfields("q", 1, 28)
    permitted = (0, 1)
    permitted_by_item = {"q12": (0, 1, 2, 3)}
    item_labels = {f"q{n}": f"{n}. {name}" for n, name in enumerate(ITEM_NAMES, start=1)}
    MAX: ClassVar[int] = 30

    def education_point(self, task: TaskData, raw: int) -> int:
        return 1 if int_in(task.get("education12y_or_less"), (0, 1)) == 1 and raw < self.MAX else 0

    def memory_index(self, task: TaskData) -> int:
        score = 0
        for n, item in enumerate(RECALL_WORDS, start=1):
            if self.value(task, item) == 1:
                score += 3
            elif int_in(task.get(f"recall_category_cue_{n}"), (0, 1)) == 1:
                score += 2
            elif int_in(task.get(f"recall_mc_cue_{n}"), (0, 1)) == 1:
                score += 1
        return score

    def summaries(self, task: TaskData) -> list[Summary]:
        raw = self.total(task)
        total = raw + self.education_point(task, raw)
        out = [
            Summary("total", total, "Total score, including the education point", self.MAX),
            Summary(
                "category",
                "Normal" if total >= NORMAL_CUTOFF else "Abnormal",
                "Categorization: Normal (total ≥26) or Abnormal",
            ),
        ]
        for name, title, items in SECTIONS:
            maximum = sum(max(self.permitted_for(i)) for i in items)
            out.append(Summary(name, self.total(task, items), title, maximum))
        out.append(
            Summary(
                "memory_index_score",
                self.memory_index(task),
                "Memory Index Score (free 3, category cue 2, multiple choice 1)",
                15,
            )
        )
        return out

    def body_html(self, task: TaskData) -> Markup:
        trials = [
            (
                f"Word {n}",
                task.get(f"register_trial1_{n}"),
                task.get(f"register_trial2_{n}"),
                task.get(f"recall_category_cue_{n}"),
                task.get(f"recall_mc_cue_{n}"),
            )
            for n in range(1, 6)
        ]
        extra = h.table(
            [
                (
                    "12 years of education or less",
                    h.value_html(task.get("education12y_or_less"), "bool"),
                ),
                (
                    "Trail-making drawing",
                    h.blob_html(
                        task.get("trailpicture_blobid"), task.blobs, "trail-making drawing"
                    ),
                ),
                (
                    "Cube drawing",
                    h.blob_html(task.get("cubepicture_blobid"), task.blobs, "cube drawing"),
                ),
                (
                    "Clock drawing",
                    h.blob_html(task.get("clockpicture_blobid"), task.blobs, "clock drawing"),
                ),
                ("Comments", task.get("comments")),
            ]
        )
        words = h.table(
            trials,
            header=(
                "Word",
                "Registration trial 1",
                "Registration trial 2",
                "Category cue recall",
                "Multiple-choice recall",
            ),
            css_class="copse-records",
        )
        return Markup("{}{}{}").format(
            super().body_html(task),
            h.section("Memory cues (not scored)", words),
            h.section("Other information", extra),
        )


TASKS = (Moca(),)
