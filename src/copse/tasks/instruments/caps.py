"""CAPS (Cardiff Anomalous Perceptions Scale).

Source: Bell, Halligan & Ellis (2006) Schizophr Bull 32:366. Thirty-two
questions about anomalous perceptual experiences, answered no (0) or yes
(1). Each "yes" is rated for distress, intrusiveness and frequency, each
1–5. The total is the number of "yes" answers (0–32); the three dimension
scores add that rating over the endorsed items (0–160 each; unendorsed items
add nothing). Completeness: every question answered, and each "yes" rated on
all three dimensions 1–5. Question wording via extra strings only.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition, TrackerSpec
from copse.tasks.values import int_in

N_ITEMS = 32
DIMENSIONS = ("distress", "intrusiveness", "frequency")
RATING = (1, 2, 3, 4, 5)
ANCHORS = {
    "distress": {1: "not at all distressing", 5: "very distressing"},
    "intrusiveness": {1: "not at all distracting", 5: "completely intrusive"},
    "frequency": {1: "happens hardly at all", 5: "happens all the time"},
}


def rating_labels(dimension: str) -> dict[int, str]:
    anchors = ANCHORS[dimension]
    return {n: anchors.get(n, str(n)) for n in RATING}


class Caps(TaskDefinition):
    tablename = "caps"
    column_meanings = {
        **{f"endorse{n}": f"Question {n}: experience endorsed (0 no, 1 yes)" for n in range(1, 33)},
        **{
            f"{d}{n}": f"Question {n}: {d} rating 1–5 ({ANCHORS[d][1]} … {ANCHORS[d][5]}), "
            "if endorsed"
            for d in DIMENSIONS
            for n in range(1, 33)
        },
    }
    trackers = (TrackerSpec("total", "CAPS total (experiences endorsed)", 0, N_ITEMS),)

    @staticmethod
    def endorsed(task: TaskData, n: int) -> int | None:
        return int_in(task.get(f"endorse{n}"), (0, 1))

    def is_complete(self, task: TaskData) -> bool:
        for n in range(1, N_ITEMS + 1):
            e = self.endorsed(task, n)
            if e is None:
                return False
            ratings = [int_in(task.get(f"{d}{n}"), RATING) for d in DIMENSIONS]
            if e == 1 and any(r is None for r in ratings):
                return False
        return True

    def summaries(self, task: TaskData) -> list[Summary]:
        yes = [n for n in range(1, N_ITEMS + 1) if self.endorsed(task, n) == 1]
        out = [Summary("total", len(yes), "Number of experiences endorsed", N_ITEMS)]
        for d in DIMENSIONS:
            score = sum(int_in(task.get(f"{d}{n}"), RATING) or 0 for n in yes)
            out.append(Summary(d, score, f"Sum of {d} ratings of endorsed items", 5 * N_ITEMS))
        return out

    def body_html(self, task: TaskData) -> Markup:
        rows: list[tuple[h.HtmlCell, ...]] = []
        for n in range(1, N_ITEMS + 1):
            rows.append(
                (
                    task.xstring(f"q{n}", f"Question {n}"),
                    h.answer(task.get(f"endorse{n}"), {0: "no", 1: "yes"}),
                    *(h.answer(task.get(f"{d}{n}"), rating_labels(d)) for d in DIMENSIONS),
                )
            )
        return h.section(
            "Questions and answers",
            h.table(
                rows,
                header=("Question", "Endorsed", "Distress", "Intrusiveness", "Frequency"),
                css_class="copse-answers",
            ),
        )


TASKS = (Caps(),)
