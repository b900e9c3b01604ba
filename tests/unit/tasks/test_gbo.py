"""GBO goal record, progress chart and rating sheet: completeness, progress, views."""

from __future__ import annotations

from typing import Any

from task_test_helpers import XSS, assert_escaped, summary_map, td

from copse.tasks.catalogue import get_task

GRES = get_task("gbogres")
GPC = get_task("gbogpc")
GRAS = get_task("gbogras")
DATE = "2024-03-01T10:00:00.000+00:00"


def test_gres_completeness() -> None:
    row = {"date": DATE, "goal_1_description": "Go to school", "completed_by": 1}
    assert GRES.is_complete(td(row)) is True
    assert GRES.is_complete(td({**row, "goal_1_description": "  "})) is False
    assert GRES.is_complete(td({**row, "date": None})) is False
    assert GRES.is_complete(td({**row, "completed_by": None})) is False


GPC_ROW: dict[str, Any] = {
    "date": DATE,
    "session": 2,
    "goal_number": 1,
    "goal_description": "Sleep better",
    "progress": 0,
    "whose_goal": 1,
}


def test_gpc_completeness_and_progress() -> None:
    assert GPC.is_complete(td(GPC_ROW)) is True  # 0 = no progress is a rating
    assert GPC.is_complete(td({**GPC_ROW, "progress": 11})) is False
    assert GPC.is_complete(td({**GPC_ROW, "session": None})) is False
    assert summary_map(GPC.summaries(td({**GPC_ROW, "progress": 7}))) == {"progress_rating": 7}
    assert GPC.clinical_summary(td({**GPC_ROW, "progress": 7})) == "GBO-GPC: goal 1 progress 7/10"


GRAS_ROW: dict[str, Any] = {
    "date": DATE,
    "rate_goal_1": 1,
    "rate_goal_2": 0,
    "rate_goal_3": 1,
    "goal_1_description": "Make a friend",
    "goal_3_description": "Eat breakfast",
    "goal_1_progress": 4,
    "goal_3_progress": 0,
    "completed_by": 1,
}


def test_gras_only_rated_goals_are_needed() -> None:
    assert GRAS.is_complete(td(GRAS_ROW)) is True
    assert GRAS.is_complete(td({**GRAS_ROW, "goal_1_progress": None})) is False
    assert GRAS.is_complete(td({**GRAS_ROW, "goal_3_description": ""})) is False
    assert GRAS.is_complete(td({**GRAS_ROW, "rate_goal_1": 0, "rate_goal_3": 0})) is False
    assert summary_map(GRAS.summaries(td(GRAS_ROW))) == {
        "goal_1_progress_rating": 4,
        "goal_2_progress_rating": None,
        "goal_3_progress_rating": 0,
    }


def test_views_escape_free_text() -> None:
    for task in (GRES, GPC, GRAS):
        html = str(task.render_html(td(goal_1_description=XSS, goal_description=XSS)))
        assert_escaped(html)
