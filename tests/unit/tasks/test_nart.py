"""NART: errors from 50 words and the predicted-IQ equations."""

from __future__ import annotations

import pytest
from task_test_helpers import summary_map, td

from copse.tasks.catalogue import get_task
from copse.tasks.instruments.nart import WORDS

NART = get_task("nart")
ALL_RIGHT = dict.fromkeys(WORDS, 1)


def with_errors(n: int) -> dict[str, int]:
    return {w: (0 if i < n else 1) for i, w in enumerate(WORDS)}


def test_completeness_and_undefined_estimates() -> None:
    assert NART.is_complete(td(ALL_RIGHT)) is True
    partial = {**ALL_RIGHT, "gist": None}
    assert NART.is_complete(td(partial)) is False
    s = summary_map(NART.summaries(td(partial)))
    assert all(v is None for v in s.values())
    assert NART.is_complete(td({**ALL_RIGHT, "aeon": 2})) is False


@pytest.mark.parametrize(
    ("errors", "name", "expected"),
    [(23, "nelson_full_scale_iq", 108.702), (23, "nelson_verbal_iq", 107.863),
     (23, "nelson_performance_iq", 108.665), (23, "nelson_willison_full_scale_iq", 102.08),
     (23, "bright_full_scale_iq", 103.9275), (20, "bright_general_ability", 107.188),
     (20, "bright_verbal_comprehension", 105.32), (20, "bright_perceptual_reasoning", 107.696),
     (20, "bright_working_memory", 104.728), (20, "bright_perceptual_speed", 103.96),
     (0, "nelson_full_scale_iq", 127.7), (50, "nelson_full_scale_iq", 86.4)],
)  # fmt: skip
def test_equations(errors: int, name: str, expected: float) -> None:
    s = summary_map(NART.summaries(td(with_errors(errors))))
    assert s["n_errors"] == errors
    assert s[name] == pytest.approx(expected)


def test_clinical_summary_and_view() -> None:
    assert "23/50 errors" in NART.clinical_summary(td(with_errors(23)))
    assert "incomplete" in NART.clinical_summary(td({}))
    html = str(NART.render_html(td(with_errors(1))))
    assert "chord" in html and "0 — incorrect" in html and "1 — correct" in html
