"""BADLS, BASDAI and ASDAS: completeness, hand-worked scores and bands."""

from __future__ import annotations

import math

import pytest
from task_test_helpers import items, summary_map, td

from copse.tasks.base import TaskData
from copse.tasks.catalogue import get_task

BADLS = get_task("badls")
BASDAI = get_task("basdai")
ASDAS = get_task("asdas")
CARER = {"respondent_name": "A. Carer", "respondent_relationship": "Son"}


# ------------------------------------------------------------------ BADLS
def test_badls_completeness_needs_items_and_respondent() -> None:
    assert BADLS.is_complete(td({**items("q", 1, 20, "a"), **CARER})) is True
    assert BADLS.is_complete(td(items("q", 1, 20, "a"))) is False  # who answered?
    assert BADLS.is_complete(td({**items("q", 1, 20, "a"), **CARER, "q7": None})) is False
    assert BADLS.is_complete(td({**items("q", 1, 20, "a"), **CARER, "q7": "f"})) is False
    assert BADLS.is_complete(td({**items("q", 1, 20, "a"), **CARER, "q7": 1})) is False


def test_badls_letter_scores() -> None:
    # a=0 b=1 c=2 d=3 e=0: 4 of each letter → 4 × (0+1+2+3+0) = 24
    row = {f"q{n}": "abcde"[(n - 1) % 5] for n in range(1, 21)}
    assert summary_map(BADLS.summaries(td(row))) == {"total_score": 24}
    assert summary_map(BADLS.summaries(td(items("q", 1, 20, "D")))) == {"total_score": 60}
    assert summary_map(BADLS.summaries(td(items("q", 1, 20, "zzz")))) == {"total_score": 0}


def test_badls_view_shows_meaning() -> None:
    html = str(BADLS.render_html(td({**items("q", 1, 20, "d"), **CARER})))
    assert "fully dependent" in html and "A. Carer" in html


# ----------------------------------------------------------------- BASDAI
def test_basdai_formula() -> None:
    # (1+2+3+4 + (5+7)/2) / 5 = (10 + 6) / 5 = 3.2
    row = {"q1": 1, "q2": 2, "q3": 3, "q4": 4, "q5": 5, "q6": 7}
    assert BASDAI.is_complete(td(row)) is True
    assert summary_map(BASDAI.summaries(td(row)))["basdai"] == pytest.approx(3.2)


def test_basdai_needs_all_six_in_range() -> None:
    row = {"q1": 1, "q2": 2, "q3": 3, "q4": 4, "q5": 5, "q6": 7}
    for bad in ({"q6": None}, {"q6": 10.5}, {"q1": -0.1}):
        data = td({**row, **bad})
        assert BASDAI.is_complete(data) is False
        assert summary_map(BASDAI.summaries(data))["basdai"] is None


@pytest.mark.parametrize(("score", "active"), [(3.9, False), (4.0, True)])
def test_basdai_active_threshold(score: float, active: bool) -> None:
    data = td(items("q", 1, 6, score))
    assert summary_map(BASDAI.summaries(data))["basdai"] == pytest.approx(score)
    assert ("active disease" in BASDAI.clinical_summary(data)) is active


# ------------------------------------------------------------------ ASDAS
def asdas_row(
    back: float, stiff: float, glob: float, periph: float, crp: float, esr: float
) -> TaskData:
    return td(q1=back, q2=stiff, q3=glob, q4=periph, q5=crp, q6=esr)


def test_asdas_formulas() -> None:
    data = asdas_row(4, 3, 5, 2, 9.0, 16.0)
    s = summary_map(ASDAS.summaries(data))
    crp = 0.12 * 4 + 0.06 * 3 + 0.11 * 5 + 0.07 * 2 + 0.58 * math.log(10)
    esr = 0.08 * 4 + 0.07 * 3 + 0.11 * 5 + 0.09 * 2 + 0.29 * 4
    assert s["asdas_crp"] == pytest.approx(crp)  # 2.6855
    assert s["asdas_esr"] == pytest.approx(esr)  # 2.42
    assert s["activity_state_crp"] == "[asdas: high]"
    assert ASDAS.is_complete(data) is True


@pytest.mark.parametrize(
    ("esr_score", "key"),
    [(1.29, "inactive"), (1.3, "moderate"), (2.09, "moderate"), (2.1, "high"), (3.5, "high"),
     (3.51, "very_high")],
)  # fmt: skip
def test_asdas_states(esr_score: float, key: str) -> None:
    # Only the ESR term non-zero: 0.29 √ESR = score → ESR = (score / 0.29)².
    data = asdas_row(0, 0, 0, 0, 0.0, (esr_score / 0.29) ** 2)
    s = summary_map(ASDAS.summaries(data))
    assert s["asdas_esr"] == pytest.approx(esr_score)
    assert s["activity_state_esr"] == f"[asdas: {key}]"


def test_asdas_state_uses_installed_strings_and_readable_view() -> None:
    data = TaskData(row=asdas_row(9, 9, 9, 9, 50.0, 50.0).row, strings={"very_high": "Very high"})
    assert summary_map(ASDAS.summaries(data))["activity_state_crp"] == "Very high"
    assert "Very high disease activity" in str(ASDAS.render_html(data))


def test_asdas_missing_lab_value() -> None:
    data = td(q1=1, q2=1, q3=1, q4=1, q5=3.0)
    s = summary_map(ASDAS.summaries(data))
    assert s["asdas_crp"] is not None and s["asdas_esr"] is None
    assert s["activity_state_esr"] == "[asdas: n_a]"
    assert ASDAS.is_complete(data) is False
