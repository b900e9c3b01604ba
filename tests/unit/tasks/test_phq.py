"""PHQ-9, PHQ-8, PHQ-15: completeness, scores and every severity boundary."""

from __future__ import annotations

import pytest
from task_test_helpers import fill, items, summary_map, td

from copse.tasks.base import TaskData
from copse.tasks.catalogue import get_task

PHQ9 = get_task("phq9")
PHQ8 = get_task("phq8")
PHQ15 = get_task("phq15")
Q1_9 = [f"q{n}" for n in range(1, 10)]


# ------------------------------------------------------------------ PHQ-9
def test_phq9_complete_needs_q10_only_if_symptomatic() -> None:
    assert PHQ9.is_complete(td(items("q", 1, 9, 0))) is True  # total 0: q10 may be skipped
    assert PHQ9.is_complete(td(items("q", 1, 9, 1))) is False  # total 9: q10 needed
    assert PHQ9.is_complete(td({**items("q", 1, 9, 1), "q10": 0})) is True


def test_phq9_incomplete_or_invalid() -> None:
    row = {**items("q", 1, 9, 1), "q10": 1}
    assert PHQ9.is_complete(td({**row, "q5": None})) is False
    assert PHQ9.is_complete(td({**row, "q1": 4})) is False  # outside 0–3
    assert PHQ9.is_complete(td({**row, "q10": 7})) is False
    assert PHQ9.is_complete(td({**row, "q3": "2"})) is False  # text is not an answer
    assert PHQ9.is_complete(td({**items("q", 1, 9, 0), "q10": -1})) is False


def test_phq9_scores_on_known_answers() -> None:
    # q1..q9 = 3,2,2,1,0,2,1,3,1 → total 15.
    # core: q1 (3) and q2 (2) are ≥2 → 2.
    # other: q3 (2), q6 (2), q8 (3) are ≥2 among q3..q8 → 3; q9 (1) ≥1 → +1 → 4.
    row = dict(zip(Q1_9, (3, 2, 2, 1, 0, 2, 1, 3, 1), strict=True), q10=2)
    s = summary_map(PHQ9.summaries(td(row)))
    assert s == {
        "total": 15,
        "n_core": 2,
        "n_other": 4,
        "n_total": 6,
        "is_mds": True,
        "is_ods": False,
        "severity": "Moderately severe",
    }


@pytest.mark.parametrize(
    ("answers", "mds", "ods"),
    [
        ({"q1": 2, "q3": 2}, False, True),  # 1 core + 1 other = 2
        ({"q2": 3, "q3": 2, "q4": 2, "q5": 2}, False, True),  # 4 symptoms
        ({"q2": 3, "q3": 2, "q4": 2, "q5": 2, "q9": 1}, True, False),  # 5 symptoms
        ({"q1": 2}, False, False),  # 1 symptom only
        ({"q3": 3, "q4": 3, "q5": 3, "q6": 3, "q7": 3, "q8": 3}, False, False),  # no core
        ({"q1": 1, "q2": 1, "q3": 3, "q4": 3, "q5": 3, "q6": 3}, False, False),  # core below 2
    ],
)
def test_phq9_syndromes(answers: dict[str, int], mds: bool, ods: bool) -> None:
    row = {**items("q", 1, 9, 0), **answers}
    s = summary_map(PHQ9.summaries(td(row)))
    assert (s["is_mds"], s["is_ods"]) == (mds, ods)


def test_phq9_q9_counts_from_one() -> None:
    assert summary_map(PHQ9.summaries(td(q9=1)))["n_other"] == 1
    assert summary_map(PHQ9.summaries(td(q3=1)))["n_other"] == 0


@pytest.mark.parametrize(
    ("total", "severity"),
    [
        (0, "None"),
        (4, "None"),
        (5, "Mild"),
        (9, "Mild"),
        (10, "Moderate"),
        (14, "Moderate"),
        (15, "Moderately severe"),
        (19, "Moderately severe"),
        (20, "Severe"),
        (27, "Severe"),
    ],
)
def test_phq9_severity_bands(total: int, severity: str) -> None:
    s = summary_map(PHQ9.summaries(td(fill(Q1_9, total, 3))))
    assert (s["total"], s["severity"]) == (total, severity)


def test_phq9_q10_not_in_total() -> None:
    assert summary_map(PHQ9.summaries(td(q10=3)))["total"] == 0


def test_phq9_partial_total_counts_answered_items() -> None:
    s = summary_map(PHQ9.summaries(td(q1=3, q2=3, q3=99)))
    assert s["total"] == 6  # the invalid 99 is not counted


# ------------------------------------------------------------------ PHQ-8
def test_phq8_complete_and_incomplete() -> None:
    assert PHQ8.is_complete(td(items("q", 1, 8, 0))) is True
    assert PHQ8.is_complete(td(items("q", 1, 7, 0))) is False
    assert PHQ8.is_complete(td({**items("q", 1, 8, 0), "q8": 4})) is False


@pytest.mark.parametrize(
    ("total", "severity"),
    [(4, "None"), (5, "Mild"), (9, "Mild"), (10, "Moderate"), (14, "Moderate"),
     (15, "Moderately severe"), (19, "Moderately severe"), (20, "Severe"), (24, "Severe")],
)  # fmt: skip
def test_phq8_bands(total: int, severity: str) -> None:
    s = summary_map(PHQ8.summaries(td(fill([f"q{n}" for n in range(1, 9)], total, 3))))
    assert (s["total"], s["severity"]) == (total, severity)


def test_phq8_known_total() -> None:
    # 0+1+2+3+0+1+2+3 = 12
    row = dict(zip([f"q{n}" for n in range(1, 9)], (0, 1, 2, 3, 0, 1, 2, 3), strict=True))
    assert summary_map(PHQ8.summaries(td(row))) == {"total": 12, "severity": "Moderate"}


# ------------------------------------------------------------------ PHQ-15
def test_phq15_q4_required_only_for_women() -> None:
    without_q4 = {k: v for k, v in items("q", 1, 15, 1).items() if k != "q4"}
    assert PHQ15.is_complete(TaskData(row=without_q4)) is True  # sex unknown
    assert PHQ15.is_complete(TaskData(row=without_q4, patient={"sex": "M"})) is True
    assert PHQ15.is_complete(TaskData(row=without_q4, patient={"sex": "F"})) is False
    assert PHQ15.is_complete(TaskData(row=items("q", 1, 15, 1), patient={"sex": "F"})) is True


def test_phq15_invalid_and_missing() -> None:
    assert PHQ15.is_complete(td({**items("q", 1, 15, 1), "q7": 3})) is False  # items are 0–2
    assert PHQ15.is_complete(td({**items("q", 1, 15, 1), "q15": None})) is False


def test_phq15_known_total() -> None:
    # q1..q15 = 2,1,0,(q4 unanswered),2,2,1,0,0,1,0,2,1,2,2 → 16
    row = dict(
        zip(
            [f"q{n}" for n in (1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)],
            (2, 1, 0, 2, 2, 1, 0, 0, 1, 0, 2, 1, 2, 2),
            strict=True,
        )
    )
    assert summary_map(PHQ15.summaries(td(row))) == {"total": 16, "severity": "High"}


@pytest.mark.parametrize(
    ("total", "severity"),
    [
        (0, "Minimal"),
        (4, "Minimal"),
        (5, "Low"),
        (9, "Low"),
        (10, "Medium"),
        (14, "Medium"),
        (15, "High"),
        (30, "High"),
    ],
)
def test_phq15_bands(total: int, severity: str) -> None:
    s = summary_map(PHQ15.summaries(td(fill([f"q{n}" for n in range(1, 16)], total, 2))))
    assert (s["total"], s["severity"]) == (total, severity)
