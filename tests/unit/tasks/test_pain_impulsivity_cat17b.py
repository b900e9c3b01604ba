"""SF-MPQ-2 (mean subscales) and SUPPS-P (summed subscales, keyed answers shown as text)."""

from __future__ import annotations

import pytest
from task_test_helpers import items, summary_map, td

from copse.tasks.base import TaskData
from copse.tasks.catalogue import get_task

SFMPQ2 = get_task("sfmpq2")
SUPPSP = get_task("suppsp")

CONTINUOUS, INTERMITTENT = (1, 5, 6, 8, 9, 10), (2, 3, 4, 11, 16, 18)
NEUROPATHIC, AFFECTIVE = (7, 17, 19, 20, 21, 22), (12, 13, 14, 15)


def test_sfmpq2_complete() -> None:
    assert SFMPQ2.is_complete(td(items("q", 1, 22, 10))) is True
    assert SFMPQ2.is_complete(td(items("q", 1, 21, 0))) is False
    assert SFMPQ2.is_complete(td({**items("q", 1, 22, 0), "q5": 11})) is False


def test_sfmpq2_subscales_hand_worked() -> None:
    row = {f"q{n}": 2 for n in CONTINUOUS}
    row.update({f"q{n}": 4 for n in INTERMITTENT})
    row.update({f"q{n}": 6 for n in NEUROPATHIC})
    row.update({f"q{n}": 8 for n in AFFECTIVE})
    s = summary_map(SFMPQ2.summaries(td(row)))
    assert s == pytest.approx(
        {
            "total_pain": (6 * 2 + 6 * 4 + 6 * 6 + 4 * 8) / 22,
            "continuous_pain": 2.0,
            "intermittent_pain": 4.0,
            "neuropathic_pain": 6.0,
            "affective_pain": 8.0,
        }
    )


def test_sfmpq2_means_over_answered_items() -> None:
    s = summary_map(SFMPQ2.summaries(td(q1=3, q5=6, q7=12)))  # q7 = 12 is invalid
    assert (s["continuous_pain"], s["total_pain"]) == (4.5, 4.5)
    assert s["neuropathic_pain"] is None and s["affective_pain"] is None


def test_sfmpq2_descriptors_only_from_extra_strings() -> None:
    plain = str(SFMPQ2.render_html(td(items("q", 1, 22, 10))))
    assert "Item 12 (affective descriptors)" in plain and "10 — worst possible" in plain
    licensed = TaskData(row=items("q", 1, 22, 0), strings={"q12": "Licensed word"})
    assert "Licensed word" in str(SFMPQ2.render_html(licensed))


# ------------------------------------------------------------------ SUPPS-P
SUBSCALES = {
    "negative_urgency": (6, 8, 13, 15),
    "lack_of_perseverance": (1, 4, 7, 11),
    "lack_of_premeditation": (2, 5, 12, 19),
    "sensation_seeking": (9, 14, 16, 18),
    "positive_urgency": (3, 10, 17, 20),
}


def test_suppsp_complete() -> None:
    assert SUPPSP.is_complete(td(items("q", 1, 20, 1))) is True
    assert SUPPSP.is_complete(td(items("q", 1, 19, 1))) is False
    assert SUPPSP.is_complete(td({**items("q", 1, 20, 1), "q4": 0})) is False


def test_suppsp_subscales_hand_worked() -> None:
    row = {f"q{n}": 1 for n in SUBSCALES["negative_urgency"]}
    row.update({f"q{n}": 2 for n in SUBSCALES["lack_of_perseverance"]})
    row.update({f"q{n}": 3 for n in SUBSCALES["lack_of_premeditation"]})
    row.update({f"q{n}": 4 for n in SUBSCALES["sensation_seeking"]})
    row.update({"q3": 1, "q10": 2, "q17": 3, "q20": 4})
    s = summary_map(SUPPSP.summaries(td(row)))
    assert s == {
        "total": 4 + 8 + 12 + 16 + 10,
        "negative_urgency": 4,
        "lack_of_perseverance": 8,
        "lack_of_premeditation": 12,
        "sensation_seeking": 16,
        "positive_urgency": 10,
    }


@pytest.mark.parametrize("value", [1, 4])
def test_suppsp_range_ends(value: int) -> None:
    s = summary_map(SUPPSP.summaries(td(items("q", 1, 20, value))))
    assert s["total"] == 20 * value
    assert all(s[name] == 4 * value for name in SUBSCALES)


def test_suppsp_keyed_answers_as_text() -> None:
    html = str(SUPPSP.render_html(td(items("q", 1, 20, 4))))
    # q3 (positive urgency) is reverse-keyed: scoring 4 means agreeing strongly;
    # q1 (perseverance) scores 4 when the person disagrees strongly.
    assert "4 — agree strongly" in html and "4 — disagree strongly" in html
