"""NPI-Q: sums over endorsed domains, completeness, the documented 0-distress difference."""

from __future__ import annotations

from task_test_helpers import items, summary_map, td

from copse.tasks.catalogue import get_task

NPIQ = get_task("npiq")
NONE = items("endorsed", 1, 12, 0)


def test_completeness() -> None:
    assert NPIQ.is_complete(td(NONE)) is True
    assert NPIQ.is_complete(td(items("endorsed", 1, 11, 0))) is False
    one = {**NONE, "endorsed4": 1}
    assert NPIQ.is_complete(td(one)) is False  # severity and distress needed
    assert NPIQ.is_complete(td({**one, "severity4": 2})) is False
    assert NPIQ.is_complete(td({**one, "severity4": 2, "distress4": 3})) is True
    assert NPIQ.is_complete(td({**one, "severity4": 4, "distress4": 3})) is False  # 1–3
    assert NPIQ.is_complete(td({**one, "severity4": 2, "distress4": 0})) is True  # published 0
    assert "is_complete" in NPIQ.reference_differences


def test_scores_count_endorsed_domains_only() -> None:
    # Reference example 1: endorsed 1,2,3,4,7,10,11,12 → severity 15, distress 15.
    endorsed = (1, 1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1)
    severity = (1, 2, 2, 2, 3, 2, 1, 3, 2, 2, 2, 3)
    distress = (4, 0, 2, 1, 1, 2, 3, 3, 0, 3, 1, 1)
    row = {}
    for n in range(1, 13):
        row |= {f"endorsed{n}": endorsed[n - 1], f"severity{n}": severity[n - 1],
                f"distress{n}": distress[n - 1]}  # fmt: skip
    assert summary_map(NPIQ.summaries(td(row))) == {
        "n_endorsed": 8, "severity_score": 15, "distress_score": 15}  # fmt: skip


def test_maxima() -> None:
    row = {**items("endorsed", 1, 12, 1), **items("severity", 1, 12, 3),
           **items("distress", 1, 12, 5)}  # fmt: skip
    assert summary_map(NPIQ.summaries(td(row))) == {
        "n_endorsed": 12, "severity_score": 36, "distress_score": 60}  # fmt: skip


def test_severe_agitation_flag_and_view() -> None:
    row = {**NONE, "endorsed3": 1, "severity3": 3, "distress3": 2, "respondent_name": "Ann"}
    assert [f.column for f in NPIQ.risk_flags(td(row))] == ["severity3"]
    assert NPIQ.risk_flags(td({**row, "severity3": 2})) == []
    html = str(NPIQ.render_html(td(row)))
    assert "Agitation/aggression" in html and "3 — severe" in html and "Ann" in html


def test_clinical_summary() -> None:
    assert NPIQ.clinical_summary(td(NONE)) == (
        "NPI-Q: 0/12 domains present, severity 0/36, carer distress 0/60"
    )
