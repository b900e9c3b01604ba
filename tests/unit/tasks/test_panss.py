"""PANSS: scales, composite, total cut-offs and harm-to-others flags."""

from __future__ import annotations

import pytest
from task_test_helpers import items, summary_map, td

from copse.tasks.catalogue import get_task

PANSS = get_task("panss")
ALL_1 = {**items("p", 1, 7, 1), **items("n", 1, 7, 1), **items("g", 1, 16, 1)}


def test_completeness() -> None:
    assert PANSS.is_complete(td(ALL_1)) is True
    assert PANSS.is_complete(td({**ALL_1, "g16": 0})) is False  # ratings start at 1
    assert PANSS.is_complete(td({**ALL_1, "n3": None})) is False


def test_minimum_and_maximum() -> None:
    assert summary_map(PANSS.summaries(td(ALL_1))) == {
        "total": 30, "p": 7, "n": 7, "g": 16, "composite": 0}  # fmt: skip
    top = {k: 7 for k in ALL_1}
    assert summary_map(PANSS.summaries(td(top)))["total"] == 210


def test_known_row_and_composite() -> None:
    # Reference example 1: P = 5+6+5+3+3+5+1 = 28, N = 1+4+6+6+3+7+3 = 30, G = 56.
    p = (5, 6, 5, 3, 3, 5, 1)
    n = (1, 4, 6, 6, 3, 7, 3)
    g = (5, 6, 4, 2, 5, 3, 3, 3, 6, 1, 7, 3, 1, 2, 3, 2)
    row = {f"p{i}": v for i, v in enumerate(p, 1)} | {f"n{i}": v for i, v in enumerate(n, 1)}
    row |= {f"g{i}": v for i, v in enumerate(g, 1)}
    assert summary_map(PANSS.summaries(td(row))) == {
        "total": 114, "p": 28, "n": 30, "g": 56, "composite": -2}  # fmt: skip


@pytest.mark.parametrize(("answers", "columns"), [({"p7": 4}, []), ({"p7": 5}, ["p7"]),
                         ({"g14": 7}, ["g14"]), ({"p7": 6, "g14": 5}, ["p7", "g14"])])  # fmt: skip
def test_harm_flags(answers: dict[str, int], columns: list[str]) -> None:
    assert [f.column for f in PANSS.risk_flags(td({**ALL_1, **answers}))] == columns


def test_total_tracker_has_leucht_cutoffs() -> None:
    tracker = next(t for t in PANSS.trackers if t.summary == "total")
    assert [c.value for c in tracker.cutoffs] == [58, 75, 95, 116]


def test_clinical_summary() -> None:
    line = PANSS.clinical_summary(td({**ALL_1, "p7": 6}))
    assert line == "PANSS: total 35/210 (P 12, N 7, G 16, composite 5), P7 (hostility) = 6, severe"
