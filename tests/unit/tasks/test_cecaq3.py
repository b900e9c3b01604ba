"""CECA-Q3: every published scale on hand-worked answers, completeness and flags."""

from __future__ import annotations

from typing import Any

import pytest
from task_test_helpers import items, summary_map, td

from copse.tasks.catalogue import get_task

CECA = get_task("cecaq3")

BASE: dict[str, Any] = {
    "s1b_institution": 0, "s1c_mother_died": 0, "s1c_father_died": 0,
    "s1c_separated_from_mother": 0, "s1c_separated_from_father": 0,
    "s2a_which_mother_figure": 1, "s3a_which_father_figure": 1,
    **items("s2a_q", 1, 16, 1), **items("s2b_q", 1, 17, 0),
    **{f"s2b_q{n}_frequency": 0 for n in range(1, 18)},
    **items("s3a_q", 1, 16, 1), **items("s3b_q", 1, 17, 0),
    **{f"s3b_q{n}_frequency": 0 for n in range(1, 18)},
    **items("s3c_q", 1, 17, 1), "s3c_which_parent_cared_for": 0,
    "s4a_adultconfidant": 1, "s4b_childconfidant": 1, "s5c_physicalabuse": 0,
    "s5c_abuse_by_nonparent": 0, "s6_any_unwanted_sexual_experience": 0,
    "s6_unwanted_intercourse": 0, "s6_upsetting_sexual_adult_authority": 0,
}  # fmt: skip


def scores(**changes: Any) -> dict[str, Any]:
    return summary_map(CECA.summaries(td({**BASE, **changes})))


def test_base_is_complete_with_minimum_scores() -> None:
    assert CECA.is_complete(td(BASE)) is True
    s = scores()
    # all care items 1: antipathy = 6 straight × 1 + 2 reversed × 5 = 16;
    # neglect = 2 straight × 1 + 6 reversed × 5 = 32
    assert (s["mother_antipathy"], s["mother_neglect"]) == (16, 32)
    assert (s["father_antipathy"], s["father_neglect"]) == (16, 32)
    assert (s["mother_psychological_abuse"], s["role_reversal"]) == (0, 17)
    assert (s["parental_loss_risk"], s["parental_loss_high_risk"]) == (False, False)
    assert (s["physical_abuse_screen"], s["physical_abuse_severity_mother"]) == (0, 0)
    assert (s["sexual_abuse_screen"], s["sexual_abuse_score_first"]) == (0, None)


def test_antipathy_and_neglect_item_sets() -> None:
    # From the base (all 1): q1 (antipathy, straight) 1→5 adds 4; q8 (antipathy,
    # reversed) stays 1 → 5 points; q11 (reversed) 1→5 scores 1, losing 4.
    s = scores(s2a_q1=5, s2a_q11=5, s2a_q2=5, s2a_q7=5)
    assert s["mother_antipathy"] == 16 + 4 - 4
    # q2 (neglect, reversed) 1→5 loses 4; q7 (neglect, straight) 1→5 adds 4;
    # q15 (straight) unchanged.
    assert s["mother_neglect"] == 32 - 4 + 4
    assert scores(s2a_q16=3)["mother_antipathy"] == 18  # q16 straight: +2
    assert s["father_antipathy"] == 16


def test_no_father_figure_means_no_father_scores() -> None:
    s = scores(s3a_which_father_figure=0)
    assert (s["father_antipathy"], s["father_neglect"], s["father_psychological_abuse"]) == (
        None,
        None,
        None,
    )
    assert CECA.is_complete(td({**BASE, "s3a_which_father_figure": 0, "s3a_q3": None})) is True


def test_psychological_abuse_adds_items_and_frequencies() -> None:
    s = scores(s2b_q1=2, s2b_q1_frequency=3, s2b_q17=1)
    assert s["mother_psychological_abuse"] == 6
    assert scores(s2b_q5=None)["mother_psychological_abuse"] is None


@pytest.mark.parametrize(
    ("changes", "risk", "high"),
    [({"s1c_mother_died": 1}, True, False),
     ({"s1c_separated_from_father": 1, "s1c_father_separation_reason": 2}, True, False),
     ({"s1c_separated_from_father": 1, "s1c_father_separation_reason": 5}, True, True),
     ({"s1c_separated_from_mother": 1, "s1c_mother_separation_reason": 6}, True, True),
     ({"s1c_separated_from_mother": 0, "s1c_mother_separation_reason": 6}, False, False)],
)  # fmt: skip
def test_parental_loss(changes: dict[str, int], risk: bool, high: bool) -> None:
    s = scores(**changes)
    assert (s["parental_loss_risk"], s["parental_loss_high_risk"]) == (risk, high)


def test_physical_abuse_severity() -> None:
    abuse = {"s5c_physicalabuse": 1, "s5c_abused_by_mother": 1, "s5c_abused_by_father": 0,
             "s5c_mother_hit_more_than_once": 1, "s5c_mother_hit_how": 1,
             "s5c_mother_injured": 1, "s5c_mother_out_of_control": 1}  # fmt: skip
    s = scores(**abuse)
    assert (s["physical_abuse_screen"], s["physical_abuse_severity_mother"]) == (1, 4)
    assert s["physical_abuse_severity_father"] == 0
    assert scores(**{**abuse, "s5c_mother_hit_how": 3})["physical_abuse_severity_mother"] == 3
    assert scores(**{**abuse, "s5c_mother_injured": None})["physical_abuse_severity_mother"] is None
    assert CECA.is_complete(td({**BASE, **abuse})) is True
    flags = CECA.risk_flags(td({**BASE, **abuse}))
    assert [f.column for f in flags] == ["s5c_physicalabuse"]


def test_sexual_abuse_screen_and_scores() -> None:
    first = {f"s6_first_{f}": 1 for f in ("person_known", "relative", "intercourse")}
    absent = ("in_household", "more_than_once", "touch_privates_subject", "touch_privates_other")
    first |= {f"s6_first_{f}": 0 for f in absent}
    changes = {"s6_any_unwanted_sexual_experience": 2, "s6_unwanted_intercourse": 1, **first}
    s = scores(**changes)
    assert (s["sexual_abuse_screen"], s["sexual_abuse_score_first"]) == (2, 3)
    assert CECA.is_complete(td({**BASE, **changes})) is True
    # A positive screen requires the details of the first experience.
    assert CECA.is_complete(td({**BASE, "s6_unwanted_intercourse": 2})) is False
    assert [f.column for f in CECA.risk_flags(td({**BASE, **changes}))] == [
        "s6_any_unwanted_sexual_experience"
    ]


def test_completeness_rules() -> None:
    assert CECA.is_complete(td({**BASE, "s2a_q3": None})) is False
    assert CECA.is_complete(td({**BASE, "s2a_q3": 6})) is False  # care items 1–5
    assert CECA.is_complete(td({**BASE, "s1a_motherfigure_other": 1})) is False  # say who
    assert (
        CECA.is_complete(
            td({**BASE, "s1a_motherfigure_other": 1, "s1a_motherfigure_other_detail": "Aunt"})
        )
        is True
    )
    assert CECA.is_complete(td({**BASE, "s3a_which_father_figure": 5})) is False


def test_view_and_dictionary() -> None:
    html = str(CECA.render_html(td({**BASE, "s1c_describe_experience": "Moved often"})))
    assert "Moved often" in html and "1. Parent figures" in html
    meanings = {e.column: e.meaning for e in CECA.data_dictionary()}
    assert "care by the mother figure" in meanings["s2a_q1"]


def test_clinical_line() -> None:
    line = CECA.clinical_summary(td({**BASE, "s1c_mother_died": 1}))
    assert line == (
        "CECA-Q3: parental loss yes, mother antipathy 16/40, neglect 32/40, "
        "father antipathy 16/40, neglect 32/40, role reversal 17/85"
    )
