"""EDE-Q: subscales (more than half answered), global score, BMI, risk flags."""

from __future__ import annotations

import pytest
from task_test_helpers import items, summary_map, td

from copse.tasks.base import TaskData
from copse.tasks.catalogue import get_task

EDEQ = get_task("edeq")
FULL = {**items("q", 1, 28, 0), "mass_kg": 60.0, "height_m": 1.6}


def test_completeness() -> None:
    assert EDEQ.is_complete(td(FULL)) is True
    assert EDEQ.is_complete(td({**FULL, "q28": None})) is False
    assert EDEQ.is_complete(td({**FULL, "q1": 7})) is False
    assert EDEQ.is_complete(td({**FULL, "q13": 25})) is True  # counts are not 0–6
    assert EDEQ.is_complete(td({**FULL, "height_m": None})) is False
    female = TaskData(row=FULL, patient={"sex": "F"})
    assert EDEQ.is_complete(female) is False  # periods and pill questions apply
    female = TaskData(row={**FULL, "num_periods_missed": 0, "pill": 1}, patient={"sex": "F"})
    assert EDEQ.is_complete(female) is True


def test_subscales_by_hand() -> None:
    row = {**FULL, "q1": 6, "q2": 3, "q3": 3, "q4": 0, "q5": 3}  # restraint 15 / 5 = 3
    row.update({"q8": 6, "q12": 6, "q22": 6, "q24": 6, "q25": 6})  # weight concern 6
    s = summary_map(EDEQ.summaries(td(row)))
    assert s["restraint"] == 3.0
    assert s["weight_concern"] == 6.0
    assert s["eating_concern"] == 0.0
    assert s["shape_concern"] == pytest.approx(6 / 8)  # item 8 is in both concern scales
    assert s["global_score"] == pytest.approx((3 + 6 + 0 + 6 / 8) / 4)
    assert s["bmi"] == pytest.approx(60 / 1.6**2)


@pytest.mark.parametrize(("answered", "scored"), [(2, False), (3, True)])
def test_subscale_needs_more_than_half(answered: int, scored: bool) -> None:
    row = items("q", 1, answered, 4)  # restraint items 1–5
    assert (summary_map(EDEQ.summaries(td(row)))["restraint"] is not None) is scored


def test_compensatory_behaviour_flags() -> None:
    assert EDEQ.risk_flags(td(FULL)) == []
    flags = EDEQ.risk_flags(td({**FULL, "q16": 3, "q17": 1}))
    assert [f.column for f in flags] == ["q16", "q17"]
