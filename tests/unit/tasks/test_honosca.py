"""HoNOSCA: ratings 0–4 or 9, totals by section, self-injury and aggression flags."""

from __future__ import annotations

import pytest
from task_test_helpers import XSS, items, summary_map, td

from copse.tasks.catalogue import get_task

HONOSCA = get_task("honosca")
BASE = items("q", 1, 15, 0)


def test_completeness() -> None:
    assert HONOSCA.is_complete(td(BASE)) is True
    assert HONOSCA.is_complete(td({**BASE, "q7": 9})) is True  # not known is a rating
    assert HONOSCA.is_complete(td({**BASE, "q7": 5})) is False
    assert HONOSCA.is_complete(td(items("q", 1, 14, 0))) is False


def test_totals_exclude_not_known() -> None:
    # Reference example: 1,4,1,2,2,3,(9),(9),2,(9),1,(9),3 | 0,0 → A 19, B 0, all 19.
    values = (1, 4, 1, 2, 2, 3, 9, 9, 2, 9, 1, 9, 3, 0, 0)
    row = {f"q{n}": v for n, v in enumerate(values, start=1)}
    assert summary_map(HONOSCA.summaries(td(row))) == {
        "total": 19,
        "section_a_total": 19,
        "section_b_total": 0,
    }
    s = summary_map(HONOSCA.summaries(td(items("q", 1, 15, 4))))
    assert (s["total"], s["section_a_total"], s["section_b_total"]) == (60, 52, 8)


@pytest.mark.parametrize(
    ("answers", "columns"),
    [({"q3": 0}, []), ({"q3": 1}, ["q3"]), ({"q3": 9}, []), ({"q1": 2}, []),
     ({"q1": 3}, ["q1"]), ({"q1": 4, "q3": 4}, ["q3", "q1"])],
)  # fmt: skip
def test_risk_flags(answers: dict[str, int], columns: list[str]) -> None:
    assert [f.column for f in HONOSCA.risk_flags(td({**BASE, **answers}))] == columns


def test_view_shows_period_and_rating_text() -> None:
    html = str(HONOSCA.render_html(td({**BASE, "q3": 2, "period_rated": XSS})))
    assert "mild problem but definitely present" in html
    assert "&lt;script&gt;" in html and "<script" not in html
