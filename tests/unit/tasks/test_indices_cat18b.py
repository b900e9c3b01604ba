"""Elixhauser CI, CET, QoL-SG and IRAC: completeness, hand-worked scores, views."""

from __future__ import annotations

import pytest
from task_test_helpers import items, summary_map, td

from copse.tasks.catalogue import get_task
from copse.tasks.instruments.elixhauserci import CONDITIONS

ELIX = get_task("elixhauserci")
CET = get_task("cet")
QOLSG = get_task("qolsg")
IRAC = get_task("irac")
NONE_PRESENT = dict.fromkeys(CONDITIONS, 0)


# ------------------------------------------------------------- Elixhauser
def test_elixhauser_complete_needs_every_condition_rated() -> None:
    assert ELIX.is_complete(td(NONE_PRESENT)) is True
    assert ELIX.is_complete(td({**NONE_PRESENT, "obesity": None})) is False
    assert ELIX.is_complete(td({**NONE_PRESENT, "obesity": 2})) is False


@pytest.mark.parametrize("n_present", [0, 1, 7, 31])
def test_elixhauser_total_counts_conditions_present(n_present: int) -> None:
    row = {c: int(i < n_present) for i, c in enumerate(CONDITIONS)}
    assert summary_map(ELIX.summaries(td(row))) == {"total": n_present}


def test_elixhauser_invalid_rating_adds_nothing_and_view_names_conditions() -> None:
    task = td({**NONE_PRESENT, "depression": 1, "psychoses": 5})
    assert summary_map(ELIX.summaries(task))["total"] == 1
    assert "Depression" in ELIX.clinical_summary(task)
    html = str(ELIX.render_html(task))
    assert "present" in html and "not a permitted answer" in html


# ------------------------------------------------------------------- CET
def test_cet_subscales_and_total_hand_worked() -> None:
    # All items 3 except the reversed q8 = 5 and q12 = 0 (scored 0 and 5).
    row = {**items("q", 1, 24, 3), "q8": 5, "q12": 0}
    s = summary_map(CET.summaries(td(row)))
    assert s["subscale_1_avoidance_rule_based"] == 3
    assert s["subscale_2_weight_control"] == pytest.approx((3 + 3 + 0 + 3 + 3) / 5)
    assert s["subscale_3_mood_improvement"] == 3
    assert s["subscale_4_lack_enjoyment"] == pytest.approx((3 + 5 + 3) / 3)
    assert s["subscale_5_rigidity"] == 3
    assert s["total"] == pytest.approx(3 + 2.4 + 3 + 11 / 3 + 3)
    assert CET.is_complete(td(row)) is True


def test_cet_missing_item_voids_its_subscale_only() -> None:
    row = {**items("q", 1, 24, 5), "q3": None}
    s = summary_map(CET.summaries(td(row)))
    assert s["subscale_5_rigidity"] is None
    assert s["subscale_1_avoidance_rule_based"] == 5
    # Reversed items 8 and 12 at 5 score 0: subscale 2 = 20/5, subscale 4 = 10/3.
    assert s["total"] == pytest.approx(5 + 4 + 5 + 10 / 3)
    assert CET.is_complete(td(row)) is False
    assert CET.is_complete(td({**items("q", 1, 24, 5), "q1": 6})) is False


def test_cet_view_uses_extra_strings_for_item_wording() -> None:
    from copse.tasks.base import TaskData

    plain = str(CET.render_html(td(items("q", 1, 24, 2))))
    assert "8. Item 8 (reverse-scored)" in plain and "sometimes true" in plain
    worded = TaskData(row=items("q", 1, 24, 2), strings={"q3": "Installed wording"})
    assert "Installed wording" in str(CET.render_html(worded))


# ----------------------------------------------------------------- QoL-SG
def test_qolsg_complete_when_utility_reached() -> None:
    assert QOLSG.is_complete(td(utility=0.75, gamble_p=0.75)) is True
    assert QOLSG.is_complete(td(gamble_p=0.75, category_chosen="medium")) is False
    task = td(utility=0.75, category_chosen="medium", gamble_lottery_on_left=1)
    assert summary_map(QOLSG.summaries(task)) == {"sg_utility": 0.75}
    assert QOLSG.clinical_summary(task) == "QoL-SG: utility 0.75"
    html = str(QOLSG.render_html(task))
    assert "Lottery on the left" in html and "medium" in html


# ------------------------------------------------------------------- IRAC
@pytest.mark.parametrize(
    ("row", "complete"),
    [
        ({"aim": "Review medication", "achieved": 2}, True),
        ({"aim": "", "achieved": 0}, True),  # the aim field was visited
        ({"aim": "Review", "achieved": None}, False),
        ({"aim": None, "achieved": 1}, False),
        ({"aim": "Review", "achieved": 3}, False),
    ],
)
def test_irac_completeness(row: dict[str, object], complete: bool) -> None:
    assert IRAC.is_complete(td(row)) is complete


def test_irac_view_shows_achievement_as_text() -> None:
    task = td(aim="Agree a plan\nwith family", achieved=1)
    html = str(IRAC.render_html(task))
    assert "Partially achieved" in html and "Agree a plan<br>with family" in html
    assert IRAC.clinical_summary(task) == (
        "IRAC: how far the aim was achieved: Partially achieved; aim achievement 1/2; "
        "aim: Agree a plan with family"
    )
    assert summary_map(IRAC.summaries(task)) == {"aim_achievement": 1}
    assert summary_map(IRAC.summaries(td(achieved=7))) == {"aim_achievement": None}
