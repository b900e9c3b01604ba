"""EMPSA (ability/motivation ratings) and GMC-PQ (patient feedback): completeness, views."""

from __future__ import annotations

from typing import Any

from task_test_helpers import XSS, assert_escaped, summary_map, td

from copse.tasks.catalogue import get_task

EMPSA = get_task("empsa")
GMCPQ = get_task("gmcpq")
EMPSA_FULL = {f"q{n}_{k}": 5 for n in range(1, 13) for k in ("ability", "motivation")}


def test_empsa() -> None:
    assert EMPSA.is_complete(td(EMPSA_FULL)) is True  # comments optional
    assert EMPSA.is_complete(td({**EMPSA_FULL, "q12_motivation": None})) is False
    assert EMPSA.is_complete(td({**EMPSA_FULL, "q1_ability": 11})) is False
    row = {**EMPSA_FULL, "q1_ability": 10, "q2_ability": 0}
    assert summary_map(EMPSA.summaries(td(row))) == {
        "ability_total": 60,  # 10 × 5 + 10 + 0
        "motivation_total": 60,
    }
    assert_escaped(str(EMPSA.render_html(td({**EMPSA_FULL, "q3_comments": XSS}))))


GMCPQ_FULL: dict[str, Any] = {
    "q1": 1,
    **{f"q2{c}": 0 for c in "abcdef"},
    "q3": 2,
    **{f"q4{c}": 4 for c in "abcdefg"},
    "q5a": 5,
    "q5b": 5,
    "q6": 1,
    "q7": 1,
    "q8": 0,
    "q10": "F",
    "q11": 3,
    "q12": 1,
}


def test_gmcpq_completeness() -> None:
    assert GMCPQ.is_complete(td(GMCPQ_FULL)) is True  # free text optional
    assert GMCPQ.is_complete(td({**GMCPQ_FULL, "q4g": None})) is False
    assert GMCPQ.is_complete(td({**GMCPQ_FULL, "q4g": 6})) is False
    assert GMCPQ.is_complete(td({**GMCPQ_FULL, "q10": "Q"})) is False
    assert GMCPQ.is_complete(td({**GMCPQ_FULL, "q2a": 2})) is False


def test_gmcpq_view_and_line() -> None:
    html = str(GMCPQ.render_html(td({**GMCPQ_FULL, "q9": XSS, "q4a": 0})))
    assert_escaped(html)
    assert "4 — good" in html and "0 — does not apply" in html and "F — female" in html
    assert GMCPQ.clinical_summary(td(GMCPQ_FULL)) == "GMC-PQ: 7/7 ratings good or very good"
