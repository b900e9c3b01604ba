"""PDSS, SHAPS, WSAS, SMAST, QoL-Basic, SRS: completeness, hand-worked scores, cut-offs."""

from __future__ import annotations

import pytest
from task_test_helpers import fill, items, summary_map, td

from copse.tasks.base import TaskData
from copse.tasks.catalogue import get_task

PDSS = get_task("pdss")
SHAPS = get_task("shaps")
WSAS = get_task("wsas")
SMAST = get_task("smast")
QOL = get_task("qolbasic")
SRS = get_task("srs")


# ------------------------------------------------------------------ PDSS
def test_pdss_complete() -> None:
    assert PDSS.is_complete(td(items("q", 1, 7, 0))) is True
    assert PDSS.is_complete(td(items("q", 1, 6, 0))) is False
    assert PDSS.is_complete(td({**items("q", 1, 7, 0), "q7": 5})) is False


def test_pdss_scores() -> None:
    # 4+3+2+1+0+4+3 = 17; composite 17/7.
    row = dict(zip([f"q{n}" for n in range(1, 8)], (4, 3, 2, 1, 0, 4, 3), strict=True))
    s = summary_map(PDSS.summaries(td(row)))
    assert s["total_score"] == 17
    assert s["composite_score"] == pytest.approx(17 / 7)


def test_pdss_composite_of_answered_items_only() -> None:
    s = summary_map(PDSS.summaries(td(q1=4, q2=1, q3=9)))  # 9 is invalid
    assert (s["total_score"], s["composite_score"]) == (5, 2.5)
    assert summary_map(PDSS.summaries(td()))["composite_score"] is None


def test_pdss_tracker_cutoffs() -> None:
    assert [c.value for c in PDSS.trackers[0].cutoffs] == [2, 6, 10, 14]


# ------------------------------------------------------------------ SHAPS
def test_shaps_complete() -> None:
    assert SHAPS.is_complete(td(items("q", 1, 14, 3))) is True
    assert SHAPS.is_complete(td(items("q", 1, 13, 3))) is False
    assert SHAPS.is_complete(td({**items("q", 1, 14, 3), "q1": 4})) is False


def test_shaps_disagree_scores_one() -> None:
    # q1..q4 = 0,1,2,3 → 1+1+0+0; the rest agree (2) → total 2.
    row = {**items("q", 1, 14, 2), "q1": 0, "q2": 1, "q4": 3}
    s = summary_map(SHAPS.summaries(td(row)))
    assert (s["total"], s["hedonic_tone"]) == (2, "normal")


@pytest.mark.parametrize(
    ("n_disagree", "tone"), [(0, "normal"), (2, "normal"), (3, "abnormal"), (14, "abnormal")]
)
def test_shaps_cutoff(n_disagree: int, tone: str) -> None:
    row = {f"q{n}": (1 if n <= n_disagree else 3) for n in range(1, 15)}
    s = summary_map(SHAPS.summaries(td(row)))
    assert (s["total"], s["hedonic_tone"]) == (n_disagree, tone)


def test_shaps_view_shows_text_not_wording() -> None:
    html = str(SHAPS.render_html(td(items("q", 1, 14, 0))))
    assert "strongly disagree" in html
    worded = TaskData(row=items("q", 1, 14, 0), strings={"q3": "Licensed wording three"})
    assert "Licensed wording three" in str(SHAPS.render_html(worded))


# ------------------------------------------------------------------ WSAS
def test_wsas_work_item_only_when_working() -> None:
    working = {"retired_etc": 0, **items("q", 2, 5, 1)}
    assert WSAS.is_complete(td(working)) is False
    assert WSAS.is_complete(td({**working, "q1": 0})) is True
    assert WSAS.is_complete(td({**working, "retired_etc": 1})) is True
    assert WSAS.is_complete(td(items("q", 2, 5, 1))) is False  # box not ticked: q1 needed
    assert WSAS.is_complete(td({**working, "q1": 9})) is False
    assert WSAS.is_complete(td({**working, "q1": 1, "retired_etc": 3})) is False


def test_wsas_retired_excludes_work_item() -> None:
    row = {"q1": 8, "q2": 5, "q3": 5, "q4": 1, "q5": 7}
    assert summary_map(WSAS.summaries(td({**row, "retired_etc": 1})))["total_score"] == 18
    assert summary_map(WSAS.summaries(td({**row, "retired_etc": 0})))["total_score"] == 26


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "subclinical"), (9, "subclinical"), (10, "significant functional impairment"),
     (20, "significant functional impairment"), (21, "moderately severe impairment or worse"),
     (40, "moderately severe impairment or worse")],
)  # fmt: skip
def test_wsas_bands(total: int, band: str) -> None:
    s = summary_map(WSAS.summaries(td(fill([f"q{n}" for n in range(1, 6)], total, 8))))
    assert (s["total_score"], s["impairment"]) == (total, band)


# ------------------------------------------------------------------ SMAST
def test_smast_complete() -> None:
    assert SMAST.is_complete(td(items("q", 1, 13, "Y"))) is True
    assert SMAST.is_complete(td(items("q", 1, 12, "Y"))) is False
    assert SMAST.is_complete(td({**items("q", 1, 13, "Y"), "q2": "maybe"})) is False


def test_smast_reverse_items() -> None:
    # All "yes": 10 points (items 1, 4, 5 score for "no"); all "no": 3 points.
    assert summary_map(SMAST.summaries(td(items("q", 1, 13, "Y"))))["total"] == 10
    assert summary_map(SMAST.summaries(td(items("q", 1, 13, "N"))))["total"] == 3


@pytest.mark.parametrize(
    ("yes_items", "total", "likelihood"),
    [((), 0, "problem unlikely"), (("q2",), 1, "problem unlikely"),
     (("q2", "q3"), 2, "problem possible"), (("q2", "q3", "q13"), 3, "problem probable")],
)  # fmt: skip
def test_smast_bands(yes_items: tuple[str, ...], total: int, likelihood: str) -> None:
    row = {**items("q", 1, 13, "N"), "q1": "Y", "q4": "Y", "q5": "Y"}  # 0 so far
    row.update({q: "Y" for q in yes_items})
    s = summary_map(SMAST.summaries(td(row)))
    assert (s["total"], s["likelihood"]) == (total, likelihood)


# ------------------------------------------------------------------ QoL-Basic
def test_qolbasic() -> None:
    assert QOL.is_complete(td(tto=2.5, rs=40)) is True
    assert QOL.is_complete(td(tto=2.5)) is False
    assert QOL.is_complete(td(tto=11, rs=40)) is False
    s = summary_map(QOL.summaries(td(tto=2.5, rs=40)))
    assert s == {"tto_qol": 0.25, "rs_qol": 0.4}
    assert summary_map(QOL.summaries(td(tto=2.5, rs=101))) == {"tto_qol": 0.25, "rs_qol": None}
    assert QOL.clinical_summary(td(tto=2.5, rs=40)) == (
        "QoL-Basic: quality of life time trade-off 0.25, rating scale 0.4"
    )


# ------------------------------------------------------------------ SRS
SRS_FULL = {"q_session": 1, "q_date": "2024-01-02", "q_relationship": 9.0, "q_goals": 9.0,
            "q_approach": 9.0, "q_overall": 9.0}  # fmt: skip


def test_srs_complete() -> None:
    assert SRS.is_complete(td(SRS_FULL)) is True
    assert SRS.is_complete(td({**SRS_FULL, "q_date": None})) is False
    assert SRS.is_complete(td({**SRS_FULL, "q_session": None})) is False
    assert SRS.is_complete(td({**SRS_FULL, "q_goals": 10.5})) is False


@pytest.mark.parametrize(("overall", "total", "concern"), [(9.0, 36.0, False), (8.9, 35.9, True)])
def test_srs_total_and_cutoff(overall: float, total: float, concern: bool) -> None:
    s = summary_map(SRS.summaries(td({**SRS_FULL, "q_overall": overall})))
    assert s["total"] == pytest.approx(total)
    assert s["alliance_concern"] is concern


def test_srs_total_needs_all_four() -> None:
    s = summary_map(SRS.summaries(td({**SRS_FULL, "q_goals": None})))
    assert s == {"total": None, "alliance_concern": None}
