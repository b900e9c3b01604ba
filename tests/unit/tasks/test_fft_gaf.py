"""FFT (one rating) and GAF (one clinician rating): completeness and views."""

from __future__ import annotations

import pytest
from task_test_helpers import XSS, assert_escaped, summary_map, td

from copse.tasks.catalogue import get_task

FFT = get_task("fft")
GAF = get_task("gaf")


@pytest.mark.parametrize(("rating", "complete"), [(1, True), (6, True), (0, False), (7, False),
                                                  (None, False)])  # fmt: skip
def test_fft_completeness(rating: int | None, complete: bool) -> None:
    assert FFT.is_complete(td(service="Ward 3", rating=rating)) is complete


def test_fft_view_and_summary() -> None:
    html = str(FFT.render_html(td(service=XSS, rating=2)))
    assert_escaped(html)
    assert "2 — good" in html
    assert FFT.clinical_summary(td(rating=5)) == "FFT: experience rated very poor"


@pytest.mark.parametrize(("score", "complete"), [(0, True), (1, True), (100, True),
                                                 (101, False), (None, False)])  # fmt: skip
def test_gaf(score: int | None, complete: bool) -> None:
    assert GAF.is_complete(td(score=score)) is complete
    expected = score if complete else None
    assert summary_map(GAF.summaries(td(score=score))) == {"gaf_rating": expected}
