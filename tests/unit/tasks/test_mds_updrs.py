"""MDS-UPDRS: conditional completeness and part sums."""

from __future__ import annotations

from complete_cat17a import COMPLETE
from task_test_helpers import summary_map, td

from copse.tasks.catalogue import get_task
from copse.tasks.instruments.mds_updrs import PART3

UPDRS = get_task("mds_updrs")
FULL = COMPLETE["mds_updrs"][0]


def test_conditional_items() -> None:
    assert UPDRS.is_complete(td(FULL)) is True
    assert UPDRS.is_complete(td({**FULL, "q3c1": None})) is False  # on levodopa
    assert UPDRS.is_complete(td({**FULL, "q3c": 0, "q3c1": None})) is True
    assert UPDRS.is_complete(td({**FULL, "q3_dyskinesia_present": 1})) is False
    assert (
        UPDRS.is_complete(td({**FULL, "q3_dyskinesia_present": 1, "q3_dyskinesia_interfered": 0}))
        is True
    )
    assert UPDRS.is_complete(td({**FULL, "q3_hy_stage": 6})) is False
    assert UPDRS.is_complete(td({**FULL, "q1_6a": None})) is False


def test_part_sums() -> None:
    s = summary_map(UPDRS.summaries(td(FULL)))
    assert s == {"part1": 13, "part2": 13, "part3": 33, "part4": 0}
    top = {**FULL, **{c: 4 for c in PART3}, **{f"q4_{n}": 4 for n in range(1, 7)}}
    s = summary_map(UPDRS.summaries(td(top)))
    assert (s["part3"], s["part4"]) == (132, 24)
    # Descriptors (source of information, stage) are not scores.
    assert summary_map(UPDRS.summaries(td({"q1a": 2, "q3_hy_stage": 5})))["part1"] == 0


def test_view() -> None:
    html = str(UPDRS.render_html(td(FULL)))
    assert "3.17e Rest tremor amplitude: lip/jaw" in html
    assert "2 — patient and caregiver equally" in html
    assert "90.0" in html  # minutes since levodopa
