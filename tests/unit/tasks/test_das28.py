"""DAS28-CRP and DAS28-ESR formulas, activity-state boundaries, completeness."""

from __future__ import annotations

import math

import pytest
from task_test_helpers import summary_map, td

from copse.tasks.catalogue import get_task
from copse.tasks.instruments.das28 import JOINT_FIELDS

DAS28 = get_task("das28")
NONE_AFFECTED = {f: 0 for f in JOINT_FIELDS}


def with_counts(tender: int, swollen: int) -> dict[str, int]:
    row = dict(NONE_AFFECTED)
    for f in [f for f in JOINT_FIELDS if f.endswith("tender")][:tender]:
        row[f] = 1
    for f in [f for f in JOINT_FIELDS if f.endswith("swollen")][:swollen]:
        row[f] = 1
    return row


def test_formulas_by_hand() -> None:
    row = {**with_counts(4, 9), "vas": 50, "crp": 10.0, "esr": 20.0}
    s = summary_map(DAS28.summaries(td(row)))
    # 0.56 × 2 + 0.28 × 3 = 1.96; CRP: + 0.36 ln 11 + 0.7 + 0.96; ESR: + 0.7 ln 20 + 0.7
    assert s["das28_crp"] == pytest.approx(1.96 + 0.36 * math.log(11) + 0.7 + 0.96)
    assert s["das28_esr"] == pytest.approx(1.96 + 0.70 * math.log(20) + 0.7)
    assert (s["tender_joint_count"], s["swollen_joint_count"]) == (4, 9)
    assert DAS28.is_complete(td(row)) is True
    assert DAS28.is_complete(td({**row, "esr": None})) is False


@pytest.mark.parametrize(
    ("esr", "state"),
    # with no joints and VAS 0, DAS28-ESR = 0.7 ln ESR: pick ESR for each band
    [(math.exp(2.5 / 0.7), "remission"), (math.exp(2.6 / 0.7), "low"),
     (math.exp(3.2 / 0.7), "low"), (math.exp(3.3 / 0.7), "moderate"),
     (math.exp(5.1 / 0.7), "moderate"), (math.exp(5.2 / 0.7), "high")],
)  # fmt: skip
def test_activity_states(esr: float, state: str) -> None:
    s = summary_map(DAS28.summaries(td({**NONE_AFFECTED, "vas": 0, "esr": esr})))
    assert s["activity_state_esr"] == state
    assert s["das28_crp"] is None and s["activity_state_crp"] is None


def test_missing_lab_gives_no_score() -> None:
    s = summary_map(DAS28.summaries(td({"vas": 40})))
    assert (s["das28_crp"], s["das28_esr"]) == (None, None)


def test_clinical_line() -> None:
    row = {**NONE_AFFECTED, "vas": 0, "esr": math.exp(5.6 / 0.7)}
    assert DAS28.clinical_summary(td(row)) == "DAS28: DAS28-ESR 5.60 (high), incomplete"
