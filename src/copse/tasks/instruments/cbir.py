"""CBI-R (Cambridge Behavioural Inventory, Revised).

Source: Wear, Wedderburn, Mioshi, Williams-Gray, Mason, Barker & Hodges
(2008) Dement Neuropsychol 2:102. A carer rates 45 behaviours for
frequency (0 never … 4 constantly) and for the carer's distress (0 none … 4
severe). Ten subscales: memory and orientation (items 1–8), everyday skills
(9–13), self-care (14–17), abnormal behaviour (18–23), mood (24–27), beliefs
(28–30), eating habits (31–34), sleep (35–36), stereotypic and motor
behaviours (37–40), motivation (41–45). Each subscale is reported as a
percentage of its maximum: 100 × sum ÷ (4 × number of items answered), so
unanswered items are left out (the CamCOPS-compatible reading; None when
none is answered).

Completeness: the respondent's name and relationship given, no answer out
of range, and either every item answered or the carer has confirmed that
the blanks are intentional (``confirm_blanks``).
"""

from __future__ import annotations

from typing import ClassVar

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition, TrackerSpec
from copse.tasks.respondent import respondent_details_complete
from copse.tasks.values import int_in

N_ITEMS = 45
RATING = (0, 1, 2, 3, 4)
FREQUENCY = {0: "never", 1: "a few times per month", 2: "a few times per week", 3: "daily",
             4: "constantly"}  # fmt: skip
DISTRESS = {0: "not at all", 1: "a little", 2: "moderately", 3: "very much", 4: "extremely"}
#: summary stem, label, first and last item
SUBSCALES: tuple[tuple[str, str, int, int], ...] = (
    ("memory", "Memory and orientation", 1, 8),
    ("everyday", "Everyday skills", 9, 13),
    ("selfcare", "Self-care", 14, 17),
    ("behaviour", "Abnormal behaviour", 18, 23),
    ("mood", "Mood", 24, 27),
    ("beliefs", "Beliefs", 28, 30),
    ("eating", "Eating habits", 31, 34),
    ("sleep", "Sleep", 35, 36),
    ("stereotypic", "Stereotypic and motor behaviours", 37, 40),
    ("motivation", "Motivation", 41, 45),
)
SUBSCALE_OF = {n: label for _, label, a, b in SUBSCALES for n in range(a, b + 1)}


class Cbir(TaskDefinition):
    tablename = "cbir"
    column_meanings: ClassVar[dict[str, str]] = {
        "confirm_blanks": "Respondent confirmed that unanswered items were left blank on purpose",
        **{
            f"frequency{n}": f"Behaviour {n} ({SUBSCALE_OF[n]}): frequency 0 never … 4 constantly"
            for n in range(1, N_ITEMS + 1)
        },
        **{
            f"distress{n}": f"Behaviour {n} ({SUBSCALE_OF[n]}): carer's distress 0 none … 4 extreme"
            for n in range(1, N_ITEMS + 1)
        },
    }
    trackers = tuple(
        TrackerSpec(f"{stem}_frequency_pct", f"CBI-R {label.lower()}: frequency (%)", 0, 100)
        for stem, label, _, _ in SUBSCALES
    )

    def columns(self) -> list[str]:
        return [f"{kind}{n}" for kind in ("frequency", "distress") for n in range(1, N_ITEMS + 1)]

    def is_complete(self, task: TaskData) -> bool:
        if not respondent_details_complete(task):
            return False
        all_answered = True
        for col in self.columns():
            value = task.get(col)
            if value is None:
                all_answered = False
            elif int_in(value, RATING) is None:
                return False
        return all_answered or int_in(task.get("confirm_blanks"), (0, 1)) == 1

    @staticmethod
    def pct(task: TaskData, kind: str, first: int, last: int) -> float | None:
        values = [int_in(task.get(f"{kind}{n}"), RATING) for n in range(first, last + 1)]
        answered = [v for v in values if v is not None]
        if not answered:
            return None
        return 100 * sum(answered) / (4 * len(answered))

    def summaries(self, task: TaskData) -> list[Summary]:
        out: list[Summary] = []
        for stem, label, first, last in SUBSCALES:
            for kind in ("frequency", "distress"):
                out.append(
                    Summary(
                        f"{stem}_{kind}_pct",
                        self.pct(task, kind, first, last),
                        f"{label} (items {first}–{last}): {kind}, % of maximum of answered items",
                        100,
                        kind="float",
                    )
                )
        return out

    def clinical_summary(self, task: TaskData) -> str:
        parts = []
        for _stem, label, first, last in SUBSCALES:
            pct = self.pct(task, "frequency", first, last)
            parts.append(f"{label.lower()} {'—' if pct is None else f'{pct:.0f}%'}")
        if not self.is_complete(task):
            parts.append("incomplete")
        return f"{self.shortname}: frequency " + ", ".join(parts)

    def body_html(self, task: TaskData) -> Markup:
        rows: list[tuple[h.HtmlCell, ...]] = []
        for n in range(1, N_ITEMS + 1):
            rows.append(
                (
                    task.xstring(f"q{n}", f"Behaviour {n}"),
                    SUBSCALE_OF[n],
                    h.answer(task.get(f"frequency{n}"), FREQUENCY),
                    h.answer(task.get(f"distress{n}"), DISTRESS),
                )
            )
        extra = h.table(
            [
                ("Blanks confirmed", h.answer(task.get("confirm_blanks"), {0: "no", 1: "yes"})),
                ("Comments", task.get("comments")),
            ]
        )
        return Markup("").join(
            (
                h.section(
                    "Questions and answers",
                    h.table(
                        rows,
                        header=("Behaviour", "Subscale", "Frequency", "Distress"),
                        css_class="copse-answers",
                    ),
                ),
                h.section("Other", extra),
            )
        )


TASKS = (Cbir(),)
