"""AQ, CGI-I, CGI-SCH, CHI-T, CIA and the APEQ questionnaires."""

from __future__ import annotations

import pytest
from task_test_helpers import fill, items, summary_map, td

from copse.tasks.base import TaskData
from copse.tasks.catalogue import get_task
from copse.tasks.instruments.aq import AGREE_SCORED, SUBSCALES

AQ = get_task("aq")
CGI_I = get_task("cgi_i")
CGISCH = get_task("cgisch")
CHIT = get_task("chit")
CIA = get_task("cia")
APEQPT = get_task("apeqpt")
PERINATAL = get_task("apeq_cpft_perinatal")


# --------------------------------------------------------------------- AQ
def autistic_answers(numbers: set[int]) -> dict[str, int]:
    """Items in ``numbers`` answered the scoring way (strongly), the rest the other way."""
    row = {}
    for n in range(1, 51):
        agree_scores = n in AGREE_SCORED
        scoring = n in numbers
        row[f"q{n}"] = 0 if agree_scores == scoring else 3
    return row


def test_aq_no_points_and_all_points() -> None:
    assert summary_map(AQ.summaries(td(autistic_answers(set()))))["total"] == 0
    s = summary_map(AQ.summaries(td(autistic_answers(set(range(1, 51))))))
    assert s == {"total": 50, **{name: 10 for name in SUBSCALES}}


def test_aq_slight_answers_count_like_definite_ones() -> None:
    # q2 scores for agreeing: "slightly agree" (1) scores, "slightly disagree" (2) does not.
    # q1 scores for disagreeing: 2 scores, 1 does not.
    base = autistic_answers(set())
    assert summary_map(AQ.summaries(td({**base, "q2": 1})))["attention_switching"] == 1
    assert summary_map(AQ.summaries(td({**base, "q2": 2})))["attention_switching"] == 0
    assert summary_map(AQ.summaries(td({**base, "q1": 2})))["social_skill"] == 1
    assert summary_map(AQ.summaries(td({**base, "q1": 1})))["social_skill"] == 0


@pytest.mark.parametrize("subscale", sorted(SUBSCALES))
def test_aq_each_subscale(subscale: str) -> None:
    s = summary_map(AQ.summaries(td(autistic_answers(set(SUBSCALES[subscale])))))
    assert s["total"] == 10 and s[subscale] == 10
    assert all(v == 0 for k, v in s.items() if k not in ("total", subscale))


def test_aq_incomplete_has_no_scores() -> None:
    row = {**autistic_answers(set(range(1, 51))), "q50": None}
    assert AQ.is_complete(td(row)) is False
    assert set(summary_map(AQ.summaries(td(row))).values()) == {None}


@pytest.mark.parametrize(("total", "significant"), [(31, False), (32, True)])
def test_aq_significance_threshold(total: int, significant: bool) -> None:
    line = AQ.clinical_summary(td(autistic_answers(set(range(1, total + 1)))))
    assert f"total {total}/50" in line and ("clinically significant" in line) is significant


# ------------------------------------------------------------ CGI-I / SCH
def test_cgi_i() -> None:
    assert CGI_I.is_complete(td(q=0)) is True  # not assessed is a rating
    assert CGI_I.is_complete(td(q=8)) is False
    assert CGI_I.is_complete(td()) is False
    assert CGI_I.clinical_summary(td(q=2)) == "CGI-I: 2 (much improved)"
    assert "much improved" in str(CGI_I.render_html(td(q=2)))


def test_cgisch_completeness() -> None:
    row = {**items("severity", 1, 5, 7), **items("change", 1, 5, 9)}
    assert CGISCH.is_complete(td(row)) is True
    assert CGISCH.is_complete(td({**row, "severity3": 0})) is False  # severity is 1–7
    assert CGISCH.is_complete(td({**row, "change2": 8})) is False  # change is 1–7 or 9
    assert CGISCH.is_complete(td({**row, "change5": None})) is False
    html = str(CGISCH.render_html(td(row)))
    assert "among the most severely ill" in html and "not applicable" in html


# ------------------------------------------------------------------ CHI-T
def test_chit_total_and_completeness() -> None:
    row = dict(zip([f"q{n}" for n in range(1, 16)], [0, 1, 2, 3, 4] * 3, strict=True))
    assert CHIT.is_complete(td(row)) is True
    assert summary_map(CHIT.summaries(td(row))) == {"total": 30}
    assert CHIT.is_complete(td({**row, "q15": 5})) is False
    assert summary_map(CHIT.summaries(td(items("q", 1, 15, 4)))) == {"total": 60}


# -------------------------------------------------------------------- CIA
def test_cia_global_score_full_and_prorated() -> None:
    names = [f"q{n}" for n in range(1, 17)]
    assert summary_map(CIA.summaries(td(fill(names, 20, 3))))["global_score"] == 20
    # 12 items rated summing 9 → 9 × 16 / 12 = 12.0; task incomplete
    partial = fill(names[:12], 9, 3)
    assert summary_map(CIA.summaries(td(partial)))["global_score"] == pytest.approx(12.0)
    assert CIA.is_complete(td(partial)) is False
    # 11 items rated: too few for a score
    assert summary_map(CIA.summaries(td(fill(names[:11], 9, 3))))["global_score"] is None


def test_cia_case_cutoff_on_tracker() -> None:
    (spec,) = CIA.trackers
    assert [c.value for c in spec.cutoffs] == [16]


# ------------------------------------------------------------------- APEQ
APEQPT_FULL = {"q_datetime": "2024-05-01T10:00:00.000+01:00", "q1_choice": 1, "q2_choice": 0,
               "q3_choice": 2, "q1_satisfaction": 4}  # fmt: skip


def test_apeqpt_completeness() -> None:
    assert APEQPT.is_complete(td(APEQPT_FULL)) is True  # comment optional
    assert APEQPT.is_complete(td({**APEQPT_FULL, "q_datetime": None})) is False
    assert APEQPT.is_complete(td({**APEQPT_FULL, "q_datetime": "yesterday"})) is False
    assert APEQPT.is_complete(td({**APEQPT_FULL, "q3_choice": 3})) is False
    assert APEQPT.is_complete(td({**APEQPT_FULL, "q1_choice": 2})) is False


def test_apeqpt_view_uses_extra_strings() -> None:
    data = TaskData(row=APEQPT_FULL, strings={"q1_choice": "Were you told about options?"})
    html = str(APEQPT.render_html(data))
    assert "Were you told about options?" in html and "1 — yes" in html


def test_perinatal_completeness() -> None:
    full = {**items("q", 1, 6, 1), "ff_rating": 0}
    assert PERINATAL.is_complete(td(full)) is True  # free text optional
    assert PERINATAL.is_complete(td({**full, "ff_rating": None})) is False
    assert PERINATAL.is_complete(td({**full, "ff_rating": 6})) is False
    assert PERINATAL.is_complete(td({**full, "q6": 3})) is False
    assert PERINATAL.summaries(td(full)) == []


def test_cgisch_clinical_line() -> None:
    row = {**items("severity", 1, 5, 3), **items("change", 1, 5, 2)}
    line = CGISCH.clinical_summary(td(row))
    assert line.startswith("CGI-SCH: positive symptoms 3 (mildly ill), change much improved;")
