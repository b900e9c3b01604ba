"""RAND-36 (recoding, eight scales, overall) and RAPID3 (FN conversion, severity bands)."""

from __future__ import annotations

import pytest
from task_test_helpers import items, summary_map, td

from copse.tasks.catalogue import get_task
from copse.tasks.instruments.rand36 import RECODE

RAND36 = get_task("rand36")
RAPID3 = get_task("rapid3")

# Code that recodes to 100 (best health) for each item, from RAND's recoding table.
BEST = {
    **{f"q{n}": 1 for n in (1, 2, 20, 22, 34, 36, 21, 23, 26, 27, 30)},
    **{f"q{n}": 3 for n in range(3, 13)},
    **{f"q{n}": 2 for n in range(13, 20)},
    **{f"q{n}": 6 for n in (24, 25, 28, 29, 31)},
    **{f"q{n}": 5 for n in (32, 33, 35)},
}
SCALES = (
    "physical_functioning",
    "role_limitations_physical",
    "role_limitations_emotional",
    "energy",
    "emotional_wellbeing",
    "social_functioning",
    "pain",
    "general_health",
)


# ------------------------------------------------------------------ RAND-36
def test_rand36_complete() -> None:
    assert RAND36.is_complete(td(items("q", 1, 36, 1))) is True
    assert RAND36.is_complete(td(items("q", 1, 35, 1))) is False
    assert RAND36.is_complete(td({**items("q", 1, 36, 1), "q13": 3})) is False  # yes/no item
    assert RAND36.is_complete(td({**items("q", 1, 36, 1), "q23": 6})) is True  # 6-point item


def test_rand36_all_ones_hand_worked() -> None:
    # Answer 1 everywhere recodes to 100 for items 1, 2, 20–23, 26, 27, 30, 34, 36
    # and to 0 for the rest, so:
    s = summary_map(RAND36.summaries(td(items("q", 1, 36, 1))))
    assert s == pytest.approx(
        {
            "overall": 1100 / 36,
            "physical_functioning": 0.0,
            "role_limitations_physical": 0.0,
            "role_limitations_emotional": 0.0,
            "energy": 50.0,  # 23, 27 → 100; 29, 31 → 0
            "emotional_wellbeing": 40.0,  # 26, 30 → 100; 24, 25, 28 → 0
            "social_functioning": 50.0,  # 20 → 100; 32 → 0
            "pain": 100.0,
            "general_health": 60.0,  # 1, 34, 36 → 100; 33, 35 → 0
        }
    )


@pytest.mark.parametrize("scale", SCALES)
def test_rand36_best_and_worst_per_scale(scale: str) -> None:
    assert summary_map(RAND36.summaries(td(BEST)))[scale] == 100.0
    worst = {q: (1 if code != 1 else max(RECODE[q])) for q, code in BEST.items()}
    assert summary_map(RAND36.summaries(td(worst)))[scale] == 0.0


def test_rand36_scales_average_answered_items_only() -> None:
    s = summary_map(RAND36.summaries(td(q21=2, q3=2, q4=3, q5=9)))  # q5 = 9 is invalid
    assert s["pain"] == 80.0
    assert s["physical_functioning"] == 75.0  # (50 + 100) / 2
    assert s["energy"] is None
    assert s["overall"] == pytest.approx((80 + 50 + 100) / 3)


def test_rand36_view_shows_answer_text_and_score() -> None:
    html = str(RAND36.render_html(td(BEST)))
    assert "no, not limited at all" in html and "none of the time" in html


# ------------------------------------------------------------------ RAPID3
FULL = {**{f"q1{c}": 0 for c in "abcdefghijklm"}, "q2": 0.0, "q3": 0.0}


def test_rapid3_complete() -> None:
    assert RAPID3.is_complete(td(FULL)) is True
    assert RAPID3.is_complete(td({**FULL, "q1k": None})) is False  # asked, though unscored
    assert RAPID3.is_complete(td({**FULL, "q2": None})) is False
    assert RAPID3.is_complete(td({**FULL, "q3": 10.5})) is False
    assert RAPID3.is_complete(td({**FULL, "q1a": 4})) is False


def test_rapid3_hand_worked() -> None:
    # FN raw 1a–1j all 1 = 10 → 10/3 = 3.3; 1k–1m are not scored; + 4.5 + 3.0 = 10.8.
    row = {**FULL, **{f"q1{c}": 1 for c in "abcdefghij"}, "q1k": 3, "q2": 4.5, "q3": 3.0}
    s = summary_map(RAPID3.summaries(td(row)))
    assert s == {"rapid3": 10.8, "disease_severity": "moderate severity"}
    fn = summary_map(RAPID3.html_summaries(td(row)))["function"]
    assert fn == 3.3


def test_rapid3_fn_conversion_rounds_to_one_decimal() -> None:
    row = {**FULL, **{f"q1{c}": 1 for c in "abcde"}}  # raw 5 → 1.7 (table), not 1.6667
    assert summary_map(RAPID3.summaries(td(row)))["rapid3"] == 1.7


@pytest.mark.parametrize(
    ("pain", "glob", "score", "band"),
    [(0.0, 0.0, 0.0, "near remission"), (1.5, 1.5, 3.0, "near remission"),
     (1.5, 1.6, 3.1, "low severity"), (3.0, 3.0, 6.0, "low severity"),
     (3.0, 3.1, 6.1, "moderate severity"), (6.0, 6.0, 12.0, "moderate severity"),
     (6.0, 6.1, 12.1, "high severity"), (10.0, 10.0, 20.0, "high severity")],
)  # fmt: skip
def test_rapid3_severity_boundaries(pain: float, glob: float, score: float, band: str) -> None:
    s = summary_map(RAPID3.summaries(td({**FULL, "q2": pain, "q3": glob})))
    assert s == {"rapid3": score, "disease_severity": band}


def test_rapid3_maximum_and_incomplete() -> None:
    row = {**FULL, **{f"q1{c}": 3 for c in "abcdefghijklm"}, "q2": 10.0, "q3": 10.0}
    assert summary_map(RAPID3.summaries(td(row)))["rapid3"] == 30.0
    s = summary_map(RAPID3.summaries(td({**row, "q3": None})))
    assert s == {"rapid3": None, "disease_severity": None}


def test_rapid3_clinical_summary() -> None:
    row = {**FULL, "q2": 3.0, "q3": 3.1}
    assert RAPID3.clinical_summary(td(row)) == "RAPID3: 6.1/30, moderate severity"
    assert RAPID3.clinical_summary(td()) == "RAPID3: incomplete, no score"
