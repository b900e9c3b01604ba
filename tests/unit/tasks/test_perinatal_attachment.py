"""MAAS and PBQ: subscale membership, known rows, PBQ thresholds and risk items."""

from __future__ import annotations

import pytest
from task_test_helpers import items, summary_map, td

from copse.tasks.catalogue import get_task

MAAS = get_task("maas")
PBQ = get_task("pbq")


def test_maas_completeness() -> None:
    assert MAAS.is_complete(td(items("q", 1, 19, 3))) is True
    assert MAAS.is_complete(td({**items("q", 1, 19, 3), "q1": 0})) is False
    assert MAAS.is_complete(td(items("q", 1, 18, 3))) is False


def test_maas_known_row() -> None:
    # Reference example 1: quality (3,6,9,10,11,12,13,15,16,19) = 31; time
    # (1,2,4,5,8,14,17,18) = 21; global adds item 7 (4) → 56.
    values = (4, 4, 1, 3, 2, 1, 4, 1, 2, 3, 5, 3, 5, 1, 5, 3, 4, 2, 3)
    row = {f"q{n}": v for n, v in enumerate(values, start=1)}
    assert summary_map(MAAS.summaries(td(row))) == {
        "quality_of_attachment_score": 31,
        "time_in_attachment_mode_score": 21,
        "global_attachment_score": 56,
    }


def test_maas_ranges() -> None:
    s = summary_map(MAAS.summaries(td(items("q", 1, 19, 1))))
    assert list(s.values()) == [10, 8, 19]
    s = summary_map(MAAS.summaries(td(items("q", 1, 19, 5))))
    assert list(s.values()) == [50, 40, 95]


def test_pbq_completeness() -> None:
    assert PBQ.is_complete(td(items("q", 1, 25, 0))) is True
    assert PBQ.is_complete(td({**items("q", 1, 25, 0), "q9": 6})) is False
    assert PBQ.is_complete(td(items("q", 1, 24, 0))) is False


def test_pbq_known_row() -> None:
    # Reference example 1: factors 27, 18, 14, 5; total 64.
    values = (4, 1, 2, 4, 1, 4, 2, 4, 0, 2, 4, 2, 1, 4, 2, 4, 1, 1, 5, 2, 3, 2, 0, 4, 5)
    row = {f"q{n}": v for n, v in enumerate(values, start=1)}
    assert summary_map(PBQ.summaries(td(row))) == {
        "total_score": 64, "factor_1_score": 27, "factor_2_score": 18,
        "factor_3_score": 14, "factor_4_score": 5}  # fmt: skip


@pytest.mark.parametrize(
    ("item", "factor"),
    [("q1", 1), ("q17", 1), ("q3", 2), ("q23", 2), ("q19", 3), ("q25", 3), ("q18", 4),
     ("q24", 4)],
)  # fmt: skip
def test_pbq_item_factor(item: str, factor: int) -> None:
    s = summary_map(PBQ.summaries(td({item: 5})))
    assert s[f"factor_{factor}_score"] == 5 and s["total_score"] == 5


def test_pbq_factor_maxima_and_thresholds() -> None:
    s = summary_map(PBQ.summaries(td(items("q", 1, 25, 5))))
    assert [s[f"factor_{k}_score"] for k in (1, 2, 3, 4)] == [60, 35, 20, 10]
    assert s["total_score"] == 125
    cuts = {t.summary: [c.value for c in t.cutoffs] for t in PBQ.trackers}
    assert cuts["factor_1_score"] == [12] and cuts["factor_4_score"] == [3]


@pytest.mark.parametrize(("answers", "columns"),
                         [({}, []), ({"q18": 1}, ["q18"]), ({"q24": 5, "q18": 2}, ["q18", "q24"]),
                          ({"q1": 5}, [])])  # fmt: skip
def test_pbq_risk_of_abuse_flags(answers: dict[str, int], columns: list[str]) -> None:
    flags = PBQ.risk_flags(td({**items("q", 1, 25, 0), **answers}))
    assert [f.column for f in flags] == columns


def test_pbq_clinical_summary_marks_high_factors() -> None:
    row = {**items("q", 1, 25, 0), "q3": 5, "q4": 5, "q5": 3}  # rejection and anger 13
    line = PBQ.clinical_summary(td(row))
    assert "rejection and anger 13/35 (high)" in line
    assert "impaired bonding 0/60," in line
