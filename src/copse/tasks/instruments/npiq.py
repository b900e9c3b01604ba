"""NPI-Q: Neuropsychiatric Inventory Questionnaire (informant-rated).

Source: Kaufer et al. (2000) J Neuropsychiatry Clin Neurosci 12:233. Twelve
symptom domains; for each the informant says whether it is present
(endorsed) in the past month and, if so, rates its severity 1 (mild) to 3
(severe) and their own distress 0 (not at all) to 5 (extreme). Scores sum
over endorsed domains only: number endorsed (/12), severity (/36), distress
(/60).

Completeness: every domain answered yes/no, and severity and distress given
for each endorsed one. Departure from the reference: it also treats a
distress rating of 0 for an endorsed domain as missing, although 0 ("not
distressing at all") is one of the published answers; we count it as an
answer (``reference_differences``).

The domain names are the published ones; their screening questions are
copyright and come only from extra strings (``q1``..``q12``).
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import RiskFlag, Summary, TaskData, TaskDefinition, TrackerSpec
from copse.tasks.values import int_in

DOMAINS = (
    "Delusions",
    "Hallucinations",
    "Agitation/aggression",
    "Depression/dysphoria",
    "Anxiety",
    "Elation/euphoria",
    "Apathy/indifference",
    "Disinhibition",
    "Irritability/lability",
    "Aberrant motor behaviour",
    "Night-time behaviour disturbances",
    "Appetite/eating disturbances",
)
NUMBERS = range(1, len(DOMAINS) + 1)
SEVERITY = {1: "mild", 2: "moderate", 3: "severe"}
DISTRESS = {0: "not at all", 1: "minimal", 2: "mild", 3: "moderate", 4: "severe", 5: "extreme"}
YES_NO = {0: "no", 1: "yes"}


class Npiq(TaskDefinition):
    tablename = "npiq"
    column_meanings = {
        **{f"endorsed{n}": f"{n}. {d}: present in the past month (0 no, 1 yes)"
           for n, d in zip(NUMBERS, DOMAINS, strict=True)},
        **{f"severity{n}": f"{n}. {d}: severity if present (1 mild, 2 moderate, 3 severe)"
           for n, d in zip(NUMBERS, DOMAINS, strict=True)},
        **{f"distress{n}": f"{n}. {d}: informant's distress if present (0 none … 5 extreme)"
           for n, d in zip(NUMBERS, DOMAINS, strict=True)},
    }  # fmt: skip
    reference_differences = {
        "is_complete": "the reference counts a distress rating of 0 ('not distressing at all') "
        "for an endorsed domain as missing; we count it as the published answer it is",
    }
    trackers = (
        TrackerSpec("severity_score", "NPI-Q severity score", 0, 36),
        TrackerSpec("distress_score", "NPI-Q caregiver distress score", 0, 60),
    )

    def endorsed(self, task: TaskData, n: int) -> bool | None:
        v = int_in(task.get(f"endorsed{n}"), (0, 1))
        return None if v is None else v == 1

    def is_complete(self, task: TaskData) -> bool | None:
        for n in NUMBERS:
            endorsed = self.endorsed(task, n)
            if endorsed is None:
                return False
            if endorsed and (
                int_in(task.get(f"severity{n}"), SEVERITY) is None
                or int_in(task.get(f"distress{n}"), DISTRESS) is None
            ):
                return False
        return True

    def _sum(self, task: TaskData, prefix: str, permitted: dict[int, str]) -> int:
        return sum(
            int_in(task.get(f"{prefix}{n}"), permitted) or 0
            for n in NUMBERS
            if self.endorsed(task, n)
        )

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "n_endorsed",
                sum(1 for n in NUMBERS if self.endorsed(task, n)),
                "Number of domains endorsed",
                12,
            ),
            Summary(
                "severity_score",
                self._sum(task, "severity", SEVERITY),
                "Severity score: sum over endorsed domains (1–3 each)",
                36,
            ),
            Summary(
                "distress_score",
                self._sum(task, "distress", DISTRESS),
                "Caregiver distress score: sum over endorsed domains (0–5 each)",
                60,
            ),
        ]

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        # Severe agitation/aggression is a risk to others and to the carer.
        if self.endorsed(task, 3) and int_in(task.get("severity3"), SEVERITY) == 3:
            return [RiskFlag("severity3", "agitation/aggression rated severe")]
        return []

    def clinical_summary(self, task: TaskData) -> str:
        s = {x.name: x.value for x in self.summaries(task)}
        parts = [
            f"{s['n_endorsed']}/12 domains present, severity {s['severity_score']}/36, "
            f"carer distress {s['distress_score']}/60"
        ]
        if not self.is_complete(task):
            parts.append("incomplete")
        parts.extend(f.message for f in self.risk_flags(task))
        return f"{self.shortname}: " + ", ".join(parts)

    def body_html(self, task: TaskData) -> Markup:
        rows: list[tuple[h.HtmlCell, ...]] = []
        for n, domain in zip(NUMBERS, DOMAINS, strict=True):
            wording = task.strings.get(f"q{n}")
            label = f"{n}. {domain}" + (f": {wording}" if wording else "")
            rows.append(
                (
                    label,
                    h.answer(task.get(f"endorsed{n}"), YES_NO),
                    h.answer(task.get(f"severity{n}"), SEVERITY),
                    h.answer(task.get(f"distress{n}"), DISTRESS),
                )
            )
        return h.section(
            "Domains",
            h.table(
                rows,
                header=("Domain", "Present", "Severity", "Distress"),
                css_class="copse-answers",
            ),
        )


TASKS = (Npiq(),)
