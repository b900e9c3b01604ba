"""MDS-UPDRS: Movement Disorder Society revision of the Unified Parkinson's Disease Rating Scale.

Source: Goetz et al. (2008) Mov Disord 23:2129. Part I non-motor experiences
of daily living (1.1–1.13; 1A and 1.6a record who gave the information), part
II motor experiences of daily living (2.1–2.13), part III motor examination
(33 scores from 18 items, with medication state 3a–3c and minutes since the
last levodopa dose 3c1; dyskinesia presence and interference; Hoehn & Yahr
stage 0–5), part IV motor complications (4.1–4.6). Every item is rated 0
(normal) to 4 (severe). Part sums, as the authors publish them: I /52, II
/52, III /132, IV /24.

The reference only collects the data ("data collection only") and computes
no summaries; we add the four part sums (the published scores), with no
cut-offs. Completeness (our reading of the form): every rating and
descriptor answered, except that minutes since levodopa are needed only if
the patient is on levodopa, and whether dyskinesias interfered only if
dyskinesias were present. Item names are the published short titles; the
rating instructions are copyright and come only from extra strings.
"""

from __future__ import annotations

from collections.abc import Sequence

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData
from copse.tasks.values import as_float
from copse.tasks.wording import ExtraStringItemScale

RATING = {0: "normal", 1: "slight", 2: "mild", 3: "moderate", 4: "severe"}
SOURCE = {0: "patient", 1: "caregiver", 2: "patient and caregiver equally"}
YES_NO = {0: "no", 1: "yes"}

PART1 = tuple(f"q1_{n}" for n in range(1, 14))
PART2 = tuple(f"q2_{n}" for n in range(1, 14))
_PART3_NAMES: tuple[tuple[str, str], ...] = (
    ("q3_1", "3.1 Speech"),
    ("q3_2", "3.2 Facial expression"),
    ("q3_3a", "3.3a Rigidity: neck"),
    ("q3_3b", "3.3b Rigidity: right upper limb"),
    ("q3_3c", "3.3c Rigidity: left upper limb"),
    ("q3_3d", "3.3d Rigidity: right lower limb"),
    ("q3_3e", "3.3e Rigidity: left lower limb"),
    ("q3_4a", "3.4a Finger tapping: right"),
    ("q3_4b", "3.4b Finger tapping: left"),
    ("q3_5a", "3.5a Hand movements: right"),
    ("q3_5b", "3.5b Hand movements: left"),
    ("q3_6a", "3.6a Pronation–supination: right"),
    ("q3_6b", "3.6b Pronation–supination: left"),
    ("q3_7a", "3.7a Toe tapping: right"),
    ("q3_7b", "3.7b Toe tapping: left"),
    ("q3_8a", "3.8a Leg agility: right"),
    ("q3_8b", "3.8b Leg agility: left"),
    ("q3_9", "3.9 Arising from chair"),
    ("q3_10", "3.10 Gait"),
    ("q3_11", "3.11 Freezing of gait"),
    ("q3_12", "3.12 Postural stability"),
    ("q3_13", "3.13 Posture"),
    ("q3_14", "3.14 Global spontaneity of movement"),
    ("q3_15a", "3.15a Postural tremor: right hand"),
    ("q3_15b", "3.15b Postural tremor: left hand"),
    ("q3_16a", "3.16a Kinetic tremor: right hand"),
    ("q3_16b", "3.16b Kinetic tremor: left hand"),
    ("q3_17a", "3.17a Rest tremor amplitude: right upper limb"),
    ("q3_17b", "3.17b Rest tremor amplitude: left upper limb"),
    ("q3_17c", "3.17c Rest tremor amplitude: right lower limb"),
    ("q3_17d", "3.17d Rest tremor amplitude: left lower limb"),
    ("q3_17e", "3.17e Rest tremor amplitude: lip/jaw"),
    ("q3_18", "3.18 Constancy of rest tremor"),
)
PART3 = tuple(col for col, _ in _PART3_NAMES)
PART4 = tuple(f"q4_{n}" for n in range(1, 7))
_NAMES_1 = ("Cognitive impairment", "Hallucinations and psychosis", "Depressed mood",
            "Anxious mood", "Apathy", "Features of dopamine dysregulation syndrome",
            "Sleep problems", "Daytime sleepiness", "Pain and other sensations",
            "Urinary problems", "Constipation problems", "Lightheadedness on standing",
            "Fatigue")  # fmt: skip
_NAMES_2 = ("Speech", "Saliva and drooling", "Chewing and swallowing", "Eating tasks",
            "Dressing", "Hygiene", "Handwriting", "Doing hobbies and other activities",
            "Turning in bed", "Tremor", "Getting out of bed, a car or a deep chair",
            "Walking and balance", "Freezing")  # fmt: skip
_NAMES_4 = ("Time spent with dyskinesias", "Functional impact of dyskinesias",
            "Time spent in the OFF state", "Functional impact of fluctuations",
            "Complexity of motor fluctuations", "Painful OFF-state dystonia")  # fmt: skip
PART_SUMS = (("part1", "Part I", PART1, 52), ("part2", "Part II", PART2, 52),
             ("part3", "Part III", PART3, 132), ("part4", "Part IV", PART4, 24))  # fmt: skip


class MdsUpdrs(ExtraStringItemScale):
    tablename = "mds_updrs"
    items = (
        "q1a", *PART1[:6], "q1_6a", *PART1[6:], *PART2,
        "q3a", "q3b", "q3c", *PART3, "q3_dyskinesia_present", "q3_dyskinesia_interfered",
        "q3_hy_stage", *PART4,
    )  # fmt: skip
    permitted = (0, 1, 2, 3, 4)
    permitted_by_item = {
        "q1a": (0, 1, 2),
        "q1_6a": (0, 1, 2),
        "q3a": (0, 1),
        "q3b": (0, 1),
        "q3c": (0, 1),
        "q3_dyskinesia_present": (0, 1),
        "q3_dyskinesia_interfered": (0, 1),
        "q3_hy_stage": (0, 1, 2, 3, 4, 5),
    }
    option_labels = RATING
    option_labels_by_item = {
        "q1a": SOURCE,
        "q1_6a": SOURCE,
        "q3a": YES_NO,
        "q3b": {0: "0", 1: "1"},
        "q3c": YES_NO,
        "q3_dyskinesia_present": YES_NO,
        "q3_dyskinesia_interfered": YES_NO,
        "q3_hy_stage": {n: f"stage {n}" for n in range(6)},
    }
    item_labels = {
        "q1a": "1A. Primary source of information",
        **{
            col: f"1.{n} {name}"
            for n, (col, name) in enumerate(zip(PART1, _NAMES_1, strict=True), 1)
        },
        "q1_6a": "1.6a Who is filling out the questionnaire",
        **{
            col: f"2.{n} {name}"
            for n, (col, name) in enumerate(zip(PART2, _NAMES_2, strict=True), 1)
        },
        "q3a": "3a. Is the patient on medication for Parkinson's disease?",
        "q3b": "3b. Clinical state (ON/OFF), as coded by the tablet",
        "q3c": "3c. Is the patient on levodopa?",
        **dict(_PART3_NAMES),
        "q3_dyskinesia_present": "Were dyskinesias present during the examination?",
        "q3_dyskinesia_interfered": "Did these movements interfere with the ratings?",
        "q3_hy_stage": "Hoehn and Yahr stage",
        **{
            col: f"4.{n} {name}"
            for n, (col, name) in enumerate(zip(PART4, _NAMES_4, strict=True), 1)
        },
    }
    column_meanings = {"q3c1": "3c1. Minutes since the last levodopa dose (if on levodopa)"}

    def required_items(self, task: TaskData) -> Sequence[str]:
        skip: set[str] = set()
        if self.value(task, "q3_dyskinesia_present") != 1:
            skip.add("q3_dyskinesia_interfered")
        return [i for i in self.items if i not in skip]

    def is_complete(self, task: TaskData) -> bool | None:
        if not super().is_complete(task):
            return False
        if self.value(task, "q3c") == 1:
            minutes = as_float(task.get("q3c1"))
            return minutes is not None and minutes >= 0
        return True

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(name, self.total(task, cols), f"{title} sum (0–{top})", top)
            for name, title, cols, top in PART_SUMS
        ]

    def question_rows(self, task: TaskData) -> list[tuple[str, h.HtmlCell]]:
        rows = super().question_rows(task)
        at = self.items.index("q3c") + 1
        rows.insert(at, ("3c1. Minutes since the last levodopa dose", task.get("q3c1")))
        return rows


TASKS = (MdsUpdrs(),)
