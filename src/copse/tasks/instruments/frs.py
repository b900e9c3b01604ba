"""FRS (Frontotemporal Dementia Rating Scale).

Source: Mioshi, Hsieh, Savage, Hornberger & Hodges (2010) Neurology 74:1591.
Thirty carer-rated items on behaviour, outings, household chores, finances,
medications, meal preparation, eating and self-care. Each is answered
"never" (0), "sometimes" (1) or "always" (2), or not applicable (-99).
Only "never" counts as preserved function: total = number of items answered
"never", ``n`` = number of applicable items answered, ``score`` = total ÷ n
(the proportion preserved; None when no item applies). All thirty items need
an answer for completeness. "Not applicable" is an answer only for the items
about activities a person may never have done (household chores, telephone,
finances, medications, meal preparation: items 11–19 and 21–27 in the
tablet's order, our reading, consistent with the CamCOPS server's computed
examples); behaviour, outing, eating and self-care items need a rating.

Mioshi et al. convert the percentage score to a Rasch logit with a published
look-up table and stage severity from the logit (very mild … profound). That
table is not available to this implementation, so ``logit`` and ``severity``
are left empty rather than guessed (declared in ``reference_differences``);
the proportion ``score`` carries the same ordering.

The item wording is the authors'; views show the server's extra strings when
installed and item numbers otherwise.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData
from copse.tasks.meta import TrackerSpec
from copse.tasks.scales import ItemScale
from copse.tasks.values import qfields

NOT_APPLICABLE = -99
NEVER = 0
#: Items where "not applicable" is a permitted answer.
NA_ALLOWED = tuple(f"q{n}" for n in (*range(11, 20), *range(21, 28)))
ANSWERS = {NEVER: "never", 1: "sometimes", 2: "always", NOT_APPLICABLE: "not applicable"}
_WHY_TABLE = (
    "the reference converts the percentage score with Mioshi et al.'s published logit table, "
    "which this implementation does not have; left empty rather than guessed"
)


class Frs(ItemScale):
    tablename = "frs"
    items = qfields("q", 1, 30)
    permitted = (NEVER, 1, 2)
    permitted_by_item = {q: (NEVER, 1, 2, NOT_APPLICABLE) for q in NA_ALLOWED}
    option_labels = {k: v for k, v in ANSWERS.items() if k != NOT_APPLICABLE}
    option_labels_by_item = {q: ANSWERS for q in NA_ALLOWED}
    item_labels = {q: f"{q[1:]}. Item {q[1:]}" for q in qfields("q", 1, 30)}
    trackers = (TrackerSpec("score", "FRS proportion of preserved function (1 = none lost)", 0, 1),)
    reference_differences = {"logit": _WHY_TABLE, "severity": _WHY_TABLE}

    def question_rows(self, task: TaskData) -> list[tuple[str, h.HtmlCell]]:
        return [
            (task.xstring(item, label), answer)
            for item, (label, answer) in zip(self.items, super().question_rows(task), strict=True)
        ]

    def body_html(self, task: TaskData) -> Markup:
        comments = h.section("Comments", h.table([("Comments", task.get("comments"))]))
        return Markup("{}{}").format(super().body_html(task), comments)

    def counts(self, task: TaskData) -> tuple[int, int]:
        """(items answered "never", applicable items answered)."""
        answered = [v for v in self.values(task) if v is not None and v != NOT_APPLICABLE]
        return sum(1 for v in answered if v == NEVER), len(answered)

    def summaries(self, task: TaskData) -> list[Summary]:
        total, n = self.counts(task)
        return [
            Summary("total", total, "Items answered 'never' (preserved function)", 30),
            Summary("n", n, "Applicable items answered", 30),
            Summary(
                "score",
                total / n if n else None,
                "Proportion of applicable items answered 'never' (total ÷ n)",
                1,
                kind="float",
            ),
            Summary("logit", None, "Rasch logit of the score (not computed here)", kind="float"),
            Summary("severity", None, "Severity stage (not computed here)", kind="str"),
        ]

    def clinical_summary(self, task: TaskData) -> str:
        total, n = self.counts(task)
        text = f"{total}/{n} applicable items preserved" if n else "no applicable items"
        return f"{self.shortname}: {text}" + ("" if self.is_complete(task) else ", incomplete")


TASKS = (Frs(),)
