"""SLUMS (points, education-dependent categories), Y-BOCS, Y-BOCS-SC, Perinatal POEM."""

from __future__ import annotations

from typing import Any

import pytest
from task_test_helpers import items, summary_map, td

from copse.tasks.base import BlobInfo, TaskData
from copse.tasks.catalogue import get_task

SLUMS = get_task("slums")
YBOCS = get_task("ybocs")
YBOCSSC = get_task("ybocssc")
POEM = get_task("perinatal_poem")
MNCD = "mild neurocognitive disorder"

SLUMS_FULL: dict[str, Any] = {
    "alert": 1, "highschooleducation": 1, "q1": 1, "q2": 1, "q3": 1, "q5a": 1, "q5b": 2, "q6": 3,
    **{f"q7{c}": 1 for c in "abcde"}, "q8b": 1, "q8c": 1, "q9a": 2, "q9b": 2, "q10a": 1,
    "q10b": 1, **{f"q11{c}": 2 for c in "abcd"},
}  # fmt: skip
# Items to zero, in order, to take points off a full score (2-point items first).
_DROP = ["q11a", "q11b", "q11c", "q11d", "q9a", "q9b", "q5b", "q1", "q2", "q3", "q5a", "q7a",
         "q7b", "q7c", "q7d", "q7e", "q8b", "q8c", "q10a", "q10b"]  # fmt: skip


def slums_with(total: int, high_school: int) -> dict[str, Any]:
    row = {**SLUMS_FULL, "highschooleducation": high_school}
    missing = 30 - total
    for item in _DROP:
        if missing <= 0:
            break
        if row[item] <= missing:
            missing -= row[item]
            row[item] = 0
    if missing:  # the remaining point(s) come off animal naming (0–3)
        row["q6"] -= missing
    return row


def test_slums_complete() -> None:
    assert SLUMS.is_complete(td(SLUMS_FULL)) is True
    assert SLUMS.is_complete(td({**SLUMS_FULL, "alert": None})) is False
    assert SLUMS.is_complete(td({**SLUMS_FULL, "q11c": None})) is False
    assert SLUMS.is_complete(td({**SLUMS_FULL, "q5b": 1})) is False  # 0 or 2 points only
    assert SLUMS.is_complete(td({**SLUMS_FULL, "q6": 4})) is False


def test_slums_full_marks() -> None:
    assert summary_map(SLUMS.summaries(td(SLUMS_FULL))) == {"total": 30, "category": "Normal"}


@pytest.mark.parametrize(
    ("total", "high_school", "category"),
    [(27, 1, "Normal"), (26, 1, MNCD), (21, 1, MNCD), (20, 1, "dementia"), (25, 0, "Normal"),
     (24, 0, MNCD), (20, 0, MNCD), (19, 0, "dementia"), (0, 0, "dementia")],
)  # fmt: skip
def test_slums_categories(total: int, high_school: int, category: str) -> None:
    row = slums_with(total, high_school)
    assert SLUMS.is_complete(td(row)) is True
    assert summary_map(SLUMS.summaries(td(row))) == {"total": total, "category": category}


def test_slums_view_shows_drawing_and_points() -> None:
    blobs = {5: BlobInfo(mimetype="image/png", filename="c.png", size=1, url="/b/5")}
    html = str(
        SLUMS.render_html(TaskData(row={**SLUMS_FULL, "clockpicture_blobid": 5}, blobs=blobs))
    )
    assert '<img class="copse-blob" src="/b/5"' in html
    assert "2 — correct (2)" in html and "3 — 3 points" in html


# ------------------------------------------------------------------ Y-BOCS
SCORED = {f"q{n}": 0 for n in range(1, 11)}


def test_ybocs_complete() -> None:
    assert YBOCS.is_complete(td(SCORED)) is True  # unscored items are optional
    assert YBOCS.is_complete(td({**SCORED, "q10": None})) is False
    assert YBOCS.is_complete(td({**SCORED, "q17": 6, "q18": 6, "q19": 3})) is True
    assert YBOCS.is_complete(td({**SCORED, "q19": 4})) is False
    assert YBOCS.is_complete(td({**SCORED, "q1b": 5})) is False


def test_ybocs_subscales_hand_worked() -> None:
    row = {**{f"q{n}": 2 for n in range(1, 6)}, **{f"q{n}": 3 for n in range(6, 11)},
           "q1b": 4, "q6b": 4, **items("q", 11, 16, 4), "q17": 6}  # fmt: skip
    s = summary_map(YBOCS.summaries(td(row)))
    assert s == {"total_score": 25, "obsession_score": 10, "compulsion_score": 15,
                 "severity": "severe"}  # fmt: skip


@pytest.mark.parametrize(
    ("total", "severity"),
    [(0, "subclinical"), (7, "subclinical"), (8, "mild"), (15, "mild"), (16, "moderate"),
     (23, "moderate"), (24, "severe"), (31, "severe"), (32, "extreme"), (40, "extreme")],
)  # fmt: skip
def test_ybocs_bands(total: int, severity: str) -> None:
    row = {f"q{n}": min(4, max(0, total - 4 * (n - 1))) for n in range(1, 11)}
    s = summary_map(YBOCS.summaries(td(row)))
    assert (s["total_score"], s["severity"]) == (total, severity)


def test_ybocs_view() -> None:
    row = {**SCORED, "q17": 5, "target_obsession_1": "Contamination"}
    html = str(YBOCS.render_html(td(row)))
    assert "Contamination" in html and "5 — severe symptoms" in html and "0 — none" in html


# ------------------------------------------------------------------ Y-BOCS-SC
def test_ybocssc_completeness() -> None:
    assert YBOCSSC.is_complete(td()) is False  # never filled in
    assert YBOCSSC.is_complete(td(obs_aggressive_imagery_past=0)) is True
    assert YBOCSSC.is_complete(td(obs_aggressive_imagery_past=1)) is True
    assert YBOCSSC.is_complete(td(obs_aggressive_imagery_past=1, com_misc_lists_current=2)) is False


def test_ybocssc_counts_and_risk_flag() -> None:
    row = {
        "obs_aggressive_imagery_current": 1,
        "obs_contamination_dirt_current": 1,
        "obs_contamination_dirt_principal": 1,
        "com_cleaning_handwashing_current": 1,
        "com_cleaning_handwashing_past": 1,
        "com_misc_self_harm_past": 1,
    }
    s = summary_map(YBOCSSC.summaries(td(row)))
    assert s == {"n_current_obsessions": 2, "n_current_compulsions": 1, "n_principal": 1}
    assert YBOCSSC.risk_flags(td(row)) == []  # past only
    flags = YBOCSSC.risk_flags(td({**row, "com_misc_self_harm_current": 1}))
    assert [f.column for f in flags] == ["com_misc_self_harm_current"]
    assert "self-harm" in YBOCSSC.clinical_summary(td({**row, "com_misc_self_harm_current": 1}))


def test_ybocssc_view_lists_ticked_symptoms() -> None:
    row = {"obs_misc_other_current": 1, "obs_misc_other_detail": "Lucky numbers",
           "com_misc_lists_past": 7}  # fmt: skip
    html = str(YBOCSSC.render_html(td(row)))
    assert "Lucky numbers" in html and "Obsession: misc other" in html
    assert "not a permitted answer" in html  # the corrupt 7 is shown, not hidden
    assert "contamination dirt" not in html  # unticked symptoms are left out


# ------------------------------------------------------------------ Perinatal POEM
POEM_COMMUNITY: dict[str, Any] = {
    "qa": 1, "qb": 1, "q1a": 2, "q1b": 4, **{f"q2{c}": 3 for c in "abcdefghijkl"},
    "future_participation": 0,
}  # fmt: skip


def test_poem_inpatient_items_only_for_inpatients() -> None:
    assert POEM.is_complete(td(POEM_COMMUNITY)) is True
    inpatient = {**POEM_COMMUNITY, "qb": 2}
    assert POEM.is_complete(td(inpatient)) is False
    assert POEM.is_complete(td({**inpatient, **{f"q3{c}": 1 for c in "abcdef"}})) is True


def test_poem_incomplete_or_invalid() -> None:
    assert POEM.is_complete(td({**POEM_COMMUNITY, "q2g": None})) is False
    assert POEM.is_complete(td({**POEM_COMMUNITY, "future_participation": None})) is False
    assert POEM.is_complete(td({**POEM_COMMUNITY, "qa": 3})) is False
    assert POEM.is_complete(td({**POEM_COMMUNITY, "q1a": 6})) is False
    assert POEM.is_complete(td({**POEM_COMMUNITY, "q3a": 5})) is False  # even if not needed


def test_poem_has_no_scores_and_renders_text() -> None:
    assert POEM.summaries(td(POEM_COMMUNITY)) == []
    html = str(POEM.render_html(td({**POEM_COMMUNITY, "general_comments": "Kind staff"})))
    assert "community perinatal team" in html and "Kind staff" in html
    assert POEM.clinical_summary(td(POEM_COMMUNITY)) == (
        "Perinatal-POEM: feedback on community perinatal team"
    )


def test_ybocs_clinical_summaries() -> None:
    row = {**{f"q{n}": 2 for n in range(1, 6)}, **{f"q{n}": 1 for n in range(6, 11)}}
    assert YBOCS.clinical_summary(td(row)) == (
        "Y-BOCS: total 15/40 (obsessions 10/20, compulsions 5/20), mild"
    )
    assert YBOCSSC.clinical_summary(td(com_misc_lists_current=1)) == (
        "Y-BOCS-SC: 0 current obsession(s), 1 current compulsion(s), 0 principal"
    )
