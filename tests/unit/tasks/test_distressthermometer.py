"""Distress Thermometer: rating, the ≥4 threshold, problem count."""

from __future__ import annotations

import pytest
from task_test_helpers import XSS, items, summary_map, td

from copse.tasks.catalogue import get_task

DT = get_task("distressthermometer")
BASE = {"distress": 0, **items("q", 1, 36, 0)}


def test_complete_and_incomplete() -> None:
    assert DT.is_complete(td(BASE)) is True
    assert DT.is_complete(td({**BASE, "distress": None})) is False
    assert DT.is_complete(td({**BASE, "q36": None})) is False
    assert DT.is_complete(td({**BASE, "distress": 11})) is False
    assert DT.is_complete(td({**BASE, "q1": 2})) is False


@pytest.mark.parametrize(
    ("distress", "significant"), [(0, False), (3, False), (4, True), (10, True)]
)
def test_threshold(distress: int, significant: bool) -> None:
    s = summary_map(DT.summaries(td({**BASE, "distress": distress})))
    assert (s["distress"], s["clinically_significant"]) == (distress, significant)


def test_problem_count() -> None:
    row = {**BASE, "q1": 1, "q7": 1, "q36": 1}
    assert summary_map(DT.summaries(td(row)))["n_problems"] == 3
    assert summary_map(DT.summaries(td({})))["clinically_significant"] is None


def test_other_text_is_escaped() -> None:
    html = str(DT.render_html(td({**BASE, "other": XSS})))
    assert "<script" not in html and "&lt;script&gt;" in html
