"""AIMS, BDI and BPRS-E: completeness, hand-worked totals, risk flags, views."""

from __future__ import annotations

import pytest
from task_test_helpers import fill, items, summary_map, td

from copse.tasks.catalogue import get_task

AIMS = get_task("aims")
BDI = get_task("bdi")
BPRSE = get_task("bprse")


# ------------------------------------------------------------------- AIMS
def test_aims_completeness() -> None:
    full = {**items("q", 1, 10, 0), "q11": 0, "q12": 1}
    assert AIMS.is_complete(td(full)) is True
    assert AIMS.is_complete(td({**full, "q12": None})) is False
    assert AIMS.is_complete(td({**full, "q11": 2})) is False  # dental items are no/yes
    assert AIMS.is_complete(td({**full, "q3": 5})) is False  # ratings are 0–4


def test_aims_total_is_items_1_to_10() -> None:
    # 1+2+3+4+0+1+2 (movements) + 3+2+1 (global) = 19; q11/q12 not scored
    row = dict(zip([f"q{n}" for n in range(1, 11)], (1, 2, 3, 4, 0, 1, 2, 3, 2, 1), strict=True))
    assert summary_map(AIMS.summaries(td({**row, "q11": 1, "q12": 1}))) == {"total": 19}


def test_aims_view_shows_answer_text() -> None:
    html = str(AIMS.render_html(td({**items("q", 1, 10, 3), "q10": 4, "q11": 1})))
    assert "moderate" in html and "aware, severe distress" in html and "yes" in html


# -------------------------------------------------------------------- BDI
def test_bdi_completeness_ignores_scale_name() -> None:
    assert BDI.is_complete(td(items("q", 1, 21, 0))) is True
    assert BDI.is_complete(td(items("q", 1, 20, 0))) is False
    assert BDI.is_complete(td({**items("q", 1, 21, 0), "q4": 4})) is False


@pytest.mark.parametrize(
    ("total", "bdi2", "bdi1a"),
    [(0, "Minimal", "Minimal"), (9, "Minimal", "Minimal"), (10, "Minimal", "Mild"),
     (13, "Minimal", "Mild"), (14, "Mild", "Mild"), (18, "Mild", "Mild"), (19, "Mild", "Moderate"),
     (20, "Moderate", "Moderate"), (28, "Moderate", "Moderate"), (29, "Severe", "Moderate"),
     (30, "Severe", "Severe"), (63, "Severe", "Severe")],
)  # fmt: skip
def test_bdi_total_and_bands(total: int, bdi2: str, bdi1a: str) -> None:
    data = td(fill([f"q{n}" for n in range(1, 22)], total, 3))
    shown = summary_map(BDI.html_summaries(data))
    assert (shown["total"], shown["bdi2_band"], shown["bdi1a_band"]) == (total, bdi2, bdi1a)


def test_bdi_item9_risk_flag() -> None:
    assert BDI.risk_flags(td(items("q", 1, 21, 0))) == []
    flags = BDI.risk_flags(td({**items("q", 1, 21, 0), "q9": 2}))
    assert [f.column for f in flags] == ["q9"]
    line = BDI.clinical_summary(td({**items("q", 1, 21, 0), "q9": 2, "bdi_scale": "BDI-II"}))
    assert line == "BDI: BDI-II total 2/63, item 9 (suicidal thoughts) = 2"


def test_bdi_tracker_uses_bdi2_cutoffs() -> None:
    (spec,) = BDI.trackers
    assert [c.value for c in spec.cutoffs] == [14, 20, 29]


# ----------------------------------------------------------------- BPRS-E
def test_bprse_completeness() -> None:
    assert BPRSE.is_complete(td(items("q", 1, 24, 0))) is True  # 0 = not assessed
    assert BPRSE.is_complete(td(items("q", 1, 23, 1))) is False
    assert BPRSE.is_complete(td({**items("q", 1, 24, 1), "q24": 8})) is False


def test_bprse_total() -> None:
    # 24 items of 3, q4 not assessed (0) → 23 × 3 = 69
    assert summary_map(BPRSE.summaries(td({**items("q", 1, 24, 3), "q4": 0}))) == {"total": 69}
    assert summary_map(BPRSE.summaries(td(items("q", 1, 24, 7)))) == {"total": 168}


@pytest.mark.parametrize(
    ("answers", "flagged"),
    [({"q4": 2}, []), ({"q4": 3}, ["q4"]), ({"q6": 5}, []), ({"q6": 6}, ["q6"]),
     ({"q4": 7, "q6": 7}, ["q4", "q6"])],
)  # fmt: skip
def test_bprse_risk_flags(answers: dict[str, int], flagged: list[str]) -> None:
    row = {**items("q", 1, 24, 1), **answers}
    assert [f.column for f in BPRSE.risk_flags(td(row))] == flagged
