"""IFS: INECO Frontal Screening.

Source: Torralva, Roca, Gleichgerrcht, López & Manes (2009) J Int
Neuropsychol Soc 15:777. Eight subtests, total /30 (higher = better):

1. motor series 0–3; 2. conflicting instructions 0–3; 3. motor inhibitory
   control (go/no-go) 0–3;
4. backwards digit span 0–6: sequences of 2 to 7 digits, up to two trials
   per length; a length is passed if either trial is correct, the test stops
   at the first length where both trials fail, and the score is the number
   of lengths passed (so 0–6);
5. verbal working memory (months backwards) 0–2;
6. spatial working memory 0–4 (four sequences, 1 each);
7. abstraction (proverbs) 0–3: three proverbs each scored 0, 0.5 or 1 (any
   value in 0–1 is accepted, as the reference does);
8. verbal inhibitory control (Hayling) 0–6: three sentences scored 0–2.

Working memory index = subtests 4 + 6 (/10). The total is a FLOAT because
of the half-point proverb scores.

Completeness: subtests 1–3, 5–8 all scored, and the digit span recorded as
far as it went: for each length from 2, trial 1 must be marked, trial 2 only
if trial 1 failed, and the next length only if this one was passed.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition, TrackerSpec
from copse.tasks.values import as_float, int_in

LENGTHS = range(2, 8)
#: column → (label, permitted integer scores)
INT_SCORES: dict[str, tuple[str, tuple[int, ...]]] = {
    "q1": ("1. Motor series", (0, 1, 2, 3)),
    "q2": ("2. Conflicting instructions", (0, 1, 2, 3)),
    "q3": ("3. Motor inhibitory control (go/no-go)", (0, 1, 2, 3)),
    "q5": ("5. Verbal working memory (months backwards)", (0, 1, 2)),
    **{f"q6_seq{n}": (f"6. Spatial working memory, sequence {n}", (0, 1)) for n in range(1, 5)},
    **{f"q8_sentence{n}": (f"8. Verbal inhibitory control, sentence {n}", (0, 1, 2))
       for n in range(1, 4)},
}  # fmt: skip
PROVERBS = tuple(f"q7_proverb{n}" for n in range(1, 4))
DIGITS = tuple(f"q4_len{n}_{t}" for n in LENGTHS for t in (1, 2))
CORRECT = {0: "incorrect", 1: "correct"}


def proverb_score(value: object) -> float | None:
    f = as_float(value)
    return f if f is not None and 0 <= f <= 1 else None


class Ifs(TaskDefinition):
    tablename = "ifs"
    column_meanings = {
        **{col: f"{label} (score {', '.join(map(str, codes))})"
           for col, (label, codes) in INT_SCORES.items()},
        **{p: f"7. Abstraction, proverb {p[-1]} (0, 0.5 or 1)" for p in PROVERBS},
        **{d: f"4. Backwards digit span, {d[6]} digits, trial {d[-1]} (1 correct, 0 not)"
           for d in DIGITS},
    }  # fmt: skip
    trackers = (
        TrackerSpec("total", "IFS total (higher is better)", 0, 30),
        TrackerSpec("wm", "IFS working memory index", 0, 10),
    )

    def trial(self, task: TaskData, length: int, n: int) -> int | None:
        return int_in(task.get(f"q4_len{length}_{n}"), (0, 1))

    def digit_span(self, task: TaskData) -> tuple[int, bool]:
        """(score, recorded completely) of the backwards digit span.

        A length counts as passed if either trial is marked correct, even when
        the other is unmarked (as the reference scores it); it is recorded
        completely only if trial 1 is marked, and trial 2 too when trial 1
        failed.
        """
        score = 0
        recorded = True
        for length in LENGTHS:
            first = self.trial(task, length, 1)
            second = self.trial(task, length, 2)
            if first == 1 or second == 1:
                score += 1
                recorded = recorded and first is not None
                continue
            return score, recorded and first == 0 and second == 0
        return score, recorded

    def int_score(self, task: TaskData, col: str) -> int | None:
        return int_in(task.get(col), INT_SCORES[col][1])

    def is_complete(self, task: TaskData) -> bool | None:
        if any(self.int_score(task, c) is None for c in INT_SCORES):
            return False
        if any(proverb_score(task.get(p)) is None for p in PROVERBS):
            return False
        return self.digit_span(task)[1]

    def summaries(self, task: TaskData) -> list[Summary]:
        digits = self.digit_span(task)[0]
        spatial = sum(self.int_score(task, f"q6_seq{n}") or 0 for n in range(1, 5))
        total: float = digits + sum(self.int_score(task, c) or 0 for c in INT_SCORES)
        total += sum(proverb_score(task.get(p)) or 0.0 for p in PROVERBS)
        return [
            Summary("total", float(total), "Total score (higher is better)", 30, kind="float"),
            Summary("wm", digits + spatial, "Working memory index: digit span + spatial", 10),
            Summary("digit_span", digits, "Backwards digit span score (lengths passed)", 6),
        ]

    def body_html(self, task: TaskData) -> Markup:
        rows: list[tuple[h.HtmlCell, h.HtmlCell]] = []
        for col, (label, codes) in INT_SCORES.items():
            rows.append((label, h.answer(task.get(col), {c: str(c) for c in codes})))
        for length in LENGTHS:
            for n in (1, 2):
                rows.append(
                    (
                        f"4. Backwards digit span, {length} digits, trial {n}",
                        h.answer(task.get(f"q4_len{length}_{n}"), CORRECT),
                    )
                )
        for p in PROVERBS:
            rows.append((f"7. Abstraction, proverb {p[-1]}", task.get(p)))
        return h.section(
            "Subtests", h.table(rows, header=("Item", "Score"), css_class="copse-answers")
        )


TASKS = (Ifs(),)
