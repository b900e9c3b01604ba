"""CES-D, CESD-R, CIWA-Ar and Brief COPE: hand-worked scores and boundaries."""

from __future__ import annotations

import pytest
from task_test_helpers import fill, items, summary_map, td

from copse.tasks.catalogue import get_task
from copse.tasks.instruments.cope import SCALES

CESD = get_task("cesd")
CESDR = get_task("cesdr")
CIWA = get_task("ciwa")
COPE = get_task("cope_brief")
REVERSED = ("q4", "q8", "q12", "q16")


# ------------------------------------------------------------------- CES-D
def test_cesd_reverse_scored_items() -> None:
    # All answers 0: the four positive items score 3 each → 12.
    s = summary_map(CESD.summaries(td(items("q", 1, 20, 0))))
    assert s == {"total": 12, "depression_risk": False}
    # All answers 3: 16 × 3 + 4 × 0 = 48.
    assert summary_map(CESD.summaries(td(items("q", 1, 20, 3))))["total"] == 48


@pytest.mark.parametrize(("total", "risk"), [(15, False), (16, True), (48, True)])
def test_cesd_risk_threshold(total: int, risk: bool) -> None:
    plain = [f"q{n}" for n in range(1, 21) if f"q{n}" not in REVERSED]
    row = {**fill(plain, total, 3), **dict.fromkeys(REVERSED, 3)}  # reversed items add 0
    s = summary_map(CESD.summaries(td(row)))
    assert (s["total"], s["depression_risk"]) == (total, risk)


def test_cesd_completeness() -> None:
    assert CESD.is_complete(td(items("q", 1, 20, 2))) is True
    assert CESD.is_complete(td(items("q", 1, 19, 2))) is False
    assert CESD.is_complete(td({**items("q", 1, 20, 2), "q1": 5})) is False


# ------------------------------------------------------------------ CESD-R
def test_cesdr_top_two_answers_score_three() -> None:
    assert summary_map(CESDR.summaries(td(items("q", 1, 20, 4))))["total"] == 60
    assert summary_map(CESDR.summaries(td(items("q", 1, 20, 3))))["total"] == 60
    assert summary_map(CESDR.summaries(td(items("q", 1, 20, 2))))["total"] == 40


@pytest.mark.parametrize(("total", "risk"), [(0, False), (15, False), (16, True)])
def test_cesdr_risk_threshold(total: int, risk: bool) -> None:
    s = summary_map(CESDR.summaries(td(fill([f"q{n}" for n in range(1, 21)], total, 3))))
    assert (s["total"], s["depression_risk"]) == (total, risk)


@pytest.mark.parametrize(
    ("answers", "flagged"),
    [
        ({}, []),
        ({"q14": 1}, ["q14"]),
        ({"q15": 4}, ["q15"]),
        ({"q14": 2, "q15": 1}, ["q14", "q15"]),
    ],
)
def test_cesdr_suicidal_items_flagged(answers: dict[str, int], flagged: list[str]) -> None:
    data = td({**items("q", 1, 20, 0), **answers})
    assert [f.column for f in CESDR.risk_flags(data)] == flagged
    if flagged:
        assert "wished to be dead" in CESDR.clinical_summary(data) or "self-harm" in (
            CESDR.clinical_summary(data)
        )


# ----------------------------------------------------------------- CIWA-Ar
@pytest.mark.parametrize(
    ("total", "severity"),
    [(0, "minimal to mild withdrawal"), (7, "minimal to mild withdrawal"),
     (8, "moderate withdrawal"), (14, "moderate withdrawal"), (15, "severe withdrawal"),
     (67, "severe withdrawal")],
)  # fmt: skip
def test_ciwa_severity(total: int, severity: str) -> None:
    row = {**fill([f"q{n}" for n in range(1, 10)], max(0, total - 4), 7), "q10": min(total, 4)}
    s = summary_map(CIWA.summaries(td(row)))
    assert (s["total"], s["severity"]) == (total, severity)


def test_ciwa_completeness_ignores_vitals() -> None:
    assert CIWA.is_complete(td(items("q", 1, 10, 0))) is True
    assert CIWA.is_complete(td({**items("q", 1, 10, 0), "q10": 5})) is False  # q10 is 0–4
    assert CIWA.is_complete(td({**items("q", 1, 10, 0), "q9": 8})) is False
    html = str(CIWA.render_html(td({**items("q", 1, 10, 0), "hr": 112})))
    assert "112" in html and "oriented, can do serial additions" in html


# -------------------------------------------------------------- Brief COPE
@pytest.mark.parametrize("scale", sorted(SCALES))
def test_cope_each_scale_adds_its_two_items(scale: str) -> None:
    _, a, b = SCALES[scale]
    s = summary_map(COPE.summaries(td({f"q{a}": 3, f"q{b}": 2})))
    assert s[scale] == 5
    assert all(v == 0 for k, v in s.items() if k != scale)


def test_cope_completeness_and_respondent() -> None:
    row = items("q", 1, 28, 1)
    assert COPE.is_complete(td({**row, "completed_by_patient": 1})) is True
    assert COPE.is_complete(td(row)) is False
    other = {**row, "completed_by_patient": 0}
    assert COPE.is_complete(td(other)) is False
    assert (
        COPE.is_complete(td({**other, "completed_by": "J", "relationship_to_patient": 2})) is True
    )
    assert COPE.is_complete(td({**row, "completed_by_patient": 1, "q28": 4})) is False


@pytest.mark.parametrize(
    ("answers", "flagged"),
    [({"q6": 3, "q7": 3, "q8": 3, "q10": 3}, []), ({"q6": 4}, ["q6"]), ({"q7": 7}, ["q7"]),
     ({"q8": 5, "q10": 4}, ["q8", "q10"])],
)  # fmt: skip
def test_ciwa_delirium_signs_flagged(answers: dict[str, int], flagged: list[str]) -> None:
    data = td({**items("q", 1, 10, 0), **answers})
    assert [f.column for f in CIWA.risk_flags(data)] == flagged
