"""SLUMS (Saint Louis University Mental Status examination).

Source: Tariq, Tumosa, Chibnall, Perry & Morley (2006) Am J Geriatr
Psychiatry 14:900. Clinician-administered; eleven questions, 30 points:
orientation (day 1, year 1, place 1), remembering five objects (recorded,
not scored here), money calculation (spent 1, left 2), animal-naming
fluency (0–3: 0–4 animals 0, 5–9 1, 10–14 2, ≥15 3), recall of the five
objects (1 each), digits backwards (three and four digits, 1 each; the
two-digit practice is not scored), clock drawing (hour markers 2, time 2),
figures (place an X in the triangle 1, which figure is largest 1) and a
story (four answers, 2 each). Each item's permitted codes are exactly its
possible points.

Interpretation (Tariq et al. 2006), by education: with a high-school
education 27–30 normal, 21–26 mild neurocognitive disorder, 1–20 dementia;
with less than high-school education 25–30 normal, 20–24 mild
neurocognitive disorder, 1–19 dementia. The category strings are the
reference's. Completeness needs the alertness and education answers and
every scored item; the two drawings are shown when present but not required.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Cutoff, Summary, TaskData, TrackerSpec
from copse.tasks.scales import ItemScale, band
from copse.tasks.values import int_in

NORMAL = "Normal"
MNCD = "mild neurocognitive disorder"
DEMENTIA = "dementia"
#: education → ((threshold, category), ...) as "score ≥ threshold"
CATEGORIES = {
    True: ((21, MNCD), (27, NORMAL)),
    False: ((20, MNCD), (25, NORMAL)),
}
POINTS: dict[str, tuple[int, str]] = {
    "q1": (1, "1. Day of the week"),
    "q2": (1, "2. The year"),
    "q3": (1, "3. The state (or county/country) we are in"),
    "q5a": (1, "5a. Money problem: how much was spent"),
    "q5b": (2, "5b. Money problem: how much is left"),
    "q6": (3, "6. Animals named in one minute (0–4: 0, 5–9: 1, 10–14: 2, 15+: 3)"),
    "q7a": (1, "7. Recall of object 1"),
    "q7b": (1, "7. Recall of object 2"),
    "q7c": (1, "7. Recall of object 3"),
    "q7d": (1, "7. Recall of object 4"),
    "q7e": (1, "7. Recall of object 5"),
    "q8b": (1, "8b. Three digits backwards"),
    "q8c": (1, "8c. Four digits backwards"),
    "q9a": (2, "9a. Clock: hour markers correct"),
    "q9b": (2, "9b. Clock: time shown correctly"),
    "q10a": (1, "10a. Places an X in the triangle"),
    "q10b": (1, "10b. Says which figure is largest"),
    "q11a": (2, "11a. Story: the person's name"),
    "q11b": (2, "11b. Story: their work"),
    "q11c": (2, "11c. Story: when they went back to work"),
    "q11d": (2, "11d. Story: the state they lived in"),
}
YES_NO = {0: "no", 1: "yes"}


def _item_permitted(points: int) -> tuple[int, ...]:
    # Items worth 2 are all-or-nothing (0 or 2); animal naming is graded 0–3.
    if points == 3:
        return (0, 1, 2, 3)
    return (0, points)


def _item_labels(points: int) -> dict[int, str]:
    if points == 3:
        return {n: f"{n} point{'s' if n != 1 else ''}" for n in range(4)}
    return {0: "incorrect (0)", points: f"correct ({points})"}


class Slums(ItemScale):
    tablename = "slums"
    items = ("alert", "highschooleducation", *POINTS)
    permitted_by_item = {
        "alert": (0, 1),
        "highschooleducation": (0, 1),
        **{item: _item_permitted(points) for item, (points, _label) in POINTS.items()},
    }
    item_labels = {
        "alert": "Is the patient alert?",
        "highschooleducation": "Has the patient had a high-school education?",
        **{item: label for item, (_points, label) in POINTS.items()},
    }
    option_labels_by_item = {
        "alert": YES_NO,
        "highschooleducation": YES_NO,
        **{item: _item_labels(points) for item, (points, _label) in POINTS.items()},
    }
    column_meanings = {
        "clockpicture_blobid": "Picture of the clock drawing (BLOB reference)",
        "shapespicture_blobid": "Picture of the figures task (BLOB reference)",
    }
    trackers = (
        TrackerSpec(
            "total",
            "SLUMS total (0–30)",
            0,
            30,
            (
                Cutoff(20, "mild NCD (less than high school)"),
                Cutoff(21, "mild NCD (high school)"),
                Cutoff(25, "normal (less than high school)"),
                Cutoff(27, "normal (high school)"),
            ),
        ),
    )

    def summaries(self, task: TaskData) -> list[Summary]:
        total = self.total(task, tuple(POINTS))
        high_school = int_in(task.get("highschooleducation"), (0, 1)) == 1
        return [
            Summary("total", total, "Total score (/30)", 30),
            Summary(
                "category",
                band(total, CATEGORIES[high_school], DEMENTIA),
                "Category by education: high school ≥27 normal, 21–26 mild neurocognitive "
                "disorder, ≤20 dementia; less than high school ≥25, 20–24, ≤19",
                kind="str",
            ),
        ]

    def body_html(self, task: TaskData) -> Markup:
        pictures = h.table(
            [
                (
                    "Clock drawing",
                    h.blob_html(task.get("clockpicture_blobid"), task.blobs, "clock"),
                ),
                ("Figures", h.blob_html(task.get("shapespicture_blobid"), task.blobs, "figures")),
                ("Comments", task.get("comments")),
            ]
        )
        return Markup("").join(
            (super().body_html(task), h.section("Drawings and comments", pictures))
        )


TASKS = (Slums(),)
