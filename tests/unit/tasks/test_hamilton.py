"""HAM-A, HAM-D and HAMD-7: completeness, totals, every band boundary, suicide flags."""

from __future__ import annotations

from typing import Any

import pytest
from task_test_helpers import fill, items, summary_map, td

from copse.tasks.catalogue import get_task

HAMA = get_task("hama")
HAMD = get_task("hamd")
HAMD7 = get_task("hamd7")

#: HAM-D items scored 0–4 and 0–2 among the 17 of the total (16 excluded).
HAMD_0_4 = ["q1", "q2", "q3", "q7", "q8", "q9", "q10", "q11", "q15"]
HAMD_0_2 = ["q4", "q5", "q6", "q12", "q13", "q14", "q17"]
HAMD_FULL: dict[str, Any] = {
    **items("q", 1, 15, 0),
    "whichq16": 0,
    "q16a": 0,
    "q17": 0,
    "q18a": 0,
    **items("q", 19, 21, 0),
}


# ------------------------------------------------------------------ HAM-A
def test_hama_complete_and_incomplete() -> None:
    assert HAMA.is_complete(td(items("q", 1, 14, 0))) is True
    assert HAMA.is_complete(td(items("q", 1, 13, 4))) is False
    assert HAMA.is_complete(td({**items("q", 1, 14, 0), "q7": 5})) is False


def test_hama_known_total() -> None:
    # Reference example: 0+3+0+1+2+3+1+4+1+0+2+0+2+4 = 23 → mild to moderate.
    values = (0, 3, 0, 1, 2, 3, 1, 4, 1, 0, 2, 0, 2, 4)
    row = {f"q{n}": v for n, v in enumerate(values, start=1)}
    assert summary_map(HAMA.summaries(td(row))) == {"total": 23, "severity": "Mild to moderate"}


@pytest.mark.parametrize(
    ("total", "severity"),
    [(0, "Mild"), (17, "Mild"), (18, "Mild to moderate"), (24, "Mild to moderate"),
     (25, "Moderate to severe"), (30, "Moderate to severe"), (31, "Very severe"),
     (56, "Very severe")],
)  # fmt: skip
def test_hama_bands(total: int, severity: str) -> None:
    s = summary_map(HAMA.summaries(td(fill([f"q{n}" for n in range(1, 15)], total, 4))))
    assert (s["total"], s["severity"]) == (total, severity)


def test_hama_has_no_risk_flag_and_tracks_total() -> None:
    assert HAMA.risk_flags(td(items("q", 1, 14, 4))) == []
    assert [t.summary for t in HAMA.trackers] == ["total"]
    assert [c.value for c in HAMA.trackers[0].cutoffs] == [18, 25, 31]


# ------------------------------------------------------------------ HAM-D
def test_hamd_complete_needs_the_chosen_weight_item() -> None:
    assert HAMD.is_complete(td(HAMD_FULL)) is True
    assert HAMD.is_complete(td({**HAMD_FULL, "q16a": None})) is False
    # Rated by measurement: 16B needed, 16A not.
    assert HAMD.is_complete(td({**HAMD_FULL, "whichq16": 1, "q16a": None})) is False
    assert HAMD.is_complete(td({**HAMD_FULL, "whichq16": 1, "q16a": None, "q16b": 2})) is True
    assert HAMD.is_complete(td({**HAMD_FULL, "whichq16": None})) is False


def test_hamd_complete_diurnal_severity_only_if_variation() -> None:
    assert HAMD.is_complete(td({**HAMD_FULL, "q18a": 1})) is False
    assert HAMD.is_complete(td({**HAMD_FULL, "q18a": 1, "q18b": 2})) is True


@pytest.mark.parametrize(("item", "bad"), [("q4", 3), ("q1", 5), ("q20", 4), ("q16a", 4)])
def test_hamd_out_of_range_is_incomplete(item: str, bad: int) -> None:
    assert HAMD.is_complete(td({**HAMD_FULL, item: bad})) is False


def test_hamd_known_total() -> None:
    # Reference example 1: items 1–15 sum to 33, 16A (chosen) = 2, 17 = 0 → 35;
    # 16B = 2 is not chosen and items 18–21 are not in the total.
    values = (3, 2, 3, 1, 0, 1, 4, 2, 3, 3, 3, 2, 2, 1, 3)
    row = {f"q{n}": v for n, v in enumerate(values, start=1)}
    row.update(whichq16=0, q16a=2, q16b=2, q17=0, q18a=0, q18b=1, q19=4, q20=3, q21=2)
    assert summary_map(HAMD.summaries(td(row))) == {
        "total": 35,
        "severity": "Very severe depression",
    }


def test_hamd_weight_item_follows_choice_and_not_assessed_scores_zero() -> None:
    base = {"q16a": 1, "q16b": 2}
    assert summary_map(HAMD.summaries(td(base, whichq16=0)))["total"] == 1
    assert summary_map(HAMD.summaries(td(base, whichq16=1)))["total"] == 2
    assert summary_map(HAMD.summaries(td(base)))["total"] == 0  # no choice made
    assert summary_map(HAMD.summaries(td(whichq16=0, q16a=3)))["total"] == 0


@pytest.mark.parametrize(
    ("total", "severity"),
    [(0, "No depression"), (7, "No depression"), (8, "Mild depression"),
     (13, "Mild depression"), (14, "Moderate depression"), (18, "Moderate depression"),
     (19, "Severe depression"), (22, "Severe depression"), (23, "Very severe depression"),
     (52, "Very severe depression")],
)  # fmt: skip
def test_hamd_bands(total: int, severity: str) -> None:
    # Fill the 0–4 items first, then the 0–2 ones, then 16A (max 2).
    high = fill(HAMD_0_4, min(total, 36), 4)
    rest = total - sum(high.values())
    low = fill([*HAMD_0_2, "q16a"], rest, 2)
    s = summary_map(HAMD.summaries(td({**high, **low, "whichq16": 0})))
    assert (s["total"], s["severity"]) == (total, severity)


@pytest.mark.parametrize(("q3", "flagged"), [(0, False), (1, True), (4, True), (None, False)])
def test_hamd_suicide_item_flag(q3: int | None, flagged: bool) -> None:
    flags = HAMD.risk_flags(td({**HAMD_FULL, "q3": q3}))
    assert bool(flags) is flagged
    if flagged:
        assert flags[0].column == "q3" and "suicide" in flags[0].message
        assert "suicide" in HAMD.clinical_summary(td({**HAMD_FULL, "q3": q3}))


def test_hamd_view_shows_answers_as_text() -> None:
    html = str(HAMD.render_html(td({**HAMD_FULL, "q18a": 2, "q18b": 1, "q3": 2})))
    assert "worse in the evening" in html
    assert "16A, by history" in html
    assert "2 — moderate" in html


# ------------------------------------------------------------------ HAMD-7
def test_hamd7_complete_and_ranges() -> None:
    assert HAMD7.is_complete(td(items("q", 1, 7, 2))) is True
    assert HAMD7.is_complete(td({**items("q", 1, 7, 2), "q6": 3})) is False  # energy is 0–2
    assert HAMD7.is_complete(td({**items("q", 1, 7, 2), "q7": 4})) is True
    assert HAMD7.is_complete(td(items("q", 1, 6, 0))) is False


@pytest.mark.parametrize(
    ("total", "severity"),
    [(0, "No depression"), (3, "No depression"), (4, "Mild depression"),
     (11, "Mild depression"), (12, "Moderate depression"), (16, "Moderate depression"),
     (17, "Severe depression"), (26, "Severe depression")],
)  # fmt: skip
def test_hamd7_bands(total: int, severity: str) -> None:
    row = fill(["q1", "q2", "q3", "q4", "q5", "q7"], min(total, 24), 4)
    row["q6"] = total - sum(row.values())
    s = summary_map(HAMD7.summaries(td(row)))
    assert (s["total"], s["severity"]) == (total, severity)


def test_hamd7_suicide_flag_is_item_7() -> None:
    assert HAMD7.risk_flags(td(items("q", 1, 6, 4))) == []
    flags = HAMD7.risk_flags(td(q7=2))
    assert [f.column for f in flags] == ["q7"]


def test_clinical_summaries() -> None:
    assert (
        HAMA.clinical_summary(td(items("q", 1, 14, 2))) == "HAM-A: total 28/56, moderate to severe"
    )
    line = HAMD.clinical_summary(td({**HAMD_FULL, "q1": 4, "q3": 3}))
    assert line == "HAM-D: total 7/52, no depression, item 3 (suicide) = 3, severe"
    assert HAMD7.clinical_summary(td(q1=4)) == "HAMD-7: total 4/26, mild depression, incomplete"
