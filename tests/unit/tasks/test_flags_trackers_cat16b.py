"""Risk flags and trackers added to tasks that already had scoring logic."""

from __future__ import annotations

import pytest
from task_test_helpers import items, td

from copse.tasks.catalogue import get_task


@pytest.mark.parametrize(("q10", "flagged"), [(0, False), (1, True), (3, True), (None, False)])
def test_epds_item_10_self_harm_flag(q10: int | None, flagged: bool) -> None:
    flags = get_task("epds").risk_flags(td({**items("q", 1, 9, 0), "q10": q10}))
    assert bool(flags) is flagged
    assert all(f.column == "q10" for f in flags)


@pytest.mark.parametrize(("q2", "flagged"), [(0, False), (1, True), (4, True), (9, False)])
def test_honos_scale_2_self_injury_flag(q2: int, flagged: bool) -> None:
    for name in ("honos", "honos65"):
        flags = get_task(name).risk_flags(td({**items("q", 1, 12, 0), "q2": q2}))
        assert bool(flags) is flagged, name


@pytest.mark.parametrize(
    ("task", "summary", "cutoffs"),
    [
        ("gad7", "total", (5, 10, 15)),
        ("phq8", "total", (5, 10, 15, 20)),
        ("phq15", "total", (5, 10, 15)),
        ("audit", "total", (8, 16, 20)),
        ("epds", "total", (10, 13)),
        ("core10", "clinical_score", (6, 11, 15, 20, 25)),
        ("pcl5", "total", (33,)),
        ("moca", "total", (26,)),
        ("hads", "anxiety", (8, 11)),
        ("cage", "total", (2,)),
    ],
)
def test_published_cutoffs_in_trackers(task: str, summary: str, cutoffs: tuple[int, ...]) -> None:
    spec = next(t for t in get_task(task).trackers if t.summary == summary)
    assert tuple(c.value for c in spec.cutoffs) == cutoffs


def test_reference_differences_reach_the_data_dictionary() -> None:
    entries = {e.column: e.meaning for e in get_task("epds").data_dictionary() if e.is_summary}
    assert "differs from CamCOPS" in entries["total"]
