"""ORS: completeness, total of four marks, clinical cut-off."""

from __future__ import annotations

import pytest
from task_test_helpers import XSS, summary_map, td

from copse.tasks.catalogue import get_task

ORS = get_task("ors")
FULL = {"q_session": 1, "q_date": "2024-05-06", "q_who": 1, "q_individual": 5.0,
        "q_interpersonal": 6.0, "q_social": 7.0, "q_overall": 8.0}  # fmt: skip


def test_completeness() -> None:
    assert ORS.is_complete(td(FULL)) is True
    for col in FULL:
        assert ORS.is_complete(td({**FULL, col: None})) is False, col
    assert ORS.is_complete(td({**FULL, "q_social": 10.5})) is False


@pytest.mark.parametrize(("marks", "total", "clinical"),
                         [((5, 6, 7, 8), 26.0, False), ((5, 5, 7.5, 7.5), 25.0, True),
                          ((0, 0, 0, 0), 0.0, True), ((10, 10, 10, 10), 40.0, False)])  # fmt: skip
def test_total_and_cutoff(marks: tuple[float, ...], total: float, clinical: bool) -> None:
    cols = ("q_individual", "q_interpersonal", "q_social", "q_overall")
    s = summary_map(ORS.summaries(td({**FULL, **dict(zip(cols, marks, strict=True))})))
    assert s == {"total": total, "clinical_range": clinical}


def test_view_shows_free_text_escaped() -> None:
    html = str(ORS.render_html(td({**FULL, "q_who_other": XSS})))
    assert "&lt;script&gt;" in html and "Overall" in html


def test_clinical_summary() -> None:
    assert ORS.clinical_summary(td(FULL)) == "ORS: total 26/40, non-clinical range"
