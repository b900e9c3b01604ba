"""CAGE and GDS-15: Y/N answers, scoring direction, bands."""

from __future__ import annotations

import pytest
from task_test_helpers import summary_map, td

from copse.tasks.catalogue import get_task

CAGE = get_task("cage")
GDS = get_task("gds15")
POSITIVE_ITEMS = (1, 5, 7, 11, 13)  # "no" scores on these
# Answers scoring 0 on every item.
GDS_ZERO = {f"q{n}": ("Y" if n in POSITIVE_ITEMS else "N") for n in range(1, 16)}


def test_cage_completeness() -> None:
    assert CAGE.is_complete(td(q1="Y", q2="N", q3="N", q4="N")) is True
    assert CAGE.is_complete(td(q1="y", q2="n", q3="N", q4="N")) is True
    assert CAGE.is_complete(td(q1="Y", q2="N", q3="N")) is False
    assert CAGE.is_complete(td(q1="Y", q2="N", q3="N", q4="X")) is False
    assert CAGE.is_complete(td(q1=1, q2="N", q3="N", q4="N")) is False


@pytest.mark.parametrize(
    ("answers", "total", "significant"),
    [
        ("NNNN", 0, False),
        ("YNNN", 1, False),
        ("NYNY", 2, True),
        ("YYYN", 3, True),
        ("YYYY", 4, True),
    ],
)
def test_cage_scores(answers: str, total: int, significant: bool) -> None:
    row = {f"q{n}": a for n, a in enumerate(answers, start=1)}
    assert summary_map(CAGE.summaries(td(row))) == {
        "total": total,
        "clinically_significant": significant,
    }


def test_gds_completeness() -> None:
    assert GDS.is_complete(td(GDS_ZERO)) is True
    assert GDS.is_complete(td({**GDS_ZERO, "q15": None})) is False
    assert GDS.is_complete(td({**GDS_ZERO, "q15": "?"})) is False


def test_gds_scoring_direction() -> None:
    all_no = {f"q{n}": "N" for n in range(1, 16)}
    all_yes = {f"q{n}": "Y" for n in range(1, 16)}
    assert summary_map(GDS.summaries(td(all_no)))["total"] == 5  # items 1, 5, 7, 11, 13
    assert summary_map(GDS.summaries(td(all_yes)))["total"] == 10  # the other ten
    worst = {f"q{n}": ("N" if n in POSITIVE_ITEMS else "Y") for n in range(1, 16)}
    assert summary_map(GDS.summaries(td(worst))) == {"total": 15, "severity": "Severe"}


@pytest.mark.parametrize(
    ("total", "severity"),
    [
        (0, "Normal"),
        (4, "Normal"),
        (5, "Mild"),
        (8, "Mild"),
        (9, "Moderate"),
        (11, "Moderate"),
        (12, "Severe"),
        (15, "Severe"),
    ],
)
def test_gds_bands(total: int, severity: str) -> None:
    row = dict(GDS_ZERO)
    for n in range(1, total + 1):  # flip the first `total` items to their scoring answer
        row[f"q{n}"] = "N" if n in POSITIVE_ITEMS else "Y"
    assert summary_map(GDS.summaries(td(row))) == {"total": total, "severity": severity}
