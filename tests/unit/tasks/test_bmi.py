"""BMI: completeness, the formula, and every category threshold."""

from __future__ import annotations

import pytest
from task_test_helpers import XSS, summary_map, td

from copse.tasks.catalogue import get_task
from copse.tasks.instruments.bmi import bmi_category

BMI = get_task("bmi")


def test_complete_and_incomplete() -> None:
    assert BMI.is_complete(td(height_m=1.7, mass_kg=70.0)) is True
    assert BMI.is_complete(td(height_m=1.7, mass_kg=70.0, waist_cm=80.0)) is True
    assert BMI.is_complete(td(height_m=1.7)) is False
    assert BMI.is_complete(td(mass_kg=70.0)) is False
    assert BMI.is_complete(td(height_m=-1.7, mass_kg=70.0)) is False
    assert BMI.is_complete(td(height_m=1.7, mass_kg=70.0, waist_cm=-1.0)) is False
    assert BMI.is_complete(td(height_m="tall", mass_kg=70.0)) is False


def test_no_bmi_when_the_height_squared_is_zero() -> None:
    # Found by the property test: 4.6e-263 squared underflows to 0.0.
    for height in (0.0, 4.578349406732072e-263):
        assert summary_map(BMI.summaries(td(height_m=height, mass_kg=0.0)))["bmi"] is None


def test_bmi_formula() -> None:
    # 81 / 1.8² = 81 / 3.24 = 25.0
    assert summary_map(BMI.summaries(td(height_m=1.8, mass_kg=81.0)))["bmi"] == pytest.approx(25.0)
    # 50 / 2² = 12.5
    assert summary_map(BMI.summaries(td(height_m=2, mass_kg=50)))["bmi"] == pytest.approx(12.5)


def test_no_bmi_when_incomplete_or_zero_height() -> None:
    assert summary_map(BMI.summaries(td(height_m=1.8)))["bmi"] is None
    assert BMI.is_complete(td(height_m=0.0, mass_kg=70.0)) is True  # ≥ 0 is permitted
    assert summary_map(BMI.summaries(td(height_m=0.0, mass_kg=70.0)))["bmi"] is None


@pytest.mark.parametrize(
    ("bmi", "starts"),
    [
        (12.99, "Very severely underweight"),
        (13.0, "Severely underweight"),
        (14.99, "Severely underweight"),
        (15.0, "Underweight: severe thinness"),
        (15.99, "Underweight: severe thinness"),
        (16.0, "Underweight: moderate thinness"),
        (16.99, "Underweight: moderate thinness"),
        (17.0, "Underweight: mild thinness (17 ≤"),
        (17.49, "Underweight: mild thinness (17 ≤"),
        (17.5, "Underweight: mild thinness (17.5 ≤"),
        (18.49, "Underweight: mild thinness (17.5 ≤"),
        (18.5, "Normal weight"),
        (24.99, "Normal weight"),
        (25.0, "Overweight"),
        (29.99, "Overweight"),
        (30.0, "Obese class I"),
        (34.99, "Obese class I"),
        (35.0, "Obese class II"),
        (39.99, "Obese class II"),
        (40.0, "Obese class III"),
    ],
)
def test_category_boundaries(bmi: float, starts: str) -> None:
    # With a height of 1 m the BMI equals the mass.
    shown = summary_map(BMI.html_summaries(td(height_m=1.0, mass_kg=bmi)))
    assert shown["bmi"] == pytest.approx(bmi)
    assert str(shown["category"]).startswith(starts)
    assert bmi_category(bmi) == shown["category"]


def test_category_is_display_only() -> None:
    names = [s.name for s in BMI.summaries(td(height_m=1.0, mass_kg=20.0))]
    assert names == ["bmi"]


def test_comment_is_escaped() -> None:
    html = str(BMI.render_html(td(height_m=1.8, mass_kg=81.0, comment=XSS)))
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "25.00" in html
