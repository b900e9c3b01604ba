"""Patient-experience questionnaires of CPFT: APEQPT and APEQ-CPFT-Perinatal.

Both are local service questionnaires (Cambridgeshire and Peterborough NHS
Foundation Trust), anonymous, with no scores; the question wording belongs to
the service and comes from the server's extra strings when installed.

* APEQPT (assessment experience in psychological therapies): the date and
  time of the assessment, three choice questions (q1, q2: 0 no, 1 yes; q3: 0
  no, 1 yes, 2 not applicable), overall satisfaction 0–4 and a free-text
  comment. Complete when the date, the three choices and the satisfaction
  rating are given (the comment is optional).
* APEQ-CPFT-Perinatal: six experience questions (0–2), the NHS "Friends and
  Family Test" rating (0–5) with an optional reason, and optional general
  comments. Complete when the six questions and the FFT rating are answered.

The choice questions are shown as no/yes (0/1, the convention of the
tablet); the rating scales' wordings are the services' own, so without extra
strings they are shown as scale points.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData
from copse.tasks.scales import ItemScale
from copse.tasks.values import is_nonempty_text, parse_iso_datetime

NO_YES = {0: "no", 1: "yes"}
NO_YES_NA = {0: "no", 1: "yes", 2: "not applicable"}


def scale_points(low: int, high: int) -> dict[int, str]:
    """Neutral labels for a service's own rating scale (its wording is not ours)."""
    return {code: f"point {code} of {low}–{high}" for code in range(low, high + 1)}


# The services' answer wordings are theirs; without them we show scale points.
SATISFACTION_0_4 = scale_points(0, 4)
PERINATAL_0_2 = scale_points(0, 2)
FFT_0_5 = scale_points(0, 5)


class _ServiceQuestionnaire(ItemScale):
    """Coded items shown with the service's own wording when installed."""

    free_text: ClassVar[Mapping[str, str]] = {}

    def question_rows(self, task: TaskData) -> list[tuple[str, h.HtmlCell]]:
        rows: list[tuple[str, h.HtmlCell]] = []
        for item in self.items:
            labels = self.option_labels_by_item.get(item, self.option_labels)
            question = task.xstring(item, self.question_label(item))
            rows.append((question, h.answer(task.get(item), labels)))
        for column, label in self.free_text.items():
            rows.append((task.xstring(column, label), task.get(column)))
        return rows

    def summaries(self, task: TaskData) -> list[Summary]:
        return []


class Apeqpt(_ServiceQuestionnaire):
    tablename = "apeqpt"
    items = ("q1_choice", "q2_choice", "q3_choice", "q1_satisfaction")
    permitted_by_item = {
        "q1_choice": (0, 1),
        "q2_choice": (0, 1),
        "q3_choice": (0, 1, 2),
        "q1_satisfaction": (0, 1, 2, 3, 4),
    }
    item_labels = {
        "q1_choice": "Choice 1: given information about treatment options",
        "q2_choice": "Choice 2: had a preference among the options",
        "q3_choice": "Choice 3: offered the preferred option",
        "q1_satisfaction": "Satisfaction with the assessment",
    }
    option_labels_by_item = {
        "q1_choice": NO_YES,
        "q2_choice": NO_YES,
        "q3_choice": NO_YES_NA,
        "q1_satisfaction": SATISFACTION_0_4,
    }
    free_text = {"q2_satisfaction": "Comments on the assessment"}
    column_meanings: ClassVar[dict[str, str]] = {
        "q_datetime": "Date and time of the assessment being rated",
        "q2_satisfaction": "Free-text comments on the assessment (optional)",
    }

    def is_complete(self, task: TaskData) -> bool:
        if parse_iso_datetime(task.get("q_datetime")) is None:
            return False
        return bool(super().is_complete(task))

    def question_rows(self, task: TaskData) -> list[tuple[str, h.HtmlCell]]:
        return [
            ("Date and time of assessment", task.get("q_datetime")),
            *super().question_rows(task),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        rating = self.value(task, "q1_satisfaction")
        text = "not rated" if rating is None else SATISFACTION_0_4[rating]
        return f"{self.shortname}: satisfaction {text}"


class ApeqCpftPerinatal(_ServiceQuestionnaire):
    tablename = "apeq_cpft_perinatal"
    items = ("q1", "q2", "q3", "q4", "q5", "q6", "ff_rating")
    permitted = (0, 1, 2)
    permitted_by_item = {"ff_rating": (0, 1, 2, 3, 4, 5)}
    item_labels = {
        **{f"q{n}": f"{n}. Experience question {n}" for n in range(1, 7)},
        "ff_rating": "Friends and Family Test rating",
    }
    option_labels = PERINATAL_0_2
    option_labels_by_item = {"ff_rating": FFT_0_5}
    free_text = {
        "ff_why": "Reason for the Friends and Family Test rating",
        "comments": "Other comments",
    }
    column_meanings: ClassVar[dict[str, str]] = {
        "ff_why": "Why the Friends and Family Test rating was given (optional free text)",
        "comments": "General comments (optional free text)",
    }

    def clinical_summary(self, task: TaskData) -> str:
        rating = self.value(task, "ff_rating")
        text = "not given" if rating is None else FFT_0_5[rating]
        why = " (reason given)" if is_nonempty_text(task.get("ff_why")) else ""
        return f"{self.shortname}: Friends and Family Test {text}{why}"


TASKS = (Apeqpt(), ApeqCpftPerinatal())
