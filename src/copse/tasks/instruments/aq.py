"""AQ (Adult Autism-Spectrum Quotient).

Source: Baron-Cohen, Wheelwright, Skinner, Martin & Clubley (2001) J Autism
Dev Disord 31:5. Fifty statements answered 0 "definitely agree", 1 "slightly
agree", 2 "slightly disagree", 3 "definitely disagree". Each item scores 1
for the autistic-like answer, either way round: agreeing (0–1) for items
2, 4, 5, 6, 7, 9, 12, 13, 16, 18, 19, 20, 21, 22, 23, 26, 33, 35, 39, 41, 42,
43, 45, 46; disagreeing (2–3) for the others. Total 0–50 and five subscales
of ten items (0–10): social skill, attention switching, attention to detail,
communication, imagination. A total of 32 or more marks clinically
significant autistic traits (Baron-Cohen et al. 2001); 26 was proposed for
screening referrals (Woodbury-Smith et al. 2005, J Autism Dev Disord 35:331).

Scores are only defined when all fifty items are answered (as the reference
computes them: None otherwise). The statements are copyright (Autism
Research Centre), so views show item numbers with the extra strings if the
server has them.
"""

from __future__ import annotations

from copse.tasks import html as h
from copse.tasks.base import Cutoff, Summary, TaskData, TrackerSpec
from copse.tasks.html import HtmlCell
from copse.tasks.scales import ItemScale
from copse.tasks.values import qfields

AGREE_SCORED = frozenset(
    (2, 4, 5, 6, 7, 9, 12, 13, 16, 18, 19, 20, 21, 22, 23, 26, 33, 35, 39, 41, 42, 43, 45, 46)
)
SUBSCALES: dict[str, tuple[int, ...]] = {
    "social_skill": (1, 11, 13, 15, 22, 36, 44, 45, 47, 48),
    "attention_switching": (2, 4, 10, 16, 25, 32, 34, 37, 43, 46),
    "attention_to_detail": (5, 6, 9, 12, 19, 23, 28, 29, 30, 49),
    "communication": (7, 17, 18, 26, 27, 31, 33, 35, 38, 39),
    "imagination": (3, 8, 14, 20, 21, 24, 40, 41, 42, 50),
}
SUBSCALE_LABELS = {
    "social_skill": "Social skill",
    "attention_switching": "Attention switching",
    "attention_to_detail": "Attention to detail",
    "communication": "Communication",
    "imagination": "Imagination",
}
SIGNIFICANT = 32


class Aq(ItemScale):
    tablename = "aq"
    items = qfields("q", 1, 50)
    permitted = (0, 1, 2, 3)
    item_labels = {
        f"q{n}": f"{n}. Statement {n} (scored if {'agree' if n in AGREE_SCORED else 'disagree'})"
        for n in range(1, 51)
    }
    option_labels = {
        0: "definitely agree",
        1: "slightly agree",
        2: "slightly disagree",
        3: "definitely disagree",
    }
    trackers = (
        TrackerSpec(
            "total",
            "AQ total",
            0,
            50,
            (Cutoff(26, "Screening threshold"), Cutoff(SIGNIFICANT, "Clinically significant")),
        ),
    )

    def point(self, task: TaskData, n: int) -> int | None:
        """1 if item ``n`` has the autistic-like answer, 0 if not, None if unanswered."""
        v = self.value(task, f"q{n}")
        if v is None:
            return None
        agreed = v <= 1
        return int(agreed == (n in AGREE_SCORED))

    def score(self, task: TaskData, numbers: tuple[int, ...]) -> int | None:
        points = [self.point(task, n) for n in numbers]
        if any(p is None for p in points) or not self.is_complete(task):
            return None
        return sum(p or 0 for p in points)

    def summaries(self, task: TaskData) -> list[Summary]:
        out = [
            Summary(
                "total",
                self.score(task, tuple(range(1, 51))),
                "Total AQ score (≥32 clinically significant autistic traits)",
                50,
                kind="int",
            )
        ]
        for name, numbers in SUBSCALES.items():
            out.append(
                Summary(
                    name,
                    self.score(task, numbers),
                    f"{SUBSCALE_LABELS[name]} subscale",
                    10,
                    kind="int",
                )
            )
        return out

    def question_rows(self, task: TaskData) -> list[tuple[str, HtmlCell]]:
        return [
            (
                task.xstring(f"q{n}", self.item_labels[f"q{n}"]),
                h.answer(task.get(f"q{n}"), self.option_labels),
            )
            for n in range(1, 51)
        ]

    def clinical_summary(self, task: TaskData) -> str:
        total = self.score(task, tuple(range(1, 51)))
        if total is None:
            return f"{self.shortname}: incomplete, not scored"
        flag = " (≥32: clinically significant autistic traits)" if total >= SIGNIFICANT else ""
        return f"{self.shortname}: total {total}/50{flag}"


TASKS = (Aq(),)
