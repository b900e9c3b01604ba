"""MAST: weighted yes/no scoring, reversed items, thresholds."""

from __future__ import annotations

import pytest
from task_test_helpers import items, summary_map, td

from copse.tasks.catalogue import get_task

MAST = get_task("mast")
#: Answers that score nothing: "yes" to items 1, 4, 6, 7 and "no" to the rest.
CLEAN = {**items("q", 1, 24, "N"), "q1": "Y", "q4": "Y", "q6": "Y", "q7": "Y"}


def test_completeness() -> None:
    assert MAST.is_complete(td(CLEAN)) is True
    assert MAST.is_complete(td({**CLEAN, "q3": "maybe"})) is False
    assert MAST.is_complete(td({**CLEAN, "q24": None})) is False


def test_clean_answers_score_zero_and_worst_score_53() -> None:
    assert summary_map(MAST.summaries(td(CLEAN))) == {"total": 0, "exceeds_threshold": False}
    worst = {k: ("N" if v == "Y" else "Y") for k, v in CLEAN.items()}
    assert summary_map(MAST.summaries(td(worst)))["total"] == 53


@pytest.mark.parametrize(
    ("item", "answer", "points"),
    [("q1", "N", 2), ("q4", "N", 2), ("q6", "N", 2), ("q7", "N", 2), ("q8", "Y", 5),
     ("q19", "Y", 5), ("q20", "Y", 5), ("q3", "Y", 1), ("q5", "Y", 1), ("q9", "Y", 1),
     ("q16", "Y", 1), ("q2", "Y", 2), ("q24", "Y", 2)],
)  # fmt: skip
def test_item_weights(item: str, answer: str, points: int) -> None:
    assert summary_map(MAST.summaries(td({**CLEAN, item: answer})))["total"] == points


def test_known_row() -> None:
    # Reference example 1 → 27.
    ans = "N Y Y Y N N Y N N Y Y N N N N N N Y Y Y N Y Y N".split()
    row = {f"q{n}": a for n, a in enumerate(ans, start=1)}
    assert summary_map(MAST.summaries(td(row))) == {"total": 27, "exceeds_threshold": True}


@pytest.mark.parametrize(("extra", "total", "exceeds"),
                         [(("q8", "q19", "q3", "q5"), 12, False),
                          (("q8", "q19", "q3", "q5", "q9"), 13, True)])  # fmt: skip
def test_ross_threshold_boundary(extra: tuple[str, ...], total: int, exceeds: bool) -> None:
    row = {**CLEAN, **dict.fromkeys(extra, "Y")}
    assert summary_map(MAST.summaries(td(row))) == {"total": total, "exceeds_threshold": exceeds}


def test_view_shows_yes_no_and_points() -> None:
    html = str(MAST.render_html(td({**CLEAN, "q8": "Y"})))
    assert "Y — yes" in html and "Alcoholics Anonymous" in html


def test_clinical_summary() -> None:
    assert MAST.clinical_summary(td(CLEAN)) == "MAST: total 0/53, below the Ross threshold of 13"
