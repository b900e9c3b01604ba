"""Y-BOCS (Yale–Brown Obsessive Compulsive Scale) and its symptom checklist.

Source: Goodman, Price, Rasmussen et al. (1989) Arch Gen Psychiatry
46:1006 and 46:1012. Clinician-rated. Ten core items, each 0 (none) to 4
(extreme): obsessions (items 1–5: time occupied, interference, distress,
resistance, control) and compulsions (items 6–10, the same five aspects);
obsession and compulsion subtotals /20, total /40. Items 1b and 6b
(obsession-/compulsion-free interval) and 11–19 (insight, avoidance,
indecisiveness, responsibility, slowness, doubting; global severity 0–6,
global improvement 0–6, reliability 0–3) are investigational and not
scored. Completeness needs the ten scored items (other items, when
present, must be permitted answers); subtotals add the answers present, as
the reference does. Severity bands (Goodman et al. 1989, as widely used):
0–7 subclinical, 8–15 mild, 16–23 moderate, 24–31 severe, 32–40 extreme.

Y-BOCS-SC (the symptom checklist): for each obsession and compulsion the
clinician ticks "current" and/or "past" and marks principal symptoms; a
checklist has no required entries (an empty box means "not present"), so it
is complete once any box has been answered, unless a box holds something
other than yes/no (the reference calls every checklist complete; an
untouched all-NULL one is not a done checklist). The reference
computes no summaries; copse adds counts of current symptoms. Current
self-damaging behaviour is a risk flag.

The scale's wording is copyrighted, so questions come from the server's
extra strings; labels here only name what each item rates.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from copse.schema.registry import TABLES
from copse.tasks import html as h
from copse.tasks.base import Cutoff, RiskFlag, Summary, TaskData, TaskDefinition, TrackerSpec
from copse.tasks.scales import band
from copse.tasks.values import as_int, is_nonempty_text, qfields
from copse.tasks.wording import ExtraStringItemScale

OBSESSION_ITEMS = qfields("q", 1, 5)
COMPULSION_ITEMS = qfields("q", 6, 10)
SCORED = OBSESSION_ITEMS + COMPULSION_ITEMS
ALL_ITEMS = (
    "q1", "q1b", "q2", "q3", "q4", "q5", "q6", "q6b", "q7", "q8", "q9", "q10",
    *qfields("q", 11, 19),
)  # fmt: skip
BANDS = ((8, "mild"), (16, "moderate"), (24, "severe"), (32, "extreme"))
TARGETS = tuple(
    (f"target_{kind}_{n}", f"Target {kind} {n}")
    for kind in ("obsession", "compulsion", "avoidance")
    for n in (1, 2, 3)
)
_TOPICS = {
    "q1": "1. Time occupied by obsessive thoughts",
    "q1b": "1b. Obsession-free interval (not scored)",
    "q2": "2. Interference due to obsessive thoughts",
    "q3": "3. Distress associated with obsessive thoughts",
    "q4": "4. Resistance against obsessions",
    "q5": "5. Degree of control over obsessive thoughts",
    "q6": "6. Time spent performing compulsive behaviours",
    "q6b": "6b. Compulsion-free interval (not scored)",
    "q7": "7. Interference due to compulsive behaviours",
    "q8": "8. Distress associated with compulsive behaviour",
    "q9": "9. Resistance against compulsions",
    "q10": "10. Degree of control over compulsive behaviour",
    "q11": "11. Insight into obsessions and compulsions (not scored)",
    "q12": "12. Avoidance (not scored)",
    "q13": "13. Indecisiveness (not scored)",
    "q14": "14. Overvalued sense of responsibility (not scored)",
    "q15": "15. Pervasive slowness or disturbance of inertia (not scored)",
    "q16": "16. Pathological doubting (not scored)",
    "q17": "17. Global severity (not scored)",
    "q18": "18. Global improvement (not scored)",
    "q19": "19. Reliability of this rating (not scored)",
}
SEVERITY_0_4 = {0: "none", 1: "mild", 2: "moderate", 3: "severe", 4: "extreme"}
GLOBAL_SEVERITY = {
    0: "no illness",
    1: "illness slight, doubtful, transient",
    2: "mild symptoms",
    3: "moderate symptoms",
    4: "moderately severe symptoms",
    5: "severe symptoms",
    6: "extremely severe symptoms",
}
GLOBAL_IMPROVEMENT = {
    0: "very much worse",
    1: "much worse",
    2: "minimally worse",
    3: "no change",
    4: "minimally improved",
    5: "much improved",
    6: "very much improved",
}
RELIABILITY = {0: "excellent", 1: "good", 2: "fair", 3: "poor"}


class Ybocs(ExtraStringItemScale):
    label_with_wording = False
    tablename = "ybocs"
    items = ALL_ITEMS
    permitted = (0, 1, 2, 3, 4)
    permitted_by_item = {
        "q17": tuple(range(7)),
        "q18": tuple(range(7)),
        "q19": (0, 1, 2, 3),
    }
    item_labels = _TOPICS
    option_labels = SEVERITY_0_4
    option_labels_by_item = {
        "q17": GLOBAL_SEVERITY,
        "q18": GLOBAL_IMPROVEMENT,
        "q19": RELIABILITY,
    }
    column_meanings = {col: f"{label} (free text)" for col, label in TARGETS}
    trackers = (
        TrackerSpec(
            "total_score",
            "Y-BOCS total (0–40)",
            0,
            40,
            tuple(Cutoff(value, label) for value, label in BANDS),
        ),
        TrackerSpec("obsession_score", "Y-BOCS obsessions (0–20)", 0, 20),
        TrackerSpec("compulsion_score", "Y-BOCS compulsions (0–20)", 0, 20),
    )

    def required_items(self, task: TaskData) -> Sequence[str]:
        return SCORED

    def summaries(self, task: TaskData) -> list[Summary]:
        obsessions = self.total(task, OBSESSION_ITEMS)
        compulsions = self.total(task, COMPULSION_ITEMS)
        total = obsessions + compulsions
        return [
            Summary("total_score", total, "Total score, items 1–10 (/40)", 40),
            Summary("obsession_score", obsessions, "Obsessions, items 1–5 (/20)", 20),
            Summary("compulsion_score", compulsions, "Compulsions, items 6–10 (/20)", 20),
            Summary(
                "severity",
                band(total, BANDS, "subclinical"),
                "Severity: 0–7 subclinical, 8–15 mild, 16–23 moderate, 24–31 severe, 32–40 extreme",
                kind="str",
            ),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        s = {x.name: x.value for x in self.summaries(task)}
        line = (
            f"{self.shortname}: total {s['total_score']}/40 (obsessions "
            f"{s['obsession_score']}/20, compulsions {s['compulsion_score']}/20), {s['severity']}"
        )
        return line if self.is_complete(task) else line + ", incomplete"

    def body_html(self, task: TaskData) -> Markup:
        targets = h.table(
            [(label, task.get(col)) for col, label in TARGETS], header=("Target", "Description")
        )
        return Markup("").join((h.section("Target symptoms", targets), super().body_html(task)))


def _checklist_symptoms() -> tuple[str, ...]:
    """Symptom stems of Y-BOCS-SC, in table order (from the ``_current`` columns)."""
    suffix = "_current"
    return tuple(
        c.name[: -len(suffix)] for c in TABLES["ybocssc"].columns if c.name.endswith(suffix)
    )


SYMPTOMS = _checklist_symptoms()
FLAGS = ("current", "past", "principal")
SELF_HARM_COMPULSION = "com_misc_self_harm_current"
TICKED = {1: "yes"}


def _describe(stem: str) -> str:
    kind, _, rest = stem.partition("_")
    noun = {"obs": "Obsession", "com": "Compulsion"}.get(kind, kind)
    return f"{noun}: {rest.replace('_', ' ')}"


class YbocsSc(TaskDefinition):
    tablename = "ybocssc"
    column_meanings = {
        **{
            f"{stem}_{flag}": f"{_describe(stem)} — {flag} (1 = ticked)"
            for stem in SYMPTOMS
            for flag in FLAGS
        },
        **{
            f"{stem}_detail": f"{_describe(stem)} — details (free text)"
            for stem in SYMPTOMS
            if stem.endswith("_other")
        },
    }

    def flag(self, task: TaskData, stem: str, which: str) -> bool:
        return as_int(task.get(f"{stem}_{which}")) == 1

    def is_complete(self, task: TaskData) -> bool | None:
        # A checklist has no required boxes, but one that was never filled in
        # (every box NULL, not even an explicit "no") has not been done; a box
        # holding anything but yes/no makes it wrong.
        answered = False
        for stem in SYMPTOMS:
            for which in FLAGS:
                value = task.get(f"{stem}_{which}")
                if value is None:
                    continue
                if as_int(value) not in (0, 1):
                    return False
                answered = True
        return answered

    def count(self, task: TaskData, prefix: str, which: str) -> int:
        return sum(1 for s in SYMPTOMS if s.startswith(prefix) and self.flag(task, s, which))

    def summaries(self, task: TaskData) -> list[Summary]:
        n_obs = sum(1 for s in SYMPTOMS if s.startswith("obs_"))
        n_com = len(SYMPTOMS) - n_obs
        return [
            Summary(
                "n_current_obsessions",
                self.count(task, "obs_", "current"),
                "Obsessions ticked as current (copse's own count)",
                n_obs,
            ),
            Summary(
                "n_current_compulsions",
                self.count(task, "com_", "current"),
                "Compulsions ticked as current (copse's own count)",
                n_com,
            ),
            Summary(
                "n_principal",
                self.count(task, "", "principal"),
                "Symptoms marked as principal (copse's own count)",
                len(SYMPTOMS),
            ),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        s = {x.name: x.value for x in self.summaries(task)}
        parts = [
            f"{s['n_current_obsessions']} current obsession(s)",
            f"{s['n_current_compulsions']} current compulsion(s)",
            f"{s['n_principal']} principal",
        ]
        if not self.is_complete(task):
            parts.append("incomplete")
        parts.extend(f.message for f in self.risk_flags(task))
        return f"{self.shortname}: " + ", ".join(parts)

    def risk_flags(self, task: TaskData) -> list[RiskFlag]:
        # Self-damaging or self-mutilating behaviour is harm, not just a thought.
        if self.flag(task, "com_misc_self_harm", "current"):
            return [RiskFlag(SELF_HARM_COMPULSION, "current self-harming compulsion")]
        return []

    def body_html(self, task: TaskData) -> Markup:
        rows: list[tuple[h.HtmlCell, ...]] = []
        for stem in SYMPTOMS:
            values = [task.get(f"{stem}_{which}") for which in FLAGS]
            detail = task.get(f"{stem}_detail")
            if all(v is None or as_int(v) == 0 for v in values) and not is_nonempty_text(detail):
                continue
            cells = ["" if v is None or as_int(v) == 0 else h.answer(v, TICKED) for v in values]
            rows.append((task.xstring(stem, _describe(stem)), *cells, detail))
        if not rows:
            return h.section("Symptoms", Markup('<p class="copse-empty">(none ticked)</p>'))
        return h.section(
            "Symptoms ticked",
            h.table(rows, header=("Symptom", "Current", "Past", "Principal", "Details")),
        )


TASKS = (Ybocs(), YbocsSc())
