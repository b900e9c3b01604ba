"""PCL-C, PCL-M, PCL-S (DSM-IV): total, symptomatic counts per cluster, PTSD rule."""

from __future__ import annotations

import pytest
from task_test_helpers import items, summary_map, td

from copse.tasks.base import TaskData, TaskDefinition
from copse.tasks.catalogue import get_task

PCLS = [get_task(n) for n in ("pclc", "pclm", "pcls")]
# Minimal DSM-IV pattern: 1 of B (1–5), 3 of C (6–12), 2 of D (13–17) at ≥3.
MINIMAL = {**items("q", 1, 17, 1), "q1": 3, "q6": 3, "q7": 4, "q8": 5, "q13": 3, "q17": 3}


@pytest.mark.parametrize("task", PCLS, ids=lambda t: t.tablename)
def test_complete_and_incomplete(task: TaskDefinition) -> None:
    assert task.is_complete(td(items("q", 1, 17, 1))) is True
    assert task.is_complete(td(items("q", 1, 16, 1))) is False
    assert task.is_complete(td({**items("q", 1, 17, 1), "q3": 0})) is False  # items are 1–5
    assert task.is_complete(td({**items("q", 1, 17, 1), "q3": 6})) is False


@pytest.mark.parametrize("task", PCLS, ids=lambda t: t.tablename)
def test_minimal_ptsd_pattern(task: TaskDefinition) -> None:
    # 11 items at 1 (=11) + 3+3+4+5+3+3 (=21) → 32.
    s = summary_map(task.summaries(td(MINIMAL)))
    assert s == {
        "total": 32,
        "num_symptomatic": 6,
        "num_symptomatic_B": 1,
        "num_symptomatic_C": 3,
        "num_symptomatic_D": 2,
        "ptsd": True,
    }


@pytest.mark.parametrize("drop", ["q1", "q6", "q13"])  # the only B, one of 3 C, one of 2 D
def test_each_cluster_is_needed(drop: str) -> None:
    s = summary_map(PCLS[0].summaries(td({**MINIMAL, drop: 2})))
    assert s["ptsd"] is False


def test_rating_two_is_not_symptomatic() -> None:
    s = summary_map(PCLS[1].summaries(td(items("q", 1, 17, 2))))
    assert (s["total"], s["num_symptomatic"], s["ptsd"]) == (34, 0, False)


def test_range_ends() -> None:
    assert summary_map(PCLS[0].summaries(td(items("q", 1, 17, 5))))["total"] == 85
    assert summary_map(PCLS[0].summaries(td(items("q", 1, 17, 1))))["total"] == 17


def test_partial_answers_still_counted() -> None:
    s = summary_map(PCLS[2].summaries(td(q10=4, q2=9)))  # 9 is not a permitted answer
    assert (s["total"], s["num_symptomatic_C"], s["num_symptomatic_B"]) == (4, 1, 0)


def test_pcls_shows_event_and_answers_as_text() -> None:
    row = {**items("q", 1, 17, 3), "event": "Flood", "eventdate": "March 2020"}
    html = str(PCLS[2].render_html(TaskData(row=row)))
    assert "Flood" in html and "March 2020" in html
    assert "3 — moderately" in html


def test_trackers_and_clinical_summary() -> None:
    assert [c.value for c in PCLS[0].trackers[0].cutoffs] == [44]
    assert [c.value for c in PCLS[1].trackers[0].cutoffs] == [50]
    line = PCLS[0].clinical_summary(td(MINIMAL))
    assert line.startswith("PCL-C: total 32/85") and "meets DSM-IV PTSD" in line
