"""DAD (Disability Assessment for Dementia).

Source: Gélinas, Gauthier, McIntyre & Gauthier (1999) Am J Occup Ther
53:471. Forty carer-reported questions on whether, over the last two weeks,
the person undertook an activity without help or reminder: 1 = yes, 0 = no,
-99 = not applicable (the person never did it before the illness). Items
are grouped by activity (hygiene, dressing, continence, eating — the basic
activities of daily living, BADL; meal preparation, telephone, outings,
finances, medications, leisure and housework — the instrumental ones, IADL)
and by phase of the activity (initiation, planning and organisation,
effective performance).

Scoring: for every group, ``_n`` = items answered "yes" and ``_d`` = items
answered yes or no (not applicable and unanswered items are left out); the
DAD score is n ÷ d as a percentage (higher = less disability), which we add
as ``total_percent``. Completeness: every item answered (not applicable is
an answer). The CamCOPS server reports every DAD as complete, even one with
no answers; we keep the rule that every item must be answered, declared in
``reference_differences``.

The item wording is copyrighted, so views show the server's extra strings
when installed and a neutral label built from the column name otherwise.
"""

from __future__ import annotations

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData
from copse.tasks.meta import TrackerSpec
from copse.tasks.scales import ItemScale

NOT_APPLICABLE = -99
ITEMS = (
    "hygiene_init_wash",
    "hygiene_init_teeth",
    "hygiene_init_hair",
    "hygiene_plan_wash",
    "hygiene_exec_wash",
    "hygiene_exec_hair",
    "hygiene_exec_teeth",
    "dressing_init_dress",
    "dressing_plan_clothing",
    "dressing_plan_order",
    "dressing_exec_dress",
    "dressing_exec_undress",
    "continence_init_toilet",
    "continence_exec_toilet",
    "eating_init_eat",
    "eating_plan_utensils",
    "eating_exec_eat",
    "mealprep_init_meal",
    "mealprep_plan_meal",
    "mealprep_exec_meal",
    "telephone_init_phone",
    "telephone_plan_dial",
    "telephone_exec_conversation",
    "telephone_exec_message",
    "outing_init_outing",
    "outing_plan_outing",
    "outing_exec_reach_destination",
    "outing_exec_mode_transportation",
    "outing_exec_return_with_shopping",
    "finance_init_interest",
    "finance_plan_pay_bills",
    "finance_plan_organise_correspondence",
    "finance_exec_handle_money",
    "medications_init_medication",
    "medications_exec_take_medications",
    "leisure_init_interest_leisure",
    "leisure_init_interest_chores",
    "leisure_plan_chores",
    "leisure_exec_complete_chores",
    "leisure_exec_safe_at_home",
)
BADL = ("hygiene", "dressing", "continence", "eating")
IADL = ("mealprep", "telephone", "outing", "finance", "medications", "leisure")
PHASES = {"init": "initiation", "plan": "planning", "exec": "execution"}
DOMAIN_TITLES = {
    "hygiene": "Hygiene",
    "dressing": "Dressing",
    "continence": "Continence",
    "eating": "Eating",
    "mealprep": "Meal preparation",
    "telephone": "Telephoning",
    "outing": "Going on an outing",
    "finance": "Finance and correspondence",
    "medications": "Medications",
    "leisure": "Leisure and housework",
}
PHASE_TITLES = {"init": "initiation", "plan": "planning and organisation", "exec": "performance"}
ANSWERS = {1: "yes", 0: "no", NOT_APPLICABLE: "not applicable"}


def domain(item: str) -> str:
    return item.split("_")[0]


def phase(item: str) -> str:
    return item.split("_")[1]


def label(item: str) -> str:
    """A neutral label: domain, phase and the activity named in the column."""
    activity = " ".join(item.split("_")[2:])
    return f"{DOMAIN_TITLES[domain(item)]}, {PHASE_TITLES[phase(item)]}: {activity}"


class Dad(ItemScale):
    tablename = "dad"
    items = ITEMS
    permitted = (0, 1, NOT_APPLICABLE)
    option_labels = ANSWERS
    item_labels = {item: label(item) for item in ITEMS}
    reference_differences = {
        "is_complete": "the reference reports every DAD as complete, even with no answers; "
        "here every item must be answered (not applicable counts as an answer)",
    }
    trackers = (TrackerSpec("total_percent", "DAD score (% of applicable activities)", 0, 100),)

    def question_rows(self, task: TaskData) -> list[tuple[str, h.HtmlCell]]:
        return [
            (task.xstring(item, text), answer)
            for item, (text, answer) in zip(self.items, super().question_rows(task), strict=True)
        ]

    def n_d(self, task: TaskData, items: tuple[str, ...]) -> tuple[int, int]:
        """(items answered yes, items answered yes or no)."""
        values = [v for v in self.values(task, items) if v in (0, 1)]
        return sum(values), len(values)

    def groups(self) -> list[tuple[str, str, tuple[str, ...]]]:
        out: list[tuple[str, str, tuple[str, ...]]] = [("total", "All activities", ITEMS)]
        for name in (*BADL,):
            out.append((name, DOMAIN_TITLES[name], tuple(i for i in ITEMS if domain(i) == name)))
        out.append(("badl", "Basic ADL", tuple(i for i in ITEMS if domain(i) in BADL)))
        for name in IADL:
            out.append((name, DOMAIN_TITLES[name], tuple(i for i in ITEMS if domain(i) == name)))
        out.append(("iadl", "Instrumental ADL", tuple(i for i in ITEMS if domain(i) in IADL)))
        for key, name in PHASES.items():
            out.append((name, f"Phase: {name}", tuple(i for i in ITEMS if phase(i) == key)))
        return out

    def summaries(self, task: TaskData) -> list[Summary]:
        out: list[Summary] = []
        for name, title, items in self.groups():
            n, d = self.n_d(task, items)
            out.append(Summary(f"{name}_n", n, f"{title}: items answered yes", len(items)))
            out.append(
                Summary(f"{name}_d", d, f"{title}: items applicable and answered", len(items))
            )
        n, d = self.n_d(task, ITEMS)
        out.append(
            Summary(
                "total_percent",
                100 * n / d if d else None,
                "DAD score: 100 × yes ÷ applicable answered (higher = less disability)",
                100,
                kind="float",
            )
        )
        return out

    def clinical_summary(self, task: TaskData) -> str:
        n, d = self.n_d(task, ITEMS)
        text = f"{n}/{d} applicable activities done ({100 * n / d:.0f}%)" if d else "no answers"
        return f"{self.shortname}: {text}" + ("" if self.is_complete(task) else ", incomplete")


TASKS = (Dad(),)
