"""AUDIT and AUDIT-C: skip rules, scoring of items 9–10, risk zones."""

from __future__ import annotations

import pytest
from task_test_helpers import fill, items, summary_map, td

from copse.tasks.catalogue import get_task

AUDIT = get_task("audit")
AUDIT_C = get_task("audit_c")
Q1_8 = [f"q{n}" for n in range(1, 9)]


def test_audit_complete_when_all_answered() -> None:
    assert AUDIT.is_complete(td({**items("q", 1, 8, 1), "q9": 0, "q10": 2})) is True


def test_audit_non_drinker_skips_to_9_and_10() -> None:
    assert AUDIT.is_complete(td(q1=0, q9=0, q10=0)) is True
    assert AUDIT.is_complete(td(q1=0, q9=0)) is False


def test_audit_no_drinks_or_binges_skips_to_9_and_10() -> None:
    assert AUDIT.is_complete(td(q1=1, q2=0, q3=0, q9=0, q10=0)) is True
    assert AUDIT.is_complete(td(q1=1, q2=1, q3=0, q9=0, q10=0)) is False  # q4–q8 needed


def test_audit_invalid_answers() -> None:
    row = {**items("q", 1, 8, 1), "q9": 0, "q10": 2}
    assert AUDIT.is_complete(td({**row, "q9": 1})) is False  # only 0/2/4
    assert AUDIT.is_complete(td({**row, "q10": 3})) is False
    assert AUDIT.is_complete(td({**row, "q4": 5})) is False
    assert AUDIT.is_complete(td({**row, "q10": None})) is False


def test_audit_known_total() -> None:
    # 4+3+2+1+0+1+2+3 = 16, + q9 2 + q10 4 = 22
    row = {**dict(zip(Q1_8, (4, 3, 2, 1, 0, 1, 2, 3), strict=True)), "q9": 2, "q10": 4}
    assert summary_map(AUDIT.summaries(td(row))) == {
        "total": 22,
        "hazardous_or_harmful": True,
        "risk_zone": "Zone IV",
    }


@pytest.mark.parametrize(
    ("total", "hazardous", "zone"),
    [(0, False, "Zone I"), (7, False, "Zone I"), (8, True, "Zone II"), (15, True, "Zone II"),
     (16, True, "Zone III"), (19, True, "Zone III"), (20, True, "Zone IV"), (32, True, "Zone IV")],
)  # fmt: skip
def test_audit_zone_boundaries(total: int, hazardous: bool, zone: str) -> None:
    row = {**fill(Q1_8, total, 4), "q9": 0, "q10": 0}
    assert summary_map(AUDIT.summaries(td(row))) == {
        "total": total,
        "hazardous_or_harmful": hazardous,
        "risk_zone": zone,
    }


def test_audit_maximum() -> None:
    row = {**items("q", 1, 8, 4), "q9": 4, "q10": 4}
    assert summary_map(AUDIT.summaries(td(row)))["total"] == 40


def test_audit_c() -> None:
    assert AUDIT_C.is_complete(td(q1=4, q2=0, q3=2)) is True
    assert AUDIT_C.is_complete(td(q1=4, q2=0)) is False
    assert AUDIT_C.is_complete(td(q1=5, q2=0, q3=0)) is False
    assert summary_map(AUDIT_C.summaries(td(q1=4, q2=1, q3=2))) == {"total": 7}
    assert summary_map(AUDIT_C.summaries(td(items("q", 1, 3, 4)))) == {"total": 12}
