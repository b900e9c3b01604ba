"""DAST-28: scoring direction (items 4, 5, 7 score 'no'), completeness, cut-off."""

from __future__ import annotations

import pytest
from task_test_helpers import summary_map, td

from copse.tasks.catalogue import get_task

DAST = get_task("dast")
REVERSED = (4, 5, 7)
#: Every answer in the non-abuse direction: total 0.
ZERO = {f"q{n}": ("Y" if n in REVERSED else "N") for n in range(1, 29)}


def test_complete_and_incomplete() -> None:
    assert DAST.is_complete(td(ZERO)) is True
    assert DAST.is_complete(td({**ZERO, "q28": None})) is False
    assert DAST.is_complete(td({**ZERO, "q1": "maybe"})) is False


def test_direction_of_scoring() -> None:
    assert summary_map(DAST.summaries(td(ZERO)))["total"] == 0
    all_yes = {f"q{n}": "Y" for n in range(1, 29)}
    assert summary_map(DAST.summaries(td(all_yes)))["total"] == 25  # 28 − items 4, 5, 7
    all_no = {f"q{n}": "N" for n in range(1, 29)}
    assert summary_map(DAST.summaries(td(all_no)))["total"] == 3


@pytest.mark.parametrize(("n_yes", "probable"), [(5, False), (6, True), (25, True)])
def test_cutoff(n_yes: int, probable: bool) -> None:
    forward = [n for n in range(1, 29) if n not in REVERSED][:n_yes]
    row = {**ZERO, **{f"q{n}": "Y" for n in forward}}
    s = summary_map(DAST.summaries(td(row)))
    assert (s["total"], s["probable_abuse"]) == (n_yes, probable)


def test_view_shows_answers_as_text() -> None:
    html = str(DAST.render_html(td(ZERO)))
    assert "Y — yes" in html and "N — no" in html


def test_clinical_line() -> None:
    six = {**ZERO, **{f"q{n}": "Y" for n in (1, 2, 3, 6, 8, 9)}}
    assert DAST.clinical_summary(td(six)) == "DAST: total 6/28, probable drug abuse (≥6)"
    assert DAST.clinical_summary(td(ZERO)) == "DAST: total 0/28"
