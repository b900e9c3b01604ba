"""EDE-Q (Eating Disorder Examination Questionnaire), version 6.0.

Source: Fairburn CG & Beglin SJ (2008), in Fairburn CG, *Cognitive Behavior
Therapy and Eating Disorders*, Guilford Press, appendix; scoring as there.
Twenty-eight items about the last 28 days. Items 1–12 and 19–28 are rated
0–6; items 13–18 are counts (episodes or days of binge eating, self-induced
vomiting, laxative misuse, driven exercise) and are not in any subscale.

Subscales (mean of their items):

* Restraint: items 1, 2, 3, 4, 5
* Eating concern: items 7, 9, 19, 20, 21
* Shape concern: items 6, 8, 10, 11, 23, 26, 27, 28
* Weight concern: items 8, 12, 22, 24, 25

A subscale is scored when more than half of its items are answered (mean of
those answered); the global score is the mean of the four subscales (None
unless all four are scored). A global score ≥4 is the commonly used marker
of clinical significance (Mond et al. 2008, Behav Res Ther 46:612), used as
the tracker's cut-off. BMI = weight ÷ height². The CamCOPS server computes
no summaries for this table, so these are ours.

Completeness (our reading): every item answered, plus weight and height;
for a patient known to be female, the questions on missed periods and the
contraceptive pill too. Any self-induced vomiting or laxative misuse in the
last 28 days (items 16, 17) raises a risk flag (medical risk).
"""

from __future__ import annotations

from copse.tasks import html as h
from copse.tasks.base import RiskFlag, Summary, TaskData
from copse.tasks.meta import Cutoff, TrackerSpec
from copse.tasks.scales import ItemScale
from copse.tasks.values import as_float, int_in, int_in_range, qfields

RATED = (*qfields("q", 1, 12), *qfields("q", 19, 28))
COUNTS = qfields("q", 13, 18)
MAX_COUNT = 1000
SUBSCALES: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("restraint", "Restraint", (1, 2, 3, 4, 5)),
    ("eating_concern", "Eating concern", (7, 9, 19, 20, 21)),
    ("shape_concern", "Shape concern", (6, 8, 10, 11, 23, 26, 27, 28)),
    ("weight_concern", "Weight concern", (8, 12, 22, 24, 25)),
)
DAYS = {
    0: "no days",
    1: "1–5 days",
    2: "6–12 days",
    3: "13–15 days",
    4: "16–22 days",
    5: "23–27 days",
    6: "every day",
}
EXTENT = {
    0: "not at all",
    1: "between not at all and slightly",
    2: "slightly",
    3: "between slightly and moderately",
    4: "moderately",
    5: "between moderately and markedly",
    6: "markedly",
}
LABELS = (
    "Deliberately limiting the amount eaten",
    "Long periods without eating",
    "Excluding foods one likes",
    "Following rules about eating",
    "Wanting an empty stomach",
    "Wanting a totally flat stomach",
    "Thinking about food made concentration difficult",
    "Thinking about shape or weight made concentration difficult",
    "Fear of losing control over eating",
    "Fear of gaining weight",
    "Feeling fat",
    "Strong desire to lose weight",
    "Times eaten an unusually large amount (count)",
    "Days with loss of control over a large amount (count)",
    "Days with loss of control over eating (count)",
    "Times made oneself sick (count)",
    "Times taken laxatives (count)",
    "Times exercised compulsively (count)",
    "Days eaten in secret",
    "Feeling guilty after eating",
    "Concern about being seen eating",
    "Weight has influenced self-judgement",
    "Shape has influenced self-judgement",
    "Upset if asked to weigh oneself weekly",
    "Dissatisfaction with weight",
    "Dissatisfaction with shape",
    "Discomfort seeing one's own body",
    "Discomfort about others seeing one's shape",
)


class EdeQ(ItemScale):
    tablename = "edeq"
    items = qfields("q", 1, 28)
    permitted = tuple(range(7))
    permitted_by_item = {q: tuple(range(MAX_COUNT + 1)) for q in COUNTS}
    item_labels = {f"q{n}": f"{n}. {text}" for n, text in enumerate(LABELS, start=1)}
    option_labels = DAYS
    option_labels_by_item = {
        **{f"q{n}": EXTENT for n in range(20, 29)},
        **{q: {} for q in COUNTS},
    }
    trackers = (
        TrackerSpec("global_score", "EDE-Q global score", 0, 6, (Cutoff(4, "Clinical range"),)),
    )
    column_meanings = {
        "mass_kg": "Weight (kg)",
        "height_m": "Height (m)",
        "num_periods_missed": "Menstrual periods missed over the last three to four months",
        "pill": "Taking the contraceptive pill (0 no, 1 yes)",
    }

    def column_meaning(self, table: str, column: str) -> str | None:
        if table == self.tablename and column in COUNTS:
            return f"{self.question_label(column)}: a number, 0 or more (last 28 days)"
        return super().column_meaning(table, column)

    def is_complete(self, task: TaskData) -> bool:
        if not super().is_complete(task):
            return False
        if self.bmi(task) is None:
            return False
        if task.patient_sex == "F":
            return (
                int_in_range(task.get("num_periods_missed"), 0, 100) is not None
                and int_in(task.get("pill"), (0, 1)) is not None
            )
        return True

    def bmi(self, task: TaskData) -> float | None:
        mass, height = as_float(task.get("mass_kg")), as_float(task.get("height_m"))
        if mass is None or height is None or mass <= 0 or height <= 0:
            return None
        # A height so small that its square underflows to 0 has no BMI.
        area = height * height
        return None if area == 0 else mass / area

    def subscale(self, task: TaskData, numbers: tuple[int, ...]) -> float | None:
        answered = [v for v in self.values(task, [f"q{n}" for n in numbers]) if v is not None]
        if 2 * len(answered) <= len(numbers):
            return None
        return sum(answered) / len(answered)

    def summaries(self, task: TaskData) -> list[Summary]:
        out: list[Summary] = []
        scores: list[float] = []
        for name, title, numbers in SUBSCALES:
            score = self.subscale(task, numbers)
            if score is not None:
                scores.append(score)
            out.append(
                Summary(
                    name,
                    score,
                    f"{title}: mean of items {', '.join(map(str, numbers))} (0–6; more than "
                    "half needed)",
                    6,
                    kind="float",
                )
            )
        out.append(
            Summary(
                "global_score",
                sum(scores) / len(scores) if len(scores) == len(SUBSCALES) else None,
                "Global score: mean of the four subscales (0–6)",
                6,
                kind="float",
            )
        )
        out.append(Summary("bmi", self.bmi(task), "Body mass index (kg/m²)", kind="float"))
        return out

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        flags = []
        for item, what in (("q16", "self-induced vomiting"), ("q17", "laxative misuse")):
            count = self.value(task, item)
            if count:
                flags.append(RiskFlag(item, f"{what}: {count} time(s) in 28 days"))
        return flags

    def question_rows(self, task: TaskData) -> list[tuple[str, h.HtmlCell]]:
        return [
            *super().question_rows(task),
            ("Weight (kg)", task.get("mass_kg")),
            ("Height (m)", task.get("height_m")),
            ("Periods missed (last 3–4 months)", task.get("num_periods_missed")),
            ("Taking the contraceptive pill", h.answer(task.get("pill"), {0: "no", 1: "yes"})),
        ]


TASKS = (EdeQ(),)
