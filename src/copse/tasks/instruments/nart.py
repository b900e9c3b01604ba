"""NART: National Adult Reading Test (premorbid IQ estimate).

The subject reads aloud 50 irregular words (Nelson 1982); each is marked
correct or not. Predicted IQs are linear in the number of errors E (0–50):

* Nelson (1982), NART manual, WAIS: full-scale IQ = 127.7 − 0.826 E; verbal
  IQ = 129.0 − 0.919 E; performance IQ = 123.5 − 0.645 E.
* Nelson & Willison (1991), NART 2nd ed., WAIS-R: full-scale IQ = 130.6 −
  1.24 E.
* Bright, Hale, Gooch, Myhill & van der Linde (2018) Neuropsychol Rehabil
  28:1019 (online 2016), WAIS-IV: full-scale IQ = 126.41 − 0.9775 E; general
  ability index = 126.5 − 0.9656 E; verbal comprehension = 126.81 − 1.0745 E;
  perceptual reasoning = 120.18 − 0.6242 E; working memory = 120.53 −
  0.7901 E; processing speed = 114.53 − 0.5285 E (coefficients as the
  reference applies them).

Every word must be marked for any estimate; with a word unmarked the
estimates are undefined (None), as an estimate from a partial test would
mislead. The words themselves are the published test items.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition
from copse.tasks.values import int_in

WORDS = (
    "chord", "ache", "depot", "aisle", "bouquet", "psalm", "capon", "deny", "nausea", "debt",
    "courteous", "rarefy", "equivocal", "naive", "catacomb", "gaoled", "thyme", "heir", "radix",
    "assignate", "hiatus", "subtle", "procreate", "gist", "gouge", "superfluous", "simile",
    "banal", "quadruped", "cellist", "facade", "zealot", "drachm", "aeon", "placebo",
    "abstemious", "detente", "idyll", "puerperal", "aver", "gauche", "topiary", "leviathan",
    "beatify", "prelate", "sidereal", "demesne", "syncope", "labile", "campanile",
)  # fmt: skip
CORRECT = {0: "incorrect", 1: "correct"}

#: summary name → (intercept, slope per error, description)
ESTIMATES: dict[str, tuple[float, float, str]] = {
    "nelson_full_scale_iq": (127.7, 0.826, "Predicted WAIS full-scale IQ (Nelson 1982)"),
    "nelson_verbal_iq": (129.0, 0.919, "Predicted WAIS verbal IQ (Nelson 1982)"),
    "nelson_performance_iq": (123.5, 0.645, "Predicted WAIS performance IQ (Nelson 1982)"),
    "nelson_willison_full_scale_iq": (
        130.6, 1.24, "Predicted WAIS-R full-scale IQ (Nelson & Willison 1991)"),
    "bright_full_scale_iq": (126.41, 0.9775, "Predicted WAIS-IV full-scale IQ (Bright 2016)"),
    "bright_general_ability": (
        126.5, 0.9656, "Predicted WAIS-IV general ability index (Bright 2016)"),
    "bright_verbal_comprehension": (
        126.81, 1.0745, "Predicted WAIS-IV verbal comprehension index (Bright 2016)"),
    "bright_perceptual_reasoning": (
        120.18, 0.6242, "Predicted WAIS-IV perceptual reasoning index (Bright 2016)"),
    "bright_working_memory": (
        120.53, 0.7901, "Predicted WAIS-IV working memory index (Bright 2016)"),
    "bright_perceptual_speed": (
        114.53, 0.5285, "Predicted WAIS-IV processing speed index (Bright 2016)"),
}  # fmt: skip


class Nart(TaskDefinition):
    tablename = "nart"
    column_meanings = {w: f"Word '{w}' read correctly (1) or not (0)" for w in WORDS}

    def marks(self, task: TaskData) -> list[int | None]:
        return [int_in(task.get(w), CORRECT) for w in WORDS]

    def is_complete(self, task: TaskData) -> bool | None:
        return all(m is not None for m in self.marks(task))

    def n_errors(self, task: TaskData) -> int | None:
        marks = self.marks(task)
        if any(m is None for m in marks):
            return None
        return sum(1 for m in marks if m == 0)

    def summaries(self, task: TaskData) -> list[Summary]:
        errors = self.n_errors(task)
        out = [
            Summary(
                "n_errors", errors, "Number of words read incorrectly (complete tests only)",
                50, kind="int",
            )
        ]  # fmt: skip
        for name, (intercept, slope, description) in ESTIMATES.items():
            value = None if errors is None else intercept - slope * errors
            out.append(Summary(name, value, description, kind="float"))
        return out

    def clinical_summary(self, task: TaskData) -> str:
        errors = self.n_errors(task)
        if errors is None:
            return f"{self.shortname}: incomplete, no estimate"
        intercept, slope, _ = ESTIMATES["nelson_full_scale_iq"]
        return (
            f"{self.shortname}: {errors}/50 errors, predicted WAIS full-scale IQ "
            f"{intercept - slope * errors:.1f} (Nelson 1982)"
        )

    def body_html(self, task: TaskData) -> Markup:
        rows = [(w, h.answer(task.get(w), CORRECT)) for w in WORDS]
        return h.section(
            "Words", h.table(rows, header=("Word", "Reading"), css_class="copse-answers")
        )


TASKS = (Nart(),)
