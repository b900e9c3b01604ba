"""Goal-Based Outcomes (GBO): goal record, goal progress chart, goal rating sheet.

Source: Law D & Jacob J (2015) *Goals and Goal Based Outcomes (GBOs): some
useful information*, 3rd ed., CAMHS Press / CORC. A young person (or carer)
sets up to three goals (Goal Record Sheet, GBO-GReS); progress towards each
is rated from 0 (no progress at all) to 10 (goal reached) at later sessions,
one goal per row on the Goal Progress Chart (GBO-GPC) or up to three at once
on the Goal Rating Sheet (GBO-GRaS). There is no total score: progress is
tracked per goal. The CamCOPS server computes no summaries for these tables.

Completeness (our reading, consistent with the CamCOPS server's computed
examples): GReS needs the date, the first goal and who completed the sheet;
GPC needs the date, session, goal number, goal, progress rating and whose
goal it is; GRaS needs the date, who completed it, at least one goal chosen
for rating, and for each chosen goal its description and progress rating.

On the GRaS the CamCOPS server treats a progress rating of 0 as missing (its
computed examples call a sheet whose rated goal has progress 0 incomplete);
0 ("no progress at all") is a published rating, so we count it as an answer,
declared in ``reference_differences``.

Who set a goal or completed a sheet is stored as a code whose meaning the
tablet's language strings define; views show the server's extra string
for the code when installed and the code otherwise, plus the free-text
"other" description when given.
"""

from __future__ import annotations

from markupsafe import Markup

from copse.tasks import html as h
from copse.tasks.base import Summary, TaskData, TaskDefinition
from copse.tasks.meta import TrackerSpec
from copse.tasks.values import as_int, int_in_range, is_nonempty_text, parse_iso_datetime

GOALS = (1, 2, 3)
PROGRESS_MAX = 10


def progress(task: TaskData, column: str) -> int | None:
    """A 0–10 progress rating, else None."""
    return int_in_range(task.get(column), 0, PROGRESS_MAX)


def has_date(task: TaskData) -> bool:
    return parse_iso_datetime(task.get("date")) is not None


def agent_text(task: TaskData, column: str) -> str | None:
    """Who set the goal / completed the sheet, as text where the server knows the code."""
    code = as_int(task.get(column))
    if code is None:
        return None
    return task.xstring(f"agent_{code}", f"code {code}")


def details_html(rows: list[tuple[str, h.HtmlCell]]) -> Markup:
    return h.section("Details", h.table(rows, header=("Field", "Value"), css_class="copse-answers"))


class GboGReS(TaskDefinition):
    tablename = "gbogres"
    column_meanings = {
        "date": "Date the goals were recorded",
        **{f"goal_{n}_description": f"Goal {n}, in the person's words" for n in GOALS},
        "other_goals": "Any further goals (free text)",
        "completed_by": "Who completed the sheet (code: child/young person, parent/carer, "
        "practitioner or other)",
        "completed_by_other": "Who completed the sheet, when 'other' (free text)",
    }

    def is_complete(self, task: TaskData) -> bool:
        return (
            has_date(task)
            and is_nonempty_text(task.get("goal_1_description"))
            and as_int(task.get("completed_by")) is not None
        )

    def clinical_summary(self, task: TaskData) -> str:
        n = sum(1 for g in GOALS if is_nonempty_text(task.get(f"goal_{g}_description")))
        return f"{self.shortname}: {n} goal(s) recorded" + (
            "" if self.is_complete(task) else ", incomplete"
        )

    def body_html(self, task: TaskData) -> Markup:
        rows: list[tuple[str, h.HtmlCell]] = [("Date", task.get("date"))]
        rows += [(f"Goal {g}", task.get(f"goal_{g}_description")) for g in GOALS]
        rows += [
            ("Other goals", task.get("other_goals")),
            ("Completed by", agent_text(task, "completed_by")),
            ("Completed by (other)", task.get("completed_by_other")),
        ]
        return details_html(rows)


class GboGpc(TaskDefinition):
    tablename = "gbogpc"
    trackers = (TrackerSpec("progress_rating", "Goal progress (0 none … 10 reached)", 0, 10),)
    column_meanings = {
        "date": "Date of the session",
        "session": "Session number",
        "goal_number": "Which goal this row rates",
        "goal_description": "The goal, in the person's words",
        "progress": "Progress towards the goal, 0 (none at all) to 10 (goal reached)",
        "whose_goal": "Whose goal it is (code: child/young person, parent/carer, "
        "practitioner or other)",
        "whose_goal_other": "Whose goal it is, when 'other' (free text)",
    }

    def is_complete(self, task: TaskData) -> bool:
        return (
            has_date(task)
            and as_int(task.get("session")) is not None
            and as_int(task.get("goal_number")) is not None
            and is_nonempty_text(task.get("goal_description"))
            and progress(task, "progress") is not None
            and as_int(task.get("whose_goal")) is not None
        )

    def summaries(self, task: TaskData) -> list[Summary]:
        return [
            Summary(
                "progress_rating",
                progress(task, "progress"),
                "Progress towards this goal, 0–10 (copy of the rating, for trackers)",
                PROGRESS_MAX,
                kind="int",
            )
        ]

    def clinical_summary(self, task: TaskData) -> str:
        p = progress(task, "progress")
        goal = as_int(task.get("goal_number"))
        text = f"goal {goal if goal is not None else '?'} progress "
        text += f"{p}/10" if p is not None else "not rated"
        return f"{self.shortname}: {text}" + ("" if self.is_complete(task) else ", incomplete")

    def body_html(self, task: TaskData) -> Markup:
        return details_html(
            [
                ("Date", task.get("date")),
                ("Session", task.get("session")),
                ("Goal number", task.get("goal_number")),
                ("Goal", task.get("goal_description")),
                ("Progress (0–10)", task.get("progress")),
                ("Whose goal", agent_text(task, "whose_goal")),
                ("Whose goal (other)", task.get("whose_goal_other")),
            ]
        )


class GboGRaS(TaskDefinition):
    tablename = "gbogras"
    column_meanings = {
        "date": "Date of the rating",
        **{f"rate_goal_{n}": f"Goal {n} is rated on this sheet" for n in GOALS},
        **{f"goal_{n}_description": f"Goal {n}, in the person's words" for n in GOALS},
        **{
            f"goal_{n}_progress": f"Progress towards goal {n}, 0 (none) to 10 (reached)"
            for n in GOALS
        },
        "completed_by": "Who completed the sheet (code: child/young person, parent/carer, "
        "practitioner or other)",
        "completed_by_other": "Who completed the sheet, when 'other' (free text)",
    }
    trackers = tuple(
        TrackerSpec(f"goal_{n}_progress_rating", f"Goal {n} progress (0–10)", 0, 10) for n in GOALS
    )

    reference_differences = {
        "is_complete": "the reference treats a progress rating of 0 on a rated goal as "
        "missing; 0 (no progress at all) is a valid GBO rating, so such a sheet is complete here",
    }

    def rated(self, task: TaskData) -> list[int]:
        return [g for g in GOALS if as_int(task.get(f"rate_goal_{g}")) == 1]

    def is_complete(self, task: TaskData) -> bool:
        rated = self.rated(task)
        return (
            has_date(task)
            and as_int(task.get("completed_by")) is not None
            and bool(rated)
            and all(
                is_nonempty_text(task.get(f"goal_{g}_description"))
                and progress(task, f"goal_{g}_progress") is not None
                for g in rated
            )
        )

    def summaries(self, task: TaskData) -> list[Summary]:
        rated = self.rated(task)
        return [
            Summary(
                f"goal_{g}_progress_rating",
                progress(task, f"goal_{g}_progress") if g in rated else None,
                f"Progress towards goal {g}, 0–10, if rated on this sheet",
                PROGRESS_MAX,
                kind="int",
            )
            for g in GOALS
        ]

    def clinical_summary(self, task: TaskData) -> str:
        parts = []
        for g in self.rated(task):
            p = progress(task, f"goal_{g}_progress")
            parts.append(f"goal {g} " + (f"{p}/10" if p is not None else "not rated"))
        if not self.is_complete(task):
            parts.append("incomplete")
        return f"{self.shortname}: " + (", ".join(parts) if parts else "no goals rated")

    def body_html(self, task: TaskData) -> Markup:
        rows: list[tuple[str, h.HtmlCell]] = [("Date", task.get("date"))]
        for g in GOALS:
            rows += [
                (f"Goal {g} rated", h.answer(task.get(f"rate_goal_{g}"), {0: "no", 1: "yes"})),
                (f"Goal {g}", task.get(f"goal_{g}_description")),
                (f"Goal {g} progress (0–10)", task.get(f"goal_{g}_progress")),
            ]
        rows += [
            ("Completed by", agent_text(task, "completed_by")),
            ("Completed by (other)", task.get("completed_by_other")),
        ]
        return details_html(rows)


TASKS = (GboGReS(), GboGpc(), GboGRaS())
